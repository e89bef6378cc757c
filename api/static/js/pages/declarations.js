// Trader: its own enterprise's declarations and their status.
import { api } from "../api.js";
import { t, applyI18n, status } from "../i18n.js";
import { h, showError, table, pager } from "../ui.js";

let S = null;
async function load(offset = 0) {
  try {
    const page = await api("/declarations", { query: { limit: 20, offset } });
    S.list.replaceChildren(table([
      { i18n: "key", key: "key" }, { i18n: "date", render: r => r.props.date || "" },
      { i18n: "hs", render: r => r.props.hs_code || "" }, { i18n: "office", render: r => r.props.office || "" },
      { i18n: "status", render: r => h("span", { class: "badge " + r.status, "data-status": r.status }, status(r.status)) }],
      page.items, { testid: "decl-table", onRow: r => open(r.key) }), pager(page, load));
    applyI18n(S.list);
  } catch (e) { showError(e); }
}
async function open(key) {
  try {
    const d = await api(`/declarations/${encodeURIComponent(key)}`);
    S.detail.replaceChildren(h("h3", {}, `${t("declaration")} ${d.key}`),
      h("p", {}, `${t("status")}: `, h("b", { testid: "decl-status", "data-status": d.status }, status(d.status))),
      h("table", { class: "props" }, Object.entries(d.props).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v))))));
  } catch (e) { showError(e); }
}
export async function mount(root, { session }) {
  S = { list: h("div"), detail: h("aside", { class: "panel", testid: "decl-panel" }) };
  root.append(h("h2", {}, `${t("nav_declarations")} · ${t("enterprise")} ${session.user.enterprise_key || ""}`),
    h("div", { class: "split" }, S.list, S.detail));
  await load();
}
