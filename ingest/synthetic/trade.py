"""Stages 4-7 of the world: the goods catalogue, foreign sellers, conveyances, and the
declarations themselves (numpy-vectorised: goods, origin, value, planted fraud, transport,
identifiers, inspections and labels, corrupt rows)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from ingest.synthetic import names as W
from ingest.synthetic.identifiers import container, plate
from ingest.synthetic.params import (ADD_ORIGINS, CHAPTERS, FLAGS, ORIGIN_W, ORIGINS, PORTS,
                                     SPLIT_THRESHOLD, START, THIRD, World)


def catalogue(w: World) -> None:
    """400 goods (``hs10``, ``price`` per kg, ``tariff``, a lower-tariff ``sibling`` in the same
    chapter), each enterprise's goods ``profile`` and preferred origins."""
    rng, n_ent = w.rng, w.n_ent
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
    for m in w.launder:
        profile[m, :3] = rng.choice(add_items, 3)
    for m in w.miscls:
        has = np.where(sibling >= 0)[0]
        profile[m, :3] = rng.choice(has, 3)
    pref_origin = rng.choice(len(ORIGINS), (n_ent, 3), p=ORIGIN_W / ORIGIN_W.sum())
    w.add(hs10=hs10, price=price, tariff=tariff, sibling=sibling, add_items=add_items,
          origin_f=origin_f, profile=profile, pref_origin=pref_origin)


