"""Question understanding: language, named laws and article numbers, concepts, follow-ups.

English questions are mapped to Chinese search terms with a small domain glossary (the
default dense model is English and the corpus Chinese: the lexical side needs the terms).
"""

from __future__ import annotations

import re
from typing import Sequence

from knowledge import text as T
from knowledge.numerals import CN_NUM_CHARS, cn_to_int
from qa.base import Understanding

ARTICLE_Q_RE = re.compile(rf"第\s*([{CN_NUM_CHARS}\d]+)\s*条(?:之([{CN_NUM_CHARS}]+))?")
EN_ARTICLE_RE = re.compile(r"\b(?:article|art\.)\s*(\d+)", re.I)

# English -> Chinese domain terms (longest phrases first when applied)
GLOSSARY: dict[str, str] = {
    "frozen meat": "冻肉 肉类", "meat": "肉类", "frozen": "冷冻", "seafood": "水产品",
    "customs declaration": "报关 申报", "declaration": "申报 报关单", "declare": "申报",
    "false declaration": "申报不实", "misdeclaration": "申报不实", "under-declare": "申报不实",
    "customs": "海关", "penalty": "处罚 罚款", "penalties": "处罚 罚款", "fine": "罚款",
    "fined": "罚款", "punish": "处罚", "smuggling": "走私", "smuggle": "走私",
    "quarantine": "检疫", "plant": "植物", "plants": "植物", "animal": "动物", "animals": "动物",
    "seeds": "种子", "fruit": "水果", "licence": "许可证", "license": "许可证", "permit": "许可证",
    "import": "进口", "imports": "进口", "importing": "进口", "export": "出口", "exports": "出口",
    "exporting": "出口", "export control": "出口管制", "dual-use": "两用物项", "dual use": "两用物项",
    "items": "物项", "goods": "货物", "tariff": "关税", "tariffs": "关税", "duty": "关税 税款",
    "duties": "关税 税款", "tax": "税", "taxes": "税款", "duty-free": "免征 关税", "sample": "样品",
    "samples": "样品 货样", "exemption": "减免", "exempt": "免征", "refund": "退还", "foreigner": "外国人",
    "foreigners": "外国人", "visa": "签证", "visas": "签证", "entry": "入境", "enter": "入境",
    "exit": "出境", "leave": "出境", "border": "边防 边境", "inspection": "检查 查验",
    "inspect": "查验", "ship": "船舶", "ships": "船舶", "vessel": "船舶", "vessels": "船舶",
    "port": "港口 口岸", "ports": "港口 口岸", "container": "集装箱", "containers": "集装箱",
    "food": "食品", "origin": "原产地", "certificate of origin": "原产地证书",
    "certificate": "证书", "intellectual property": "知识产权", "trademark": "商标",
    "counterfeit": "侵权", "bonded": "保税", "guarantee": "担保", "bond": "担保",
    "deadline": "期限", "days": "日", "how long": "期限", "appeal": "复议 诉讼",
    "reconsideration": "行政复议", "confiscate": "没收", "confiscated": "没收", "seize": "扣留",
    "detain": "扣留", "passport": "护照", "residence": "居留", "work": "工作", "health": "卫生",
    "epidemic": "传染病 疫情", "disease": "疾病 传染病", "endangered": "濒危", "wildlife": "野生动物",
    "technology": "技术", "valuation": "完税价格", "customs value": "完税价格", "price": "价格",
    "transit": "过境", "temporary": "暂时进出境", "postal": "邮递", "parcel": "邮递物品",
    "luggage": "行李物品", "baggage": "行李物品", "cash": "现金", "currency": "货币",
    "smart port": "智慧口岸", "single window": "单一窗口", "statistics": "统计",
    "audit": "稽查", "record": "记录", "records": "账簿 资料", "broker": "报关企业",
    "agent": "代理", "label": "标签", "labels": "标签", "chinese label": "中文标签",
    "prepackaged": "预包装", "pre-packaged": "预包装", "bill of lading": "提单",
    "without a visa": "免办签证", "visa-free": "免办签证", "working illegally": "非法就业",
    "illegal employment": "非法就业", "imported": "进口", "exported": "出口", "foods": "食品",
    "infringing": "侵权嫌疑",
    "intellectual property owner": "知识产权权利人", "commercial value": "商业价值",
    "advertising": "广告品", "pay": "缴纳", "payment": "缴纳", "notice": "缴款书", "penalty for": "处罚", "chemicals": "化学品", "hazardous": "危险",
    "dangerous": "危险", "pilot": "引航", "tonnage": "吨税", "arrival": "进境 到达", "report": "申报 报告",
}
_GLOSS_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in GLOSSARY),
                                               key=len, reverse=True)) + r")\b", re.I)

