// Cockpit (驾驶舱): declarations per day and share targeted, hit rate of issued lists over
// time, warnings by level/status with ageing, risk distribution, top risky entities, the
// serving model and a drift indicator (latest scoring run vs the model's training score
// distribution: PSI, KS, a plain sentence, both histograms); filter by port and date range. Charts: Chart.js
// (vendored, MIT).
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, showError, fmtScore } from "../ui.js";
import { cap } from "../captions.js";

let charts = [];
const pct = x => x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%";
const COLORS = { "红": "#d62728", "橙": "#ff9f1c", "黄": "#ffd43b", "蓝": "#4dabf7", "高": "#d62728", "中": "#ff9f1c", "低": "#2ca02c" };
const PALETTE = ["#1f6feb", "#ff9f1c", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

function chart(canvas, config) {
  if (!window.Chart) return;
  config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } }, config.options || {});
  charts.push(new window.Chart(canvas, config));
}

function box(i18n, testid) {
  const c = h("canvas", { testid });
  return [h("div", { class: "chart" }, h("h4", { i18n }), h("div", { style: "height:200px" }, c)), c];
}

function kpi(value, label, testid) {
  return h("div", { class: "kpi" }, h("div", { class: "v", testid }, value), h("div", { class: "l" }, label));
}

async function load(S) {
  charts.forEach(c => c.destroy()); charts = [];
  let c;
  try { c = await api("/cockpit", { query: { port: S.port.value || undefined, date_from: S.from.value || undefined, date_to: S.to.value || undefined } }); }
  catch (e) { S.body.replaceChildren(h("p", { class: "error" }, e.message)); if (S.body.isConnected) showError(e); return; }
  if (!S.body.isConnected) return;  // left (or overtaken by another navigation) meanwhile
  const hr = c.hit_rate, w = c.warnings, m = c.model || {};
  const days = c.declarations_per_day;
  const totalTargeted = days.reduce((a, d) => a + d.targeted, 0);
  const dr = c.drift || {}, psi = dr.psi;
  const DRIFT_I18N = { stable: "drift_ok", moderate: "drift_warn", significant: "drift_bad", unknown: "drift_unknown" };
  const driftLabel = psi == null ? t("drift_unknown") : `${t(DRIFT_I18N[dr.level] || "drift_unknown")} · ${psi.toFixed(3)}`;
  const driftText = getLang() === "en" ? dr.text_en : dr.text_zh;
  const openW = w.by_level_status.filter(x => x.status !== "closed").reduce((a, x) => a + x.n, 0);
  const metrics = m.metrics || {};
  const [b1, c1] = box("decl_per_day", "chart-decl"), [b2, c2] = box("hit_rate_over_time", "chart-hit"),
    [b3, c3] = box("warnings_by", "chart-warn"), [b4, c4] = box("ageing", "chart-age"),
    [b5, c5] = box("risk_dist", "chart-risk"), [b6, c6] = box("drift_chart", "chart-drift");
  b6.querySelector("div").style.height = "160px";
  b6.append(h("p", { class: "small drift-text", testid: "drift-text", "data-level": dr.level || "unknown" }, driftText || ""));
  S.body.replaceChildren(
    h("div", { class: "kpis" },
      kpi(c.declarations, t("declarations"), "kpi-declarations"),
      kpi(c.declarations ? pct(totalTargeted / c.declarations) : "–", t("share_targeted"), "kpi-share"),
      kpi(pct(hr.hit_rate), `${t("hit_rate")} · ${hr.hits}/${hr.inspected} · ${hr.lists} ${t("lists_n")}`, "kpi-hit-rate"),
      kpi(openW, t("open_w"), "kpi-open-warnings"),
      kpi(m.version || "–", `${t("serving_model")} · AUROC ${metrics.auroc ?? "–"} · P@10 ${metrics["precision@10"] ?? "–"}`, "kpi-model"),
      h("div", { class: "kpi drift-" + (dr.level || "unknown"), testid: "kpi-drift-box" },
        h("div", { class: "v", testid: "kpi-drift", "data-level": dr.level || "unknown" }, driftLabel),
        h("div", { class: "l" }, `${t("drift")} · ${t("drift_vs_training")}`))),
    h("div", { class: "charts" }, b1, b2, b3, b4, b5, b6,
      h("div", { class: "chart", style: "overflow:auto" }, h("h4", { i18n: "top_entities" }),
        h("ol", { class: "small", testid: "top-entities" }, c.top_entities.map(n => h("li", {},
          h("a", { href: "#/portrait?" + new URLSearchParams({ label: n.label, key: n.key }), testid: "top-entity-link" }, cap(n)),
          ` · ${n.label} · ${n.props.risk_level ? t("lv_" + n.props.risk_level) : ""} ${fmtScore(n.props.risk_score)}`))))));
  applyI18n(S.body);
  chart(c1, { type: "bar", data: { labels: days.map(d => d.date), datasets: [
    { label: t("declarations"), data: days.map(d => d.declarations), backgroundColor: "#9fc3f5", yAxisID: "y" },
    { label: t("share_targeted"), data: days.map(d => 100 * d.share_targeted), type: "line", borderColor: "#d62728", yAxisID: "y1", pointRadius: 1 }] },
    options: { scales: { y: { beginAtZero: true }, y1: { position: "right", beginAtZero: true, max: 100, grid: { drawOnChartArea: false } } } } });
  chart(c2, { type: "line", data: { labels: hr.by_day.map(d => d.date), datasets: [
    { label: t("hit_rate") + " %", data: hr.by_day.map(d => d.hit_rate == null ? null : 100 * d.hit_rate), borderColor: "#2ca02c", pointRadius: 3 }] },
    options: { scales: { y: { beginAtZero: true, max: 100 } } } });
  const statuses = ["open", "acknowledged", "in_progress", "closed"], levels = ["红", "橙", "黄", "蓝"];
  chart(c3, { type: "bar", data: { labels: statuses.map(s => t("st_" + s)), datasets: levels.map(l => ({
    label: t("lv_" + l), backgroundColor: COLORS[l], data: statuses.map(s => (w.by_level_status.find(x => x.level === l && x.status === s) || { n: 0 }).n) })) },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } } });
  chart(c4, { type: "bar", data: { labels: w.ageing.map(a => a.bucket), datasets: [{ label: t("open_w"), data: w.ageing.map(a => a.n), backgroundColor: "#ff9f1c" }] },
    options: { plugins: { legend: { display: false } } } });
  const groups = Object.keys(c.risk_distribution), lv = ["高", "中", "低"];
  chart(c5, { type: "bar", data: { labels: groups.map(g => t(g.toLowerCase()) === g.toLowerCase() ? g : t(g.toLowerCase())), datasets: lv.map((l, i) => ({
    label: t("lv_" + l), backgroundColor: COLORS[l] || PALETTE[i], data: groups.map(g => c.risk_distribution[g][l] || 0) })) },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } } });
  driftChart(c6, dr);
}

