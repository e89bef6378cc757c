"""Quarantine store: one JSONL file per source under ``PS_DATA_DIR/quarantine``.

Each line: {"id", "source", "line", "field", "value", "reason", "record", "at"}. ``id`` is a
hash of (source, line, field, reason, value), so writing the same fault twice (re-running a
file) adds nothing. One row may carry several faults (several lines); reports count rows.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from graph.clock import now_iso


@dataclass
class Fault:
    source: str
    line: int
    field: str
    value: Any
    reason: str
    record: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def id(self) -> str:
        h = hashlib.sha1(json.dumps([self.source, self.line, self.field, self.reason,
                                     _jsonable(self.value)], ensure_ascii=False,
                                    default=str).encode()).hexdigest()
        return h[:20]


def _jsonable(v: Any) -> Any:
    return v if isinstance(v, (str, int, float, bool, type(None), list, dict)) else str(v)


def _safe_name(source: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", source).strip("_") or "source"


class QuarantineStore:
    """Append-only, de-duplicated JSONL files; ``read()`` returns entries for a source."""

    def __init__(self, directory: Path):
        self.dir = Path(directory)

    def path_for(self, source: str) -> Path:
        return self.dir / f"{_safe_name(source)}.jsonl"

    def _ids(self, path: Path) -> set[str]:
        if not path.exists():
            return set()
        ids = set()
        with path.open(encoding="utf-8") as f:
            for ln in f:
                try:
                    ids.add(json.loads(ln)["id"])
                except (ValueError, KeyError):
                    continue
        return ids

    def add(self, faults: Iterable[Fault]) -> int:
        """Write faults not already there; returns how many were new."""
        by_source: dict[str, list[Fault]] = {}
        for f in faults:
            by_source.setdefault(f.source, []).append(f)
        new = 0
        now = now_iso()
        for source, items in by_source.items():
            path = self.path_for(source)
            path.parent.mkdir(parents=True, exist_ok=True)
            seen = self._ids(path)
            with path.open("a", encoding="utf-8") as out:
                for f in items:
                    fid = f.id
                    if fid in seen:
                        continue
                    seen.add(fid)
                    d = asdict(f)
                    d["value"] = _jsonable(f.value)
                    out.write(json.dumps({"id": fid, **d, "at": now}, ensure_ascii=False,
                                         default=str) + "\n")
                    new += 1
        return new

    def read(self, source: str | None = None) -> Iterator[dict[str, Any]]:
        paths = [self.path_for(source)] if source else sorted(self.dir.glob("*.jsonl"))
        for p in paths:
            if p.exists():
                with p.open(encoding="utf-8") as f:
                    for ln in f:
                        if ln.strip():
                            yield json.loads(ln)
