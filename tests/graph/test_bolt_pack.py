"""graph._bolt_pack writes exactly the bytes of the driver's own PackStream encoder."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from graph import _bolt_pack

v1 = pytest.importorskip("neo4j._codec.packstream.v1")


class _Sink:
    def __init__(self):
        self.b = bytearray()

    def write(self, x):
        self.b.extend(x)


def _driver_bytes(value) -> bytes:
    s = _Sink()
    packer = v1.Packer(s)
    packer._py_pack(value, packer._inject_hooks(None))
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


def test_same_bytes_as_the_driver_on_random_values():
    rnd = random.Random(7)
    for _ in range(200):
        v = _random_value(rnd)
        assert _bolt_pack.encode(v) == _driver_bytes(v)


def test_same_bytes_on_an_upsert_batch():
    rows = [{"start": f"E{i}", "end": f"D{i}", "props": {"value": i * 1.5, "n": i},
             "sources": ["syn:w/declarations.csv"], "first": "2024-01-01T00:00:00",
             "last": "2024-01-02T00:00:00"} for i in range(3000)]
    assert _bolt_pack.encode({"rows": rows}) == _driver_bytes({"rows": rows})


@pytest.mark.parametrize("value", [dt.date(2024, 1, 1), 2**63, {1: "x"}, {"a": [{2.5}]}])
def test_other_values_are_left_to_the_driver(value):
    with pytest.raises(_bolt_pack._Fallback):
        _bolt_pack.encode(value)


def test_installed_packer_keeps_the_driver_s_output_and_errors():
    if not _bolt_pack.install():
        pytest.skip("the driver's Rust encoder is in use")
    assert v1.Packer._pack.__module__ == "graph._bolt_pack"
    s = _Sink()
    v1.Packer(s).pack({"rows": [{"k": "x", "n": 3}]})
    assert bytes(s.b) == _driver_bytes({"rows": [{"k": "x", "n": 3}]})
    with pytest.raises(TypeError, match="Map keys must be strings"):  # the driver's own error
        v1.Packer(_Sink()).pack({1: "x"})
