// Warning queue as cases: related warnings grouped (same rule + subject, linked entities,
// one scoring run); filters; bulk acknowledge / assign / close; a case's evidence (openable
// in the explorer), timeline and measures; each warning still steps on its own.
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, toast, showError, table, pager } from "../ui.js";
import { cap } from "../captions.js";

let S = null;
const NEXT = { open: ["acknowledged", "acknowledge"], acknowledged: ["in_progress", "handle"], in_progress: ["closed", "close_w"] };
const LEVEL_CLASS = { "红": "lv-red", "橙": "lv-orange", "黄": "lv-yellow", "蓝": "lv-blue" };
const msg = w => getLang() === "en" ? (w.message_en || w.message_zh) : (w.message_zh || w.message_en);
const ruleName = r => { const k = "rule_" + r, v = t(k); return v === k ? r : v; };
const title = c => getLang() === "en" ? (c.title_en || c.title_zh) : (c.title_zh || c.title_en);
const day = s => (s || "").replace("T", " ").slice(0, 16);
const levelBadge = l => h("span", { class: "badge " + (LEVEL_CLASS[l] || ""), testid: "case-level", "data-level": l }, t("lv_" + l));
const graphLink = n => "#/graph?" + new URLSearchParams({ label: n.label, key: n.key }).toString();
const PORTRAIT = new Set(["Enterprise", "Person", "Vehicle"]);
const portraitLink = n => "#/portrait?" + new URLSearchParams({ label: n.label, key: n.key }).toString();

function filters() {
  const v = el => el.value || undefined;
  return { status: S.f.status.value, level: v(S.f.level), rule: v(S.f.rule), port: v(S.f.port), assignee: v(S.f.assignee) };
}

async function bulk(body) {
  try {
    const r = await api("/warnings/bulk", { method: "POST", body });
    toast(`${t("changed_n")} ${r.changed}` + (r.failed.length ? ` · ✗ ${r.failed.length}` : ""), r.failed.length ? "error" : "info");
    S.checked.clear(); await load(S.offset); if (S.caseId) await openCase(S.caseId);
    return r;
  } catch (e) { showError(e); }
}

function bulkBar(getIds, { testPrefix, labels }) {
  const assignee = h("input", { ph: "assignee_ph", testid: testPrefix + "-assignee", size: 12 });
  const outcome = h("select", { testid: testPrefix + "-outcome" }, ["confirmed", "false_alarm", "inconclusive"].map(o => h("option", { value: o, i18n: o })));
  const feedback = h("input", { ph: "feedback", testid: testPrefix + "-feedback", size: 16 });
  const measures = h("input", { ph: "measures_ph", testid: testPrefix + "-measures", size: 22 });
  const go = (to, extra = {}) => { const b = getIds(); if (!b) return toast(t("selected") + ": 0", "error"); return bulk({ ...b, to, ...extra }); };
  return h("div", { class: "bulkbar card", testid: testPrefix + "-bar" },
    h("button", { type: "button", i18n: labels[0], testid: testPrefix + "-ack", onclick: () => go("acknowledged") }),
    assignee, h("button", { type: "button", i18n: labels[1], testid: testPrefix + "-assign", onclick: () => go("assigned", { assignee: assignee.value }) }),
    outcome, feedback, measures,
    h("button", { type: "button", class: "primary", i18n: labels[2], testid: testPrefix + "-close", onclick: () => go("closed", {
      outcome: outcome.value, feedback: feedback.value || undefined,
      measures: measures.value.split(/[,，]/).map(s => s.trim()).filter(Boolean) }) }));
}

