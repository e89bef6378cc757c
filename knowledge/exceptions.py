"""Errors raised by the knowledge package (one root, specific subclasses)."""


class KnowledgeError(Exception):
    """Root of every error the knowledge package raises."""


class CorpusError(KnowledgeError):
    """A corpus folder or file cannot be read or parsed (message names the file and reason)."""


class IndexNotBuiltError(KnowledgeError):
    """The index was asked to search before ``knowledge build`` produced it."""


class ModelLoadError(KnowledgeError):
    """The embedding model could not be loaded from its local path."""


class ArticleNotFoundError(KnowledgeError):
    """No article or document with that id."""
