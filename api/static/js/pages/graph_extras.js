// Graph explorer extras: an entity's risk reasons with evidence paths (drawn and highlighted
// on the canvas), a time range filter over first_seen / last_seen / at, PNG and CSV export.
import { api } from "../api.js";
import { getLang } from "../i18n.js";
import { h, showError } from "../ui.js";

export const ENTITY_LABELS = new Set(["Enterprise", "Person", "Vehicle", "Vessel", "Container"]);
const PORTRAIT = new Set(["Enterprise", "Person", "Vehicle"]);

export function portraitLink(label, key) {
  if (!PORTRAIT.has(label)) return null;
  return h("a", { href: "#/portrait?" + new URLSearchParams({ label, key }), testid: "panel-portrait", i18n: "portrait" });
}

// fills `box` with the reasons; clicking one draws its evidence paths on the canvas
export async function entityReasons(box, cy, label, key, { addSubgraph }) {
  try {
    const ex = await api(`/portrait/${encodeURIComponent(label)}/${encodeURIComponent(key)}/explain`, { query: { lang: getLang() } });
    if (cy.destroyed() || !box.isConnected) return;  // the explorer was left meanwhile
    const reasons = ex.reasons || [];
    const text = r => getLang() === "en" ? (r.text_en || r.text_zh) : (r.text_zh || r.text_en);
    const draw = r => {
      cy.elements().removeClass("evidence");
      const nodes = [], rels = [];
      for (const p of r.paths || []) {
        (p.nodes || []).forEach(n => nodes.push({ label: n[0], key: n[1], props: {} }));
        (p.relationships || []).forEach(x => rels.push(x));
      }
      const fresh = nodes.filter(n => cy.getElementById(`${n.label}|${n.key}`).empty());
      if (fresh.length) addSubgraph({ nodes: fresh, relationships: rels });
      nodes.forEach(n => cy.getElementById(`${n.label}|${n.key}`).addClass("evidence"));
      rels.forEach(x => cy.getElementById(`${x.start[0]}|${x.start[1]}-${x.type}-${x.end[0]}|${x.end[1]}`).addClass("evidence"));
    };
    box.replaceChildren(...(reasons.length ? reasons : [{ text_zh: ex.text_zh, text_en: ex.text_en, paths: [] }]).map(r =>
      h("li", { class: "clickable", testid: "panel-reason", onclick: () => draw(r) }, text(r) || "",
        (r.paths || []).length ? h("span", { class: "muted small" }, ` (${r.paths.length} ⇢)`) : null)));
  } catch (e) { box.replaceChildren(h("li", { class: "muted" }, e.message)); showError(e); }
}

// a node's [first, last] sighting: its own first_seen / last_seen, else the span of its links' `at`
export function nodeSpan(n) {
  const p = n.data("props") || {};
  if (p.first_seen || p.last_seen) return [p.first_seen, p.last_seen];
  let a, b;
  n.connectedEdges().forEach(e => { const at = (e.data("props") || {}).at;
    if (at) { if (!a || at < a) a = at; if (!b || at > b) b = at; } });
  return [a, b];
}
// nodes whose [first, last] sighting overlaps [from, to]; edges by their `at` (or ends)
export function timeFilter(cy, from, to) {
  const inRange = (a, b) => (!from || (b || a || "") >= from) && (!to || (a || b || "") <= to + "T99");
  let hidden = 0;
  cy.nodes("[!more]").forEach(n => {
    const ok = inRange(...nodeSpan(n));
    if (!ok) { n.addClass("out-of-time"); hidden++; } else n.removeClass("out-of-time");
  });
  cy.edges().forEach(e => {
    const at = (e.data("props") || {}).at;
    e.toggleClass("out-of-time", at ? !inRange(at, at) : false);
  });
  return hidden;
}

function download(name, href) {
  const a = h("a", { href, download: name }); document.body.append(a); a.click(); a.remove();
}
export function exportPng(cy) { download("graph.png", cy.png({ full: true, scale: 2, bg: "#ffffff" })); }
export function exportCsv(cy) {
  const q = v => `"${String(v ?? "").replace(/"/g, '""')}"`;
  const rows = [["kind", "label_or_type", "key_or_source", "target", "name", "risk_level", "risk_score", "first_seen", "last_seen"].join(",")];
  cy.nodes(":visible[!more]").forEach(n => { const p = n.data("props") || {};
    rows.push(["node", n.data("label"), n.data("key"), "", p.name, p.risk_level, p.risk_score, p.first_seen, p.last_seen].map(q).join(",")); });
  cy.edges(":visible[!more_edge]").forEach(e => rows.push(["edge", e.data("type"), e.source().data("key"), e.target().data("key"), "", "", "", "", ""].map(q).join(",")));
  download("graph.csv", URL.createObjectURL(new Blob(["\ufeff" + rows.join("\n")], { type: "text/csv" })));
}
// the toolbar's time slider (graph_time.js) and the exports
export function timeControls(getCy, slider) {
  return h("span", { class: "inline" }, slider,
    h("button", { type: "button", testid: "export-png", onclick: () => exportPng(getCy()) }, "PNG"),
    h("button", { type: "button", testid: "export-graph-csv", onclick: () => exportCsv(getCy()) }, "CSV"));
}
