"""Readable captions for entities (名称 instead of raw keys), in Chinese and English, one
place for every output: the warning messages here, the API's lists and pages
(``api.captions``, which applies them to already masked nodes).

A node with a name shows its name; a nameless KCS party its role and code (``KCS:IMP:QLRUBN9``
→ 进口商 QLRUBN9 / importer QLRUBN9); a vehicle its plate; a person is never named here
(names are personal data: the caller passes the masked name, or the key token stands in).
"""

from __future__ import annotations

import re
from typing import Any

_KCS_KEY = re.compile(r"KCS:(IMP|DEC|SEL|COU|OFFICE):([A-Za-z0-9_-]+)")

KCS_ROLES = {"IMP": ("进口商", "importer"), "DEC": ("报关人", "declarant"),
             "SEL": ("境外卖方", "seller"), "COU": ("快件运营人", "courier"),
             "OFFICE": ("海关关区", "customs office")}
LABEL_WORDS = {"Enterprise": ("企业", "enterprise"), "Person": ("人员", "person"),
               "Vehicle": ("车辆", "vehicle"), "Vessel": ("船舶", "vessel"),
               "Container": ("集装箱", "container"), "Declaration": ("报关单", "declaration"),
               "Port": ("口岸", "port"), "Address": ("地址", "address"),
               "Phone": ("电话", "phone"), "Case": ("案件", "case"), "Goods": ("商品", "goods"),
               "Country": ("国家/地区", "country")}


def caption(label: str, key: str, props: dict[str, Any] | None = None,
            *, personal_names: bool = False) -> tuple[str, str]:
    """(zh, en). ``personal_names``: a Person's ``name`` may be shown (it is already masked,
    or the reader holds the pii grant); otherwise a person is shown by a short key."""
    p = props or {}
    key = str(key)
    name = p.get("name") or p.get("plate") or p.get("vessel_name")
    if label == "Person" and not personal_names:
        name = None
    if name:
        return str(name), str(name)
    parts = key.split(":")
    if len(parts) >= 3 and parts[0] == "KCS" and parts[1] in KCS_ROLES:
        zh, en = KCS_ROLES[parts[1]]
        code = ":".join(parts[2:])
        return f"{zh} {code}", f"{en} {code}"
    zh, en = LABEL_WORDS.get(label, (label, label))
    short = f"{key[:12]}…" if label == "Person" and len(key) > 14 else key
    return f"{zh} {short}", f"{en} {short}"


def caption_keys(text: str, lang: str = "zh") -> str:
    """Raw KCS party keys inside a sentence replaced by their captions (进口商 QLRUBN9)."""
    i = 1 if lang == "en" else 0
    return _KCS_KEY.sub(lambda m: f"{KCS_ROLES[m.group(1)][i]} {m.group(2)}", str(text))
