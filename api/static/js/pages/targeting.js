// Inspector targeting list: issue (port/date/budget), ranked items with reasons,
// open a declaration, record the inspection result.
import { api } from "../api.js";
import { t, getLang, applyI18n, status } from "../i18n.js";
import { h, toast, showError, table, fmtScore, pager } from "../ui.js";

let S = null;

function reasonText(r) {
  if (typeof r === "string") return r;
  if (r.zh || r.en) return getLang() === "en" ? (r.en || r.zh) : (r.zh || r.en);
  return r.text || r.reason || r.message || [r.feature || r.name, r.contribution !== undefined ? Number(r.contribution).toFixed(3) : ""].filter(Boolean).join(" ");
}

async function loadLists(offset = 0) {
  try {
    const page = await api("/targeting/lists", { query: { limit: 10, offset } });
    S.lists.replaceChildren(table([
      { i18n: "time", key: "created_at" }, { i18n: "port", key: "port" }, { i18n: "date", key: "date" },
      { i18n: "budget", key: "budget" }, { i18n: "items", key: "n_items" }, { i18n: "model", key: "model_version" }],
      page.items, { testid: "lists-table", onRow: r => openList(r.id) }), pager(page, loadLists));
    if (page.items.length && !S.listId) openList(page.items[0].id);
  } catch (e) { showError(e); }
}

async function openList(id) {
  try {
    const tl = await api(`/targeting/lists/${id}`);
    S.listId = id;
    S.items.replaceChildren(h("h3", {}, `${t("nav_targeting")} ${tl.id}`), table([
      { i18n: "rank", key: "rank" }, { i18n: "key", key: "key" }, { i18n: "score", render: r => fmtScore(r.score) },
      { i18n: "reasons", render: r => h("ul", { class: "reasons" }, (r.reasons || []).slice(0, 4).map(x => h("li", {}, reasonText(x)))) },
      { i18n: "status", render: r => h("span", { class: "badge " + r.status, "data-status": r.status }, status(r.status)) },
      { i18n: "open", render: r => h("button", { type: "button", i18n: "open", testid: "open-item", onclick: ev => { ev.stopPropagation(); openDeclaration(r); } }) }],
      tl.items, { testid: "items-table" }));
    applyI18n(S.items);
  } catch (e) { showError(e); }
}

async function openDeclaration(item) {
  try {
    const d = await api(`/declarations/${encodeURIComponent(item.key)}`);
    const findings = h("textarea", { testid: "findings", rows: 3 });
    const result = h("select", { testid: "result" }, h("option", { value: "hit", i18n: "hit" }), h("option", { value: "no_hit", i18n: "no_hit" }));
    S.detail.replaceChildren(
      h("h3", { testid: "decl-title" }, `${t("declaration")} ${d.key}`),
      h("p", {}, `${t("status")}: `, h("b", { testid: "decl-status", "data-status": d.status }, status(d.status))),
      h("table", { class: "props" }, Object.entries(d.props).map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v))))),
      h("h4", { i18n: "reasons" }), h("ul", {}, (item.reasons || []).map(x => h("li", {}, reasonText(x)))),
      h("form", { class: "card", testid: "inspection-form", onsubmit: async ev => {
          ev.preventDefault();
          try {
            await api("/inspections", { method: "POST", body: { label: "Declaration", key: d.key, result: result.value, findings: findings.value, list_id: S.listId } });
            toast(t("recorded")); openList(S.listId); openDeclaration(item);
          } catch (e) { showError(e); }
        } },
        h("h4", { i18n: "record_result" }), h("label", {}, h("span", { i18n: "outcome" }), result),
        h("label", {}, h("span", { i18n: "findings" }), findings),
        h("button", { type: "submit", i18n: "submit", testid: "inspection-submit" })),
      h("h4", { i18n: "inspections" }),
      h("ul", { testid: "decl-inspections" }, (d.inspections || []).map(i => h("li", {}, `${i.at} · ${i.inspector} · ${i.result} · ${i.findings}`))));
    applyI18n(S.detail);
  } catch (e) { showError(e); }
}

export async function mount(root, { session }) {
  S = { listId: null };
  const port = h("input", { name: "port", testid: "tl-port", size: 8 });
  const date = h("input", { name: "date", type: "date", testid: "tl-date" });
  const budget = h("input", { name: "budget", type: "number", min: 1, max: 1000, value: 20, testid: "tl-budget" });
  S.lists = h("div", { testid: "lists" }); S.items = h("div", { testid: "items" }); S.detail = h("aside", { class: "panel", testid: "decl-panel" });
  root.append(
    h("form", { class: "toolbar", testid: "issue-form", onsubmit: async ev => {
        ev.preventDefault();
        try {
          const tl = await api("/targeting/lists", { method: "POST", body: { port: port.value || null, date: date.value || null, budget: Number(budget.value) } });
          S.listId = tl.id; toast(`${tl.items.length} ${t("items")}`); await loadLists(); openList(tl.id);
        } catch (e) { showError(e); }
      } },
      h("label", {}, h("span", { i18n: "port" }), port), h("label", {}, h("span", { i18n: "date" }), date),
      h("label", {}, h("span", { i18n: "budget" }), budget),
      h("button", { type: "submit", i18n: "issue_list", testid: "issue-list" })),
    h("div", { class: "split" }, h("div", {}, h("h3", { i18n: "lists" }), S.lists, S.items), S.detail));
  applyI18n(root);
  await loadLists();
}
