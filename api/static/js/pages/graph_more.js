// Graph explorer: supernodes shown collapsed ("N 更多 / N more", expanded page by page through
// /graph/more) and expansion by relationship type / neighbour label (/graph/degrees, then
// /graph/neighbours with rel_types, labels and the time range).
import { api } from "../api.js";
import { h, toast, showError } from "../ui.js";
import { labelName, relName } from "./graph_names.js";
import { tt } from "./explorer_text.js";

const PAGE = 25;
const moreId = parentId => `more|${parentId}`;

// after a subgraph was added: a "N more" node beside each node the server says was cut
// (props.collapsed_count); `startId` is the expansion's start, whose first neighbours the
// answer already holds in the engine's order (the next page starts after them)
export function markCollapsed(cy, sub, startId, filters = {}) {
  for (const n of sub.nodes || []) {
    const c = (n.props || {}).collapsed_count;
    const pid = `${n.label}|${n.key}`;
    const parent = cy.getElementById(pid);
    if (!c || parent.empty()) continue;
    const shown = pid === startId ? (sub.relationships || []).filter(r =>
      `${r.start[0]}|${r.start[1]}` === pid || `${r.end[0]}|${r.end[1]}` === pid).length : 0;
    setMore(cy, parent, c, shown, filters);
  }
}

function setMore(cy, parent, remaining, offset, filters) {
  const id = moreId(parent.id());
  let m = cy.getElementById(id);
  if (remaining <= 0) { m.remove(); return; }
  const data = { id, more: 1, parent_id: parent.id(), remaining, offset, filters,
    caption: `+${remaining} ${tt("more")}`, label: "More", risk_level: "none" };
  if (m.nonempty()) { m.data(data); return; }
  const p = parent.position();
  cy.add([{ group: "nodes", data, position: { x: p.x + 40, y: p.y + 30 } },
    { group: "edges", data: { id: `${id}-edge`, source: parent.id(), target: id, type: "", more_edge: 1 } }]);
}

// a click on a "N more" node: the next page of the parent's neighbours
export async function loadMore(cy, moreNode, { addSubgraph }) {
  const d = moreNode.data();
  const parent = cy.getElementById(d.parent_id);
  if (parent.empty()) return;
  const f = d.filters || {};
  try {
    const r = await api("/graph/more", { query: { label: parent.data("label"), key: parent.data("key"),
      offset: d.offset, page: PAGE, rel_types: f.rel_types, labels: f.labels, since: f.since, until: f.until } });
    addSubgraph(r, { collapse: false });
    const next = r.next_offset;
    setMore(cy, parent, next == null ? 0 : r.total - next, next ?? 0, f);
    toast(`+${Math.max(0, r.nodes.length - 1)} · ${Math.min(r.total, next ?? r.total)} / ${r.total}`);
  } catch (e) { showError(e); }
}

// the side panel's "expand by relationship type" section for one node
export function expandByType(node, { hops, timeRange, expand }) {
  const box = h("div", { class: "by-type", testid: "expand-by-type" }, h("span", { class: "muted" }, tt("loading")));
  const { label, key } = node.data();
  api("/graph/degrees", { query: { label, key } }).then(r => {
    if (!r.items.length) { box.replaceChildren(h("span", { class: "muted" }, tt("no_links"))); return; }
    const types = r.items.map(it => h("label", { class: "chk" },
      h("input", { type: "checkbox", value: it.type, "data-rel-type": "1", testid: "rel-type-" + it.type,
        onchange: () => syncLabels() }),
      `${relName(it.type)} → ${it.labels.map(labelName).join("/")} `, h("span", { class: "muted small" }, `(${it.count >= 10000 ? "10000+" : it.count})`)));
    const labelsBox = h("div", { class: "chips", testid: "neighbour-labels" });
    const useTime = h("input", { type: "checkbox", testid: "by-type-time" });
    const syncLabels = () => {
      const on = new Set(types.map(el => el.querySelector("input")).filter(x => x.checked).map(x => x.value));
      const chosen = r.items.filter(it => on.has(it.type));
      const labels = [...new Set((chosen.length ? chosen : r.items).flatMap(it => it.labels))].sort();
      const was = new Set([...labelsBox.querySelectorAll("input:checked")].map(x => x.value));
      labelsBox.replaceChildren(h("span", { class: "muted small" }, tt("neighbour_labels") + ": "),
        ...labels.map(l => h("label", { class: "chk" }, h("input", { type: "checkbox", value: l, "data-nb-label": "1",
          testid: "nb-label-" + l, checked: was.size === 0 || was.has(l) }), labelName(l))));
    };
    syncLabels();
    box.replaceChildren(...types, labelsBox,
      h("label", { class: "chk" }, useTime, tt("use_time")),
      h("button", { type: "button", testid: "expand-selected", onclick: () => {
        const rel_types = [...box.querySelectorAll("[data-rel-type]:checked")].map(x => x.value);
        const all = [...labelsBox.querySelectorAll("[data-nb-label]")];
        const on = all.filter(x => x.checked).map(x => x.value);
        const { since, until } = useTime.checked ? timeRange() : {};
        expand(label, key, { rel_types: rel_types.length ? rel_types : undefined,
          labels: on.length && on.length < all.length ? on : undefined, since, until, hops: hops() });
      } }, tt("expand_selected")));
  }).catch(e => { box.replaceChildren(h("span", { class: "muted" }, e.message)); showError(e); });
  return box;
}
