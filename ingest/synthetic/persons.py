"""Person mentions of the simulated world: the same person recorded by other systems under
variants of name, phone and identity number (for entity resolution and its ground truth).

Written **after** everything else, from its own random stream ``default_rng([seed, 7])``, and
only into new files, so every other file of a world keeps exactly the values it had before
person mentions existed.

* ``road_manifests.csv`` - one road manifest (道路舱单) per road declaration: the plate and the
  driver as the carrier typed them. Each driver has 4 recorded variants (a carrier re-uses
  what it typed before): name with spaces, traditional characters (HK drivers) or a one-
  character typo; phone in another format, blank or another number; identity number valid,
  blank or mistyped (one digit changed or two adjacent digits swapped - always caught by the
  GB 11643 check character).
  3% of crossings are driven by a relief driver who is in no registry
  (``truth/unregistered_persons.csv``): merging one of those into a registered driver is a
  false merge. A fifth of them are namesakes of a registered driver and drive 30% of that
  driver's crossings (same name, same truck, another person).
* ``customs_reps.csv`` - the legal representative (法定代表人) of each customs registration,
  one row per registration, each with its own variant. Shell-cluster members share one
  legal representative, so that person appears on several rows.

Mention key (what ingest computes, ``mappings/syn_road_manifests.yaml`` / ``syn_customs_reps``):
``"PM:" + HMAC("<name>|<E.164 phone or ''>|<valid id or ''>|<plate or customs code>")``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ingest import validators as V
from ingest.normalise import normalise_phone
from ingest.synthetic import names as W
from ingest.values import hmac_id

STREAM = 7  # np.random.default_rng([seed, STREAM])
N_DRIVER_VARIANTS = 4
# simplified -> traditional for the name vocabulary (HK cross-border drivers)
TRAD = dict(zip("刘陈杨黄赵吴郑梁谢许韩冯邓罗马孙张宋伟丽军艳杰娟涛刚桂华国辉鹏飞",
                "劉陳楊黃趙吳鄭梁謝許韓馮鄧羅馬孫張宋偉麗軍艷傑娟濤剛桂華國輝鵬飛"))


RELIEF_SHARE = 0.03  # road crossings driven by a relief driver missing from the registry
NAMESAKE_SHARE = 0.3  # crossings of a driver with a namesake relief driver that the namesake drives


def _person(rng: np.random.Generator) -> tuple[str, str, str]:
    """(id number, name, phone) of a person who is in no registry."""
    region = W.CITIES[int(rng.integers(0, len(W.CITIES)))][1]
    body = (region + f"{int(rng.integers(1965, 2002))}{int(rng.integers(1, 13)):02d}"
            f"{int(rng.integers(1, 29)):02d}{int(rng.integers(0, 1000)):03d}")
    return body + V.cn_id_check_char(body), W.person_name(rng), W.mobile(rng)


def name_variant(rng: np.random.Generator, name: str, *, trad: float = 0.0,
                 typo: float = 0.04) -> str:
    """A person's name as another system recorded it."""
    s = name
    if rng.random() < trad:
        s = "".join(TRAD.get(c, c) for c in s)
    if rng.random() < typo and len(s) >= 2:  # a homophone/neighbour typed for a given-name char
        i = int(rng.integers(1, len(s)))
        s = s[:i] + str(rng.choice(W.GIVEN)) + s[i + 1:]
    r = rng.random()
    if r < 0.2:
        s = s[0] + " " + s[1:]
    elif r < 0.28:
        s = s[0] + "\u3000" + s[1:]  # ideographic space
    if rng.random() < 0.08:
        s = s + " "
    return s


def mistype_id(rng: np.random.Generator, id_number: str) -> str:
    """One digit changed or two adjacent (different) digits swapped; fails GB 11643."""
    for _ in range(20):
        s = list(id_number)
        if rng.random() < 0.6:
            i = int(rng.integers(0, 17))
            s[i] = str((int(s[i]) + int(rng.integers(1, 10))) % 10)
        else:
            i = int(rng.integers(0, 16))
            s[i], s[i + 1] = s[i + 1], s[i]
        out = "".join(s)
        if out != id_number and not V.is_valid_cn_id(out):
            return out
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def id_variant(rng: np.random.Generator, id_number: str, p_missing: float,
               p_mistyped: float) -> str:
    r = rng.random()
    if r < p_missing:
        return ""
    if r < p_missing + p_mistyped:
        return mistype_id(rng, id_number)
    return id_number


def phone_variant(rng: np.random.Generator, phone: str, p_blank: float) -> str:
    return "" if rng.random() < p_blank else W.noisy_phone(rng, phone)


def mention_key(name: str, phone: str, id_number: str, context: str, secret: bytes) -> str:
    """The graph key ingest gives this person mention (see the module docstring)."""
    e164 = normalise_phone(phone) if phone else ""
    idv = V.check_cn_id_claimed(id_number) if id_number else ""
    return "PM:" + hmac_id(f"{name}|{e164}|{idv}|{context}", secret)


