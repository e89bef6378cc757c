"""Model registry: versions, checksums, promote / roll back, refusing bad artifacts."""

from __future__ import annotations

import pytest

from risk import registry
from training.simulate import simulate_frame

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def fitted():
    from risk.models.rules import RulesModel

    f = simulate_frame(600, seed=5)
    return RulesModel().fit(f), f


def test_register_promote_load_and_roll_back(fitted, tmp_path):
    m, f = fitted
    v1 = registry.register(model=m, metrics={"auprc": 0.5}, data_hash=registry.data_hash(f),
                           data_dir=tmp_path, promote=True)
    v2 = registry.register(model=m, metrics={"auprc": 0.6}, data_hash="x", data_dir=tmp_path)
    assert (v1["version"], v2["version"]) == ("v001", "v002")
    registry.promote(version="v002", data_dir=tmp_path)
    model, info = registry.load_promoted(data_dir=tmp_path)
    assert info["serving"] == "v002" and model.name == "rules"
    registry.rollback(data_dir=tmp_path)
    assert registry.load_promoted(data_dir=tmp_path)[1]["serving"] == "v001"
    assert registry.list_versions(data_dir=tmp_path)["promoted"] == "v001"


def test_corrupted_artifact_is_refused_and_previous_keeps_serving(fitted, tmp_path):
    from risk.exceptions import ModelArtifactError

    m, _ = fitted
    registry.register(model=m, data_dir=tmp_path, promote=True)
    server = registry.ServingModel(data_dir=tmp_path)
    assert server.get()[1]["serving"] == "v001"
    registry.register(model=m, data_dir=tmp_path)
    art = tmp_path / "models" / "risk" / "v002" / registry.ARTIFACT
    art.write_bytes(art.read_bytes()[:-20] + b"garbage-garbage-garb")
    with pytest.raises(ModelArtifactError, match="corrupted"):
        registry.promote(version="v002", data_dir=tmp_path)
    assert registry.list_versions(data_dir=tmp_path)["promoted"] == "v001"
    # corrupted after promotion: refused on load, v001 still serves
    registry.register(model=m, data_dir=tmp_path, promote=True)  # v003
    (tmp_path / "models" / "risk" / "v003" / registry.ARTIFACT).unlink()
    model, info = registry.load_promoted(data_dir=tmp_path)
    assert info["serving"] == "v001" and "missing" in info["refused"][0]
    assert server.get()[1]["serving"] == "v001"


def test_nothing_promoted_and_unknown_versions_are_registry_errors(fitted, tmp_path):
    from risk.exceptions import RegistryError

    with pytest.raises(RegistryError, match="no model promoted"):
        registry.load_promoted(data_dir=tmp_path)
    registry.register(model=fitted[0], data_dir=tmp_path)
    with pytest.raises(RegistryError, match="'v009' is not registered.*v001"):
        registry.promote(version="v009", data_dir=tmp_path)
    with pytest.raises(RegistryError, match="nothing to roll back"):
        registry.rollback(data_dir=tmp_path)


def test_registry_name_comes_from_the_settings(fitted, tmp_path, monkeypatch):
    monkeypatch.setenv("PS_TRAINING_REGISTRY_NAME", "other")  # its name before risk/ held it
    registry.register(model=fitted[0], data_dir=tmp_path)
    assert (tmp_path / "models" / "other" / "v001" / registry.ARTIFACT).is_file()
    monkeypatch.setenv("PS_RISK_REGISTRY_NAME", "third")
    registry.register(model=fitted[0], data_dir=tmp_path)
    assert (tmp_path / "models" / "third" / "v001" / registry.ARTIFACT).is_file()
