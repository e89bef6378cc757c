"""Errors raised by the qa package (one root, specific subclasses)."""


class QAError(Exception):
    """Root of every error the qa package raises."""


class GeneratorError(QAError):
    """The optional LLM generator failed (endpoint unreachable, bad reply)."""


class CitationError(GeneratorError):
    """A generated answer cited a passage that was not retrieved."""


class EvaluationError(QAError):
    """A questions file is malformed (message names the line and field)."""
