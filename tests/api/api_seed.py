"""A small, real graph for the API and browser tests: three enterprises, one person shared
between two of them (with a phone), four declarations, scores written on the nodes."""

from __future__ import annotations

from pathlib import Path

from graph.base import NodeRecord, RelRecord

ROOT = Path(__file__).resolve().parents[2]

# values a role without the ``pii`` grant must never see in any response
PERSON_ID = "110101199003071234"
PERSON_PHONE = "13800138000"
PHONE_KEY = "+8613800138000"
PERSON_NAME = "张伟明"
SECRETS = (PERSON_ID, PERSON_PHONE, PHONE_KEY, PERSON_NAME)
SRC = "test:api"


def seed(store) -> None:
    N, R = NodeRecord, RelRecord
    nodes = [
        N("Enterprise", "ENT-A", {"name": "Acme Trading 安科贸易", "country": "CN",
                                  "credit_level": "一般认证", "risk_score": 0.35,
                                  "risk_level": "中"}, SRC),
        N("Enterprise", "ENT-B", {"name": "Blue Ocean Logistics 蓝海物流", "country": "CN",
                                  "risk_score": 0.12, "risk_level": "低"}, SRC),
        N("Enterprise", "ENT-C", {"name": "Shell Holdings 壳公司", "country": "HK",
                                  "risk_score": 0.93, "risk_level": "高"}, SRC),
        N("Person", "PHASH-0001", {"name": PERSON_NAME, "id_masked": PERSON_ID,
                                   "phone_masked": PERSON_PHONE, "nationality": "CN",
                                   "aliases": [PERSON_NAME]}, SRC),
        N("Phone", PHONE_KEY, {"masked": "138****8000"}, SRC),
        N("Goods", "440890", {"hs6": "440890", "chapter": "44", "description": "wood"}, SRC),
        N("Port", "30", {"name": "Port 30"}, SRC),
    ]
    decls = [("D-1001", "ENT-A", 0.21, "低"), ("D-1002", "ENT-A", 0.55, "中"),
             ("D-2001", "ENT-B", 0.10, "低"), ("D-3001", "ENT-C", 0.97, "高")]
    rels = [
        R("LEGAL_REP_OF", "Person", "PHASH-0001", "Enterprise", "ENT-A", {}, SRC),
        R("SHAREHOLDER_OF", "Person", "PHASH-0001", "Enterprise", "ENT-C", {"share": 0.6}, SRC),
        R("HAS_PHONE", "Person", "PHASH-0001", "Phone", PHONE_KEY, {}, SRC),
        R("HAS_PHONE", "Enterprise", "ENT-B", "Phone", PHONE_KEY, {}, SRC),
    ]
    for key, ent, score, level in decls:
        nodes.append(N("Declaration", key, {"date": "2020-01-02", "office": "30",
                                            "hs_code": "440890", "value": 1000.0,
                                            "currency": "USD", "fraud": 1 if level == "高" else 0,
                                            "risk_score": score, "risk_level": level}, SRC))
        rels += [R("DECLARED", "Enterprise", ent, "Declaration", key,
                   {"at": "2020-01-02T09:00:00+00:00"}, SRC),
                 R("HAS_ITEM", "Declaration", key, "Goods", "440890", {"item_no": 1}, SRC),
                 R("AT_PORT", "Declaration", key, "Port", "30", {"at": "2020-01-02T09:00:00+00:00"},
                   SRC)]
    store.upsert(nodes, rels)


PASSWORD = "test-pass-123"
USERS = {  # username: (role, extra)
    "analyst": ("analyst", {}),
    "analyst_pii": ("analyst", {"grants": ["pii"]}),
    "inspector": ("inspector", {"port": "30"}),
    "inspector_9": ("inspector", {"port": "99"}),
    "duty": ("duty_officer", {}),
    "trader_a": ("trader", {"enterprise_key": "ENT-A"}),
    "trader_b": ("trader", {"enterprise_key": "ENT-B"}),
}


def make_app(data_dir, store, **overrides):
    from api.config import ApiSettings
    from api.main import create_app

    from pathlib import Path

    keys = Path(str(data_dir).rstrip("/") + "-keys")  # outside the data dir, as in production
    kw = {"env": "test", "data_dir": data_dir, "secret_key": "t" * 40,
          "admin_password": PASSWORD, "login_per_minute": 1000, "qa_per_minute": 1000,
          "login_per_ip_per_minute": 1000, "pii_lookup_per_minute": 1000,
          "audit_key": "k" * 40,
          "audit_anchor_file": keys / "audit.anchor", **overrides}
    settings = ApiSettings(**kw)
    app = create_app(settings=settings, store=store)
    for name, (role, extra) in USERS.items():
        app.state.ps.users.ensure(username=name, password=PASSWORD, role=role, **extra)
    return app


def graph_hit_rate(store, work) -> tuple[int, int]:
    """(hits, inspected items) over the issued lists, computed independently of api.outcomes:
    each item's Inspection neighbours (INSPECTED edges) dated on/after the list's day; the
    latest result counts."""
    hits = n = 0
    rows, _ = work.list_targeting_lists(port=None, limit=1000, offset=0)
    for r in rows:
        for it in work.get_targeting_list(r["id"])["items"]:
            sub = store.neighbourhood(it["label"], it["key"], hops=1, labels=["Inspection"],
                                      rel_types=["INSPECTED"])
            found = sorted((x.props.get("date"), x.props.get("result")) for x in sub.nodes
                           if x.label == "Inspection" and x.props.get("date") >= r["created_at"][:10])
            if found:
                n += 1
                hits += found[-1][1] == "hit"
    return hits, n
