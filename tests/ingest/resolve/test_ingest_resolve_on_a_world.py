"""Entity tables read from a generated world's files (ingest.resolve.tables) and precision /
recall against its ground truth (ingest.resolve.evaluation)."""

import pandas as pd
import pytest

from ingest.resolve import (entities_from_world, evaluate, persons_from_world, resolve,
                            resolve_persons)
from ingest.synthetic.world import generate_world

pytestmark = pytest.mark.unit

def test_precision_recall_on_a_small_world(tmp_path):
    d = tmp_path / "w"
    generate_world(4000, 3, d, hmac_secret=b"k" * 20)
    ents = entities_from_world(d)
    t = pd.read_csv(d / "truth" / "mentions.csv", dtype=str)
    truth = {k: v for k, v in zip(t.mention_key, t.true_key) if k in ents}
    matches = resolve(ents)
    ev = evaluate(matches, truth)
    assert ev["precision"] >= 0.95 and ev["recall"] >= 0.90, ev
    persons = persons_from_world(d, b"k" * 20)
    ptruth = {k: v for k, v in zip(t.mention_key, t.true_key)
              if k in persons and not persons[k].canonical}
    assert len(ptruth) == (t.entity_type == "person").sum()
    pm = resolve_persons(persons, matches)
    pev = evaluate(pm, ptruth)
    assert pev["precision"] >= 0.95 and pev["recall"] >= 0.90, pev
    fuzzy = {r: c for r, c in pev["per_rule"].items() if r != "exact_id"}
    assert fuzzy and sum(c["tp"] for c in fuzzy.values()) > 0.3 * len(ptruth)  # not exact only
    assert resolve_persons(persons, matches) == pm  # a rerun decides the same
