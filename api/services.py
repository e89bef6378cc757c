"""The API's adapters to the other packages' public functions.

Each function imports its package lazily (so ``import api`` stays fast and a package that
has not landed yet gives a 503 ``feature_unavailable`` instead of an ImportError), and turns
its typed results into JSON-able dicts. Routes call only these.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import asdict, is_dataclass
from typing import Any, Callable, Iterator

from api.errors import FeatureUnavailable

log = logging.getLogger("api.services")

DECLARATION_PARTY_RELS = ("DECLARED", "AGENT_FOR")


def _optional(module: str, attr: str, what: str) -> Callable[..., Any]:
    try:
        mod = importlib.import_module(module)
        fn = getattr(mod, attr)
    except (ImportError, AttributeError) as e:
        raise FeatureUnavailable(f"{what} is not available yet ({module}.{attr})",
                                 code="feature_unavailable") from e
    return fn


def jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if is_dataclass(obj) and not isinstance(obj, type):
        return {k: jsonable(v) for k, v in asdict(obj).items()}
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [jsonable(v) for v in obj]
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalars
        try:
            return obj.item()
        except (TypeError, ValueError):
            pass
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


# ---------------------------------------------------------------- readiness
def graph_ready(state: Any) -> dict[str, Any]:
    try:
        store = state.store()
        info = store.server_info()
        return {"ok": True, "engine": jsonable(info)}
    except Exception as e:  # noqa: BLE001 - readiness reports, never raises
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}


def model_ready() -> dict[str, Any]:
    try:
        info = promoted_model()
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}
    if not info:
        return {"ok": False, "detail": "no promoted model"}
    return {"ok": True, "version": info.get("version")}


def knowledge_ready() -> dict[str, Any]:
    try:
        fn = _optional("knowledge", "index_status", "the knowledge index")
        st = jsonable(fn())
        ok = bool(st.get("ready", st.get("ok", True))) if isinstance(st, dict) else bool(st)
        return {"ok": ok, **(st if isinstance(st, dict) else {})}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}


# ---------------------------------------------------------------- declarations
def declaration_parties(store: Any, key: str) -> set[str]:
    """Keys of the enterprises that declared (or were agent for) a declaration."""
    sub = store.neighbourhood("Declaration", key, hops=1, labels=["Enterprise"],
                              rel_types=list(DECLARATION_PARTY_RELS), limit=50)
    return {n.key for n in sub.nodes if n.label == "Enterprise"}


def enterprise_declarations(store: Any, enterprise_key: str, limit: int = 500) -> list[Any]:
    sub = store.neighbourhood("Enterprise", enterprise_key, hops=1, labels=["Declaration"],
                              rel_types=list(DECLARATION_PARTY_RELS), limit=limit)
    return [n for n in sub.nodes if n.label == "Declaration"]


# ---------------------------------------------------------------- risk
def risk_of(store: Any, label: str, key: str, node: Any = None) -> dict[str, Any]:
    """Score and explanation of one entity: the risk package's when it has landed, else the
    score written on the node by the last scoring run."""
    try:
        fn = _optional("risk", "explain_entity", "risk explanations")
        return jsonable(fn(store, label, key))
    except FeatureUnavailable:
        pass
    node = node or store.get(label, key)
    props = node.props if node is not None else {}
    return {"score": props.get("risk_score"), "level": props.get("risk_level"),
            "model_version": props.get("model_version"), "explanation": [],
            "source": "stored score"}


def build_targeting(store: Any, *, port: str | None, date: str | None, budget: int,
                    ) -> dict[str, Any]:
    """{"items": [{label, key, score, reasons}], "model_version": ...}."""
    fn = _optional("risk", "targeting_list", "targeting lists")
    out = jsonable(fn(store, port=port, date=date, budget=budget))
    if isinstance(out, list):
        out = {"items": out}
    items = []
    for it in out.get("items", []):
        items.append({"label": it.get("label", "Declaration"), "key": str(it["key"]),
                      "score": it.get("score"), "reasons": it.get("reasons", [])})
    return {"items": items, "model_version": out.get("model_version"),
            "meta": {k: v for k, v in out.items() if k not in ("items",)}}


def record_inspection(store: Any, *, label: str, key: str, result: str, findings: str,
                      inspector: str, inspection_id: str, at: str) -> dict[str, Any]:
    """Record the result through the risk package (it feeds the models); until it lands,
    write the Inspection node and its INSPECTED edge to the graph directly."""
    try:
        fn = _optional("risk", "record_inspection", "inspection recording")
    except FeatureUnavailable:
        from graph.base import NodeRecord, RelRecord

        store.upsert([NodeRecord("Inspection", inspection_id,
                                 {"date": at[:10], "result": result, "findings": findings,
                                  "inspector": inspector, "target_label": label,
                                  "target_key": key}, source="api:inspection", seen_at=at)],
                     [RelRecord("INSPECTED", "Inspection", inspection_id, label, key,
                                {"at": at}, source="api:inspection", seen_at=at)])
        return {"recorded_in": "graph"}
    return jsonable(fn(store, label=label, key=key, result=result, findings=findings,
                       inspector=inspector, inspection_id=inspection_id, at=at)) or {}


# ---------------------------------------------------------------- models
def list_models() -> list[dict[str, Any]]:
    return jsonable(_optional("training.registry", "list_versions", "the model registry")())


def promoted_model() -> dict[str, Any] | None:
    return jsonable(_optional("training.registry", "promoted", "the model registry")())


def promote_model(version: str) -> dict[str, Any]:
    return jsonable(_optional("training.registry", "promote", "the model registry")(version))


def rollback_model() -> dict[str, Any]:
    return jsonable(_optional("training.registry", "rollback", "the model registry")())


# ---------------------------------------------------------------- ingest
def load_events(store: Any, events: list[dict[str, Any]], source: str) -> dict[str, Any]:
    return jsonable(_optional("ingest", "load_events", "event loading")(store, events,
                                                                         source=source))


def list_loads() -> list[dict[str, Any]]:
    return jsonable(_optional("ingest", "list_loads", "the load history")())


def list_quarantine(source: str | None, limit: int, offset: int) -> dict[str, Any]:
    fn = _optional("ingest", "list_quarantine", "the quarantine")
    out = jsonable(fn(source=source, limit=limit, offset=offset))
    if isinstance(out, list):
        out = {"items": out[:limit], "total": len(out)}
    return out


# ---------------------------------------------------------------- knowledge and QA
def list_documents(limit: int, offset: int, q: str | None) -> dict[str, Any]:
    out = jsonable(_optional("knowledge", "list_documents", "the document list")(
        limit=limit, offset=offset, q=q))
    if isinstance(out, list):
        out = {"items": out, "total": len(out)}
    return out


def get_article(article_id: str) -> dict[str, Any] | None:
    return jsonable(_optional("knowledge", "get_article", "articles")(article_id))


def ask(question: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    return jsonable(_optional("qa", "ask", "the consultant")(question, history=history))


def chat_stream(question: str, history: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Events: {"type": "token", "text"}, {"type": "citation", ...}, {"type": "done", ...}."""
    fn = _optional("qa", "chat_stream", "the streaming consultant")
    for ev in fn(question, history=history):
        yield jsonable(ev)
