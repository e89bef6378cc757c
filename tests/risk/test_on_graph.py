"""Risk on a real graph: ingest KCS-format rows, record an inspection, train from the graph,
batch-score with write-back, explain with evidence paths that exist, targeting lists."""

from __future__ import annotations

import pytest

from training.simulate import simulate_kcs

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def loaded(embedded_store, tmp_path_factory):
    from ingest.config import IngestSettings
    from ingest.readers.kcs import load_kcs

    embedded_store.clear()
    d = tmp_path_factory.mktemp("risk")
    csv = d / "kcs.csv"
    simulate_kcs(400, seed=11, days=60).to_csv(csv, index=False)
    load_kcs(csv, embedded_store, settings=IngestSettings(data_dir=d))
    return embedded_store, d


def test_recorded_inspection_becomes_a_label_for_the_next_training(loaded):
    from risk.frame import export_frame
    from risk.targeting import record_inspection

    store, _ = loaded
    frame = export_frame(store=store)
    clean = frame[frame["label"] == 0]["key"].iloc[0]
    out = record_inspection(store, clean, "hit", "undervalued by 40%", "INSP001",
                            at="2020-03-01T10:00:00+00:00")
    assert out["result"] == "hit"
    again = export_frame(store=store).set_index("key")
    assert again.loc[clean, "label"] == 1.0
    with pytest.raises(Exception, match="hit"):
        record_inspection(store, clean, "maybe", "", "INSP001")


@pytest.fixture
def warning_service(tmp_path):
    from risk.warnings import WarningService, WarningsSettings

    svc = WarningService(settings=WarningsSettings(data_dir=tmp_path / "var"))
    yield svc
    svc.close()


def test_train_score_explain_and_target_on_the_graph(loaded, warning_service):
    from risk import registry
    from risk.explain import explain_declaration
    from risk.frame import declaration_row, export_frame
    from risk.scoring import batch_score, declaration_record, score_declaration
    from risk.targeting import targeting_list
    from training.train import train_from_store

    store, d = loaded
    res = train_from_store(store=store, model="tabular", promote=True, data_dir=d)
    assert res["version"] == "v001" and res["metrics"]
    model, info = registry.load_promoted(data_dir=d)
    out = batch_score(store=store, model=model, model_version=info["serving"],
                      on_scored=warning_service.on_scored)
    assert out["written"]["Declaration"] == out["declarations"] > 300  # some rows quarantined
    assert out["written"]["Enterprise"] > 0
    # entity scores went to the warning rules; on this first run only red-level scores
    # (>= 0.9) of entities seen for the first time raise a warning, the rest is baseline
    assert out["warnings"]["evaluated"] >= out["written"]["Enterprise"]
    red = [e for e in store.search("", labels=["Enterprise"], limit=10_000)
           if e.props.get("risk_level") in ("高", "中") and e.props["risk_score"] >= 0.9]
    raised = warning_service.lifecycle.list(rule="score_crossing", limit=10_000)
    assert out["warnings"]["raised"] == len(raised) >= len(red)
    assert all(w["level"] == "红" for w in raised)
    # the callback gets the written entity scores once; without one, no warnings run
    calls = []

    def record(st, changes):
        calls.append((st, changes))
        return warning_service.on_scored(st, changes)

    again = batch_score(store=store, model=model, model_version=info["serving"], on_scored=record)
    assert len(calls) == 1 and calls[0][0] is store
    assert {lab: len(kv) for lab, kv in calls[0][1].items()} == {
        lab: n for lab, n in again["written"].items() if lab != "Declaration"}
    assert again["warnings"]["raised"] == 0  # the same levels again: nothing crossed
    assert batch_score(store=store, model=model, model_version="v001")["warnings"] == {}
    keys = export_frame(store=store)["key"].tolist()
    node = store.get("Declaration", keys[0])
    assert node.props["risk_level"] in ("高", "中", "低")
    assert node.props["model_version"] == "v001"

    one = score_declaration(model=model, store=store, key=keys[0])
    assert 0.0 <= one["risk_score"] <= 1.0

    found_path = False
    for i, key in enumerate(keys[:40]):
        if found_path and i >= 5:
            break
        row = declaration_row(declaration_record(store=store, key=key))
        ex = explain_declaration(model=model, row=row, store=store, key=key)
        assert ex["evidence"], f"no evidence for {key}"
        assert ex["text_zh"] and ex["text_en"]
        for e in ex["evidence"]:
            if e["kind"] != "path":
                continue
            found_path = True
            nodes = e["path"]["nodes"]
            assert nodes[0]["key"] == key
            for n in nodes:  # every node of the evidence path exists in the graph
                assert store.get(n["label"], n["key"]) is not None
            for r in e["path"]["relationships"]:
                a = store.neighbourhood(r["start"][0], r["start"][1], hops=1, rel_types=[r["type"]])
                assert any(n.key == r["end"][1] for n in a.nodes)
    assert found_path

    lst = targeting_list(model=model, store=store, budget=20, exploration_share=0.2)
    decls = [i["declaration"] for i in lst["items"]]
    assert len(decls) == 20 == len(set(decls))
    assert lst["exploration_picks"] == 4
    assert all(i["reasons"]["zh"] for i in lst["items"])
