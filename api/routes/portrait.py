"""Entity portrait (企业画像 / 人员 / 车辆): what is known about one enterprise, person or
vehicle in one read — identity (masked without ``pii``), credit, risk score and its
explanation (``risk.explain.explain_entity``), declarations per month, inspections and hit
rate, warning cases, linked entities (shared legal representative / address / phone / e-mail)
and open warnings, and the risk score's trend over the scoring runs (``risk.history``; also
``GET /portrait/{label}/{key}/trend``). Every entity carries ``caption_zh`` / ``caption_en``
(``api.captions``: names, masked where required). Each read is audited (``portrait.read``,
``portrait.trend_read``)."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from api.authz import scrub
from api.captions import caption_explanation, captioned
from api.deps import AuditDep, StateDep, StoreDep, require_any
from api.errors import NotFoundError
from api.explain_view import reader_caption
from api.outcomes import inspections
from api.routes.cases import mask_case
from api.users import User
from graph import GraphStore
from risk.warnings.cases import list_cases

router = APIRouter(prefix="/portrait", tags=["risk"])
Reader = Annotated[User, Depends(require_any("graph:read", "warnings:read"))]
Label = Literal["Enterprise", "Person", "Vehicle"]
LINKED = {"Enterprise": ["Person", "Enterprise", "Vehicle"],
          "Person": ["Enterprise", "Vehicle", "Person"], "Vehicle": ["Person", "Enterprise"]}
DECLARING = {"Enterprise": "Declaration", "Vehicle": "Declaration", "Person": "Declaration"}


def score_trend(state: Any, label: str, key: str, limit: int = 50) -> list[dict[str, Any]]:
    """The entity's scores over the kept scoring runs, oldest first (``risk.history``)."""
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(state.settings.data_dir)
    try:
        return h.trend(label, key, limit=limit)
    finally:
        h.close()


def _declarations(store: GraphStore, label: str, key: str) -> list[Any]:
    sub = store.neighbourhood(label, key, hops=1, labels=["Declaration"], limit=2000)
    return [n for n in sub.nodes if n.label == "Declaration"]


def _shared(store: GraphStore, label: str, key: str) -> list[dict[str, Any]]:
    if label not in ("Enterprise", "Person"):
        return []
    out = []
    for link in store.shared_attribute_links(label, key, limit=200):
        other = link.b if link.a.key == key else link.a
        out.append({"node": other.to_json(), "via": link.via.to_json(),
                    "rels": [link.a_rel, link.b_rel]})
    return out


def _subject(state: Any, store: Any, user: User, label: str, key: str) -> tuple:
    """(masker, unmasked, real key, node) of the entity a reader names by the key it was
    shown (a person's token without ``pii``); 404 when the graph has no such node."""
    masker, unmasked = state.masker, user.has_grant("pii")
    real = masker.resolve(label, key)
    node = store.get(label, real)
    if node is None:
        raise NotFoundError(f"no {label} {key!r}", code="graph.not_found")
    return masker, unmasked, real, node


