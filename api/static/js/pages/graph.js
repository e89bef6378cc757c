// Analyst graph explorer: search, expand, shortest path, filters, risk styling, side panel,
// save / reopen / share investigations. Person data arrives masked unless the user has "pii".
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, toast, showError, fmtScore, modal } from "../ui.js";
import { ENTITY_LABELS, entityReasons, portraitLink, timeControls } from "./graph_extras.js";

const LABELS = ["Enterprise", "Person", "Declaration", "Goods", "Country", "Port", "Address", "Phone",
  "Email", "Vehicle", "Vessel", "Container", "Case", "Inspection", "Certificate", "Manifest", "BillOfLading", "Article"];
const RISK_COLORS = { "高": "#d62728", "中": "#ff9f1c", "低": "#2ca02c" };
const SHAPES = { Enterprise: "round-rectangle", Person: "ellipse", Declaration: "rectangle", Goods: "diamond",
  Country: "hexagon", Port: "star", Phone: "triangle", Address: "tag", Case: "octagon", Vehicle: "vee" };
let cy = null, state = null;

const nid = (label, key) => `${label}|${key}`;
function caption(n) {
  const p = n.props || {};
  const name = p.name || p.description || p.text || p.plate || "";
  return `${n.label}\n${name ? String(name).slice(0, 18) : String(n.key).slice(0, 18)}`;
}
function addNode(n, pos) {
  const id = nid(n.label, n.key);
  const existing = cy.getElementById(id);
  const data = { id, label: n.label, key: n.key, caption: caption(n), props: n.props || {},
    masked: !!n.masked, risk_level: (n.props || {}).risk_level || "none" };
  if (existing.nonempty()) { existing.data(data); return existing; }
  return cy.add({ group: "nodes", data, position: pos || undefined });
}
function addRel(r) {
  const s = nid(r.start[0], r.start[1]), e = nid(r.end[0], r.end[1]);
  const id = `${s}-${r.type}-${e}`;
  if (cy.getElementById(id).nonempty() || cy.getElementById(`${e}-${r.type}-${s}`).nonempty() || cy.getElementById(s).empty() || cy.getElementById(e).empty()) return;
  cy.add({ group: "edges", data: { id, source: s, target: e, type: r.type, props: r.props || {} } });
}
function addSubgraph(sub) {
  (sub.nodes || []).forEach(n => addNode(n));
  (sub.relationships || []).forEach(addRel);
  applyFilters(); relayout();
}
function relayout() {
  cy.layout({ name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 90, padding: 30 }).run();
}
function applyFilters() {
  const labels = new Set([...state.root.querySelectorAll("[data-filter-label]:checked")].map(x => x.value));
  const levels = new Set([...state.root.querySelectorAll("[data-filter-risk]:checked")].map(x => x.value));
  cy.nodes().forEach(n => {
    const show = (labels.size === 0 || labels.has(n.data("label"))) && levels.has(n.data("risk_level"));
    n.style("display", show ? "element" : "none");
  });
}

async function select(node) {
  const panel = state.panel;
  const { label, key } = node.data();
  panel.replaceChildren(h("h3", {}, `${label} · ${key}`));
  try {
    const r = await api("/graph/node", { query: { label, key } });
    node.data("props", r.node.props);
    const props = Object.entries(r.node.props || {}).filter(([k]) => !["sources"].includes(k));
    const risk = r.risk || {};
    panel.replaceChildren(...[
      h("h3", { testid: "panel-title" }, `${label} · ${r.node.key}`), portraitLink(label, r.node.key),
      r.node.masked ? h("p", { class: "badge masked", i18n: "masked_note", testid: "masked-note" }) : null,
      h("h4", { i18n: "risk" }),
      h("div", { class: "risk-box", testid: "panel-risk" },
        h("span", { class: "risk-dot", style: `background:${RISK_COLORS[risk.level] || "#999"}` }),
        h("b", {}, `${t("score")}: ${fmtScore(risk.score)}`), " ", `${t("level")}: ${risk.level || "–"}`,
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
      h("h4", { i18n: "properties" }),
      h("table", { class: "props", testid: "panel-props" }, props.map(([k, v]) => h("tr", {}, h("th", {}, k),
        h("td", {}, Array.isArray(v) ? v.join(", ") : String(v)))))].filter(Boolean));
    applyI18n(panel);
    const ul = panel.querySelector("[data-testid=panel-explanation]");
    if (ENTITY_LABELS.has(label) && ul) entityReasons(ul, cy, label, r.node.key, { addSubgraph });
  } catch (e) { showError(e); }
}

async function expand(label, key) {
  try {
    const levels = [...state.root.querySelectorAll("[data-filter-risk]:checked")].map(x => x.value).filter(x => x !== "none");
    const sub = await api("/graph/neighbours", { query: { label, key, hops: state.hops.value, limit: 150 } });
    addSubgraph(sub);
    toast(`+${sub.nodes.length}`);
    void levels;
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
      h("b", {}, n.label), " ", (n.props && n.props.name) || n.key)));
    if (!r.items.length) state.results.replaceChildren(h("li", { class: "muted", i18n: "none" }));
  } catch (e) { showError(e); }
}

