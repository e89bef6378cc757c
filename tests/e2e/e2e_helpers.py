"""Helpers for the browser tests (a sized page in one language, sign in, screenshot)."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import api_seed

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@contextmanager
def lang_page(browser, lang: str, timeout_ms: int) -> Iterator:
    """A 1280×800 page in ``lang`` (zh/en: browser locale and the UI's stored language);
    ``page.js_errors`` collects uncaught page errors, ``page.lang`` names the language."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800},
                              locale="en-US" if lang == "en" else "zh-CN")
    ctx.add_init_script(f"localStorage.setItem('ps_lang', '{lang}')")
    pg = ctx.new_page()
    pg.set_default_timeout(timeout_ms)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.js_errors, pg.lang = errors, lang
    try:
        yield pg
    finally:
        ctx.close()


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
