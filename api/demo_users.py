"""The demo's users (one per role; passwords generated once, kept 0600 for the next run)
and the banner ``portsentinel demo`` prints."""

from __future__ import annotations

import json

from api.config import ApiSettings, write_private
from api.routes.declarations import declaration_parties
from api.security import new_password
from api.state import AppState
from graph import GraphStore

DEMO_USERS = (  # username, role, extra
    ("analyst", "analyst", {"display_name": "风险分析员 Analyst"}),
    ("analyst_pii", "analyst", {"display_name": "分析员(含个人信息授权)", "grants": ["pii"]}),
    ("inspector", "inspector", {"display_name": "查验关员 Inspector"}),
    ("duty", "duty_officer", {"display_name": "值班员 Duty officer"}),
    ("trader", "trader", {"display_name": "企业用户 Trader"}),
)


def _trader_enterprise(store: GraphStore) -> str | None:
    """The demo trader's enterprise: the declarant of a loaded declaration (searching
    enterprises instead finds registry entries of the simulated world that declare nothing)."""
    for decl in store.search("", labels=["Declaration"], limit=50):
        parties = sorted(declaration_parties(store, decl.key))
        if parties:
            return parties[0]
    return None


def _busiest_port(store: GraphStore) -> str | None:
    offices: dict[str, int] = {}
    for d in store.search("", labels=["Declaration"], limit=2000):
        if d.props.get("office") is not None:
            offices[str(d.props["office"])] = offices.get(str(d.props["office"]), 0) + 1
    return max(offices, key=offices.__getitem__) if offices else None


def make_users(state: AppState, store: GraphStore) -> list[dict[str, str]]:
    """The demo's users, one per role; passwords kept (0600) for the next run."""
    path = state.settings.api_dir / "demo-users.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    ent = _trader_enterprise(store)
    out = []
    for username, role, extra in DEMO_USERS:
        kw = dict(extra)
        if role == "trader":
            kw["enterprise_key"] = ent or "DEMO-ENTERPRISE"
        if role == "inspector":  # an inspector works at one port (its lists and reads)
            kw["port"] = _busiest_port(store)
        password = saved.get(username) or new_password()
        user, created = state.users.ensure(username=username, password=password, role=role, **kw)
        if not created and username not in saved:
            password = "(set earlier; not shown)"
        saved.setdefault(username, password)
        out.append({"username": username, "role": role, "password": password,
                    "enterprise_key": user.enterprise_key or ""})
    write_private(path, json.dumps(saved, indent=1))  # created 0600, never readable by others
    return out


def banner(s: ApiSettings, port: int, users: list[dict[str, str]]) -> str:
    admin_pw = s.admin_password.get_secret_value()
    lines = ["", "PortSentinel demo 智慧口岸风险情报",
             f"  UI        http://127.0.0.1:{port}/ui/   (中文 / English toggle top right)",
             f"  API docs  http://127.0.0.1:{port}/docs",
             f"  data      {s.data_dir.resolve()}  (audit log: {s.api_dir.resolve()}/audit.sqlite)",
             "  users (password):",
             f"    {s.admin_user:<12} admin         "
             + (admin_pw if s.env != "production" and s.admin_password_generated
                else "(PS_API_ADMIN_PASSWORD)")]
    for u in users:
        lines.append(f"    {u['username']:<12} {u['role']:<13} {u['password']}"
                     + (f"  enterprise {u['enterprise_key']}" if u["enterprise_key"] else ""))
    return "\n".join(lines)
