"""Closed warnings with an outcome become training labels (issue 7, feedback)."""

from __future__ import annotations

import pandas as pd
import pytest

from training.train import apply_feedback

pytestmark = pytest.mark.unit


def test_feedback_labels_fill_only_unlabelled_declarations():
    frame = pd.DataFrame({"key": ["D1", "D2", "D3", "D4"],
                          "label": [1.0, None, None, None]})
    labels = [
        {"label": "Declaration", "key": "D1", "label_value": 0},  # inspected: stays 1
        {"label": "Declaration", "key": "D2", "label_value": 1},
        {"label": "Declaration", "key": "D3", "label_value": 0},
        {"label": "Enterprise", "key": "D4", "label_value": 1},  # not a declaration
    ]
    assert apply_feedback(frame, labels) == 2
    assert frame["label"].tolist()[:3] == [1.0, 1.0, 0.0]
    assert pd.isna(frame.loc[3, "label"])


def test_no_feedback_changes_nothing():
    frame = pd.DataFrame({"key": ["D1"], "label": [None]}, dtype=object)
    assert apply_feedback(frame, []) == 0
    assert pd.isna(frame.loc[0, "label"])
