"""The API's adapters to the other packages' public functions.

Each function imports its package lazily (so ``import api`` stays fast and a package that
has not landed yet gives a 503 ``feature_unavailable`` instead of an ImportError), and turns
its typed results into JSON-able dicts. Routes call only these.
"""

from __future__ import annotations

import json

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


def model_ready(state: Any) -> dict[str, Any]:
    try:
        info = promoted_model(state)
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}
    if not info:
        return {"ok": False, "detail": "no promoted model"}
    return {"ok": True, "version": info.get("version"), "model": info.get("model")}


def knowledge_ready(state: Any) -> dict[str, Any]:
    try:
        kb = knowledge_base(state)
        return {"ok": True, "documents": len(kb.docs), "articles": len(kb.articles),
                "dense": bool(kb.dense_ready())}
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}


def _cached(state: Any, name: str, make: Callable[[], Any]) -> Any:
    cache = state.cache
    with state.cache_lock:
        if name not in cache:
            cache[name] = make()
        return cache[name]


def knowledge_base(state: Any) -> Any:
    """The knowledge base under the app's data dir, loaded once (IndexNotBuiltError if none)."""
    kb_cls = _optional("knowledge", "KnowledgeBase", "the knowledge base")
    ks = _optional("knowledge", "KnowledgeSettings", "the knowledge base")
    return _cached(state, "kb", lambda: kb_cls.load(ks(data_dir=state.settings.data_dir)))


def serving_model(state: Any) -> tuple[Any, dict[str, Any]]:
    """(model, info) of the promoted version; reloads when the promotion changes."""
    cls = _optional("training.registry", "ServingModel", "the model registry")
    sm = _cached(state, "serving", lambda: cls(data_dir=state.settings.data_dir))
    return sm.get()


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
def _level(score: float | None) -> str | None:
    if score is None:
        return None
    try:
        return _optional("risk.scoring", "risk_levels", "risk levels")([score])[0]
    except Exception:  # noqa: BLE001
        return None


def risk_of(state: Any, store: Any, label: str, key: str, node: Any = None,
            unmasked: bool = False) -> dict[str, Any]:
    """Score and explanation of one entity. A Declaration is scored and explained by the
    promoted model (risk.explain); other entities show the score the last scoring run wrote
    on the node."""
    node = node or store.get(label, key)
    props = node.props if node is not None else {}
    stored = {"score": props.get("risk_score"), "level": props.get("risk_level"),
              "model_version": props.get("model_version"), "explanation": [],
              "source": "stored score"}
    if label != "Declaration":
        return stored
    try:
        model, info = serving_model(state)
        record = _optional("risk.scoring", "declaration_record", "scoring")(store=store, key=key)
        row = _optional("risk.scoring", "declaration_row", "scoring")(record)
        ex = _optional("risk.explain", "explain_declaration", "explanations")(
            model=model, row=row, store=store, key=key, top=5)
    except Exception as e:  # noqa: BLE001 - the stored score still answers
        log.info("no live explanation for %s %s: %s", label, key, e)
        return stored
    ex = jsonable(ex)
    expl = [{"text": e.get("text_zh"), "text_en": e.get("text_en"), "kind": e.get("kind")}
            for e in ex.get("evidence", [])]
    expl += [{"feature": f.get("feature"), "contribution": f.get("contribution"),
              "value": f.get("value")} for f in ex.get("features", []) if isinstance(f, dict)]
    score = ex.get("risk_score")
    if not unmasked:
        from api.authz import scrub

        expl = scrub(expl)
        ex = dict(ex, text_zh=scrub(ex.get("text_zh")), text_en=scrub(ex.get("text_en")))
    return {"score": score, "level": _level(score), "model_version": info.get("serving"),
            "model": ex.get("model"), "explanation": expl, "text_zh": ex.get("text_zh"),
            "text_en": ex.get("text_en"), "source": "promoted model"}


