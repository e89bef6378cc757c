"""What came of the issued targeting lists, read from the graph: the Inspection nodes
recorded against listed items (hit rate 查获率 = hits / inspections), and the dates that have
declarations (the targeting form's default). Used by the targeting routes and the cockpit."""

from __future__ import annotations

from typing import Any, Iterable

from graph import GraphStore


def inspections(store: GraphStore) -> list[dict[str, Any]]:
    """Every Inspection node as {key, target_label, target_key, result, date}."""
    t = store.export(labels=["Inspection"], rel_types=["INSPECTED"])
    df = t.nodes.get("Inspection")
    if df is None or df.empty:
        return []
    cols = [c for c in ("key", "target_label", "target_key", "result", "date") if c in df]
    out = df[cols].to_dict("records")
    for r in out:
        for c in ("target_label", "target_key", "result", "date"):
            r[c] = None if r.get(c) is None or r.get(c) != r.get(c) else str(r[c])
    return out


def list_outcome(items: Iterable[dict[str, Any]], issued_at: str,
                 insp: list[dict[str, Any]]) -> dict[str, Any]:
    """{inspected, hits, hit_rate}: inspections of the list's items dated on or after the
    day the list was issued (one inspection per item counts once: its latest result)."""
    keys = {(it["label"], str(it["key"])) for it in items}
    day = (issued_at or "")[:10]
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for r in insp:
        k = (r.get("target_label"), r.get("target_key"))
        if k in keys and (r.get("date") or "") >= day:
            if k not in latest or (r.get("date") or "") >= (latest[k].get("date") or ""):
                latest[k] = r
    n = len(latest)
    hits = sum(1 for r in latest.values() if r.get("result") == "hit")
    return {"inspected": n, "hits": hits, "hit_rate": round(hits / n, 4) if n else None}


def declaration_dates(store: GraphStore, port: str | None = None) -> dict[str, Any]:
    """{latest_date, dates: [{date, n}] (latest 60), ports: [{port, n}] on the latest date}."""
    t = store.export(labels=["Declaration"], rel_types=["AT_PORT"])
    df = t.nodes.get("Declaration")
    if df is None or df.empty or "date" not in df:
        return {"latest_date": None, "dates": [], "ports": [], "declarations": 0}
    office = next((c for c in ("office", "customs_office", "port") if c in df), None)
    d = df.assign(day=df["date"].astype(str).str[:10])
    d = d[d["day"].str.match(r"^\d{4}-\d{2}-\d{2}$", na=False)]
    if port and office:
        d = d[(d[office].astype(str) == str(port))
              | (d[office].astype(str) == f"KCS:OFFICE:{port}")]
    if d.empty:
        return {"latest_date": None, "dates": [], "ports": [], "declarations": 0}
    per_day = d.groupby("day").size().sort_index()
    latest = str(per_day.index[-1])
    ports = []
    if office:
        pc = d[d["day"] == latest][office].astype(str).str.replace("KCS:OFFICE:", "").value_counts()
        ports = [{"port": str(k), "n": int(v)} for k, v in pc.head(30).items()]
    return {"latest_date": latest, "declarations": int(len(d)), "ports": ports,
            "dates": [{"date": str(k), "n": int(v)} for k, v in per_day.tail(60).items()]}
