"""Fixtures for ingest tests: an isolated data dir, a KCS excerpt with injected faults, and an
in-memory recorder applying the ontology's merge rule (unit tests of the load path; the
integration tests use the engines' ``graph_store`` fixture from tests/conftest.py)."""

from __future__ import annotations

import pytest

from ingest.config import IngestSettings
from ingest_helpers import MemoryStore, make_faulty_kcs


@pytest.fixture
def mem_store():
    return MemoryStore()


@pytest.fixture
def settings(tmp_path):
    return IngestSettings(data_dir=tmp_path / "var", environment="test")


@pytest.fixture
def faulty_kcs(tmp_path) -> dict:
    return make_faulty_kcs(tmp_path)
