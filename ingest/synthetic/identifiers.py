"""Valid identifiers for the simulated world: USCC (GB 32100), id numbers (GB 11643),
containers (ISO 6346), IMO numbers, licence plates."""

from __future__ import annotations

from datetime import timedelta

from ingest import validators as V
from ingest.synthetic.params import START


def uscc(rng, region: str) -> str:
    body = "91" + region + "".join(rng.choice(list(V.USCC_ALPHABET), 9))
    return body + V.uscc_check_char(body)


def cn_id(rng, region: str) -> str:
    born = START - timedelta(days=int(rng.integers(22 * 365, 60 * 365)))
    body = region + born.strftime("%Y%m%d") + f"{int(rng.integers(0, 1000)):03d}"
    return body + V.cn_id_check_char(body)


def container(owner: str, serial: int) -> str:
    first = f"{owner}U{serial:06d}"
    return first + str(V.container_check_digit(first))


def imo(n: int) -> str:
    first = f"{9_100_000 + n * 37 % 899_999:07d}"[:6]
    return first + str(V.imo_check_digit(first))


def plate(rng, i: int) -> str:
    L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    r = rng.random()
    if r < 0.4:  # Hong Kong cross-border truck
        return f"粤Z{L[i % 24]}{i // 24 % 10}{i // 240 % 10}{i // 2400 % 10}港"
    if r < 0.55:  # new-energy 8 characters
        return f"粤B{'DF'[i % 2]}{L[i // 2 % 24]}{i // 48 % 10000:04d}"
    return f"{rng.choice(['粤', '沪', '浙', '鲁', '津'])}{L[i % 24]}{i // 24 % 100000:05d}"
