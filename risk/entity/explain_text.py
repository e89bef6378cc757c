"""The words of entity explanations (``risk.entity.explain``): the sentence templates in
Chinese and English, and how a sentence names its subject (:func:`name_words`, from the
shared caption helper ``risk.captions.caption``)."""

from __future__ import annotations

from typing import Any, Callable

from risk.captions import KCS_ROLES, LABEL_WORDS, caption

KCS_WORDS = tuple(KCS_ROLES.values())


def _short(label: str, key: str) -> str:
    return f"{key[:12]}…" if label == "Person" and len(key) > 14 else key


CaptionOf = Callable[[str, str, dict], tuple[str, str]]


def default_caption(label: str, key: str, props: dict) -> tuple[str, str]:
    """The caption helper's words; a person by key, never by name."""
    return caption(label, key, props, personal_names=False)


def name_words(store: Any, label: str, key: str, caption_of: CaptionOf | None = None
               ) -> tuple[str, str]:
    """(zh, en) words naming a node inside a sentence whose template says its kind (企业 …):
    "name（key）" for a named node, the caption's fallback without its kind word otherwise."""
    node = store.get(label, key)
    zh, en = (caption_of or default_caption)(label, key, node.props if node else {})
    wz, we = LABEL_WORDS.get(label, (label, label))
    if zh.startswith(f"{wz} ") and en.startswith(f"{we} "):
        return zh[len(wz) + 1:], en[len(we) + 1:]
    if is_role(zh):
        return zh, en  # 进口商 QLRUBN9: the role is the name
    short = _short(label, key)
    if zh == short or zh == key:  # a plate that is the key
        return zh, en
    return f"{zh}（{short}）", f"{en} ({short})"


TEXT = {
    "legal_rep": ("法定代表人 {who} 同时担任 {n} 家企业的法定代表人，其中 {m} 家有查获记录",
                  "legal representative {who} of {n} enterprises, {m} with seizures"),
    "shareholder": ("股东 {who} 持有 {n} 家企业的股份，其中 {m} 家有查获记录",
                    "shareholder {who} of {n} enterprises, {m} with seizures"),
    "drove": ("驾驶员 {who} 驾驶过 {n} 辆车，其中 {m} 辆有查获记录",
              "driver {who} drove {n} vehicles, {m} with seizures"),
    "own": ("{what} {who} 自身有 {m} 条查获/涉案记录",
            "{what_en} {who} has {m} seizure / case records of its own"),
    "shared_rep": ("企业 {who} 的法定代表人同时代表 {n} 家其他企业，其中 {m} 家有查获记录",
                   "the legal representative of {who} also represents {n} other enterprises, "
                   "{m} with seizures"),
    "shared_address": ("企业 {who} 与 {n} 家企业共用地址，其中 {m} 家有查获记录",
                       "{who} shares its address with {n} enterprises, {m} with seizures"),
    "shared_phone": ("企业 {who} 与 {n} 家企业共用电话，其中 {m} 家有查获记录",
                     "{who} shares its phone with {n} enterprises, {m} with seizures"),
    "drivers": ("车辆 {who} 的 {n} 名驾驶员中 {m} 名涉案",
                "{m} of the {n} drivers of vehicle {who} were named in cases"),
    "crossing_drivers": ("车辆 {who} 的通关记录（道路舱单）共有 {n} 名驾驶员，其中 {m} 名驾驶的"
                         "通关有查获记录",
                         "the road manifests of vehicle {who} name {n} drivers, {m} of them "
                         "with seizures on crossings they drove"),
    "crossings": ("驾驶员 {who} 驾驶的 {n} 次通关（道路舱单）中 {m} 次有查获记录",
                  "driver {who} drove {n} crossings (road manifests), {m} with seizures"),
    "none": ("{what} {who} 在图中没有关联的查获或涉案记录；评分为模型在无证据时的输出",
             "{what_en} {who} has no linked seizure or case in the graph; the score is the "
             "model's output with no evidence"),
}


def _reason(kind: str, who: tuple[str, str], n: int, m: int, paths: list, *,
            label: str = "", at_least: str = "") -> dict[str, Any]:
    """``who``: (zh, en) from :func:`name_words`; ``at_least`` ("n" or "m"): that count is a
    lower bound (the search stopped there)."""
    zh, en = TEXT[kind]
    wz, we = LABEL_WORDS.get(label, (label, label))
    nz, mz = (f"至少 {n}" if at_least == "n" else n), (f"至少 {m}" if at_least == "m" else m)
    ne, me = (f"at least {n}" if at_least == "n" else n), (f"at least {m}" if at_least == "m"
                                                          else m)
    zh = zh.format(who=who[0], n=nz, m=mz, what=wz).strip()
    en = en.format(who=who[1], n=ne, m=me, what_en=we.capitalize()).strip()
    if is_role(who[0]):  # 进口商 QLRUBN9 says its kind: no "企业 进口商 …"
        zh = zh.replace(f"企业 {who[0]}", who[0])
        en = en.replace(f"Enterprise {who[1]}", who[1])
    return {"kind": kind, "count": n, "with_seizures": m, "paths": paths,
            "text_zh": zh, "text_en": en}


def is_role(words: str) -> bool:
    """A KCS party's caption (进口商 QLRUBN9)."""
    return words.startswith(tuple(f"{r[0]} " for r in KCS_WORDS))
