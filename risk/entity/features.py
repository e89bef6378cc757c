"""Non-learned entity features for the entity graph model (``risk.entity.graph_model``):
own evidence, link structure, neighbour evidence and excess-risk propagation.

Everything here is computed from one *window* of history declarations (their tabular scores and
the inspections recorded in the window) plus the registry links (legal representative,
shareholders, address, phone) — never from the ground truth. Sparse matrices between the
entity kinds:

* ``rep`` enterprise × person (legal representative), ``sh`` enterprise × person (shareholder),
  ``addr`` enterprise × address, ``phone`` enterprise × phone, ``drove`` person × vehicle
  (driver–vehicle pairs: the window's road crossings, plus the graph's DROVE edges), ``drove_n``
  the same with the number of the window's crossings each driver drove on each vehicle;
* ``co`` enterprise × enterprise: two enterprises sharing a legal representative, a
  shareholder, an address or a phone (2 hops, diagonal removed).

Feature blocks per kind (``FEATURES`` names them):
* own (7): mean / max tabular score of its declarations, log #declarations, log #inspected,
  log1p #hits, smoothed hit rate, has own declarations;
* structure: enterprise — log1p #enterprises of its legal rep, sharing its address, its phone,
  #co-enterprises; person — log1p #enterprises represented, #held as shareholder, #vehicles;
  vehicle — log1p #drivers;
* neighbours: max / mean of the neighbours' own score, #neighbours above their kind's median,
  log1p of their #hits and #inspected (enterprise: co-enterprises; person: its enterprises
  and vehicles; vehicle: its drivers);
* driver surprise (vehicles): Σ over its drivers of (share of the vehicle's road declarations
  they drove) × max(0, the driver's hits minus the tabular scores of the driver's inspected
  declarations) — hits that the importer-level evidence does not explain; ``drv_surprise_max``
  the largest such driver surprise among the drivers of any of its crossings (one crossing by
  a driver who keeps being caught is enough), ``drv_case_max`` log1p of the most cases (before
  the cut-off) one of its crossings' drivers is named in;
* propagation: excess-risk noisy-OR (``propagate``) after 1 and 2 rounds, β = 0.5, over
  person–enterprise (legal rep, shareholder), enterprise–address/phone, person–vehicle.
"""

from __future__ import annotations

from typing import Any

import numpy as np

KINDS = ("enterprise", "person", "vehicle")
OWN = ("mean_score", "max_score", "log_decls", "log_inspected", "log_hits", "hit_rate", "has_own",
       "surprise")
FEATURES = {
    "enterprise": OWN + ("rep_ents", "addr_ents", "phone_ents", "co_ents", "co_max", "co_mean",
                         "co_above", "co_hits", "co_inspected", "prop1", "prop2"),
    "person": OWN + ("n_rep", "n_share", "n_veh", "ent_max", "ent_mean", "ent_above",
                     "ent_hits", "ent_inspected", "veh_max", "veh_hits", "prop1", "prop2"),
    "vehicle": OWN + ("n_drivers", "drv_max", "drv_mean", "drv_above", "drv_hits",
                      "drv_inspected", "drv_surprise", "drv_surprise_max", "drv_case_max",
                      "prop1", "prop2"),
}
BETA = 0.5


def index(fr: dict[str, Any]) -> dict[str, dict[str, int]]:
    """Node ids per kind: every evaluated entity (``truth`` is read for its id list only) plus
    every enterprise / person / address / phone of the registry and every driver / vehicle of
    the history."""
    ids: dict[str, dict[str, int]] = {t: {} for t in KINDS + ("address", "phone")}

    def add(t: str, k: Any) -> None:
        if isinstance(k, str) and k:
            ids[t].setdefault(k, len(ids[t]))

    T = fr["truth"]
    for kind in KINDS:
        for i in T.loc[T["entity_type"] == kind, "id"].astype(str):
            add(kind, i)
    E, S, hist = fr["enterprises"], fr["shareholders"], fr["hist"]
    for u, lr, a, p in zip(E["uscc"], E["legal_rep_id"], E["address"], E["phone"]):
        add("enterprise", u), add("person", lr), add("address", a), add("phone", p)
    for p, u in zip(S["id_number"], S["uscc"]):
        add("person", p), add("enterprise", u)
    for c, t in (("importer", "enterprise"), ("driver", "person"), ("vehicle", "vehicle")):
        for k in hist[c].dropna().astype(str).unique():
            add(t, k)
    if fr.get("drove") is not None:  # graph exports: the DROVE edges themselves
        for p, v in zip(fr["drove"]["person"], fr["drove"]["vehicle"]):
            add("person", p), add("vehicle", v)
    return ids


