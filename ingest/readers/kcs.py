"""KCS synthetic import declarations -> Declaration, Enterprise (importer, seller, declarant,
courier), Goods, Country (origin, departure), Port (office).

The mapping is ``ingest/mappings/kcs.yaml``; this module adds the one rule a mapping cannot
say (Fraud = 1 exactly when Critical Fraud is 1 or 2) and the file-level contract: the file
must be UTF-8 CSV with exactly the 22 KCS columns, else ``FileFormatError`` and nothing loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.config import IngestSettings, get_settings
from ingest.exceptions import ValidationError
from ingest.mapping import builtin_mapping
from ingest.pipeline import LoadReport, run_load, store_or_default
from ingest.transform import RowTransformer
from ingest.sources import open_rows


def _fraud_consistent(row: dict[str, Any]) -> list[ValidationError]:
    f, c = row.get("Fraud"), row.get("Critical Fraud")
    if (f == "1") != (c in ("1", "2")):
        return [ValidationError("Critical Fraud", c, f"inconsistent with Fraud={f} "
                                                     "(Fraud=1 exactly when Critical Fraud is 1 or 2)")]
    return []


def source_id(path: str | Path) -> str:
    return f"kcs:{Path(path).name}"


def load_kcs(path: str | Path, store=None, *, settings: IngestSettings | None = None,
             progress: bool = False, limit: int | None = None,
             dry_run: bool = False) -> LoadReport:
    """Load one KCS CSV file into ``store`` (default: ``graph.open_store()``; ``dry_run``:
    validate and quarantine only).

    Raises ``FileFormatError`` (nothing loaded) when the file is not UTF-8 CSV with the KCS
    columns. Bad rows are quarantined under PS_DATA_DIR/quarantine/kcs_<file>.jsonl."""
    settings = settings or get_settings()
    m = builtin_mapping("kcs")
    rows = open_rows(Path(path), m.columns, fmt="csv", encoding=m.encoding, exact=True)
    if limit is not None:
        rows = (r for i, r in enumerate(rows) if i < limit)
    tr = RowTransformer(m, row_check=_fraud_consistent)
    with store_or_default(store, dry_run) as st:
        return run_load(rows, source=source_id(path), transformer=tr, store=st,
                        settings=settings, progress=progress)
