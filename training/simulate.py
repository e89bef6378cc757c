"""A small KCS-format declaration simulator for tests and the risk bench (not the port
world of ``ingest.synthetic``; that one is used by ``evaluate synthetic``).

Planted signals: a per-(HS6, origin) base fraud rate (tabular signal), and fraud rings:
groups of importers that share one declarant and one seller and defraud far more often
(network signal: visible through shared links). Deterministic by seed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.kcs import COLUMNS


def simulate_kcs(n: int = 2000, *, seed: int = 7, start: str = "2020-01-01", days: int = 120,
                 n_importers: int | None = None) -> Any:
    """DataFrame with the KCS CSV columns (``risk.kcs.COLUMNS`` keys), ``n`` rows."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    n_imp = n_importers or max(20, n // 8)
    n_hs, n_dec, n_sel = max(10, n // 60), max(5, n // 200), max(20, n // 10)
    countries = np.array(["CN", "US", "JP", "DE", "VN", "KR", "IT", "TH", "IN", "BR"])
    hs = np.array([f"{rng.integers(1, 97):02d}{rng.integers(0, 10000):04d}" for _ in range(n_hs)])
    hs_risk = rng.beta(1.2, 6, n_hs)
    imp_ring = rng.random(n_imp) < 0.06
    ring_dec = rng.integers(0, n_dec, n_imp)
    ring_sel = rng.integers(0, n_sel, n_imp)
    imp = rng.integers(0, n_imp, n)
    h = rng.integers(0, n_hs, n)
    c = rng.integers(0, len(countries), n)
    ring = imp_ring[imp]
    dec = np.where(ring, ring_dec[imp], rng.integers(0, n_dec, n))
    sel = np.where(ring, ring_sel[imp], rng.integers(0, n_sel, n))
    pair_risk = np.clip(hs_risk[h] * (1.6 if True else 1) * np.where(c % 3 == 0, 1.5, 0.7), 0, 0.95)
    p = np.where(ring, np.maximum(pair_risk, 0.75), pair_risk)
    y = (rng.random(n) < p).astype(int)
    mass = np.round(np.exp(rng.normal(5, 1.5, n)), 1)
    dates = pd.Timestamp(start) + pd.to_timedelta(np.sort(rng.integers(0, days, n)), unit="D")
    df = pd.DataFrame({
        "Declaration ID": [f"{seed:02d}{i:08d}" for i in range(n)],
        "Date": dates.strftime("%Y-%m-%d"),
        "Office ID": rng.integers(10, 20, n).astype(str),
        "Process Type": rng.choice(["A", "B", "C"], n),
        "Import Type": rng.integers(11, 15, n).astype(str),
        "Import Use": rng.integers(21, 24, n).astype(str),
        "Payment Type": rng.integers(11, 14, n).astype(str),
        "Mode of Transport": rng.choice(["10", "40"], n),
        "Declarant ID": [f"D{v:05d}" for v in dec],
        "Importer ID": [f"I{v:06d}" for v in imp],
        "Seller ID": [f"S{v:06d}" for v in sel],
        "Courier ID": np.where(rng.random(n) < 0.2, "C01", None),
        "HS6 Code": hs[h],
        "Country of Departure": countries[c],
        "Country of Origin": countries[c],
        "Tax Rate": rng.choice([0.0, 8.0, 3.0], n),
        "Tax Type": rng.choice(["A", "FEU1"], n),
        "Country of Origin Indicator": rng.choice(["G", "Y"], n),
        "Net Mass": mass,
        "Item Price": np.round(mass * np.exp(rng.normal(6, 1, n)), 1),
        "Fraud": y,
        "Critical Fraud": np.where(y == 1, rng.choice([1, 2], n), 0),
    })
    assert list(df.columns) == list(COLUMNS)
    return df


def simulate_frame(n: int = 2000, *, seed: int = 7, **kw: Any) -> Any:
    """The same, as the canonical declaration frame (``risk.kcs.read_kcs`` semantics)."""
    import io

    buf = io.StringIO()
    simulate_kcs(n, seed=seed, **kw).to_csv(buf, index=False)
    buf.seek(0)
    import tempfile
    from pathlib import Path

    from risk.kcs import read_kcs

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "sim.csv"
        p.write_text(buf.getvalue())
        return read_kcs(p)
