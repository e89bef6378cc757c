"""Driving the graph explorer's time range slider (api/static/js/pages/graph_time.js) the way a
user does, and checking what it fades against the canvas's own dates, computed here."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from e2e_helpers import shot

MIN_DAYS = 30  # graph_time.js: a canvas dated on one day spans the month up to it


def canvas_dates(page) -> tuple[list[tuple], list[str]]:
    """(each node's (first, last) sighting: its first_seen / last_seen, else the span of its
    links' `at`), (every link's `at`), as the raw strings."""
    raw = page.evaluate("""() => ({
        nodes: window.__cy.nodes('[!more]').map(n => [n.id(), (n.data('props')||{}).first_seen || null,
                                                    (n.data('props')||{}).last_seen || null]),
        edges: window.__cy.edges().map(e => [e.source().id(), e.target().id(), (e.data('props')||{}).at || null])})""")
    by_node: dict[str, list[str]] = {}
    for s, t, at in raw["edges"]:
        if at:
            by_node.setdefault(s, []).append(at)
            by_node.setdefault(t, []).append(at)
    nodes = []
    for nid, a, b in raw["nodes"]:
        if not (a or b) and by_node.get(nid):
            a, b = min(by_node[nid]), max(by_node[nid])
        nodes.append((a, b))
    return nodes, [at for _, _, at in raw["edges"] if at]


def _out(nodes, frm: str, to: str) -> int:
    return sum(1 for a, b in nodes if not ((b or a or "") >= frm and (a or b or "") <= to + "T99"))


def _day(s: str) -> date:
    return date.fromisoformat(s[:10])


def drive_time_slider(page, lang: str, *, split: bool, shot_name: str | None = None) -> None:
    """The slider spans the canvas's days; the from handle set past the earliest last sighting
    (or, on a one-day canvas, the to handle to the first day) fades exactly the nodes outside
    the range, the range reads YYYY-MM-DD, the keyboard moves a handle, one handle cannot pass
    the other, expand-by-type's "within the time range" sends the range, reset clears it.
    ``split``: the canvas has dates enough that the range must fade some nodes, not all."""
    nodes, ats = canvas_dates(page)
    seen = sorted({x[:10] for ab in nodes for x in ab if x} | {x[:10] for x in ats})
    assert seen, "the canvas carries first_seen / last_seen / at"
    hi = seen[-1]
    lo = seen[0] if seen[0] != hi else (_day(hi) - timedelta(days=MIN_DAYS)).isoformat()
    days = (_day(hi) - _day(lo)).days
    text = page.locator("[data-testid=time-text]")
    expect(text).to_have_text(f"{lo} – {hi}")
    assert page.get_attribute("[data-testid=time-from]", "max") == str(days)
    assert page.evaluate("window.__cy.nodes('.out-of-time').length") == 0
    ends = sorted((b or a)[:10] for a, b in nodes if (b or a))
    if ends and ends[0] < hi:  # from: the day after the earliest last sighting
        frm, to = (_day(ends[0]) + timedelta(days=1)).isoformat(), hi
        page.fill("[data-testid=time-from]", str((_day(frm) - _day(lo)).days))
    else:  # one day on the canvas: to the slider's first day
        assert not split, (ends, hi)
        frm = to = lo
        page.fill("[data-testid=time-to]", "0")
    expect(text).to_have_text(f"{frm} – {to}")
    want = _out(nodes, frm, to)
    assert want > 0 and (not split or want < len(nodes)), (want, len(nodes), frm, to)
    assert page.evaluate("window.__cy.nodes('.out-of-time').length") == want
    expect(page.locator("[data-testid=time-info]")).to_have_text(f"−{want}")
    assert page.evaluate("window.__cy.nodes('.out-of-time').every(n => n.style('opacity') < 0.5)")
    if shot_name:
        shot(page, shot_name)
    # the keyboard: the from handle a day back (or forward, at the first day)
    page.focus("[data-testid=time-from]")
    if frm > lo:
        page.keyboard.press("ArrowLeft")
        frm = (_day(frm) - timedelta(days=1)).isoformat()
    else:
        page.fill("[data-testid=time-to]", str(days))
        to = hi
        page.focus("[data-testid=time-from]")
        page.keyboard.press("ArrowRight")
        frm = (_day(frm) + timedelta(days=1)).isoformat()
    expect(text).to_have_text(f"{frm} – {to}")
    assert page.evaluate("window.__cy.nodes('.out-of-time').length") == _out(nodes, frm, to)
    page.fill("[data-testid=time-to]", "0")  # cannot pass the from handle
    expect(text).to_have_text(f"{frm} – {frm}")
    page.fill("[data-testid=time-to]", str(days))
    expect(text).to_have_text(f"{frm} – {hi}")
    # expand-by-type "within the time range" sends the slider's days
    page.check("[data-testid=by-type-time]")
    with page.expect_response(lambda r: "/graph/neighbours" in r.url) as resp:
        page.click("[data-testid=expand-selected]")
    q = parse_qs(urlparse(resp.value.url).query)
    assert q.get("since") == [frm] and q.get("until") == [f"{hi}T23:59:59.999"], q
    # reset: the whole span again, nothing faded, no range sent
    page.click("[data-testid=time-reset]")
    page.wait_for_function("() => window.__cy.nodes('.out-of-time').length === 0")
    page.check("[data-testid=by-type-time]")
    with page.expect_response(lambda r: "/graph/neighbours" in r.url) as resp:
        page.click("[data-testid=expand-selected]")
    assert "since" not in parse_qs(urlparse(resp.value.url).query)
    assert page.evaluate("window.__cy.nodes('.out-of-time').length") == 0
