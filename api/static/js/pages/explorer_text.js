// The explorer's own strings (Chinese first, English), kept beside its modules.
import { getLang } from "../i18n.js";

const TEXT = {
  more: ["更多", "more"], more_title: ["点击加载下一页邻居", "click to load the next page of neighbours"],
  expand_by_type: ["按关系类型展开", "Expand by relationship type"],
  expand_selected: ["展开所选", "Expand selected"], neighbour_labels: ["邻居类型", "Neighbour labels"],
  no_links: ["没有可展开的关系", "no links to expand"], loading: ["加载中…", "loading…"],
  use_time: ["使用时间范围", "within the time range"],
  time_range: ["时间范围", "Time range"], time_reset: ["重置", "Reset"],
  time_from: ["起始日期", "From date"], time_to: ["截止日期", "To date"],
  time_title: ["按 first_seen / last_seen / at 筛选画布", "Filter the canvas by first_seen / last_seen / at"],
  comments: ["批注", "Comments"], comment_ph: ["对该节点的批注(最多 2000 字)", "Comment on this node (up to 2000 characters)"],
  add_comment: ["添加批注", "Add comment"], delete: ["删除", "Delete"],
  comment_needs_inv: ["批注随调查保存：请先保存调查", "Comments are saved with the investigation: save it first"],
  no_comments: ["暂无批注", "no comments yet"], comment_added: ["批注已保存", "Comment saved"],
  comment_deleted: ["批注已删除", "Comment deleted"], confirm_delete: ["删除这条批注？", "Delete this comment?"],
  start_here: ["从这里开始", "Start here"], start_sub: ["图谱与模型评分找出的重点线索", "Leads found by the graph and the served risk scores"],
  open_in_graph: ["在图中打开", "Open in the graph"], starting_points: ["起点", "Starting points"],
  no_starting_points: ["图中还没有已评分的实体：运行评分后这里会给出起点", "No scored entities yet: run the scoring and the starting points appear here"],
  score_short: ["风险分", "risk"], "lv_高": ["高", "high"], "lv_中": ["中", "medium"], "lv_低": ["低", "low"], lv_null: ["", ""], lv_undefined: ["", ""], nodes_n: ["个节点", "nodes"], linked: ["关联", "links"],
};
export function tt(key) { const e = TEXT[key]; return e ? e[getLang() === "en" ? 1 : 0] : key; }
export function pick(zh, en) { return getLang() === "en" ? (en || zh) : (zh || en); }
