"""Shared by every package's tests. Graph engine fixtures live in tests/graph_fixtures.py:

* ``embedded_store`` (session): the embedded ArcadeDB, in this process, under a tmp data dir;
* ``neo4j_store`` (session): a real Neo4j 5.26 that the suite starts from Maven Central jars
  (``make neo4j-jars``) on a loopback port and stops afterwards (or PS_TEST_NEO4J_URI);
* ``graph_store`` (session): parametrised over both engines (PS_TEST_ENGINES=arcadedb,neo4j);
* ``clean_store`` / ``clean_embedded_store`` (function): the same, emptied before the test.
"""

import pytest

from graph_fixtures import (clean_embedded_store, clean_store, embedded_store,  # noqa: F401
                            graph_store, neo4j_server, neo4j_store)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without JPype's crash-prone JVM termination (see graph/process.py), keeping
    pytest's exit status; the summary line has been printed by now."""
    from graph.process import exit_process

    session = getattr(config, "_ps_session", None)
    exit_process(int(session.exitstatus) if session is not None else 0)


def pytest_sessionstart(session):
    session.config._ps_session = session
