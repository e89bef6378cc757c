"""Fixtures for the warnings tests: a service on a tmp data dir with a controllable clock,
and an in-memory graph for the unit tests (integration tests use the real embedded graph)."""

from __future__ import annotations

import time

import pytest

from risk.warnings import set_service
from risk.warnings.config import WarningsSettings
from risk.warnings.memgraph import MemoryGraphStore
from risk.warnings.service import WarningService


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def wsettings(tmp_path) -> WarningsSettings:
    return WarningsSettings(data_dir=tmp_path / "var", sse_keepalive_s=0.5)


@pytest.fixture
def wsvc(wsettings, clock):
    svc = WarningService(settings=wsettings, clock=clock)
    old = set_service(svc)
    yield svc
    set_service(old)
    svc.close()


@pytest.fixture
def mem_store() -> MemoryGraphStore:
    return MemoryGraphStore()
