"""One export reused by several readers of one process (``graph.snapshot``): it hands out
exactly what a fresh export would, and only while nothing the reader reads was written."""

from __future__ import annotations

import pytest

from graph import NodeRecord
from graph.snapshot import Snapshot, export
from test_store_conformance import world

pytestmark = pytest.mark.integration
LABELS = ["Enterprise", "Declaration", "Person", "Vehicle", "Address", "Phone"]
RELS = ["DECLARED", "AGENT_FOR", "LOCATED_AT", "HAS_PHONE", "LEGAL_REP_OF", "DROVE"]


def frames(t):
    def rows(df):
        return sorted(df.astype(str).values.tolist()), list(df.columns)

    return ({k: rows(v) for k, v in t.nodes.items()},
            {k: rows(v) for k, v in t.relationships.items()})


def test_a_subset_of_the_snapshot_is_what_a_fresh_export_of_it_gives(clean_store):
    clean_store.upsert(*world())
    snap = Snapshot.take(clean_store, labels=LABELS, rel_types=RELS)
    sub = snap.tables(clean_store, ["Declaration", "Enterprise"], ["DECLARED"], reader="a")
    assert frames(sub) == frames(clean_store.export(labels=["Declaration", "Enterprise"],
                                                    rel_types=["DECLARED"]))
    sub.nodes["Declaration"]["value"] = 0.0  # a reader's change stays its own
    again = snap.tables(clean_store, ["Declaration"], [], reader="b")
    assert sorted(again.nodes["Declaration"]["value"].astype(float)) == [99.0, 1200.5]
    assert snap.tables(clean_store, ["Goods"], []) is None  # not in the snapshot
    assert snap.served == ["a", "b"]


def test_a_risk_write_back_leaves_it_current_only_for_readers_of_other_labels(clean_store):
    clean_store.upsert(*world())
    snap = Snapshot.take(clean_store, labels=LABELS, rel_types=RELS)
    clean_store.set_properties("Declaration", {"D1": {"risk_score": 0.9, "risk_level": "高"}})
    assert snap.current(clean_store, risk_of=["Enterprise", "Person"])
    assert not snap.current(clean_store, risk_of=["Declaration"])
    clean_store.set_properties("Enterprise", {"E1": {"name": "Renamed"}})  # data, not risk
    assert not snap.current(clean_store)
    fresh = export(clean_store, ["Enterprise"], [], snapshot=snap)
    assert "Renamed" in set(fresh.nodes["Enterprise"]["name"])


def test_new_data_through_this_store_or_another_process_ends_the_reuse(clean_store):
    clean_store.upsert(*world())
    snap = Snapshot.take(clean_store, labels=LABELS, rel_types=RELS)
    clean_store.upsert([NodeRecord("Person", "H2", {"name": "Li Si"}, source="s2")])
    assert not snap.current(clean_store)
    assert len(export(clean_store, ["Person"], [], snapshot=snap).nodes["Person"]) == 2
    snap = Snapshot.take(clean_store, labels=LABELS, rel_types=RELS)
    assert snap.current(clean_store)
    # another process's load: not counted by this store instance, seen in the counts
    clean_store._upsert([NodeRecord("Person", "H3", {"name": "Wang Wu"}, source="s3")], [])
    assert not snap.current(clean_store)
    assert snap.tables(clean_store, ["Person"], []) is None
    clean_store.clear()
    assert not Snapshot.take(clean_store, labels=LABELS, rel_types=RELS).current(
        type("Other", (), {})())  # another store is never current