def _sp(rows: list[int], cols: list[int], shape: tuple[int, int]) -> Any:
    from scipy import sparse

    m = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=shape).tocsr()
    m.data[:] = 1.0  # binary: duplicate pairs count once
    return m


def links(fr: dict[str, Any], ids: dict[str, dict[str, int]], hist: Any) -> dict[str, Any]:
    """Sparse link matrices (module docstring); ``drove`` from ``hist``'s road declarations."""
    E, S = fr["enterprises"], fr["shareholders"]
    n = {t: len(m) for t, m in ids.items()}
    pairs: dict[str, tuple[list[int], list[int]]] = {k: ([], []) for k in
                                                     ("rep", "sh", "addr", "phone", "drove")}
    for u, lr, a, p in zip(E["uscc"], E["legal_rep_id"], E["address"], E["phone"]):
        e = ids["enterprise"][u]
        for key, t, v in (("rep", "person", lr), ("addr", "address", a), ("phone", "phone", p)):
            if isinstance(v, str) and v:
                pairs[key][0].append(e)
                pairs[key][1].append(ids[t][v])
    for p, u in zip(S["id_number"], S["uscc"]):
        pairs["sh"][0].append(ids["enterprise"][u])
        pairs["sh"][1].append(ids["person"][p])
    road = hist.dropna(subset=["driver", "vehicle"])
    road = road[(road["driver"].astype(str) != "") & (road["vehicle"].astype(str) != "")]
    drove_n = ([ids["person"][p] for p in road["driver"].astype(str)],
               [ids["vehicle"][v] for v in road["vehicle"].astype(str)])
    dv = set(zip(road["driver"].astype(str), road["vehicle"].astype(str)))
    if fr.get("drove") is not None:  # graph exports: the DROVE pairs too (one edge per pair)
        dv |= set(zip(fr["drove"]["person"].astype(str), fr["drove"]["vehicle"].astype(str)))
    for p, v in dv:
        pairs["drove"][0].append(ids["person"][p])
        pairs["drove"][1].append(ids["vehicle"][v])
    shape = {"rep": ("enterprise", "person"), "sh": ("enterprise", "person"),
             "addr": ("enterprise", "address"), "phone": ("enterprise", "phone"),
             "drove": ("person", "vehicle")}
    L = {k: _sp(r, c, (n[shape[k][0]], n[shape[k][1]])) for k, (r, c) in pairs.items()}
    from scipy import sparse

    L["drove_n"] = sparse.coo_matrix((np.ones(len(drove_n[0])), drove_n),
                                     shape=(n["person"], n["vehicle"])).tocsr()  # counts
    co = (L["rep"] @ L["rep"].T + L["sh"] @ L["sh"].T + L["addr"] @ L["addr"].T
          + L["phone"] @ L["phone"].T).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    co.data[:] = 1.0
    L["co"] = co
    return L


