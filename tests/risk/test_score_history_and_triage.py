"""Score history, drift against the training distribution, and the first-run triage, on a real
graph: a small simulated world loaded and resolved, both models trained and promoted, then
``score_all`` run as ``portsentinel score`` runs it (with a warning service)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CFG = {"epochs": 20, "seeds": (0,)}
MAX_CASES = 4


@pytest.fixture(scope="module")
def world(embedded_store, tmp_path_factory):
    from ingest.config import IngestSettings
    from ingest.resolve import resolve_store
    from ingest.synthetic.load import generate_and_load
    from risk.entity.scoring import score_all
    from risk.warnings import WarningService, WarningsSettings
    from training.entity import train_entities_from_store
    from training.train import train_from_store

    store = embedded_store
    store.clear()
    d = tmp_path_factory.mktemp("hist")
    generate_and_load(declarations=2500, seed=5, out=d / "world", store=store,
                      settings=IngestSettings(data_dir=d))
    resolve_store(store)
    train_from_store(store=store, model="tabular", promote=True, data_dir=d)
    train_entities_from_store(store=store, promote=True, data_dir=d, config=CFG)
    ws = WarningService(settings=WarningsSettings(data_dir=d, triage_max_cases=MAX_CASES))
    first = score_all(store=store, on_scored=ws.on_scored, on_baseline=ws.on_baseline,
                      data_dir=d)
    yield {"store": store, "d": d, "ws": ws, "first": first}
    ws.close()


def test_first_run_opens_a_bounded_number_of_cases_whose_evidence_is_in_the_graph(world):
    from risk.warnings.cases import get_case, list_cases

    store, ws, first = world["store"], world["ws"], world["first"]
    fr = first["entities"]["warnings"]["first_run"]
    assert fr["high_without_baseline"] > MAX_CASES  # the flood the baseline rule holds back
    assert first["entities"]["warnings"]["rises"] == 0
    cases = list_cases(ws.lifecycle, status="open")
    triaged = [c for c in cases if "first_run_triage" in c["rules"]]
    assert 1 <= len(triaged) <= MAX_CASES and fr["raised"] == len(triaged)
    for c in triaged:
        full = get_case(ws.lifecycle, c["id"])
        ev = full["evidence"]
        assert ev["nodes"] and ev["relationships"], c["id"]
        for n in ev["nodes"]:
            assert store.get(n["label"], n["key"]) is not None, (c["id"], n)
        for r in ev["relationships"]:
            s, e = tuple(r["start"]), tuple(r["end"])
            sub = store.neighbourhood(s[0], s[1], hops=1, rel_types=[r["type"]], limit=5000)
            assert any({tuple(x.start), tuple(x.end)} == {s, e} for x in sub.relationships), r
        subj = full["warnings"][0]["subject"]
        node = store.get(subj["label"], subj["key"])
        assert node.props["risk_level"] == "高"
        assert full["warnings"][0]["context"]["members"][0]["key"] == subj["key"]


def _ports_from_export(store) -> tuple[dict, dict]:
    """(document -> its AT_PORT ports, party -> its documents), read from the graph's export
    (not the neighbourhood reads ``case_port`` uses)."""
    from collections import defaultdict

    from risk.warnings.triage import PARTY_DOC

    t = store.export(rel_types=["AT_PORT", *PARTY_DOC])
    at, docs = defaultdict(list), defaultdict(set)
    for typ, df in t.relationships.items():
        for r in df[["start_label", "start_key", "end_label", "end_key"]].itertuples(index=False):
            s, e = (str(r[0]), str(r[1])), (str(r[2]), str(r[3]))
            if typ == "AT_PORT" and e[0] == "Port" and s[0] != "Inspection":
                at[s].append(e[1])
            elif typ != "AT_PORT":
                docs[s].add(e)
    return at, docs


def test_each_first_run_case_carries_the_port_its_evidence_supports(world):
    from collections import Counter

    from risk.warnings.cases import get_case, list_cases

    store, ws = world["store"], world["ws"]
    at, docs = _ports_from_export(store)
    triaged = [c for c in list_cases(ws.lifecycle, status="open")
               if "first_run_triage" in c["rules"]]
    assert triaged
    with_port = 0
    for c in triaged:
        full = get_case(ws.lifecycle, c["id"])
        w = next(x for x in full["warnings"] if x["rule"] == "first_run_triage")
        subj = (w["subject"]["label"], w["subject"]["key"])
        ev = {(n["label"], n["key"]) for n in full["evidence"]["nodes"]}
        counts = Counter(p for d in ev for p in at.get(d, []))
        if not counts:  # the evidence names no document at a port: the subject's own
            counts = Counter(p for d in docs.get(subj, set()) | {subj} for p in at.get(d, []))
        want = min(counts, key=lambda p: (-counts[p], p)) if counts else None
        if want is None:  # e.g. a shell: neither its evidence nor its own links name a port
            assert w["port"] is None and c["ports"] == [], (c["id"], subj, w["port"])
            continue
        with_port += 1
        assert w["port"] == want and want in c["ports"], (c["id"], w["port"], want)
        assert store.get("Port", want) is not None
        by_port = list_cases(ws.lifecycle, status="open", port=want)
        assert c["id"] in [x["id"] for x in by_port]
        assert all(want in x["ports"] for x in by_port)
        assert c["id"] not in [x["id"] for x in list_cases(ws.lifecycle, port="KCS:NO-PORT")]
    assert with_port >= 1  # the small world's leads mostly declare somewhere


def test_each_run_is_recorded_per_entity_bounded_and_idempotent(world):
    from risk.entity.scoring import score_all
    from risk.history import ScoreHistory

    store, d, ws, first = world["store"], world["d"], world["ws"], world["first"]
    h = ScoreHistory.for_data_dir(d)
    ent = next(n for n in store.search("", labels=["Enterprise"], limit=50)
               if n.props.get("model_version", "").startswith("entity:"))
    t1 = h.trend("Enterprise", ent.key)
    assert [p["model_version"] for p in t1] == ["entity:v001"]
    assert t1[0]["score"] == pytest.approx(ent.props["risk_score"])
    assert t1[0]["level"] == ent.props["risk_level"]
    assert t1[0]["scored_at"] == ent.props["scored_at"]
    kinds = {r["kind"] for r in first["history"]}
    assert kinds == {"declaration", "entity"}
    size1 = h.size()
    # a second run: one more point per entity, no new triage case (baselines exist now)
    n_open = ws.lifecycle.count(status="open")
    again = score_all(store=store, on_scored=ws.on_scored, on_baseline=ws.on_baseline,
                      data_dir=d)
    assert "first_run" not in again["entities"]["warnings"]
    assert ws.lifecycle.count(status="open") == n_open
    t2 = h.trend("Enterprise", ent.key)
    assert len(t2) == 2 and t2[0]["run_id"] != t2[1]["run_id"]
    size2 = h.size()
    assert size2["runs"] == size1["runs"] + 2
    # the same run recorded again replaces its rows
    run = h.runs(kind="entity", limit=1)[0]
    rec = h.begin(kind="entity", model_version=run["model_version"], scored_at=run["scored_at"])
    rec.add("Enterprise", {ent.key: {"risk_score": 0.5, "risk_level": "中"}})
    rec.finish()
    assert h.size()["runs"] == size2["runs"]
    assert h.trend("Enterprise", ent.key)[-1]["score"] == 0.5
    # bounded: a store keeping 2 runs per kind drops the oldest with its rows
    small = ScoreHistory(h.path, keep_runs=2)
    for i in range(3):
        r = small.begin(kind="entity", model_version="entity:v001",
                        scored_at=f"2099-01-0{i + 1}T00:00:00+00:00")
        r.add("Enterprise", {ent.key: {"risk_score": 0.1 * i, "risk_level": "低"}})
        r.finish()
    assert [p["scored_at"][:10] for p in small.trend("Enterprise", ent.key)] == [
        "2099-01-02", "2099-01-03"]
    assert len(small.runs(kind="entity")) == 2
    small.close()
    h.close()


def test_drift_is_flagged_for_a_shifted_run_and_not_for_the_unshifted_one(world):
    from risk import registry
    from risk.drift import model_drift
    from risk.frame import export_frame
    from risk.history import ScoreHistory

    store, d = world["store"], world["d"]
    h = ScoreHistory.for_data_dir(d)
    info = registry.version_info(version="v001", data_dir=d)
    assert info["score_reference"]["n"] > 1500 and len(info["score_reference"]["q"]) == 201
    same = model_drift(data_dir=d)  # the latest real run, over the graph the model came from
    assert same["level"] == "stable" and same["psi"] < 0.1, same
    # a deliberately shifted run: the port now sees mostly the traffic that was fraudulent
    model, _ = registry.load_promoted(data_dir=d)
    frame = export_frame(store=store)
    bad = frame[frame["label"] == 1]
    shifted = bad.sample(n=len(frame) // 2, replace=True, random_state=0)
    scores = model.score(shifted.reset_index(drop=True))
    rec = h.begin(kind="declaration", model_version="v001",
                  scored_at="2099-12-31T00:00:00+00:00")
    rec.add("Declaration", {f"S{i}": {"risk_score": float(s)} for i, s in enumerate(scores)})
    rec.finish()
    moved = model_drift(data_dir=d)
    assert moved["run_id"] == "v001@2099-12-31T00:00:00+00:00"
    assert moved["level"] == "significant" and moved["psi"] >= 0.25, moved
    assert moved["ks"] > same["ks"] and "显著漂移" in moved["text_zh"]
    assert "higher" in moved["text_en"]
    h.close()
