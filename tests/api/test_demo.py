"""The demo stops at the first step that fails, naming it, and the command exits 1; the
demo data travel with the repository."""

from __future__ import annotations

import pytest

from api import cli, demo
from api.config import get_settings
from graph.exceptions import GraphUnavailable

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("exc", [ImportError("no module named x"), AttributeError("no f"),
                                 RuntimeError("boom")])
def test_a_failing_step_stops_the_demo(exc):
    def fn():
        raise exc

    with pytest.raises(demo.DemoStepFailed, match="'training' failed: " + type(exc).__name__):
        demo.step("training", fn)


def test_a_step_returns_its_result():
    assert demo.step("adding", lambda a, b: a + b, 2, b=3) == 5


def test_a_step_beside_runs_while_the_next_one_does_and_its_failure_stops_the_demo():
    import threading

    gate = threading.Event()
    beside = demo.Beside("waiting", lambda: gate.wait(10) and "built")
    assert demo.step("meanwhile", gate.set) is None  # ran while the other step waited
    assert beside.result() == "built"
    failing = demo.Beside("indexing", lambda: 1 / 0)
    failing._thread.join(10)
    with pytest.raises(demo.DemoStepFailed, match="'indexing' failed: ZeroDivisionError"):
        failing.check()
    with pytest.raises(demo.DemoStepFailed, match="'indexing' failed"):
        failing.result()


def test_the_demo_data_travel_with_the_repository(tmp_path, capsys):
    data = demo.DemoData.locate()
    assert sorted(p.name for p in data.kcs_dir.glob("*.csv"))
    assert data.corpus_dir.is_dir() and all(f.is_file() for f in data.extra_files)
    assert data.kcs_dir.parent == data.corpus_dir.parents[1]  # all under the repo's data/
    assert demo.DemoData.locate(tmp_path / "missing") == data
    assert "using the repository's data/" in capsys.readouterr().err
    shared = demo.DemoData.locate(tmp_path)
    assert shared.kcs_dir == tmp_path / "data" / "customs-kcs"
    assert shared.corpus_dir == tmp_path / "corpus" / "laws-cn"


class EmptyStore:
    def counts(self):
        return {"nodes": {}, "relationships": {}}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def test_the_command_exits_1_when_the_graph_engine_is_missing(data_dir, monkeypatch, capsys):
    def no_engine():
        raise GraphUnavailable("no engine here")

    monkeypatch.setattr(demo, "open_graph", no_engine)
    assert cli.main(["demo", "--no-serve"]) == 1
    err = capsys.readouterr().err
    assert "FAILED: opening the graph engine — GraphUnavailable: no engine here" in err
    assert "error: DemoStepFailed" in err


def test_the_command_exits_1_when_there_is_nothing_to_load(data_dir, monkeypatch, capsys):
    trained = []
    monkeypatch.setattr(demo, "open_graph", EmptyStore)
    monkeypatch.setattr(demo, "train_from_store", lambda **kw: trained.append(kw))
    empty = data_dir / "shared"
    (empty / "data" / "customs-kcs").mkdir(parents=True)
    assert cli.main(["demo", "--no-serve", "--shared", str(empty)]) == 1
    err = capsys.readouterr().err
    assert "FAILED: loading the KCS declarations — FileNotFoundError: no KCS declaration" in err
    assert trained == [] and "training" not in err
