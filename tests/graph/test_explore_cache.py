"""Expansion with the supernode degree cache (graph/explore.py DegreeCache, ArcadeDB):
a repeated expansion, served partly from the cache, gives the same answer as the first."""

from __future__ import annotations

import pytest

from graph import NodeRecord, RelRecord

pytestmark = pytest.mark.integration


def _key(sg):
    return (sorted((n.label, n.key, n.props.get("collapsed_count")) for n in sg.nodes),
            sorted((r.type, r.start, r.end) for r in sg.relationships), sg.truncated)


def test_a_cached_supernode_degree_gives_the_same_expansion(clean_embedded_store):
    s = clean_embedded_store
    s.upsert([NodeRecord("Country", "CN"), NodeRecord("Enterprise", "E1")]
             + [NodeRecord("Declaration", f"D{i}") for i in range(40)],
             [RelRecord("ORIGIN", "Declaration", f"D{i}", "Country", "CN") for i in range(40)]
             + [RelRecord("DECLARED", "Enterprise", "E1", "Declaration", "D0")])
    s.degrees = type(s.degrees)()  # empty
    first = s.neighbourhood("Enterprise", "E1", hops=3, fanout=5, supernode_degree=10)
    cn = next(n for n in first.nodes if n.key == "CN")
    assert cn.props["collapsed_count"] == 39
    assert s.degrees.get(cn.id, ()) == 40  # counted once, then reused
    assert _key(s.neighbourhood("Enterprise", "E1", hops=3, fanout=5,
                                supernode_degree=10)) == _key(first)
    # a start whose degree is cached is still expanded, with the same count
    a = s.neighbourhood("Country", "CN", hops=1, fanout=5, supernode_degree=10)
    assert len(a.nodes) == 6 and next(n for n in a.nodes if n.key == "CN").props[
        "collapsed_count"] == 35
    assert _key(s.neighbourhood("Country", "CN", hops=1, fanout=5,
                                supernode_degree=10)) == _key(a)


def test_the_store_forgets_cached_degrees_when_it_writes_edges_or_deletes(
        clean_embedded_store):
    s = clean_embedded_store
    star = ([NodeRecord("Country", "CN"), NodeRecord("Enterprise", "E1")]
            + [NodeRecord("Declaration", f"D{i}") for i in range(40)],
            [RelRecord("ORIGIN", "Declaration", f"D{i}", "Country", "CN") for i in range(40)]
            + [RelRecord("DECLARED", "Enterprise", "E1", "Declaration", "D0")])
    s.upsert(*star)
    s.neighbourhood("Enterprise", "E1", hops=3, fanout=5, supernode_degree=10)
    s.upsert([NodeRecord("Declaration", "D99")],
             [RelRecord("ORIGIN", "Declaration", "D99", "Country", "CN")])
    sg = s.neighbourhood("Enterprise", "E1", hops=3, fanout=5, supernode_degree=10)
    assert next(n for n in sg.nodes if n.key == "CN").props["collapsed_count"] == 40
    s.clear()  # element ids are reused after a delete
    s.upsert(star[0], star[1][:20] + star[1][-1:])
    sg = s.neighbourhood("Enterprise", "E1", hops=3, fanout=5, supernode_degree=10)
    assert next(n for n in sg.nodes if n.key == "CN").props["collapsed_count"] == 19
