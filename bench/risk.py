"""Risk bench: training seconds per epoch and peak memory, scoring throughput, single-
declaration latency. Writes bench/results/risk.json.

    python -P bench/risk.py --sizes 100000 [1000000] --gnn-epochs 3 --threads 1

Data: ``training.simulate.simulate_frame`` (KCS-format simulated declarations; ~N/8
importers). Peak memory is the process's max RSS growth during the step (ru_maxrss).
Single-declaration latency: ``risk.scoring.score_declaration`` on one record (features from
the model's stored training statistics), p50/p95 over ``--latency-n`` calls.
"""

from __future__ import annotations

import os
import sys

# this file is bench/risk.py: drop bench/ from sys.path so `risk` is the package, not this file
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [_ROOT] + [p for p in sys.path if os.path.abspath(p or ".") not in (_BENCH, _ROOT)]

import argparse
import json
import platform
import resource
import time
from pathlib import Path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_size(n: int, gnn_epochs: int, latency_n: int) -> dict:
    import numpy as np

    from risk.kcs import split_by_date
    from risk.models.gnn import HeteroGNNModel
    from risk.models.tabular import TabularModel
    from risk.scoring import entity_scores, score_declaration

    out: dict = {"declarations": n}
    t = time.perf_counter()
    from training.simulate import simulate_frame

    f = simulate_frame(n, seed=1, days=365)
    out["simulate_s"] = round(time.perf_counter() - t, 1)
    tr, te = split_by_date(f, 0.8)
    tr, va = split_by_date(tr, 0.9)
    r0 = _rss_mb()
    t = time.perf_counter()
    tab = TabularModel(max_rounds=300, early_stopping=30).fit(tr, va)
    out["tabular_fit_s"] = round(time.perf_counter() - t, 1)
    out["tabular_rounds"] = tab.best_iteration
    out["tabular_peak_rss_growth_mb"] = round(_rss_mb() - r0, 0)
    t = time.perf_counter()
    s = tab.score(f)
    ent = entity_scores(f, s)
    dt = time.perf_counter() - t
    out["tabular_scoring_entities_per_s"] = round((len(f) + len(ent)) / dt, 0)
    out["tabular_scoring_declarations_per_s"] = round(len(f) / dt, 0)
    recs = te.head(latency_n).to_dict("records")
    lat = []
    for r in recs:
        t = time.perf_counter()
        score_declaration(model=tab, record=r)
        lat.append((time.perf_counter() - t) * 1000)
    out["single_declaration_ms"] = {"model": f"tabular ({tab.best_iteration} trees)",
                                    "p50": round(float(np.percentile(lat, 50)), 2),
                                    "p95": round(float(np.percentile(lat, 95)), 2), "n": len(lat)}
    if gnn_epochs:
        r0 = _rss_mb()
        t = time.perf_counter()
        g = HeteroGNNModel(epochs=gnn_epochs).fit(tr, None)
        fit_s = time.perf_counter() - t
        out["gnn_epochs"] = gnn_epochs
        out["gnn_fit_s"] = round(fit_s, 1)
        out["gnn_s_per_epoch"] = g.model_card()["seconds_per_epoch"]
        out["gnn_setup_s"] = round(fit_s - gnn_epochs * out["gnn_s_per_epoch"], 1)
        out["gnn_nodes"] = sum(g.model_card()["graph"].values())
        out["gnn_peak_rss_growth_mb"] = round(_rss_mb() - r0, 0)
        t = time.perf_counter()
        gs = g.score(te)
        dt = time.perf_counter() - t
        out["gnn_scoring_s_full_graph"] = round(dt, 2)
        out["gnn_scoring_nodes_per_s"] = round((len(tr) + len(te)) / dt, 0)
        assert len(gs) == len(te)
    return out


