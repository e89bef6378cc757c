"""The knowledge base on disk: one folder (``<PS_DATA_DIR>/knowledge`` by default) holding

``docs.jsonl`` and ``articles.jsonl`` (the parsed corpus), ``bm25_words/`` and
``bm25_bigrams/`` (bm25s indexes), ``dense/`` (faiss index + ids, when built) and
``meta.json`` (format, corpus, counts, model path, tombstoned article ids, build times).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from knowledge.bm25_index import BM25Index
from knowledge.config import KnowledgeSettings
from knowledge.exceptions import IndexNotBuiltError
from knowledge.models import Article, Document

FORMAT = 1


def write(folder: Path, *, docs: dict[str, Document], articles: list[Article],
          bm25_words: BM25Index, bm25_bigrams: BM25Index, dense: Any, meta: dict) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "docs.jsonl", "w", encoding="utf-8") as f:
        for d in docs.values():
            f.write(json.dumps(d.to_json(full=True), ensure_ascii=False) + "\n")
    with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
    bm25_words.save(folder / "bm25_words")
    bm25_bigrams.save(folder / "bm25_bigrams")
    if dense is not None:
        dense.save(folder / "dense")
    write_meta(folder, meta)


def write_meta(folder: Path, meta: dict) -> None:
    (Path(folder) / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1))


def read(folder: Path) -> tuple[dict, dict[str, Document], list[Article]]:
    """(meta, documents by id, articles) of a built folder; IndexNotBuiltError if none."""
    folder = Path(folder)
    if not (folder / "meta.json").exists():
        raise IndexNotBuiltError(f"no knowledge index at {folder}: run "
                                 "`portsentinel knowledge build`")
    meta = json.loads((folder / "meta.json").read_text())
    if meta.get("format") != FORMAT:
        raise IndexNotBuiltError(f"index at {folder} has an old format: rebuild it")
    docs: dict[str, Document] = {}
    with open(folder / "docs.jsonl", encoding="utf-8") as f:
        for line in f:
            d = Document.from_json(json.loads(line))
            docs[d.id] = d
    with open(folder / "articles.jsonl", encoding="utf-8") as f:
        articles = [Article.from_json(json.loads(line)) for line in f]
    return meta, docs, articles


def read_indexes(folder: Path, meta: dict, settings: KnowledgeSettings
                 ) -> tuple[BM25Index, BM25Index, Any, Any]:
    """(bm25_words, bm25_bigrams, dense index or None, its embedder or None)."""
    folder = Path(folder)
    words = BM25Index.load(folder / "bm25_words")
    bigrams = BM25Index.load(folder / "bm25_bigrams")
    dense = embedder = None
    if (folder / "dense" / "ids.json").exists() and meta.get("model_path"):
        from knowledge.dense_build import make_embedder
        from knowledge.faiss_index import FaissIndex

        dense = FaissIndex.load(folder / "dense")
        # the embedder the index was built with (meta "embedder"); older bases name a
        # sentence-transformers folder only
        spec = meta.get("embedder") or {"kind": "st", "path": meta["model_path"],
                                        "max_length": settings.max_seq_length}
        embedder = make_embedder(settings, {"embedder": spec})
    return words, bigrams, dense, embedder
