"""The audit log is append-only and hash-chained; altering a past entry is detected."""

from __future__ import annotations

import json
import sqlite3

import pytest

from api.audit import AuditLog

pytestmark = pytest.mark.unit
KEY = b"k" * 40


def _filled(tmp_path, n=5):
    log = AuditLog(tmp_path / "audit.sqlite", KEY)
    for i in range(n):
        log.append(actor="analyst", role="analyst", action="graph.expand",
                   target_type="Enterprise", target_id=f"E{i}", detail={"hops": 1})
    return log


def test_chain_links_each_entry_to_the_previous(tmp_path):
    log = _filled(tmp_path)
    rows, total = log.query(limit=10)
    assert total == 5
    rows.reverse()
    assert rows[0]["prev_hash"] == "0" * 64
    for a, b in zip(rows, rows[1:]):
        assert b["prev_hash"] == a["hash"]
    assert log.verify() == {"ok": True, "entries": 5, "head": rows[-1]["hash"]}


def test_update_and_delete_are_refused(tmp_path):
    log = _filled(tmp_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        log.db.execute("UPDATE audit SET actor = 'x' WHERE seq = 2")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        log.db.execute("DELETE FROM audit WHERE seq = 2")


def _tamper(path, sql):
    con = sqlite3.connect(path)
    con.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;" + sql)
    con.close()


def test_altered_past_entry_is_detected(tmp_path):
    _filled(tmp_path).close()
    _tamper(tmp_path / "audit.sqlite", "UPDATE audit SET target_id = 'E-forged' WHERE seq = 3;")
    res = AuditLog(tmp_path / "audit.sqlite", KEY).verify()
    assert res["ok"] is False and res["bad_seq"] == 3 and "altered" in res["reason"]


def test_removed_entry_is_detected(tmp_path):
    _filled(tmp_path).close()
    _tamper(tmp_path / "audit.sqlite", "DELETE FROM audit WHERE seq = 2;")
    res = AuditLog(tmp_path / "audit.sqlite", KEY).verify()
    assert res["ok"] is False and res["bad_seq"] == 3


def test_verify_command_exits_non_zero_on_tampering(tmp_path, monkeypatch, capsys):
    from api import cli
    from api.config import get_settings

    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PS_API_AUDIT_KEY", KEY.decode())
    monkeypatch.setenv("PS_API_AUDIT_ANCHOR_FILE", str(tmp_path / "anchors" / "a.jsonl"))
    get_settings.cache_clear()
    try:
        (tmp_path / "api").mkdir()
        _filled(tmp_path / "api").close()
        assert cli.main(["audit", "verify", "--json"]) == 0
        assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["ok"] is True
        _tamper(tmp_path / "api" / "audit.sqlite",
                "UPDATE audit SET detail = '{\"hops\": 3}' WHERE seq = 1;")
        assert cli.main(["audit", "verify", "--json"]) == 3
        out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert out["ok"] is False and out["bad_seq"] == 1
    finally:
        get_settings.cache_clear()


def test_export_csv_and_jsonl(tmp_path):
    log = _filled(tmp_path, 3)
    lines = log.export("jsonl").splitlines()
    assert [json.loads(x)["seq"] for x in lines] == [1, 2, 3]
    csv_text = log.export("csv", actor="analyst")
    assert csv_text.splitlines()[0].startswith("seq,ts,actor") and len(csv_text.splitlines()) == 4
