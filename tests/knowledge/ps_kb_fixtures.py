"""Fixtures for the knowledge and qa tests: the real shared corpus, a small real sub-corpus
and a knowledge base built over it (BM25 + FAISS with the real bge-small-zh ONNX model from
PS_ZH_MODEL_DIR, ``make zh-model``: for integration tests), and ``tiny_kb``: three short texts written here, BM25 only, built in a
tmp folder (no model: for unit tests).

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
    return Path(env) if env else REPO / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The folder holding ``corpus/laws-cn`` and ``docs/`` (the repository's ``data/``, or
    PS_SHARED_DIR); the corpus travels with the repository, so its absence is a failure."""
    d = _shared()
    assert (d / "corpus" / "laws-cn").is_dir(), f"regulation corpus not found at {d}"
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
    """A real knowledge base (BM25 + FAISS + bge-small-zh ONNX) over the small sub-corpus
    and the guide."""
    if "kb" in _CACHE:
        return _CACHE["kb"]
    from knowledge.build import build_kb
    from knowledge.config import KnowledgeSettings

    data = tmp_path_factory.mktemp("kbdata")
    # the shipped embedding settings (128 tokens, batch 8): the fusion in qa/data/fusion.json
    # was chosen over vectors made this way
    s = KnowledgeSettings(data_dir=data, corpus_dir=small_corpus, extra_files=[guide_file])
    assert (Path(s.zh_model_dir) / "bge-small-zh-v1.5-q.onnx").is_file(), \
        f"the Chinese embedding model is not at {s.zh_model_dir}: run `make zh-model`"
    kb, report = build_kb(corpus_dir=small_corpus, extra_files=[guide_file], settings=s)
    _CACHE["kb"] = kb
    return kb


TINY = {
    "行政法/甲法.md": """# 中华人民共和国甲法

2000年1月1日 第九届全国人民代表大会常务委员会第十次会议通过

<!-- INFO END -->

## 第一章 总则

第一条 进口货物的收货人应当向海关如实申报，提交报关单。

第二条 违反本法第一条规定，申报不实的，由海关处以罚款。

## 第二章 检疫

第三条 进口动物产品，应当办理检疫审批，取得检疫许可证。

第四条 本法自2001年1月1日起施行。
""",
    "行政法规/乙条例.md": """# 中华人民共和国乙条例

<!-- INFO END -->

第一条 船舶进出港口，应当向海事管理机构报告。

第二条 集装箱货物的提单应当载明货物的名称。

第三条 依照《中华人民共和国甲法》第二条处罚的，罚款数额为货物价值的百分之十。
""",
    "其他/丙办法.md": """# 丙办法

<!-- INFO END -->

第一条 本办法所称样品，是指没有商业价值的货样。

第二条 出口两用物项，应当取得两用物项出口许可证。
""",
}


def write_tiny_corpus(root: Path) -> Path:
    for rel, text in TINY.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def tiny_kb(tmp_path_factory):
    """A real BM25-only knowledge base over ``TINY`` (built once per session, no model)."""
    from knowledge.build import build_kb
    from knowledge.config import KnowledgeSettings

    base = tmp_path_factory.mktemp("tiny")
    corpus = write_tiny_corpus(base / "corpus")
    s = KnowledgeSettings(data_dir=base / "var", corpus_dir=corpus, extra_files=[],
                          model_path="none", dense=False)
    kb, _ = build_kb(corpus_dir=corpus, extra_files=[], settings=s, dense=False)
    return kb
