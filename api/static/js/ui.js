// Small DOM helpers shared by the pages.
import { t } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else if (k === "i18n") { el.dataset.i18n = v; el.textContent = t(v); }
    else if (k === "ph") { el.dataset.i18nPh = v; el.placeholder = t(v); }
    else if (k === "testid") el.dataset.testid = v;
    else if (k === "class") el.className = v;
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}
export function toast(msg, kind = "info") {
  const el = document.getElementById("toast");
  el.textContent = msg; el.className = "show " + kind;
  clearTimeout(el._t); el._t = setTimeout(() => { el.className = ""; }, 4000);
}
export function showError(e) {
  if (e && e.name === "AbortError") return;
  const p = e && e.problem;
  let msg = e && e.message ? e.message : String(e);
  if (p && p.status === 403) msg = t("forbidden") + ": " + msg;
  if (p && p.status === 503) msg = t("unavailable") + ": " + msg;
  toast(msg, "error");
}
export function modal(...content) {
  const d = document.getElementById("modal");
  const body = document.getElementById("modal-body");
  body.replaceChildren(...content);
  if (!d.open) d.showModal();
  return d;
}
export function table(columns, rows, { testid, onRow } = {}) {
  const thead = h("thead", {}, h("tr", {}, columns.map(c => h("th", { i18n: c.i18n }, c.label || ""))));
  const tbody = h("tbody");
  if (!rows.length) tbody.append(h("tr", {}, h("td", { colspan: columns.length, class: "muted", i18n: "none" })));
  for (const r of rows) {
    const tr = h("tr", onRow ? { class: "clickable", onclick: () => onRow(r) } : {},
      columns.map(c => { const v = c.render ? c.render(r) : r[c.key]; return h("td", {}, v instanceof Node ? v : (v ?? "")); }));
    tbody.append(tr);
  }
  return h("table", { class: "grid", testid }, thead, tbody);
}
export function pager(page, onGo) {
  const { total, limit, offset } = page;
  return h("div", { class: "pager" },
    h("button", { type: "button", disabled: offset <= 0, i18n: "prev", onclick: () => onGo(Math.max(0, offset - limit)) }),
    h("span", { class: "muted" }, `${total ? offset + 1 : 0}–${Math.min(total, offset + limit)} / ${total}`),
    h("button", { type: "button", disabled: page.next_offset == null, i18n: "next", onclick: () => onGo(page.next_offset) }));
}
export function fmtScore(s) { return s === null || s === undefined ? "–" : Number(s).toFixed(3); }
