"""Road crossings in the graph (``mappings/syn_road_manifests.yaml``): each road manifest links
the declaration it conveyed (Declaration-[:ON_MANIFEST]->Manifest), its vehicle
(Manifest-[:CARRIED_BY]->Vehicle) and the driver mention recorded for that crossing
(Person-[:DRIVER_OF]->Manifest), on a real engine; a bad declaration number quarantines the
row with its reason; loading twice changes nothing."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytestmark = pytest.mark.integration
KEY = b"test-hmac-key-0123456789"


@pytest.fixture(scope="module")
def small_world(tmp_path_factory):
    from ingest.synthetic.world import generate_world

    d = tmp_path_factory.mktemp("crossings") / "w"
    generate_world(600, 5, d, hmac_secret=KEY)
    return d


def _rels(tables, rtype):
    r = tables.relationships.get(rtype)
    return set() if r is None or not len(r) else set(zip(r["start_key"].astype(str),
                                                         r["end_key"].astype(str)))


def test_each_crossing_links_its_declaration_vehicle_and_driver(small_world, clean_store,
                                                                tmp_path):
    from ingest.config import IngestSettings
    from ingest.readers.mapped import load_file
    from ingest.synthetic.persons import mention_key

    d = small_world
    s = IngestSettings(data_dir=tmp_path / "var", environment="test", hmac_key=KEY.decode())
    store = clean_store
    load_file(d / "declarations.csv", "syn_declarations", store, settings=s)
    rm = pd.read_csv(d / "road_manifests.csv", dtype=str, keep_default_na=False)
    # two bad rows appended: a declaration number that is not one, and a full-width one (kept)
    bad = rm.iloc[:2].copy()
    bad["manifest_no"] = ["RMBAD1", "RMWIDE1"]
    bad.loc[bad.index[0], "decl_id"] = "53162024-1"
    wide = rm["decl_id"].iloc[1]
    bad.loc[bad.index[1], "decl_id"] = "".join(chr(ord(c) + 0xFEE0) for c in wide)
    f = tmp_path / "road_manifests.csv"
    pd.concat([rm, bad]).to_csv(f, index=False)
    rep = load_file(f, "syn_road_manifests", store, settings=s)
    assert (rep.loaded, rep.quarantined) == (len(rm) + 1, 1)
    q = [json.loads(x) for x in open(rep.quarantine_file, encoding="utf-8")]
    assert [(e["field"], e["value"]) for e in q] == [("decl_id", "53162024-1")]
    assert "18 digits" in q[0]["reason"]

    t = store.export(labels=["Declaration", "Manifest", "Vehicle", "Person"],
                     rel_types=["ON_MANIFEST", "DRIVER_OF", "CARRIED_BY"])
    on, drv, car = (_rels(t, "ON_MANIFEST"), _rels(t, "DRIVER_OF"), _rels(t, "CARRIED_BY"))
    assert len(on) == len(drv) == len(rm) + 1
    assert (wide, "RMWIDE1") in on  # normalised to the declaration it names
    decls = set(pd.read_csv(d / "declarations.csv", dtype=str).decl_id)
    for r in rm.itertuples():
        assert (r.decl_id, r.manifest_no) in on
        assert (r.manifest_no, r.plate) in car
        m = mention_key(r.driver_name, r.driver_phone, r.driver_id, r.plate, KEY)
        assert (m, r.manifest_no) in drv
        # the declaration's own vehicle is the crossing's vehicle
        if r.decl_id in decls:
            assert (r.decl_id, r.plate) in car
    # the link carries the crossing's date
    r = t.relationships["ON_MANIFEST"]
    at = dict(zip(r["end_key"], r["at"].astype(str).str[:10]))
    assert all(at[x.manifest_no] == x.date for x in rm.itertuples())

    before = store.counts()
    rep2 = load_file(f, "syn_road_manifests", store, settings=s)
    assert store.counts() == before and rep2.quarantined == 1
    assert sum(1 for _ in open(rep.quarantine_file, encoding="utf-8")) == 1
