// The explorer's time range slider: two handles over the days the canvas's elements span
// (nodes' first_seen / last_seen, links' at), the chosen days shown as YYYY-MM-DD. Moving a
// handle fades what lies outside (timeFilter); the range is what "within the time range"
// of expand-by-type sends. At full span nothing is filtered and no range is sent.
import { h } from "../ui.js";
import { timeFilter } from "./graph_extras.js";
import { tt } from "./explorer_text.js";

const DAY = 86400000;
const DEFAULT_DAYS = 365;  // an empty canvas: the last year up to today
const MIN_DAYS = 30;  // a canvas dated on one day: the month up to it, so the handles can move
const day = v => { const s = String(v || "").slice(0, 10); return /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null; };
const toMs = s => Date.parse(s + "T00:00:00Z");
const toDay = ms => new Date(ms).toISOString().slice(0, 10);

const st = { min: null, days: 0, lo: 0, hi: 0, cy: null, from: null, to: null, text: null, info: null, fill: null };

// [first day, last day] over the canvas's dates, or the default span
export function canvasSpan(cy) {
  let lo = null, hi = null;
  const see = v => { const d = day(v); if (d) { if (!lo || d < lo) lo = d; if (!hi || d > hi) hi = d; } };
  if (cy) {
    cy.nodes("[!more]").forEach(n => { const p = n.data("props") || {}; see(p.first_seen); see(p.last_seen); });
    cy.edges().forEach(e => see((e.data("props") || {}).at));
  }
  if (!lo) { hi = toDay(Date.now()); lo = toDay(toMs(hi) - DEFAULT_DAYS * DAY); }
  else if (lo === hi) lo = toDay(toMs(hi) - MIN_DAYS * DAY);
  return [lo, hi];
}

const full = () => st.lo === 0 && st.hi === st.days;
const dayAt = i => toDay(toMs(st.min) + i * DAY);

// the chosen range as the API's since / until (a whole last day); none at full span
export function timeRange() {
  if (!st.min || full()) return { since: undefined, until: undefined };
  return { since: dayAt(st.lo), until: `${dayAt(st.hi)}T23:59:59.999` };
}

function render() {
  for (const [el, v] of [[st.from, st.lo], [st.to, st.hi]]) { el.max = String(st.days); el.value = String(v); }
  st.text.textContent = `${dayAt(st.lo)} – ${dayAt(st.hi)}`;
  const pct = i => (st.days ? (100 * i) / st.days : 0);
  st.fill.style.left = `${pct(st.lo)}%`; st.fill.style.width = `${pct(st.hi) - pct(st.lo)}%`;
  st.root.classList.toggle("active", !full());
}
function apply() {
  const cy = st.cy;
  if (!cy) return;
  const n = full() ? timeFilter(cy, "", "") : timeFilter(cy, dayAt(st.lo), dayAt(st.hi));
  st.info.textContent = n ? `−${n}` : "";
}
function onMove(which) {
  let lo = Number(st.from.value), hi = Number(st.to.value);
  if (lo > hi) { if (which === "from") lo = hi; else hi = lo; }
  st.lo = lo; st.hi = hi; render(); apply();
}
// the canvas changed: the span follows it; a narrowed range keeps its days (clamped)
function refresh() {
  const [a, b] = canvasSpan(st.cy);
  const wasFull = !st.min || full() || !st.cy || st.cy.elements().empty();
  const keep = wasFull ? null : [dayAt(st.lo), dayAt(st.hi)];
  st.min = a; st.days = Math.round((toMs(b) - toMs(a)) / DAY);
  if (keep) {
    const idx = d => Math.min(st.days, Math.max(0, Math.round((toMs(d) - toMs(a)) / DAY)));
    st.lo = idx(keep[0]); st.hi = idx(keep[1]);
  } else { st.lo = 0; st.hi = st.days; }
  render(); apply();
}
export function reset() { st.lo = 0; st.hi = st.days; render(); apply(); }

// the toolbar control; attachTime(cy) once the canvas exists
export function timeSlider() {
  st.from = h("input", { type: "range", min: "0", step: "1", testid: "time-from", "aria-label": tt("time_from") });
  st.to = h("input", { type: "range", min: "0", step: "1", testid: "time-to", "aria-label": tt("time_to") });
  st.from.oninput = () => onMove("from"); st.to.oninput = () => onMove("to");
  st.fill = h("span", { class: "time-fill" });
  st.text = h("span", { class: "time-text", testid: "time-text" });
  st.info = h("span", { class: "muted small", testid: "time-info" });
  st.min = null; st.cy = null;
  st.root = h("span", { class: "time-slider", testid: "time-slider", title: tt("time_title") },
    h("span", { class: "time-label" }, tt("time_range")),
    h("span", { class: "time-track" }, h("span", { class: "time-rail" }), st.fill, st.from, st.to),
    st.text, st.info,
    h("button", { type: "button", class: "small", testid: "time-reset", onclick: reset }, tt("time_reset")));
  refresh();
  return st.root;
}
export function attachTime(cy) {
  st.cy = cy;
  let pending = null;
  const later = () => { if (!pending) pending = setTimeout(() => { pending = null; if (st.cy === cy && !cy.destroyed()) refresh(); }, 30); };
  cy.on("add remove data", later);
  refresh();
}
