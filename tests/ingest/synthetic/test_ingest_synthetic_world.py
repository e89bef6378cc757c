"""Simulated world: deterministic, valid identifiers, consistent ground truth, same load path."""

import json

import pandas as pd
import pytest

from ingest import validators as V
from ingest.synthetic.load import load_world
from ingest.synthetic.world import generate_world

pytestmark = pytest.mark.unit
KEY = b"test-hmac-key-0123456789"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    d = tmp_path_factory.mktemp("world") / "w"
    summary = generate_world(3000, 5, d, hmac_secret=KEY)
    return d, summary


def test_same_seed_same_world(world, tmp_path):
    d, _ = world
    generate_world(3000, 5, tmp_path / "again", hmac_secret=KEY)
    for f in ("declarations.csv", "bills.csv", "truth/entities.csv", "truth/mentions.csv"):
        assert (d / f).read_bytes() == (tmp_path / "again" / f).read_bytes(), f
    generate_world(3000, 6, tmp_path / "other", hmac_secret=KEY)
    assert (d / "declarations.csv").read_bytes() != (tmp_path / "other" / "declarations.csv").read_bytes()


def test_identifiers_are_valid(world):
    d, _ = world
    e = pd.read_csv(d / "enterprises.csv", dtype=str)
    assert e.uscc.map(V.is_valid_uscc).all() and e.uscc.is_unique
    assert pd.read_csv(d / "persons.csv", dtype=str).id_number.map(V.is_valid_cn_id).all()
    m = pd.read_csv(d / "manifests.csv", dtype=str)
    assert m.vessel_imo.map(V.is_valid_imo).all() and m.vessel_mmsi.map(V.is_valid_mmsi).all()
    dc = pd.read_csv(d / "declarations.csv", dtype=str, keep_default_na=False)
    t = pd.read_csv(d / "truth" / "declarations.csv", dtype=str)
    ok = t.corrupt == "0"
    assert dc.plate[dc.plate != ""].map(V.is_valid_plate).all()
    assert dc.container_no[(dc.container_no != "") & ok.values].map(V.is_valid_container).all()
    assert dc.hs10.map(V.is_valid_hs).all()


def test_ground_truth_covers_patterns_labels_and_mentions(world):
    d, summary = world
    t = pd.read_csv(d / "truth" / "declarations.csv", dtype=str, keep_default_na=False)
    for p in ("undervaluation", "origin_laundering", "misclassification", "split_shipment"):
        assert t.pattern.str.contains(p).any(), p
    assert 0.01 < (t.inspected == "1").mean() < 0.08  # only a few percent carry labels
    assert set(t.label[t.inspected == "0"]) == {"-1"}
    ents = pd.read_csv(d / "truth" / "entities.csv", dtype=str, keep_default_na=False)
    assert {"enterprise", "person", "vehicle"} <= set(ents.entity_type)
    assert (ents[ents.entity_type == "enterprise"].pattern == "shell_cluster").sum() >= 6
    ment = pd.read_csv(d / "truth" / "mentions.csv", dtype=str)
    unreg = pd.read_csv(d / "truth" / "unregistered_persons.csv", dtype=str)
    assert set(ment.true_key) <= set(ents.key) | set(unreg.key)
    assert set(ment.entity_type) == {"enterprise", "person"}
    assert ment.mention_key.is_unique
    assert json.loads((d / "world.json").read_text())["counts"]["declarations"] == 3000


