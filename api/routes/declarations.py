"""Declarations, checked row by row: a trader sees only its own enterprise's, an inspector
only those on an issued targeting list, analysts and admins all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api import authz
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require_any
from api.errors import Forbidden, NotFoundError
from api.state import AppState
from api.users import User
from graph import GraphStore, Node

router = APIRouter(prefix="/declarations", tags=["declarations"])
Reader = Annotated[User, Depends(require_any("declarations:read_all", "declarations:read_own",
                                             "declarations:read_listed"))]
# the enterprises party to a declaration: the declarant and its agent (a trader's row rule)
PARTY_RELS = ["DECLARED", "AGENT_FOR"]
# what a trader sees of its own declaration: no fraud labels, no risk scores, no targeting
TRADER_FIELDS = ("date", "status", "office", "hs_code", "import_type", "transport_mode",
                 "net_mass", "value", "currency")
# the statuses customs releases to the declarant (never whether it was selected)
TRADER_STATUSES = ("declared", "accepted", "released")
# ground-truth fraud labels: never shown to inspectors (they record results, not read labels)
LABEL_FIELDS = ("fraud", "fraud_type", "fraud_label", "label", "critical_fraud", "revenue")


def declaration_parties(store: GraphStore, key: str) -> set[str]:
    """Keys of the enterprises that declared (or were agent for) a declaration."""
    sub = store.neighbourhood("Declaration", key, hops=1, labels=["Enterprise"],
                              rel_types=PARTY_RELS, limit=50)
    return {n.key for n in sub.nodes if n.label == "Enterprise"}


def enterprise_declarations(store: GraphStore, enterprise_key: str, limit: int = 500,
                            ) -> list[Node]:
    """The declarations an enterprise declared or was agent for."""
    sub = store.neighbourhood("Enterprise", enterprise_key, hops=1, labels=["Declaration"],
                              rel_types=PARTY_RELS, limit=limit)
    return [n for n in sub.nodes if n.label == "Declaration"]


def status_of(state: AppState, props: dict[str, Any], key: str) -> str:
    insp, _ = state.work.list_inspections(key=key, limit=1, offset=0)
    if insp:
        return "inspected"
    if state.work.is_listed("Declaration", key):
        return "selected_for_inspection"
    return props.get("status") or "accepted"


def trader_status(state: AppState, props: dict[str, Any], key: str) -> dict[str, Any]:
    """What the declarant may know: declared / accepted / released, and an inspection's
    result once recorded — never that the declaration is on a targeting list."""
    insp, _ = state.work.list_inspections(key=key, limit=1, offset=0)
    if insp:
        return {"status": "inspected", "inspection_result": insp[0].get("result")}
    st = props.get("status")
    return {"status": st if st in TRADER_STATUSES else "accepted"}


def _view(state: AppState, user: User, node: Node) -> dict[str, Any]:
    props = dict(node.props)
    if user.role == "trader":
        props = {k: v for k, v in props.items() if k in TRADER_FIELDS}
        return {"key": node.key, **trader_status(state, node.props, node.key), "props": props}
    st = status_of(state, props, node.key)
    if not authz.allowed(user.role, "declarations:read_all"):  # inspectors
        props = {k: v for k, v in props.items() if k not in LABEL_FIELDS}
    return {"key": node.key, "status": st, "props": props}


def check_access(state: AppState, store: GraphStore, user: User, key: str) -> None:
    if authz.allowed(user.role, "declarations:read_all"):
        return
    if authz.allowed(user.role, "declarations:read_own"):
        if user.enterprise_key and user.enterprise_key in declaration_parties(store, key):
            return
        raise Forbidden(f"declaration {key!r} is not one of your enterprise's",
                        code="auth.not_your_declaration")
    if authz.allowed(user.role, "declarations:read_listed"):
        if state.work.is_listed("Declaration", key) and in_port(store, user, key):
            return
        raise Forbidden(f"declaration {key!r} is not on a targeting list of your port",
                        code="auth.not_on_targeting_list")
    raise Forbidden("not allowed")


def declaration_port(store: GraphStore, key: str) -> str | None:
    node = store.get("Declaration", key)
    return str(node.props.get("office")) if node and node.props.get("office") is not None \
        else None


def in_port(store: GraphStore, user: User, key: str) -> bool:
    """An inspector works at one port (``User.port``): only declarations lodged there."""
    return bool(user.port) and declaration_port(store, key) == str(user.port)


@router.get("", summary="My enterprise's declarations (trader) — or all, paged (analyst)")
def list_(user: Reader, state: StateDep, store: StoreDep, page: PageDep, audit: AuditDep,
          q: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    if user.role == "trader":
        nodes = enterprise_declarations(store, user.enterprise_key or "")
        if q:
            nodes = [n for n in nodes if q in n.key]
    elif authz.allowed(user.role, "declarations:read_all"):
        nodes = store.search(q or "", labels=["Declaration"], limit=page.offset + page.limit)
    else:
        raise Forbidden("inspectors open declarations from a targeting list",
                        code="auth.not_on_targeting_list")
    nodes = sorted(nodes, key=lambda n: (str(n.props.get("date", "")), n.key), reverse=True)
    window = nodes[page.offset: page.offset + page.limit]
    audit("declaration.list", "Enterprise" if user.role == "trader" else "query",
          user.enterprise_key or (q or ""), detail={"returned": len(window)})
    return page.page([_view(state, user, n) for n in window], len(nodes))


@router.get("/{key}", summary="One declaration and its status")
def get(key: str, user: Reader, state: StateDep, store: StoreDep,
        audit: AuditDep) -> dict[str, Any]:
    # row check first: a trader or inspector gets the same 403 whether or not the key exists
    check_access(state, store, user, key)
    node = store.get("Declaration", key)
    if node is None:
        raise NotFoundError(f"no declaration {key!r}", code="graph.not_found")
    out = _view(state, user, node)
    if user.role != "trader":  # customs staff past the row check: an inspector's own list
        out["parties"] = sorted(declaration_parties(store, key))
        out["inspections"] = state.work.list_inspections(key=key, limit=20, offset=0)[0]
    audit("declaration.read", "Declaration", key)
    return out
