"""Generic CSV/JSONL reader driven by a YAML mapping (``ingest/mapping.py`` documents it)."""

from __future__ import annotations

from pathlib import Path

from ingest.config import IngestSettings, get_settings
from ingest.mapping import Mapping_, load_mapping
from ingest.pipeline import LoadReport, run_load, store_or_default
from ingest.transform import RowTransformer
from ingest.sources import open_rows


def load_file(path: str | Path, mapping: str | Path | Mapping_, store=None, *,
              settings: IngestSettings | None = None, progress: bool = False,
              source: str | None = None, seen: dict | None = None,
              dry_run: bool = False) -> LoadReport:
    """Load a CSV or JSONL file through ``mapping`` (a path, a built-in name such as
    ``"syn_declarations"``, or a parsed mapping) into ``store`` (default:
    ``graph.open_store()``; ``dry_run``: validate and quarantine only).

    CSV: the header must hold the mapping's ``columns`` (exactly, when listed) and every
    column the mapping uses; otherwise ``FileFormatError`` and nothing is loaded."""
    settings = settings or get_settings()
    m = mapping if isinstance(mapping, Mapping_) else load_mapping(mapping)
    path = Path(path)
    if m.columns:
        cols, exact = m.columns, True
    else:
        cols, exact = sorted(c for c in m.all_columns() if "." not in c), False
    rows = open_rows(path, cols, fmt=m.format, encoding=m.encoding, exact=exact)
    secret = settings.hmac_secret() if _uses_hmac(m) else None
    tr = RowTransformer(m, secret=secret)
    with store_or_default(store, dry_run) as st:
        return run_load(rows, source=source or f"{m.source}:{path.name}", transformer=tr,
                        store=st, settings=settings, progress=progress, seen=seen)


def _uses_hmac(m: Mapping_) -> bool:
    specs = [n.key for n in m.nodes] + [v for n in m.nodes for v in n.props.values()]
    return any(s.transform in ("hmac", "phone_hmac") for s in specs)