function investigationBody() {
  return {
    nodes: cy.nodes().map(n => ({ label: n.data("label"), key: n.data("key"), x: n.position("x"), y: n.position("y") })),
    relationships: cy.edges().map(e => ({ type: e.data("type"), start: [e.source().data("label"), e.source().data("key")],
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
    cy.elements().remove();
    inv.nodes.forEach(n => addNode(n, n.position && n.position.x != null ? n.position : undefined));
    inv.relationships.forEach(addRel);
    applyFilters(); cy.fit(undefined, 30);
    state.inv = inv;
    state.invTitle.textContent = inv.title;
  } catch (e) { showError(e); }
}

export async function mount(root, { session, params }) {
  state = { root, session, path: {}, inv: null };
  state.q = h("input", { ph: "search_ph", testid: "graph-q" });
  state.searchLabel = h("select", { testid: "graph-label" }, h("option", { value: "", i18n: "all_labels" }), LABELS.map(l => h("option", { value: l }, l)));
  state.results = h("ul", { class: "list results", testid: "search-results" });
  state.hops = h("select", { testid: "hops" }, [1, 2, 3].map(n => h("option", { value: n }, n)));
  state.panel = h("aside", { class: "panel", testid: "side-panel" }, h("p", { class: "muted", i18n: "select_node" }));
  state.pathInfo = h("span", { class: "muted", testid: "path-info" }, "? → ?");
  state.invTitle = h("span", { class: "muted", testid: "inv-current" });
  const labelFilters = h("div", { class: "filters" }, h("b", { i18n: "filter_labels" }),
    LABELS.slice(0, 10).map(l => h("label", {}, h("input", { type: "checkbox", value: l, "data-filter-label": "1", onchange: applyFilters }), l)));
  const riskFilters = h("div", { class: "filters", testid: "risk-filters" }, h("b", { i18n: "filter_risk" }),
    ["高", "中", "低", "none"].map(l => h("label", {}, h("input", { type: "checkbox", value: l, checked: true, "data-filter-risk": "1", onchange: applyFilters }),
      h("span", { class: "risk-dot", style: `background:${RISK_COLORS[l] || "#999"}` }), l === "none" ? "–" : l)));
  const canvas = h("div", { id: "cy", class: "cy", testid: "graph-canvas" });
  root.append(
    h("div", { class: "toolbar" },
      h("form", { onsubmit: doSearch, class: "inline" }, state.q, state.searchLabel, h("button", { type: "submit", i18n: "search", testid: "graph-search" })),
      h("button", { type: "button", i18n: "find_path", testid: "find-path", onclick: findPath }), state.pathInfo,
      timeControls(() => cy), h("span", { class: "spacer" }),
      h("button", { type: "button", i18n: "save_inv", testid: "inv-save-open", onclick: saveDialog }),
      h("button", { type: "button", i18n: "open_inv", testid: "inv-open", onclick: openDialog }),
      h("button", { type: "button", i18n: "clear", onclick: () => { cy.elements().remove(); state.inv = null; } }), state.invTitle),
    h("div", { class: "graph-layout" },
      h("div", { class: "left" }, state.results, labelFilters, riskFilters), canvas, state.panel));
  applyI18n(root);
  cy = window.cytoscape({
    container: canvas, wheelSensitivity: 0.3, minZoom: 0.1, maxZoom: 4,
    style: [
      { selector: "node", style: { "label": "data(caption)", "text-wrap": "wrap", "font-size": 9, "text-valign": "bottom",
          "background-color": "#8c9aa8", "shape": "ellipse", "width": 26, "height": 26, "border-width": 1, "border-color": "#334" } },
      ...Object.entries(SHAPES).map(([l, s]) => ({ selector: `node[label = "${l}"]`, style: { shape: s } })),
      ...Object.entries(RISK_COLORS).map(([lvl, c]) => ({ selector: `node[risk_level = "${lvl}"]`, style: { "background-color": c, width: lvl === "高" ? 36 : 30, height: lvl === "高" ? 36 : 30 } })),
      { selector: "node[?masked]", style: { "border-style": "dashed", "border-width": 2 } },
      { selector: "node:selected", style: { "border-width": 4, "border-color": "#1f6feb" } },
      { selector: "edge", style: { "width": 1.5, "line-color": "#aab", "target-arrow-shape": "triangle", "target-arrow-color": "#aab",
          "curve-style": "bezier", "label": "data(type)", "font-size": 7, "color": "#667" } },
      { selector: ".evidence", style: { "line-color": "#9467bd", "target-arrow-color": "#9467bd", "width": 4, "border-color": "#9467bd", "border-width": 4 } },
      { selector: ".out-of-time", style: { "opacity": 0.12 } },
      { selector: ".onpath", style: { "line-color": "#1f6feb", "target-arrow-color": "#1f6feb", "width": 4, "border-color": "#1f6feb", "border-width": 4 } },
    ],
  });
  window.__cy = cy;  // for the browser tests
  cy.on("tap", "node", ev => select(ev.target));
  if (params.get("inv")) await openInvestigation(params.get("inv"));
  else if (params.get("label") && params.get("key")) {
    const el = addNode({ label: params.get("label"), key: params.get("key"), props: {} }); relayout(); select(el);
  }
}
export function unmount() { if (cy) { cy.destroy(); cy = null; window.__cy = null; } }
