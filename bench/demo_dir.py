"""The demo data dir a bench script reads (``--run DIR``, plus ``--out FILE``): one command line
and one set-up for ``demo_screens.py`` and ``demo_starting_points.py``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def parse(doc: str) -> tuple[argparse.Namespace, Path]:
    """``--run`` and ``--out`` parsed; this process pointed at the run dir (PS_DATA_DIR; a
    ``demo_cases.py`` copy shares its base's audit key). Returns (args, resolved run dir)."""
    ap = argparse.ArgumentParser(description=doc.split("\n")[0])
    ap.add_argument("--run", type=Path, default=Path(os.environ.get("PS_DATA_DIR") or ROOT / "var"),
                    help="the demo's data dir (default $PS_DATA_DIR, else the repo's var/)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    run = args.run.resolve()
    os.environ["PS_DATA_DIR"] = str(run)
    if (run.parent / "audit.key").exists():
        os.environ.setdefault("PS_API_AUDIT_KEY_FILE", str(run.parent / "audit.key"))
    return args, run
