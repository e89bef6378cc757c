"""``portsentinel evaluate synthetic``: the simulated port world (``ingest.synthetic``), a time
split, and its ground truth.

The world's source files are generated under a temp dir and read straight into frames here
(not loaded into a graph store: a 20k-declaration world would take minutes to upsert on the
shared machine; the frames hold the same nodes and links the ingest mappings create).
Enterprises are keyed by customs code and resolved to their USCC with the world's
``truth/mentions.csv`` — entity resolution is the ingest's job, not what is measured here.

Time split: declarations before the 70% date quantile are history; only the *inspections*
recorded there are labels (label-scarce: ~3-7% of declarations). Declaration-level metrics
are computed on every later declaration against the ground-truth ``is_fraud``.

Entity level (enterprise, person, vehicle; ground truth ``truth/entities.csv``):
* ``tabular``: an entity's own evidence only — the smoothed hit rate of its inspected history
  declarations and the mean+max tabular score of its declarations (drivers: the
  declarations they drove; vehicles: the declarations they carried; legal representatives
  and shareholders have none of their own);
* ``propagation``: the same own evidence propagated over the entity graph (person -LEGAL_REP_OF/
  SHAREHOLDER_OF- enterprise, enterprise -LOCATED_AT- address, -HAS_PHONE- phone, person
  -DROVE- vehicle): excess-risk noisy-OR over neighbours for two rounds (``propagate``),
  β = 0.5. Nothing is trained; (β, rounds, excess vs. raw) were chosen among 6 settings on
  seed 7 at 20k declarations (this column was called ``graph`` before);
* ``entity_gnn_v1``: the first trained 2-layer hetero GraphSAGE on own evidence only
  (``risk.models.entity_gnn``), kept for comparison;
* ``gnn_alone``: the trained residual GNN of ``risk.models.entity_hgnn`` on its own (inputs:
  own evidence + link structure + neighbour evidence + propagation);
* ``entity_gnn`` = ``graph``: **the entity graph model** — per kind the rank of one of the
  graph components, chosen on dev seeds (``risk.models.entity_hgnn.WEIGHTS``): enterprise =
  propagation, person = the trained GNN, vehicle = driver-surprise propagation (drivers' hits
  not explained by the tabular score, spread to the vehicles they drove). Labels for the trained
  part come from history inspections only (temporal split inside the
  history), never from the ground truth. Multi-seed figures: ``bench/risk_entities.py``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
USD_CNY = 7.1
BETA = 0.5
DECL_MODELS = ("rules", "tabular", "gadbench_tree", "gnn", "gnn_residual")


def world_frames(d: Path, cut_quantile: float = 0.7) -> dict[str, Any]:
    import pandas as pd

    D = pd.read_csv(d / "declarations.csv", dtype=str)
    cc2uscc = {}
    men = pd.read_csv(d / "truth" / "mentions.csv", dtype=str)
    for k, v in zip(men["mention_key"], men["true_key"]):
        if k.startswith("CC:"):
            cc2uscc[k[3:]] = v
    f = pd.DataFrame({"key": D["decl_id"], "date": pd.to_datetime(D["date"])})
    f["office"] = D["port_code"]
    f["importer"] = D["customs_code"].map(cc2uscc).fillna(D["customs_code"])
    f["declarant"] = D["broker_code"].where(D["broker_code"].notna(), None)
    f["seller"] = D["seller_id"]
    f["courier"] = None
    f["hs6"] = D["hs10"].str[:6]
    f["country_origin"], f["country_departure"] = D["origin"], D["departure"]
    f["transport_mode"] = D["transport_mode"]
    f["process_type"] = D["currency"]
    for c in ("import_type", "import_use", "payment_type", "tax_type", "origin_indicator"):
        f[c] = "<none>"
    f["tax_rate"] = pd.to_numeric(D["tax_rate"], errors="coerce")
    f["net_mass"] = pd.to_numeric(D["net_mass"], errors="coerce").abs()
    val = pd.to_numeric(D["value"], errors="coerce")
    f["value"] = np.where(D["currency"] == "USD", val * USD_CNY, val)
    f["driver"] = D["driver_id"].where(D["driver_id"].notna(), None)
    f["vehicle"] = D["plate"].where(D["plate"].notna(), None)
    truth = pd.read_csv(d / "truth" / "declarations.csv", dtype={"decl_id": str})
    f["is_fraud"] = f["key"].map(truth.set_index("decl_id")["is_fraud"]).fillna(0).astype(int)
    ins = pd.read_json(d / "inspections.jsonl", lines=True, dtype={"decl_id": str})
    ins = ins.sort_values("date").drop_duplicates("decl_id", keep="last")
    f["label"] = f["key"].map(ins.set_index("decl_id")["result"].map({"hit": 1.0, "no_hit": 0.0}))
    f["inspected_on"] = f["key"].map(ins.set_index("decl_id")["date"])
    f = f.sort_values(["date", "key"], kind="stable").reset_index(drop=True)
    cut = f["date"].quantile(cut_quantile)
    hist = f[f["date"] < cut].copy()
    # an inspection only counts as a label if it was recorded before the cut
    late = pd.to_datetime(hist["inspected_on"]) >= cut
    hist.loc[late, "label"] = np.nan
    test = f[f["date"] >= cut].copy()
    test["label"] = test["is_fraud"].astype(float)  # ground truth for evaluation only
    E = pd.read_csv(d / "enterprises.csv", dtype=str)
    S = pd.read_csv(d / "shareholders.csv", dtype=str)
    T = pd.read_csv(d / "truth" / "entities.csv", dtype=str)
    return {"hist": hist.reset_index(drop=True), "test": test.reset_index(drop=True),
            "cut": str(cut.date()), "enterprises": E, "shareholders": S, "truth": T}


def _own_scores(hist: Any, decl_scores: np.ndarray) -> dict[str, dict[str, float]]:
    """Own evidence per entity from history declarations: 0.5·(mean+max)/2 of its
    declaration scores + 0.5·smoothed hit rate of its inspected declarations."""
    import pandas as pd

    prior = float(hist["label"].mean()) if hist["label"].notna().any() else 0.1
    d = hist.assign(_s=decl_scores)
    out: dict[str, dict[str, float]] = {}
    for col, kind in (("importer", "enterprise"), ("driver", "person"), ("vehicle", "vehicle")):
        g = d.dropna(subset=[col])
        g = g[g[col].astype(str) != ""]
        a = g.groupby(col).agg(m=("_s", "mean"), x=("_s", "max"),
                               h=("label", lambda v: float(np.nansum(v))),
                               n=("label", lambda v: float(v.notna().sum())))
        hit = (a["h"] + 2 * prior) / (a["n"] + 2)
        s = 0.25 * a["m"] + 0.25 * a["x"] + 0.5 * hit
        out.setdefault(kind, {}).update({str(k): float(v) for k, v in s.items()})
    return out


def _entity_graph(fr: dict[str, Any]) -> Any:
    import networkx as nx

    G = nx.Graph()
    E, S, hist = fr["enterprises"], fr["shareholders"], fr["hist"]
    for _, r in E.iterrows():
        e = ("enterprise", r["uscc"])
        G.add_node(e)
        if isinstance(r["legal_rep_id"], str):
            G.add_edge(e, ("person", r["legal_rep_id"]))
        if isinstance(r["address"], str):
            G.add_edge(e, ("address", r["address"]))
        if isinstance(r["phone"], str):
            G.add_edge(e, ("phone", r["phone"]))
    for _, r in S.iterrows():
        G.add_edge(("person", r["id_number"]), ("enterprise", r["uscc"]))
    road = hist.dropna(subset=["driver", "vehicle"])
    for p, v in set(zip(road["driver"], road["vehicle"])):
        G.add_edge(("person", p), ("vehicle", v))
    return G


def propagate(G: Any, own: dict[tuple[str, str], float], beta: float = BETA, rounds: int = 2
              ) -> dict[tuple[str, str], float]:
    """Excess-risk noisy-OR propagation. Only risk *above the median of its entity type*
    spreads; ``rounds`` times: s(n) = own(n) + 1 - Π_m (1 - β·max(0, s(m) - median_type(m)))
    over n's neighbours m. Risk accumulates with the number of unusually risky links (a
    person who represents several risky enterprises, enterprises sharing an address/phone)."""
    med: dict[str, float] = {}
    for kind in {k for k, _ in own}:
        vals = [v for (k, _), v in own.items() if k == kind]
        med[kind] = float(np.median(vals)) if vals else 0.0
    s = {n: own.get(n, 0.0) for n in G.nodes}
    for _ in range(rounds):
        nxt = {}
        for n in G.nodes:
            miss = 1.0
            for m in G.neighbors(n):
                miss *= 1.0 - beta * max(0.0, s[m] - med.get(m[0], 0.0))
            nxt[n] = own.get(n, 0.0) + (1.0 - miss)
        s = nxt
    return s


ENTITY_SCORERS = ("tabular", "propagation", "entity_gnn_v1", "gnn_alone", "entity_gnn")


def entity_scores(fr: dict[str, Any], decl_scores: np.ndarray, v1: bool = True
                  ) -> dict[str, dict[tuple[str, str], float]]:
    """{scorer: {(kind, id): score}} for the scorers of the module docstring."""
    from risk.models.entity_hgnn import entity_model_scores

    own_by = _own_scores(fr["hist"], decl_scores)
    own = {(k, e): v for k, d in own_by.items() for e, v in d.items()}
    prop = propagate(_entity_graph(fr), own)
    m = entity_model_scores(fr, decl_scores)
    out = {"tabular": own, "propagation": {n: prop.get(n, own.get(n, 0.0)) for n in
                                           set(prop) | set(own)},
           "gnn_alone": m["gnn"], "entity_gnn": m["model"]}
    if v1:
        from risk.models.entity_gnn import entity_gnn_scores

        out["entity_gnn_v1"] = entity_gnn_scores(fr, decl_scores, threads=1)
    return out


def entity_metrics(fr: dict[str, Any], decl_scores: np.ndarray, entity_gnn: bool = True,
                   raw: bool = False) -> dict[str, Any]:
    """Per kind: n, positives and ``summarize`` of every scorer against ``truth/entities.csv``;
    ``graph`` = the graph model (= ``entity_gnn``). ``raw``: also the labels and scores."""
    from risk.metrics import summarize

    sc = entity_scores(fr, decl_scores, v1=entity_gnn)
    T = fr["truth"]
    res: dict[str, Any] = {}
    for kind in ("enterprise", "person", "vehicle"):
        t = T[T["entity_type"] == kind]
        y = t["is_risky"].astype(int).to_numpy()
        ids = t["id"].astype(str).tolist()
        res[kind] = {"n": int(len(y)), "positives": int(y.sum())}
        for name in ENTITY_SCORERS:
            if name in sc:
                s = np.array([sc[name].get((kind, i), 0.0) for i in ids])
                res[kind][name] = summarize(y, s)
                if raw:
                    res[kind].setdefault("_raw", {"y": y.tolist()})[name] = s.tolist()
        res[kind]["graph"] = res[kind]["entity_gnn"]
    return res


def prepare(declarations: int, seed: int, world_dir: str | None = None) -> dict[str, Any]:
    """The world's frames and the history's train / validation split."""
    from ingest.synthetic.world import generate_world

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(world_dir or tmp)
        if not (d / "declarations.csv").exists():
            generate_world(declarations, seed, d, hmac_secret=b"portsentinel-eval")
        fr = world_frames(d)
    hist = fr["hist"]
    lab = hist[hist["label"].notna()].sort_values("date")
    vcut = lab["date"].iloc[int(len(lab) * 0.8)]
    return {"fr": fr, "lab": lab, "train": hist[hist["date"] < vcut],
            "valid": lab[lab["date"] >= vcut]}


def entity_evaluation(declarations: int, seed: int, raw: bool = False, v1: bool = True
                      ) -> dict[str, Any]:
    """Entity level only (``bench/risk_entities.py``): the tabular declaration model scores the
    history, then every entity scorer is measured."""
    from risk.models import get

    t0 = time.perf_counter()
    P = prepare(declarations, seed)
    tab = get("tabular")().fit(P["train"], P["valid"])
    ent = entity_metrics(P["fr"], tab.score(P["fr"]["hist"]), entity_gnn=v1, raw=raw)
    return {"entities": ent, "declarations": declarations, "seed": seed,
            "seconds": round(time.perf_counter() - t0, 1)}


def evaluate_synthetic(*, declarations: int = 20000, seed: int = 7, out: str | None = None,
                       models: tuple[str, ...] = DECL_MODELS, world_dir: str | None = None
                       ) -> dict[str, Any]:
    from risk.evaluate import pick_best, write_results
    from risk.metrics import summarize
    from risk.models import get

    t0 = time.perf_counter()
    P = prepare(declarations, seed, world_dir)
    fr, lab, train, valid = P["fr"], P["lab"], P["train"], P["valid"]
    hist, test = fr["hist"], fr["test"]
    out_test, out_valid, fitted = {}, {}, {}
    for name in models:
        m = get(name)().fit(train, valid)
        fitted[name] = m
        out_valid[name] = summarize(valid["label"], m.score(valid))
        out_test[name] = summarize(test["label"], m.score(test))
        log.info("synthetic %s: test p@5=%.3f auprc=%.3f", name, out_test[name]["precision@5"],
                 out_test[name]["auprc"] or 0.0)
    best = pick_best(out_valid)
    tab = fitted.get("tabular") or fitted[best]
    ent = entity_metrics(fr, tab.score(hist))
    res = {"models": out_test, "best": best, "valid": out_valid, "entities": ent,
           "split": {"cut": fr["cut"], "history": int(len(hist)), "labelled": int(len(lab)),
                     "test": int(len(test)), "test_fraud_rate": round(float(test["label"].mean()), 4)},
           "declarations": declarations, "seed": seed,
           "seconds": round(time.perf_counter() - t0, 1)}
    if out:
        write_results(res, out, {"command": f"portsentinel evaluate synthetic --declarations "
                                            f"{declarations} --seed {seed} --json"})
    return res
