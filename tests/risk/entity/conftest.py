"""A small simulated world (ingest.synthetic, 3000 declarations, seed 5) as the frames the
entity code reads, with random declaration scores."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def world():
    from ingest.synthetic.world import generate_world
    from training.synthetic_eval import world_frames

    with tempfile.TemporaryDirectory() as tmp:
        generate_world(3000, 5, Path(tmp), hmac_secret=b"t")
        fr = world_frames(Path(tmp))
    sc = np.random.default_rng(0).random(len(fr["hist"]))
    return fr, sc