def sellers(w: World) -> None:
    rng = w.rng
    n_sel = max(30, w.n // 50)
    sel_country = rng.choice(len(ORIGINS), n_sel, p=ORIGIN_W / ORIGIN_W.sum())
    sel_name = [f"{rng.choice(W.FOREIGN_A)} {rng.choice(W.FOREIGN_B)} {i:04d} "
                f"{rng.choice(W.FOREIGN_SUFFIX)}" for i in range(n_sel)]
    suppliers = rng.integers(0, n_sel, (w.n_ent, 3))
    w.add(n_sel=n_sel, sel_country=sel_country, sel_name=sel_name, suppliers=suppliers)


def conveyances(w: World) -> None:
    """Vehicles with their usual driver (3% of drivers repeat offenders), vessels, containers."""
    rng, N, n_ent, n_drv = w.rng, w.n, w.n_ent, w.n_drv
    n_veh = max(15, N // 120)
    plates = list(dict.fromkeys(plate(rng, i) for i in range(n_veh)))
    n_veh = len(plates)
    veh_driver = n_ent + rng.integers(0, n_drv, n_veh)
    offenders = rng.choice(np.arange(n_ent, n_ent + n_drv), max(1, n_drv * 3 // 100), replace=False)
    w.Pn.loc[offenders, "pattern"] = "repeat_offender_driver"
    n_ves = max(8, N // 3000)
    ves_flag = rng.integers(0, len(FLAGS), n_ves)
    owners = ["CSQ", "MSK", "COS", "OOL", "EGH", "TGH", "HLX", "ONE"]
    n_con = max(50, N // 3)
    containers = [container(owners[i % len(owners)], (i * 7919) % 1_000_000) for i in range(n_con)]
    w.add(n_veh=n_veh, plates=plates, veh_driver=veh_driver, offenders=offenders, n_ves=n_ves,
          ves_flag=ves_flag, n_con=n_con, containers=containers)
    w.say("catalogue and conveyances")


def declarations(w: World) -> None:
    """One row per declaration: true and declared goods/origin/value, the planted fraud
    (``fraud``, ``dpat``), transport, identifiers, inspections and labels, corrupt rows."""
    rng, N, span, P = w.rng, w.n, w.span, w.params
    pat, reg_day, profile, price, sibling = w.pat, w.reg_day, w.profile, w.price, w.sibling
    imp = rng.choice(w.n_ent, N, p=w.activity / w.activity.sum())
    day = rng.integers(0, span + 1, N)
    ipat = pat[imp]
    nv = ipat == "new_enterprise_volume"
    day = np.where(nv, reg_day[imp] + rng.integers(5, 150, N), day)
    day = np.maximum(day, reg_day[imp] + 3)
    day = np.clip(day, 0, span)
    item = profile[imp, rng.integers(0, 5, N)]
    origin = w.pref_origin[imp, rng.integers(0, 3, N)]
    seller = w.suppliers[imp, rng.integers(0, 3, N)]
    mass = np.round(rng.lognormal(5.5, 1.6, N), 1) + 0.1
    of = np.array([w.origin_f[o] for o in ORIGINS])
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
    m = (ipat == "origin_laundering") & np.isin(item, w.add_items) & (u < 0.7)
    true_src = rng.choice([ORIGINS.index(c) for c in ADD_ORIGINS], m.sum())
    origin[m] = true_src
    third = rng.choice([ORIGINS.index(c) for c in THIRD], m.sum())
    decl_origin[m] = third
    departure[m] = third
    w.sel_country[seller[m]] = true_src  # the seller sits in the true origin
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
    veh = rng.integers(0, w.n_veh, N)
    drv = np.where(rng.random(N) < 0.85, w.veh_driver[veh], w.n_ent + rng.integers(0, w.n_drv, N))
    is_off = road & np.isin(drv, w.offenders) & (rng.random(N) < 0.5)
    true_mass = mass.copy()
    mass[is_off] = np.round(mass[is_off] * 0.45, 1) + 0.1
    value[is_off] *= 0.45
    mark(is_off, "repeat_offender_driver")
    declared_value = np.round(value, 2)
    true_value = np.round(mass * 0 + true_mass * price[item] * of[origin], 2)

    broker = np.where(rng.random(N) < 0.7, rng.integers(0, w.n_brk, N), -1)
    port = rng.integers(0, len(PORTS), N)
    usd = rng.random(N) < 0.12
    cur_value = np.where(usd, np.round(declared_value / 7.1, 2), declared_value)
    dates = np.array([(START + timedelta(days=int(d))).isoformat() for d in range(span + 1)])
    ddate = dates[day]
    year = np.array([d[:4] for d in dates])[day]
    decl_id = np.char.add(np.char.add(np.array([p[0] for p in PORTS])[port], year),
                          np.char.add("1", np.char.zfill(np.arange(1, N + 1).astype(str), 9)))
    vessel = rng.integers(0, w.n_ves, N)
    week = day // 7
    manifest = np.char.add("MF", np.char.add(np.char.zfill(vessel.astype(str), 4),
                                              np.char.zfill(week.astype(str), 4)))
    bl = np.char.add("BL", np.char.zfill(np.arange(1, N + 1).astype(str), 10))
    cont = np.array(w.containers)[rng.integers(0, w.n_con, N)]

    # inspections and labels (only inspected declarations carry one)
    inspected = rng.random(N) < P.inspect_rate + P.inspect_fraud_boost * fraud
    flip = rng.random(N) < P.label_noise
    hit = np.where(flip, ~fraud, fraud)
    w.say(f"{N} declarations, {fraud.sum()} fraudulent, {inspected.sum()} inspected")

    # corrupt rows (data errors the ingest must quarantine)
    corrupt = rng.random(N) < P.corrupt_rate
    mass_out = np.round(mass, 1).astype(object)
    cont_out = cont.astype(object)
    for j, i in enumerate(np.where(corrupt)[0]):
        if j % 2 or road[i]:
            mass_out[i] = -mass_out[i]
        else:
            c = cont_out[i]
            cont_out[i] = c[:10] + str((int(c[10]) + 1) % 10)
    w.add(imp=imp, day=day, item=item, origin=origin, seller=seller, mass=mass,
          decl_item=decl_item, decl_origin=decl_origin, departure=departure, fraud=fraud,
          dpat=dpat, road=road, veh=veh, drv=drv, is_off=is_off, declared_value=declared_value,
          true_value=true_value, broker=broker, port=port, usd=usd, cur_value=cur_value,
          dates=dates, ddate=ddate, decl_id=decl_id, vessel=vessel, manifest=manifest, bl=bl,
          inspected=inspected, hit=hit, corrupt=corrupt, mass_out=mass_out, cont_out=cont_out)
