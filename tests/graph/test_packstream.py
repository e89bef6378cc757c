"""The Bolt driver encodes our parameters with the ``neo4j-rust-ext`` PackStream encoder, and
that encoder writes exactly the bytes of the driver's own pure-Python one (so swapping it in
changes nothing on the wire)."""

from __future__ import annotations

import random

import pytest
from neo4j._codec.packstream import RUST_AVAILABLE
from neo4j._codec.packstream import v1

pytestmark = pytest.mark.unit


class _Sink:
    def __init__(self):
        self.b = bytearray()

    def write(self, x):
        self.b.extend(x)


def _python_bytes(value) -> bytes:
    s = _Sink()
    packer = v1.Packer(s)
    packer._py_pack(value, packer._inject_hooks(None))
    return bytes(s.b)


def _packer_bytes(value) -> bytes:
    s = _Sink()
    v1.Packer(s).pack(value)
    return bytes(s.b)


def _random_value(rnd: random.Random, depth: int = 0):
    kind = rnd.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rnd.random() < 0.5
    if kind == 2:
        return rnd.choice([0, -1, -16, -17, 127, 128, -128, -129, 32767, 32768, -32768,
                           -32769, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63 - 1, -2**63,
                           rnd.randint(-10**6, 10**6)])
    if kind == 3:
        return rnd.uniform(-1e9, 1e9)
    if kind == 4:
        n = rnd.choice([0, 1, 15, 16, 255, 256] if depth else [70_000])
        return "".join(rnd.choice("ab粤港é") for _ in range(n))
    if kind == 5:
        return rnd.choice(["", "x" * 15, "y" * 16])
    if kind == 6:
        return [_random_value(rnd, depth + 1) for _ in range(rnd.choice([0, 3, 15, 16]
                                                                        if depth else [300]))]
    if kind == 7:
        return {f"k{i}": _random_value(rnd, depth + 1)
                for i in range(rnd.choice([0, 2, 15, 16] if depth else [300]))}
    return tuple(_random_value(rnd, depth + 1) for _ in range(rnd.choice([0, 2, 17])))


def test_the_rust_encoder_is_the_one_in_use():
    import neo4j._rust  # noqa: F401  (the neo4j-rust-ext wheel)

    assert RUST_AVAILABLE is True
    assert v1._rust_pack is not None
    assert v1.Packer._pack.__module__ == v1.__name__  # nothing of ours patched in


def test_rust_writes_the_driver_s_python_bytes_on_random_values():
    rnd = random.Random(7)
    for _ in range(200):
        v = _random_value(rnd)
        assert _packer_bytes(v) == _python_bytes(v)


def test_rust_writes_the_driver_s_python_bytes_on_an_upsert_batch():
    rows = [{"start": f"E{i}", "end": f"D{i}", "props": {"value": i * 1.5, "n": i},
             "sources": ["syn:w/declarations.csv"], "first": "2024-01-01T00:00:00",
             "last": "2024-01-02T00:00:00"} for i in range(3000)]
    assert _packer_bytes({"rows": rows}) == _python_bytes({"rows": rows})


def test_map_keys_must_be_strings_the_driver_s_own_error():
    with pytest.raises(TypeError):
        _packer_bytes({1: "x"})
