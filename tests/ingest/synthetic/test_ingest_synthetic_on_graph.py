"""Simulated world into the real engines; resolution provenance and its reversal; sandbox."""

import pandas as pd
import pytest

from ingest.config import IngestSettings
from ingest.resolve import resolve_store, unresolve
from ingest.synthetic.load import load_world
from ingest.synthetic.world import generate_world

pytestmark = pytest.mark.integration
KEY = "integration-hmac-key-0123"


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny") / "w"
    generate_world(150, 21, d, hmac_secret=KEY.encode())
    return d


def test_world_loads_idempotently_resolves_reversibly_and_exports(clean_store, tiny_world,
                                                                   tmp_path):
    s = IngestSettings(data_dir=tmp_path / "var", environment="test", hmac_key=KEY)
    rep = load_world(tiny_world, clean_store, settings=s)
    assert rep["loaded"] + rep["quarantined"] + rep["duplicates"] == rep["read"]
    before = clean_store.counts()
    truth = pd.read_csv(tiny_world / "truth" / "declarations.csv", dtype=str)
    assert before["nodes"]["Declaration"] == (truth.corrupt == "0").sum()
    load_world(tiny_world, clean_store, settings=s)
    assert clean_store.counts() == before

    # person mentions recorded with a valid id are linked by the record itself (exact_id)
    stated = before["relationships"].get("ALIAS_OF", 0)
    out = resolve_store(clean_store)
    assert out["merges"] > 0 and out["rules"] and out["persons"]["merges"] > 0
    counts = clean_store.counts()
    assert counts["relationships"]["ALIAS_OF"] == stated + out["merges"]
    ex = out["examples"][0]
    canon = clean_store.get("Enterprise", ex["canonical"]).props
    assert ex["mention"] in canon["resolved_from"] and canon["resolution_rule"]
    pex = out["persons"]["examples"][0]
    assert pex["rule"] in clean_store.get("Person", pex["canonical"]).props["resolution_rule"]
    again = resolve_store(clean_store)  # idempotent
    assert clean_store.counts() == counts and again["merges"] == out["merges"]
    undone = unresolve(clean_store)
    assert undone["relationships"] == out["merges"]
    assert clean_store.counts()["relationships"].get("ALIAS_OF", 0) == stated
    assert not clean_store.get("Enterprise", ex["canonical"]).props.get("resolved_from")
    assert not clean_store.get("Person", pex["canonical"]).props.get("resolution_rule")

    from ingest.desensitise import export_sandbox

    res = export_sandbox(clean_store, tmp_path / "sandbox")
    people = pd.read_csv(tmp_path / "sandbox" / "nodes" / "Person.csv", dtype=str)
    assert people.key.str.startswith("PE:").all()
    raw_names = set(pd.read_csv(tiny_world / "persons.csv", dtype=str).name)
    assert not set(people.get("name", pd.Series(dtype=str)).dropna()) & raw_names
    assert res["tables"]["Declaration"] == before["nodes"]["Declaration"]
