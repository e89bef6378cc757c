"""The demo data dir a bench script reads (``--run DIR``): one argument and one set-up for
``demo_screens.py`` and ``demo_starting_points.py``."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def add_run_argument(ap) -> None:
    ap.add_argument("--run", type=Path, default=Path(os.environ.get("PS_DATA_DIR") or ROOT / "var"),
                    help="the demo's data dir (default $PS_DATA_DIR, else the repo's var/)")


def use(run: Path) -> Path:
    """Point this process at ``run`` (PS_DATA_DIR); a ``demo_cases.py`` copy shares its base's
    audit key. Returns the resolved dir."""
    run = run.resolve()
    os.environ["PS_DATA_DIR"] = str(run)
    if (run.parent / "audit.key").exists():
        os.environ.setdefault("PS_API_AUDIT_KEY_FILE", str(run.parent / "audit.key"))
    return run
