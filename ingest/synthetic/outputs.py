"""Stages 8-13 of the world: the source files a port exports (declarations, customs
registrations and bills with their enterprise mentions, manifests, registry, inspections,
cases), then the ground truth and the person mentions. Formats: ``README.md`` here."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ingest.normalise import normalise_phone
from ingest.synthetic import names as W
from ingest.synthetic.identifiers import imo
from ingest.synthetic.params import FLAGS, ORIGINS, PORT_CODES, World
from ingest.values import hmac_id, mention_digest


def declarations_file(w: World) -> None:
    rng, N, E, road = w.rng, w.n, w.E, w.road
    imp_uscc, imp_cc = E["uscc"].to_numpy(), E["customs_code"].to_numpy()
    broker = w.broker
    D = pd.DataFrame({
        "decl_id": w.decl_id, "date": w.ddate, "port_code": PORT_CODES[w.port],
        "customs_code": imp_cc[w.imp],
        "broker_code": np.where(broker >= 0, imp_cc[np.maximum(broker, 0)], ""),
        "seller_id": np.char.add("S", np.char.zfill(w.seller.astype(str), 6)),
        "seller_name": np.array(w.sel_name)[w.seller],
        "seller_country": np.array(ORIGINS)[w.sel_country[w.seller]],
        "hs10": w.hs10[w.decl_item], "origin": np.array(ORIGINS)[w.decl_origin],
        "departure": np.array(ORIGINS)[w.departure],
        "transport_mode": np.where(road, "4", "2"), "net_mass": w.mass_out,
        "quantity": np.maximum(1, np.round(w.mass / rng.uniform(0.5, 20, N))).astype(int),
        "value": w.cur_value, "currency": np.where(w.usd, "USD", "CNY"),
        "tax_rate": w.tariff[w.decl_item], "inspected": w.inspected.astype(int),
        "bl_no": np.where(road, "", w.bl), "container_no": np.where(road, "", w.cont_out),
        "plate": np.where(road, np.array(w.plates)[w.veh], ""),
        "driver_id": np.where(road, w.Pn["id_number"].to_numpy()[w.drv], ""),
    })
    D.to_csv(w.out / "declarations.csv", index=False)
    w.add(D=D, imp_uscc=imp_uscc, imp_cc=imp_cc)
    w.say("declarations.csv")


def enterprise_mentions(w: World) -> None:
    """``customs_parties.csv`` (one ``CC:`` mention per enterprise) and ``bills.csv`` (free-text
    consignees, ``TXT:`` mentions); ``mentions`` = their ground truth."""
    rng, E, out, imp_cc, imp_uscc = w.rng, w.E, w.out, w.imp_cc, w.imp_uscc
    n_ent = w.n_ent
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
    sea = np.where(~w.road)[0]
    vsel = rng.integers(0, 3, len(sea))
    cons = [variants[w.imp[i]][v] for i, v in zip(sea, vsel)]
    B = pd.DataFrame({"bl_no": w.bl[sea], "manifest_id": w.manifest[sea], "date": w.ddate[sea],
                      "container_no": w.cont_out[sea],
                      "consignee_name": [c[0] for c in cons],
                      "consignee_phone": [c[1] for c in cons],
                      "consignee_address": [c[2] for c in cons]})
    B.to_csv(out / "bills.csv", index=False)
    seen_txt = {}
    for (nm, ph, ad), i in zip(cons, w.imp[sea]):
        # the key as ingest computes it: checks canonicalise the phone (E.164) first
        key = "TXT:" + mention_digest(f"{nm}|{normalise_phone(ph) if ph else ''}|{ad}")
        seen_txt.setdefault(key, imp_uscc[i])
    mentions.extend((k_, "enterprise", v_) for k_, v_ in seen_txt.items())
    w.add(mentions=mentions, sea=sea, B=B)
    w.say("customs_parties.csv, bills.csv")


def manifests_file(w: World) -> None:
    """One manifest per vessel-week, from its first sea declaration."""
    vessel, ves_flag = w.vessel, w.ves_flag
    mf, first = np.unique(w.manifest[w.sea], return_index=True)
    mi = w.sea[first]
    M = pd.DataFrame({
        "manifest_id": mf, "date": w.ddate[mi], "port_code": PORT_CODES[w.port[mi]],
        "vessel_imo": [imo(int(v)) for v in vessel[mi]],
        "vessel_mmsi": [f"{FLAGS[ves_flag[v]][1]}{100000 + int(v) * 13 % 900000:06d}" for v in vessel[mi]],
        "vessel_name": [f"PACIFIC STAR {int(v)}" for v in vessel[mi]],
        "flag": [FLAGS[ves_flag[v]][0] for v in vessel[mi]],
        "loading_country": np.array(ORIGINS)[w.departure[mi]]})
    M.to_csv(w.out / "manifests.csv", index=False)
    w.add(M=M)


def registry_files(w: World) -> None:
    """enterprises, persons, shareholders, sellers."""
    E, Pn, out = w.E, w.Pn, w.out
    E_out = E[["uscc", "name", "address", "phone", "registered_on", "credit_level", "aeo",
               "city", "kind"]].copy()
    E_out["legal_rep_id"] = Pn["id_number"].to_numpy()[E["legal_rep"].to_numpy()]
    E_out["aeo"] = E_out["aeo"].astype(int)
    E_out.to_csv(out / "enterprises.csv", index=False)
    Pn[["id_number", "name", "phone", "role", "nationality"]].to_csv(out / "persons.csv", index=False)
    pd.DataFrame([{"id_number": Pn.at[p_, "id_number"], "uscc": w.imp_uscc[e_], "share": round(s_, 3)}
                  for p_, e_, s_ in w.shareholders]).drop_duplicates(["id_number", "uscc"]).to_csv(
        out / "shareholders.csv", index=False)
    pd.DataFrame({"seller_id": [f"S{i:06d}" for i in range(w.n_sel)], "name": w.sel_name,
                  "country": np.array(ORIGINS)[w.sel_country]}).to_csv(out / "sellers.csv", index=False)


def inspection_files(w: World) -> None:
    """``inspections.jsonl`` (the labels) and ``cases.csv`` (60% of the true hits)."""
    rng, span, day, dpat, hit, decl_id = w.rng, w.span, w.day, w.dpat, w.hit, w.decl_id
    ins = np.where(w.inspected)[0]
    idays = np.minimum(day[ins] + rng.integers(0, 3, len(ins)), span)
    with (w.out / "inspections.jsonl").open("w", encoding="utf-8") as f:
        for j, i in enumerate(ins):
            f.write(json.dumps({
                "inspection_id": f"INS{j + 1:08d}", "decl_id": decl_id[i], "date": w.dates[idays[j]],
                "result": "hit" if hit[i] else "no_hit",
                "findings": (dpat[i] or "discrepancy") if hit[i] else "",
                "inspector": f"INSP{int(rng.integers(1, 60)):03d}"}, ensure_ascii=False) + "\n")
    case_rows = []
    D, true_value, declared_value = w.D, w.true_value, w.declared_value
    for i in ins[(hit[ins]) & (w.fraud[ins]) & (rng.random(len(ins)) < 0.6)]:
        case_rows.append({"case_no": f"CASE{len(case_rows) + 1:07d}", "decl_id": decl_id[i],
                          "uscc": w.imp_uscc[w.imp[i]], "date": w.dates[min(day[i] + 20, span)],
                          "kind": (dpat[i] or "undervaluation").split(";")[0],
                          "penalty": round(float(abs(true_value[i] - declared_value[i]) * 0.3 + 1000), 2),
                          "driver_id": D.at[i, "driver_id"], "plate": D.at[i, "plate"]})
    pd.DataFrame(case_rows, columns=["case_no", "decl_id", "uscc", "date", "kind", "penalty",
                                     "driver_id", "plate"]).to_csv(w.out / "cases.csv", index=False)
    w.add(case_rows=case_rows)
    w.say("registry, inspections, cases")


def ground_truth(w: World) -> None:
    """``truth/``: declarations, entities, mentions (enterprise then person mentions, the
    latter written by ``persons.write_person_mentions`` from its own random stream)."""
    from ingest.synthetic.persons import write_person_mentions

    E, Pn, out, imp_uscc, imp = w.E, w.Pn, w.out, w.imp_uscc, w.imp
    inspected = w.inspected
    pd.DataFrame({"decl_id": w.decl_id, "is_fraud": w.fraud.astype(int), "pattern": w.dpat,
                  "importer_uscc": imp_uscc[imp], "true_hs10": w.hs10[w.item],
                  "declared_hs10": w.hs10[w.decl_item], "true_origin": np.array(ORIGINS)[w.origin],
                  "true_value_cny": w.true_value, "declared_value_cny": w.declared_value,
                  "inspected": inspected.astype(int),
                  "label": np.where(inspected, w.hit.astype(int), -1),
                  "corrupt": w.corrupt.astype(int)}).to_csv(out / "truth" / "declarations.csv",
                                                            index=False)
    pkeys = [hmac_id(x, w.secret) for x in Pn["id_number"]]
    plates = w.plates
    # person mentions: own random stream, new files only (every file above is unchanged)
    p_truth, p_counts = write_person_mentions(
        out, seed=w.params.seed, persons=Pn, person_keys=pkeys, road=w.road, driver=w.drv,
        plate=np.array(plates)[w.veh], decl_id=w.decl_id, date=w.ddate,
        port_code=PORT_CODES[w.port], legal_rep=E["legal_rep"].to_numpy(),
        customs_code=w.imp_cc, first_driver=w.n_ent, n_drivers=w.n_drv, secret=w.secret)
    mentions = w.mentions
    n_ent_mentions = len(mentions)
    mentions.extend(p_truth)
    w.say("person mentions: road_manifests.csv, customs_reps.csv")
    off_veh = set(np.unique(w.veh[w.is_off]).tolist())
    ent_truth = ([{"entity_type": "enterprise", "key": E.at[i, "uscc"], "id": E.at[i, "uscc"],
                   "is_risky": int(bool(E.at[i, "pattern"])), "pattern": E.at[i, "pattern"],
                   "cluster": E.at[i, "cluster"]} for i in range(w.n_ent)]
                 + [{"entity_type": "person", "key": pkeys[i], "id": Pn.at[i, "id_number"],
                     "is_risky": int(bool(Pn.at[i, "pattern"])), "pattern": Pn.at[i, "pattern"],
                     "cluster": ""} for i in range(w.n_per)]
                 + [{"entity_type": "vehicle", "key": plates[i], "id": plates[i],
                     "is_risky": int(i in off_veh),
                     "pattern": "repeat_offender_vehicle" if i in off_veh else "", "cluster": ""}
                    for i in range(w.n_veh)])
    pd.DataFrame(ent_truth).to_csv(out / "truth" / "entities.csv", index=False)
    pd.DataFrame(mentions, columns=["mention_key", "entity_type", "true_key"]).to_csv(
        out / "truth" / "mentions.csv", index=False)
    w.add(n_ent_mentions=n_ent_mentions, p_counts=p_counts)
