// The explorer's words for labels and relationship types (zh / en) and its node captions:
// the server's caption (caption_zh / caption_en from api.captions, computed after masking:
// a person's name arrives masked unless the reader has "pii") with a few explorer-specific
// refinements (a phone's masked number, an address's text, an inspection's result).
import { getLang } from "../i18n.js";
import { cap } from "../captions.js";

const L = pair => (getLang() === "en" ? pair[1] : pair[0]);
const LABEL_NAMES = {
  Enterprise: ["企业", "Enterprise"], Person: ["人员", "Person"], Declaration: ["报关单", "Declaration"],
  Goods: ["商品", "Goods"], Country: ["国家/地区", "Country"], Port: ["口岸", "Port"],
  Address: ["地址", "Address"], Phone: ["电话", "Phone"], Email: ["邮箱", "E-mail"],
  Vehicle: ["车辆", "Vehicle"], Vessel: ["船舶", "Vessel"], Container: ["集装箱", "Container"],
  Case: ["案件", "Case"], Inspection: ["查验", "Inspection"], Certificate: ["证书", "Certificate"],
  Manifest: ["舱单", "Manifest"], BillOfLading: ["提单", "Bill of lading"], Article: ["法条", "Article"],
  Flight: ["航班", "Flight"], Concept: ["概念", "Concept"], More: ["更多", "More"],
};
const REL_NAMES = {
  DECLARED: ["申报", "declared"], AGENT_FOR: ["代理申报", "agent for"], SUPPLIED: ["供货", "supplied"],
  COURIER_FOR: ["快递承运", "courier for"], HAS_ITEM: ["含商品", "has item"], ORIGIN: ["原产地", "origin"],
  DEPARTED_FROM: ["启运自", "departed from"], AT_PORT: ["所在口岸", "at port"],
  CARRIED_BY: ["运输工具", "carried by"], IN_CONTAINER: ["装于集装箱", "in container"],
  UNDER_BL: ["所属提单", "under B/L"], CONSIGNEE_OF: ["收货人", "consignee of"],
  HAS_CERTIFICATE: ["持有证书", "has certificate"], LEGAL_REP_OF: ["法定代表人", "legal rep. of"],
  SHAREHOLDER_OF: ["股东", "shareholder of"], DROVE: ["驾驶", "drove"], LOCATED_AT: ["位于", "located at"],
  HAS_PHONE: ["电话", "has phone"], HAS_EMAIL: ["邮箱", "has e-mail"], INVOLVED_IN: ["涉案", "involved in"],
  INSPECTED: ["查验", "inspected"], ALIAS_OF: ["同一实体", "alias of"], CITES: ["引用", "cites"],
  GOVERNS: ["规范", "governs"], ON_MANIFEST: ["所属舱单", "on manifest"], DRIVER_OF: ["驾驶员", "driver of"],
};
const RESULTS = { hit: ["查获", "hit"], no_hit: ["未查获", "no hit"] };

export function labelName(label) { return LABEL_NAMES[label] ? L(LABEL_NAMES[label]) : label; }
export function relName(type) { return REL_NAMES[type] ? L(REL_NAMES[type]) : type; }
const clip = (s, max) => { s = String(s); return s.length > max ? s.slice(0, max - 1) + "…" : s; };
// a caption made from a key: keep its end too (manifest numbers share their first characters)
const midClip = (s, max) => { s = String(s); if (s.length <= max) return s;
  const tail = Math.ceil((max - 1) / 2); return s.slice(0, max - 1 - tail) + "…" + s.slice(-tail); };

export function caption(n, { max = 24 } = {}) {
  if (!n) return "";
  const p = n.props || {}, key = String(n.key ?? "");
  let s = "";
  if (n.label === "Phone" && p.masked) s = p.masked;
  else if (n.label === "Address" && p.text && p.text !== "****") s = p.text;
  else if (n.label === "Inspection") s = `${labelName("Inspection")} ${p.result ? L(RESULTS[p.result] || [p.result, p.result]) : ""} ${p.date || ""}`;
  else if (n.label === "Goods" && p.description) s = `${p.hs6 || key} ${p.description}`;
  else if (n.caption_zh || n.caption_en) {  // the server's words; a kind it has no word for in our table
    s = cap(n);
    if (s.startsWith(n.label + " ")) s = `${labelName(n.label)} ${s.slice(n.label.length + 1)}`;
  }
  else if (p.name && p.name !== "****") s = p.name;
  else if (key.startsWith("masked:")) s = `${labelName(n.label)} ${L(["(已脱敏)", "(masked)"])}`;
  else s = `${labelName(n.label)} ${/^(H:|PM:|TXT:)/.test(key) ? key.slice(0, 10) + "…" : key}`;
  const named = (p.name && p.name !== "****") || n.label === "Address";
  return (named ? clip : midClip)(s.trim(), max);
}
// "企业 · 东莞荣信机械有限公司"; a caption that already starts with its kind is left alone
export function captionWithKind(n, opts) {
  const c = caption(n, opts), kind = labelName(n.label);
  return c.toLowerCase().startsWith(kind.toLowerCase()) ? c : `${kind} · ${c}`;
}