function driftChart(canvas, dr) {
  const hg = dr.histogram || {};
  if (!(hg.reference || []).length && !(hg.current || []).length) return;
  const n = hg.bins || 20, labels = Array.from({ length: n }, (_, i) => (i / n).toFixed(2));
  chart(canvas, { type: "bar", data: { labels, datasets: [
    { label: t("drift_training"), data: (hg.reference || []).map(x => 100 * x), backgroundColor: "rgba(31,111,235,0.45)" },
    { label: t("drift_latest"), data: (hg.current || []).map(x => 100 * x), backgroundColor: "rgba(214,39,40,0.45)" }] },
    options: { scales: { y: { beginAtZero: true, title: { display: true, text: "%" } } } } });
}

export async function mount(root) {
  const S = {};
  S.port = h("input", { testid: "ck-port", size: 6, ph: "port" });
  S.from = h("input", { type: "date", testid: "ck-from" });
  S.to = h("input", { type: "date", testid: "ck-to" });
  S.body = h("div", { testid: "cockpit-body" });
  root.append(h("form", { class: "toolbar", onsubmit: ev => { ev.preventDefault(); load(S); } },
    h("h2", { i18n: "nav_cockpit" }), h("label", {}, h("span", { i18n: "port" }), S.port),
    h("label", {}, h("span", { i18n: "date_from" }), S.from), h("label", {}, h("span", { i18n: "date_to" }), S.to),
    h("button", { type: "submit", i18n: "apply", testid: "ck-apply" })), S.body);
  applyI18n(root);
  await load(S);
}
export function unmount() { charts.forEach(c => c.destroy()); charts = []; }
