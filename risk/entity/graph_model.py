"""The entity graph model: a hetero GNN trained on history inspections, scored as a residual
on top of the (non-learned) excess-risk propagation. Model card in ``risk/README.md``.

Inputs (``risk.entity.features``): per enterprise / person / vehicle the own evidence
(tabular declaration scores, inspections and hits of the window), the link structure
(#enterprises sharing a legal rep / address / phone, #enterprises represented or held,
#vehicles, #drivers), neighbour evidence (max / mean own score, #risky neighbours, their hits)
and the propagation after 1 and 2 rounds. Graph: enterprise–person (legal rep, shareholder),
enterprise–address, enterprise–phone, enterprise–enterprise (sharing any of those),
person–vehicle (drove), both directions; address / phone nodes carry their log degree.

Model: logit_t(n) = w_t·z(prop2(n)) + b_t + head_t([lin_t(x_n), SAGE₂(x)_n]), the head
initialised at 0 so training starts exactly at the propagation ranking; w_t, b_t learned
(initial w_t = ``offset_scale``). 2-layer GraphSAGE via ``to_hetero`` (sum over relations),
hidden 32, full batch, Adam, class-balanced BCE, weight decay; the score is the mean rank
over ``seeds`` initialisations.

Labels, never the ground truth: the labelled history is split at the median labelled
declaration date t1; features (and the offset) are computed from the declarations before t1,
labels from the inspections on or after t1 — an entity is positive when one of its late
inspected declarations was a hit (persons: as driver, or of an enterprise they represent or
hold shares in), negative when all were no-hit, unlabelled otherwise; enterprises / vehicles
without declarations before t1 are left out of the loss (for them "no early evidence" means
"new", which at scoring time it does not). Scoring recomputes the features from the whole
history. Each window is standardised on its own (counts grow with the window's length).

The entity graph model (``entity_model_scores``) = per kind a weighted sum of the ranks of
graph components, ``WEIGHTS``: enterprise = the propagation, person = this GNN (both picked on
dev seeds 7 and 3 at 50k), vehicle = ``crossing_risk`` of ``risk.entity.crossings`` (round 4:
built from the simulator's driver mechanism, chosen on 13 dev worlds; the earlier
driver-surprise channels, chosen on two seeds, did not generalise). On the dev seeds every
trained enterprise scorer and every propagation/GNN blend ranked below the propagation alone;
for persons the GNN is far ahead (shell representatives have no declarations of their own);
for vehicles the GNN's proxy labels (late hits, mostly importer fraud) carry no vehicle signal.
Served (trained on the graph, registered, batch-scored): ``risk.entity.model.EntityModel``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.entity import features as F
from risk.entity.crossings import crossing_scores

KINDS = F.KINDS
DEFAULTS: dict[str, Any] = {"hidden": 32, "epochs": 100, "lr": 0.01, "weight_decay": 5e-4,
                            "seeds": (0, 1, 2), "label_quantile": 0.5, "offset_scale": 1.0,
                            "residual": True, "learn_offset": True,
                            # the crossing-level vehicle columns feed the vehicle components
                            # only; the GNN's inputs stay those it was chosen with
                            "drop": ("drv_surprise_max", "drv_case_max")}
# weights of the component ranks per kind (module docstring)
Z_ = {"propagation": 0.0, "gnn": 0.0, "driver_surprise": 0.0, "driver_surprise_max": 0.0,
      "crossing_risk": 0.0}
WEIGHTS = {"enterprise": {**Z_, "propagation": 1.0},
           "person": {**Z_, "gnn": 1.0},
           "vehicle": {**Z_, "crossing_risk": 1.0}}


def sage_encoder(hidden: int) -> Any:
    """The homogeneous 2-layer GraphSAGE (lazy input sizes, ReLU) the entity GNN turns into
    a hetero model with ``to_hetero(..., aggr="sum")``."""
    import torch
    from torch_geometric.nn import SAGEConv

    class Enc(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c1 = SAGEConv((-1, -1), hidden)
            self.c2 = SAGEConv((-1, -1), hidden)

        def forward(self, x: Any, edge_index: Any) -> Any:
            h = torch.relu(self.c1(x, edge_index))
            return torch.relu(self.c2(h, edge_index))

    return Enc()


def balanced_bce(logits: dict, ys: dict, masks: dict) -> Any:
    """Sum over entity kinds of class-balanced BCE on the masked (labelled) nodes; the
    positive weight is capped at 20 so a kind with one or two hits does not dominate."""
    import torch

    loss = torch.zeros(())
    for t in KINDS:
        if masks[t].any():
            y = ys[t][masks[t]]
            pw = torch.clamp((1 - y).sum() / y.sum().clamp(min=1), max=20.0)
            loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                logits[t][masks[t]], y, pos_weight=pw)
    return loss


def rank01(v: np.ndarray) -> np.ndarray:
    """Ranks scaled to 0..1 (ties broken by position, stable)."""
    v = np.asarray(v, dtype=float)
    return np.argsort(np.argsort(v, kind="stable"), kind="stable") / max(len(v) - 1, 1)


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(0)) / (x.std(0) + 1e-6)


def window_labels(fr: dict[str, Any], ids: dict, late: Any, scores: np.ndarray
                  ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(labelled mask, 0/1 target) per kind from the inspections of the ``late`` window."""
    own = F.own_evidence(late, scores, ids)
    L = F.links(fr, ids, late)
    nins = {t: np.expm1(own[t][:, 3]) for t in KINDS}
    hit = {t: np.expm1(own[t][:, 4]) for t in KINDS}
    ep = (L["rep"] + L["sh"]).tocsr()
    ep.data[:] = 1.0
    nins["person"] = nins["person"] + ep.T @ nins["enterprise"]
    hit["person"] = hit["person"] + ep.T @ hit["enterprise"]
    return ({t: nins[t] > 0.5 for t in KINDS},
            {t: (hit[t] > 0.5).astype(np.float32) for t in KINDS})


