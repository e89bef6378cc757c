"""The write plan of an upsert (graph.statements), without an engine: records folded per key
by the merge rule, nodes before relationships, batches of ``batch_size``, and the dialect's
statement forms."""

from __future__ import annotations

import pytest

from graph import NodeRecord, RelRecord
from graph.dialect import ARCADEDB, NEO4J
from graph.statements import bolt_value, clean_props, write_statements

pytestmark = pytest.mark.unit


def _plan(nodes, rels, dialect=NEO4J, batch_size=1000):
    return write_statements(nodes, rels, dialect=dialect, batch_size=batch_size)


def test_records_of_one_call_fold_per_key_by_the_merge_rule():
    nodes = [NodeRecord("Enterprise", "E1", {"name": "a", "country": "CN"}, "s1", "2024-01-02"),
             NodeRecord("Enterprise", "E1", {"name": "b", "country": None}, "s2", "2024-01-01")]
    (cypher, rows), = _plan(nodes, [])
    assert "MERGE (n:Enterprise {key: row.key})" in cypher
    assert rows == [{"key": "E1", "props": {"name": "b", "country": "CN"},
                     "sources": ["s1", "s2"], "first": "2024-01-01", "last": "2024-01-02"}]


def test_nodes_come_before_relationships_and_batches_are_cut():
    nodes = [NodeRecord("Phone", f"P{i}", {}, "s", "2024-01-01") for i in range(5)]
    rels = [RelRecord("HAS_PHONE", "Enterprise", "E1", "Phone", f"P{i}", {}, "s", "2024-01-01")
            for i in range(5)]
    plan = _plan(nodes, rels, batch_size=2)
    kinds = ["rel" if "row.start" in c else "node" for c, _ in plan]
    assert kinds == ["node"] * 3 + ["rel"] * 3
    # 5 nodes in 2+2+1; the first edge also MERGEs the absent E1, the other 4 find it
    assert [len(r) for _, r in plan] == [2, 2, 1, 1, 2, 2]


def test_arcadedb_creates_absent_end_nodes_before_the_edges():
    rels = [RelRecord("HAS_PHONE", "Enterprise", "E1", "Phone", "P1", {}, "s", "2024-01-01")]
    neo, arc = _plan([], rels, NEO4J), _plan([], rels, ARCADEDB)
    assert len(neo) == 1  # Neo4j MERGEs the ends inside the edge statement
    assert len(arc) == 3  # ArcadeDB: missing Enterprise, missing Phone, then the edge
    assert [sorted(r["key"] for r in rows) for _, rows in arc[:2]] == [["E1"], ["P1"]]


def test_values_as_both_engines_store_them():
    import datetime as dt

    assert bolt_value(dt.date(2024, 1, 2)) == "2024-01-02"
    assert bolt_value((1, dt.datetime(2024, 1, 2, 3, 4))) == [1, "2024-01-02T03:04:00"]
    assert clean_props({"a": None, "b": 1, "sources": ["x"]}, ("sources",)) == {"b": 1}
