"""The workbenches on the demo data, in a real browser: the app served on loopback over the
data dir ``make demo`` left (``var/``, or ``--run DIR``: e.g. the dir ``bench/demo_cases.py
first-run`` left), Debian chromium at 1280×800 in zh and en: the warning queue (first-run
triage cases, a case's evidence with captions, opening an evidence node in the explorer), the
cockpit (drift, top-risk captions), the portrait of the lead entity of the first case (trend,
explanation), and the explorer's landing view (issue 14): its starting-point cards, and the
first card whose cluster holds persons, enterprises and vehicles (the person card, else the
shell cluster, else the vehicle card) opened: the cluster in risk colours, the focus's
explanation in the side panel.

    nice -n 10 .venv/bin/python -P bench/demo_screens.py --run var \
        --out bench/results/demo_screens.json

Screenshots: test-output/screenshots/20-…26-demo-*-{zh,en}.png. Every check is read from the
page (the canvas's nodes, their rendered colours, the panel's text) or from the API
responses the page received; every check that fails is recorded (``failures``) and the
script exits non-zero. The checks are written before the store is closed; the server is
stopped only after the browser closed and the requests in flight finished (bounded).
"""

from __future__ import annotations

import json
import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])
ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-output" / "screenshots"
RAW = ("KCS:", "CC:", "TXT:", "PM:")


# error toasts the UI shows (ui.js showError: caught errors, not page errors), kept per page;
# each showing once, when the toast's own class is set (a toast still on screen is not
# counted again by the next page's class changes: the earlier "still shown in the cockpit")
TOASTS = """new MutationObserver(recs => { for (const r of recs) { const el = r.target;
  if (el.id === 'toast' && el.className === 'show error') (window.__errToasts =
    window.__errToasts || []).push(el.textContent); } }).observe(document, {subtree: true,
    attributes: true, attributeFilter: ['class']});"""
KINDS = ("Person", "Enterprise", "Vehicle")
RISK_RGB = {"高": "rgb(214,39,40)", "中": "rgb(255,159,28)", "低": "rgb(44,160,44)"}  # graph.js
CANVAS = """() => window.__cy.nodes('[!more]').map(n => ({label: n.data('label'),
    key: n.data('key'), level: n.data('risk_level'),
    colour: n.style('background-color').replace(/ /g, ''), selected: n.selected()}))"""


def explorer_landing(page, url, lang, check, shot, res) -> None:
    """The analyst's landing view: the starting-point cards, then the first card holding a
    person–enterprise–vehicle cluster opened; checks read from the canvas, the panel and
    the API responses the page got."""
    t0 = time.monotonic()
    with page.expect_response(lambda r: "/graph/starting-points" in r.url,
                              timeout=180_000) as sp:
        page.goto(url + "/ui/#/graph")
    items = sp.value.json()["items"]
    page.wait_for_selector("[data-testid=start-card]")
    res[f"{lang}_starting_points_s"] = round(time.monotonic() - t0, 2)
    kinds = [it["kind"] for it in items]
    check(f"{lang}:landing:cards", kinds == page.locator("[data-testid=start-card]")
          .evaluate_all("els => els.map(e => e.dataset.kind)") and "person" in kinds, kinds)
    shot("25-demo-explorer-starting-points")
    # the first card whose subgraph holds persons, enterprises and vehicles: the person card,
    # else the shell cluster, else the vehicle card (its drivers and the parties of its cases)
    held = {it["kind"]: sorted({n["label"] for n in it["subgraph"]["nodes"]}) for it in items}
    pick = next((it for k in ("person", "shell_cluster", "vehicle") for it in items
                 if it["kind"] == k and set(KINDS) <= set(held[k])), None)
    res[f"{lang}_cards"] = {"labels": held, "opened": pick and pick["kind"],
                            "titles": [it[f"title_{lang}"] for it in items]}
    check(f"{lang}:landing:a_card_holds_person_enterprise_vehicle", pick is not None, held)
    if pick is None:
        return
    label, key = pick["focus"]["label"], pick["focus"]["key"]
    with page.expect_response(lambda r: f"/portrait/{label}/" in r.url and "/explain" in r.url,
                              timeout=120_000) as er:
        page.click(f"[data-testid=start-card][data-kind={pick['kind']}] [data-testid=start-open]")
    ex = er.value.json()
    page.wait_for_selector("[data-testid=panel-reason]")
    page.wait_for_timeout(1500)  # the layout settles before the screenshot
    nodes = page.evaluate(CANVAS)
    served = {(n["label"], n["key"]): (n.get("props") or {}).get("risk_level")
              for n in pick["subgraph"]["nodes"]}
    by_kind = {k: [n for n in nodes if n["label"] == k] for k in KINDS}
    summary = {k: {"nodes": len(v), "levels": sorted({n["level"] for n in v})}
               for k, v in by_kind.items()}
    res[f"{lang}_cluster"] = {"card": pick["kind"], "focus_label": label,
                              "risk_level": pick["risk_level"], "canvas": summary}
    for k, v in by_kind.items():  # each kind on the canvas, scored, drawn in its level's colour
        scored = [n for n in v if n["level"] in RISK_RGB]
        check(f"{lang}:cluster:{k}_in_risk_colours",
              scored and all(n["colour"] == RISK_RGB[n["level"]] for n in scored)
              and all(served.get((n["label"], n["key"])) == n["level"] for n in scored),
              summary[k])
    sel = [n for n in nodes if n["selected"]]
    check(f"{lang}:panel:focus_is_the_cards",  # selected on the canvas, explained in the panel
          [(n["label"], n["key"]) for n in sel] == [(label, key)]
          and f"/portrait/{label}/{quote(key, safe='')}/explain" in er.value.url,
          {"selected": [(n["label"], n["key"]) for n in sel], "explain": er.value.url[-80:]})
    want = [r.get(f"text_{lang}") or r.get("text_zh") for r in ex.get("reasons") or []]
    got = page.locator("[data-testid=panel-reason]").all_inner_texts()
    check(f"{lang}:panel:text_is_the_explanation",
          want and len(got) == len(want) and all(g.startswith(w) for g, w in zip(got, want))
          and any(r["kind"] != "none" for r in ex["reasons"]), {"panel": got[:4]})
    shot("26-demo-cluster-explained")


