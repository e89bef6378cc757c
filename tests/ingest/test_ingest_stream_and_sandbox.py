"""Streaming events, folder watch, desensitised export, CLI."""

import json
import shutil

import pandas as pd
import pytest

from graph.base import Tables
from ingest.desensitise import desensitise_tables
from ingest.quarantine import QuarantineStore
from ingest.stream import load_events, poll_once

from ingest_helpers import kcs_rows, write_csv

pytestmark = pytest.mark.unit

EVENTS = [
    '{"type": "inspection", "inspection_id": "I1", "decl_id": "D1", "date": "2024-01-02", "result": "hit"}',
    '{"type": "case", "case_no": "C1", "decl_id": "D1", "date": "2024-02-01", "kind": "undervaluation", "penalty": 1200}',
    'not json',
    '{"type": "rocket"}',
    '{"type": "inspection", "inspection_id": "I2", "decl_id": "D2", "date": "2099-01-02", "result": "hit"}',
]


def test_load_events_validates_quarantines_and_is_idempotent(mem_store, settings):
    rep = load_events(EVENTS, "body1", mem_store, settings=settings)
    assert (rep["read"], rep["loaded"], rep["quarantined"]) == (5, 2, 3)
    assert mem_store.nodes[("Declaration", "D1")]["fraud"] == 1
    snap = mem_store.snapshot()
    q = list(QuarantineStore(settings.quarantine_dir).read())
    load_events(EVENTS, "body1", mem_store, settings=settings)
    assert mem_store.snapshot() == snap
    assert len(list(QuarantineStore(settings.quarantine_dir).read())) == len(q)
    assert {e["line"] for e in q} == {3, 4, 5}


def test_watch_loads_new_files_once(tmp_path, mem_store, settings):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    header, rows = kcs_rows(n=30)
    write_csv(inbox / "kcs_a.csv", header, rows[:20])
    r1 = poll_once(inbox, mem_store, settings=settings)
    assert r1["files"] == 1 and r1["loaded"] == 20
    assert poll_once(inbox, mem_store, settings=settings)["files"] == 0  # unchanged: skipped
    (inbox / "events_1.jsonl").write_text("\n".join(EVENTS[:2]) + "\n")
    write_csv(inbox / "kcs_a.csv", header, rows)  # grew: re-read whole, idempotently
    r3 = poll_once(inbox, mem_store, settings=settings)
    assert r3["files"] == 2 and mem_store.counts()["nodes"]["Declaration"] == 30 + 1
    (inbox / "kcs_bad.csv").write_text("a,b\n1,2\n")
    r4 = poll_once(inbox, mem_store, settings=settings)
    assert r4["files"] == 0 and "wrong columns" in r4["errors"][0]


def test_desensitised_tables_mask_people():
    t = Tables(
        nodes={"Person": pd.DataFrame({"key": ["H:abc"], "name": ["张三丰"],
                                       "phone_masked": ["+86138****5678"]}),
               "Phone": pd.DataFrame({"key": ["+8613812345678"]}),
               "Enterprise": pd.DataFrame({"key": ["U1"], "name": ["上海远洋贸易有限公司"]})},
        relationships={"HAS_PHONE": pd.DataFrame({"start_label": ["Person"], "start_key": ["H:abc"],
                                                  "end_label": ["Phone"], "end_key": ["+8613812345678"]})})
    nodes, rels = desensitise_tables(t, secret=b"s" * 32)
    assert nodes["Person"].name[0] == "张**" and nodes["Person"].key[0] != "H:abc"
    assert "13812345678" not in nodes["Phone"].to_csv() + rels["HAS_PHONE"].to_csv()
    assert rels["HAS_PHONE"].start_key[0] == nodes["Person"].key[0]
    assert rels["HAS_PHONE"].end_key[0] == nodes["Phone"].key[0]
    assert nodes["Enterprise"].name[0] == "上海远洋贸易有限公司"


def test_dev_hmac_key_refused_outside_development(tmp_path):
    from ingest.config import IngestSettings
    from ingest.exceptions import SettingsError

    with pytest.raises(SettingsError, match="placeholder"):
        IngestSettings(data_dir=tmp_path, environment="production").hmac_secret()
    assert IngestSettings(data_dir=tmp_path, environment="production",
                          hmac_key="a-real-key-of-some-length").hmac_secret()


def test_cli_kcs_dry_run_prints_one_json_object_last(tmp_path, capsys, monkeypatch):
    from api.cli import main

    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))
    from ingest.config import get_settings
    get_settings.cache_clear()
    header, rows = kcs_rows(n=10)
    f = write_csv(tmp_path / "k.csv", header, rows)
    assert main(["ingest", "kcs", str(f), "--dry-run", "--json"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    rep = json.loads(last)
    assert {k: rep[k] for k in ("read", "loaded", "quarantined", "duplicates")} == \
        {"read": 10, "loaded": 10, "quarantined": 0, "duplicates": 0}
    assert isinstance(rep["seconds"], float)
    get_settings.cache_clear()