def write_person_mentions(out: Path, *, seed: int, persons: pd.DataFrame, person_keys: list[str],
                          road: np.ndarray, driver: np.ndarray, plate: np.ndarray,
                          decl_id: np.ndarray, date: np.ndarray, port_code: np.ndarray,
                          legal_rep: np.ndarray, customs_code: np.ndarray, first_driver: int,
                          n_drivers: int, secret: bytes) -> tuple[list[tuple[str, str, str]],
                                                                  dict[str, Any]]:
    """Write road_manifests.csv and customs_reps.csv; return (mention truth rows, counts)."""
    rng = np.random.default_rng([int(seed), STREAM])
    pid = persons["id_number"].to_numpy()
    pname = persons["name"].to_numpy()
    pphone = persons["phone"].to_numpy()

    # -- drivers on road manifests ------------------------------------------------------------
    # relief drivers: not in the person registry (no canonical node unless their valid id
    # creates one) - a mention of one merged into a registered driver is a false merge
    n_relief = max(3, n_drivers // 10)
    relief = [_person(rng) for _ in range(n_relief)]
    # namesakes: the first fifth of them share the name of a registered driver (a brother
    # on the family truck) and take over a share of that driver's crossings - same name,
    # same vehicle, another person: the hard case for name + context
    n_twin = max(1, n_relief // 5)
    twin_of = rng.choice(n_drivers, n_twin, replace=False)
    for r, t in enumerate(twin_of.tolist()):
        relief[r] = (relief[r][0], str(pname[first_driver + t]), relief[r][2])
    d_id = list(pid[first_driver:first_driver + n_drivers]) + [r[0] for r in relief]
    d_name = list(pname[first_driver:first_driver + n_drivers]) + [r[1] for r in relief]
    d_phone = list(pphone[first_driver:first_driver + n_drivers]) + [r[2] for r in relief]
    d_key = list(person_keys[first_driver:first_driver + n_drivers]) + [
        hmac_id(r[0], secret) for r in relief]
    var = [[(name_variant(rng, d_name[p], trad=0.15),
             phone_variant(rng, d_phone[p], 0.15),
             id_variant(rng, d_id[p], 0.25, 0.25)) for _ in range(N_DRIVER_VARIANTS)]
           for p in range(len(d_id))]
    ri = np.where(road)[0]
    pick = rng.integers(0, N_DRIVER_VARIANTS, len(ri))
    d = driver[ri] - first_driver
    twin_idx = np.full(n_drivers, -1)
    twin_idx[twin_of] = np.arange(n_twin)
    by_twin = (twin_idx[d] >= 0) & (rng.random(len(ri)) < NAMESAKE_SHARE)
    is_relief = by_twin | (rng.random(len(ri)) < RELIEF_SHARE)
    d = np.where(by_twin, n_drivers + twin_idx[d],
                 np.where(is_relief, n_drivers + rng.integers(n_twin, max(n_twin + 1, n_relief),
                                                              len(ri)), d))
    combo = (d.astype(np.int64) * N_DRIVER_VARIANTS + pick)
    v_name = np.array([v[0] for vs in var for v in vs], dtype=object)
    v_phone = np.array([v[1] for vs in var for v in vs], dtype=object)
    v_id = np.array([v[2] for vs in var for v in vs], dtype=object)
    plates = plate[ri]
    R = pd.DataFrame({
        "manifest_no": np.char.add("RM", decl_id[ri].astype(str)), "decl_id": decl_id[ri],
        "date": date[ri], "port_code": port_code[ri], "plate": plates,
        "driver_name": v_name[combo], "driver_phone": v_phone[combo], "driver_id": v_id[combo]})
    R.to_csv(out / "road_manifests.csv", index=False)
    truth: dict[str, str] = {}
    collisions = 0
    u_combo: dict[tuple[int, str], None] = {}
    for c, pl in zip(combo.tolist(), plates.tolist()):
        u_combo.setdefault((c, pl), None)
    # per variant and per plate once (the same as mention_key(), which reps use below)
    v_e164 = [normalise_phone(x) if x else "" for x in v_phone]
    v_idv = [V.check_cn_id_claimed(x) if x else "" for x in v_id]
    plate_ok = {pl: V.check_plate(pl) for pl in set(plates.tolist())}
    for (c, pl) in u_combo:
        k = "PM:" + hmac_id(f"{v_name[c]}|{v_e164[c]}|{v_idv[c]}|{plate_ok[pl]}", secret)
        true = d_key[c // N_DRIVER_VARIANTS]
        if truth.setdefault(k, true) != true:
            collisions += 1
    n_drv_mentions = len(truth)

    # -- legal representatives on customs registrations ----------------------------------------
    rows = []
    for i, rep in enumerate(legal_rep.tolist()):
        nm = name_variant(rng, pname[rep])
        ph = phone_variant(rng, pphone[rep], 0.2)
        idn = id_variant(rng, pid[rep], 0.35, 0.2)
        rows.append({"customs_code": customs_code[i], "name": nm, "phone": ph, "id_number": idn})
        k = mention_key(nm, ph, idn, V.check_customs_code(customs_code[i]), secret)
        if truth.setdefault(k, person_keys[rep]) != person_keys[rep]:
            collisions += 1
    pd.DataFrame(rows, columns=["customs_code", "name", "phone", "id_number"]).to_csv(
        out / "customs_reps.csv", index=False)
    pd.DataFrame({"key": d_key[n_drivers:], "id": [r[0] for r in relief],
                  "name": [r[1] for r in relief], "role": "relief_driver",
                  "namesake_of": [person_keys[first_driver + t] for t in twin_of.tolist()]
                  + [""] * (n_relief - n_twin)}).to_csv(
        out / "truth" / "unregistered_persons.csv", index=False)
    v_status = np.array([V.cn_id_status(x) for x in v_id], dtype=object)
    status = pd.Series(np.concatenate([v_status[combo], np.array(
        [V.cn_id_status(r["id_number"]) for r in rows], dtype=object)]))
    counts = {"road_manifests": len(R), "relief_driver_rows": int(is_relief.sum()),
              "namesake_driver_rows": int(by_twin.sum()),
              "customs_reps": len(rows),
              "person_mentions": len(truth), "driver_mentions": n_drv_mentions,
              "rep_mentions": len(truth) - n_drv_mentions, "person_mention_key_collisions": collisions,
              "person_mention_rows_by_id_status": status.value_counts().to_dict()}
    return [(k, "person", v) for k, v in truth.items()], counts
