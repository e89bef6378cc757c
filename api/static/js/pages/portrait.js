// Entity portrait (企业画像; persons and vehicles lighter): identity (masked), credit, risk
// and its explanation with evidence paths, declarations per month, inspections and hit
// rate, cases, linked entities, open warnings, the risk score's trend over scoring runs.
// Opened as #/portrait?label=…&key=…
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, showError, fmtScore } from "../ui.js";
import { cap } from "../captions.js";

let charts = [];
const pct = x => x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%";
const txt = (o, base = "text") => getLang() === "en" ? (o[base + "_en"] || o[base + "_zh"] || o[base] || "") : (o[base + "_zh"] || o[base] || o[base + "_en"] || "");
const link = (n, what = "portrait") => "#/" + what + "?" + new URLSearchParams({ label: n.label, key: n.key }).toString();
const PORTRAIT = new Set(["Enterprise", "Person", "Vehicle"]);
const level = lv => lv ? t("lv_" + lv) : "";  // 高/中/低 as stored; "high"… in English
const caption = n => cap(n) && cap(n) !== n.key ? `${cap(n)} (${n.key})` : n.key;

function nodeItem(n, extra) {
  return h("li", {}, h("span", { class: "badge" }, n.label), " ",
    PORTRAIT.has(n.label) ? h("a", { href: link(n), testid: "portrait-link" }, caption(n)) : caption(n),
    n.masked ? h("span", { class: "badge masked" }, t("masked_note")) : null,
    n.props && n.props.risk_level ? [" · ", level(n.props.risk_level), " ", fmtScore(n.props.risk_score)] : null,
    extra ? [" · ", extra] : null, " ", h("a", { href: link(n, "graph"), class: "small", i18n: "open_in_graph" }));
}

function trendChart(canvas, trend) {
  if (!window.Chart || !trend.length) return;
  const LV = { "高": "#d62728", "中": "#ff9f1c", "低": "#2ca02c" };
  charts.push(new window.Chart(canvas, { type: "line", data: {
    labels: trend.map(p => (p.scored_at || "").replace("T", " ").slice(0, 16)),
    datasets: [{ label: t("risk_score"), data: trend.map(p => p.score), borderColor: "#1f6feb", tension: 0.2,
      pointRadius: 4, pointBackgroundColor: trend.map(p => LV[p.level] || "#888") }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, scales: { y: { min: 0, max: 1 } },
      plugins: { legend: { display: false }, tooltip: { callbacks: {
        afterLabel: c => `${level(trend[c.dataIndex].level)} · ${trend[c.dataIndex].model_version}` } } } } }));
}

function trendText(trend) {
  if (!trend.length) return t("trend_none");
  const last = trend[trend.length - 1], prev = trend.length > 1 ? trend[trend.length - 2] : null;
  const d = prev ? last.score - prev.score : null;
  const move = d === null ? t("trend_first") : Math.abs(d) < 0.005 ? t("trend_flat")
    : `${d > 0 ? t("trend_up") : t("trend_down")} ${Math.abs(d).toFixed(3)}`;
  return `${trend.length} ${t("trend_runs")} · ${t("trend_last")} ${fmtScore(last.score)} (${level(last.level) || "–"}, ${last.model_version}) · ${move}`;
}

function section(i18n, ...body) { return h("div", { class: "card" }, h("h4", { i18n }), ...body); }

function barChart(canvas, labels, data, label) {
  if (!window.Chart) return;
  charts.push(new window.Chart(canvas, { type: "bar", data: { labels, datasets: [{ label, data, backgroundColor: "#1f6feb" }] },
    options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } } } }));
}