def test_world_goes_through_the_ingest_path(world, mem_store, tmp_path):
    from ingest.config import IngestSettings

    d, summary = world
    s = IngestSettings(data_dir=tmp_path / "var", environment="test", hmac_key=KEY.decode())
    rep = load_world(d, mem_store, settings=s)
    assert rep["files"]["declarations.csv"]["quarantined"] == summary["counts"]["corrupt_rows"]
    assert rep["quarantined"] >= summary["counts"]["corrupt_rows"]
    assert rep["loaded"] + rep["quarantined"] + rep["duplicates"] == rep["read"]
    counts = mem_store.counts()["nodes"]
    t = pd.read_csv(d / "truth" / "declarations.csv", dtype=str)
    # loaded declarations, plus a dateless placeholder for each declaration a road manifest
    # names whose own row was quarantined (the crossing still links to its declaration id)
    rmd = set(pd.read_csv(d / "road_manifests.csv", dtype=str).decl_id)
    placeholders = rmd - set(t.decl_id[t.corrupt == "0"])
    assert counts["Declaration"] == (t.corrupt == "0").sum() + len(placeholders)
    assert all("date" not in mem_store.nodes[("Declaration", k)] for k in placeholders)
    # persons keyed by the HMAC the ground truth gives; raw identity numbers never stored
    ents = pd.read_csv(d / "truth" / "entities.csv", dtype=str, keep_default_na=False)
    pkeys = set(ents.key[ents.entity_type == "person"])
    graph_persons = {k for (lab, k) in mem_store.nodes if lab == "Person"}
    ment = pd.read_csv(d / "truth" / "mentions.csv", dtype=str)
    unreg = pd.read_csv(d / "truth" / "unregistered_persons.csv", dtype=str)
    person_mentions = set(ment.mention_key[ment.entity_type == "person"])
    assert {k for k in graph_persons if not k.startswith("PM:")} <= pkeys | set(unreg.key)
    assert {k for k in graph_persons if k.startswith("PM:")} == person_mentions
    # mistyped or missing ids do not quarantine a manifest or registration row
    assert rep["files"]["road_manifests.csv"]["quarantined"] == 0
    assert rep["files"]["customs_reps.csv"]["quarantined"] == 0
    raw = set(ents.id[ents.entity_type == "person"])
    assert not any(r in repr(mem_store.nodes) for r in list(raw)[:50])
    recorded = pd.read_csv(d / "road_manifests.csv", dtype=str, keep_default_na=False)
    typed = [x for x in recorded.driver_id if x][:200]  # valid and mistyped ids as written
    stored = repr(mem_store.nodes) + repr(mem_store.rels)
    assert typed and not any(x in stored for x in typed)
    snap = mem_store.snapshot()
    load_world(d, mem_store, settings=s)
    assert mem_store.snapshot() == snap


def test_person_mentions_carry_valid_mistyped_and_missing_ids(world):
    d, summary = world
    persons = pd.read_csv(d / "persons.csv", dtype=str)
    unreg = pd.read_csv(d / "truth" / "unregistered_persons.csv", dtype=str)
    true_ids = set(persons.id_number) | set(unreg.id)
    rm = pd.read_csv(d / "road_manifests.csv", dtype=str, keep_default_na=False)
    cr = pd.read_csv(d / "customs_reps.csv", dtype=str, keep_default_na=False)
    ids = list(rm.driver_id) + list(cr.id_number)
    status = pd.Series([V.cn_id_status(x) for x in ids])
    assert {"valid", "invalid", "missing"} == set(status)
    assert all(x in true_ids for x, s in zip(ids, status) if s == "valid")

    def one_typo_away(x):  # one digit changed or two adjacent digits swapped
        for t in true_ids:
            diff = [i for i in range(18) if x[i] != t[i]]
            if len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                   and x[diff[0]] == t[diff[1]] and x[diff[1]] == t[diff[0]]):
                return True
        return False

    invalid = [x for x, s in zip(ids, status) if s == "invalid"]
    assert all(one_typo_away(x) for x in invalid[:100])
    # name variants: spaces (ASCII or ideographic) in some names, the registry has none
    assert rm.driver_name.str.contains(r"\s").any() and not persons.name.str.contains(r"\s").any()
    assert len(rm) == summary["counts"]["road_manifests"] and len(cr) == summary["counts"]["customs_reps"]


def test_person_mentions_use_their_own_random_stream(world, tmp_path, monkeypatch):
    """Additive: drawing the person mentions differently changes only their own files."""
    from ingest.synthetic import persons

    d, _ = world
    monkeypatch.setattr(persons, "STREAM", persons.STREAM + 1)
    generate_world(3000, 5, tmp_path / "other_stream", hmac_secret=KEY)
    own = {"road_manifests.csv", "customs_reps.csv", "truth/mentions.csv",
           "truth/unregistered_persons.csv", "world.json"}
    for f in sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file()):
        same = (d / f).read_bytes() == (tmp_path / "other_stream" / f).read_bytes()
        assert same != (f in own), f
    m1 = pd.read_csv(d / "truth" / "mentions.csv", dtype=str)
    m2 = pd.read_csv(tmp_path / "other_stream" / "truth" / "mentions.csv", dtype=str)
    ent = m1.entity_type == "enterprise"
    assert m1[ent].equals(m2[m2.entity_type == "enterprise"])  # enterprise rows unchanged
