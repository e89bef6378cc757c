"""Stages 1-3 of the world: enterprises, persons, and the planted enterprise patterns (shell
clusters, laundering, misclassification, split shipments, new-enterprise volume)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from ingest.synthetic import names as W
from ingest.synthetic.identifiers import cn_id, uscc
from ingest.synthetic.params import CREDIT, CUSTOMS_AREA, START, World


def enterprises(w: World) -> None:
    """``E`` (one row per enterprise, the first ``n_brk`` are brokers), ``city``."""
    rng, N = w.rng, w.n
    n_ent = max(60, N // 25)
    n_brk = max(5, n_ent // 20)
    city = rng.integers(0, len(W.CITIES), n_ent)
    ent = []
    used = set()
    for i in range(n_ent):
        cname, region, district = W.CITIES[city[i]]
        while True:
            u = uscc(rng, region)
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
    w.add(n_ent=n_ent, n_brk=n_brk, city=city, E=E)
    w.say(f"{n_ent} enterprises")


def persons(w: World) -> None:
    """``Pn``: one legal rep per enterprise (shell clusters share), drivers, shareholders."""
    rng, N, n_ent, E = w.rng, w.n, w.n_ent, w.E
    n_drv = max(20, N // 150)
    n_per = n_ent + n_drv + max(5, n_ent // 100)
    per = [{"id_number": cn_id(rng, W.CITIES[int(rng.integers(0, len(W.CITIES)))][1]),
            "name": W.person_name(rng), "phone": W.mobile(rng)} for _ in range(n_per)]
    Pn = pd.DataFrame(per).drop_duplicates("id_number").reset_index(drop=True)
    n_per = len(Pn)
    Pn["role"] = "legal_rep"
    Pn.loc[n_ent: n_ent + n_drv - 1, "role"] = "driver"
    Pn.loc[n_ent + n_drv:, "role"] = "shareholder"
    Pn["nationality"] = "CN"
    Pn["pattern"] = ""
    E["legal_rep"] = np.arange(n_ent)
    w.add(n_drv=n_drv, n_per=n_per, Pn=Pn, imp_idx=np.arange(w.n_brk, n_ent))


def patterns(w: World) -> None:
    """Plant the enterprise patterns; ``shareholders``, ``activity`` (declaration weight),
    ``pat``, ``reg_day`` and the pattern members ``launder``, ``miscls``."""
    rng, E, Pn = w.rng, w.E, w.Pn
    n_ent, n_drv, n_per, imp_idx, span = w.n_ent, w.n_drv, w.n_per, w.imp_idx, w.span
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
    take(0.01, "split_shipments")
    newvol = take(0.01, "new_enterprise_volume")
    for m in newvol:
        E.at[m, "registered_on"] = START + timedelta(days=int(rng.integers(30, span - 150)))
        E.at[m, "credit_level"] = "一般信用"
        E.at[m, "aeo"] = False
    for i in range(n_ent):  # ordinary shareholders: the legal rep
        shareholders.append((int(E.at[i, "legal_rep"]), i, 1.0))

    activity = rng.lognormal(0, 1.1, n_ent)
    activity[:w.n_brk] = 0
    pat = E["pattern"].to_numpy()
    activity[pat == "new_enterprise_volume"] *= 15
    activity[pat == "shell_cluster"] *= 3
    activity[pat == "split_shipments"] *= 4
    reg_day = np.array([(d - START).days for d in E["registered_on"]])
    w.add(shareholders=shareholders, launder=launder, miscls=miscls, activity=activity,
          pat=pat, reg_day=reg_day)
