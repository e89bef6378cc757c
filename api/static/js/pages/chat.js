// Trader consult chat: streamed answer (SSE over fetch), citations as footnotes opening the
// article text, stop button, history (kept in this browser, per user), and how much of the
// corpus the semantic channel covers while the background embedding runs (/qa/coverage).
import { api } from "../api.js";
import { t, applyI18n } from "../i18n.js";
import { h, showError, modal } from "../ui.js";

let S = null;
const histKey = () => `ps_chat_${S.user}`;
const loadHist = () => { try { return JSON.parse(localStorage.getItem(histKey()) || "[]"); } catch { return []; } };
const saveHist = hist => localStorage.setItem(histKey(), JSON.stringify(hist.slice(-50)));

function citeLabel(c) { return c.title || [c.law, c.number].filter(Boolean).join(" ") || c.article_id || c.id; }

async function openArticle(c) {
  const id = c.article_id || c.id;
  try {
    const a = await api(`/knowledge/articles/${encodeURIComponent(id)}`);
    modal(h("h3", { testid: "article-title" }, [a.law || a.title || "", a.number || ""].join(" ")),
      h("div", { class: "article-text", testid: "article-text" }, a.text || ""));
  } catch (e) { showError(e); }
}

function renderAnswer(box, text, cites) {
  // "[1]" markers in the text become clickable footnote refs
  const parts = String(text).split(/(\[\d+\])/g).map(p => {
    const m = /^\[(\d+)\]$/.exec(p); if (!m) return p;
    const c = cites.find(x => String(x.n) === m[1]);
    return c ? h("sup", {}, h("a", { href: "#", class: "fn", onclick: ev => { ev.preventDefault(); openArticle(c); } }, p)) : p;
  });
  box.querySelector(".text").replaceChildren(...parts);
  const fn = box.querySelector(".footnotes");
  fn.replaceChildren(...cites.map(c => h("li", { testid: "citation" },
    h("a", { href: "#", onclick: ev => { ev.preventDefault(); openArticle(c); } }, `[${c.n}] ${citeLabel(c)}`))));
}

function bubble(role, text = "") {
  const box = h("div", { class: "msg " + role, testid: role === "user" ? "msg-user" : "msg-answer" },
    h("div", { class: "text" }, text), h("ol", { class: "footnotes" }));
  S.log.append(box); S.log.scrollTop = S.log.scrollHeight;
  return box;
}

async function ask(ev) {
  ev && ev.preventDefault();
  const q = S.input.value.trim(); if (!q || S.ctrl) return;
  S.input.value = "";
  bubble("user", q);
  const box = bubble("assistant");
  let text = "", cites = [], refused = false;
  S.ctrl = new AbortController(); S.send.disabled = true; S.stop.disabled = false;
  try {
    const res = await api("/qa/chat", { method: "POST", body: { question: q, history: S.turns.slice(-6) }, signal: S.ctrl.signal, raw: true });
    const reader = res.body.getReader(); const dec = new TextDecoder(); let buf = "";
    for (;;) {
      const { value, done } = await reader.read(); if (done) break;
      buf += dec.decode(value, { stream: true });
      let i;
      while ((i = buf.indexOf("\n\n")) >= 0) {
        const chunk = buf.slice(0, i); buf = buf.slice(i + 2);
        const data = chunk.split("\n").filter(l => l.startsWith("data:")).map(l => l.slice(5).trim()).join("\n");
        if (!data) continue;
        const e = JSON.parse(data);
        if (e.type === "token") text += e.text || "";
        else if (e.type === "citation") cites.push({ n: e.n ?? cites.length + 1, ...e });
        else if (e.type === "done") { if (e.citations) cites = e.citations.map((c, k) => ({ n: c.n ?? k + 1, ...c })); if (e.answer && !text) text = e.answer; refused = !!e.refused; }
        else if (e.type === "error") throw new Error(e.detail);
        renderAnswer(box, text, cites);
      }
    }
    if (refused) box.classList.add("refused");
  } catch (e) {
    if (e.name === "AbortError") { text += ` (${t("stopped")})`; box.classList.add("stopped"); } else showError(e);
  } finally {
    S.ctrl = null; S.send.disabled = false; S.stop.disabled = true;
    renderAnswer(box, text, cites);
    S.turns.push({ role: "user", content: q }, { role: "assistant", content: text.slice(0, 4000) });
    const hist = loadHist(); hist.push({ q, a: text, cites, at: new Date().toISOString() }); saveHist(hist); renderHistory();
  }
}

function coverageText(c) {
  if (!c || c.state === "off") return t("cov_off");
  if (c.state === "done") return t("cov_done");
  const pct = `${(100 * (c.coverage || 0)).toFixed(1)}%`;
  const n = `${(c.embedded || 0).toLocaleString()} / ${(c.total || 0).toLocaleString()} ${t("cov_articles")}`;
  if (c.state === "running") {
    const eta = c.eta_s ? ` · ${t("cov_eta")} ${Math.max(1, Math.round(c.eta_s / 60))} ${t("cov_min")}` : "";
    return `${t("cov_running")} ${pct} (${n})${eta}`;
  }
  return `${t("cov_partial")} · ${pct} (${n})`;
}

async function pollCoverage() {
  const my = S;  // a page mounted again (language switch) runs its own poll
  if (!my || !my.cov) return;
  let c = null;
  try { c = await api("/qa/coverage"); } catch { c = null; }
  if (S !== my || !my.cov) return;
  my.cov.textContent = c ? coverageText(c) : "";
  my.cov.dataset.state = c ? c.state : "unknown";
  my.cov.hidden = !c;
  if (c && c.state === "running") my.covTimer = setTimeout(pollCoverage, 3000);
}

function renderHistory() {
  S.hist.replaceChildren(...loadHist().slice().reverse().map(item => h("li", { class: "clickable", testid: "history-item",
    onclick: () => { S.log.replaceChildren(); bubble("user", item.q); const b = bubble("assistant"); renderAnswer(b, item.a, item.cites || []); } },
    item.q.slice(0, 40))));
}

export async function mount(root, { session }) {
  S = { user: session.user.username, turns: [], ctrl: null };
  S.log = h("div", { class: "chat-log", testid: "chat-log" });
  S.input = h("textarea", { ph: "ask_ph", rows: 2, testid: "chat-input",
    onkeydown: ev => { if (ev.key === "Enter" && !ev.shiftKey) ask(ev); } });
  S.send = h("button", { type: "submit", i18n: "send", testid: "chat-send" });
  S.stop = h("button", { type: "button", i18n: "stop", testid: "chat-stop", disabled: true, onclick: () => S.ctrl && S.ctrl.abort() });
  S.hist = h("ul", { class: "list", testid: "chat-history" });
  S.cov = h("div", { class: "chat-coverage", testid: "chat-coverage", hidden: true });
  root.append(h("div", { class: "split chat" },
    h("div", { class: "chat-main" }, S.cov, S.log, h("form", { class: "chat-form", onsubmit: ask }, S.input, S.send, S.stop)),
    h("aside", { class: "panel" }, h("h3", { i18n: "history" }),
      h("button", { type: "button", i18n: "new_chat", onclick: () => { S.turns = []; S.log.replaceChildren(); } }), S.hist)));
  applyI18n(root); renderHistory(); pollCoverage();
}
export function unmount() { if (S && S.ctrl) S.ctrl.abort(); if (S) { clearTimeout(S.covTimer); S.cov = null; } }