async function load(offset = 0) {
  S.offset = offset;
  try {
    const page = await api("/warnings/cases", { query: { ...filters(), limit: 25, offset } });
    S.summary.textContent = `${page.total} ${t("cases")} · ${page.open_warnings} ${t("open_warnings")}`;
    const box = c => h("input", { type: "checkbox", testid: "case-check", checked: S.checked.has(c.id),
      onclick: ev => ev.stopPropagation(), onchange: ev => { ev.target.checked ? S.checked.add(c.id) : S.checked.delete(c.id); } });
    S.list.replaceChildren(table([
      { label: "", render: box }, { i18n: "level", render: c => levelBadge(c.level) },
      { i18n: "case", render: c => h("div", {}, h("div", { class: "case-title" }, title(c)),
          h("div", { class: "muted small", testid: "case-subjects" }, (c.subjects || []).slice(0, 3).map(cap).join("、"),
            c.n_subjects > 3 ? " …" : "", " · ", c.rules.map(ruleName).join(", "), " · ", c.n_subjects, " ", t("subjects"))) },
      { i18n: "n_warnings", render: c => h("b", { testid: "case-count" }, c.count) },
      { i18n: "status", render: c => h("span", { class: "badge " + c.status, testid: "case-status" }, t("st_" + c.status)) },
      { i18n: "port", render: c => c.ports.join(", ") || "–" },
      { i18n: "assignee", render: c => c.assignees.join(", ") || "–" },
      { i18n: "last_at", render: c => day(c.last_at) }],
      page.items || [], { testid: "cases-table", onRow: c => openCase(c.id) }), pager(page, load));
    S.page = page;
    applyI18n(S.list);
  } catch (e) { showError(e); }
}

function selectedIds() {
  if (!S.checked.size) return null;
  const ids = (S.page.items || []).filter(c => S.checked.has(c.id)).flatMap(c => c.warning_ids);
  return ids.length ? { ids } : null;
}

function refCap(nodes, ref) {
  const n = nodes.find(x => ref && x.label === ref[0] && x.key === ref[1]);
  return n ? cap(n) : (ref || []).join(":");
}

function evidenceView(ev) {
  const nodes = ev.nodes || [];
  return h("div", { testid: "case-evidence" },
    h("ul", { class: "list" }, nodes.slice(0, 40).map(n => h("li", { testid: "evidence-node" },
      h("span", { class: "badge" }, n.label), " ", h("b", { testid: "evidence-caption" }, cap(n)), " ",
      cap(n) !== n.key ? h("code", { class: "small muted" }, n.key) : null, " ",
      h("a", { href: graphLink(n), testid: "evidence-open", i18n: "open_in_graph" }),
      PORTRAIT.has(n.label) ? [" · ", h("a", { href: portraitLink(n), i18n: "portrait", testid: "evidence-portrait" })] : null))),
    nodes.length > 40 ? h("p", { class: "muted" }, `+${nodes.length - 40}`) : null,
    h("ul", { class: "list small" }, (ev.relationships || []).slice(0, 30).map(r =>
      h("li", {}, `${refCap(nodes, r.start)} —${r.type}→ ${refCap(nodes, r.end)}`))));
}

function warningRow(w) {
  const step = NEXT[w.status];
  const outcome = h("select", { testid: "w-outcome" }, ["confirmed", "false_alarm", "inconclusive"].map(o => h("option", { value: o, i18n: o })));
  const feedback = h("input", { testid: "w-feedback", ph: "feedback" });
  return h("li", { class: "warning-item", testid: "case-warning", "data-id": w.id },
    h("div", {}, levelBadge(w.level), ` #${w.id} · ${ruleName(w.rule)} · `, h("span", { class: "badge " + w.status, testid: "w-status" }, t("st_" + w.status)),
      w.occurrences > 1 ? ` ×${w.occurrences}` : "", " · ", day(w.created_at)),
    h("div", {}, msg(w)),
    step ? h("form", { class: "inline", onsubmit: async ev => { ev.preventDefault();
        const extra = step[0] === "closed" ? { outcome: outcome.value, feedback: feedback.value } : {};
        try { await api(`/warnings/${w.id}/transition`, { method: "POST", body: { to: step[0], ...extra } });
          toast(t("st_" + step[0])); await load(S.offset); await openCase(S.caseId); } catch (e) { showError(e); } } },
      step[0] === "closed" ? [outcome, feedback] : null,
      h("button", { type: "submit", i18n: step[1], testid: "w-next" })) : null);
}

