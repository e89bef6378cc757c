// Admin: users & roles, model versions (promote / roll back), data loads and quarantine, audit search.
import { api } from "../api.js";
import { t, applyI18n } from "../i18n.js";
import { h, toast, showError, table, pager } from "../ui.js";

const ROLES = ["admin", "analyst", "inspector", "duty_officer", "trader"];
let S = null;

async function users(box, offset = 0) {
  try {
    const page = await api("/users", { query: { limit: 20, offset } });
    const f = { username: h("input", { testid: "u-name" }), password: h("input", { type: "password", testid: "u-pass" }),
      role: h("select", { testid: "u-role" }, ROLES.map(r => h("option", { value: r }, r))),
      enterprise_key: h("input", { testid: "u-ent" }), pii: h("input", { type: "checkbox", testid: "u-pii" }) };
    box.replaceChildren(table([
      { i18n: "username", key: "username" }, { i18n: "role", render: u => {
          const sel = h("select", { onchange: () => patch(u.username, { role: sel.value }) }, ROLES.map(r => h("option", { value: r, selected: r === u.role }, r)));
          return sel; } },
      { i18n: "grants", render: u => h("label", {}, h("input", { type: "checkbox", checked: u.grants.includes("pii"),
          onchange: ev => patch(u.username, { grants: ev.target.checked ? ["pii"] : [] }) }), "pii") },
      { i18n: "enterprise", key: "enterprise_key" },
      { i18n: "active", render: u => h("input", { type: "checkbox", checked: u.active, onchange: ev => patch(u.username, { active: ev.target.checked }) }) }],
      page.items, { testid: "users-table" }), pager(page, o => users(box, o)),
      h("form", { class: "card inline", testid: "user-form", onsubmit: async ev => {
          ev.preventDefault();
          try {
            await api("/users", { method: "POST", body: { username: f.username.value, password: f.password.value, role: f.role.value,
              enterprise_key: f.enterprise_key.value || null, grants: f.pii.checked ? ["pii"] : [] } });
            toast(t("saved")); users(box);
          } catch (e) { showError(e); }
        } }, h("b", { i18n: "create_user" }), h("span", { i18n: "username" }), f.username, h("span", { i18n: "password" }), f.password,
        h("span", { i18n: "role" }), f.role, h("span", { i18n: "enterprise" }), f.enterprise_key, h("label", {}, f.pii, "pii"),
        h("button", { type: "submit", i18n: "save", testid: "u-save" })));
    applyI18n(box);
  } catch (e) { showError(e); }
}
async function patch(username, body) {
  try { await api(`/users/${encodeURIComponent(username)}`, { method: "PATCH", body }); toast(t("saved")); } catch (e) { showError(e); }
}

async function models(box) {
  try {
    const r = await api("/models");
    const cur = r.promoted && r.promoted.version;
    box.replaceChildren(h("p", {}, `${t("promoted")}: `, h("b", { testid: "promoted" }, cur || "–")),
      table([{ i18n: "version", key: "version" }, { i18n: "model", render: m => m.kind || m.model || m.name || "" },
        { i18n: "metrics", render: m => JSON.stringify(m.metrics || {}).slice(0, 120) }, { i18n: "time", render: m => m.created_at || "" },
        { i18n: "promote", render: m => m.version === cur ? h("b", { i18n: "promoted" }) :
            h("button", { type: "button", i18n: "promote", onclick: async () => { try { await api(`/models/${encodeURIComponent(m.version)}/promote`, { method: "POST" }); models(box); } catch (e) { showError(e); } } }) }],
        r.items, { testid: "models-table" }),
      h("button", { type: "button", i18n: "rollback", testid: "rollback", onclick: async () => { try { await api("/models/rollback", { method: "POST" }); models(box); } catch (e) { showError(e); } } }));
    applyI18n(box);
  } catch (e) { box.replaceChildren(h("p", { class: "muted" }, e.message)); }
}

async function data(box) {
  box.replaceChildren();
  try {
    const loads = await api("/ingest/loads", { query: { limit: 20 } });
    box.append(h("h4", { i18n: "loads" }), table(Object.keys(loads.items[0] || { source: 1 }).slice(0, 7).map(k => ({ label: k, key: k })), loads.items.map(x => Object.fromEntries(Object.entries(x).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : v]))), { testid: "loads-table" }));
  } catch (e) { box.append(h("p", { class: "muted" }, `${t("loads")}: ${e.message}`)); }
  try {
    const q = await api("/ingest/quarantine", { query: { limit: 50 } });
    box.append(h("h4", { i18n: "quarantine" }), table([{ label: "source", key: "source" }, { label: "row", render: r => r.row ?? r.line ?? "" },
      { label: "field", key: "field" }, { label: "reason", key: "reason" }], q.items, { testid: "quarantine-table" }));
  } catch (e) { box.append(h("p", { class: "muted" }, `${t("quarantine")}: ${e.message}`)); }
  applyI18n(box);
}

async function audit(box, offset = 0) {
  const f = S.auditFilters || (S.auditFilters = { actor: h("input", { testid: "a-actor", size: 10 }), action: h("input", { testid: "a-action", size: 14, placeholder: "graph." }),
    q: h("input", { testid: "a-q", size: 14 }) });
  const query = { actor: f.actor.value, action: f.action.value, q: f.q.value };
  try {
    const page = await api("/audit", { query: { ...query, limit: 25, offset } });
    const qs = new URLSearchParams(Object.entries(query).filter(([, v]) => v)).toString();
    const verdict = h("span", { testid: "a-verify-result" });
    box.replaceChildren(h("form", { class: "toolbar", onsubmit: ev => { ev.preventDefault(); audit(box); } },
        h("span", { i18n: "actor" }), f.actor, h("span", { i18n: "action" }), f.action, h("span", {}, "q"), f.q,
        h("button", { type: "submit", i18n: "search", testid: "a-search" }),
        h("a", { href: `/audit/export?format=csv&${qs}`, i18n: "export_csv", testid: "a-csv" }),
        h("a", { href: `/audit/export?format=jsonl&${qs}`, i18n: "export_jsonl" }),
        h("button", { type: "button", i18n: "verify", testid: "a-verify", onclick: async () => {
          try { const v = await api("/audit/verify"); verdict.textContent = v.ok ? `${t("chain_ok")} (${v.entries})` : `${t("chain_bad")}: ${v.reason}`; verdict.className = v.ok ? "ok" : "error"; } catch (e) { showError(e); } } }), verdict),
      table([{ label: "#", key: "seq" }, { i18n: "time", key: "ts" }, { i18n: "actor", key: "actor" }, { i18n: "role", key: "role" },
        { i18n: "action", key: "action" }, { i18n: "target", render: r => `${r.target_type} ${r.target_id}` },
        { i18n: "status", key: "outcome" }, { label: "detail", render: r => JSON.stringify(r.detail).slice(0, 100) }],
        page.items, { testid: "audit-table" }), pager(page, o => audit(box, o)));
    applyI18n(box);
  } catch (e) { showError(e); }
}

const TABS = { users, models, data, audit };
export async function mount(root) {
  S = {};
  const box = h("div", { class: "tab-body", testid: "admin-body" });
  const tabs = h("div", { class: "tabs" }, Object.keys(TABS).map(k => h("button", { type: "button", i18n: k, testid: "tab-" + k,
    onclick: ev => { tabs.querySelectorAll("button").forEach(b => b.classList.remove("active")); ev.target.classList.add("active"); TABS[k](box); } })));
  root.append(tabs, box);
  applyI18n(root);
  tabs.querySelector("button").classList.add("active");
  await users(box);
}
