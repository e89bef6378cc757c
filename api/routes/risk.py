"""Risk score and explanation of one entity (analyst, admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api import services
from api.deps import AuditDep, StateDep, StoreDep, require
from api.errors import NotFoundError
from api.users import User
from graph import ontology

router = APIRouter(prefix="/risk", tags=["risk"])
Reader = Annotated[User, Depends(require("risk:read"))]


@router.get("/entity", summary="Risk score, level and explanation of one entity",
            responses={200: {"content": {"application/json": {"example": {
                "label": "Declaration", "key": "97061800", "score": 0.87, "level": "高",
                "model_version": "lgbm-20261128-1",
                "explanation": [{"feature": "importer_fraud_rate", "contribution": 0.31}]}}}}})
def entity(user: Reader, state: StateDep, store: StoreDep, audit: AuditDep,
           label: Annotated[str, Query(examples=["Declaration"])],
           key: Annotated[str, Query(min_length=1, examples=["97061800"])]) -> dict[str, Any]:
    ontology.check_label(label)
    real = state.masker.resolve(label, key)
    n = store.get(label, real)
    if n is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    out = services.risk_of(state, store, label, real, node=n,
                           unmasked=user.has_grant("pii"))
    audit("risk.read", label, real)
    return {"label": label, "key": key, **out}