def own_evidence(hist: Any, decl_scores: np.ndarray, ids: dict[str, dict[str, int]]
                 ) -> dict[str, np.ndarray]:
    """The 7 own-evidence columns per kind (``OWN``); entities without declarations in the
    window: zeros, hit rate = the window's prior."""
    prior = float(hist["label"].mean()) if hist["label"].notna().any() else 0.1
    sc = np.asarray(decl_scores, dtype=float)
    d = hist.assign(_s=sc, _h=hist["label"].fillna(0.0), _n=hist["label"].notna().astype(float),
                    _u=(hist["label"] - sc).fillna(0.0))
    out: dict[str, np.ndarray] = {}
    for col, kind in (("importer", "enterprise"), ("driver", "person"), ("vehicle", "vehicle")):
        x = np.zeros((len(ids[kind]), len(OWN)))
        x[:, 5] = prior
        g = d.dropna(subset=[col])
        g = g[g[col].astype(str) != ""]
        a = g.groupby(g[col].astype(str)).agg(m=("_s", "mean"), x=("_s", "max"),
                                              c=("_s", "size"), h=("_h", "sum"), n=("_n", "sum"),
                                              u=("_u", "sum"))
        rows = np.array([ids[kind][k] for k in a.index], dtype=int)
        if len(rows):
            x[rows] = np.c_[a["m"], a["x"], np.log1p(a["c"]), np.log1p(a["n"]), np.log1p(a["h"]),
                            (a["h"] + 2 * prior) / (a["n"] + 2), np.ones(len(a)), a["u"]]
        out[kind] = x
    return out


def own_score(own: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The tabular entity baseline: 0.25·mean + 0.25·max declaration score + 0.5·hit rate
    (0 for an entity without declarations)."""
    return {t: np.where(x[:, 6] > 0, 0.25 * x[:, 0] + 0.25 * x[:, 1] + 0.5 * x[:, 5], 0.0)
            for t, x in own.items()}


def propagate(s0: dict[str, np.ndarray], L: dict[str, Any], rounds: int = 2,
              beta: float = BETA) -> list[dict[str, np.ndarray]]:
    """Excess-risk noisy-OR: s(n) = own(n) + 1 - Π_m (1 - β·max(0, s(m) - median_kind(m)))
    over n's neighbours, ``rounds`` times (medians over the entities that have an own score;
    address and phone nodes have no own score). Risk accumulates with the number of unusually
    risky links (a person who represents several risky enterprises, enterprises sharing an
    address / phone). The only propagation in the project. Returns each round."""
    med = {t: float(np.median(v[v > 0])) if (v > 0).any() else 0.0 for t, v in s0.items()}
    med.update(address=0.0, phone=0.0)
    # undirected adjacency: (kind a, kind b, matrix a×b)
    adj = [("enterprise", "person", L["rep"]), ("enterprise", "person", L["sh"]),
           ("enterprise", "address", L["addr"]), ("enterprise", "phone", L["phone"]),
           ("person", "vehicle", L["drove"])]
    # enterprise–person: legal rep and shareholder are one link when both hold
    ep = (L["rep"] + L["sh"]).tocsr()
    ep.data[:] = 1.0
    adj = [("enterprise", "person", ep)] + adj[2:]
    zero = {"address": np.zeros(L["addr"].shape[1]), "phone": np.zeros(L["phone"].shape[1])}
    s = {**{t: v.copy() for t, v in s0.items()}, **zero}
    base = {**s0, **zero}
    out = []
    for _ in range(rounds):
        logmiss = {t: np.zeros_like(v) for t, v in s.items()}
        for a, b, M in adj:
            ea = np.log1p(-beta * np.clip(s[a] - med[a], 0, 1 / beta - 1e-9))
            eb = np.log1p(-beta * np.clip(s[b] - med[b], 0, 1 / beta - 1e-9))
            logmiss[a] += M @ eb
            logmiss[b] += M.T @ ea
        s = {t: base[t] + 1.0 - np.exp(logmiss[t]) for t in s}
        out.append({t: s[t] for t in KINDS})
    return out


def _row_max(M: Any, v: np.ndarray) -> np.ndarray:
    """max over each row's neighbours of v (0 where none)."""
    W = M.multiply(v[None, :] + 1.0).tocsr()  # shift so that 0 means "no neighbour"
    return np.maximum(np.asarray(W.max(axis=1).todense()).ravel() - 1.0, 0.0)


