"""Name similarity: normalised Levenshtein (``rapidfuzz``) on normalised keys, a city-less
retry for company names, and the name-key trigrams the enterprise blocking uses."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from ingest.normalise import strip_city


def bounded_distance(a: str, b: str, cap: int) -> int:
    """Edit distance as the banded search of the first resolver reported it (kept so that
    scores and evidence stay what they were): the exact distance while some prefix of ``b``
    stays within ``cap`` edits of ``a``, else ``cap + 1``."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    d = Levenshtein.distance(a, b, score_cutoff=cap)
    if d <= cap:
        return d
    for j in range(max(0, len(a) - cap), min(len(b), len(a) + cap) + 1):
        if Levenshtein.distance(a, b[:j], score_cutoff=cap) <= cap:
            return Levenshtein.distance(a, b)
    return cap + 1


def edit_similarity(a: str, b: str) -> float:
    """1 - distance / longer length, the distance capped at 35% of the length; 1.0 only for
    equal strings."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    n = max(len(a), len(b))
    d = bounded_distance(a, b, cap=max(1, int(n * 0.35)))
    return max(0.0, 1.0 - d / n)


def name_similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity of two company keys; when either starts with a city
    name, also compared without it (a name typed without its city still matches)."""
    s = edit_similarity(a, b)
    a2, b2 = strip_city(a), strip_city(b)
    if (a2 != a or b2 != b) and s < 1.0:
        s = max(s, edit_similarity(a2, b2) - 0.02)
    return s


def name_grams(s: str, k: int = 3) -> set[str]:
    return {s[i:i + k] for i in range(max(1, len(s) - k + 1))} if s else set()
