"""What a resolver decides for one mention, and the source id its graph writes carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SOURCE = "resolution"


@dataclass
class Match:
    mention: str
    canonical: str
    rule: str
    score: float
    evidence: dict[str, Any]
