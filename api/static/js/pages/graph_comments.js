// Graph explorer: comments on nodes, saved with the investigation (/investigations/{id}/comments).
// Who wrote it and when; its author may delete it; the server masks what the reader may not see.
import { api } from "../api.js";
import { h, toast, showError } from "../ui.js";
import { t } from "../i18n.js";
import { tt } from "./explorer_text.js";

// comments of the open investigation, by node id ("Label|key")
export const comments = { byNode: new Map() };

export function setComments(cy, list) {
  comments.byNode = new Map();
  for (const c of list || []) {
    const id = `${c.label}|${c.key}`;
    if (!comments.byNode.has(id)) comments.byNode.set(id, []);
    comments.byNode.get(id).push(c);
  }
  cy.nodes().forEach(n => n.data("comments", (comments.byNode.get(n.id()) || []).length));
}

const fmt = ts => String(ts || "").replace("T", " ").slice(0, 16);

// the side panel's comments section for one node
export function commentSection(cy, node, { state, onSave }) {
  const box = h("div", { class: "comments", testid: "comments" });
  const render = () => {
    const inv = state.inv;
    if (!inv || !inv.id) {
      box.replaceChildren(h("p", { class: "muted small", testid: "comment-needs-inv" }, tt("comment_needs_inv")),
        h("button", { type: "button", testid: "comment-save-inv", onclick: onSave }, t("save_inv")));
      return;
    }
    const mine = comments.byNode.get(node.id()) || [];
    const me = state.session.user.username;
    const text = h("textarea", { rows: 3, maxlength: 2000, testid: "comment-text", placeholder: tt("comment_ph") });
    box.replaceChildren(
      h("ul", { class: "comment-list", testid: "comment-list" }, mine.length ? mine.map(c =>
        h("li", { testid: "comment", "data-id": c.id },
          h("div", { class: "comment-head" }, h("b", { testid: "comment-author" }, c.author), " ",
            h("span", { class: "muted small", testid: "comment-time" }, fmt(c.created_at)),
            c.author === me ? h("button", { type: "button", class: "link-btn", testid: "comment-delete",
              onclick: () => remove(c) }, tt("delete")) : null),
          h("div", { class: "comment-text", testid: "comment-body" }, c.text)))
        : [h("li", { class: "muted small" }, tt("no_comments"))]),
      text,
      h("button", { type: "button", testid: "comment-add", onclick: () => add(text.value) }, tt("add_comment")));
  };
  const refresh = list => { setComments(cy, list); render(); };
  const add = async value => {
    if (!value.trim()) return;
    try {
      await api(`/investigations/${state.inv.id}/comments`, { method: "POST",
        body: { label: node.data("label"), key: node.data("key"), text: value } });
      const r = await api(`/investigations/${state.inv.id}/comments`);
      refresh(r.items); toast(tt("comment_added"));
    } catch (e) { showError(e); }
  };
  const remove = async c => {
    if (!window.confirm(tt("confirm_delete"))) return;
    try {
      await api(`/investigations/${state.inv.id}/comments/${c.id}`, { method: "DELETE", raw: true });  // 204: no body
      const r = await api(`/investigations/${state.inv.id}/comments`);
      refresh(r.items); toast(tt("comment_deleted"));
    } catch (e) { showError(e); }
  };
  render();
  return box;
}