# colloquial trader words -> the words the texts use (appended to the query, never replacing)
COLLOQUIAL: dict[str, str] = {
    "老外": "外国人", "外国客户": "外国人", "外国员工": "外国人", "外籍": "外国人", "打黑工": "非法就业",
    "黑工": "非法就业", "逾期居留": "非法居留", "超期居留": "非法居留", "包裹": "邮递物品 邮件",
    "快递": "邮递物品 快件", "邮包": "邮递物品", "带东西": "携带 行李物品", "随身带": "携带 行李物品",
    "行李": "行李物品", "样品": "货样 样品", "拿样": "提取货样", "东西": "物品 货物 单证",
    "报关": "申报 报关", "报错": "申报不实", "填错": "申报不实 修改", "少报": "申报不实", "瞒报": "申报不实",
    "罚多少": "罚款", "怎么罚": "处罚 罚款", "罚钱": "罚款", "交税": "缴纳税款", "交钱": "缴纳",
    "退税": "退还 税款", "多交": "多缴 退还", "少交": "少征 漏征", "补税": "补征 追征", "晚交": "滞纳金",
    "扣货": "扣留", "查货": "查验", "开箱": "查验 开拆", "放货": "放行", "提货": "放行 提取",
    "货到": "进境 运抵", "没人领": "无人认领", "转卖": "转让", "卖掉": "销售 转让", "跑路": "转移 藏匿",
    "假货": "侵权 假冒", "山寨": "侵权", "牌子": "商标", "品牌": "商标 知识产权", "海关编码": "商品编码 税则号列",
    "hs编码": "商品编码 税则号列", "归类": "商品归类", "许可": "许可证", "批文": "批准文件",
    "检疫证": "检疫证书", "原产地证": "原产地证书", "报检": "报检 检验检疫", "商检": "商品检验 商检机构",
    "法检": "必须经商检机构检验", "冻品": "冻肉 肉类 动物产品", "冻肉": "冻肉 动物产品", "肉": "动物产品",
    "水果": "植物产品 水果", "种子": "种子 繁殖材料", "花草": "植物 繁殖材料", "宠物": "动物", "货代": "代理",
    "报关行": "报关企业", "报关员": "报关人员", "船公司": "承运人", "集装箱": "集装箱 货物", "展品": "展览",
    "两用": "两用物项", "管制": "出口管制", "账本": "账簿 会计", "查账": "稽查", "做账": "账簿",
}
_COLLOQ_RE = re.compile("|".join(sorted(map(re.escape, COLLOQUIAL), key=len, reverse=True)), re.I)


def expand_colloquial(question: str) -> str:
    """The question plus the statutory words for its colloquial ones."""
    extra = []
    for m in _COLLOQ_RE.finditer(question):
        extra.append(COLLOQUIAL[m.group(0).lower()])
    return question + (" " + " ".join(dict.fromkeys(extra)) if extra else "")


FOLLOW_UP_RE = re.compile(r"^(那|那么|那如果|如果|还有|另外|这个|这种|这样|它|他们|要是|那要是|and |what about|"
                          r"how about|then |so )", re.I)
PRONOUN_RE = re.compile(r"这种情况|这种|这个|那个|上述|上面|刚才|前面|它|this|that|it\b", re.I)


def to_chinese_terms(question: str) -> str:
    """The Chinese terms of an English question (glossary), plus any Chinese already in it."""
    terms = [GLOSSARY[m.group(1).lower()] for m in _GLOSS_RE.finditer(question)]
    cjk = "".join(re.findall(r"[\u4e00-\u9fff《》]+", question))
    return " ".join(terms + ([cjk] if cjk else []))