def gnn_only(n: int, epochs: int, hidden: int = 32, device: str = "cpu") -> dict:
    """GNN training cost alone at size n: the declaration-entity HeteroData of n simulated
    declarations with 40 random feature columns (the featurizer's cost is measured by the
    full run), ``epochs`` full-batch epochs, then one full-graph scoring pass. On ``cuda``
    the graph and model are moved to the GPU once (not timed in the epochs), the first
    epoch (kernel warm-up) is reported apart, and every timing is synchronised."""
    import numpy as np
    import torch

    from risk.models.gnn import _net
    from risk.hetero import DECL, build_hetero
    from training.simulate import simulate_kcs

    t = time.perf_counter()
    raw = simulate_kcs(n, seed=1, days=365)
    cols = {"Declaration ID": "key", "Importer ID": "importer", "Declarant ID": "declarant",
            "Seller ID": "seller", "Courier ID": "courier", "HS6 Code": "hs6",
            "Country of Origin": "country_origin", "Country of Departure": "country_departure",
            "Office ID": "office", "Fraud": "label"}
    f = raw[list(cols)].rename(columns=cols)
    X = np.random.default_rng(1).standard_normal((n, 40)).astype(np.float32)
    r0 = _rss_mb()
    data = build_hetero(f, X, f["label"].to_numpy(float))
    setup = time.perf_counter() - t
    net = _net(data.metadata(), {k: data[k].x.shape[1] for k in data.node_types}, hidden, 2)
    dev = torch.device(device)
    cuda = dev.type == "cuda"

    def sync() -> None:
        if cuda:
            torch.cuda.synchronize()

    t = time.perf_counter()
    data, net = data.to(dev), net.to(dev)
    sync()
    to_device_s = time.perf_counter() - t
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    y = data[DECL].y
    lossf = torch.nn.BCEWithLogitsLoss()
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        opt.zero_grad()
        out, _ = net(data.x_dict, data.edge_index_dict)
        loss = lossf(out, y)
        loss.backward()
        opt.step()
        sync()
        times.append(time.perf_counter() - t)
    net.eval()
    t = time.perf_counter()
    with torch.no_grad():
        net(data.x_dict, data.edge_index_dict)
    sync()
    score_s = time.perf_counter() - t
    nodes = sum(int(data[k].num_nodes) for k in data.node_types)
    edges = sum(int(data[e].edge_index.shape[1]) for e in data.edge_types)
    steady = times[1:] if len(times) > 1 else times
    res = {"declarations": n, "gnn_only": True, "device": device,
           "threads": torch.get_num_threads(), "nodes": nodes, "directed_edges": edges,
           "setup_s": round(setup, 1), "s_per_epoch": round(float(np.mean(steady)), 3),
           "first_epoch_s": round(times[0], 3), "epochs": epochs,
           "peak_rss_growth_mb": round(_rss_mb() - r0, 0),
           "score_all_nodes_s": round(score_s, 3),
           "score_nodes_per_s": round(nodes / score_s, 0)}
    if cuda:
        res["to_device_s"] = round(to_device_s, 2)
        res["gpu"] = torch.cuda.get_device_name(dev)
        res["gpu_peak_mem_mb"] = round(torch.cuda.max_memory_allocated(dev) / 2**20, 0)
    return res


def model_on_devices(n: int, epochs: int, devices: list[str]) -> dict:
    """The production ``HeteroGNNModel`` (``gnn``) trained with ``PS_RISK_DEVICE`` = each of
    ``devices`` on the same split of n simulated declarations: fit seconds, seconds per
    epoch, test AUPRC / p@5%, scoring seconds, and how far the test scores differ between
    devices (same seed; GPU kernels are not bit-identical)."""
    import numpy as np

    from risk.kcs import split_by_date
    from risk.metrics import summarize
    from risk.models.gnn import HeteroGNNModel
    from training.simulate import simulate_frame

    f = simulate_frame(n, seed=1, days=365)
    tr, te = split_by_date(f, 0.8)
    tr, va = split_by_date(tr, 0.9)
    out: dict = {"declarations": n, "epochs": epochs, "model": "gnn (HeteroGNNModel)", "by_device": {}}
    scores = {}
    for d in devices:
        os.environ["PS_RISK_DEVICE"] = d
        t = time.perf_counter()
        g = HeteroGNNModel(epochs=epochs).fit(tr, va)
        fit_s = time.perf_counter() - t
        t = time.perf_counter()
        scores[d] = np.asarray(g.score(te))
        score_s = time.perf_counter() - t
        m = summarize(te["label"], scores[d])
        card = g.model_card()
        out["by_device"][d] = {"device": card.get("device"), "fit_s": round(fit_s, 1),
                               "s_per_epoch": card["seconds_per_epoch"],
                               "score_test_s": round(score_s, 2),
                               "test_auprc": m["auprc"], "test_precision@5": m["precision@5"]}
        print(json.dumps({d: out["by_device"][d]}), file=sys.stderr)
    if len(devices) > 1:
        a, b = scores[devices[0]], scores[devices[1]]
        out["max_abs_score_diff"] = round(float(np.max(np.abs(a - b))), 4)
    os.environ.pop("PS_RISK_DEVICE", None)
    return out


