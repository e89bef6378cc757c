"""knowledge: regulation corpus parsing, cross-references, concepts, BM25 + dense indexes.

Public entry points (heavy libraries load lazily inside them)::

    from knowledge import build_kb, KnowledgeBase, load_corpus
    kb, report = build_kb(corpus_dir=..., extra_files=[guide])
    kb = KnowledgeBase.load()              # opens <PS_DATA_DIR>/knowledge
    kb.article(article_id), kb.match_laws("海关法第八十六条")

Retrieval over these indexes (BM25, dense, fused, reranked) lives in ``qa.retrievers``.
"""

from knowledge.base import Embedder, Index
from knowledge.build import add_files, build_kb
from knowledge.config import KnowledgeSettings, settings
from knowledge.corpus import load_corpus, load_file
from knowledge.exceptions import (ArticleNotFoundError, CorpusError, IndexNotBuiltError,
                                  KnowledgeError, ModelLoadError)
from knowledge.guide import parse_guide
from knowledge.kb import KnowledgeBase
from knowledge.models import Article, Document, Paragraph
from knowledge.parse import parse_text

__all__ = [
    "KnowledgeSettings", "settings", "load_corpus", "load_file", "parse_text", "parse_guide",
    "KnowledgeError", "CorpusError", "IndexNotBuiltError", "ModelLoadError",
    "ArticleNotFoundError", "KnowledgeBase", "build_kb", "add_files", "Article", "Document",
    "Paragraph", "Embedder", "Index",
]