@router.get("/{label}/{key}", summary="Everything known about one enterprise / person / vehicle")
def portrait(label: Label, key: Annotated[str, Path(max_length=200)], user: Reader,
             state: StateDep, store: StoreDep, audit: AuditDep,
             lang: Annotated[Literal["zh", "en"], Query()] = "zh") -> dict[str, Any]:
    masker, unmasked, real, node = _subject(state, store, user, label, key)
    audit("portrait.read", label, real, {"unmasked": unmasked})
    from risk.explain import explain_entity

    try:
        explanation = caption_explanation(explain_entity(
            store, label, real, lang, reader_caption(masker, unmasked)))
    except Exception as e:  # noqa: BLE001 - an unscored entity still has a portrait
        explanation = {"reasons": [], "error": f"{type(e).__name__}: {e}"}
    decls = _declarations(store, label, real)
    dkeys = {d.key for d in decls}
    months = Counter(str(d.props.get("date") or "")[:7] for d in decls if d.props.get("date"))
    insp = [r for r in inspections(store) if r.get("target_key") in dkeys
            or (r.get("target_label"), r.get("target_key")) == (label, real)]
    hits = sum(1 for r in insp if r.get("result") == "hit")
    fraud = sum(1 for d in decls if str(d.props.get("fraud")) in ("1", "True", "true"))
    neigh = store.neighbourhood(label, real, hops=1, labels=LINKED[label], limit=300)
    linked = [{"node": captioned(masker.node(n.to_json(), unmasked))} for n in neigh.nodes
              if (n.label, n.key) != (label, real)]
    shared = [{"node": captioned(masker.node(s["node"], unmasked)),
               "via": captioned(masker.node(s["via"], unmasked)),
               "rels": s["rels"]} for s in _shared(store, label, real)]
    lc = state.warnings.lifecycle
    cases = [mask_case(state, dict(c, subjects=c["subjects"][:5]), unmasked, store)
             for c in list_cases(lc, include_closed=True)
             if any((s["label"], str(s["key"])) == (label, real) for s in c["subjects"])]
    open_w = lc.list(limit=50, subject_key=real, status="open,acknowledged,in_progress")
    open_w = [w for w in open_w if w["subject"]["label"] == label]
    out = {
        "node": captioned(masker.node(node.to_json(), unmasked)),
        "risk": {k: node.props.get(k) for k in ("risk_score", "risk_level", "model_version",
                                                "scored_at")},
        "trend": score_trend(state, label, real),
        "explanation": explanation,
        "declarations": {"total": len(decls), "fraud_recorded": fraud,
                         "by_month": [{"month": m, "n": n} for m, n in sorted(months.items())],
                         "latest": [masker.node(d.to_json(), unmasked) for d in sorted(
                             decls, key=lambda d: str(d.props.get("date") or ""),
                             reverse=True)[:10]]},
        "inspections": {"total": len(insp), "hits": hits,
                        "hit_rate": round(hits / len(insp), 4) if insp else None,
                        "items": sorted(insp, key=lambda r: r.get("date") or "",
                                        reverse=True)[:20]},
        "linked": linked[:100], "shared": shared[:100],
        "cases": cases[:20],
        "open_warnings": [{k: w[k] for k in ("id", "rule", "level", "status", "message_zh",
                                             "message_en", "created_at")} for w in open_w],
    }
    return out if unmasked else scrub(out)


@router.get("/{label}/{key}/trend", summary="An entity's risk score over the scoring runs")
def trend(label: Literal["Enterprise", "Person", "Vehicle", "Vessel", "Container"],
          key: Annotated[str, Path(max_length=200)], user: Reader, state: StateDep,
          store: StoreDep, audit: AuditDep,
          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> dict[str, Any]:
    """[{run_id, kind, model_version, scored_at, score, level}] oldest first, the last
    ``limit`` kept runs; the key as the reader sees it (a person's token without ``pii``)."""
    masker, unmasked, real, node = _subject(state, store, user, label, key)
    audit("portrait.trend_read", label, real, {"unmasked": unmasked})
    shown = captioned(masker.node(node.to_json(), unmasked))
    return {"label": label, "key": shown["key"], "caption_zh": shown["caption_zh"],
            "caption_en": shown["caption_en"], "items": score_trend(state, label, real, limit)}


@router.get("/{label}/{key}/explain", summary="An entity's risk reasons with evidence paths")
def explain(label: Literal["Enterprise", "Person", "Vehicle", "Vessel", "Container"],
            key: Annotated[str, Path(max_length=200)], user: Reader, state: StateDep,
            store: StoreDep, audit: AuditDep,
            lang: Annotated[Literal["zh", "en"], Query()] = "zh") -> dict[str, Any]:
    """``risk.explain.explain_entity``; path keys of personal nodes become tokens and the
    text is scrubbed for users without ``pii``."""
    from risk.explain import explain_entity

    masker, unmasked, real, _ = _subject(state, store, user, label, key)
    audit("risk.explain_entity", label, real)
    ex = caption_explanation(explain_entity(store, label, real, lang,
                                             reader_caption(masker, unmasked)))
    if unmasked:
        return ex

    def tok(ref):
        return [ref[0], masker.key_for(ref[0], str(ref[1]), False)] if isinstance(
            ref, (list, tuple)) and len(ref) == 2 else ref
    for r in ex.get("reasons", []):
        for p in r.get("paths", []):
            p["nodes"] = [tok(n) for n in p.get("nodes", [])]
            p["relationships"] = [dict(x, start=tok(x.get("start")), end=tok(x.get("end")))
                                  for x in p.get("relationships", [])]
    return scrub(ex)