export async function mount(root, { params }) {
  const label = params.get("label") || "Enterprise", key = params.get("key");
  if (!key) { root.append(h("p", { class: "muted", i18n: "select_node" })); applyI18n(root); return; }
  let p;
  try { p = await api(`/portrait/${encodeURIComponent(label)}/${encodeURIComponent(key)}`, { query: { lang: getLang() } }); }
  catch (e) { root.append(h("p", { class: "error", testid: "portrait-error" }, e.message)); if (root.isConnected) showError(e); return; }
  if (!root.isConnected) return;  // left (or overtaken by another navigation) meanwhile
  const props = p.node.props || {}, r = p.risk || {}, ex = p.explanation || {};
  const canvas = h("canvas", { testid: "portrait-chart" });
  const trendCanvas = h("canvas", { testid: "portrait-trend-chart" });
  const trend = p.trend || [];
  const idRows = Object.entries(props).filter(([k]) => !["risk_score", "risk_level", "model_version", "scored_at", "sources"].includes(k)).slice(0, 14);
  root.append(
    h("div", { class: "toolbar" }, h("h2", { testid: "portrait-title" }, h("span", { class: "badge" }, label), " ", cap(p.node) || p.node.key,
        cap(p.node) !== p.node.key ? h("span", { class: "muted small" }, " ", p.node.key) : null),
      p.node.masked ? h("span", { class: "badge masked", testid: "portrait-masked" }, t("masked_note")) : null,
      h("a", { href: link(p.node, "graph"), i18n: "open_in_graph" })),
    h("div", { class: "kpis" },
      h("div", { class: "kpi" }, h("div", { class: "v", testid: "portrait-risk" }, r.risk_score == null ? "–" : fmtScore(r.risk_score)), h("div", { class: "l" }, `${t("risk_score")} · ${level(r.risk_level) || t("no_score")} · ${r.model_version || ""}`)),
      h("div", { class: "kpi" }, h("div", { class: "v" }, props.credit_level || "–"), h("div", { class: "l", i18n: "credit" })),
      h("div", { class: "kpi" }, h("div", { class: "v", testid: "portrait-decls" }, p.declarations.total), h("div", { class: "l" }, `${t("declarations")} · ${p.declarations.fraud_recorded} ${t("fraud_recorded")}`)),
      h("div", { class: "kpi" }, h("div", { class: "v", testid: "portrait-hit-rate" }, pct(p.inspections.hit_rate)), h("div", { class: "l" }, `${t("hit_rate")} · ${p.inspections.hits}/${p.inspections.total}`)),
      h("div", { class: "kpi" }, h("div", { class: "v" }, p.open_warnings.length), h("div", { class: "l", i18n: "open_w" }))),
    h("div", { class: "portrait-grid" },
      h("div", {},
        section("identity", h("table", { class: "props" }, idRows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, Array.isArray(v) ? v.join(", ") : String(v)))))),
        section("explanation",
          h("h5", { i18n: "risk_trend" }), trend.length ? h("div", { class: "chart trend" }, trendCanvas) : null,
          h("p", { class: "muted small", testid: "portrait-trend" }, trendText(trend)),
          h("p", { class: "muted small", i18n: trend.length && trend[trend.length - 1].kind === "declaration" ? "trend_note_decl" : "trend_note" }),
          h("p", { testid: "portrait-explanation" }, txt(ex) || t("none")),
          h("ul", { class: "reasons" }, (ex.reasons || []).map(x => h("li", { testid: "portrait-reason" }, txt(x),
            (x.paths || []).length ? h("div", { class: "muted small" }, (x.paths[0].nodes || []).map(n => Array.isArray(n) ? n[1] : n.key).join(" → ")) : null)))),
        section("open_w", h("ul", { class: "list", testid: "portrait-warnings" }, p.open_warnings.length ? p.open_warnings.map(w =>
          h("li", {}, h("span", { class: "badge" }, t("lv_" + w.level)), " ", getLang() === "en" ? w.message_en : w.message_zh)) : h("li", { class: "muted", i18n: "none" }))),
        section("cases", h("ul", { class: "list", testid: "portrait-cases" }, p.cases.length ? p.cases.map(c =>
          h("li", {}, h("a", { href: "#/warnings" }, c.id), ` · ${t("lv_" + c.level)} · ${t("st_" + c.status)} · ${c.count} · `, getLang() === "en" ? c.title_en : c.title_zh)) : h("li", { class: "muted", i18n: "none" })))),
      h("div", {},
        section("decl_by_month", h("div", { class: "chart" }, canvas)),
        section("shared_links", h("ul", { class: "list", testid: "portrait-shared" }, p.shared.length ? p.shared.map(s => nodeItem(s.node, `${s.via.label} ${cap(s.via)}`)) : h("li", { class: "muted", i18n: "none" }))),
        section("linked_entities", h("ul", { class: "list", testid: "portrait-linked" }, p.linked.length ? p.linked.slice(0, 30).map(x => nodeItem(x.node)) : h("li", { class: "muted", i18n: "none" }))),
        section("latest_decls", h("ul", { class: "list" }, p.declarations.latest.map(d => h("li", {}, `${d.key} · ${d.props.date || ""} · ${d.props.hs_code || ""} · ${level(d.props.risk_level)}`)))))));
  applyI18n(root);
  trendChart(trendCanvas, trend);
  barChart(canvas, p.declarations.by_month.map(m => m.month), p.declarations.by_month.map(m => m.n), t("declarations"));
}
export function unmount() { charts.forEach(c => c.destroy()); charts = []; }
