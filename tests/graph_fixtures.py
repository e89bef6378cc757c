"""Graph engine fixtures (imported by tests/conftest.py; see its docstring)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "docker" / "neo4j-test"
ENGINES = [e.strip() for e in os.environ.get("PS_TEST_ENGINES", "arcadedb,neo4j").split(",")
           if e.strip()]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _launcher_classpath() -> str:
    jar, lib = LAUNCHER / "target" / "neo4j-test.jar", LAUNCHER / "target" / "lib"
    if not (jar.exists() and lib.is_dir()):
        if not shutil.which("mvn"):
            pytest.skip("Neo4j launcher not built and Maven is missing (run `make neo4j-jars`)")
        subprocess.run(["make", "-s", "-C", str(ROOT), "neo4j-jars"], check=True)
    return f"{jar}:{lib}/*"


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """bolt:// URI of a real Neo4j 5.26 for this session (started here, stopped at the end)."""
    uri = os.environ.get("PS_TEST_NEO4J_URI")
    if uri:
        yield uri
        return
    cp = _launcher_classpath()
    java = shutil.which("java")
    if not java:
        pytest.skip("java is not installed")
    port = _free_port()
    home = tmp_path_factory.mktemp("neo4j")
    log_path = home / "launcher.log"
    log = open(log_path, "w")
    proc = subprocess.Popen(
        [java, "-Xms256m", "-Xmx768m", "-XX:+UseSerialGC", "-cp", cp,
         "portsentinel.Neo4jTestServer", str(port), str(home / "db")],
        stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 240
        while "NEO4J READY" not in log_path.read_text():
            if proc.poll() is not None:
                pytest.fail(f"Neo4j launcher exited {proc.returncode}:\n"
                            f"{log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"Neo4j did not start in 240 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield f"bolt://127.0.0.1:{port}"
    finally:
        proc.stdin.close()  # the launcher shuts down when its stdin closes
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory):
    """The embedded ArcadeDB engine (in this process) under a tmp data dir, schema ready."""
    from graph import GraphSettings, open_store
    settings = GraphSettings(data_dir=tmp_path_factory.mktemp("var"), uri=None, heap="1g",
                             batch_size=500)
    store = open_store(settings)
    store.test_settings = settings
    yield store
    store.close()


@pytest.fixture(scope="session")
def neo4j_store(neo4j_server):
    from graph.neo4j import Neo4jGraphStore
    store = Neo4jGraphStore(neo4j_server, "neo4j", "unused-auth-disabled", batch_size=500,
                            name="neo4j-test").connect()
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
