"""training.train: the date split of the labelled rows, and closed warnings with an outcome
as training labels (issue 7, feedback)."""

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


def test_time_split_keeps_whole_days_on_one_side_and_validates_on_the_latest():
    from training.train import time_split

    day = [pd.Timestamp(f"2024-01-0{d}") for d in range(1, 6)]
    frame = pd.DataFrame({"key": [f"D{i}" for i in range(20)],
                          "date": [d for d in day for _ in range(4)],
                          "label": [1.0, 0.0, None, 0.0] * 5})  # 15 labelled, 3 a day
    train, valid = time_split(frame, 0.3)
    assert set(train["date"]) == set(day[:3]) and set(valid["date"]) == set(day[3:])
    assert len(train) == 12  # unlabelled training rows stay (history for the features)
    assert len(valid) == 6 and valid["label"].notna().all()


def test_too_few_labels_is_a_training_error():
    from training.exceptions import TrainingError
    from training.train import time_split

    frame = pd.DataFrame({"key": ["D1", "D2"], "date": pd.to_datetime(["2024-01-01"] * 2),
                          "label": [1.0, 0.0]})
    with pytest.raises(TrainingError, match="only 2 labelled declarations"):
        time_split(frame, 0.2)
