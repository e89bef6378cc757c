"""PS_RISK_DEVICE: where the GNN trains and scores. CI has no GPU, so the CUDA path itself is
exercised by ``bench/risk.py --model-devices cpu cuda`` on a GPU machine
(bench/results/risk_gnn_device.json); here: the setting's resolution and its refusal, with
torch's view of the GPU set by the test either way."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from risk.config import torch_device
from risk.kcs import split_by_date
from training.simulate import simulate_frame


@pytest.fixture
def no_gpu(monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


@pytest.mark.unit
@pytest.mark.parametrize("sees_gpu, want", [(True, "cuda"), (False, "cpu")])
def test_auto_picks_cuda_only_when_torch_sees_one(monkeypatch, sees_gpu, want):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: sees_gpu)
    assert torch_device("auto").type == want
    assert torch_device("cpu").type == "cpu"


@pytest.mark.unit
def test_an_explicit_cuda_device_without_a_gpu_is_refused_by_name(no_gpu):
    with pytest.raises(ValueError, match="PS_RISK_DEVICE='cuda'.*no CUDA device"):
        torch_device("cuda")


@pytest.mark.integration  # trains a GNN
def test_env_setting_is_read_and_recorded_in_the_model_card(monkeypatch, no_gpu):
    from risk.models.gnn import HeteroGNNModel

    monkeypatch.setenv("PS_RISK_DEVICE", "cpu")
    f = simulate_frame(1200, seed=5)
    tr, te = split_by_date(f, 0.7)
    m = HeteroGNNModel(epochs=3).fit(tr, None)
    assert m.model_card()["device"] == "cpu"
    s = np.asarray(m.score(te))
    # the artifact carries CPU tensors: a pickled copy scores the same without the cache
    s2 = np.asarray(pickle.loads(pickle.dumps(m)).score(te))
    assert s.shape == (len(te),) and np.allclose(s, s2, atol=1e-6)
    monkeypatch.setenv("PS_RISK_DEVICE", "cuda:7")
    with pytest.raises(ValueError, match="no CUDA device"):
        m.score(te)
