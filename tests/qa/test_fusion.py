import pytest

from qa.fusion import rrf


@pytest.mark.unit
def test_rrf_prefers_items_ranked_high_by_several_lists():
    fused = rrf({"a": ["x", "y", "z"], "b": ["y", "x"], "c": ["y"]})
    assert [i for i, _ in fused] == ["y", "x", "z"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61 + 1 / 61)


@pytest.mark.unit
def test_rrf_weights_and_ties():
    fused = rrf({"a": ["x"], "dense": ["y"]}, weights={"dense": 0.5})
    assert [i for i, _ in fused] == ["x", "y"]
    assert [i for i, _ in rrf({"a": ["q"], "b": ["p"]})] == ["p", "q"]  # ties: by id