def _hetero(L: dict[str, Any], X: dict[str, np.ndarray], drop: tuple[str, ...] = ()) -> Any:
    import torch
    from torch_geometric.data import HeteroData

    data = HeteroData()
    for t in KINDS:
        keep = [j for j, n in enumerate(F.FEATURES[t]) if n not in drop]
        data[t].x = torch.as_tensor(_z(X[t][:, keep]), dtype=torch.float32)
    for t, key in (("address", "addr"), ("phone", "phone")):
        deg = np.log1p(np.asarray(L[key].sum(0)).ravel())[:, None]
        data[t].x = torch.as_tensor(_z(deg), dtype=torch.float32)
    for (st, rel, dt), key in ((("person", "legal_rep_of", "enterprise"), "rep"),
                               (("person", "shareholder_of", "enterprise"), "sh"),
                               (("enterprise", "located_at", "address"), "addr"),
                               (("enterprise", "has_phone", "phone"), "phone"),
                               (("person", "drove", "vehicle"), "drove"),
                               (("enterprise", "shares_with", "enterprise"), "co")):
        M = L[key].tocoo()
        if key in ("rep", "sh"):  # stored enterprise × person
            src, dst = M.col, M.row
        else:
            src, dst = M.row, M.col
        ei = torch.as_tensor(np.vstack([src, dst]).astype(np.int64))
        data[st, rel, dt].edge_index = ei
        if st != dt:
            data[dt, f"rev_{rel}", st].edge_index = ei.flip(0)
    return data


