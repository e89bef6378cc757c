// Readable captions of entities (names, masked where required; 进口商 QLRUBN9 for nameless
// KCS parties), as the API sends them (caption_zh / caption_en, api/captions.py).
import { getLang } from "./i18n.js";

export function cap(n) {
  if (!n) return "";
  const c = getLang() === "en" ? (n.caption_en || n.caption_zh) : (n.caption_zh || n.caption_en);
  return c || (n.props && n.props.name) || n.key || "";
}
