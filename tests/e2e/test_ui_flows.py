"""One browser test per page's main flow; each saves a screenshot under
test-output/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from api_seed import SECRETS
from e2e_helpers import login, shot

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_login_page_is_chinese_by_default_with_an_english_toggle(page, live):
    page.goto(live["url"] + "/ui/")
    expect(page.locator("[data-testid=login-submit]")).to_have_text("登录")
    page.click("[data-testid=lang-toggle]")
    expect(page.locator("[data-testid=login-submit]")).to_have_text("Sign in")
    page.fill("[data-testid=login-username]", "analyst")
    page.fill("[data-testid=login-password]", "wrong-password")
    page.click("[data-testid=login-submit]")
    expect(page.locator("[data-testid=login-error]")).to_contain_text("Wrong user name")
    shot(page, "01-login")
    page.click("[data-testid=lang-toggle]")  # back to Chinese for the next tests


def test_analyst_explores_the_graph(page, live):
    login(page, live, "analyst")
    expect(page.locator("[data-testid=page-graph]")).to_be_visible()
    page.fill("[data-testid=graph-q]", "Acme")
    page.click("[data-testid=graph-search]")
    page.locator("[data-testid=search-result]", has_text="Acme").first.click()
    expect(page.locator("[data-testid=panel-title]")).to_contain_text("ENT-A")
    score = live["store"].get("Enterprise", "ENT-A").props["risk_score"]  # the demo scored it
    expect(page.locator("[data-testid=panel-risk]")).to_contain_text(f"{score:.3f}")
    page.select_option("[data-testid=hops]", "2")
    page.click("[data-testid=expand]")
    page.wait_for_function("() => window.__cy && window.__cy.nodes().length >= 8")
    # person data arrives masked: open the person node's panel
    page.evaluate("""() => { const n = window.__cy.nodes('[label = "Person"]')[0];
                            n.emit('tap'); }""")
    expect(page.locator("[data-testid=masked-note]")).to_be_visible()
    assert not any(s in page.content() for s in SECRETS)
    # shortest path ENT-A -> ENT-B (through the shared person and phone)
    page.evaluate("""() => window.__cy.getElementById('Enterprise|ENT-A').emit('tap')""")
    page.click("[data-testid=path-from]")
    page.fill("[data-testid=graph-q]", "Blue Ocean")
    page.click("[data-testid=graph-search]")
    page.locator("[data-testid=search-result]", has_text="Blue Ocean").first.click()
    expect(page.locator("[data-testid=panel-title]")).to_contain_text("ENT-B")
    page.click("[data-testid=path-to]")
    expect(page.locator("[data-testid=path-info]")).to_have_text("ENT-A → ENT-B")
    page.click("[data-testid=find-path]")
    page.wait_for_function("() => window.__cy.$('.onpath').length >= 7")
    # filter by risk level hides the low-risk nodes
    page.locator("[data-testid=risk-filters] input[value='低']").uncheck()
    hidden = page.evaluate("window.__cy.nodes().filter(n => n.style('display') === 'none').length")
    assert hidden >= 1
    page.locator("[data-testid=risk-filters] input[value='低']").check()
    # save an investigation, shared with the pii analyst, and reopen it from its link
    page.click("[data-testid=inv-save-open]")
    page.fill("[data-testid=inv-title]", "ENT-A ↔ ENT-B shared phone")
    page.fill("[data-testid=inv-share]", "analyst_pii")
    page.click("[data-testid=inv-save]")
    link = page.locator("[data-testid=inv-link] a").get_attribute("href")
    assert re.search(r"#/graph\?inv=inv-", link)
    page.click("[data-testid=modal-close]")
    shot(page, "02-graph-explorer")
    n = page.evaluate("window.__cy.nodes().length")
    page.goto(link)
    page.reload()
    expect(page.locator("[data-testid=inv-current]")).to_have_text("ENT-A ↔ ENT-B shared phone")
    page.wait_for_function(f"() => window.__cy && window.__cy.nodes().length === {n}")
    log = live["app"].state.ps.audit.query(actor="analyst", action="graph.", limit=50)[0]
    assert {"graph.expand", "graph.path"} <= {e["action"] for e in log}
    assert not page.js_errors, page.js_errors


def test_inspector_works_a_targeting_list(page, live):
    login(page, live, "inspector")
    expect(page.locator("[data-testid=page-targeting]")).to_be_visible()
    # the date defaults to the latest day with declarations at the inspector's port
    from api.outcomes import declaration_dates
    d = declaration_dates(live["store"], "30")
    n = next(x["n"] for x in d["dates"] if x["date"] == d["latest_date"])
    page.fill("[data-testid=tl-budget]", "10")
    page.click("[data-testid=issue-list]")
    rows = page.locator("[data-testid=items-table] tbody tr")
    expect(rows).to_have_count(min(10, n))
    expect(rows.first.locator("ul.reasons li").first).not_to_be_empty()
    rows.first.locator("[data-testid=open-item]").click()
    expect(page.locator("[data-testid=decl-status]")).to_have_attribute(
        "data-status", "selected_for_inspection")
    page.select_option("[data-testid=result]", "hit")
    page.fill("[data-testid=findings]", "申报价格偏低约40% / undervalued by about 40%")
    page.click("[data-testid=inspection-submit]")
    expect(page.locator("[data-testid=decl-status]")).to_have_attribute("data-status", "inspected")
    expect(page.locator("[data-testid=decl-inspections] li")).to_have_count(1)
    expect(rows.first.locator(".badge")).to_have_text("已查验")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "03-targeting-list")
    log = live["app"].state.ps.audit.query(action="inspection.record", limit=5)[0]
    assert log and log[0]["actor"] == "inspector"
    assert not page.js_errors, page.js_errors


def test_duty_officer_works_a_warning_to_closure(page, live):
    login(page, live, "duty")
    expect(page.locator("[data-testid=page-warnings]")).to_be_visible()
    # raise one by hand through the API the page uses
    r = page.request.post(live["url"] + "/warnings", headers={"X-PS-CSRF": "1"}, data={
        "level": "橙", "message_zh": "车辆 粤B12345 关联高风险企业", "message_en":
        "Vehicle 粤B12345 linked to a high-risk enterprise", "subject_label": "Enterprise",
        "subject_key": "ENT-C", "port": "30"})
    assert r.status == 201, r.text()
    page.reload()
    page.locator("[data-testid=cases-table] tbody tr", has_text="粤B12345").first.click()
    item = page.locator("[data-testid=case-warning]", has_text="粤B12345")
    for step, status in (("签收", "已签收"), ("处置", "处置中")):
        expect(item.locator("[data-testid=w-next]")).to_have_text(step)
        item.locator("[data-testid=w-next]").click()
        expect(item.locator("[data-testid=w-status]")).to_have_text(status)
    item.locator("[data-testid=w-outcome]").select_option("confirmed")
    item.locator("[data-testid=w-feedback]").fill("已移交缉私部门 / handed to the anti-smuggling unit")
    item.locator("[data-testid=w-next]").click()
    expect(item.locator("[data-testid=w-status]")).to_have_text("已办结")
    expect(page.locator("[data-testid=case-timeline] li").last).to_contain_text("已办结")
    shot(page, "04-warning-queue")
    assert not page.js_errors, page.js_errors


def test_trader_gets_a_cited_streamed_answer(page, live):
    login(page, live, "trader_a")
    page.click("[data-testid=nav-declarations]")
    expect(page.locator("[data-testid=decl-table] tbody tr")).to_have_count(2)
    page.click("[data-testid=nav-chat]")
    page.fill("[data-testid=chat-input]", "进出口货物应当如何向海关申报？")
    page.click("[data-testid=chat-send]")
    answer = page.locator("[data-testid=msg-answer]").last
    expect(answer.locator("[data-testid=citation]").first).to_be_visible()
    expect(answer).to_contain_text("海关法")
    expect(page.locator("[data-testid=chat-stop]")).to_be_disabled()
    expect(page.locator("[data-testid=history-item]")).to_have_count(1)
    answer.locator("[data-testid=citation] a").first.click()
    expect(page.locator("[data-testid=article-text]")).not_to_be_empty()
    shot(page, "05-consult-chat")
    page.click("[data-testid=modal-close]")
    # the trader cannot reach the graph, even by typing the address
    page.goto(live["url"] + "/ui/#/graph")
    expect(page.locator("[data-testid=page-chat], [data-testid=page-declarations]")).to_be_visible()
    r = page.request.get(live["url"] + "/graph/search?q=ENT")
    assert r.status == 403
    assert not page.js_errors, page.js_errors


def test_chat_shows_the_semantic_coverage_while_embedding_runs(page, live):
    """While the background embedding fills the dense index, the chat says how much it
    covers (zh, then en), and that it covers everything once done. The progress object is
    the real one a DenseJob advances; the test advances it instead of a model."""
    from knowledge.dense_build import DenseProgress

    kb = live["app"].state.ps.knowledge()
    pr = DenseProgress(bar=False)
    pr.start(total=40000, already=10000)
    kb.dense_progress = pr
    try:
        page.set_viewport_size({"width": 1280, "height": 800})
        login(page, live, "trader_a")
        page.click("[data-testid=nav-chat]")
        cov = page.locator("[data-testid=chat-coverage]")
        expect(cov).to_contain_text("语义检索正在建立索引")
        expect(cov).to_contain_text("25.0%")
        pr.advance(10000)  # the UI polls while the job runs
        expect(cov).to_contain_text("50.0%")
        expect(cov).to_contain_text("20,000 / 40,000 条")
        shot(page, "17-consult-coverage-zh")
        page.click("[data-testid=lang-toggle]")
        expect(cov).to_contain_text("Semantic search is still indexing: covers 50.0%")
        shot(page, "17-consult-coverage-en")
        pr.finish()
        expect(cov).to_contain_text("Semantic search covers every article")
        page.click("[data-testid=lang-toggle]")  # back to Chinese for the next tests
        assert not page.js_errors, page.js_errors
    finally:
        kb.dense_progress = None


def test_admin_manages_users_models_data_and_audit(page, live):
    login(page, live, "admin")
    page.click("[data-testid=nav-admin]")
    expect(page.locator("[data-testid=users-table]")).to_contain_text("trader_a")
    page.fill("[data-testid=u-name]", "analyst2")
    page.fill("[data-testid=u-pass]", "analyst2-pass")
    page.select_option("[data-testid=u-role]", "analyst")
    page.click("[data-testid=u-save]")
    expect(page.locator("[data-testid=users-table]")).to_contain_text("analyst2")
    page.click("[data-testid=tab-models]")
    expect(page.locator("[data-testid=promoted]")).not_to_have_text("–")
    page.click("[data-testid=tab-data]")
    expect(page.locator("[data-testid=loads-table]")).to_contain_text("kcs:")
    page.click("[data-testid=tab-audit]")
    page.fill("[data-testid=a-action]", "auth.")
    page.click("[data-testid=a-search]")
    expect(page.locator("[data-testid=audit-table]")).to_contain_text("auth.login")
    page.click("[data-testid=a-verify]")
    expect(page.locator("[data-testid=a-verify-result]")).to_contain_text("哈希链完整")
    shot(page, "06-admin-audit")
    assert not page.js_errors, page.js_errors
