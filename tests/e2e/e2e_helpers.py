"""Helpers for the browser tests (sign in, screenshot)."""

from __future__ import annotations

from pathlib import Path

import api_seed

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


def login(page, live, username: str, password: str = api_seed.PASSWORD) -> None:
    page.goto(live["url"] + "/ui/")
    page.fill("[data-testid=login-username]", username)
    page.fill("[data-testid=login-password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=whoami]:not(:empty)")


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
