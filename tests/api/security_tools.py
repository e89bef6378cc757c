"""Helpers for the security-findings tests: a consistent copy of a live SQLite file, file
growth, file modes (the loopback server is ``loopback.LoopbackServer``)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def copy_sqlite(src: Path, dest: Path) -> Path:
    """A consistent copy of a live (WAL) database, as an operator's backup would take."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    a, b = sqlite3.connect(str(src)), sqlite3.connect(str(dest))
    try:
        a.backup(b)
    finally:
        a.close()
        b.close()
    return dest


def dir_bytes(d: Path) -> int:
    return sum(f.stat().st_size for f in Path(d).rglob("*") if f.is_file())


def mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777