def parse_article_number(question: str) -> tuple[tuple[int, int] | None, str | None]:
    m = ARTICLE_Q_RE.search(question)
    if m:
        try:
            num = cn_to_int(m.group(1))
            suf = cn_to_int(m.group(2)) if m.group(2) else 0
            return (num, suf), m.group(0).replace(" ", "")
        except ValueError:
            return None, None
    m = EN_ARTICLE_RE.search(question)
    if m:
        return (int(m.group(1)), 0), m.group(0)
    return None, None


def content_chars(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", T.strip_question(text)))


def is_follow_up(question: str, history: Sequence[Understanding]) -> bool:
    if not history:
        return False
    q = question.strip()
    if FOLLOW_UP_RE.match(q) or PRONOUN_RE.search(q):
        return True
    english = T.is_english(q)
    return (len(q.split()) <= 5) if english else content_chars(q) <= 8


EN_STOP = frozenset("""a an the of to in on for and or is are was be can do does did i we you my our your
what which who whom how when where why with without from by at as it this that there any need
needs have has should must may will would about into than then them they their its me us if not
no yes get much many long""".split())


def english_unmapped(question: str) -> float:
    """Share of English content words that the glossary does not map (0 for Chinese)."""
    covered = " ".join(m.group(1).lower() for m in _GLOSS_RE.finditer(question))
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", question.lower()) if w not in EN_STOP]
    if not words:
        return 0.0
    return sum(1 for w in words if w not in covered) / len(words)


LEGAL_CUES = re.compile(
    r"规定|法律|法规|条例|办法|第.{1,6}条|罚|处罚|处分|责任|违法|犯罪|走私|许可|审批|批准|备案|登记|申报|报关|报检|"
    r"检疫|检验|手续|要不要|需不需要|是否需要|必须|应当|可以|能不能|能否|允许|禁止|限制|免征|减免|征收|缴纳|退还|"
    r"期限|多久|多长时间|怎么处理|怎么办|扣留|没收|担保|定义|是什么|什么是|指什么|算不算|属于|义务|权利|"
    r"penalt|fine|licen[cs]e|permit|allowed|required|must|law|article|regulation|exempt|duty|illegal",
    re.I)
NONLEGAL_CUES = re.compile(
    r"多少钱|价格|报价|汇率|运费|租金|费用是多少|几点|营业时间|开门|关门|吞吐量|天气|推荐|哪家|哪个好|比较好|"
    r"好不好|怎么登录|登录|下载|帮我写|写一封|翻译一下|股票|比特币|订舱|航班|班期|几天能到|要几天|"
    r"price|rate today|exchange rate|freight rate|cheapest|best|recommend|schedule|register a company|"
    r"weather|login|how many days",
    re.I)


def intent_of(question: str) -> float:
    legal = bool(LEGAL_CUES.search(question))
    other = bool(NONLEGAL_CUES.search(question))
    return float(legal) - float(other)


def understand(question: str, kb, history: Sequence[Understanding] = ()) -> Understanding:
    """Parse the question; ``history`` holds earlier turns' understandings (oldest first)."""
    lang = "en" if T.is_english(question) else "zh"
    query = to_chinese_terms(question) if lang == "en" else expand_colloquial(question)
    laws = kb.match_laws(question) if kb is not None else []
    art, label = parse_article_number(question)
    u = Understanding(question=question, language=lang, query=query.strip() or question,
                      laws=[name for name, _ in laws],
                      law_doc_ids=sorted({d for _, ids in laws for d in ids}),
                      article_num=art, article_label=label)
    u.intent = intent_of(question)
    u.content_words = T.words(T.strip_question(u.query))
    vocab = kb.vocabulary() if kb is not None else None
    if vocab and u.content_words:
        u.unknown_ratio = sum(w not in vocab for w in u.content_words) / len(u.content_words)
    if lang == "en":
        u.unmapped_ratio = english_unmapped(question)
    from knowledge.concepts import extract

    try:
        u.concepts = next(iter(extract([u.query])))[0]
    except Exception:  # noqa: BLE001 - concepts only refine ranking
        u.concepts = []
    if is_follow_up(question, history):
        prev = history[-1]
        u.follow_up = True
        u.context_query = " ".join(x for x in (T.strip_question(prev.query),
                                               prev.context_query) if x)[:200]
        if not u.law_doc_ids and prev.law_doc_ids:
            u.law_doc_ids, u.laws = list(prev.law_doc_ids), list(prev.laws)
    return u
