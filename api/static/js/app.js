// Shell: sign-in, role-based navigation, hash router, language toggle.
import { api } from "./api.js";
import { t, setLang, getLang, applyI18n } from "./i18n.js";
import { h, showError } from "./ui.js";

const PAGES = {
  graph: () => import("./pages/graph.js"), targeting: () => import("./pages/targeting.js"),
  warnings: () => import("./pages/warnings.js"), chat: () => import("./pages/chat.js"),
  admin: () => import("./pages/admin.js"), declarations: () => import("./pages/declarations.js"),
  cockpit: () => import("./pages/cockpit.js"), portrait: () => import("./pages/portrait.js"),
};
// pages derived from the server's list: the cockpit for whoever reads graph, warnings or
// targeting (first in the menu); portraits (not in the menu) for graph or warnings readers
function pagesOf(user) {
  const p = [...user.pages];
  if (["graph", "warnings", "targeting"].some(x => p.includes(x)) && !p.includes("cockpit")) p.unshift("cockpit");
  return p;
}
const routable = user => [...pagesOf(user), ...(["graph", "warnings"].some(x => user.pages.includes(x)) ? ["portrait"] : [])];
export const session = { user: null };
let current = null;
// each navigation's number: a page whose navigation was overtaken (two hash changes in quick
// succession, a sign-in landing while a link opens) is not mounted, or stops mounting, into
// the detached root the newer one replaced — cytoscape sized on a detached container read
// NaN bounds ("Cannot read properties of undefined (reading 'h')"), Chart.js drew nowhere
let navSeq = 0;

function loginView() {
  const err = h("p", { class: "error", testid: "login-error" });
  const user = h("input", { name: "username", autocomplete: "username", testid: "login-username", required: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", testid: "login-password", required: true });
  const form = h("form", { class: "login card", testid: "login-form", onsubmit: async ev => {
      ev.preventDefault(); err.textContent = "";
      try {
        const r = await api("/auth/login", { method: "POST", body: { username: user.value, password: pass.value } });
        session.user = r.user; start();
      } catch (e) { err.textContent = e.status === 401 ? t("login_failed") : e.message; }
    } },
    h("h1", { i18n: "brand" }),
    h("label", {}, h("span", { i18n: "username" }), user),
    h("label", {}, h("span", { i18n: "password" }), pass),
    h("button", { type: "submit", i18n: "login", testid: "login-submit" }), err);
  document.getElementById("app").replaceChildren(form);
  document.getElementById("nav").replaceChildren();
  document.getElementById("logout").hidden = true;
  document.getElementById("whoami").textContent = "";
  user.focus();
}

function renderNav() {
  const nav = document.getElementById("nav");
  nav.replaceChildren(...pagesOf(session.user).map(p =>
    h("a", { href: "#/" + p, "data-page": p, testid: "nav-" + p, i18n: "nav_" + p })));
  document.getElementById("whoami").textContent = `${session.user.display_name || session.user.username} · ${session.user.role}`;
  document.getElementById("logout").hidden = false;
}

async function route() {
  if (!session.user) return;
  const [name, qs] = (location.hash.replace(/^#\/?/, "") || "").split("?");
  const page = routable(session.user).includes(name) ? name : session.user.pages[0];
  if (page !== name) { location.hash = "#/" + page; return; }
  document.querySelectorAll("#nav a").forEach(a => a.classList.toggle("active", a.dataset.page === page));
  const root = h("section", { class: "page page-" + page, testid: "page-" + page });
  const mine = ++navSeq;
  document.getElementById("app").replaceChildren(root);
  if (current && current.unmount) current.unmount();
  current = null;
  try {
    const mod = await PAGES[page]();
    if (mine !== navSeq) return;  // overtaken while the page's module loaded
    current = mod; await mod.mount(root, { session, params: new URLSearchParams(qs || "") });
  } catch (e) { if (mine === navSeq) showError(e); }  // an overtaken page's errors are moot
}

function start() { renderNav(); applyI18n(document); route(); }

async function boot() {
  setLang(getLang());
  const langBtn = document.getElementById("lang");
  const syncBtn = () => { langBtn.textContent = getLang() === "en" ? "中文" : "English"; };
  syncBtn();
  langBtn.addEventListener("click", () => { setLang(getLang() === "en" ? "zh" : "en"); syncBtn(); if (session.user) route(); });
  document.getElementById("logout").addEventListener("click", async () => {
    try { await api("/auth/logout", { method: "POST" }); } catch (e) { /* already out */ }
    session.user = null; location.hash = ""; loginView();
  });
  window.addEventListener("hashchange", route);
  try { session.user = await api("/auth/me"); start(); } catch (e) { loginView(); }
}
boot();
