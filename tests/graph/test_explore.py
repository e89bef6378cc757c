"""Unit tests of graph/explore.py's pure parts: the Lucene query built from a search text,
the key variants, the per-hop statement's structure and the shortest-path walk back."""

from __future__ import annotations

import pytest

from graph import OntologyError, explore, paths, search

pytestmark = pytest.mark.unit


def test_lucene_query_words_are_infix_wildcards_and_cjk_runs_are_phrases():
    assert search.lucene_query("qlru") == "*qlru*"
    assert search.lucene_query("Alpha Trading") == "*Alpha* AND *Trading*"
    assert search.lucene_query("阿尔法") == '"阿尔法"'
    # Lucene syntax in the text is escaped, never interpreted
    assert search.lucene_query('a:b (c) "d"') == r'*a\:b* AND *\(c\)* AND *\"d\"*'


def test_key_variants_keep_the_text_as_typed_first():
    assert search.variants("qlRu9") == ["qlRu9", "QLRU9", "qlru9"]
    assert search.variants("ABC") == ["ABC", "abc"]


def test_expand_hop_is_one_branch_per_label_with_values_as_parameters():
    q = explore.expand_hop(["Enterprise", "Port"], ["DECLARED", "ORIGIN"], True)
    assert q.count("UNION ALL") == 1
    assert "MATCH (s:Enterprise {key: k})" in q and "MATCH (s:Port {key: k})" in q
    assert "[r:DECLARED|ORIGIN]" in q and "$labels" in q and "LIMIT $fanout" in q
    assert "*" not in q.replace("count(r)", "")  # no variable-length pattern
    with pytest.raises(OntologyError):
        explore.expand_hop(["Port) DETACH DELETE s //"], None, False)
    with pytest.raises(OntologyError):
        explore.expand_hop(["Port"], ["X]-() DELETE r //"], False)


def test_walks_back_enumerate_every_parent_up_to_the_limit():
    par = {"a": [], "b": [("a", "r1")], "c": [("a", "r2")], "d": [("b", "r3"), ("c", "r4")]}
    assert paths._walks(par, "d", 10) == [[("b", "r3"), ("a", "r1")],
                                             [("c", "r4"), ("a", "r2")]]
    assert len(paths._walks(par, "d", 1)) == 1
    assert paths._walks(par, "a", 10) == [[]]


def test_degree_cache_keeps_counts_per_types_until_the_ttl(monkeypatch):
    c = explore.DegreeCache(ttl_s=10.0)
    now = [100.0]
    monkeypatch.setattr(explore.time, "monotonic", lambda: now[0])
    c.put("#1:0", (), 5000)
    assert c.get("#1:0", ()) == 5000 and c.get("#1:0", ("ORIGIN",)) is None
    now[0] += 11
    assert c.get("#1:0", ()) is None


def test_known_count_statement_reads_the_count_from_a_parameter():
    q = explore.expand_hop(None, None, False, timed=False, seek="id", known=True)
    assert "$known AS n" in q and "COUNT {" not in q and "id(s) = x" in q
    q = explore.expand_hop(None, ["ORIGIN"], False, timed=False)
    assert "COUNT { (s)-[:ORIGIN]-() }" in q and "$since" not in q


def test_walk_hop_reads_each_frontier_node_once_and_its_edges_without_neighbour_maps():
    q = explore.walk_hop(["DECLARED", "ORIGIN"], True, seek="id")
    assert "UNWIND $ids AS x" in q and "id(s) = x" in q
    assert "CASE WHEN x IN $kids THEN -1" not in q  # a filter: capped walk, no cache
    assert "LIMIT $cap" in q and "[r:DECLARED|ORIGIN]" in q and "$labels" in q
    assert "COLLECT {" in q and "LIMIT $fanout" in q and "CALL { WITH s, n" not in q
    assert "properties(m)" not in q and "properties(s) AS props" in q
    assert "*" not in q  # no variable-length pattern
    plain = explore.walk_hop(None, False, timed=False, seek="id")
    assert "CASE WHEN x IN $kids THEN -1 ELSE COUNT { (s)-[]-() } END AS n" in plain
    assert "$since" not in plain
    start = explore.walk_hop(None, False, timed=False, start_label="Port", known=True)
    assert "MATCH (s:Port {key: $key})" in start and "$known AS n" in start
    last = explore.walk_hop(None, False, timed=False, count_only=True)
    assert "[] AS items" in last and "COLLECT" not in last
    with pytest.raises(OntologyError):
        explore.walk_hop(None, False, start_label="Port) DETACH DELETE s //")
    with pytest.raises(OntologyError):
        explore.walk_hop(["X]-() DELETE r //"], False)
