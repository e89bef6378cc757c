"""The graph explorer on demo-like data (issue 14 landing view and screenshot, issue 15
explorer): a small simulated world beside a KCS slice, both models trained and scored
(tests/e2e/world_seed.py), served on loopback, driven by Debian's Chromium at 1280×800 in
Chinese and English. Starting points computed from the graph and the served scores; a
person–enterprise–vehicle cluster with risk colours and an explanation in the side panel;
expand by relationship type; a collapsed supernode expanded page by page; comments saved with
the investigation. Screenshots go to test-output/screenshots/2x-*.

This module clears the shared embedded graph for its world, so it sorts after the other
browser tests (which share the seeded `live` app)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from api_seed import make_app
from e2e_helpers import lang_page, login, shot
from loopback import LoopbackServer
from world_seed import prepare_world

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LANGS = ("zh", "en")
ENTITY_KINDS = {"Person", "Enterprise", "Vehicle"}


@pytest.fixture(scope="module")
def world(embedded_store, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("world-e2e")
    app = make_app(tmp / "var", embedded_store)
    prepared = prepare_world(app.state.ps, embedded_store, tmp)
    with LoopbackServer(app, start_timeout=30) as url:
        yield {"url": url, "app": app, "store": embedded_store, "prepared": prepared}
    app.state.ps.close()


@pytest.fixture
def small_page(browser, world, request):
    lang = getattr(request, "param", "zh")
    with lang_page(browser, lang, 30_000) as pg:
        yield pg


def _explorer(page, world):
    login(page, world, "analyst")
    page.goto(world["url"] + "/ui/#/graph")
    expect(page.locator("[data-testid=page-graph]")).to_be_visible()


def _labels_on_canvas(page) -> dict[str, int]:
    return page.evaluate("""() => { const c = {}; window.__cy.nodes('[!more]').forEach(n => {
        c[n.data('label')] = (c[n.data('label')] || 0) + 1; }); return c; }""")


def _no_horizontal_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("small_page", LANGS, indirect=True)
def test_landing_view_offers_starting_points_and_opens_a_risk_cluster(small_page, world):
    page, lang = small_page, small_page.lang
    _explorer(page, world)
    cards = page.locator("[data-testid=start-card]")
    expect(cards).to_have_count(3, timeout=120_000)  # computed on first use
    kinds = cards.evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds == ["shell_cluster", "person", "vehicle"]
    title = "高风险关联企业群" if lang == "zh" else "Top-risk shell cluster"
    expect(cards.first).to_contain_text(title)
    shot(page, f"20-explorer-starting-points-{lang}")
    _no_horizontal_scroll(page)
    # the shell cluster: enterprises, the person(s) and vehicle(s) linked to them, risk colours
    cards.first.locator("[data-testid=start-open]").click()
    expect(page.locator("[data-testid=panel-reason]").first).to_be_visible(timeout=60_000)
    counts = _labels_on_canvas(page)
    assert ENTITY_KINDS <= set(counts), counts
    levels = page.evaluate("window.__cy.nodes('[!more]').map(n => n.data('risk_level'))")
    assert "高" in levels and len(set(levels) - {"none"}) >= 2, levels
    assert page.evaluate("window.__cy.$('node.evidence').length") >= 2
    focus = page.evaluate("window.__cy.$('node:selected')[0].data('label')")
    assert focus == "Enterprise"
    expect(page.locator("[data-testid=panel-title]")).not_to_contain_text("KCS:")
    reasons = page.locator("[data-testid=panel-reason]")
    assert reasons.count() >= 2
    word = "查获" if lang == "zh" else "seizure"
    expect(page.locator("[data-testid=panel-explanation]")).to_contain_text(word)
    shot(page, f"21-explorer-cluster-explained-{lang}")
    # the person starting point: a person with the vehicles they drove and an enterprise
    page.click("[data-testid=start-show]")
    page.locator("[data-testid=start-card][data-kind=person] [data-testid=start-open]").click()
    expect(page.locator("[data-testid=panel-reason]").first).to_be_visible(timeout=60_000)
    assert page.evaluate("window.__cy.$('node:selected')[0].data('label')") == "Person"
    expect(page.locator("[data-testid=masked-note]")).to_be_visible()  # the analyst lacks pii
    assert {"Person", "Vehicle"} <= set(_labels_on_canvas(page))
    shot(page, f"22-explorer-person-{lang}")
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize("small_page", LANGS, indirect=True)
def test_the_time_slider_filters_the_cluster_by_its_dates(small_page, world):
    """Issue 15: a time range slider over first_seen / last_seen / at, on a dated cluster."""
    from time_slider import drive_time_slider

    page, lang = small_page, small_page.lang
    _explorer(page, world)
    page.locator("[data-testid=start-card]").first.locator("[data-testid=start-open]").click(
        timeout=120_000)
    expect(page.locator("[data-testid=panel-reason]").first).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=by-type-time]")).to_be_visible()
    drive_time_slider(page, lang, split=True, shot_name=f"27-explorer-time-slider-{lang}")
    _no_horizontal_scroll(page)
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize("small_page", LANGS, indirect=True)
def test_expand_by_relationship_type(small_page, world):
    page, lang = small_page, small_page.lang
    _explorer(page, world)
    page.locator("[data-testid=start-card][data-kind=vehicle] [data-testid=start-open]").click()
    expect(page.locator("[data-testid=panel-reason]").first).to_be_visible(timeout=60_000)
    box = page.locator("[data-testid=expand-by-type]")
    expect(box.locator("[data-testid=rel-type-CARRIED_BY]")).to_be_visible(timeout=60_000)
    before = page.evaluate("window.__cy.edges('[type = \"CARRIED_BY\"]').length")
    others = page.evaluate("window.__cy.edges('[type != \"CARRIED_BY\"]').length")
    box.locator("[data-testid=rel-type-CARRIED_BY]").check()
    # only declarations among the neighbour labels offered for CARRIED_BY
    labels = box.locator("[data-nb-label]").evaluate_all("els => els.map(e => e.value)")
    assert "Declaration" in labels and "Person" not in labels, labels
    for other in labels:
        if other != "Declaration":
            box.locator(f"[data-testid=nb-label-{other}]").uncheck()
    box.locator("[data-testid=expand-selected]").click()
    page.wait_for_function(f"() => window.__cy.edges('[type = \"CARRIED_BY\"]').length > {before}")
    assert page.evaluate("window.__cy.edges('[type != \"CARRIED_BY\"][!more_edge]').length") \
        == others  # nothing but the chosen type came back
    log = world["app"].state.ps.audit.query(actor="analyst", action="graph.expand", limit=5)[0]
    assert log[0]["detail"]["rel_types"] == ["CARRIED_BY"]
    assert log[0]["detail"]["labels"] == ["Declaration"] or len(labels) == 1
    shot(page, f"23-explorer-expand-by-type-{lang}")
    assert not page.js_errors, page.js_errors


def _busiest_port(world) -> tuple[str, int]:
    store = world["store"]
    best = ("", 0)
    for p in store.search("CN:", labels=["Port"], limit=30):
        sub = store.neighbourhood("Port", p.key, hops=1, rel_types=["AT_PORT"], fanout=1,
                                  limit=2)
        n = len(sub.nodes) - 1 + int(sub.nodes[0].props.get("collapsed_count") or 0)
        best = max(best, (p.key, n), key=lambda x: x[1])
    return best


@pytest.mark.parametrize("small_page", LANGS, indirect=True)
def test_a_supernode_is_collapsed_and_expands_page_by_page(small_page, world):
    page, lang = small_page, small_page.lang
    port, degree = _busiest_port(world)
    assert degree > 40 + 25, (port, degree)  # more than one expansion and one page
    login(page, world, "analyst")
    page.goto(world["url"] + "/ui/#/graph?" + f"label=Port&key={port}")
    expect(page.locator("[data-testid=panel-title]")).to_contain_text(port)
    page.locator("[data-testid=rel-type-AT_PORT]").check()
    page.locator("[data-testid=expand-selected]").click()
    more = "window.__cy.$('node[?more]')"
    page.wait_for_function(f"() => {more}.length === 1")
    first = page.evaluate(f"{more}[0].data('remaining')")
    shown = page.evaluate("window.__cy.edges('[type = \"AT_PORT\"]').length")
    assert shown == 40 and first == degree - 40, (shown, first, degree)
    caption = page.evaluate(f"{more}[0].data('caption')")
    assert caption == f"+{first} " + ("更多" if lang == "zh" else "more")
    shot(page, f"24-explorer-supernode-collapsed-{lang}")
    page.evaluate(f"() => {more}[0].emit('tap')")
    page.wait_for_function(f"() => window.__cy.edges('[type = \"AT_PORT\"]').length === {shown + 25}")
    assert page.evaluate(f"{more}[0].data('remaining')") == first - 25
    shot(page, f"25-explorer-supernode-next-page-{lang}")
    assert not page.js_errors, page.js_errors


@pytest.mark.parametrize("small_page", LANGS, indirect=True)
def test_comments_on_nodes_are_saved_with_the_investigation(small_page, world):
    page, lang = small_page, small_page.lang
    _explorer(page, world)
    page.locator("[data-testid=start-card][data-kind=shell_cluster] [data-testid=start-open]").click()
    expect(page.locator("[data-testid=comment-needs-inv]")).to_be_visible(timeout=60_000)
    page.click("[data-testid=comment-save-inv]")
    page.fill("[data-testid=inv-title]", f"壳公司群 / shell cluster {lang}")
    page.click("[data-testid=inv-save]")
    expect(page.locator("[data-testid=inv-link] a")).to_be_visible()
    page.click("[data-testid=modal-close]")
    text = ("法定代表人同时代表另外两家企业，地址相同，建议下次申报布控" if lang == "zh"
            else "Same legal representative and address as two others: target the next one")
    page.fill("[data-testid=comment-text]", text)
    page.click("[data-testid=comment-add]")
    item = page.locator("[data-testid=comment]")
    expect(item).to_have_count(1)
    expect(item.locator("[data-testid=comment-author]")).to_have_text("analyst")
    expect(item.locator("[data-testid=comment-body]")).to_have_text(text)
    focus = page.evaluate("window.__cy.$('node:selected')[0].id()")
    assert page.evaluate(f"window.__cy.getElementById('{focus}').data('comments')") == 1
    shot(page, f"26-explorer-comment-{lang}")
    # reopened from its link: the comment is there
    inv_id = world["app"].state.ps.work.list_investigations("analyst", 1, 0)[0][0]["id"]
    page.goto(world["url"] + f"/ui/#/graph?inv={inv_id}")
    page.reload()
    page.wait_for_function(f"() => window.__cy && window.__cy.getElementById('{focus}').data('comments') === 1")
    page.evaluate(f"() => window.__cy.getElementById('{focus}').emit('tap')")
    expect(page.locator("[data-testid=comment]")).to_have_count(1)
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=comment-delete]")
    expect(page.locator("[data-testid=comment]")).to_have_count(0)
    log = world["app"].state.ps.audit.query(actor="analyst", action="investigation.comment.",
                                            limit=5)[0]
    assert [e["action"] for e in log][:2] == ["investigation.comment.delete",
                                              "investigation.comment.add"]
    assert not page.js_errors, page.js_errors
