"""Helpers shared by the ingest tests (unique module name: imported as ``ingest_helpers``)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from graph.base import UpsertResult, check_node_records, check_rel_records

# the KCS files travel with the repository (data/); PS_SHARED_DIR names a ../shared-like override
_SHARED = os.environ.get("PS_SHARED_DIR")
KCS_DIR = (Path(_SHARED) / "data" / "customs-kcs" if _SHARED
           else Path(__file__).resolve().parents[2] / "data" / "customs-kcs")
KCS_TRAIN = KCS_DIR / "df_syn_train_eng.csv"
KCS_VALID = KCS_DIR / "df_syn_valid_eng.csv"


class MemoryStore:
    """Just enough of a GraphStore for the load path: validated upsert with the merge rule."""

    def __init__(self):
        self.nodes: dict[tuple[str, str], dict] = {}
        self.rels: dict[tuple, dict] = {}
        self.calls = 0

    def upsert(self, nodes=(), relationships=()):
        nodes, relationships = list(nodes), list(relationships)
        check_node_records(nodes)
        check_rel_records(relationships)
        self.calls += 1
        for n in nodes:
            self._merge(self.nodes.setdefault((n.label, n.key), {}), n.props, n.source, n.seen_at)
        for r in relationships:
            for end in ((r.start_label, r.start_key), (r.end_label, r.end_key)):
                self.nodes.setdefault(end, {})
            k = (r.type, r.start_label, r.start_key, r.end_label, r.end_key)
            self._merge(self.rels.setdefault(k, {}), r.props, r.source, r.seen_at)
        return UpsertResult(len(nodes), len(relationships), 1)

    @staticmethod
    def _merge(cur: dict, props, source, seen):
        cur.update({k: v for k, v in props.items() if v is not None})
        cur["sources"] = sorted(set(cur.get("sources", [])) | {source})
        if seen:
            cur["first_seen"] = min(cur.get("first_seen", seen), seen)
            cur["last_seen"] = max(cur.get("last_seen", seen), seen)

    def counts(self):
        out = {"nodes": {}, "relationships": {}}
        for (label, _k) in self.nodes:
            out["nodes"][label] = out["nodes"].get(label, 0) + 1
        for k in self.rels:
            out["relationships"][k[0]] = out["relationships"].get(k[0], 0) + 1
        return out

    def snapshot(self):
        return (repr(sorted(self.nodes.items())), repr(sorted(self.rels.items())))


def kcs_rows(path: Path = KCS_TRAIN, n: int | None = 2000) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        header = next(r)
        rows = []
        for row in r:
            rows.append(row)
            if n is not None and len(rows) >= n:
                break
    return header, rows


def write_csv(path: Path, header, rows, *, tail: str = "") -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue() + tail, encoding="utf-8")
    return path


# the faults injected by ``faulty_kcs``: row index -> (column, new value, expected reason)
FAULTS = {
    10: ("Date", "2020-13-45", "not parseable"),
    11: ("Date", "2099-01-01", "in the future"),
    12: ("Date", "1985-06-01", "before 1990"),
    20: ("Net Mass", "-12.5", "must not be negative"),
    30: ("HS6 Code", "12AB56", "6, 8 or 10 digits"),
    31: ("HS6 Code", "770100", "chapter 77"),
    32: ("HS6 Code", "8517", "6, 8 or 10 digits"),
    40: ("Importer ID", "", "required field is missing"),
}
DUPLICATED = (50, 60)  # rows appended again verbatim at the end (before the truncated line)


def make_faulty_kcs(tmp_path, n: int = 500) -> dict:
    """First ``n`` KCS train rows with the faults above, 2 verbatim duplicates, and one more
    row cut in the middle with no newline at the end. Returns paths and expectations."""
    header, rows = kcs_rows(n=n + 1)
    idx = {c: i for i, c in enumerate(header)}
    rows = [list(r) for r in rows]
    for i, (col, val, _) in FAULTS.items():
        rows[i][idx[col]] = val
    last = rows.pop()
    body = rows + [rows[i] for i in DUPLICATED]
    trunc = ",".join(last)[:30]
    path = write_csv(tmp_path / "kcs_faulty.csv", header, body, tail=trunc)
    good = [r for i, r in enumerate(rows) if i not in FAULTS]
    return {"path": path, "header": header, "good_rows": good, "n_read": len(body) + 1,
            "truncated_line": len(body) + 2}


def expected_counts(header, rows):
    i = {c: k for k, c in enumerate(header)}
    ents = set()
    for r in rows:
        ents.add("IMP:" + r[i["Importer ID"]])
        ents.add("DEC:" + r[i["Declarant ID"]])
        if r[i["Seller ID"]]:
            ents.add("SEL:" + r[i["Seller ID"]])
        if r[i["Courier ID"]]:
            ents.add("COU:" + r[i["Courier ID"]])
    return {
        "Declaration": len({r[i["Declaration ID"]] for r in rows}),
        "Enterprise": len(ents),
        "Goods": len({r[i["HS6 Code"]] for r in rows}),
        "Country": len({r[i["Country of Origin"]] for r in rows}
                       | {r[i["Country of Departure"]] for r in rows}),
        "Port": len({r[i["Office ID"]] for r in rows}),
    }
