"""Graph engine fixtures (imported by tests/conftest.py; see its docstring)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "docker" / "neo4j-test"
ENGINES = [e.strip() for e in os.environ.get("PS_TEST_ENGINES", "arcadedb,neo4j").split(",")
           if e.strip()]


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """bolt:// URI of a real Neo4j 5.26 for this session (started here, stopped at the end)."""
    uri = os.environ.get("PS_TEST_NEO4J_URI")
    if uri:
        yield uri
        return
    from graph.exceptions import GraphUnavailable
    from graph.testing import neo4j_server as run_neo4j
    if not shutil.which("java") or not (shutil.which("mvn") or LAUNCHER.joinpath(
            "target", "neo4j-test.jar").exists()):
        pytest.skip("Neo4j needs java and the Maven-built launcher (`make neo4j-jars`)")
    try:
        with run_neo4j(tmp_path_factory.mktemp("neo4j")) as uri:
            yield uri
    except GraphUnavailable as e:
        pytest.fail(str(e))


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory):
    """The embedded ArcadeDB engine (in this process) under a tmp data dir, schema ready."""
    from graph import GraphSettings, open_store
    settings = GraphSettings(data_dir=tmp_path_factory.mktemp("var"), uri=None, heap="1g",
                             batch_size=500, query_timeout_s=60)  # a loaded 2-core machine
    store = open_store(settings)
    store.test_settings = settings
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_store(neo4j_server):
    from graph.neo4j import Neo4jGraphStore
    store = Neo4jGraphStore(neo4j_server, "neo4j", "unused-auth-disabled", batch_size=500,
                            name="neo4j-test", query_timeout_s=60).connect()
    store.ensure_schema()
    yield store
    store.close()


@pytest.fixture(scope="session", params=ENGINES)
def graph_store(request):
    """Each engine in turn: ``arcadedb`` (embedded) and ``neo4j`` (real Neo4j 5.26)."""
    name = {"arcadedb": "embedded_store", "neo4j": "neo4j_store"}[request.param]
    return request.getfixturevalue(name)


@pytest.fixture
def clean_store(graph_store):
    graph_store.clear()
    return graph_store


@pytest.fixture
def clean_embedded_store(embedded_store):
    embedded_store.clear()
    return embedded_store
