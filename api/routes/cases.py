"""Warning cases (预警案件): related warnings grouped (``risk.warnings.cases``), and bulk
acknowledge / assign / close with one audit entry per warning.

Mounted under ``/warnings/cases`` and ``/warnings/bulk`` (included before the warnings
router so that ``/warnings/{id}`` does not swallow these paths). Person keys and names in
subjects and evidence are masked for users without the ``pii`` grant; messages scrubbed.
Subjects and evidence nodes carry ``caption_zh`` / ``caption_en`` (``api.captions``: the
node's name, masked where required, or a readable role + code).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.authz import key_is_sensitive, scrub
from api.captions import ref_caption
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import ApiError, Conflict, NotFoundError
from api.state import AppState
from api.users import User
from risk.warnings.cases import bulk, get_case, list_cases
from risk.warnings.exceptions import IllegalTransition, WarningNotFound

router = APIRouter(prefix="/warnings", tags=["warnings"])
Reader = Annotated[User, Depends(require("warnings:read"))]
Handler = Annotated[User, Depends(require("warnings:handle"))]


class BulkIn(BaseModel):
    ids: list[int] = Field(default_factory=list, max_length=2000,
                           description="warning ids; or give case_id")
    case_id: str | None = Field(default=None, max_length=40, examples=["case-12"])
    to: Literal["acknowledged", "assigned", "in_progress", "closed"]
    assignee: str | None = Field(default=None, max_length=200)
    outcome: Literal["confirmed", "false_alarm", "inconclusive"] | None = None
    feedback: str | None = Field(default=None, max_length=4000)
    measures: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(default=None, max_length=2000)


CAPTIONED = 40  # subjects / evidence nodes captioned per case (each is one node read)


def _ref(state: AppState, ref: dict[str, Any], unmasked: bool, store: Any = None
         ) -> dict[str, Any]:
    label, key = ref.get("label") or "", str(ref.get("key") or "")
    out = dict(ref, key=key if unmasked else state.masker.key_for(label, key, False),
               masked=not unmasked and key_is_sensitive(label))
    if store is not None:
        out.update(ref_caption(store, state.masker, label, key, unmasked))
    return out


def _end(state: AppState, end: Any, unmasked: bool) -> Any:
    if isinstance(end, (list, tuple)) and len(end) == 2 and not unmasked:
        return [end[0], state.masker.key_for(end[0], str(end[1]), False)]
    return end


def mask_case(state: AppState, case: dict[str, Any], unmasked: bool, store: Any = None
              ) -> dict[str, Any]:
    """Subjects and evidence nodes with person keys replaced by tokens; text scrubbed; with
    ``store``, the first ``CAPTIONED`` subjects and evidence nodes get their captions."""
    out = dict(case, subjects=[_ref(state, s, unmasked, store if i < CAPTIONED else None)
                               for i, s in enumerate(case.get("subjects", []))])
    if "evidence" in out:
        ev = out["evidence"]
        out["evidence"] = {
            "nodes": [_ref(state, n, unmasked, store if i < CAPTIONED else None)
                      for i, n in enumerate(ev.get("nodes", []))],
            "relationships": [dict(r, start=_end(state, r.get("start"), unmasked),
                                   end=_end(state, r.get("end"), unmasked))
                              for r in ev.get("relationships", [])]}
    if "warnings" in out:
        out["warnings"] = [dict(w, subject=_ref(state, w.get("subject") or {}, unmasked),
                                evidence=mask_case(state, {"evidence": w.get("evidence") or {}},
                                                   unmasked)["evidence"])
                           for w in out["warnings"]]
    return out if unmasked else scrub(out)


@router.get("/cases", summary="The queue as cases: related warnings grouped, newest first")
def cases(user: Reader, state: StateDep, store: StoreDep, page: PageDep,
          status: str | None = "open",
          level: str | None = None, rule: str | None = None, port: str | None = None,
          assignee: str | None = None) -> dict[str, Any]:
    """``status`` (comma-separated; default ``open``, i.e. cases with a warning still open;
    empty = every case not closed): a case's status is that of its least advanced warning."""
    found = list_cases(state.warnings.lifecycle, status=status, level=level, rule=rule,
                       port=port, assignee=assignee)
    unmasked = user.has_grant("pii")
    items = [mask_case(state, dict(c, subjects=c["subjects"][:5]), unmasked, store)
             for c in found[page.offset: page.offset + page.limit]]
    out = page.page(items, len(found))
    out["open_warnings"] = sum(c["open_count"] for c in found)
    return out


@router.get("/cases/{case_id}", summary="One case: its warnings, timeline, evidence, measures")
def case(case_id: str, user: Reader, state: StateDep, store: StoreDep, audit: AuditDep
         ) -> dict[str, Any]:
    try:
        c = get_case(state.warnings.lifecycle, case_id)
    except WarningNotFound as e:
        raise NotFoundError(str(e), code="warnings.case_not_found") from e
    audit("warnings.case_read", "warning_case", case_id, {"warnings": c["warning_ids"][:200]})
    return mask_case(state, c, user.has_grant("pii"), store)


@router.post("/bulk", summary="Acknowledge / assign / close many warnings (or a whole case)")
def bulk_action(body: BulkIn, user: Handler, state: StateDep, audit: AuditDep
                ) -> dict[str, Any]:
    lc = state.warnings.lifecycle
    ids = list(body.ids)
    if body.case_id:
        try:
            ids += get_case(lc, body.case_id)["warning_ids"]
        except WarningNotFound as e:
            raise NotFoundError(str(e), code="warnings.case_not_found") from e
    if not ids:
        raise ApiError("bulk: name the warnings (ids) or a case (case_id)",
                       code="warnings.bulk_empty")
    if body.to == "assigned" and not body.assignee:
        raise ApiError("bulk assign needs an assignee", code="warnings.bulk_no_assignee")
    try:
        res = bulk(lc, ids, body.to, actor=user.username, assignee=body.assignee,
                   outcome=body.outcome, feedback=body.feedback, measures=body.measures,
                   note=body.note)
    except IllegalTransition as e:
        raise Conflict(str(e), code="warnings.illegal_transition") from e
    for r in res.ok:
        if not r.get("unchanged"):
            audit("warnings.transition", "warning", str(r["id"]),
                  {"to": r["to"], "steps": r["steps"], "assignee": body.assignee,
                   "outcome": body.outcome, "bulk": True, "case_id": body.case_id})
    for r in res.failed:
        audit("warnings.transition", "warning", str(r["id"]),
              {"to": body.to, "reason": r["reason"], "bulk": True}, outcome="refused")
    return {"changed": sum(1 for r in res.ok if not r.get("unchanged")),
            "unchanged": sum(1 for r in res.ok if r.get("unchanged")),
            "failed": res.failed, "items": res.ok}
