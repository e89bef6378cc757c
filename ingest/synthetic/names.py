"""Vocabularies and noise functions for the simulated world (names, addresses, phones)."""

from __future__ import annotations

import numpy as np

CITIES = [("上海", "310115", "浦东新区"), ("深圳", "440305", "南山区"), ("广州", "440112", "黄埔区"),
          ("宁波", "330206", "北仑区"), ("青岛", "370211", "黄岛区"), ("天津", "120116", "滨海新区"),
          ("厦门", "350206", "湖里区"), ("大连", "210204", "沙河口区"), ("苏州", "320505", "虎丘区"),
          ("东莞", "441900", "长安镇")]
WORDS = list("华盛泰达恒通远洋海金鑫源利丰隆信汇宏嘉德中兴瑞祥安福康宇新航联凯博创晟荣昌豪东方君")
TRADES = ["贸易", "国际贸易", "进出口", "供应链", "物流", "电子", "科技", "实业", "食品", "化工",
          "机械", "纺织", "医疗器械", "汽车配件", "新材料"]
ROADS = ["港城路", "张江路", "科技园路", "保税区大道", "海滨路", "长江路", "黄河路", "自贸大道",
         "物流园路", "临港大道", "前湾路", "华夏路"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉鹏飞")
FOREIGN_A = ["Pacific", "Global", "Golden", "Orient", "Blue Ocean", "Sunrise", "Delta", "Apex",
             "Summit", "Harbor", "Evergreen", "Silverline", "Northstar", "Lotus", "Crown", "Prime"]
FOREIGN_B = ["Trading", "Industries", "Export", "Commodities", "Manufacturing", "Supply",
             "Foods", "Electronics", "Textiles", "Resources"]
FOREIGN_SUFFIX = ["Co., Ltd.", "Ltd.", "Pte. Ltd.", "GmbH", "Inc.", "Sdn. Bhd.", "LLC"]


def cn_company_name(rng: np.random.Generator, city: str) -> str:
    w = "".join(rng.choice(WORDS, 2 + int(rng.random() < 0.3)))
    return f"{city}{w}{rng.choice(TRADES)}有限公司"


def person_name(rng: np.random.Generator) -> str:
    return str(rng.choice(SURNAMES)) + "".join(rng.choice(GIVEN, 1 + int(rng.random() < 0.7)))


def address(rng: np.random.Generator, city: str, district: str) -> str:
    return (f"{city}市{district}{rng.choice(ROADS)}{int(rng.integers(1, 999))}号"
            + (f"{int(rng.integers(1, 30))}楼" if rng.random() < 0.5 else ""))


def mobile(rng: np.random.Generator) -> str:
    return "1" + str(rng.choice(list("35789"))) + "".join(map(str, rng.integers(0, 10, 9)))


_FW = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


CITY_NAMES = [c[0] for c in CITIES]


def noisy_name(rng: np.random.Generator, name: str) -> str:
    """A plausible variant of a company name as typed into another system: suffix variants,
    spaces, full-width characters, the city prefix dropped, a one-character typo."""
    s = name
    if rng.random() < 0.15 and s[:2] in CITY_NAMES:
        s = s[2:]
    r = rng.random()
    if s.endswith("有限公司") and r < 0.35:
        s = s[:-4] + "有限责任公司"
    elif r < 0.5:
        s = s.replace("有限公司", " 有限公司")
    if rng.random() < 0.2:
        s = "".join(_FW.get(c, c) for c in s)  # full-width
    if rng.random() < 0.15 and len(s) > 8:  # one-character typo in the stem
        i = int(rng.integers(2, max(3, len(s) - 6)))
        s = s[:i] + str(rng.choice(WORDS)) + s[i + 1:]
    if rng.random() < 0.1:
        s = s + " "
    return s


def noisy_address(rng: np.random.Generator, addr: str) -> str:
    """Prefixes, '#' for '号', full-width digits, extra spaces; sometimes the district or the
    floor is left out (then it no longer matches the registry address exactly)."""
    s = addr
    if rng.random() < 0.12:
        for _, _, district in CITIES:
            s = s.replace(district, "", 1)
    if rng.random() < 0.12 and s.endswith("楼"):
        s = s[: s.rfind("号") + 1]
    if rng.random() < 0.3:
        s = "中国" + s
    if rng.random() < 0.3:
        s = s.replace("号", "#", 1)
    if rng.random() < 0.25:
        s = "".join(_FW.get(c, c) for c in s)
    if rng.random() < 0.2:
        s = s.replace("市", "市 ", 1)
    return s


def noisy_phone(rng: np.random.Generator, mob: str) -> str:
    """Format variants of the same number; 12% of the time another number altogether."""
    if rng.random() < 0.12:
        mob = mobile(rng)
    r = rng.random()
    if r < 0.25:
        return f"+86 {mob[:3]}-{mob[3:7]}-{mob[7:]}"
    if r < 0.45:
        return f"{mob[:3]} {mob[3:7]} {mob[7:]}"
    if r < 0.55:
        return "0086" + mob
    if r < 0.65:
        return "".join(_FW.get(c, c) for c in mob)
    return mob
