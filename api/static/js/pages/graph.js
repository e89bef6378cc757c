// Analyst graph explorer: search, expand, shortest path, filters, risk styling, side panel,
// save / reopen / share investigations, comments on nodes, expand by relationship type,
// collapsed supernodes, starting points. Person data arrives masked unless the user has "pii".
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, toast, showError, fmtScore, modal } from "../ui.js";
import { ENTITY_LABELS, entityReasons, portraitLink, timeControls } from "./graph_extras.js";
import { caption as nodeCaption, labelName, relName, captionWithKind } from "./graph_names.js";
import { markCollapsed, loadMore, expandByType } from "./graph_more.js";
import { commentSection, setComments, comments } from "./graph_comments.js";
import { showStartingPoints } from "./graph_start.js";
import { tt, pick } from "./explorer_text.js";
import { timeSlider, attachTime, timeRange } from "./graph_time.js";

const LABELS = ["Enterprise", "Person", "Declaration", "Goods", "Country", "Port", "Address", "Phone",
  "Email", "Vehicle", "Vessel", "Container", "Case", "Inspection", "Certificate", "Manifest", "BillOfLading", "Article"];
const LEVEL_NAMES = { "高": ["高", "high"], "中": ["中", "medium"], "低": ["低", "low"] };
const RISK_COLORS = { "高": "#d62728", "中": "#ff9f1c", "低": "#2ca02c" };
const SHAPES = { Enterprise: "round-rectangle", Person: "ellipse", Declaration: "rectangle", Goods: "diamond",
  Country: "hexagon", Port: "star", Phone: "triangle", Address: "tag", Case: "octagon", Vehicle: "vee" };
let cy = null, state = null;

const nid = (label, key) => `${label}|${key}`;
function caption(n) { return `${nodeCaption(n, { max: 16 })}\n${labelName(n.label)}`; }
function addNode(n, pos) {
  const id = nid(n.label, n.key);
  const existing = cy.getElementById(id);
  const data = { id, label: n.label, key: n.key, caption: caption(n), props: n.props || {},
    masked: !!n.masked, risk_level: (n.props || {}).risk_level || "none",
    comments: (comments.byNode.get(id) || []).length };
  if (existing.nonempty()) {  // an evidence path's bare reference must not wipe a full node
    if (!Object.keys(data.props).length) return existing;
    existing.data(data); return existing;
  }
  return cy.add({ group: "nodes", data, position: pos || undefined });
}
function addRel(r) {
  const s = nid(r.start[0], r.start[1]), e = nid(r.end[0], r.end[1]);
  const id = `${s}-${r.type}-${e}`;
  if (cy.getElementById(id).nonempty() || cy.getElementById(`${e}-${r.type}-${s}`).nonempty() || cy.getElementById(s).empty() || cy.getElementById(e).empty()) return;
  cy.add({ group: "edges", data: { id, source: s, target: e, type: r.type, rlabel: relName(r.type), props: r.props || {} } });
}
function addSubgraph(sub, { collapse = true, startId = null, filters = {} } = {}) {
  (sub.nodes || []).forEach(n => addNode(n));
  (sub.relationships || []).forEach(addRel);
  if (collapse) markCollapsed(cy, sub, startId, filters);
  else markCollapsed(cy, { nodes: (sub.nodes || []).slice(1), relationships: [] }, null, {});
  if (state.start) state.start.hidden = true;
  applyFilters(); relayout();
}
// a crowded canvas labels only the entities (and what is selected, hovered or evidence)
const QUIET = new Set(["Declaration", "Manifest", "BillOfLading", "Goods", "Container", "Inspection", "Certificate"]);
function relayout() {
  const crowded = cy.nodes().length > 45;
  cy.nodes().forEach(n => n.toggleClass("quiet", crowded && QUIET.has(n.data("label"))));
  cy.edges().toggleClass("quiet", crowded);
  cy.layout({ name: "cose", animate: false, nodeRepulsion: crowded ? 16000 : 9000, idealEdgeLength: crowded ? 70 : 90, padding: 30 }).run();
  if (cy.zoom() < 0.7) {  // fitted too small to read: readable around the selection instead
    const sel = cy.$("node:selected");
    cy.zoom(0.7); cy.center(sel.nonempty() ? sel : undefined);
  }
}
function applyFilters() {
  const labels = new Set([...state.root.querySelectorAll("[data-filter-label]:checked")].map(x => x.value));
  const levels = new Set([...state.root.querySelectorAll("[data-filter-risk]:checked")].map(x => x.value));
  cy.nodes("[!more]").forEach(n => {
    const show = (labels.size === 0 || labels.has(n.data("label"))) && levels.has(n.data("risk_level"));
    n.style("display", show ? "element" : "none");
  });
  cy.nodes("[?more]").forEach(m => m.style("display", cy.getElementById(m.data("parent_id")).style("display")));
}

