// Graph explorer landing view: starting points computed by the server from the graph and the
// served entity scores (/graph/starting-points), shown as cards over the empty canvas.
import { api } from "../api.js";
import { h, showError, fmtScore } from "../ui.js";
import { caption, labelName } from "./graph_names.js";
import { tt, pick } from "./explorer_text.js";

const COLORS = { "高": "#d62728", "中": "#ff9f1c", "低": "#2ca02c" };

// fills `box` with the cards; `open(item)` draws one on the canvas
export async function showStartingPoints(box, { open }) {
  box.hidden = false;
  box.replaceChildren(h("p", { class: "muted" }, tt("loading")));
  try {
    const r = await api("/graph/starting-points");
    const cards = r.items.map(it => {
      const counts = {};
      for (const n of it.subgraph.nodes) counts[n.label] = (counts[n.label] || 0) + 1;
      return h("div", { class: "start-card", testid: "start-card", "data-kind": it.kind },
        h("div", { class: "start-title" }, pick(it.title_zh, it.title_en)),
        h("div", { class: "start-focus" },
          h("span", { class: "risk-dot", style: `background:${COLORS[it.risk_level] || "#999"}` }),
          h("b", { testid: "start-focus" }, `${labelName(it.focus.label)} · ${caption(it.focus, { max: 30 })}`),
          h("span", { class: "muted small" }, ` ${tt("score_short")} ${fmtScore(it.risk_score)} ${tt("lv_" + it.risk_level)}`)),
        h("ul", { class: "start-reasons" }, it.reasons.slice(0, 2).map(x => h("li", {}, pick(x.text_zh, x.text_en)))),
        h("div", { class: "muted small" }, Object.entries(counts).map(([l, n]) => `${labelName(l)} ${n}`).join(" · ")),
        h("button", { type: "button", testid: "start-open", onclick: () => { box.hidden = true; open(it); } }, tt("open_in_graph")));
    });
    box.replaceChildren(h("h3", {}, tt("start_here")), h("p", { class: "muted small" }, tt("start_sub")),
      h("div", { class: "start-cards" }, cards.length ? cards : [h("p", { class: "muted", testid: "start-none" }, tt("no_starting_points"))]),
      h("button", { type: "button", class: "link-btn start-close", onclick: () => { box.hidden = true; } }, "×"));
  } catch (e) { box.replaceChildren(h("p", { class: "muted" }, e.message)); showError(e); }
}
