// Chinese by default; English toggle remembered in localStorage.
const DICT = {
  brand: ["PortSentinel 智慧口岸风险情报", "PortSentinel smart-port risk intelligence"],
  logout: ["退出", "Sign out"], close: ["关闭", "Close"], login: ["登录", "Sign in"],
  username: ["用户名", "User name"], password: ["密码", "Password"],
  login_failed: ["用户名或密码错误", "Wrong user name or password"],
  nav_graph: ["图谱分析", "Graph explorer"], nav_targeting: ["布控清单", "Targeting list"],
  nav_warnings: ["预警处置", "Warning queue"], nav_chat: ["智能咨询", "Consult"],
  nav_admin: ["系统管理", "Administration"], nav_declarations: ["我的报关单", "My declarations"],
  search: ["搜索", "Search"], search_ph: ["名称或编号", "name or key"], all_labels: ["全部类型", "all labels"],
  expand: ["展开邻居", "Expand neighbours"], hops: ["跳数", "hops"],
  path_from: ["设为起点", "Set as path start"], path_to: ["设为终点", "Set as path end"],
  find_path: ["最短路径", "Shortest path"], no_path: ["未找到路径", "No path found"],
  filter_labels: ["类型筛选", "Labels"], filter_risk: ["风险等级", "Risk level"],
  properties: ["属性", "Properties"], risk: ["风险", "Risk"], score: ["评分", "Score"],
  level: ["等级", "Level"], explanation: ["解释", "Explanation"], model: ["模型", "Model"],
  save_inv: ["保存调查", "Save investigation"], open_inv: ["打开调查", "Open investigation"],
  title: ["标题", "Title"], share_with: ["共享给(用户名,逗号分隔)", "Share with (user names, comma-separated)"],
  saved: ["已保存", "Saved"], share_link: ["分享链接", "Share link"], clear: ["清空", "Clear"],
  masked_note: ["个人信息已脱敏", "personal data masked"], select_node: ["点击节点查看详情", "Click a node for details"],
  port: ["口岸/关区", "Port / office"], date: ["日期", "Date"], budget: ["查验数量", "Inspection budget"],
  issue_list: ["生成布控清单", "Issue targeting list"], lists: ["已下达清单", "Issued lists"],
  rank: ["序号", "Rank"], key: ["编号", "Key"], reasons: ["布控理由", "Reasons"], status: ["状态", "Status"],
  open: ["打开", "Open"], declaration: ["报关单", "Declaration"], record_result: ["登记查验结果", "Record inspection result"],
  hit: ["查获", "Hit"], no_hit: ["未查获", "No hit"], findings: ["查验情况", "Findings"], submit: ["提交", "Submit"],
  recorded: ["已登记", "Recorded"], items: ["条", "items"],
  warnings: ["预警", "Warnings"], acknowledge: ["签收", "Acknowledge"], handle: ["处置", "Handle"],
  close_w: ["办结", "Close"], feedback: ["反馈", "Feedback"], outcome: ["结论", "Outcome"],
  confirmed: ["属实", "Confirmed"], false_alarm: ["误报", "False alarm"], inconclusive: ["无法确定", "Inconclusive"],
  st_open: ["待签收", "Open"], st_acknowledged: ["已签收", "Acknowledged"], st_in_progress: ["处置中", "In progress"],
  st_closed: ["已办结", "Closed"], refresh: ["刷新", "Refresh"], message: ["内容", "Message"],
  ask_ph: ["请输入您的通关、许可证、检疫、关税问题……", "Ask about clearance, licences, quarantine, tariffs…"],
  send: ["发送", "Send"], stop: ["停止", "Stop"], history: ["历史记录", "History"], sources: ["依据", "Sources"],
  new_chat: ["新对话", "New chat"], stopped: ["已停止", "stopped"], refused: ["无法依据法规作答", "No supported answer"],
  users: ["用户与角色", "Users & roles"], models: ["模型版本", "Model versions"], data: ["数据加载", "Data loads"],
  audit: ["审计日志", "Audit log"], role: ["角色", "Role"], grants: ["授权", "Grants"], enterprise: ["企业", "Enterprise"],
  create_user: ["新建用户", "Create user"], active: ["启用", "Active"], save: ["保存", "Save"],
  promote: ["上线", "Promote"], rollback: ["回滚", "Roll back"], promoted: ["在用", "Promoted"], version: ["版本", "Version"],
  metrics: ["指标", "Metrics"], quarantine: ["隔离区", "Quarantine"], loads: ["加载记录", "Loads"],
  actor: ["操作人", "Actor"], action: ["操作", "Action"], target: ["对象", "Target"], time: ["时间", "Time"],
  export_csv: ["导出 CSV", "Export CSV"], export_jsonl: ["导出 JSONL", "Export JSONL"], verify: ["校验哈希链", "Verify chain"],
  chain_ok: ["哈希链完整", "Chain intact"], chain_bad: ["哈希链被篡改", "Chain TAMPERED"],
  unavailable: ["该功能尚未就绪", "Not available yet"], forbidden: ["无权访问", "Not allowed"],
  none: ["暂无数据", "Nothing yet"], prev: ["上一页", "Previous"], next: ["下一页", "Next"],
  ds_open: ["待查验", "to inspect"], ds_inspected: ["已查验", "inspected"],
  ds_selected_for_inspection: ["已布控待查验", "selected for inspection"], ds_accepted: ["已受理", "accepted"],
  // warning cases
  cases: ["预警案件", "Warning cases"], case: ["案件", "Case"], n_warnings: ["预警数", "Warnings"],
  subjects: ["涉及主体", "Subjects"], rule: ["规则", "Rule"], assignee: ["处置人", "Assignee"],
  first_at: ["首次", "First"], last_at: ["最近", "Latest"], all_status: ["全部状态", "all statuses"],
  all_levels: ["全部等级", "all levels"], select_all: ["全选", "Select all"], selected: ["已选", "selected"],
  bulk_ack: ["批量签收", "Acknowledge selected"], bulk_assign: ["批量指派", "Assign selected"],
  bulk_close: ["批量办结", "Close selected"], case_ack: ["签收本案全部预警", "Acknowledge the whole case"],
  case_assign: ["指派本案", "Assign the case"], case_close: ["办结本案", "Close the whole case"],
  evidence: ["证据", "Evidence"], timeline: ["时间线", "Timeline"], measures: ["处置措施", "Measures taken"],
  open_in_graph: ["在图谱中打开", "Open in the explorer"], open_warnings: ["条预警未办结", "warnings not closed"], lv_红: ["红", "red"], lv_橙: ["橙", "orange"], lv_黄: ["黄", "yellow"], lv_蓝: ["蓝", "blue"],
  changed_n: ["已处理", "changed"], pick_case: ["点击左侧案件查看详情", "Pick a case on the left"],
  measures_ph: ["措施,逗号分隔(如:扣留查验,移交缉私)", "measures, comma-separated (e.g. hold for inspection, refer to anti-smuggling)"],
  assignee_ph: ["处置人用户名", "assignee user name"], portrait: ["画像", "Portrait"],
  occurrences: ["发生次数", "Occurrences"], by_status: ["状态分布", "By status"],
  // targeting
  latest_date_hint: ["默认为最近有申报的日期", "defaults to the latest date with declarations"],
  job_running: ["正在生成", "Building"], stage_dates: ["确定日期", "finding the date"],
  stage_ranking: ["评分与排序", "scoring and ranking"], stage_saving: ["保存清单", "saving the list"],
  stage_done: ["完成", "done"], stage_queued: ["排队中", "queued"], hit_rate: ["查获率", "Hit rate"],
  inspected_n: ["已查验", "Inspected"], hits: ["查获", "Hits"], decl_on_date: ["当日申报", "declarations that day"],
  no_items_msg: ["该日期没有可布控的报关单", "No declarations to target on that date"],
  // cockpit and portrait
  nav_cockpit: ["驾驶舱", "Cockpit"], nav_portrait: ["画像", "Portrait"], date_from: ["起", "From"], date_to: ["止", "To"],
  apply: ["应用", "Apply"], decl_per_day: ["每日申报量与布控占比", "Declarations per day and share targeted"],
  share_targeted: ["布控占比", "Share targeted"], declarations: ["报关单", "Declarations"], targeted: ["布控", "Targeted"],
  hit_rate_over_time: ["已下达清单查获率(按下达日)", "Hit rate of issued lists (by issue day)"],
  warnings_by: ["预警等级与状态", "Warnings by level and status"], ageing: ["未办结预警账龄", "Age of warnings not closed"],
  risk_dist: ["风险等级分布", "Risk distribution"], top_entities: ["高风险主体", "Top risky entities"],
  serving_model: ["在用模型", "Serving model"], drift: ["评分漂移(PSI)", "Score drift (PSI)"],
  drift_ok: ["稳定", "stable"], drift_warn: ["轻度漂移", "moderate shift"], drift_bad: ["显著漂移", "significant shift"],
  lists_n: ["份清单", "lists"], identity: ["基本信息", "Identity"], credit: ["信用等级", "Credit level"],
  risk_score: ["风险评分", "Risk score"], decl_by_month: ["按月申报量", "Declarations per month"],
  shared_links: ["共用法人/地址/电话的主体", "Sharing a legal representative / address / phone"],
  linked_entities: ["直接关联", "Directly linked"], open_w: ["未办结预警", "Open warnings"],
  fraud_recorded: ["已认定违规", "recorded as fraud"], no_score: ["尚未评分", "not scored yet"],
  latest_decls: ["最近报关单", "Latest declarations"],
  value: ["金额", "Value"], hs: ["商品编码", "HS code"], office: ["关区", "Office"], inspections: ["查验记录", "Inspections"],
};
let lang = localStorage.getItem("ps_lang") || "zh";
export function t(key) { const e = DICT[key]; return e ? e[lang === "en" ? 1 : 0] : key; }
export function status(s) { const e = DICT["ds_" + s]; return e ? e[lang === "en" ? 1 : 0] : s; }
export function getLang() { return lang; }
export function setLang(l) {
  lang = l; localStorage.setItem("ps_lang", l);
  document.documentElement.lang = l === "en" ? "en" : "zh-CN";
  applyI18n(document);
}
export function applyI18n(root) {
  root.querySelectorAll("[data-i18n]").forEach(el => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-ph]").forEach(el => { el.placeholder = t(el.dataset.i18nPh); });
}
