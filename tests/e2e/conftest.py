"""Browser tests: a real uvicorn on a free loopback port serving the app over the embedded
graph (seeded small + a slice of the KCS data, a model trained and promoted on it, a small
regulation index, from the repository's data/), driven by Debian's Chromium through Python
playwright."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "api"))
import api_seed  # noqa: E402
from loopback import LoopbackServer  # noqa: E402

SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LAWS = [("行政法", "海关法(2021-04-29).md"), ("经济法", "进出口商品检验法(2021-04-29).md"),
        ("行政法规", "海关行政处罚实施条例(2004-09-19).md")]
KCS_ROWS = 400
expect.set_options(timeout=30_000)  # a targeting list or a first answer takes seconds here


def _prepare(state, store, tmp: Path) -> dict:
    """Load a KCS slice, train + promote a model, build a small index: what `make demo`
    does, on less data, from the same files (the repository's data/, or PS_SHARED_DIR)."""
    from api.demo import DemoData
    from ingest.readers.kcs import load_kcs
    from knowledge import KnowledgeSettings, build_kb
    from training.train import train_from_store

    data = DemoData.locate(Path(os.environ["PS_SHARED_DIR"]) if os.environ.get("PS_SHARED_DIR")
                           else None)
    done: dict = {"seconds": {}}
    t0 = time.monotonic()
    kcs = data.kcs_dir / "df_syn_train_eng.csv"
    rep = load_kcs(kcs, store, settings=state.ingest_settings, limit=KCS_ROWS).to_json()
    state.audit.append(actor="e2e", role="system", action="ingest.kcs", target_type="source",
                       target_id=f"kcs:{kcs.name}", detail={"report": rep})
    done["kcs"] = rep
    done["seconds"]["kcs"] = round(time.monotonic() - t0, 1)
    done["model"] = train_from_store(store=store, promote=True, data_dir=state.settings.data_dir,
                                     feedback=state.warnings.feedback_labels())
    done["seconds"]["train"] = round(time.monotonic() - t0, 1)
    from api.demo import score
    done["scored"] = score(state, store)  # the demo's first scoring run (raises warnings)
    done["seconds"]["score"] = round(time.monotonic() - t0, 1)
    corpus = tmp / "corpus"
    for folder, name in LAWS:
        (corpus / folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(data.corpus_dir / folder / name, corpus / folder / name)
    kb, _ = build_kb(corpus_dir=corpus, dense=False,
                     settings=KnowledgeSettings(data_dir=state.settings.data_dir))
    state.set_knowledge(kb)
    done["kb"] = len(kb.articles)
    done["seconds"]["kb"] = round(time.monotonic() - t0, 1)
    print("[e2e] prepared:", done, file=sys.stderr)
    return done


@pytest.fixture(scope="session")
def live(embedded_store, tmp_path_factory):
    """{"url", "app", "store", "prepared"}: the app served by uvicorn on 127.0.0.1."""
    embedded_store.clear()
    api_seed.seed(embedded_store)
    tmp = tmp_path_factory.mktemp("e2e")
    app = api_seed.make_app(tmp / "var", embedded_store)
    prepared = _prepare(app.state.ps, embedded_store, tmp)
    with LoopbackServer(app, start_timeout=30) as url:
        yield {"url": url, "app": app, "store": embedded_store, "prepared": prepared}
    app.state.ps.close()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is not installed: run `make browser` (deselect with -m 'not e2e')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, live):
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.js_errors = errors
    yield pg
    ctx.close()