async function select(node) {
  if (node.data("more")) { loadMore(cy, node, { addSubgraph }); return; }
  const panel = state.panel;
  const { label, key } = node.data();
  panel.replaceChildren(h("h3", {}, captionWithKind(node.data(), { max: 40 })));
  try {
    const r = await api("/graph/node", { query: { label, key } });
    if (!cy || node.cy() !== cy) return;  // the explorer was left (or redrawn) meanwhile
    node.data("props", r.node.props);
    const props = Object.entries(r.node.props || {}).filter(([k]) => !["sources"].includes(k));
    const risk = r.risk || {};
    panel.replaceChildren(...[
      h("h3", { testid: "panel-title" }, captionWithKind(r.node, { max: 40 }),
        h("div", { class: "muted small", testid: "panel-key" }, r.node.key)), portraitLink(label, r.node.key),
      r.node.masked ? h("p", { class: "badge masked", i18n: "masked_note", testid: "masked-note" }) : null,
      h("h4", { i18n: "risk" }),
      h("div", { class: "risk-box", testid: "panel-risk" },
        h("span", { class: "risk-dot", style: `background:${RISK_COLORS[risk.level] || "#999"}` }),
        h("b", {}, `${t("score")}: ${fmtScore(risk.score)}`), " ", `${t("level")}: ${LEVEL_NAMES[risk.level] ? pick(...LEVEL_NAMES[risk.level]) : (risk.level || "–")}`,
        risk.model_version ? h("div", { class: "muted" }, `${t("model")}: ${risk.model_version}`) : null),
      h("h4", { i18n: "explanation" }),
      h("ul", { class: "explain", testid: "panel-explanation" },
        (risk.explanation || []).slice(0, 10).map(e => h("li", {}, typeof e === "string" ? e :
          (e.text || e.text_en) ? (getLang() === "en" ? (e.text_en || e.text) : (e.text || e.text_en)) :
          `${e.feature || e.name || ""} ${e.contribution != null ? (e.contribution > 0 ? "+" : "") + Number(e.contribution).toFixed(3) : ""}`))),
      h("div", { class: "actions" },
        h("label", {}, h("span", { i18n: "hops" }), state.hops),
        h("button", { type: "button", i18n: "expand", testid: "expand", onclick: () => expand(label, r.node.key) }),
        h("button", { type: "button", i18n: "path_from", testid: "path-from", onclick: () => setEnd("from", label, r.node.key) }),
        h("button", { type: "button", i18n: "path_to", testid: "path-to", onclick: () => setEnd("to", label, r.node.key) })),
      h("h4", {}, tt("expand_by_type")),
      expandByType(node, { hops: () => state.hops.value, timeRange, expand: (l, k, f) => expand(l, k, f) }),
      h("h4", {}, tt("comments")),
      commentSection(cy, node, { state, onSave: saveDialog }),
      h("h4", { i18n: "properties" }),
      h("table", { class: "props", testid: "panel-props" }, props.map(([k, v]) => h("tr", {}, h("th", {}, k),
        h("td", {}, Array.isArray(v) ? v.join(", ") : String(v)))))].filter(Boolean));
    applyI18n(panel);
    const ul = panel.querySelector("[data-testid=panel-explanation]");
    if (ENTITY_LABELS.has(label) && ul) entityReasons(ul, cy, label, r.node.key, { addSubgraph });
  } catch (e) { showError(e); }
}

