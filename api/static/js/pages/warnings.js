// Duty officer warning queue: open → acknowledged → in_progress → closed (outcome + feedback).
import { api } from "../api.js";
import { t, getLang, applyI18n } from "../i18n.js";
import { h, toast, showError, table, pager } from "../ui.js";

let S = null;
const NEXT = { open: ["acknowledged", "acknowledge"], acknowledged: ["in_progress", "handle"], in_progress: ["closed", "close_w"] };

async function transition(w, to, extra = {}) {
  try {
    await api(`/warnings/${w.id}/transition`, { method: "POST", body: { to, ...extra } });
    toast(t("st_" + to)); await load(S.offset); await open(w.id);
  } catch (e) { showError(e); }
}

async function load(offset = 0) {
  S.offset = offset;
  try {
    const page = await api("/warnings", { query: { status: S.status.value || undefined, limit: 20, offset } });
    S.list.replaceChildren(table([
      { label: "#", key: "id" }, { i18n: "level", key: "level" },
      { i18n: "status", render: r => h("span", { class: "badge " + r.status, testid: "w-status" }, t("st_" + r.status)) },
      { i18n: "message", render: r => getLang() === "en" ? (r.message_en || r.message_zh) : (r.message_zh || r.message_en) },
      { i18n: "port", key: "port" }, { i18n: "time", key: "created_at" }],
      page.items || [], { testid: "warnings-table", onRow: r => open(r.id) }), pager(page, load));
    applyI18n(S.list);
  } catch (e) { showError(e); }
}

async function open(id) {
  try {
    const w = await api(`/warnings/${id}`);
    const step = NEXT[w.status];
    const outcome = h("select", { testid: "w-outcome" }, ["confirmed", "false_alarm", "inconclusive"].map(o => h("option", { value: o, i18n: o })));
    const feedback = h("textarea", { testid: "w-feedback", rows: 3 });
    const note = h("input", { testid: "w-note" });
    S.detail.replaceChildren(...[
      h("h3", { testid: "w-title" }, `#${w.id} · ${w.rule} · ${w.level}`),
      h("p", {}, getLang() === "en" ? (w.message_en || w.message_zh) : (w.message_zh || w.message_en)),
      h("p", {}, `${t("status")}: `, h("b", { testid: "w-detail-status" }, t("st_" + w.status))),
      step ? h("form", { class: "card", testid: "w-form", onsubmit: ev => { ev.preventDefault();
          const extra = step[0] === "closed" ? { outcome: outcome.value, feedback: feedback.value, note: feedback.value } : { note: note.value };
          transition(w, step[0], extra); } },
        step[0] === "closed" ? [h("label", {}, h("span", { i18n: "outcome" }), outcome), h("label", {}, h("span", { i18n: "feedback" }), feedback)]
          : h("label", {}, h("span", { i18n: "message" }), note),
        h("button", { type: "submit", i18n: step[1], testid: "w-next" })) : null,
      h("h4", {}, "⟲"), h("ul", { testid: "w-transitions" }, (w.transitions || []).map(x =>
        h("li", {}, `${x.at} · ${x.actor} · ${x.from_status || ""} → ${x.to_status} ${x.note || ""}`)))].filter(Boolean));
    applyI18n(S.detail);
  } catch (e) { showError(e); }
}

export async function mount(root) {
  S = { offset: 0 };
  S.status = h("select", { testid: "w-filter", onchange: () => load(0) }, h("option", { value: "" }, "*"),
    ["open", "acknowledged", "in_progress", "closed"].map(s => h("option", { value: s, i18n: "st_" + s })));
  S.list = h("div"); S.detail = h("aside", { class: "panel", testid: "w-panel" });
  root.append(h("div", { class: "toolbar" }, h("h2", { i18n: "warnings" }), S.status,
    h("button", { type: "button", i18n: "refresh", onclick: () => load(S.offset) })), h("div", { class: "split" }, S.list, S.detail));
  applyI18n(root);
  await load();
}
