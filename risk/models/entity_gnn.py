"""Trained heterogeneous GNN for *entity* risk (enterprise, person, vehicle) on the simulated
world (``training.synthetic_eval``), label-scarce. Superseded by the entity graph model
(``risk.models.entity_hgnn``); kept as the ``entity_gnn_v1`` column for comparison.

Graph (history window only): node types enterprise, person, vehicle, address, phone, seller;
edges (both directions) person -LEGAL_REP_OF/SHAREHOLDER_OF- enterprise, enterprise
-LOCATED_AT- address, -HAS_PHONE- phone, -BROKER_FOR- enterprise (broker of an importer's
history declarations), -BOUGHT_FROM- seller (history declarations), person -DROVE- vehicle.

Node features = the entity's own evidence from history declarations, the same inputs the
``tabular`` entity baseline combines by hand: mean / max tabular declaration score,
log #declarations, log #inspected, #hits, smoothed hit rate, "has own declarations";
address / phone / seller nodes: log degree. Optional (``registry=True``) enterprise registry
attributes (age at the cut, credit level, AEO, broker) — off by default so that a win can
only come from links.

Labels: an entity is positive when one of the *inspected history declarations* it is
linked to was a hit, negative when all were no-hit, unlabelled otherwise (importer ->
enterprise; driver -> person; vehicle; the legal representatives / shareholders of an
enterprise inherit the enterprise's inspected declarations). Never the ground truth.

Training (default ``mode="temporal"``): the labelled history declarations are split at the
median declaration date t1 of the labelled rows; node features are computed from declarations before t1 only, and
entity labels from the inspections on or after t1, so the model learns how earlier own and
neighbour evidence predicts later hits. Scoring recomputes the features from the whole history.
(``mode="trick"``: the label trick, Wang et al. 2021 — each epoch half of the labelled entities
have their own hit features hidden and are the targets; worse on seed 7 for every type.)
2-layer GraphSAGE via ``to_hetero`` (sum over relations of mean aggregations), one linear head
per entity type on [input embedding, layer-2 embedding], full batch, 100 epochs, Adam 0.01,
class-balanced BCE; the score is the mean rank over ``seeds`` (3 inits).
Chosen on seed 7 among: temporal vs. trick, t1 at the 30/50/70% label quantile, 100 vs. 200
epochs, with vs. without registry attributes (those hurt enterprises: 0.39 vs 0.57 AUPRC).
"""

from __future__ import annotations

from typing import Any

import numpy as np

KINDS = ("enterprise", "person", "vehicle")
HIT_COLS = (3, 4, 5)  # columns of the own-evidence block that come from inspections


def _own_features(hist: Any, decl_scores: np.ndarray) -> tuple[dict, dict, float]:
    """Per (kind, id): [mean score, max score, log n decl, log n inspected, n hits (log1p),
    smoothed hit rate, has own]; and per (kind, id): (n inspected, n hits) for labels."""
    prior = float(hist["label"].mean()) if hist["label"].notna().any() else 0.1
    d = hist.assign(_s=decl_scores)
    feats: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], tuple[float, float]] = {}
    for col, kind in (("importer", "enterprise"), ("driver", "person"), ("vehicle", "vehicle")):
        g = d.dropna(subset=[col])
        g = g[g[col].astype(str) != ""]
        a = g.groupby(col).agg(m=("_s", "mean"), x=("_s", "max"), c=("_s", "size"),
                               h=("label", lambda v: float(np.nansum(v))),
                               n=("label", lambda v: float(v.notna().sum())))
        for k, r in a.iterrows():
            hr = (r["h"] + 2 * prior) / (r["n"] + 2)
            feats[(kind, str(k))] = [r["m"], r["x"], np.log1p(r["c"]), np.log1p(r["n"]),
                                     np.log1p(r["h"]), hr, 1.0]
            counts[(kind, str(k))] = (float(r["n"]), float(r["h"]))
    return feats, counts, prior