// filters: {rel_types, labels, since, until, hops} (expand by type); none: everything
async function expand(label, key, filters = {}) {
  try {
    const { hops, ...f } = filters;
    const n = Number(hops || state.hops.value);  // one hop: the first 40 links, then "N more"
    const sub = await api("/graph/neighbours", { query: { label, key, hops: n, limit: 150, fanout: n === 1 ? 40 : undefined, ...f } });
    if (!cy) return;  // the explorer was left meanwhile
    addSubgraph(sub, { startId: nid(label, key), filters: f });
    toast(`+${Math.max(0, sub.nodes.length - 1)}`);
  } catch (e) { showError(e); }
}

function setEnd(which, label, key) {
  state.path[which] = { label, key };
  state.pathInfo.textContent = `${state.path.from ? state.path.from.key : "?"} → ${state.path.to ? state.path.to.key : "?"}`;
}

async function findPath() {
  const { from, to } = state.path;
  if (!from || !to) return;
  try {
    const r = await api("/graph/paths", { query: { from_label: from.label, from_key: from.key, to_label: to.label, to_key: to.key, max_hops: 6 } });
    if (!cy) return;
    cy.elements().removeClass("onpath");
    if (!r.items.length) { toast(t("no_path"), "error"); return; }
    addSubgraph(r.items[0]);
    r.items.forEach(p => {
      p.nodes.forEach(n => cy.getElementById(nid(n.label, n.key)).addClass("onpath"));
      p.relationships.forEach(x => {  // a path may walk a link against its direction
        const a = nid(x.start[0], x.start[1]), b = nid(x.end[0], x.end[1]);
        cy.getElementById(`${a}-${x.type}-${b}`).union(cy.getElementById(`${b}-${x.type}-${a}`)).addClass("onpath");
      });
    });
    toast(`${r.items.length} · ${r.items[0].length} ${t("hops")}`);
  } catch (e) { showError(e); }
}

async function doSearch(ev) {
  ev && ev.preventDefault();
  const q = state.q.value.trim(); if (!q) return;
  try {
    const r = await api("/graph/search", { query: { q, labels: state.searchLabel.value || undefined, limit: 20 } });
    state.results.replaceChildren(...r.items.map(n => h("li", { class: "clickable", testid: "search-result",
      onclick: () => { const el = addNode(n); applyFilters(); relayout(); cy.$(":selected").unselect(); el.select(); select(el); } },
      h("b", {}, labelName(n.label)), " ", nodeCaption(n, { max: 40 }), h("span", { class: "muted small" }, " " + n.key))));
    if (!r.items.length) state.results.replaceChildren(h("li", { class: "muted", i18n: "none" }));
  } catch (e) { showError(e); }
}

function investigationBody() {
  return {
    nodes: cy.nodes("[!more]").map(n => ({ label: n.data("label"), key: n.data("key"), x: n.position("x"), y: n.position("y") })),
    relationships: cy.edges("[!more_edge]").map(e => ({ type: e.data("type"), start: [e.source().data("label"), e.source().data("key")],
      end: [e.target().data("label"), e.target().data("key")] })),
  };
}

function saveDialog() {
  const title = h("input", { testid: "inv-title", value: state.inv ? state.inv.title : "" });
  const share = h("input", { testid: "inv-share", value: state.inv ? state.inv.shared_with.join(",") : "" });
  const out = h("p", { testid: "inv-link" });
  modal(h("h3", { i18n: "save_inv" }), h("label", {}, h("span", { i18n: "title" }), title),
    h("label", {}, h("span", { i18n: "share_with" }), share),
    h("button", { type: "button", i18n: "save", testid: "inv-save", onclick: async () => {
      try {
        const body = { title: title.value || "untitled", shared_with: share.value.split(",").map(s => s.trim()).filter(Boolean), ...investigationBody() };
        const r = state.inv && state.inv.owner === state.session.user.username
          ? await api(`/investigations/${state.inv.id}`, { method: "PUT", body })
          : await api("/investigations", { method: "POST", body });
        state.inv = { ...r, owner: state.session.user.username };
        const sel = cy.$("node:selected"); if (sel.nonempty()) select(sel[0]);  // comments now open
        const link = `${location.origin}/ui/#/graph?inv=${r.id}`;
        out.replaceChildren(t("share_link") + ": ", h("a", { href: link }, link));
        toast(t("saved"));
      } catch (e) { showError(e); }
    } }), out);
}

