// Inspector targeting list: the date defaults to the latest day with declarations; a list is
// built as a job with progress; every failure is shown; each list shows its hit rate once
// inspections come in; CSV export; open a declaration and record the inspection result.
import { api } from "../api.js";
import { t, getLang, applyI18n, status } from "../i18n.js";
import { h, toast, showError, table, fmtScore, pager } from "../ui.js";

let S = null;
const pct = x => x === null || x === undefined ? "–" : (100 * x).toFixed(1) + "%";
const outcomeText = r => r.inspected ? `${r.hits}/${r.inspected} · ${pct(r.hit_rate)}` : "–";

function reasonText(r) {
  if (typeof r === "string") return r;
  if (r.zh || r.en) return getLang() === "en" ? (r.en || r.zh) : (r.zh || r.en);
  return r.text || r.reason || r.message || [r.feature || r.name, r.contribution !== undefined ? Number(r.contribution).toFixed(3) : ""].filter(Boolean).join(" ");
}

function message(text, kind = "error") {
  S.msg.textContent = text || ""; S.msg.className = kind === "error" ? "error" : "muted";
}

async function loadDefaults() {
  try {
    const d = await api("/targeting/defaults");
    S.defaults = d;
    if (d.latest_date && !S.date.value) S.date.value = d.latest_date;
    if (d.port && !S.port.value) { S.port.value = d.port; S.port.readOnly = true; }
    const n = (d.dates || []).find(x => x.date === d.latest_date);
    S.hint.textContent = d.latest_date ? `${t("latest_date_hint")}: ${d.latest_date}${n ? ` (${n.n} ${t("decl_on_date")})` : ""}` : t("no_items_msg");
  } catch (e) { message(e.message); showError(e); }
}

async function loadLists(offset = 0) {
  try {
    const page = await api("/targeting/lists", { query: { limit: 10, offset } });
    S.lists.replaceChildren(table([
      { i18n: "time", render: r => (r.created_at || "").replace("T", " ").slice(0, 16) }, { i18n: "port", key: "port" }, { i18n: "date", key: "date" },
      { i18n: "budget", key: "budget" }, { i18n: "items", key: "n_items" },
      { i18n: "hit_rate", render: r => h("span", { testid: "row-hit-rate" }, outcomeText(r)) }, { i18n: "model", key: "model_version" }],
      page.items, { testid: "lists-table", onRow: r => openList(r.id) }), pager(page, loadLists));
    applyI18n(S.lists);
    if (page.items.length && !S.listId) openList(page.items[0].id);
  } catch (e) { showError(e); }
}

async function openList(id) {
  try {
    const tl = await api(`/targeting/lists/${id}`);
    S.listId = id;
    S.items.replaceChildren(
      h("div", { class: "toolbar" }, h("h3", {}, `${t("nav_targeting")} ${tl.id}`),
        h("span", { class: "badge", testid: "list-hit-rate" }, `${t("hit_rate")} ${outcomeText(tl)}`),
        h("span", { class: "muted" }, `${tl.date || ""} · ${tl.port || "*"} · ${tl.model_version || ""}`),
        h("a", { href: `/targeting/lists/${encodeURIComponent(tl.id)}/export.csv`, download: `${tl.id}.csv`, class: "button", testid: "export-csv", i18n: "export_csv" })),
      table([
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
            toast(t("recorded")); await openList(S.listId); await openDeclaration(item); loadLists();
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

async function issue(ev) {
  ev.preventDefault();
  message("", "info");
  S.submit.disabled = true;
  const bar = h("progress", { class: "progress", max: 1, value: 0, testid: "tl-progress" });
  const stage = h("span", { class: "muted", testid: "tl-stage" }, t("stage_queued"));
  S.job.replaceChildren(h("span", { i18n: "job_running" }), " ", bar, " ", stage);
  try {
    let j = await api("/targeting/jobs", { method: "POST", body: { port: S.port.value || null, date: S.date.value || null, budget: Number(S.budget.value) } });
    while (j.status === "running") {
      bar.value = j.progress; stage.textContent = `${t("stage_" + j.stage)} · ${j.elapsed_s ?? 0}s`;
      await new Promise(r => setTimeout(r, 400));
      j = await api(`/targeting/jobs/${j.id}`);
    }
    bar.value = 1;
    if (j.status === "failed") { stage.textContent = "✗"; message(j.error); toast(j.error, "error"); return; }
    stage.textContent = `${t("stage_done")} · ${j.elapsed_s}s`;
    S.listId = j.list_id; toast(`${j.n_items} ${t("items")}`); await loadLists(); await openList(j.list_id);
  } catch (e) { message(e.message); showError(e); }
  finally { S.submit.disabled = false; }
}

export async function mount(root) {
  S = { listId: null, defaults: null };
  S.port = h("input", { name: "port", testid: "tl-port", size: 8 });
  S.date = h("input", { name: "date", type: "date", testid: "tl-date" });
  S.budget = h("input", { name: "budget", type: "number", min: 1, max: 200, value: 20, testid: "tl-budget" });
  S.submit = h("button", { type: "submit", i18n: "issue_list", testid: "issue-list" });
  S.hint = h("span", { class: "hint", testid: "tl-hint" });
  S.msg = h("p", { class: "error", testid: "tl-message", role: "alert" });
  S.job = h("span", { class: "inline", testid: "tl-job" });
  S.lists = h("div", { testid: "lists" }); S.items = h("div", { testid: "items" }); S.detail = h("aside", { class: "panel", testid: "decl-panel" });
  root.append(
    h("form", { class: "toolbar", testid: "issue-form", onsubmit: issue },
      h("label", {}, h("span", { i18n: "port" }), S.port), h("label", {}, h("span", { i18n: "date" }), S.date),
      h("button", { type: "button", testid: "tl-date-latest", title: t("latest_date_hint"), onclick: () => { if (S.defaults) S.date.value = S.defaults.latest_date || ""; message("", "info"); } }, "⟲"),
      h("label", {}, h("span", { i18n: "budget" }), S.budget), S.submit, S.job, S.hint),
    S.msg,
    h("div", { class: "split" }, h("div", {}, h("h3", { i18n: "lists" }), S.lists, S.items), S.detail));
  applyI18n(root);
  await loadDefaults();
  await loadLists();
}
