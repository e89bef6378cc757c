"""The demo's regulation index is built by a real child process (``api.demo_index``) beside the
graph steps; the demo's index step serves what the child built, and a failed or impossible
build fails that step."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from api import demo_index

pytestmark = pytest.mark.integration
CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus" / "laws-cn"
TEXTS = ["行政法/海关法(2021-04-29).md", "行政法规/进出口关税条例(2017-03-01).md"]


def test_the_child_builds_an_index_the_demo_then_loads(tmp_path, monkeypatch):
    from knowledge import KnowledgeSettings
    from knowledge.kb import KnowledgeBase

    monkeypatch.setenv("PS_KNOWLEDGE_DENSE", "false")  # the child inherits the settings
    corpus = tmp_path / "corpus"
    for rel in TEXTS:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CORPUS / rel, corpus / rel)
    build = demo_index.start(tmp_path / "var", corpus, (tmp_path / "no-guide.txt",))
    assert build.proc is not None and build.proc.pid > 0
    rep = demo_index.wait(build)
    assert rep["documents"] == 2 and rep["articles"] > 100 and rep["dense"] is False
    kb = KnowledgeBase.load(KnowledgeSettings(data_dir=tmp_path / "var"))
    assert len(kb.articles) == rep["articles"]
    assert any("海关" in a.text for a in kb.articles[:50])


def test_a_failed_or_impossible_build_is_an_error_of_the_index_step(tmp_path, monkeypatch):
    monkeypatch.setenv("PS_KNOWLEDGE_DENSE", "false")
    (tmp_path / "empty").mkdir()
    failed = demo_index.start(tmp_path / "var", tmp_path / "empty", ())
    with pytest.raises(RuntimeError, match="the index build exited with [1-9]"):
        demo_index.wait(failed)
    missing = demo_index.start(tmp_path / "var", tmp_path / "nowhere", ())
    assert missing.proc is None
    missing.stop()  # nothing to stop
    with pytest.raises(FileNotFoundError, match="no regulation corpus at"):
        demo_index.wait(missing)