def entity_model_scores(fr: dict[str, Any], decl_scores: np.ndarray, *, threads: int = 1,
                        weights: dict[str, dict[str, float]] | None = None, **kw: Any
                        ) -> dict[str, dict[tuple[str, str], float]]:
    """The entity graph model and its parts, each {(kind, id): score}: ``own`` (the entity's
    own evidence, ``features.own_score``: the tabular baseline), ``propagation`` (the
    non-learned prior, 2 rounds), ``gnn`` (the trained residual GNN alone),
    ``driver_surprise`` (vehicles: ``drv_surprise``; ``drv_surprise_max`` and
    ``risk.entity.crossings``' ``crossing_risk`` mixed) and ``model`` = Σ_c
    w_kind,c · rank(c) / Σ_c w_kind,c (``WEIGHTS``)."""
    weights = {t: {**WEIGHTS[t], **((weights or {}).get(t, {}))} for t in KINDS}
    ids = F.index(fr)
    X, _ = F.features(fr, fr["hist"], np.asarray(decl_scores, dtype=float), ids)
    g = residual_gnn_scores(fr, decl_scores, threads=threads, **kw)
    own = F.own_score({t: X[t][:, :len(F.OWN)] for t in KINDS})
    out: dict[str, dict[tuple[str, str], float]] = {"own": {}, "propagation": {}, "gnn": g,
                                                     "driver_surprise": {}, "model": {}}
    for t in KINDS:
        names = sorted(ids[t], key=ids[t].get)
        comp = {"propagation": X[t][:, -1], "gnn": np.array([g[(t, k)] for k in names]),
                **{c: (X[t][:, F.FEATURES[t].index(f)] if t == "vehicle" else np.zeros(len(names)))
                   for c, f in (("driver_surprise", "drv_surprise"),
                                ("driver_surprise_max", "drv_surprise_max"))},
                "crossing_risk": (crossing_scores(fr["hist"], decl_scores, ids)["crossing_risk"]
                                  if t == "vehicle" else np.zeros(len(names)))}
        w = weights[t]
        tot = sum(w.values()) or 1.0
        mix = sum(w.get(c, 0.0) * rank01(v) for c, v in comp.items() if w.get(c)) / tot
        for i, k in enumerate(names):
            out["own"][(t, k)] = float(own[t][i])
            out["propagation"][(t, k)] = float(comp["propagation"][i])
            if t == "vehicle":
                out["driver_surprise"][(t, k)] = float(comp["driver_surprise"][i])
            out["model"][(t, k)] = float(mix[i])
    return out


def _modules(cfg: dict[str, Any], d: Any) -> dict[str, Any]:
    """The GNN's parts for the metadata and input sizes of ``d`` (lazy sizes initialised by
    one forward pass on ``d``): hetero encoder, per-kind input projection and head, offset
    weight w and bias b."""
    import torch
    from torch_geometric.nn import to_hetero

    hidden = int(cfg["hidden"])
    enc = to_hetero(sage_encoder(hidden), d.metadata(), aggr="sum")
    lin0 = torch.nn.ModuleDict({t: torch.nn.Linear(d[t].x.shape[1], hidden) for t in KINDS})
    head = torch.nn.ModuleDict({t: torch.nn.Linear(2 * hidden, 1) for t in KINDS})
    w = torch.nn.ParameterDict({t: torch.nn.Parameter(torch.tensor(float(cfg["offset_scale"])))
                                for t in KINDS})
    b = torch.nn.ParameterDict({t: torch.nn.Parameter(torch.zeros(())) for t in KINDS})
    if cfg["residual"]:
        for t in KINDS:
            torch.nn.init.zeros_(head[t].weight)
            torch.nn.init.zeros_(head[t].bias)
    with torch.no_grad():  # initialise the lazy modules
        enc(d.x_dict, d.edge_index_dict)
    return {"enc": enc, "lin0": lin0, "head": head, "w": w, "b": b}


def _forward(m: dict[str, Any], cfg: dict[str, Any], d: Any, o: dict) -> dict:
    import torch

    h = m["enc"](d.x_dict, d.edge_index_dict)
    res = {t: m["head"][t](torch.cat([torch.relu(m["lin0"][t](d[t].x)), h[t]], 1)).squeeze(-1)
           for t in KINDS}
    if cfg["residual"]:
        res = {t: res[t] + m["w"][t] * o[t] + m["b"][t] for t in KINDS}
    return res


def _offset(X: dict[str, np.ndarray]) -> dict:
    import torch

    return {t: torch.as_tensor(_z(X[t][:, -1:]).ravel(), dtype=torch.float32) for t in KINDS}