def build_targeting(state: Any, store: Any, *, port: str | None, date: str | None,
                    budget: int) -> dict[str, Any]:
    """{"items": [{label, key, score, reasons}], "model_version": ..., "meta": {...}}."""
    fn = _optional("risk.targeting", "targeting_list", "targeting lists")
    model, info = serving_model(state)
    out = jsonable(fn(model=model, store=store, port=port or None, date_from=date or None,
                      date_to=date or None, budget=int(budget)))
    items = []
    for it in out.get("items", []):
        r = it.get("reasons") or {}
        reasons = [{"zh": zh, "en": en} for zh, en in zip(r.get("zh", []), r.get("en", []))] \
            if isinstance(r, dict) else list(r)
        from api.authz import scrub

        reasons = scrub(reasons)  # lists are shared with every inspector
        items.append({"label": "Declaration", "key": str(it["declaration"]),
                      "score": it.get("risk_score"), "reasons": reasons,
                      "level": it.get("risk_level"), "pick": it.get("pick")})
    meta = {k: v for k, v in out.items() if k not in ("items",)}
    return {"items": items, "model_version": info.get("serving"), "meta": meta}


def record_inspection(store: Any, *, label: str, key: str, result: str, findings: str,
                      inspector: str, inspection_id: str, at: str) -> dict[str, Any]:
    """Record the result through the risk package (it feeds the models); for a label it
    does not handle, write the Inspection node and its INSPECTED edge directly."""
    if label == "Declaration":
        try:
            fn = _optional("risk.targeting", "record_inspection", "inspection recording")
        except FeatureUnavailable:
            fn = None
        if fn is not None:
            return jsonable(fn(store, key, result, findings, inspector, at=at,
                               inspection_key=inspection_id))
    from graph.base import NodeRecord, RelRecord

    store.upsert([NodeRecord("Inspection", inspection_id,
                             {"date": at[:10], "result": result, "findings": findings,
                              "inspector": inspector, "target_label": label,
                              "target_key": key}, source="api:inspection", seen_at=at)],
                 [RelRecord("INSPECTED", "Inspection", inspection_id, label, key,
                            {"at": at}, source="api:inspection", seen_at=at)])
    return {"inspection": inspection_id, "recorded_in": "graph"}


# ---------------------------------------------------------------- models
def _registry(attr: str) -> Callable[..., Any]:
    return _optional("training.registry", attr, "the model registry")


def list_models(state: Any) -> dict[str, Any]:
    return jsonable(_registry("list_versions")(data_dir=state.settings.data_dir))


def promoted_model(state: Any) -> dict[str, Any] | None:
    idx = list_models(state)
    v = idx.get("promoted")
    if not v:
        return None
    return next((x for x in idx.get("versions", []) if x.get("version") == v), {"version": v})


def promote_model(state: Any, version: str) -> dict[str, Any]:
    return jsonable(_registry("promote")(version=version, data_dir=state.settings.data_dir))


def rollback_model(state: Any) -> dict[str, Any]:
    return jsonable(_registry("rollback")(data_dir=state.settings.data_dir))


# ---------------------------------------------------------------- ingest
def _ingest_settings(state: Any) -> Any:
    cls = _optional("ingest.config", "IngestSettings", "ingest")
    return cls(data_dir=state.settings.data_dir)


def event_lines(raw: bytes, content_type: str) -> list[str]:
    """A request body as JSONL lines: ``application/x-ndjson`` (or any text) is split on
    newlines; a JSON array (``application/json``) becomes one line per element."""
    text = raw.decode("utf-8")
    if "json" in content_type and "ndjson" not in content_type and text.lstrip().startswith("["):
        items = json.loads(text)
        return [json.dumps(x, ensure_ascii=False) for x in items]
    return text.splitlines()


