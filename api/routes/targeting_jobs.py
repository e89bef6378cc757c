"""Targeting lists as background jobs with progress, and a list's CSV export.

``POST /targeting/jobs`` starts building a list (a long one — a large budget or a busy day —
takes a while: export, scoring, reasons) and returns a job id at once; ``GET
/targeting/jobs/{id}`` reports its stage, progress (0–1) and, when done, the list id or the
error message. Jobs live in memory (a restart forgets running ones; issued lists are kept).
"""

from __future__ import annotations

import csv
import io
import threading
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.deps import AuditDep, StateDep, StoreDep, require
from api.errors import ApiError, Forbidden, NotFoundError
from api.outcomes import inspections, list_outcome
from api import authz
from api.routes.targeting import (TargetingRequest, build_targeting, check_built, resolve_date,
                                scope_request)
from api.users import User
from api.workdb import new_id

router = APIRouter(prefix="/targeting", tags=["targeting"])
Reader = Annotated[User, Depends(require("targeting:read"))]
Issuer = Annotated[User, Depends(require("targeting:issue"))]
_LOCK = threading.Lock()
MAX_JOBS = 200


def _jobs(state) -> dict[str, dict[str, Any]]:
    with _LOCK:
        if not hasattr(state, "targeting_jobs"):
            state.targeting_jobs = {}
        return state.targeting_jobs


def _run(job: dict[str, Any], state, store, body: TargetingRequest, user: User, audit) -> None:
    def stage(name: str, progress: float) -> None:
        job.update(stage=name, progress=progress, updated=time.time())
    try:
        stage("dates", 0.05)
        resolve_date(store, body)
        job["date"] = body.date
        stage("ranking", 0.2)
        built = build_targeting(state, store, port=body.port, date=body.date,
                                budget=body.budget)
        check_built(built, body)
        stage("saving", 0.9)
        list_id = state.work.save_targeting_list(
            issued_by=user.username, port=body.port, date=body.date, budget=body.budget,
            model_version=built.get("model_version"), items=built["items"], meta=built["meta"])
        audit("targeting.issue", "targeting_list", list_id,
              detail={"port": body.port, "date": body.date, "budget": body.budget,
                      "items": [i["key"] for i in built["items"]][:200], "job": job["id"],
                      "model_version": built.get("model_version")}, actor=user)
        job.update(list_id=list_id, n_items=len(built["items"]))
        stage("done", 1.0)
        job["status"] = "done"
    except ApiError as e:
        job.update(status="failed", error=e.detail, code=e.code)
    except Exception as e:  # noqa: BLE001 - the job reports it; the server lives on
        job.update(status="failed", error=f"{type(e).__name__}: {e}", code="targeting.failed")


@router.post("/jobs", status_code=202, summary="Build a targeting list in the background")
def start(body: TargetingRequest, user: Issuer, state: StateDep, store: StoreDep,
          audit: AuditDep) -> dict[str, Any]:
    body = scope_request(state, user, body)
    jobs = _jobs(state)
    running = [j for j in jobs.values() if j["status"] == "running"]
    if len(running) >= 4:
        raise ApiError("four targeting jobs are already running; wait for one to finish",
                       code="targeting.busy")
    job = {"id": new_id("tj"), "status": "running", "stage": "queued", "progress": 0.0,
           "owner": user.username, "port": body.port, "date": body.date,
           "budget": body.budget, "started": time.time(), "list_id": None, "error": None}
    with _LOCK:
        jobs[job["id"]] = job
        for old in sorted(jobs.values(), key=lambda j: j["started"])[:-MAX_JOBS]:
            jobs.pop(old["id"], None)
    threading.Thread(target=_run, args=(job, state, store, body.model_copy(), user, audit),
                     name=f"targeting-{job['id']}", daemon=True).start()
    return dict(job)


@router.get("/jobs/{job_id}", summary="A targeting job's stage, progress and result")
def job(job_id: str, user: Issuer, state: StateDep) -> dict[str, Any]:
    j = _jobs(state).get(job_id)
    if j is None:
        raise NotFoundError(f"no targeting job {job_id!r}", code="targeting.job_not_found")
    if j["owner"] != user.username and user.role != "admin":
        raise Forbidden("another user's job", code="targeting.job_forbidden")
    return {**j, "elapsed_s": round(time.time() - j["started"], 1)}


def _reason(r: Any, lang: str) -> str:
    if isinstance(r, dict):
        return str(r.get(lang) or r.get("zh") or r.get("en") or "")
    return str(r)


@router.get("/lists/{list_id}/export.csv", summary="A list as CSV (UTF-8 with BOM, for Excel)",
            response_class=Response, responses={200: {"content": {"text/csv": {}}}})
def export_csv(list_id: str, user: Reader, state: StateDep, store: StoreDep,
               audit: AuditDep) -> Response:
    tl = state.work.get_targeting_list(list_id)
    if tl is not None and not authz.allowed(user.role, "declarations:read_all") \
            and (not user.port or tl.get("port") != user.port):
        tl = None  # another port's list: as if it did not exist
    if tl is None:
        raise NotFoundError(f"targeting list {list_id!r} not found", code="targeting.not_found")
    insp = {(r["target_label"], r["target_key"]): r for r in inspections(store)
            if (r.get("date") or "") >= tl["created_at"][:10]}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["list_id", "port", "date", "model_version", "rank", "label", "key", "score",
                "status", "inspection_result", "reasons_zh", "reasons_en"])
    for it in tl["items"]:
        res = insp.get((it["label"], str(it["key"])), {}).get("result", "")
        w.writerow([tl["id"], tl.get("port") or "", tl.get("date") or "",
                    tl.get("model_version") or "", it["rank"], it["label"], it["key"],
                    "" if it.get("score") is None else f"{it['score']:.4f}", it["status"], res,
                    " | ".join(_reason(r, "zh") for r in it.get("reasons") or []),
                    " | ".join(_reason(r, "en") for r in it.get("reasons") or [])])
    audit("targeting.export", "targeting_list", list_id,
          detail={"items": len(tl["items"]), **list_outcome(tl["items"], tl["created_at"],
                                                            list(insp.values()))})
    return Response("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{list_id}.csv"'})
