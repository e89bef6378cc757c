"""The embedded engine's search side index (graph/side_index.py): kept in step with the
store's writes, rebuilt from the graph when it is not, and never the last word (a stale
entry is checked against the graph)."""

from __future__ import annotations

import pytest

from graph import NodeRecord, RelRecord
from graph.side_index import SideIndex, entries_of

pytestmark = pytest.mark.integration


def test_index_finds_substrings_of_names_and_keys_and_replaces_a_renamed_name(tmp_path):
    s = SideIndex(tmp_path / "s.sqlite")
    s.put([("Enterprise", "E1", "Alpha Trading 阿尔法"), ("Enterprise", "E2", None),
           ("Person", "H1", "San Zhang")])
    assert s.find("pha tr", ["Enterprise"], 10) == [("Enterprise", "E1")]
    assert s.find("阿尔", ["Enterprise", "Person"], 10) == [("Enterprise", "E1")]  # < 3 chars
    assert s.find("e", ["Enterprise"], 10) == [("Enterprise", "E1"), ("Enterprise", "E2")]
    assert s.find("e", ["Enterprise"], 1, offset=1) == [("Enterprise", "E2")]
    assert s.find("a%", ["Enterprise"], 10) == []  # wildcards are literal
    s.put([("Enterprise", "E3", "A*B?C[1]")])
    assert s.find("a*b", ["Enterprise"], 10) == [("Enterprise", "E3")]
    assert s.find("b?c[1", ["Enterprise"], 10) == [("Enterprise", "E3")]
    assert s.find("a?b", ["Enterprise"], 10) == []
    s.put([("Person", "H1", "Psi Li")])
    assert s.find("zhang", ["Person"], 10) == [] and s.find("psi", ["Person"], 10) == [
        ("Person", "H1")]
    assert s.counts() == {"Enterprise": 3, "Person": 1}
    s.put([("Declaration", "0202X01", None), ("Declaration", "0202x02", None),
           ("Declaration", "0303", None)])
    assert s.find("0202", ["Declaration"], 10) == []  # no substring search of unnamed labels
    assert s.find_prefix("0202x", ["Declaration"], 10) == [("Declaration", "0202X01"),
                                                             ("Declaration", "0202x02")]
    assert s.find_prefix("0202x", ["Declaration"], 1, offset=1) == [("Declaration", "0202x02")]
    assert (tmp_path / "s.sqlite").stat().st_mode & 0o777 == 0o600


def test_an_upsert_indexes_its_nodes_and_the_ends_of_its_edges():
    got = entries_of([NodeRecord("Enterprise", "E1", {"name": "Alpha"}),
                      NodeRecord("Declaration", "D1", {})],
                     [RelRecord("LEGAL_REP_OF", "Person", "H1", "Enterprise", "E1")])
    assert got == [("Enterprise", "E1", "Alpha"), ("Declaration", "D1", None),
                   ("Person", "H1", None), ("Enterprise", "E1", None)]


def test_embedded_search_rebuilds_a_missing_index_and_ignores_stale_entries(
        clean_embedded_store):
    s = clean_embedded_store
    assert s.side_index is not None
    s.upsert([NodeRecord("Enterprise", "E1", {"name": "Omega Trading"}),
              NodeRecord("Person", "H1", {"name": "Omega Li"})])
    assert sorted(n.key for n in s.search("omega")) == ["E1", "H1"]
    # a graph the index does not know (loaded before it existed, or a crash after commit)
    s.side_index.clear()
    s._side_synced = False
    assert sorted(n.key for n in s.search("omega")) == ["E1", "H1"]
    assert s.side_index.counts() == {"Enterprise": 1, "Person": 1}
    s.upsert([NodeRecord("Declaration", "D0202X1", {}), NodeRecord("Declaration", "D0202x2", {})])
    assert [n.key for n in s.search("d0202")] == ["D0202X1", "D0202x2"]  # prefix, key order
    assert [n.key for n in s.search("D0202X")] == ["D0202X1"]  # case variants as typed
    # renamed behind the store's back: the index still says "omega", the graph does not
    s._auto("rename", "MATCH (n:Person {key: $k}) SET n.name = $v", k="H1", v="Psi Li")
    assert [n.key for n in s.search("omega")] == ["E1"]
    s.clear()
    assert s.side_index.counts() == {} and s.search("omega") == []


def test_the_rebuild_reads_paged_sql_and_gets_the_bolt_reads_entries(clean_embedded_store):
    """The rebuild reads each label through the embedded engine's paged SQL (ArcadeDB's
    Cypher collect() refuses more than 524,288 elements: a 1M-entity graph could not be
    opened for search); it gets what the Bolt read gets, names included, page by page."""
    from graph import side_index
    from graph.arcadedb_sql import ArcadeSQL

    s = clean_embedded_store
    s.upsert([NodeRecord("Enterprise", f"E{i}", {"name": f"Omega {i}"}) for i in range(5)]
             + [NodeRecord("Declaration", "D1", {})],
             [RelRecord("LEGAL_REP_OF", "Person", "H1", "Enterprise", "E1")])
    small = ArcadeSQL(0, "portsentinel", "root", "x", page=2)
    small.url, small._auth = s.sql.url, s.sql._auth  # the same engine, pages of 2 rows
    read = lambda w, q: s._read(w, q, bulk=True)  # noqa: E731
    counts = s.counts()["nodes"]
    assert counts == {"Enterprise": 5, "Declaration": 1, "Person": 1}
    for label in counts:
        bolt = sorted(side_index._entries(label, read, None))
        assert sorted(side_index._entries(label, read, small)) == bolt and bolt
    assert ("Enterprise", "E3", "Omega 3") in side_index._entries("Enterprise", read, small)
    s.side_index.clear()
    assert side_index.sync(s.side_index, read, counts, sql=small)
    assert s.side_index.counts() == counts
    s._side_synced = True
    assert sorted(n.key for n in s.search("omega")) == [f"E{i}" for i in range(5)]