def main() -> None:
    from bench.demo_dir import parse

    args, run = parse(__doc__)
    sys.path.insert(0, str(ROOT / "tests"))
    from loopback import LoopbackServer
    from playwright.sync_api import expect, sync_playwright

    from api.config import ApiSettings
    from api.demo import make_users, open_graph
    from api.main import create_app

    store = open_graph()
    app = create_app(settings=ApiSettings(data_dir=run), store=store)
    state = app.state.ps
    users = {u["username"]: u["password"] for u in make_users(state, store)}
    if "(set" in users["duty"]:
        saved = json.loads((state.settings.api_dir / "demo-users.json").read_text())
        users.update(saved)
    res: dict = {"run": str(run), "shots": [], "checks": {}, "failures": []}

    def check(name, ok, detail=None):
        res["checks"][name] = bool(ok) if detail is None else {"ok": bool(ok), "detail": detail}
        if not ok:
            res["failures"].append(name)

    expect.set_options(timeout=120_000)
    # exits in reverse: the browser closes, then the server drains its requests, then stops
    server = LoopbackServer(app, start_timeout=60, drain_timeout=120)
    with server as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu"])
        for lang in ("zh", "en"):
            ctx = b.new_context(viewport={"width": 1280, "height": 800},
                                locale="en-US" if lang == "en" else "zh-CN")
            ctx.add_init_script(f"localStorage.setItem('ps_lang', '{lang}')")
            ctx.add_init_script(TOASTS)
            page = ctx.new_page()
            page.set_default_timeout(120_000)  # a shared, loaded machine
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))

            def login(user):
                ctx.clear_cookies()  # sign the previous user out (session cookie)
                page.goto(url + "/ui/")
                page.reload()
                page.fill("[data-testid=login-username]", user)
                page.fill("[data-testid=login-password]", users[user])
                page.click("[data-testid=login-submit]")
                page.wait_for_selector("[data-testid=whoami]:not(:empty)")

            def shot(name):
                SHOTS.mkdir(parents=True, exist_ok=True)
                path = SHOTS / f"{name}-{lang}.png"
                page.screenshot(path=str(path))
                res["shots"].append(str(path.relative_to(ROOT)))

            def no_side_scroll(name):
                check(f"{lang}:{name}:no_horizontal_scroll", page.evaluate(
                    "document.documentElement.scrollWidth <= window.innerWidth + 1"))

            @contextmanager
            def section(name):
                """A page's flow: an error (a timeout on a slow page) fails this section's
                check and the next section still runs."""
                t0 = time.monotonic()
                try:
                    yield
                    check(f"{lang}:{name}:completed", True)
                except Exception as e:  # noqa: BLE001 - recorded; the script exits non-zero
                    check(f"{lang}:{name}:completed", False, f"{type(e).__name__}: {e}"[:300])
                shown = page.evaluate("() => (window.__errToasts || []).splice(0)")
                check(f"{lang}:{name}:no_error_toast", not shown, shown[:3])
                res.setdefault("section_s", {})[f"{lang}:{name}"] = round(time.monotonic() - t0, 1)

            lead = graph_href = None
            with section("queue"):
                login("duty")
                page.wait_for_selector("[data-testid=cases-table] tbody tr")
                rows = page.locator("[data-testid=cases-table] tbody tr")
                res[f"{lang}_queue_head"] = page.locator("[data-testid=cases-table]").evaluate(
                    "t => t.closest('[data-testid=page-warnings]').innerText.slice(0, 200)")
                subjects = page.locator("[data-testid=case-subjects]").all_inner_texts()
                check(f"{lang}:queue:captions_not_raw_keys",
                      subjects and not any(s.startswith(RAW) for s in subjects), subjects[:5])
                shot("20-demo-warning-queue")
                no_side_scroll("queue")
                t0 = time.monotonic()
                rows.first.click()
                expect(page.locator("[data-testid=evidence-node]").first).to_be_visible()
                res[f"{lang}_case_open_s"] = round(time.monotonic() - t0, 2)
                caps = page.locator("[data-testid=evidence-caption]").all_inner_texts()
                check(f"{lang}:case:evidence_captions",
                      caps and not any(c.startswith(RAW) for c in caps), caps[:8])
                shot("21-demo-warning-case")
                no_side_scroll("case")
                lead = page.locator("[data-testid=evidence-portrait]").first.get_attribute("href")
                graph_href = page.locator("[data-testid=evidence-open]").last.get_attribute("href")
                check(f"{lang}:duty_sees_explorer_nav",
                      page.locator("[data-testid=nav-graph]").count() > 0)
            with section("login_analyst"):
                login("analyst")
            if graph_href:
                with section("evidence_in_explorer"):
                    page.goto(url + "/ui/" + graph_href)
                    page.wait_for_function(
                        "() => window.__cy && window.__cy.nodes().length >= 1")
                    shot("22-demo-evidence-in-explorer")
            with section("cockpit"):
                page.click("[data-testid=nav-cockpit]")
                page.wait_for_function(
                    "() => window.Chart && Object.keys(window.Chart.instances).length === 6")
                lvl = page.locator("[data-testid=kpi-drift]").get_attribute("data-level")
                res[f"{lang}_drift"] = {"level": lvl, "text": page.locator(
                    "[data-testid=drift-text]").inner_text()}
                tops = page.locator("[data-testid=top-entity-link]").all_inner_texts()
                check(f"{lang}:cockpit:top_captions",
                      tops and not any(x.startswith(RAW) for x in tops), tops[:10])
                shot("23-demo-cockpit")
                no_side_scroll("cockpit")
            if lead:
                with section("portrait"):
                    page.goto(url + "/ui/" + lead)
                    page.wait_for_selector("[data-testid=portrait-title]")
                    page.wait_for_function(
                        "() => window.Chart && Object.keys(window.Chart.instances).length >= 1")
                    trend = page.locator("[data-testid=portrait-trend]").inner_text()
                    res[f"{lang}_portrait"] = {
                        "title": page.locator("[data-testid=portrait-title]").inner_text(),
                        "trend": trend,
                        "reasons": page.locator("[data-testid=portrait-reason]").count()}
                    check(f"{lang}:portrait:trend", trend[:1].isdigit(), trend[:80])
                    if lang == "en":  # levels in the page's language, not the stored 高/中/低
                        risk = page.locator("[data-testid=portrait-risk]").locator(
                            "xpath=..").inner_text()
                        check("en:portrait:levels_in_english",
                              not any(c in trend + risk for c in "高中低"), (trend + risk)[:120])
                    shot("24-demo-portrait")
                    no_side_scroll("portrait")
            with section("explorer_landing"):
                explorer_landing(page, url, lang, check, shot, res)
                no_side_scroll("explorer")
            check(f"{lang}:no_js_errors", not errors, errors[:3])
            ctx.close()
        b.close()
    check("server:no_request_in_flight_at_stop", server.drained)
    res["loadavg"] = os.getloadavg()
    text = json.dumps(res, ensure_ascii=False, indent=1)
    if args.out:
        args.out.write_text(text + "\n")
    print(text, flush=True)
    code = 1 if res["failures"] else 0
    if not _closed(state, store, timeout=120):
        print("store did not close in 120 s: exiting without it", file=sys.stderr, flush=True)
        os._exit(code or 2)
    sys.exit(code)


def _closed(state, store, timeout: float) -> bool:
    """Close the app state and the store within ``timeout`` s (a thread, so a stuck close
    cannot hang the script after its checks are written)."""
    import threading

    t = threading.Thread(target=lambda: (state.close(), store.close()), daemon=True)
    t.start()
    t.join(timeout)
    return not t.is_alive()


if __name__ == "__main__":
    main()