async function openCase(id) {
  S.caseId = id;
  try {
    const c = await api(`/warnings/cases/${encodeURIComponent(id)}`);
    const byStatus = Object.entries(c.by_status).map(([s, n]) => `${t("st_" + s)} ${n}`).join(" · ");
    S.detail.replaceChildren(
      h("h3", { testid: "case-title" }, levelBadge(c.level), " ", title(c)),
      h("p", { class: "muted" }, `${c.id} · ${c.count} ${t("n_warnings")} · ${t("occurrences")} ${c.occurrences} · ${day(c.first_at)} → ${day(c.last_at)}`),
      h("p", {}, `${t("status")}: `, h("b", { testid: "case-detail-status" }, t("st_" + c.status)), " · ", byStatus),
      bulkBar(() => ({ case_id: c.id }), { testPrefix: "case", labels: ["case_ack", "case_assign", "case_close"] }),
      h("h4", { i18n: "evidence" }), evidenceView(c.evidence),
      h("h4", { i18n: "n_warnings" }), h("ul", { class: "list", testid: "case-warnings" }, c.warnings.slice(0, 50).map(warningRow)),
      c.warnings.length > 50 ? h("p", { class: "muted" }, `+${c.warnings.length - 50}`) : "",
      h("h4", { i18n: "measures" }), h("ul", { testid: "case-measures" }, c.measures.length ? c.measures.map(m => h("li", {}, `#${m.warning_id} · ${m.measure}`)) : h("li", { class: "muted", i18n: "none" })),
      h("h4", { i18n: "timeline" }), h("ol", { class: "timeline small", testid: "case-timeline" }, c.timeline.slice(-60).map(x =>
        h("li", {}, `${day(x.at)} · #${x.warning_id} · ${x.actor} · ${x.from_status ? t("st_" + x.from_status) + " → " : ""}${t("st_" + x.to_status)} ${x.note || ""}`))));
    applyI18n(S.detail);
  } catch (e) { showError(e); }
}

export async function mount(root) {
  S = { offset: 0, checked: new Set(), caseId: null, page: { items: [] } };
  const sel = (testid, opts, first) => h("select", { testid, onchange: () => load(0) }, first, opts);
  S.f = {
    status: sel("w-filter", ["open", "acknowledged", "in_progress", "closed"].map(s => h("option", { value: s, i18n: "st_" + s })), h("option", { value: "", i18n: "all_status" })),
    level: sel("w-level", ["红", "橙", "黄", "蓝"].map(l => h("option", { value: l, i18n: "lv_" + l })), h("option", { value: "", i18n: "all_levels" })),
    rule: h("input", { testid: "w-rule", ph: "rule", size: 14, onchange: () => load(0) }),
    port: h("input", { testid: "w-port", ph: "port", size: 6, onchange: () => load(0) }),
    assignee: h("input", { testid: "w-assignee", ph: "assignee", size: 10, onchange: () => load(0) }),
  };
  S.f.status.value = "open";
  S.summary = h("span", { class: "muted", testid: "cases-summary" });
  S.list = h("div"); S.detail = h("aside", { class: "panel case-panel", testid: "w-panel" }, h("p", { class: "muted", i18n: "pick_case" }));
  const selAll = h("label", {}, h("input", { type: "checkbox", testid: "case-select-all", onchange: ev => {
    (S.page.items || []).forEach(c => ev.target.checked ? S.checked.add(c.id) : S.checked.delete(c.id));
    S.list.querySelectorAll("[data-testid=case-check]").forEach(b => { b.checked = ev.target.checked; }); } }), h("span", { i18n: "select_all" }));
  root.append(
    h("div", { class: "toolbar" }, h("h2", { i18n: "cases" }), S.f.status, S.f.level, S.f.rule, S.f.port, S.f.assignee,
      h("button", { type: "button", i18n: "refresh", onclick: () => load(S.offset) }), S.summary),
    h("div", { class: "split wide-right" },
      h("div", { class: "case-list" }, h("div", { class: "inline" }, selAll,
        bulkBar(selectedIds, { testPrefix: "bulk", labels: ["bulk_ack", "bulk_assign", "bulk_close"] })), S.list),
      S.detail));
  applyI18n(root);
  await load();
}
