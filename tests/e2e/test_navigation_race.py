"""Two navigations in quick succession (a sign-in landing while a link opens: the demo's
screenshots caught "Cannot read properties of undefined (reading 'h')"): the overtaken page is
not mounted into the root the newer one replaced — no error toast, one set of charts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e_helpers import login

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
# every error toast the page shows (ui.js showError), recorded once per showing
TOASTS = """() => { window.__errToasts = []; const el = document.getElementById('toast');
  new MutationObserver(() => { if (el.className === 'show error') window.__errToasts.push(
    el.textContent); }).observe(el, {attributes: true, attributeFilter: ['class']}); }"""
# the same hash routed twice back to back: the first route() is overtaken by the second
# while its page module loads (the browser's own hashchange makes a third)
TWICE = """h => { location.hash = h; window.dispatchEvent(new HashChangeEvent('hashchange')); }"""


def test_an_overtaken_navigation_mounts_nothing_and_shows_no_error(page, live):
    login(page, live, "analyst")
    page.evaluate(TOASTS)
    page.evaluate(TWICE, "#/graph?label=Enterprise&key=ENT-A")
    expect(page.locator("[data-testid=panel-title]")).to_contain_text("ENT-A")
    page.wait_for_function("() => window.__cy && window.__cy.nodes().length >= 1")
    assert page.locator("[data-testid=graph-canvas]").count() == 1
    page.wait_for_timeout(1000)
    assert page.evaluate("() => window.__errToasts") == []  # was: cytoscape reading 'h'
    page.evaluate(TWICE, "#/cockpit")
    page.wait_for_function("() => window.Chart && Object.keys(window.Chart.instances).length >= 6")
    page.wait_for_timeout(1500)  # an overtaken mount would draw its charts by now
    assert len(page.evaluate("() => Object.keys(window.Chart.instances)")) == 6
    assert page.evaluate("() => window.__errToasts") == []
    assert page.js_errors == []
