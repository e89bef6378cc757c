"""A small demo-like port for the explorer's browser tests: the API seed, a slice of the KCS
declarations and a small simulated world (persons, vehicles, containers, cases, inspections,
planted shell clusters), resolved, both models trained and promoted, both scored — what
`make demo` does, on as little data as still gives a real cluster."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import api_seed

WORLD_DECLARATIONS = 1500
WORLD_SEED = 5
KCS_ROWS = 200
ENTITY_CFG = {"epochs": 30, "seeds": (0,)}


def prepare_world(state, store, tmp: Path) -> dict:
    from api.demo import DemoData, score
    from ingest.readers.kcs import load_kcs
    from ingest.resolve import resolve_store
    from ingest.synthetic.load import generate_and_load
    from training.entity import train_entities_from_store
    from training.train import train_from_store

    done: dict = {"seconds": {}}
    t0 = time.monotonic()
    store.clear()
    api_seed.seed(store)
    data = DemoData.locate(Path(os.environ["PS_SHARED_DIR"]) if os.environ.get("PS_SHARED_DIR")
                           else None)
    done["kcs"] = load_kcs(data.kcs_dir / "df_syn_train_eng.csv", store,
                           settings=state.ingest_settings, limit=KCS_ROWS).to_json()
    world = generate_and_load(declarations=WORLD_DECLARATIONS, seed=WORLD_SEED,
                              out=tmp / "world", store=store, settings=state.ingest_settings)
    done["world"] = world.get("world")
    resolve_store(store)
    done["seconds"]["load"] = round(time.monotonic() - t0, 1)
    done["model"] = train_from_store(store=store, promote=True, data_dir=state.settings.data_dir,
                                     feedback=state.warnings.feedback_labels()).get("version")
    done["entity_model"] = train_entities_from_store(
        store=store, promote=True, data_dir=state.settings.data_dir,
        config=ENTITY_CFG).get("version")
    done["seconds"]["train"] = round(time.monotonic() - t0, 1)
    state.serving.get()  # the freshly promoted declaration model
    done["scored"] = {k: v for k, v in score(state, store).items() if k in ("written",)}
    done["seconds"]["score"] = round(time.monotonic() - t0, 1)
    print("[e2e] world prepared:", done, file=sys.stderr)
    return done
