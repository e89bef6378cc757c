"""``portsentinel evaluate kcs`` (training.evaluate): train on A, select on B, report on C;
the last line is the JSON contract, and the models find the planted signal on C."""

from __future__ import annotations

import json

import pytest

from risk.metrics import METRIC_NAMES
from training.simulate import simulate_kcs

pytestmark = pytest.mark.integration  # trains real models


def test_evaluate_kcs_cli_prints_the_contract_as_last_line(tmp_path, capsys):
    from api.cli import main

    paths = []
    for i, (n, seed) in enumerate([(1500, 1), (500, 2), (500, 4)]):
        p = tmp_path / f"f{i}.csv"
        simulate_kcs(n, seed=seed).to_csv(p, index=False)
        paths.append(str(p))
    rc = main(["evaluate", "kcs", "--train", paths[0], "--valid", paths[1], "--test", paths[2],
               "--models", "rules,tabular", "--json"])
    assert rc == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(last) == {"models", "best"}
    assert last["best"] in last["models"]
    for metrics in last["models"].values():
        assert set(metrics) == set(METRIC_NAMES)
    base = simulate_kcs(500, seed=4)["Fraud"].astype(float).mean()
    assert last["models"]["tabular"]["auprc"] >= base + 0.05