def train_gnn(fr: dict[str, Any], sc: np.ndarray, ids: dict, cfg: dict[str, Any],
              hist: Any = None) -> list[dict[str, Any]]:
    """Fit the GNN (one per seed of ``cfg["seeds"]``) on ``hist`` (default ``fr["hist"]``):
    features from its labelled dates before the ``label_quantile`` date t1, labels from its
    inspections on or after t1 (module docstring). Returns one CPU state dict per seed."""
    import torch

    hist = fr["hist"] if hist is None else hist
    sc = np.asarray(sc, dtype=float)
    drop = tuple(cfg["drop"])
    lab_dates = hist.loc[hist["label"].notna(), "date"].sort_values()
    t1 = lab_dates.iloc[int(len(lab_dates) * cfg["label_quantile"])]
    early = (hist["date"] < t1).to_numpy()
    X_tr, L_tr = F.features(fr, hist[early], sc[early], ids)
    lab, ys = window_labels(fr, ids, hist[~early], sc[~early])
    for t in ("enterprise", "vehicle"):  # no declarations before t1 ≠ no declarations at all
        lab[t] = lab[t] & (X_tr[t][:, F.OWN.index("has_own")] > 0)
    d_tr = _hetero(L_tr, X_tr, drop)
    off_tr = _offset(X_tr)
    lab_t = {t: torch.as_tensor(lab[t]) for t in KINDS}
    y_t = {t: torch.as_tensor(ys[t]) for t in KINDS}
    states = []
    for seed in tuple(cfg["seeds"]):
        torch.manual_seed(seed)
        m = _modules(cfg, d_tr)
        params = (list(m["enc"].parameters()) + list(m["lin0"].parameters())
                  + list(m["head"].parameters())
                  + (list(m["w"].parameters()) + list(m["b"].parameters())
                     if cfg["learn_offset"] else []))
        opt = torch.optim.Adam(params, lr=float(cfg["lr"]),
                               weight_decay=float(cfg["weight_decay"]))
        for _ in range(int(cfg["epochs"])):
            m["enc"].train()
            loss = balanced_bce(_forward(m, cfg, d_tr, off_tr), y_t, lab_t)
            opt.zero_grad()
            loss.backward()
            opt.step()
        states.append({k: {n: v.detach().cpu().clone() for n, v in mod.state_dict().items()}
                       for k, mod in m.items()})
    return states


def apply_gnn(states: list[dict[str, Any]], fr: dict[str, Any], sc: np.ndarray, ids: dict,
              cfg: dict[str, Any], hist: Any = None, XL: Any = None) -> dict[str, np.ndarray]:
    """The fitted GNN on the features of ``hist`` (default the whole ``fr["hist"]``): per
    kind the mean over seeds of the logits' ranks (0..1), rows in ``ids`` order."""
    import torch

    hist = fr["hist"] if hist is None else hist
    X, L = XL if XL is not None else F.features(fr, hist, np.asarray(sc, dtype=float), ids)
    d = _hetero(L, X, tuple(cfg["drop"]))
    off = _offset(X)
    out = {t: np.zeros(len(ids[t])) for t in KINDS}
    for st in states:
        m = _modules(cfg, d)
        for k, mod in m.items():
            mod.load_state_dict(st[k])
            mod.eval()
        with torch.no_grad():
            logits = _forward(m, cfg, d, off)
        for t in KINDS:
            out[t] += rank01(logits[t].numpy().astype(float)) / len(states)
    return out


def residual_gnn_scores(fr: dict[str, Any], decl_scores: np.ndarray, *, threads: int = 1,
                        **kw: Any) -> dict[tuple[str, str], float]:
    """The trained GNN alone: scores in 0..1 (mean rank over seeds) for every entity of the
    graph (every (kind, id) of ``fr['truth']`` among them). ``kw`` overrides ``DEFAULTS``."""
    import torch
    cfg = {**DEFAULTS, **kw}
    torch.set_num_threads(max(1, threads))
    sc = np.asarray(decl_scores, dtype=float)
    ids = F.index(fr)
    out = apply_gnn(train_gnn(fr, sc, ids, cfg), fr, sc, ids, cfg)
    names = {t: [None] * len(m) for t, m in ids.items()}
    for t, m in ids.items():
        for k, i in m.items():
            names[t][i] = k
    return {(t, names[t][i]): float(out[t][i]) for t in KINDS for i in range(len(names[t]))}