def _nodes_and_edges(fr: dict[str, Any]) -> tuple[dict[str, list[str]], list[tuple]]:
    E, S, hist = fr["enterprises"], fr["shareholders"], fr["hist"]
    T = fr["truth"]
    ids: dict[str, dict[str, int]] = {t: {} for t in ("enterprise", "person", "vehicle",
                                                       "address", "phone", "seller")}

    def nid(t: str, k: Any) -> int:
        k = str(k)
        return ids[t].setdefault(k, len(ids[t]))

    for kind in KINDS:  # every evaluated entity is a node
        for i in T.loc[T["entity_type"] == kind, "id"].astype(str):
            nid(kind, i)
    edges: list[tuple] = []  # (src_type, rel, dst_type, src, dst)
    for _, r in E.iterrows():
        e = nid("enterprise", r["uscc"])
        if isinstance(r["legal_rep_id"], str):
            edges.append(("person", "legal_rep_of", "enterprise", nid("person", r["legal_rep_id"]), e))
        if isinstance(r["address"], str):
            edges.append(("enterprise", "located_at", "address", e, nid("address", r["address"])))
        if isinstance(r["phone"], str):
            edges.append(("enterprise", "has_phone", "phone", e, nid("phone", r["phone"])))
    for _, r in S.iterrows():
        edges.append(("person", "shareholder_of", "enterprise", nid("person", r["id_number"]),
                      nid("enterprise", r["uscc"])))
    road = hist.dropna(subset=["driver", "vehicle"])
    for p, v in set(zip(road["driver"], road["vehicle"])):
        edges.append(("person", "drove", "vehicle", nid("person", p), nid("vehicle", v)))
    br = hist.dropna(subset=["declarant", "importer"])
    for b, i in set(zip(br["declarant"], br["importer"])):
        if str(b) != str(i):
            edges.append(("enterprise", "broker_for", "enterprise", nid("enterprise", b),
                          nid("enterprise", i)))
    se = hist.dropna(subset=["seller", "importer"])
    for s_, i in set(zip(se["seller"], se["importer"])):
        edges.append(("enterprise", "bought_from", "seller", nid("enterprise", i), nid("seller", s_)))
    names = {t: [None] * len(m) for t, m in ids.items()}
    for t, m in ids.items():
        for k, i in m.items():
            names[t][i] = k
    return names, edges


def _registry(fr: dict[str, Any], names: list[str]) -> np.ndarray:
    import pandas as pd

    E = fr["enterprises"].drop_duplicates("uscc").set_index("uscc")
    cut = pd.Timestamp(fr["cut"])
    reg = pd.to_datetime(E["registered_on"], errors="coerce")
    age = np.log1p(np.clip((cut - reg).dt.days.to_numpy(float), 0, None))
    levels = sorted(E["credit_level"].dropna().unique())
    cols = [age, E["aeo"].astype(float).to_numpy(), (E["kind"] == "broker").astype(float).to_numpy()]
    cols += [(E["credit_level"] == lv).astype(float).to_numpy() for lv in levels]
    M = pd.DataFrame(np.vstack(cols).T, index=E.index)
    return np.nan_to_num(M.reindex(names).to_numpy(float), nan=0.0)


def _matrices(names: dict, edges: list, feats: dict, prior: float, fr: dict,
              registry: bool) -> dict[str, np.ndarray]:
    deg = {t: np.zeros(len(names[t])) for t in names}
    for st, rel, dt, s, d in edges:
        deg[st][s] += 1
        deg[dt][d] += 1
    X: dict[str, np.ndarray] = {}
    for t in names:
        if t in KINDS:
            x = np.zeros((len(names[t]), 7))
            x[:, 5] = prior
            for i, k in enumerate(names[t]):
                if (t, k) in feats:
                    x[i] = feats[(t, k)]
        else:
            x = np.zeros((len(names[t]), 0))
        x = np.hstack([x, np.log1p(deg[t])[:, None]])
        if t == "enterprise" and registry:
            x = np.hstack([x, _registry(fr, names[t])])
        X[t] = x
    return X


def _labels(names: dict, edges: list, counts: dict) -> tuple[dict, dict]:
    n_ins = {t: np.array([counts.get((t, k), (0.0, 0.0))[0] for k in names[t]]) for t in KINDS}
    n_hit = {t: np.array([counts.get((t, k), (0.0, 0.0))[1] for k in names[t]]) for t in KINDS}
    for st, rel, dt, s, d in edges:  # legal reps / shareholders inherit their enterprises'
        if rel in ("legal_rep_of", "shareholder_of"):
            c = counts.get(("enterprise", names["enterprise"][d]), (0.0, 0.0))
            n_ins["person"][s] += c[0]
            n_hit["person"][s] += c[1]
    return n_ins, n_hit


