"""Retrievers over a knowledge base, one per file, all implementing ``qa.base.Retriever``."""

from qa.retrievers.bm25 import BM25Retriever
from qa.retrievers.dense import FaissEmbeddingRetriever
from qa.retrievers.hybrid import HybridRetriever

__all__ = ["BM25Retriever", "FaissEmbeddingRetriever", "HybridRetriever"]