def kcs_latency(kcs_dir: Path, n: int) -> dict:
    """Single-declaration latency of the real KCS tabular model (~2000 trees)."""
    import numpy as np

    from risk.kcs import read_kcs, split_by_date
    from risk.models.tabular import TabularModel
    from risk.scoring import score_declaration

    tr = read_kcs(kcs_dir / "df_syn_train_eng.csv")
    va, te = split_by_date(read_kcs(kcs_dir / "df_syn_valid_eng.csv"))
    t = time.perf_counter()
    m = TabularModel().fit(tr, va)
    fit_s = time.perf_counter() - t
    lat = []
    for r in te.head(n).to_dict("records"):
        t = time.perf_counter()
        score_declaration(model=m, record=r)
        lat.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    m.score(te)
    dt = time.perf_counter() - t
    return {"model": f"KCS tabular ({m.best_iteration} trees)", "fit_s": round(fit_s, 1),
            "single_declaration_ms": {"p50": round(float(np.percentile(lat, 50)), 2),
                                      "p95": round(float(np.percentile(lat, 95)), 2),
                                      "n": len(lat)},
            "batch_declarations_per_s": round(len(te) / dt, 0)}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    p.add_argument("--gnn-epochs", type=int, default=3)
    p.add_argument("--latency-n", type=int, default=300)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--gnn-only-sizes", type=int, nargs="*", default=[],
                   help="also time the GNN alone at these sizes (e.g. 1000000)")
    p.add_argument("--device", default="cpu",
                   help="torch device for the GNN-only runs (cpu, cuda)")
    p.add_argument("--model-devices", nargs="*", default=[],
                   help="train the production gnn model once per device (e.g. cpu cuda)")
    p.add_argument("--model-size", type=int, default=100_000)
    p.add_argument("--note", default="", help="free text stored with the machine facts")
    p.add_argument("--out", default="bench/results/risk.json")
    p.add_argument("--kcs-dir", default=str(Path(__file__).resolve().parents[1] / "data" / "customs-kcs"),
                   help="KCS CSVs for the real-model latency (skipped when absent)")
    a = p.parse_args()
    os.environ.setdefault("PS_RISK_THREADS", str(a.threads))  # read by RiskSettings
    import torch

    torch.set_num_threads(a.threads)
    res = {"machine": {"cpu_count": os.cpu_count(), "threads": a.threads,
                       "python": platform.python_version(), "platform": platform.platform(),
                       "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                       "note": a.note},
           "command": " ".join(["python -P bench/risk.py"] + sys.argv[1:]),
           "runs": []}
    for n in a.sizes:
        r = bench_size(n, a.gnn_epochs, a.latency_n)
        print(json.dumps(r), file=sys.stderr)
        res["runs"].append(r)
    for n in a.gnn_only_sizes:
        r = gnn_only(n, max(1, a.gnn_epochs), device=a.device)
        print(json.dumps(r), file=sys.stderr)
        res["runs"].append(r)
    if a.model_devices:
        res["model_on_devices"] = model_on_devices(a.model_size, max(1, a.gnn_epochs),
                                                   a.model_devices)
    kd = Path(a.kcs_dir)
    if (kd / "df_syn_train_eng.csv").exists():
        res["kcs_model"] = kcs_latency(kd, a.latency_n)
        print(json.dumps(res["kcs_model"]), file=sys.stderr)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