def person_cases(fr: dict[str, Any], ids: dict[str, dict[str, int]], until: Any = None
                 ) -> np.ndarray:
    """Per person: the number of distinct cases that name them among ``fr["cases"]`` (the
    export holds only those dated before the cut-off) dated on or before ``until`` (the
    window's last declaration date: a training window never sees a later case)."""
    out = np.zeros(len(ids["person"]))
    c = fr.get("cases")
    if c is None or not len(c) or "start_label" not in c:
        return out
    if until is not None and "date" in c:
        import pandas as pd

        c = c[pd.to_datetime(c["date"], errors="coerce") <= pd.Timestamp(until)]
    c = c[c["start_label"] == "Person"].drop_duplicates(["start_key", "end_key"])
    for k, n in c.groupby(c["start_key"].astype(str)).size().items():
        if k in ids["person"]:
            out[ids["person"][k]] = n
    return out


def features(fr: dict[str, Any], hist: Any, decl_scores: np.ndarray,
             ids: dict[str, dict[str, int]] | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Feature matrices per kind (columns ``FEATURES[kind]``) from the window ``hist``, and
    the link matrices. Rows follow ``ids`` (``index(fr)`` by default)."""
    ids = ids or index(fr)
    L = links(fr, ids, hist)
    own = own_evidence(hist, decl_scores, ids)
    s0 = own_score(own)
    p1, p2 = propagate(s0, L, rounds=2)
    med = {t: float(np.median(v[v > 0])) if (v > 0).any() else 0.0 for t, v in s0.items()}
    above = {t: (v > med[t]).astype(float) for t, v in s0.items()}
    hits = {t: np.expm1(own[t][:, 4]) for t in KINDS}
    nins = {t: np.expm1(own[t][:, 3]) for t in KINDS}
    ep = (L["rep"] + L["sh"]).tocsr()
    ep.data[:] = 1.0

    def agg(M: Any, t: str) -> list[np.ndarray]:
        deg = np.asarray(M.sum(1)).ravel()
        return [_row_max(M, s0[t]), (M @ s0[t]) / np.maximum(deg, 1), np.log1p(M @ above[t]),
                np.log1p(M @ hits[t]), np.log1p(M @ nins[t])]

    rep_n = np.asarray(L["rep"].sum(0)).ravel()
    addr_n = np.asarray(L["addr"].sum(0)).ravel()
    phone_n = np.asarray(L["phone"].sum(0)).ravel()
    ent = [np.log1p(L["rep"] @ rep_n), np.log1p(L["addr"] @ addr_n),
           np.log1p(L["phone"] @ phone_n), np.log1p(np.asarray(L["co"].sum(1)).ravel())]
    ent += agg(L["co"], "enterprise")
    per = [np.log1p(rep_n), np.log1p(np.asarray(L["sh"].sum(0)).ravel()),
           np.log1p(np.asarray(L["drove"].sum(1)).ravel())]
    pe = agg(ep.T.tocsr(), "enterprise")
    pv = agg(L["drove"], "vehicle")
    per += pe + [pv[0], pv[3]]
    veh = [np.log1p(np.asarray(L["drove"].sum(0)).ravel())] + agg(L["drove"].T.tocsr(), "person")
    share = L["drove_n"].multiply(1.0 / np.maximum(np.asarray(L["drove_n"].sum(0)).ravel(),
                                                   1.0)[None, :]).tocsr()
    surprise = np.maximum(own["person"][:, OWN.index("surprise")], 0.0)
    veh.append(share.T @ surprise)
    crossed = (L["drove_n"] > 0).astype(float).T.tocsr()  # vehicle × driver of its crossings
    veh += [_row_max(crossed, surprise), _row_max(crossed, np.log1p(person_cases(
        fr, ids, hist["date"].max() if len(hist) else None)))]
    X = {"enterprise": np.c_[own["enterprise"], np.column_stack(ent), p1["enterprise"],
                             p2["enterprise"]],
         "person": np.c_[own["person"], np.column_stack(per), p1["person"], p2["person"]],
         "vehicle": np.c_[own["vehicle"], np.column_stack(veh), p1["vehicle"], p2["vehicle"]]}
    for t in KINDS:
        assert X[t].shape[1] == len(FEATURES[t]), (t, X[t].shape)
    return X, L