def load_events(state: Any, store: Any, lines: list[str], source: str) -> dict[str, Any]:
    """Load streamed events through the ingest path; each written batch is evaluated by the
    warning rules (``risk.warnings.on_ingest``) so a watch-listed vehicle in a new
    declaration raises its warning as it lands."""
    fn = _optional("ingest", "load_events", "event loading")
    on_ingest = _optional("risk.warnings", "on_ingest", "warnings")
    raised = {"evaluated": 0, "raised": 0}

    def _warn(st: Any, nodes: list, rels: list) -> None:
        res = on_ingest(st, list(nodes) + list(rels))
        raised["evaluated"] += int(getattr(res, "evaluated", 0))
        raised["raised"] += int(getattr(res, "raised", 0))

    out = fn(lines, source, store, settings=_ingest_settings(state), on_batch=_warn)
    return jsonable({**out, "warnings": raised})


def load_kcs(state: Any, store: Any, path: Any, limit: int | None = None) -> dict[str, Any]:
    fn = _optional("ingest", "load_kcs", "KCS loading")
    return jsonable(fn(path, store, settings=_ingest_settings(state), limit=limit))


def list_quarantine(state: Any, source: str | None, limit: int, offset: int,
                    unmasked: bool) -> dict[str, Any]:
    """Quarantined rows with their reasons; the offending value and the raw record are
    withheld from users without the ``pii`` grant (a bad row may hold an id number)."""
    cls = _optional("ingest.quarantine", "QuarantineStore", "the quarantine")
    qs = cls(_ingest_settings(state).quarantine_dir)
    rows = list(qs.read(source)) if qs.dir.exists() else []
    rows.reverse()
    items = []
    for r in rows[offset: offset + limit]:
        r = dict(r)
        if not unmasked:
            r["value"] = "****" if r.get("value") not in (None, "") else r.get("value")
            r.pop("record", None)
        items.append(r)
    return {"items": items, "total": len(rows)}


# ---------------------------------------------------------------- knowledge and QA
def list_documents(state: Any, limit: int, offset: int, q: str | None) -> dict[str, Any]:
    kb = knowledge_base(state)
    docs = sorted(kb.docs.values(), key=lambda d: d.title)
    if q:
        docs = [d for d in docs if q in d.title]
    return {"items": [jsonable(d.to_json()) for d in docs[offset: offset + limit]],
            "total": len(docs)}


def get_article(state: Any, article_id: str) -> dict[str, Any]:
    kb = knowledge_base(state)
    art = kb.article(article_id)
    out = jsonable(art.to_json())
    out["citation"] = art.citation
    return out


def consult_service(state: Any) -> Any:
    """The consultant over this app's knowledge base (qa.service.ConsultService), made once."""
    cls = _optional("qa.service", "ConsultService", "the consultant")
    return _cached(state, "consult", lambda: cls(knowledge_base(state)))


def _earlier_questions(history: list[dict[str, Any]]) -> list[str]:
    return [t["content"] for t in history if t.get("role") == "user"][-5:]


def _citations(cites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"n": i, "article_id": c.get("article_id"), "title": c.get("citation"),
             "version_date": c.get("version_date"), "quote": c.get("quote")}
            for i, c in enumerate(cites, 1)]


def ask(state: Any, question: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    ans = consult_service(state).answer(question, history=_earlier_questions(history))
    out = jsonable(ans.to_json())
    out["footnotes"] = _citations(out.get("citations", []))
    return out


def chat_stream(state: Any, question: str, history: list[dict[str, Any]],
                ) -> Iterator[dict[str, Any]]:
    """The consultant's events as the UI's: {"type": "meta"|"token"|"done", ...}; the last
    one carries the citations as numbered footnotes."""
    svc = consult_service(state)
    for ev in svc.chat_stream(question, history=_earlier_questions(history)):
        kind, data = ev.get("event"), jsonable(ev.get("data"))
        if kind == "token":
            yield {"type": "token", "text": data}
        elif kind == "meta":
            yield {"type": "meta", **(data or {})}
        elif kind == "sources":
            yield {"type": "done", "answered": data.get("answered"),
                   "refused": not data.get("answered", True),
                   "confidence": data.get("confidence"),
                   "citations": _citations(data.get("citations", []))}