async function openDialog() {
  try {
    const r = await api("/investigations", { query: { limit: 50 } });
    modal(h("h3", { i18n: "open_inv" }), h("ul", { class: "list", testid: "inv-list" }, r.items.map(i =>
      h("li", { class: "clickable", onclick: () => { document.getElementById("modal").close(); openInvestigation(i.id); } },
        h("b", {}, i.title), ` · ${i.owner} · ${i.updated_at}`))));
  } catch (e) { showError(e); }
}

async function openInvestigation(id) {
  try {
    const inv = await api(`/investigations/${id}`);
    if (!cy) return;
    cy.elements().remove();
    inv.nodes.forEach(n => addNode(n, n.position && n.position.x != null ? n.position : undefined));
    inv.relationships.forEach(addRel);
    setComments(cy, inv.comments);
    if (state.start) state.start.hidden = true;
    applyFilters(); cy.fit(undefined, 30);
    state.inv = inv;
    state.invTitle.textContent = inv.title;
  } catch (e) { showError(e); }
}

export async function mount(root, { session, params }) {
  state = { root, session, path: {}, inv: null };
  state.q = h("input", { ph: "search_ph", testid: "graph-q" });
  state.searchLabel = h("select", { testid: "graph-label" }, h("option", { value: "", i18n: "all_labels" }), LABELS.map(l => h("option", { value: l }, labelName(l))));
  state.results = h("ul", { class: "list results", testid: "search-results" });
  state.hops = h("select", { testid: "hops" }, [1, 2, 3].map(n => h("option", { value: n }, n)));
  state.panel = h("aside", { class: "panel", testid: "side-panel" }, h("p", { class: "muted", i18n: "select_node" }));
  state.pathInfo = h("span", { class: "muted", testid: "path-info" }, "? → ?");
  state.invTitle = h("span", { class: "muted", testid: "inv-current" });
  const labelFilters = h("div", { class: "filters" }, h("b", { i18n: "filter_labels" }),
    LABELS.slice(0, 10).map(l => h("label", {}, h("input", { type: "checkbox", value: l, "data-filter-label": "1", onchange: applyFilters }), labelName(l))));
  const riskFilters = h("div", { class: "filters", testid: "risk-filters" }, h("b", { i18n: "filter_risk" }),
    ["高", "中", "低", "none"].map(l => h("label", {}, h("input", { type: "checkbox", value: l, checked: true, "data-filter-risk": "1", onchange: applyFilters }),
      h("span", { class: "risk-dot", style: `background:${RISK_COLORS[l] || "#999"}` }), LEVEL_NAMES[l] ? pick(...LEVEL_NAMES[l]) : "–")));
  const canvas = h("div", { id: "cy", class: "cy", testid: "graph-canvas" });
  state.start = h("div", { class: "start-overlay", testid: "starting-points", hidden: true });
  root.append(
    h("div", { class: "toolbar" },
      h("form", { onsubmit: doSearch, class: "inline" }, state.q, state.searchLabel, h("button", { type: "submit", i18n: "search", testid: "graph-search" })),
      h("button", { type: "button", i18n: "find_path", testid: "find-path", onclick: findPath }), state.pathInfo,
      timeControls(() => cy, timeSlider()), h("span", { class: "spacer" }),
      h("button", { type: "button", i18n: "save_inv", testid: "inv-save-open", onclick: saveDialog }),
      h("button", { type: "button", i18n: "open_inv", testid: "inv-open", onclick: openDialog }),
      h("button", { type: "button", testid: "start-show", onclick: () => showStartingPoints(state.start, { open: openStart }) }, tt("starting_points")),
      h("button", { type: "button", i18n: "clear", onclick: () => { cy.elements().remove(); state.inv = null; state.invTitle.textContent = ""; setComments(cy, []); } }), state.invTitle),
    h("div", { class: "graph-layout" },
      h("div", { class: "left" }, state.results, labelFilters, riskFilters),
      h("div", { class: "cy-wrap" }, canvas, state.start), state.panel));
  applyI18n(root);
  if (!root.isConnected) return;  // overtaken by another navigation (app.js): nothing to draw into
  cy = window.cytoscape({
    container: canvas, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 4,
    style: [
      { selector: "node", style: { "label": "data(caption)", "text-wrap": "wrap", "font-size": 9, "text-valign": "bottom",
          "background-color": "#8c9aa8", "shape": "ellipse", "width": 26, "height": 26, "border-width": 1, "border-color": "#334" } },
      ...Object.entries(SHAPES).map(([l, s]) => ({ selector: `node[label = "${l}"]`, style: { shape: s } })),
      ...Object.entries(RISK_COLORS).map(([lvl, c]) => ({ selector: `node[risk_level = "${lvl}"]`, style: { "background-color": c, width: lvl === "高" ? 36 : 30, height: lvl === "高" ? 36 : 30 } })),
      { selector: "node[?masked]", style: { "border-style": "dashed", "border-width": 2 } },
      { selector: "node[comments > 0]", style: { "border-color": "#e0a800", "border-width": 4, "border-style": "double" } },
      { selector: "node[?more]", style: { shape: "round-rectangle", width: 70, height: 22, "background-color": "#fff4e0",
          "border-style": "dashed", "border-width": 2, "border-color": "#d98500", "text-valign": "center", "font-size": 10,
          "font-weight": "bold", color: "#7a4b00", "z-index": 20 } },
      { selector: "edge[?more_edge]", style: { "line-style": "dashed", "target-arrow-shape": "none", label: "" } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1f6feb" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#aab", "target-arrow-shape": "triangle", "target-arrow-color": "#aab",
          "curve-style": "bezier", "label": "data(rlabel)", "font-size": 7, "color": "#667", "min-zoomed-font-size": 8,
          "text-background-color": "#fff", "text-background-opacity": 0.7 } },
      { selector: "edge.evidence", style: { "line-color": "#9467bd", "target-arrow-color": "#9467bd", "width": 4 } },
      { selector: "node.evidence", style: { "border-color": "#9467bd", "border-width": 5 } },
      { selector: ".out-of-time", style: { "opacity": 0.12 } },
      { selector: "edge.onpath", style: { "line-color": "#1f6feb", "target-arrow-color": "#1f6feb", "width": 4 } },
      { selector: "node.onpath", style: { "border-color": "#1f6feb", "border-width": 5 } },
      { selector: "node.quiet", style: { label: "" } },
      { selector: "edge.quiet", style: { label: "" } },
      { selector: "node.quiet:selected, node.quiet.hover, node.quiet.evidence, node.quiet.onpath", style: { label: "data(caption)" } },
    ],
  });
  window.__cy = cy;  // for the browser tests
  attachTime(cy);
  cy.on("tap", "node", ev => select(ev.target));
  cy.on("mouseover", "node", ev => ev.target.addClass("hover"));
  cy.on("mouseout", "node", ev => ev.target.removeClass("hover"));
  if (params.get("inv")) await openInvestigation(params.get("inv"));
  else if (params.get("label") && params.get("key")) {
    const el = addNode({ label: params.get("label"), key: params.get("key"), props: {} }); relayout(); select(el);
  } else showStartingPoints(state.start, { open: openStart });
}

// a starting point: its subgraph drawn, its evidence highlighted, its focus selected
function openStart(it) {
  cy.elements().remove(); state.inv = null; state.invTitle.textContent = ""; setComments(cy, []);
  addSubgraph(it.subgraph);
  for (const [l, k] of it.subgraph.evidence || []) cy.getElementById(nid(l, k)).addClass("evidence");
  const el = cy.getElementById(nid(it.focus.label, it.focus.key));
  if (el.nonempty()) { cy.$(":selected").unselect(); el.select(); select(el); }
}
export function unmount() { if (cy) { cy.destroy(); cy = null; window.__cy = null; } }
