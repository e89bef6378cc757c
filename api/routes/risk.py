"""Risk score and explanation of one entity (analyst, admin)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.authz import scrub
from api.deps import AuditDep, StateDep, StoreDep, require
from api.encoding import jsonable
from api.errors import NotFoundError
from api.state import AppState
from api.users import User
from graph import GraphStore, Node, ontology
from graph.exceptions import NotFound
from risk.exceptions import RiskError
from risk.explain import explain_declaration
from risk.frame import declaration_row
from risk.scoring import declaration_record, risk_levels

log = logging.getLogger("api.routes.risk")
router = APIRouter(prefix="/risk", tags=["risk"])
Reader = Annotated[User, Depends(require("risk:read"))]


def risk_of(state: AppState, store: GraphStore, label: str, key: str, node: Node | None = None,
            unmasked: bool = False) -> dict[str, Any]:
    """Score and explanation of one entity. A Declaration is scored and explained by the
    promoted model (risk.explain); other entities, and a declaration while no model is
    promoted, show the score the last scoring run wrote on the node."""
    node = node or store.get(label, key)
    props = node.props if node is not None else {}
    stored = {"score": props.get("risk_score"), "level": props.get("risk_level"),
              "model_version": props.get("model_version"), "explanation": [],
              "source": "stored score"}
    if label != "Declaration":
        return stored
    try:
        model, info = state.serving.get()
        row = declaration_row(declaration_record(store=store, key=key))
        ex = jsonable(explain_declaration(model=model, row=row, store=store, key=key, top=5))
    except (RiskError, NotFound) as e:  # no promoted model, or no record to explain
        log.info("no live explanation for %s %s: %s", label, key, e)
        return stored
    expl = [{"text": e.get("text_zh"), "text_en": e.get("text_en"), "kind": e.get("kind")}
            for e in ex.get("evidence", [])]
    expl += [{"feature": f.get("feature"), "contribution": f.get("contribution"),
              "value": f.get("value")} for f in ex.get("features", []) if isinstance(f, dict)]
    if not unmasked:
        expl = scrub(expl)
        ex = dict(ex, text_zh=scrub(ex.get("text_zh")), text_en=scrub(ex.get("text_en")))
    score = ex.get("risk_score")
    return {"score": score, "level": None if score is None else risk_levels([score])[0],
            "model_version": info.get("serving"), "model": ex.get("model"),
            "explanation": expl, "text_zh": ex.get("text_zh"), "text_en": ex.get("text_en"),
            "source": "promoted model"}


@router.get("/entity", summary="Risk score, level and explanation of one entity",
            responses={200: {"content": {"application/json": {"example": {
                "label": "Declaration", "key": "97061800", "score": 0.87, "level": "高",
                "model_version": "lgbm-20261128-1",
                "explanation": [{"feature": "importer_fraud_rate", "contribution": 0.31}]}}}}})
def entity(user: Reader, state: StateDep, store: StoreDep, audit: AuditDep,
           label: Annotated[str, Query(max_length=40, examples=["Declaration"])],
           key: Annotated[str, Query(min_length=1, max_length=500,
                                     examples=["97061800"])]) -> dict[str, Any]:
    ontology.check_label(label)
    real = state.masker.resolve_for(label, key, user.has_grant("pii"))
    if real is None:  # a raw personal key from a viewer without `pii`
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    n = store.get(label, real)
    if n is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    out = risk_of(state, store, label, real, node=n, unmasked=user.has_grant("pii"))
    # a person's (or enterprise's) risk is a read of that person, audited as such
    audit({"Person": "person.read", "Enterprise": "enterprise.read"}.get(label, "risk.read"),
          label, real, detail={"via": "risk.entity"})
    return {"label": label, "key": key, **out}
