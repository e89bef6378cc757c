"""The one UTC clock every package stamps times with (ISO 8601, timezone-aware)."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(timezone.utc)


def now_iso(*, timespec: str = "seconds") -> str:
    """The current UTC time as ISO 8601 (``2026-12-01T20:56:07+00:00`` by default;
    ``timespec="milliseconds"`` where ordering within a second matters, e.g. the audit log)."""
    return utc_now().isoformat(timespec=timespec)
