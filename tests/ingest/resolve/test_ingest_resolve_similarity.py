"""Name similarity (ingest.resolve.similarity): the rapidfuzz distance reports exactly what the
banded dynamic programme it replaced reported, so scores and evidence are unchanged."""

import random

import pytest

from ingest.resolve.similarity import (bounded_distance, edit_similarity, name_grams,
                                       name_similarity)

pytestmark = pytest.mark.unit


def _banded_dp(a: str, b: str, cap: int) -> int:
    """The former pure-Python edit distance (row-wise, stopping once a row exceeds cap)."""
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > cap:
            return cap + 1
        prev = cur
    return prev[-1]


def test_bounded_distance_equals_the_former_dp_on_random_strings():
    rnd = random.Random(3)
    alphabet = "上海远洋贸易有限公司深圳ab"
    for _ in range(20_000):
        a = "".join(rnd.choice(alphabet[:rnd.randint(2, len(alphabet))])
                    for _ in range(rnd.randint(0, 14)))
        b = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        cap = rnd.randint(0, 6)
        assert bounded_distance(a, b, cap) == _banded_dp(a, b, cap), (a, b, cap)


def test_a_distance_beyond_the_cap_is_reported_as_the_dp_did():
    # every row stays within the cap but the end does not: the exact distance
    a, b = "深cc易b限限", "深b洋公司c洋上易圳"
    assert bounded_distance(a, b, 5) == _banded_dp(a, b, 5) == 8
    # a row exceeds the cap: cap + 1, not the exact distance (4)
    assert bounded_distance("abcd", "wxyz", 1) == _banded_dp("abcd", "wxyz", 1) == 2


def test_edit_similarity():
    assert edit_similarity("", "x") == 0.0 and edit_similarity("ab", "ab") == 1.0
    assert edit_similarity("上海远洋贸易", "上海远详贸易") == pytest.approx(1 - 1 / 6)
    # beyond the cap (35% of 3 -> 1) the distance counts as cap + 1: 1 - 2/3, not 0
    assert edit_similarity("abc", "xyz") == pytest.approx(1 / 3)


def test_city_prefix_dropped_still_matches():
    assert name_similarity("远洋贸易", "上海远洋贸易") > 0.95
    assert name_similarity("远洋贸易", "上海远洋贸易") == pytest.approx(1.0 - 0.02)


def test_name_grams():
    assert name_grams("远洋贸易") == {"远洋贸", "洋贸易"}
    assert name_grams("ab") == {"ab"} and name_grams("") == set()
