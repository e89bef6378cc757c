"""Generate a simulated smart-port world (deterministic by seed) as source files + ground truth.

Per-declaration work is numpy-vectorised; per-entity work (names, ids: ~N/25 enterprises)
is plain Python. ``generate_world(10_000, seed=7, out=DIR)`` -> summary dict.
File formats: ``ingest/synthetic/README.md``.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ingest import validators as V
from ingest.mapping import hmac_id, mention_digest
from ingest.normalise import normalise_phone
from ingest.synthetic import names as W

log = logging.getLogger("ingest.synthetic")

PORTS = [("2201", "上海吴淞海关"), ("5316", "深圳蛇口海关"), ("5141", "广州黄埔海关"),
         ("3104", "宁波北仑海关"), ("4258", "青岛前湾海关"), ("0202", "天津新港海关")]
CUSTOMS_AREA = ["2201", "5316", "5141", "3104", "4258", "0202", "3701", "2249", "5301", "0908"]
ORIGINS = ["KR", "JP", "US", "DE", "VN", "MY", "TH", "AU", "BR", "IN", "ID", "FR", "IT", "GB",
           "NZ", "CL", "SG", "CA", "NL", "ES"]
ORIGIN_W = np.array([12, 12, 10, 8, 8, 6, 5, 6, 4, 4, 4, 3, 3, 3, 2, 2, 2, 2, 2, 2], float)
THIRD = ["MY", "VN", "TH", "SG"]  # laundering routes
ADD_ORIGINS = ["US", "JP", "KR", "AU", "DE"]  # anti-dumping targets
FLAGS = [("CN", "412"), ("HK", "477"), ("SG", "563"), ("PA", "352"), ("LR", "636"),
         ("KR", "440"), ("MH", "538")]
CHAPTERS = ["03", "08", "15", "22", "27", "29", "39", "40", "44", "48", "52", "61", "62", "64",
            "72", "73", "76", "84", "85", "87", "90", "94", "95"]
CREDIT = ["高级认证", "一般认证", "一般信用", "失信"]
SPLIT_THRESHOLD = 5000.0  # CNY: small-value threshold the split pattern stays under
START, END = date(2023, 1, 1), date(2024, 12, 31)


@dataclass
class WorldParams:
    declarations: int = 10_000
    seed: int = 7
    inspect_rate: float = 0.025  # random inspections
    inspect_fraud_boost: float = 0.05  # targeting finds fraud a little more often
    label_noise: float = 0.05  # inspection result flipped
    corrupt_rate: float = 0.0005  # rows with data errors (to exercise quarantine)


def _uscc(rng, region: str) -> str:
    body = "91" + region + "".join(rng.choice(list(V.USCC_ALPHABET), 9))
    return body + V.uscc_check_char(body)


def _cn_id(rng, region: str) -> str:
    born = START - timedelta(days=int(rng.integers(22 * 365, 60 * 365)))
    body = region + born.strftime("%Y%m%d") + f"{int(rng.integers(0, 1000)):03d}"
    return body + V.cn_id_check_char(body)


def _container(owner: str, serial: int) -> str:
    first = f"{owner}U{serial:06d}"
    return first + str(V.container_check_digit(first))


def _imo(n: int) -> str:
    first = f"{9_100_000 + n * 37 % 899_999:07d}"[:6]
    return first + str(V.imo_check_digit(first))


def _plate(rng, i: int) -> str:
    L = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    r = rng.random()
    if r < 0.4:  # Hong Kong cross-border truck
        return f"粤Z{L[i % 24]}{i // 24 % 10}{i // 240 % 10}{i // 2400 % 10}港"
    if r < 0.55:  # new-energy 8 characters
        return f"粤B{'DF'[i % 2]}{L[i // 2 % 24]}{i // 48 % 10000:04d}"
    return f"{rng.choice(['粤', '沪', '浙', '鲁', '津'])}{L[i % 24]}{i // 24 % 100000:05d}"


def generate_world(declarations: int = 10_000, seed: int = 7, out: str | Path = "world",
                   *, hmac_secret: bytes | None = None, progress: bool = False
                   ) -> dict[str, Any]:
    """Write the world's source files and ground truth under ``out``; return a summary."""
    t0 = time.perf_counter()
    P = WorldParams(declarations=int(declarations), seed=int(seed))
    if hmac_secret is None:
        from ingest.config import get_settings
        hmac_secret = get_settings().hmac_secret()
    rng = np.random.default_rng(P.seed)
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    N = P.declarations
    say = (lambda m: print(f"[synthetic] {m} ({time.perf_counter() - t0:.1f}s)",
                           file=sys.stderr, flush=True)) if progress else (lambda m: None)
    span = (END - START).days

    # -- enterprises ------------------------------------------------------------------------
    n_ent = max(60, N // 25)
    n_brk = max(5, n_ent // 20)
    city = rng.integers(0, len(W.CITIES), n_ent)
    ent = []
    used = set()
    for i in range(n_ent):
        cname, region, district = W.CITIES[city[i]]
        while True:
            u = _uscc(rng, region)
            nm = W.cn_company_name(rng, cname)
            if u not in used and nm not in used:
                used.update((u, nm))
                break
        ent.append({"uscc": u, "name": nm, "address": W.address(rng, cname, district),
                    "phone": W.mobile(rng), "city": cname, "region": region})
    # look-alike names: 8% of enterprises are named one character away from another one
    for i in rng.choice(n_ent, n_ent // 12, replace=False):
        j = int(rng.integers(0, n_ent))
        base = ent[j]["name"]
        pos = int(rng.integers(2, max(3, len(base) - 6)))
        alt = base[:pos] + str(rng.choice(W.WORDS)) + base[pos + 1:]
        if alt not in used and i != j:
            used.add(alt)
            ent[i]["name"] = alt
    E = pd.DataFrame(ent)
    E["registered_on"] = [START - timedelta(days=int(d)) for d in rng.integers(200, 20 * 365, n_ent)]
    E["credit_level"] = rng.choice(CREDIT, n_ent, p=[0.08, 0.25, 0.62, 0.05])
    E["aeo"] = E["credit_level"].isin(["高级认证"])
    E["kind"] = "importer"
    E.loc[: n_brk - 1, "kind"] = "broker"
    E["pattern"] = ""
    E["cluster"] = ""
    E["customs_code"] = [f"{CUSTOMS_AREA[c]}{'0123456789ABCDEFGHJKLMNPQRTUWXY'[i // 6000 % 31]}"
                         f"{(i // 1000) % 6}{'0123456789'[city[i] % 10]}{i % 1000:03d}"
                         for i, c in enumerate(city)]
    assert E["customs_code"].is_unique
    say(f"{n_ent} enterprises")

    # persons: one legal rep per enterprise (shell clusters share), drivers
    n_drv = max(20, N // 150)
    n_per = n_ent + n_drv + max(5, n_ent // 100)
    per = [{"id_number": _cn_id(rng, W.CITIES[int(rng.integers(0, len(W.CITIES)))][1]),
            "name": W.person_name(rng), "phone": W.mobile(rng)} for _ in range(n_per)]
    Pn = pd.DataFrame(per).drop_duplicates("id_number").reset_index(drop=True)
    n_per = len(Pn)
    Pn["role"] = "legal_rep"
    Pn.loc[n_ent: n_ent + n_drv - 1, "role"] = "driver"
    Pn.loc[n_ent + n_drv:, "role"] = "shareholder"
    Pn["nationality"] = "CN"
    Pn["pattern"] = ""
    E["legal_rep"] = np.arange(n_ent)
    imp_idx = np.arange(n_brk, n_ent)

    # -- planted enterprise patterns ---------------------------------------------------------
    pool = rng.permutation(imp_idx)
    k = 0
    shareholders = []
    n_clusters = max(2, n_ent // 150)
    for c in range(n_clusters):
        size = int(rng.integers(3, 7))
        members = pool[k: k + size]
        k += size
        rep = members[0]
        ctrl = n_ent + n_drv + c % max(1, n_per - n_ent - n_drv)
        share_addr, share_phone = rng.random() < 0.8, rng.random() < 0.7
        for m in members:
            E.at[m, "legal_rep"] = rep
            if share_addr:
                E.at[m, "address"] = E.at[rep, "address"]
            if share_phone:
                E.at[m, "phone"] = E.at[rep, "phone"]
            E.at[m, "registered_on"] = START + timedelta(days=int(rng.integers(0, span // 2)))
            E.at[m, "pattern"] = "shell_cluster"
            E.at[m, "cluster"] = f"C{c:04d}"
            E.at[m, "credit_level"] = "一般信用"
            E.at[m, "aeo"] = False
            shareholders.append((ctrl, m, 1.0 / len(members)))
        Pn.at[rep, "pattern"] = "shell_cluster"
        Pn.at[ctrl, "pattern"] = "shell_cluster"

    def take(frac: float, pat: str) -> np.ndarray:
        nonlocal k
        n = max(1, int(len(imp_idx) * frac))
        sel = pool[k: k + n]
        k += n
        E.loc[sel, "pattern"] = pat
        return sel

    launder = take(0.012, "origin_laundering")
    miscls = take(0.015, "misclassification")
    split = take(0.01, "split_shipments")
    newvol = take(0.01, "new_enterprise_volume")
    for m in newvol:
        E.at[m, "registered_on"] = START + timedelta(days=int(rng.integers(30, span - 150)))
        E.at[m, "credit_level"] = "一般信用"
        E.at[m, "aeo"] = False
    for i in range(n_ent):  # ordinary shareholders: the legal rep
        shareholders.append((int(E.at[i, "legal_rep"]), i, 1.0))

    activity = rng.lognormal(0, 1.1, n_ent)
    activity[:n_brk] = 0
    pat = E["pattern"].to_numpy()
    activity[pat == "new_enterprise_volume"] *= 15
    activity[pat == "shell_cluster"] *= 3
    activity[pat == "split_shipments"] *= 4
    reg_day = np.array([(d - START).days for d in E["registered_on"]])

    # -- goods catalogue ---------------------------------------------------------------------
    K = 400
    chap = rng.choice(CHAPTERS, K)
    hs10 = np.array([f"{c}{int(x):08d}" for c, x in zip(chap, rng.integers(1_000_000, 99_999_999, K))])
    price = rng.lognormal(3.0, 1.2, K)  # CNY per kg
    tariff = rng.choice([0, 3, 5, 6, 8, 10, 12, 14, 20], K).astype(float)
    sibling = np.full(K, -1)
    for i in range(K):
        cand = np.where((chap == chap[i]) & (tariff < tariff[i] - 2))[0]
        if len(cand):
            sibling[i] = cand[int(rng.integers(0, len(cand)))]
    add_items = np.where(rng.random(K) < 0.12)[0]
    origin_f = dict(zip(ORIGINS, rng.uniform(0.8, 1.3, len(ORIGINS))))
    profile = rng.integers(0, K, (n_ent, 5))
    for m in launder:
        profile[m, :3] = rng.choice(add_items, 3)
    for m in miscls:
        has = np.where(sibling >= 0)[0]
        profile[m, :3] = rng.choice(has, 3)
    pref_origin = rng.choice(len(ORIGINS), (n_ent, 3), p=ORIGIN_W / ORIGIN_W.sum())

    # foreign sellers
    n_sel = max(30, N // 50)
    sel_country = rng.choice(len(ORIGINS), n_sel, p=ORIGIN_W / ORIGIN_W.sum())
    sel_name = [f"{rng.choice(W.FOREIGN_A)} {rng.choice(W.FOREIGN_B)} {i:04d} "
                f"{rng.choice(W.FOREIGN_SUFFIX)}" for i in range(n_sel)]
    suppliers = rng.integers(0, n_sel, (n_ent, 3))

    # conveyances
    n_veh = max(15, N // 120)
    plates = list(dict.fromkeys(_plate(rng, i) for i in range(n_veh)))
    n_veh = len(plates)
    veh_driver = n_ent + rng.integers(0, n_drv, n_veh)
    offenders = rng.choice(np.arange(n_ent, n_ent + n_drv), max(1, n_drv * 3 // 100), replace=False)
    Pn.loc[offenders, "pattern"] = "repeat_offender_driver"
    n_ves = max(8, N // 3000)
    ves_flag = rng.integers(0, len(FLAGS), n_ves)
    owners = ["CSQ", "MSK", "COS", "OOL", "EGH", "TGH", "HLX", "ONE"]
    n_con = max(50, N // 3)
    containers = [_container(owners[i % len(owners)], (i * 7919) % 1_000_000) for i in range(n_con)]
    say("catalogue and conveyances")

    # -- declarations (vectorised) -----------------------------------------------------------
    p_imp = activity / activity.sum()
    imp = rng.choice(n_ent, N, p=p_imp)
    day = rng.integers(0, span + 1, N)
    ipat = pat[imp]
    nv = ipat == "new_enterprise_volume"
    day = np.where(nv, reg_day[imp] + rng.integers(5, 150, N), day)
    day = np.maximum(day, reg_day[imp] + 3)
    day = np.clip(day, 0, span)
    item = profile[imp, rng.integers(0, 5, N)]
    origin = pref_origin[imp, rng.integers(0, 3, N)]
    seller = suppliers[imp, rng.integers(0, 3, N)]
    mass = np.round(rng.lognormal(5.5, 1.6, N), 1) + 0.1
    of = np.array([origin_f[o] for o in ORIGINS])
    value = mass * price[item] * of[origin] * rng.lognormal(0, 0.15, N)
    decl_item = item.copy()
    decl_origin = origin.copy()
    departure = origin.copy()
    transit = rng.random(N) < 0.08
    departure[transit] = ORIGINS.index("SG")
    fraud = np.zeros(N, bool)
    dpat = np.full(N, "", dtype=object)
    u = rng.random(N)

    def mark(mask, name):
        fraud[mask] = True
        dpat[mask] = np.where(dpat[mask] == "", name, dpat[mask] + ";" + name)

    m = (ipat == "shell_cluster") & (u < 0.6)
    value[m] *= rng.uniform(0.25, 0.55, m.sum())
    mark(m, "undervaluation")
    m = nv & (u < 0.35)
    value[m] *= rng.uniform(0.3, 0.6, m.sum())
    mark(m, "undervaluation")
    m = (ipat == "origin_laundering") & np.isin(item, add_items) & (u < 0.7)
    true_src = rng.choice([ORIGINS.index(c) for c in ADD_ORIGINS], m.sum())
    origin[m] = true_src
    third = rng.choice([ORIGINS.index(c) for c in THIRD], m.sum())
    decl_origin[m] = third
    departure[m] = third
    sel_country[seller[m]] = true_src  # the seller sits in the true origin
    mark(m, "origin_laundering")
    m = (ipat == "misclassification") & (sibling[item] >= 0) & (u < 0.55)
    decl_item[m] = sibling[item[m]]
    mark(m, "misclassification")
    m = (ipat == "split_shipments") & (u < 0.6)
    # same importer, a few split days, same goods, each value just under the threshold
    day[m] = np.clip(reg_day[imp[m]] + 10 + (imp[m] * 7919 + rng.integers(0, 4, m.sum()) * 29)
                     % max(1, span - 10), 0, span)
    item[m] = decl_item[m] = profile[imp[m], 0]
    value[m] = rng.uniform(0.90, 0.998, m.sum()) * SPLIT_THRESHOLD
    mark(m, "split_shipment")
    bg = (~fraud) & (rng.random(N) < 0.004)
    value[bg] *= rng.uniform(0.4, 0.7, bg.sum())
    mark(bg, "undervaluation")

    # transport
    road = rng.random(N) < 0.3
    veh = rng.integers(0, n_veh, N)
    drv = np.where(rng.random(N) < 0.85, veh_driver[veh], n_ent + rng.integers(0, n_drv, N))
    is_off = road & np.isin(drv, offenders) & (rng.random(N) < 0.5)
    true_mass = mass.copy()
    mass[is_off] = np.round(mass[is_off] * 0.45, 1) + 0.1
    value[is_off] *= 0.45
    mark(is_off, "repeat_offender_driver")
    declared_value = np.round(value, 2)
    true_value = np.round(mass * 0 + true_mass * price[item] * of[origin], 2)

    broker = np.where(rng.random(N) < 0.7, rng.integers(0, n_brk, N), -1)
    port = rng.integers(0, len(PORTS), N)
    usd = rng.random(N) < 0.12
    cur_value = np.where(usd, np.round(declared_value / 7.1, 2), declared_value)
    dates = np.array([(START + timedelta(days=int(d))).isoformat() for d in range(span + 1)])
    ddate = dates[day]
    year = np.array([d[:4] for d in dates])[day]
    decl_id = np.char.add(np.char.add(np.array([p[0] for p in PORTS])[port], year),
                          np.char.add("1", np.char.zfill(np.arange(1, N + 1).astype(str), 9)))
    vessel = rng.integers(0, n_ves, N)
    week = day // 7
    manifest = np.char.add("MF", np.char.add(np.char.zfill(vessel.astype(str), 4),
                                              np.char.zfill(week.astype(str), 4)))
    bl = np.char.add("BL", np.char.zfill(np.arange(1, N + 1).astype(str), 10))
    cont = np.array(containers)[rng.integers(0, n_con, N)]
    plate_arr = np.array(plates)

    # inspections and labels (only inspected declarations carry one)
    p_ins = P.inspect_rate + P.inspect_fraud_boost * fraud
    inspected = rng.random(N) < p_ins
    flip = rng.random(N) < P.label_noise
    hit = np.where(flip, ~fraud, fraud)
    say(f"{N} declarations, {fraud.sum()} fraudulent, {inspected.sum()} inspected")

    # corrupt rows (data errors the ingest must quarantine)
    corrupt = rng.random(N) < P.corrupt_rate
    mass_out = np.round(mass, 1).astype(object)
    cont_out = cont.astype(object)
    ci = np.where(corrupt)[0]
    for j, i in enumerate(ci):
        if j % 2 or road[i]:
            mass_out[i] = -mass_out[i]
        else:
            c = cont_out[i]
            cont_out[i] = c[:10] + str((int(c[10]) + 1) % 10)

    imp_uscc = E["uscc"].to_numpy()
    imp_cc = E["customs_code"].to_numpy()
    D = pd.DataFrame({
        "decl_id": decl_id, "date": ddate, "port_code": np.array([p[0] for p in PORTS])[port],
        "customs_code": imp_cc[imp],
        "broker_code": np.where(broker >= 0, imp_cc[np.maximum(broker, 0)], ""),
        "seller_id": np.char.add("S", np.char.zfill(seller.astype(str), 6)),
        "seller_name": np.array(sel_name)[seller],
        "seller_country": np.array(ORIGINS)[sel_country[seller]],
        "hs10": hs10[decl_item], "origin": np.array(ORIGINS)[decl_origin],
        "departure": np.array(ORIGINS)[departure],
        "transport_mode": np.where(road, "4", "2"), "net_mass": mass_out,
        "quantity": np.maximum(1, np.round(mass / rng.uniform(0.5, 20, N))).astype(int),
        "value": cur_value, "currency": np.where(usd, "USD", "CNY"),
        "tax_rate": tariff[decl_item], "inspected": inspected.astype(int),
        "bl_no": np.where(road, "", bl), "container_no": np.where(road, "", cont_out),
        "plate": np.where(road, plate_arr[veh], ""),
        "driver_id": np.where(road, Pn["id_number"].to_numpy()[drv], ""),
    })
    D.to_csv(out / "declarations.csv", index=False)
    say("declarations.csv")

    # -- mentions: customs registrations and bill-of-lading consignees ------------------------
    mentions = []
    has_uscc = rng.random(n_ent) < 0.65
    cp = []
    for i in range(n_ent):
        cp.append({"customs_code": imp_cc[i], "name": W.noisy_name(rng, E.at[i, "name"]),
                   "address": W.noisy_address(rng, E.at[i, "address"]),
                   "phone": W.noisy_phone(rng, E.at[i, "phone"]),
                   "uscc": imp_uscc[i] if has_uscc[i] else "",
                   "credit_level": E.at[i, "credit_level"], "aeo": int(E.at[i, "aeo"])})
        mentions.append(("CC:" + imp_cc[i], "enterprise", imp_uscc[i]))
    pd.DataFrame(cp).to_csv(out / "customs_parties.csv", index=False)
    variants = []
    for i in range(n_ent):
        vs = []
        for _ in range(3):
            nm = W.noisy_name(rng, E.at[i, "name"])
            ph = W.noisy_phone(rng, E.at[i, "phone"]) if rng.random() < 0.8 else ""
            ad = W.noisy_address(rng, E.at[i, "address"])
            vs.append((nm, ph, ad))
        variants.append(vs)
    sea = np.where(~road)[0]
    vsel = rng.integers(0, 3, len(sea))
    cons = [variants[imp[i]][v] for i, v in zip(sea, vsel)]
    B = pd.DataFrame({"bl_no": bl[sea], "manifest_id": manifest[sea], "date": ddate[sea],
                      "container_no": cont_out[sea],
                      "consignee_name": [c[0] for c in cons],
                      "consignee_phone": [c[1] for c in cons],
                      "consignee_address": [c[2] for c in cons]})
    B.to_csv(out / "bills.csv", index=False)
    seen_txt = {}
    for (nm, ph, ad), i in zip(cons, imp[sea]):
        # the key as ingest computes it: checks canonicalise the phone (E.164) first
        key = "TXT:" + mention_digest(f"{nm}|{normalise_phone(ph) if ph else ''}|{ad}")
        seen_txt.setdefault(key, imp_uscc[i])
    mentions.extend((k_, "enterprise", v_) for k_, v_ in seen_txt.items())
    say("customs_parties.csv, bills.csv")

    # manifests and vessels
    mf, first = np.unique(manifest[sea], return_index=True)
    mi = sea[first]
    M = pd.DataFrame({
        "manifest_id": mf, "date": ddate[mi], "port_code": np.array([p[0] for p in PORTS])[port[mi]],
        "vessel_imo": [_imo(int(v)) for v in vessel[mi]],
        "vessel_mmsi": [f"{FLAGS[ves_flag[v]][1]}{100000 + int(v) * 13 % 900000:06d}" for v in vessel[mi]],
        "vessel_name": [f"PACIFIC STAR {int(v)}" for v in vessel[mi]],
        "flag": [FLAGS[ves_flag[v]][0] for v in vessel[mi]],
        "loading_country": np.array(ORIGINS)[departure[mi]]})
    M.to_csv(out / "manifests.csv", index=False)

    # registry: enterprises, persons, shareholders
    E_out = E[["uscc", "name", "address", "phone", "registered_on", "credit_level", "aeo",
               "city", "kind"]].copy()
    E_out["legal_rep_id"] = Pn["id_number"].to_numpy()[E["legal_rep"].to_numpy()]
    E_out["aeo"] = E_out["aeo"].astype(int)
    E_out.to_csv(out / "enterprises.csv", index=False)
    Pn[["id_number", "name", "phone", "role", "nationality"]].to_csv(out / "persons.csv", index=False)
    pd.DataFrame([{"id_number": Pn.at[p_, "id_number"], "uscc": imp_uscc[e_], "share": round(s_, 3)}
                  for p_, e_, s_ in shareholders]).drop_duplicates(["id_number", "uscc"]).to_csv(
        out / "shareholders.csv", index=False)
    pd.DataFrame({"seller_id": [f"S{i:06d}" for i in range(n_sel)], "name": sel_name,
                  "country": np.array(ORIGINS)[sel_country]}).to_csv(out / "sellers.csv", index=False)

    # inspections (JSONL) and cases
    ins = np.where(inspected)[0]
    idays = np.minimum(day[ins] + rng.integers(0, 3, len(ins)), span)
    with (out / "inspections.jsonl").open("w", encoding="utf-8") as f:
        for j, i in enumerate(ins):
            f.write(json.dumps({
                "inspection_id": f"INS{j + 1:08d}", "decl_id": decl_id[i], "date": dates[idays[j]],
                "result": "hit" if hit[i] else "no_hit",
                "findings": (dpat[i] or "discrepancy") if hit[i] else "",
                "inspector": f"INSP{int(rng.integers(1, 60)):03d}"}, ensure_ascii=False) + "\n")
    case_rows = []
    for i in ins[(hit[ins]) & (fraud[ins]) & (rng.random(len(ins)) < 0.6)]:
        case_rows.append({"case_no": f"CASE{len(case_rows) + 1:07d}", "decl_id": decl_id[i],
                          "uscc": imp_uscc[imp[i]], "date": dates[min(day[i] + 20, span)],
                          "kind": (dpat[i] or "undervaluation").split(";")[0],
                          "penalty": round(float(abs(true_value[i] - declared_value[i]) * 0.3 + 1000), 2),
                          "driver_id": D.at[i, "driver_id"], "plate": D.at[i, "plate"]})
    pd.DataFrame(case_rows, columns=["case_no", "decl_id", "uscc", "date", "kind", "penalty",
                                     "driver_id", "plate"]).to_csv(out / "cases.csv", index=False)
    say("registry, inspections, cases")

    # -- ground truth ------------------------------------------------------------------------
    pd.DataFrame({"decl_id": decl_id, "is_fraud": fraud.astype(int), "pattern": dpat,
                  "importer_uscc": imp_uscc[imp], "true_hs10": hs10[item],
                  "declared_hs10": hs10[decl_item], "true_origin": np.array(ORIGINS)[origin],
                  "true_value_cny": true_value, "declared_value_cny": declared_value,
                  "inspected": inspected.astype(int), "label": np.where(inspected, hit.astype(int), -1),
                  "corrupt": corrupt.astype(int)}).to_csv(out / "truth" / "declarations.csv",
                                                          index=False)
    pkeys = [hmac_id(x, hmac_secret) for x in Pn["id_number"]]
    # person mentions: own random stream, new files only (every file above is unchanged)
    from ingest.synthetic.persons import write_person_mentions
    p_truth, p_counts = write_person_mentions(
        out, seed=P.seed, persons=Pn, person_keys=pkeys, road=road, driver=drv,
        plate=plate_arr[veh], decl_id=decl_id, date=ddate,
        port_code=np.array([p[0] for p in PORTS])[port], legal_rep=E["legal_rep"].to_numpy(),
        customs_code=imp_cc, first_driver=n_ent, n_drivers=n_drv, secret=hmac_secret)
    n_ent_mentions = len(mentions)
    mentions.extend(p_truth)
    say("person mentions: road_manifests.csv, customs_reps.csv")
    off_veh = set(np.unique(veh[is_off]).tolist())
    ent_truth = ([{"entity_type": "enterprise", "key": E.at[i, "uscc"], "id": E.at[i, "uscc"],
                   "is_risky": int(bool(E.at[i, "pattern"])), "pattern": E.at[i, "pattern"],
                   "cluster": E.at[i, "cluster"]} for i in range(n_ent)]
                 + [{"entity_type": "person", "key": pkeys[i], "id": Pn.at[i, "id_number"],
                     "is_risky": int(bool(Pn.at[i, "pattern"])), "pattern": Pn.at[i, "pattern"],
                     "cluster": ""} for i in range(n_per)]
                 + [{"entity_type": "vehicle", "key": plates[i], "id": plates[i],
                     "is_risky": int(i in off_veh),
                     "pattern": "repeat_offender_vehicle" if i in off_veh else "", "cluster": ""}
                    for i in range(n_veh)])
    pd.DataFrame(ent_truth).to_csv(out / "truth" / "entities.csv", index=False)
    pd.DataFrame(mentions, columns=["mention_key", "entity_type", "true_key"]).to_csv(
        out / "truth" / "mentions.csv", index=False)
    summary = {"params": asdict(P), "out": str(out), "span": [START.isoformat(), END.isoformat()],
               "counts": {"declarations": N, "enterprises": n_ent, "brokers": n_brk,
                          "persons": n_per, "sellers": n_sel, "vehicles": n_veh,
                          "vessels": n_ves, "containers": n_con, "manifests": len(M),
                          "bills": len(B), "inspections": int(inspected.sum()),
                          "cases": len(case_rows), "mentions": n_ent_mentions,
                          "fraud": int(fraud.sum()), "corrupt_rows": int(corrupt.sum()),
                          **p_counts},
               "patterns": {p_: int(sum(p_ in x for x in dpat)) for p_ in
                            ["undervaluation", "origin_laundering", "misclassification",
                             "split_shipment", "repeat_offender_driver"]},
               "split_threshold_cny": SPLIT_THRESHOLD, "usd_cny": 7.1,
               "seconds": round(time.perf_counter() - t0, 2)}
    (out / "world.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    say("ground truth")
    return summary
