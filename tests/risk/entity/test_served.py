"""The served entity model on a real graph: a small simulated world loaded through the ingest
mappings and resolved; ``train_entities_from_store`` registers a versioned, checksummed
artifact in the ``entity`` registry; ``batch_score_entities`` writes risk to every Enterprise,
Person, Vehicle, Vessel and Container; explanations cite paths that exist; a person's score
crossing raises a warning; vehicle / container targeting lists."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LABELS = ("Enterprise", "Person", "Vehicle", "Vessel", "Container")
CFG = {"epochs": 40, "seeds": (0,)}


@pytest.fixture(scope="module")
def served(embedded_store, tmp_path_factory):
    from ingest.config import IngestSettings
    from ingest.resolve import resolve_store
    from ingest.synthetic.load import generate_and_load
    from risk import registry
    from risk.scoring import batch_score
    from training.entity import train_entities_from_store
    from training.train import train_from_store

    store = embedded_store
    store.clear()
    d = tmp_path_factory.mktemp("served")
    generate_and_load(declarations=2500, seed=5, out=d / "world", store=store,
                      settings=IngestSettings(data_dir=d))
    resolve_store(store)
    train_from_store(store=store, model="tabular", promote=True, data_dir=d)
    model, info = registry.load_promoted(data_dir=d)
    batch_score(store=store, model=model, model_version=info["serving"])
    tr = train_entities_from_store(store=store, promote=True, data_dir=d, config=CFG)
    return store, d, tr


def _nodes(store, label):
    t = store.export(labels=[label], rel_types=["ALIAS_OF"]).nodes[label]
    return t


def test_train_registers_an_entity_version_with_its_card(served):
    from risk import registry

    store, d, tr = served
    assert tr["registry"] == "entity" and tr["version"] == "v001" and tr["promoted"]
    vs = registry.list_versions(name="entity", data_dir=d)
    assert vs["promoted"] == "v001"
    assert registry.list_versions(data_dir=d)["promoted"] == "v001"  # the declaration model's
    info = registry.verify(version="v001", name="entity", data_dir=d)
    card = info["card"]
    assert card["data_window"]["labelled"] >= 20 and card["data_window"]["declarations"] > 1500
    val = card.get("validation") or tr["metrics"]
    assert "window" in val
    for kind in ("enterprise", "person", "vehicle"):
        assert kind in val
    scored = [v for k, v in val.items() if isinstance(v, dict) and "model" in v]
    assert scored and all({"model", "own", "propagation"} <= set(v) for v in scored)


def test_scoring_writes_risk_to_every_entity_node(served):
    from risk.entity.scoring import batch_score_entities

    store, d, _ = served
    out = batch_score_entities(store=store, data_dir=d)
    assert out["model_version"] == "entity:v001"
    assert out["warnings"]["rises"] == 0  # first entity-model run: baseline, no flood
    for label in LABELS:
        t = _nodes(store, label)
        assert out["written"][label] == len(t) > 0, label
        assert t["risk_score"].notna().all(), label
        assert t["risk_score"].between(0, 1).all()
        assert set(t["risk_level"]) <= {"高", "中", "低"} and "高" in set(t["risk_level"])
        assert (t["model_version"] == "entity:v001").all() and t["scored_at"].notna().all()
    # a mention carries its canonical entity's score
    eg_canon = __import__("risk.entity.graph_frame", fromlist=["x"]).export_entity_graph(
        store=store).canon["Enterprise"]
    ent = _nodes(store, "Enterprise").set_index("key")["risk_score"]
    pairs = list(eg_canon.items())[:50]
    assert pairs and all(ent[m] == ent[c] for m, c in pairs)


def test_score_all_runs_both_models_without_overwriting_entity_levels(served):
    from risk.entity.scoring import score_all

    store, d, _ = served
    out = score_all(store=store, data_dir=d)
    assert out["written"]["Declaration"] == out["declarations"] > 1500
    assert out["written"]["Goods"] > 0 and out["entities"]["written"]["Person"] > 0
    assert out["entities"]["warnings"]["rises"] == 0  # same graph, same levels: nothing new
    for label in LABELS:
        assert set(_nodes(store, label)["model_version"]) == {"entity:v001"}, label
    assert set(_nodes(store, "Goods")["model_version"]) == {"v001"}


def test_the_artifact_loads_from_disk_and_scores_the_same(served):
    from risk.base import RiskModel
    from risk.entity.graph_frame import export_entity_graph
    from risk.entity.scoring import load_entity_model

    store, d, _ = served
    m, info = load_entity_model(data_dir=d)
    again = RiskModel.load(d / "models" / "entity" / "v001" / "model.bin")
    eg = export_entity_graph(store=store)
    a, b = m.score_graph(eg)["scores"], again.score_graph(eg)["scores"]
    assert a == b and set(a) == set(LABELS)


def test_corrupt_entity_artifact_is_refused_and_rollback_works(served):
    from risk import registry
    from risk.entity.scoring import load_entity_model
    from risk.exceptions import ModelArtifactError

    store, d, _ = served
    m, _ = load_entity_model(data_dir=d)
    v2 = registry.register(model=m, metrics={}, name="entity", data_dir=d, promote=True)
    assert v2["version"] == "v002"
    art = d / "models" / "entity" / "v002" / "model.bin"
    good = art.read_bytes()
    art.write_bytes(good[:-10] + b"corrupted!")
    with pytest.raises(ModelArtifactError, match="corrupted"):
        registry.promote(version="v002", name="entity", data_dir=d)
    model, info = load_entity_model(data_dir=d)
    assert info["serving"] == "v001" and info["refused"]
    art.write_bytes(good)
    assert load_entity_model(data_dir=d)[1]["serving"] == "v002"
    assert registry.rollback(name="entity", data_dir=d)["version"] == "v001"
    assert registry.list_versions(name="entity", data_dir=d)["promoted"] == "v001"
    assert registry.list_versions(data_dir=d)["promoted"] == "v001"  # declaration model untouched


def _check_path_exists(store, path):
    assert len(path["nodes"]) == len(path["relationships"]) + 1
    for lab, key in path["nodes"]:
        assert store.get(lab, key) is not None, (lab, key)
    for a, r, b in zip(path["nodes"], path["relationships"], path["nodes"][1:]):
        assert {tuple(r["start"]), tuple(r["end"])} == {tuple(a), tuple(b)}
        sub = store.neighbourhood(r["start"][0], r["start"][1], hops=1, rel_types=[r["type"]],
                                  limit=5000)
        assert any(x.type == r["type"] and x.start == tuple(r["start"])
                   and x.end == tuple(r["end"]) for x in sub.relationships), r


def test_every_evidence_path_of_an_explanation_exists_in_the_graph(served):
    from risk.explain import explain_entity

    store, d, _ = served
    n_paths, kinds = 0, set()
    for label in LABELS:
        t = _nodes(store, label).sort_values("risk_score", ascending=False)
        for key in t["key"].head(4 if label != "Container" else 2):
            for lang in ("zh", "en"):
                ex = explain_entity(store, label, key, lang)
                assert ex["text"] == ex[f"text_{lang}"] and ex["reasons"]
                assert ex["risk_level"] in ("高", "中", "低")
            for r in ex["reasons"]:
                kinds.add(r["kind"])
                for p in r["paths"]:
                    _check_path_exists(store, p)
                    n_paths += 1
    assert n_paths >= 10
    assert {"legal_rep", "own"} <= kinds
    with pytest.raises(Exception, match="not in the graph"):
        explain_entity(store, "Person", "H:nobody")


def test_a_persons_score_crossing_raises_a_warning(served, tmp_path):
    from graph.base import RelRecord
    from risk.entity.scoring import batch_score_entities
    from risk.warnings import WarningService, WarningsSettings

    store, d, _ = served
    svc = WarningService(settings=WarningsSettings(data_dir=tmp_path / "var"))
    try:
        batch_score_entities(store=store, data_dir=d, on_scored=svc.on_scored)  # baseline
        per = _nodes(store, "Person").set_index("key")
        ent = _nodes(store, "Enterprise")
        lr = store.export(labels=["Person", "Enterprise"],
                          rel_types=["LEGAL_REP_OF"]).relationships["LEGAL_REP_OF"]
        low = per[(per["risk_level"] == "低") & per.index.str.startswith("H:")].index
        person = sorted(set(lr["start_key"]) & set(low))[0]
        # the registry now names this low-risk legal representative as the legal
        # representative of the three riskiest registered enterprises (the shell pattern)
        top = ent[~ent["key"].str.contains(":")].nlargest(3, "risk_score")["key"].tolist()
        store.upsert_relationships([RelRecord("LEGAL_REP_OF", "Person", person, "Enterprise", e,
                                              {"since": "2024-12-01"}, source="test",
                                              seen_at="2024-12-01T00:00:00Z") for e in top])
        out = batch_score_entities(store=store, data_dir=d, on_scored=svc.on_scored)
        now = store.get("Person", person).props
        assert now["risk_level"] in ("中", "高"), (now["risk_score"], now["risk_level"])
        assert out["warnings"]["rises"] >= 1 and out["warnings"]["raised"] >= 1
        mine = svc.lifecycle.list(rule="score_crossing", subject_key=person, limit=10)
        assert mine and mine[0]["subject"] == {"label": "Person", "key": person}
        assert mine[0]["level"] in ("红", "橙", "黄") and "低" in mine[0]["message_zh"]
        # the explanation names the new links, and they exist
        ex = __import__("risk.explain", fromlist=["x"]).explain_entity(store, "Person", person)
        rep = [r for r in ex["reasons"] if r["kind"] == "legal_rep"]
        assert rep and rep[0]["count"] >= 3 and "法定代表人" in rep[0]["text_zh"]
        for p in rep[0]["paths"]:
            _check_path_exists(store, p)
    finally:
        svc.close()


def test_targeting_ranks_vehicles_and_containers(served):
    from risk.targeting import targeting_list

    store, d, _ = served
    for kind, label in (("vehicle", "Vehicle"), ("container", "Container")):
        out = targeting_list(store=store, kind=kind, budget=5, exploration_share=0)
        assert out["selected"] == 5 and out["candidates"] >= 5
        sc = [i["risk_score"] for i in out["items"]]
        assert sc == sorted(sc, reverse=True)
        top = _nodes(store, label)["risk_score"].nlargest(5).tolist()
        assert [round(x, 4) for x in top] == sc  # the highest entity scores of the graph
        assert all(i["reasons"]["zh"] and i["declarations"] >= 1 for i in out["items"])
    with pytest.raises(Exception, match="kind"):
        targeting_list(store=store, kind="vessel")


def test_crossing_evidence_of_vehicles_and_drivers_exists_in_the_graph(served):
    """Road manifests link each crossing to its declaration and driver: a vehicle's
    explanation names the drivers of its crossings who had seizures on crossings they drove,
    and such a driver's own explanation counts those crossings; every cited hop exists."""
    from risk.explain import explain_entity

    store, d, _ = served
    t = _nodes(store, "Vehicle").sort_values("risk_score", ascending=False)
    found = []
    for key in t["key"]:
        ex = explain_entity(store, "Vehicle", key, "en")
        r = [x for x in ex["reasons"] if x["kind"] == "crossing_drivers"]
        assert len(r) <= 1
        if r and r[0]["with_seizures"]:
            found.append(r[0])
        if len(found) >= 2:
            break
    assert found, "no vehicle with a crossing driver who had seizures"
    for r in found:
        assert 1 <= r["with_seizures"] <= r["count"] and r["paths"]
        assert "road manifests" in r["text_en"]
        for p in r["paths"]:
            _check_path_exists(store, p)
            types = [x["type"] for x in p["relationships"]]
            assert types[:2] == ["CARRIED_BY", "DRIVER_OF"] and "ON_MANIFEST" in types
            assert p["nodes"][-1][0] in ("Declaration", "Inspection")
    driver = next(n for n in found[0]["paths"][0]["nodes"][2:] if n[0] == "Person")
    ex = explain_entity(store, "Person", driver[1], "zh")
    r = [x for x in ex["reasons"] if x["kind"] == "crossings"]
    assert r and 1 <= r[0]["with_seizures"] <= r[0]["count"]
    assert "道路舱单" in r[0]["text_zh"]
    for p in r[0]["paths"]:
        _check_path_exists(store, p)
