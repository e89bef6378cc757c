"""Shared by every package's tests. Graph engine fixtures live in tests/graph_fixtures.py:

* ``embedded_store`` (session): the embedded ArcadeDB, in this process, under a tmp data dir;
* ``neo4j_store`` (session): a real Neo4j 5.26 that the suite starts from Maven Central jars
  (``make neo4j-jars``) on a loopback port and stops afterwards (or PS_TEST_NEO4J_URI);
* ``graph_store`` (session): parametrised over both engines (PS_TEST_ENGINES=arcadedb,neo4j);
* ``clean_store`` / ``clean_embedded_store`` (function): the same, emptied before the test.
"""

from graph_fixtures import (clean_embedded_store, clean_store, embedded_store,  # noqa: F401
                            graph_store, neo4j_server, neo4j_store)
