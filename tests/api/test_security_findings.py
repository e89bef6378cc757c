"""Issue 13: one test per finding of the security review, named after it. Each failed on the
code before the fix (the before/after is in the issue's note) and passes after."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from pathlib import Path

import jwt
import pytest

from api_seed import (PASSWORD, PERSON_ID, PERSON_NAME, PERSON_PHONE, PHONE_KEY, ROOT, SECRETS,
                      make_app)
from loopback import LoopbackServer
from security_tools import copy_sqlite, dir_bytes, mode

pytestmark = pytest.mark.integration
OLD_PLACEHOLDER = "dev-only-placeholder-secret-key-change-me"


def _claims(**kw):
    now = int(time.time())
    return {"sub": "admin", "role": "admin", "tv": 0, "iat": now, "exp": now + 3600,
            "jti": "forged", "iss": "portsentinel", **kw}


def _bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


# ------------------------------------------------------------------------------ 1
def test_finding_01_forgeable_admin_token_by_default(client, auth, tmp_path, monkeypatch):
    from api import cli
    from api.config import ApiSettings, BindRefused, check_bind, get_settings

    assert client.get("/users", headers=auth("admin")).status_code == 200
    forged = jwt.encode(_claims(), OLD_PLACEHOLDER, algorithm="HS256")
    assert client.get("/users", headers=_bearer(forged)).status_code == 401
    century = jwt.encode(_claims(exp=int(time.time()) + 100 * 365 * 86400), "t" * 40,
                         algorithm="HS256")  # the right key, a lifetime beyond the TTL
    assert client.get("/users", headers=_bearer(century)).status_code == 401

    # development: a random key and admin password per data dir, 0600, stable across starts
    monkeypatch.delenv("PS_ENV", raising=False)
    a = ApiSettings(data_dir=tmp_path / "a")
    assert a.env == "development"
    key = a.secret_key.get_secret_value()
    assert key != OLD_PLACEHOLDER and len(key) >= 32
    assert a.admin_password.get_secret_value() not in ("change-me", "")
    assert mode(tmp_path / "a" / "api" / "dev-secrets.json") == 0o600
    assert ApiSettings(data_dir=tmp_path / "a").secret_key.get_secret_value() == key
    assert ApiSettings(data_dir=tmp_path / "b").secret_key.get_secret_value() != key
    with pytest.raises(ValueError, match="PS_API_SECRET_KEY"):
        ApiSettings(data_dir=tmp_path / "c", secret_key=OLD_PLACEHOLDER)
    with pytest.raises(ValueError, match="PS_API_ADMIN_PASSWORD"):
        ApiSettings(data_dir=tmp_path / "c", secret_key="x" * 40, admin_password="change-me")

    # a non-loopback bind needs production settings
    with pytest.raises(BindRefused, match="PS_ENV=production"):
        check_bind(a, "0.0.0.0")
    check_bind(a, "127.0.0.1")
    check_bind(a, "::1")
    prod = ApiSettings(env="production", data_dir=tmp_path / "p", secret_key="s" * 40,
                       admin_password="a-real-one", audit_key="q" * 40)
    check_bind(prod, "0.0.0.0")
    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "a"))
    get_settings.cache_clear()
    try:
        assert cli.main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2  # never serves
    finally:
        get_settings.cache_clear()

    docker = (ROOT / "docker" / "Dockerfile").read_text()
    env = [ln for ln in docker.splitlines() if ln.startswith(("ENV", "ARG", "    PS_"))]
    assert any("PS_ENV=production" in ln for ln in env)
    assert not any("SECRET" in ln or "PASSWORD" in ln or "AUDIT_KEY" in ln for ln in env)


# ------------------------------------------------------------------------------ 2
def test_finding_02_trader_does_not_learn_it_is_targeted(app, client, auth):
    app.state.ps.work.save_targeting_list(
        issued_by="inspector", port="30", date=None, budget=1, model_version=None,
        items=[{"label": "Declaration", "key": "D-1001", "score": 0.2, "reasons": []}], meta={})
    mine = client.get("/declarations", headers=auth("trader_a")).json()["items"]
    d1001 = next(d for d in mine if d["key"] == "D-1001")
    assert d1001["status"] in ("declared", "accepted", "released")
    one = client.get("/declarations/D-1001", headers=auth("trader_a")).json()
    assert one["status"] in ("declared", "accepted", "released")
    for body in (json.dumps(mine), json.dumps(one)):
        assert "selected_for_inspection" not in body and "fraud" not in body
    staff = client.get("/declarations/D-1001", headers=auth("analyst")).json()
    assert staff["status"] == "selected_for_inspection"  # customs staff still see it


# ------------------------------------------------------------------------------ 3
def test_finding_03_masked_pii_not_recovered_through_search(client, auth):
    h = auth("analyst")
    for q in ("+86138", "+861380013800", "8613800138000"):  # narrowing substrings
        items = client.get("/graph/search", params={"labels": "Phone", "q": q},
                           headers=h).json()["items"]
        assert items == [], q
        anywhere = client.get("/graph/search", params={"q": q}, headers=h).json()["items"]
        assert not [n for n in anywhere if n["label"] in ("Phone", "Person")], q
    exact = client.get("/graph/search", params={"labels": "Phone", "q": PHONE_KEY},
                       headers=h).json()["items"]
    assert len(exact) == 1 and exact[0]["key"].startswith("masked:")
    # a raw personal key is not a lookup key; the masked token is
    assert client.get("/graph/node", params={"label": "Phone", "key": PHONE_KEY},
                      headers=h).status_code == 404
    assert client.get("/graph/neighbours", params={"label": "Phone", "key": PHONE_KEY},
                      headers=h).status_code == 404
    assert client.get("/graph/node", params={"label": "Phone", "key": exact[0]["key"]},
                      headers=h).status_code == 200
    # a person's name: no substring match, an exact one only (and masked in the answer)
    assert client.get("/graph/search", params={"labels": "Person", "q": PERSON_NAME[:2]},
                      headers=h).json()["items"] == []
    full = client.get("/graph/search", params={"labels": "Person", "q": PERSON_NAME},
                      headers=h)
    assert len(full.json()["items"]) == 1 and PERSON_NAME not in full.text
    # the pii grant keeps substring search
    pii = client.get("/graph/search", params={"labels": "Phone", "q": "+86138"},
                     headers=auth("analyst_pii")).json()["items"]
    assert [n["key"] for n in pii] == [PHONE_KEY]


def test_finding_03_exact_personal_lookups_are_rate_limited(api_store, tmp_path):
    from fastapi.testclient import TestClient

    app = make_app(tmp_path / "rl", api_store, pii_lookup_per_minute=3)
    try:
        with TestClient(app) as c:
            tok = c.post("/auth/token", data={"username": "analyst", "password": PASSWORD})
            h = _bearer(tok.json()["access_token"])
            codes = [c.get("/graph/search", params={"labels": "Phone", "q": f"+8613{i:09d}"},
                           headers=h).status_code for i in range(5)]
            assert codes == [200, 200, 200, 429, 429]
            log = app.state.ps.audit.query(action="graph.search", limit=10)[0]
            assert len(log) == 3  # each look-up that ran was audited
            # ordinary searches (a key, a company) do not count as personal look-ups
            assert all(c.get("/graph/search", params={"q": f"ENT-{i}"}, headers=h).status_code
                       == 200 for i in range(5))
    finally:
        app.state.ps.close()


# ------------------------------------------------------------------------------ 4
SCRUBBED = ["138-1234-5678", "138 1234 5678", "+86 139 1234 5678", "0755-86541234",
            "１３８１２３４５６７８", "110101900307123", "8613912345678", "13800138000",
            "+8613800138000", PERSON_ID, "11010119900307123X", "a.b@example.cn",
            "(010) 6512 3456"]
KEPT = ["531620201000000123", "223320200100001234", "97061800", "D-1001",
        "2020-01-02T09:00:00+00:00", "value 1000.0", "PHASH-0001", "0.35"]


def test_finding_04_scrub_text_catches_formats_and_keeps_declaration_numbers():
    from api.authz import scrub_text

    for s in SCRUBBED:
        out = scrub_text(f"联系 {s} 备注")
        assert s not in out and "****" in out, (s, out)
    for s in KEPT:
        assert scrub_text(f"报关单 {s} 备注") == f"报关单 {s} 备注", s


def test_finding_04_pii_masked_on_warnings_notes_audit_and_logs(app, client, auth, caplog):
    import logging

    msg = f"联系人 {PERSON_PHONE} 证件 {PERSON_ID} 电话 {PHONE_KEY}"
    ev = client.post("/warnings", json={"level": "橙", "message_zh": msg, "message_en": msg,
                                        "subject_label": "Phone", "subject_key": PHONE_KEY},
                     headers=auth("duty")).json()
    wid = ev.get("id") or ev.get("warning", {}).get("id")
    assert wid, ev
    inv = client.post("/investigations", json={
        "title": "shared", "nodes": [{"label": "Enterprise", "key": "ENT-A"}],
        "notes": f"call {PERSON_PHONE}, id {PERSON_ID}", "shared_with": ["analyst"]},
        headers=auth("analyst_pii")).json()
    client.get("/graph/search", params={"q": PHONE_KEY, "labels": "Phone"},
               headers=auth("analyst"))
    with caplog.at_level(logging.INFO, logger="api.access"):
        client.get("/graph/search", params={"q": PHONE_KEY}, headers=auth("analyst"))
    responses = [
        client.get("/warnings", headers=auth("analyst")),
        client.get(f"/warnings/{wid}", headers=auth("analyst")),
        client.get(f"/investigations/{inv['id']}", headers=auth("analyst")),
        client.get("/audit", params={"limit": 200}, headers=auth("admin")),
        client.get("/audit/export", params={"format": "jsonl"}, headers=auth("admin")),
    ]
    for r in responses:
        assert r.status_code == 200, (r.request.url, r.text)
        for secret in (PERSON_PHONE, PERSON_ID, PHONE_KEY):
            assert secret not in r.text, f"{secret!r} leaked by {r.request.url}"
    # the pii grant sees them as they are
    raw = client.get(f"/warnings/{wid}", headers=auth("analyst_pii")).text
    assert PERSON_PHONE in raw
    access = [r.getMessage() for r in caplog.records if r.name == "api.access"]
    assert access and all(PHONE_KEY not in m and "?" not in m for m in access)


def test_finding_04_uvicorn_access_log_is_off(monkeypatch):
    import uvicorn

    from api import serve_cli

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw))
    serve_cli._uvicorn(object(), "127.0.0.1", 1)
    assert seen["access_log"] is False


# ------------------------------------------------------------------------------ 5
def test_finding_05_open_sse_stream_ends_with_its_session(api_store, tmp_path, monkeypatch):
    import httpx

    monkeypatch.setenv("PS_WARNINGS_SSE_KEEPALIVE_S", "0.3")
    app = make_app(tmp_path / "sse", api_store, sse_per_user=2)
    try:
        with LoopbackServer(app) as url, httpx.Client(timeout=10) as c:
            def token():
                r = c.post(f"{url}/auth/token", data={"username": "analyst",
                                                      "password": PASSWORD})
                return r.json()["access_token"]
            tok = token()
            lines: list[str] = []
            done = threading.Event()

            def read():
                with c.stream("GET", f"{url}/warnings/stream", headers=_bearer(tok)) as r:
                    assert r.status_code == 200
                    for line in r.iter_lines():
                        lines.append(line)
                done.set()

            t = threading.Thread(target=read, daemon=True)
            t.start()
            time.sleep(1.0)
            assert not done.is_set() and ": connected" in lines
            assert c.post(f"{url}/auth/logout", headers=_bearer(tok)).status_code == 200
            assert c.get(f"{url}/auth/me", headers=_bearer(tok)).status_code == 401
            assert done.wait(5), "the stream outlived its token"
            assert "event: end" in lines
            # at most sse_per_user streams per user
            other = token()
            with httpx.Client(timeout=10) as c2, \
                    c2.stream("GET", f"{url}/warnings/stream", headers=_bearer(other)) as s1, \
                    c2.stream("GET", f"{url}/warnings/stream", headers=_bearer(other)) as s2:
                assert s1.status_code == s2.status_code == 200
                third = c.get(f"{url}/warnings/stream", headers=_bearer(other))
                assert third.status_code == 429
        log = app.state.ps.audit.query(action="warnings.stream", limit=10)[0]
        assert len(log) >= 3  # every stream opened is audited (finding 9)
    finally:
        app.state.ps.close()


# ------------------------------------------------------------------------------ 6
def test_finding_06_inspectors_cannot_widen_their_access(app, client, auth):
    h = auth("inspector")  # port 30
    r = client.post("/targeting/lists", json={"port": "99", "budget": 5}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "auth.other_port"
    r = client.post("/targeting/lists", json={"budget": 51}, headers=h)
    assert r.status_code == 403 and r.json()["code"] == "auth.over_budget"
    assert client.post("/targeting/lists", json={"budget": 1000},
                       headers=auth("analyst")).status_code == 422
    app.state.ps.work.save_targeting_list(
        issued_by="inspector", port="30", date=None, budget=1, model_version=None,
        items=[{"label": "Declaration", "key": "D-3001", "score": 0.9, "reasons": []}], meta={})
    mine = client.get("/declarations/D-3001", headers=h)
    assert mine.status_code == 200
    assert "fraud" not in mine.json()["props"] and "risk_score" in mine.json()["props"]
    # another port's inspector: refused even though the declaration is listed
    assert client.get("/declarations/D-3001", headers=auth("inspector_9")).status_code == 403
    lists = client.get("/targeting/lists", headers=auth("inspector_9")).json()
    assert lists["items"] == []


# ------------------------------------------------------------------------------ 7
def _verify_copy(tmp: Path, db: Path, anchors: Path, monkeypatch, capsys) -> dict:
    from api import cli
    from api.config import get_settings

    monkeypatch.setenv("PS_DATA_DIR", str(tmp))
    monkeypatch.setenv("PS_API_AUDIT_KEY", "k" * 40)
    monkeypatch.setenv("PS_API_AUDIT_ANCHOR_FILE", str(anchors))
    monkeypatch.setenv("PS_API_SECRET_KEY", "t" * 40)
    monkeypatch.setenv("PS_API_ADMIN_PASSWORD", PASSWORD)
    get_settings.cache_clear()
    try:
        code = cli.main(["audit", "verify", "--json"])
    finally:
        get_settings.cache_clear()
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    out["exit"] = code
    return out


def _rechain(con: sqlite3.Connection, key: bytes | None) -> None:
    """What a forger does: renumber, then recompute every link (plain SHA-256 like the old
    chain, or the keyed one if the key leaked)."""
    import hmac

    from api.audit import FIELDS, GENESIS

    rows = [dict(r) for r in con.execute("SELECT * FROM audit ORDER BY seq")]
    con.execute("DELETE FROM audit")
    prev = GENESIS
    for i, r in enumerate(rows, 1):
        r["seq"], r["prev_hash"] = i, prev
        canon = json.dumps({k: r[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":")).encode()
        r["hash"] = hmac.new(key, canon, hashlib.sha256).hexdigest() if key else \
            hashlib.sha256(canon).hexdigest()
        prev = r["hash"]
        con.execute(f"INSERT INTO audit VALUES ({','.join('?' * 12)})",
                    [r[k] for k in (*FIELDS, "hash")])


@pytest.mark.parametrize("tamper", ["none", "truncate_5", "delete_one", "rechain_sha256",
                                    "rechain_with_key"])
def test_finding_07_audit_verify_detects_truncation_deletion_and_rechain(
        app, client, auth, tmp_path, monkeypatch, capsys, tamper):
    for i in range(40):  # a real log: sign-ins, searches, reads
        client.get("/graph/search", params={"q": f"ENT-{i}"}, headers=auth("analyst"))
    state = app.state.ps
    state.audit.anchor()
    client.get("/graph/search", params={"q": "after-anchor"}, headers=auth("analyst"))
    d = tmp_path / "copy"
    db = copy_sqlite(state.audit.db.path, d / "api" / "audit.sqlite")
    anchors = tmp_path / "elsewhere" / "anchors.jsonl"
    anchors.parent.mkdir()
    anchors.write_text(state.audit.anchor_path.read_text())
    con = sqlite3.connect(str(db))
    con.row_factory = sqlite3.Row
    con.executescript("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;")
    n = con.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
    assert n >= 40
    if tamper == "truncate_5":
        con.execute("DELETE FROM audit WHERE seq > ?", (n - 5,))
    elif tamper == "delete_one":
        con.execute("DELETE FROM audit WHERE seq = ?", (n // 2,))
    elif tamper == "rechain_sha256":
        con.execute("DELETE FROM audit WHERE seq BETWEEN 3 AND 29")  # 27 entries
        _rechain(con, None)
    elif tamper == "rechain_with_key":
        con.execute("DELETE FROM audit WHERE seq BETWEEN 3 AND 29")
        _rechain(con, b"k" * 40)
    con.commit()
    con.close()
    res = _verify_copy(d, db, anchors, monkeypatch, capsys)
    if tamper == "none":
        assert res["exit"] == 0 and res["ok"] is True and res["anchors"] >= 1
    else:
        assert res["exit"] == 3 and res["ok"] is False, res
        expect = {"truncate_5": "truncated", "delete_one": "removed",
                  "rechain_sha256": "altered", "rechain_with_key": "truncated"}[tamper]
        assert expect in res["reason"], res


def test_finding_07_audit_key_and_anchor_live_outside_the_data_dir(tmp_path, monkeypatch):
    from api.config import ApiSettings

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home-config"))
    s = ApiSettings(env="development", data_dir=tmp_path / "data")
    key = s.audit_key_bytes()
    assert len(key) >= 32 and s.audit_key_bytes() == key
    kf = next((tmp_path / "home-config" / "portsentinel" / "audit-keys").glob("*.key"))
    assert mode(kf) == 0o600 and (tmp_path / "data") not in kf.parents
    assert (tmp_path / "data") not in s.anchor_path().parents
    with pytest.raises(ValueError, match="PS_API_AUDIT_KEY"):
        ApiSettings(env="production", data_dir=tmp_path / "d2", secret_key="s" * 40,
                    admin_password="a-real-one")


# ------------------------------------------------------------------------------ 8
def test_finding_08_unauthenticated_requests_cannot_fill_the_disk(api_store, tmp_path):
    from fastapi.testclient import TestClient

    app = make_app(tmp_path / "fill", api_store, login_per_ip_per_minute=5)
    api_dir = tmp_path / "fill" / "api"
    try:
        with TestClient(app) as c:
            state = app.state.ps

            def size() -> int:  # what the files hold (the WAL folded in: its pages are reused)
                for db in (state.audit.db, state.users.db, state.work.db):
                    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                return dir_bytes(api_dir)

            before = size()
            t0 = time.monotonic()
            for i in range(5):
                r = c.post("/auth/token", data={"username": f"{i}" + "u" * 1_000_000,
                                                "password": "x"})
                assert r.status_code == 422, r.status_code
            big = c.post("/qa/ask", content=b"{" + b" " * 30_000_000 + b"}",
                         headers={"content-type": "application/json"})
            assert big.status_code == 413 and big.json()["code"] == "request.too_large"
            assert time.monotonic() - t0 < 10
            assert size() - before < 20_000
            # new user names do not buy new attempts: a per-address cap
            codes = [c.post("/auth/token", data={"username": f"guess{i}", "password": "x"}
                            ).status_code for i in range(30)]
            assert codes[:5] == [401] * 5 and codes[5:] == [429] * 25
            # 5 failures audited, the refusals once per window: a few KB, not 30 entries
            assert size() - before < 12_000
            assert state.audit.query(action="auth.login_rate_limited", limit=5)[1] == 1
    finally:
        app.state.ps.close()


def test_finding_08_field_lengths_and_labels_are_checked_before_storing(client, auth):
    h = auth("analyst")
    bad = [{"title": "t", "nodes": [{"label": "NotALabel", "key": "x"}]},
           {"title": "t", "nodes": [{"label": "Enterprise", "key": "k" * 600}]},
           {"title": "t", "nodes": [], "notes": "n" * 10_001},
           {"title": "t", "nodes": [], "relationships": [
               {"type": "NOPE", "start": ["Enterprise", "A"], "end": ["Enterprise", "B"]}]}]
    before = client.get("/investigations", headers=h).json()["total"]
    for body in bad:
        r = client.post("/investigations", json=body, headers=h)
        assert r.status_code == 422, (body, r.text)
    assert client.get("/investigations", headers=h).json()["total"] == before
    r = client.post("/warnings", json={"level": "蓝", "message_zh": "m", "message_en": "m",
                                       "subject_label": "Vehicle", "subject_key": "v" * 300},
                    headers=auth("duty"))
    assert r.status_code == 422


# ------------------------------------------------------------------------------ 9
def test_finding_09_every_sensitive_read_is_audited(app, client, auth):
    state = app.state.ps
    w = client.post("/warnings", json={"level": "黄", "message_zh": "审计",
                                       "message_en": "audit", "subject_label": "Enterprise",
                                       "subject_key": "ENT-C"},
                    headers=auth("duty")).json()
    wid = w.get("id") or w.get("warning", {}).get("id")
    calls = [("analyst", "/warnings", {}, "warnings.list"),
             ("analyst", f"/warnings/{wid}", {}, "warnings.read"),
             ("analyst", "/inspections", {}, "inspection.list"),
             ("admin", "/ingest/quarantine", {}, "quarantine.read"),
             ("admin", "/users", {}, "user.list"),
             ("admin", "/audit", {"q": "ENT"}, "audit.search"),
             ("analyst", "/investigations", {}, "investigation.list"),
             ("analyst", "/risk/entity", {"label": "Person", "key": "PHASH-0001"},
              "person.read")]
    for user, path, params, action in calls:
        n0 = state.audit.query(action=action, limit=1)[1]
        r = client.get(path, params=params, headers=auth(user))
        assert r.status_code == 200, (path, r.text)
        entries, n1 = state.audit.query(action=action, limit=1)
        assert n1 == n0 + 1, f"{path} not audited as {action}"
        assert entries[0]["actor"] == user
    last = state.audit.query(action="person.read", limit=1)[0][0]
    assert last["target_id"] == "PHASH-0001" and last["detail"]["via"] == "risk.entity"


# ------------------------------------------------------------------------------ 10 / 11
def test_finding_10_unbounded_work_is_refused(client, auth):
    h = auth("analyst")
    for path, params in [("/declarations", {"offset": 1_000_000_000}),
                         ("/inspections", {"offset": 10 ** 12}),
                         ("/warnings", {"offset": 10 ** 9}),
                         ("/graph/neighbours", {"label": "Enterprise", "key": "ENT-A",
                                                "hops": 4})]:
        r = client.get(path, params=params, headers=h)
        assert r.status_code == 422 and r.json()["code"] == "validation", (path, r.text)
    deep = client.get("/declarations", params={"offset": 4_500, "limit": 500}, headers=h)
    assert deep.status_code == 200, deep.text
    r = client.post("/targeting/lists", json={"budget": 1000}, headers=h)
    assert r.status_code == 422


def test_finding_11_fuzzed_edges_are_4xx_not_5xx(client, auth):
    h = auth("admin")
    for path, params in [("/declarations", {"offset": 2 ** 63}),
                         ("/inspections", {"offset": 2 ** 63}),
                         ("/warnings/" + "9" * 30, {}), ("/warnings/0", {}),
                         ("/graph/search", {"q": "x" * 201}),
                         ("/audit", {"q": "q" * 201}),
                         ("/targeting/lists/" + "x" * 65, {}),
                         ("/users/" + "u" * 65, {})]:
        r = client.get(path, params=params, headers=h)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text)


# ------------------------------------------------------------------------------ 12
def test_finding_12_small_ones(app, api_store, client, auth, monkeypatch):
    import os

    from api import demo

    api_dir = app.state.ps.settings.api_dir
    for name in ("users.sqlite", "audit.sqlite", "work.sqlite"):
        assert mode(api_dir / name) == 0o600, name
    # demo-users.json is created 0600 (not chmod-ed after): even with chmod a no-op
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    demo.make_users(app.state.ps, api_store)
    assert mode(api_dir / "demo-users.json") == 0o600
    monkeypatch.undo()
    # anonymous /ready: which components, no engine version nor Bolt URI
    anon = client.get("/ready")
    assert set(anon.json()["components"]) == {"graph", "model", "knowledge"}
    assert all(set(c) == {"ok"} for c in anon.json()["components"].values())
    assert "bolt" not in anon.text.lower()
    assert "engine" in client.get("/ready", headers=auth("admin")).json()["components"]["graph"]
    # 403 whether or not an unlisted declaration exists
    h = auth("inspector")
    exists = client.get("/declarations/D-2001", headers=h)
    missing = client.get("/declarations/D-NOPE-404", headers=h)
    assert exists.status_code == missing.status_code == 403
    assert exists.json()["code"] == missing.json()["code"]


# ------------------------------------------------------------------------------ 4: every route
def _fill(op_path: str, params: list[dict], ids: dict[str, str]) -> tuple[str, dict]:
    values = {"label": "Person", "key": "PHASH-0001", "from_label": "Person",
              "from_key": "PHASH-0001", "to_label": "Enterprise", "to_key": "ENT-C",
              "q": "张", "format": "jsonl", **ids}
    path, query = op_path, {}
    for p in params:
        name, where = p["name"], p["in"]
        v = values.get(name)
        if v is None:
            ex = (p.get("schema") or {}).get("examples") or p.get("examples")
            v = (ex[0] if isinstance(ex, list) else None) if ex else None
        if where == "path":
            path = path.replace("{" + name + "}", str(v if v is not None else "x"))
        elif where == "query" and (p.get("required") or name in values) and v is not None:
            query[name] = v
    return path, query


def test_finding_04_response_scan_covers_every_route_sse_included(app, client, auth,
                                                                  api_store, tmp_path,
                                                                  monkeypatch):
    import httpx

    msg = f"联系 {PERSON_PHONE} 证件 {PERSON_ID} {PHONE_KEY}"
    w = client.post("/warnings", json={"level": "红", "message_zh": msg, "message_en": msg,
                                       "subject_label": "Phone", "subject_key": PHONE_KEY},
                    headers=auth("duty")).json()
    inv = client.post("/investigations", json={
        "title": "scan", "nodes": [{"label": "Person", "key": "PHASH-0001"}],
        "notes": msg, "shared_with": ["analyst"]}, headers=auth("analyst_pii")).json()
    tl = app.state.ps.work.save_targeting_list(
        issued_by="analyst", port="30", date=None, budget=1, model_version=None,
        items=[{"label": "Declaration", "key": "D-1002", "score": 0.5,
                "reasons": [{"zh": msg, "en": msg}]}], meta={})
    ids = {"warning_id": str(w["id"]), "inv_id": inv["id"], "list_id": tl,
           "username": "analyst"}
    spec = client.get("/openapi.json").json()
    streams, scanned, ok = [], 0, 0
    for op_path, item in spec["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        content = (op.get("responses", {}).get("200", {}).get("content") or {})
        if "text/event-stream" in content:
            streams.append(op_path)
            continue
        path, query = _fill(op_path, op.get("parameters", []), ids)
        for user in ("analyst", "admin"):
            r = client.get(path, params=query, headers=auth(user))
            scanned += 1
            ok += r.status_code == 200
            assert r.status_code < 500 or r.status_code == 503, (path, r.status_code, r.text)
            for secret in SECRETS:
                assert secret not in r.text, f"{secret!r} leaked by GET {path} as {user}"
    assert scanned >= 2 * 30 and ok >= 40, (scanned, ok)
    assert "/warnings/stream" in streams

    # the streams, on a real loopback server: an event carrying personal data arrives masked
    monkeypatch.setenv("PS_WARNINGS_SSE_KEEPALIVE_S", "0.3")
    app2 = make_app(tmp_path / "scan-sse", api_store)
    try:
        with LoopbackServer(app2) as url, httpx.Client(timeout=10) as c:
            def tok(u):
                return _bearer(c.post(f"{url}/auth/token", data={
                    "username": u, "password": PASSWORD}).json()["access_token"])
            h, duty = tok("analyst"), tok("duty")
            for sp in streams:
                got: list[str] = []
                with c.stream("GET", url + sp, headers=h) as r:
                    assert r.status_code in (200, 503), (sp, r.status_code)
                    raiser = None
                    if r.status_code == 200 and sp == "/warnings/stream":
                        raiser = threading.Timer(0.5, lambda: c.post(f"{url}/warnings", json={
                            "level": "红", "message_zh": msg + " sse", "message_en": msg,
                            "subject_label": "Phone", "subject_key": PHONE_KEY},
                            headers=duty))
                        raiser.start()
                    deadline = time.monotonic() + 8
                    for line in r.iter_lines():
                        got.append(line)
                        if line.startswith("data:") or time.monotonic() > deadline:
                            break
                    if raiser is not None:
                        raiser.join(10)  # its answer arrives before the server stops
                text = "\n".join(got)
                for secret in SECRETS:
                    assert secret not in text, f"{secret!r} leaked by the stream {sp}"
                if sp == "/warnings/stream":
                    assert any(ln.startswith("data:") and "sse" in ln for ln in got), got
    finally:
        app2.state.ps.close()


def test_finding_01_old_fixed_admin_password_is_replaced_on_start(api_store, tmp_path):
    from api.users import UserStore

    d = tmp_path / "old"
    (d / "api").mkdir(parents=True)
    old = UserStore(d / "api" / "users.sqlite")  # a data dir from before the fix
    old.create(username="admin", password="change-me", role="admin")
    old.close()
    app = make_app(d, api_store)
    try:
        users = app.state.ps.users
        assert users.authenticate("admin", "change-me") is None
        assert users.authenticate("admin", PASSWORD) is not None
    finally:
        app.state.ps.close()
