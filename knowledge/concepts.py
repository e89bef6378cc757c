"""Concept extraction: spaCy blank ``zh`` with the jieba segmenter + an EntityRuler.

Concept kinds: DOC (document types), LICENCE (licences and certificates), AGENCY,
GOODS (goods categories), HS (HS chapters/headings/codes), PROC (customs procedures).
The lexicon is also loaded into jieba so that each term stays one token.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterable

log = logging.getLogger(__name__)

LEXICON: dict[str, list[str]] = {
    "DOC": ["报关单", "进口报关单", "出口报关单", "舱单", "提单", "提运单", "运单", "装箱单", "发票",
            "商业发票", "合同", "报关单证", "申报单", "担保函", "保函", "账簿", "单证", "随附单证",
            "行李申报单", "检疫申报", "代理报关委托书"],
    "LICENCE": ["许可证", "进口许可证", "出口许可证", "自动进口许可证", "两用物项出口许可证",
                "许可证件", "原产地证书", "原产地证明", "检疫证书", "植物检疫证书", "动物检疫证书",
                "卫生证书", "检疫许可证", "检疫审批", "入境检疫证", "健康证明", "护照", "签证",
                "出入境证件", "船舶国籍证书", "营业执照", "允许进出口证明书", "知识产权备案",
                "特殊物品审批单", "技术进出口合同登记证书", "技术进口许可证", "技术出口许可证",
                "准运证", "通关单"],
    "AGENCY": ["海关", "海关总署", "直属海关", "隶属海关", "海关缉私局", "出入境检验检疫机构",
               "检验检疫机构", "商检机构", "口岸动植物检疫机关", "国境卫生检疫机关", "边防检查站",
               "出入境边防检查机关", "移民管理机构", "公安机关", "海事管理机构", "港口行政管理部门",
               "国务院商务主管部门", "国务院对外贸易主管部门", "外汇管理部门", "税务机关",
               "市场监督管理部门", "国家出口管制管理部门", "交通运输主管部门", "国务院关税税则委员会",
               "知识产权权利人", "报关企业", "海关监管场所", "口岸管理部门"],
    "GOODS": ["冻肉", "肉类", "肉类产品", "冷冻肉", "水产品", "植物", "植物产品", "动物", "动物产品",
              "种子", "苗木", "水果", "粮食", "木材", "木质包装", "食品", "进口食品", "乳品", "化妆品",
              "药品", "医疗器械", "危险化学品", "危险货物", "危险品", "两用物项", "核材料", "军品",
              "濒危野生动植物", "野生动物", "文物", "固体废物", "废物", "旧机电产品", "枪支", "弹药",
              "毒品", "易制毒化学品", "转基因", "特殊物品", "微生物", "血液", "样品", "广告品",
              "行李物品", "邮递物品", "快件", "跨境电商", "集装箱", "货物", "商品", "进口商品",
              "出口商品", "保税货物", "暂时进出境货物", "过境货物", "转运货物", "通运货物",
              "运输工具", "船舶", "航空器", "车辆", "现金", "外币", "黄金", "烟草", "酒类",
              "技术", "软件", "知识产权", "侵权货物", "病媒生物", "尸体", "骸骨"],
    "HS": ["税则号列", "商品归类", "税目", "税号", "商品编码", "HS编码", "协调制度"],
    "PROC": ["申报", "如实申报", "查验", "放行", "征税", "关税", "进口环节税", "滞纳金", "缓税",
             "减免税", "退税", "担保", "扣留", "没收", "罚款", "走私", "检疫", "检验", "备案",
             "原产地", "保税", "加工贸易", "转关", "稽查", "核销", "海关监管", "通关", "清关",
             "出口管制", "反倾销", "反补贴", "保障措施", "配额", "入境", "出境", "边防检查",
             "卫生检疫", "动植物检疫", "商品检验", "行政处罚", "完税价格", "计税价格", "纳税义务人"],
}
HS_PATTERNS = [
    [{"TEXT": {"REGEX": r"^\d{4}(\.\d{2}){0,3}$"}}],
    [{"TEXT": {"REGEX": r"^\d{8,10}$"}}],
]

_lock = threading.Lock()
_nlp = None


def lexicon() -> list[str]:
    return sorted({w for ws in LEXICON.values() for w in ws}, key=len, reverse=True)


def get_nlp(cache_dir: Path | None = None):
    """The blank ``zh`` pipeline (jieba) with the EntityRuler, built once per process."""
    global _nlp
    with _lock:
        if _nlp is not None:
            return _nlp
    from knowledge.text import init_jieba

    init_jieba(cache_dir)
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    patterns = []
    for kind, terms in LEXICON.items():
        for t in terms:
            patterns.append({"label": kind, "pattern": t, "id": t})
    for p in HS_PATTERNS:
        patterns.append({"label": "HS", "pattern": p})
    ruler.add_patterns(patterns)
    with _lock:
        _nlp = nlp
    return nlp


def extract(texts: Iterable[str], cache_dir: Path | None = None, batch_size: int = 256
            ) -> Iterable[tuple[list[dict[str, str]], list[str]]]:
    """For each text: (unique concepts ``{"name","kind"}``, jieba tokens of the text)."""
    nlp = get_nlp(cache_dir)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        seen: dict[tuple[str, str], None] = {}
        for ent in doc.ents:
            seen.setdefault((ent.ent_id_ or ent.text, ent.label_), None)
        yield ([{"name": n, "kind": k} for n, k in seen], [t.text for t in doc])


def concept_key(name: str, kind: str) -> str:
    return f"{kind}:{name}"
