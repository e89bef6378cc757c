"""The simulated world's fixed vocabulary (ports, origins, flags, chapters, the span), its
parameters, and ``World``: the state the generation stages pass along."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

import numpy as np

PORTS = [("2201", "上海吴淞海关"), ("5316", "深圳蛇口海关"), ("5141", "广州黄埔海关"),
         ("3104", "宁波北仑海关"), ("4258", "青岛前湾海关"), ("0202", "天津新港海关")]
CUSTOMS_AREA = ["2201", "5316", "5141", "3104", "4258", "0202", "3701", "2249", "5301", "0908"]
ORIGINS = ["KR", "JP", "US", "DE", "VN", "MY", "TH", "AU", "BR", "IN", "ID", "FR", "IT", "GB",
           "NZ", "CL", "SG", "CA", "NL", "ES"]
ORIGIN_W = np.array([12, 12, 10, 8, 8, 6, 5, 6, 4, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2], float)
THIRD = ["MY", "VN", "TH", "SG"]  # laundering routes
ADD_ORIGINS = ["US", "JP", "KR", "AU", "DE"]  # anti-dumping targets
FLAGS = [("CN", "412"), ("HK", "477"), ("SG", "563"), ("PA", "352"), ("LR", "636"),
         ("KR", "440"), ("MH", "538")]
CHAPTERS = ["03", "08", "15", "22", "27", "29", "39", "40", "44", "48", "52", "61", "62", "64",
            "72", "73", "76", "84", "85", "87", "90", "94", "95"]
CREDIT = ["高级认证", "一般认证", "一般信用", "失信"]
SPLIT_THRESHOLD = 5000.0  # CNY: small-value threshold the split pattern stays under
START, END = date(2023, 1, 1), date(2024, 12, 31)
PORT_CODES = np.array([p[0] for p in PORTS])


@dataclass
class WorldParams:
    declarations: int = 10_000
    seed: int = 7
    inspect_rate: float = 0.025  # random inspections
    inspect_fraud_boost: float = 0.05  # targeting finds fraud a little more often
    label_noise: float = 0.05  # inspection result flipped
    corrupt_rate: float = 0.0005  # rows with data errors (to exercise quarantine)


@dataclass
class World:
    """A world being generated. Every stage (``parties``, ``trade``, ``outputs``) reads what
    the earlier ones set, draws from the one ``rng`` in a fixed order, and adds its own
    tables; ``tables`` holds the frames and arrays by name (``E`` enterprises, ``Pn`` persons,
    ``D`` declarations, ...), ``counts`` what goes into ``world.json``."""

    params: WorldParams
    rng: np.random.Generator
    out: Path
    secret: bytes
    say: Callable[[str], None] = lambda m: None
    tables: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.params.declarations

    @property
    def span(self) -> int:
        return (END - START).days

    def __getattr__(self, name: str) -> Any:  # w.E is w.tables["E"]
        try:
            return self.__dict__["tables"][name]
        except KeyError:
            raise AttributeError(name) from None

    def add(self, **tables: Any) -> None:
        self.tables.update(tables)
