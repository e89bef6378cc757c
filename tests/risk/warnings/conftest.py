"""Fixtures for the warnings tests: a service on a tmp data dir with a controllable clock.
Tests that need a graph use the real embedded store (``clean_embedded_store``)."""

from __future__ import annotations

import time

import pytest

from risk.warnings import WarningService, WarningsSettings


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def wsettings(tmp_path) -> WarningsSettings:
    return WarningsSettings(data_dir=tmp_path / "var", sse_keepalive_s=0.5)


@pytest.fixture
def wsvc(wsettings, clock):
    svc = WarningService(settings=wsettings, clock=clock)
    yield svc
    svc.close()
