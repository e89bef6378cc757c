"""The explorer's starting points (``api.starting_points``), computed once per scoring and
stored: computing them explains each candidate (seconds on the demo graph), so ``warm`` (the
demo after its scoring step; ``portsentinel serve`` in the background when stale) writes
them to ``<api dir>/starting_points.json`` (0600, beside the audit log) under the scoring
key: the promoted model pair and the latest recorded scoring run of each kind
(``risk.history``, whose recorded scores also rank the candidates). A new promotion or a new
scoring run changes the key and the next read recomputes and stores them; graph edits
between scoring runs do not (the points follow the scores). Items are stored unmasked, as
``compute`` returns them; the route masks them for its reader."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from api import starting_points as points
from api.config import write_private
from api.explain_view import masked_caption
from risk import registry
from risk.exceptions import RiskError

STORE_NAME = "starting_points.json"
_cache: dict[int, tuple[list, list]] = {}  # id(app state) -> (scoring key, items)
_lock = threading.Lock()
_computing = threading.Lock()  # one computation at a time; the others wait for its answer


def recorded_top(data_dir: Any, run: str | None) -> dict[str, list]:
    """Per label, the ``run``'s highest (key, score) pairs from the score history, enough
    to find ``points.CANDIDATES`` canonical entities among mentions carrying the same scores."""
    if not run:
        return {}
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(data_dir)
    try:
        return {lab: h.top(run, lab, n * 8) for lab, n in (
            ("Enterprise", points.CANDIDATES), ("Person", points.CANDIDATES), ("Vehicle", 1))}
    finally:
        h.close()


def _models(state: Any) -> list:
    """The promoted declaration and entity model versions (index reads, no model load)."""
    out = []
    for name in (None, "entity"):
        try:
            out.append(registry.list_versions(name=name,
                                              data_dir=state.settings.data_dir)["promoted"])
        except RiskError:
            out.append(None)
    return out


def scoring_key(state: Any) -> list:
    """The promoted model pair and the latest recorded scoring run (``<model>@<scored_at>``)
    of each kind: what the starting points were computed from."""
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(state.settings.data_dir)
    try:
        runs = [(h.latest_run(kind) or {}).get("run_id") for kind in ("declaration", "entity")]
    finally:
        h.close()
    return _models(state) + runs


def store_path(state: Any) -> Path:
    return Path(state.settings.api_dir) / STORE_NAME


def _stored(state: Any, key: list) -> list | None:
    """The stored starting points when they were computed under ``key``, else None (none
    stored, another key, or an unreadable file: recomputed)."""
    try:
        saved = json.loads(store_path(state).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    items = saved.get("items")
    return items if isinstance(items, list) else None


def warm(state: Any, store: Any, key: list | None = None) -> dict[str, Any]:
    """Compute the starting points now and store them under the current scoring key."""
    key = scoring_key(state) if key is None else key
    t0 = time.perf_counter()
    items = points.compute(store, masked_caption(state.masker),
                           recorded_top(state.settings.data_dir, key[-1]))
    seconds = round(time.perf_counter() - t0, 2)
    write_private(store_path(state), json.dumps(
        {"key": key, "seconds": seconds, "items": items}, ensure_ascii=False, default=str))
    with _lock:
        _cache[id(state)] = (key, items)
    return {"items": len(items), "kinds": [it["kind"] for it in items], "seconds": seconds,
            "key": key}


def is_current(state: Any) -> bool:
    """Whether stored starting points match the current scoring key."""
    return _stored(state, scoring_key(state)) is not None


def starting_points(state: Any, store: Any) -> list[dict[str, Any]]:
    """The starting points for this app's graph and its latest scoring: from memory, else
    from the stored file, else computed (once; concurrent callers wait) and stored."""
    key = scoring_key(state)
    with _lock:
        hit = _cache.get(id(state))
    if hit and hit[0] == key:
        return hit[1]
    with _computing:
        items = _stored(state, key)
        if items is None:
            warm(state, store, key)
        with _lock:
            if items is not None:
                _cache[id(state)] = (key, items)
            return _cache[id(state)][1]
