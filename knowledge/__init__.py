"""knowledge: regulation corpus parsing, cross-references, concepts, BM25 + dense indexes.

Public entry points (heavy libraries load lazily inside them)::

    from knowledge import build_kb, KnowledgeBase, load_corpus
    kb, report = build_kb(corpus_dir=..., extra_files=[guide])
    kb = KnowledgeBase.load()              # opens <PS_DATA_DIR>/knowledge
    kb.search("进口冻肉要什么手续", k=10)   # reranked hybrid retrieval
"""

from knowledge.config import KnowledgeSettings, settings
from knowledge.corpus import load_corpus, load_file, parse_guide, parse_text
from knowledge.exceptions import (ArticleNotFoundError, CorpusError, IndexNotBuiltError,
                                  KnowledgeError, ModelLoadError)
from knowledge.kb import KnowledgeBase, add_files, build_kb
from knowledge.models import Article, Document, Hit, Paragraph

__all__ = [
    "KnowledgeSettings", "settings", "load_corpus", "load_file", "parse_text", "parse_guide",
    "KnowledgeError", "CorpusError", "IndexNotBuiltError", "ModelLoadError",
    "ArticleNotFoundError", "KnowledgeBase", "build_kb", "add_files", "Article", "Document",
    "Hit", "Paragraph",
]