def entity_gnn_scores(fr: dict[str, Any], decl_scores: np.ndarray, *, hidden: int = 32,
                      epochs: int = 100, lr: float = 0.01, seeds: tuple[int, ...] = (0, 1, 2),
                      registry: bool = False, threads: int = 2, mode: str = "temporal",
                      label_quantile: float = 0.5) -> dict[tuple[str, str], float]:
    """Scores in 0..1 for every (kind, id) in ``fr['truth']`` (see module docstring)."""
    import torch
    from torch_geometric.data import HeteroData
    from torch_geometric.nn import to_hetero

    from risk.models.entity_hgnn import balanced_bce, sage_encoder

    torch.set_num_threads(max(1, threads))
    hist = fr["hist"]
    sc = np.asarray(decl_scores, dtype=float)
    names, edges = _nodes_and_edges(fr)
    feats, counts, prior = _own_features(hist, sc)
    X_full = _matrices(names, edges, feats, prior, fr, registry)
    if mode == "temporal":
        lab_dates = hist.loc[hist["label"].notna(), "date"].sort_values()
        t1 = lab_dates.iloc[int(len(lab_dates) * label_quantile)]
        early = (hist["date"] < t1).to_numpy()
        f_e, _, prior_e = _own_features(hist[early], sc[early])
        X_train = _matrices(names, edges, f_e, prior_e, fr, registry)
        late = hist[~early]
        _, c_l, _ = _own_features(late, sc[~early])
        n_ins, n_hit = _labels(names, edges, c_l)
    else:  # label trick on all history
        X_train = X_full
        n_ins, n_hit = _labels(names, edges, counts)
    mu = {t: X_full[t].mean(0) for t in X_full}
    sd = {t: X_full[t].std(0) + 1e-6 for t in X_full}

    def tens(X: dict) -> dict:
        return {t: torch.as_tensor((X[t] - mu[t]) / sd[t], dtype=torch.float32) for t in X}

    xd_full, xd_train = tens(X_full), tens(X_train)
    data = HeteroData()
    for t in X_full:
        data[t].x = xd_full[t]
    by_rel: dict[tuple, list] = {}
    for st, rel, dt, s, d in edges:
        by_rel.setdefault((st, rel, dt), []).append((s, d))
    for (st, rel, dt), pairs in by_rel.items():
        ei = torch.as_tensor(np.array(sorted(set(pairs)), dtype=np.int64).T.copy())
        data[st, rel, dt].edge_index = ei
        data[dt, f"rev_{rel}", st].edge_index = ei.flip(0)
    lab = {t: torch.as_tensor(n_ins[t] > 0) for t in KINDS}
    ys = {t: torch.as_tensor((n_hit[t] > 0).astype(np.float32)) for t in KINDS}
    unk = {t: torch.as_tensor((np.r_[[0, 0, 0, 0, 0, prior, 0], np.zeros(X_full[t].shape[1] - 7)]
                               - mu[t]) / sd[t], dtype=torch.float32) for t in KINDS}

    meta = data.metadata()
    out = {t: np.zeros(len(names[t])) for t in KINDS}
    for seed in seeds:
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed)
        enc = to_hetero(sage_encoder(hidden), meta, aggr="sum")
        lin0 = torch.nn.ModuleDict({t: torch.nn.Linear(data[t].x.shape[1], hidden) for t in KINDS})
        head = torch.nn.ModuleDict({t: torch.nn.Linear(2 * hidden, 1) for t in KINDS})
        with torch.no_grad():  # initialise lazy modules
            enc(data.x_dict, data.edge_index_dict)
        params = list(enc.parameters()) + list(lin0.parameters()) + list(head.parameters())
        opt = torch.optim.Adam(params, lr=lr, weight_decay=5e-4)

        def forward(xd: dict) -> dict:
            h = enc(xd, data.edge_index_dict)
            return {t: head[t](torch.cat([torch.relu(lin0[t](xd[t])), h[t]], 1)).squeeze(-1)
                    for t in KINDS}

        for _ in range(epochs):
            enc.train()
            xd = dict(xd_train)
            tgt = dict(lab)
            if mode != "temporal":
                for t in KINDS:
                    tgt[t] = lab[t] & (torch.rand(len(names[t]), generator=gen) < 0.5)
                    x = xd[t].clone()
                    for c in HIT_COLS:
                        x[tgt[t], c] = unk[t][c]
                    xd[t] = x
            logits = forward(xd)
            loss = balanced_bce(logits, ys, tgt)
            opt.zero_grad()
            loss.backward()
            opt.step()
        enc.eval()
        with torch.no_grad():
            logits = forward(xd_full)
        for t in KINDS:
            p = torch.sigmoid(logits[t]).numpy()
            out[t] += np.argsort(np.argsort(p, kind="stable"), kind="stable") / max(len(p) - 1, 1) / len(seeds)
    return {(t, k): float(out[t][i]) for t in KINDS for i, k in enumerate(names[t])}
