"""Errors raised by the graph package. Driver errors are wrapped, never leaked."""


class GraphError(Exception):
    """Root of every graph-package error."""


class OntologyError(GraphError, ValueError):
    """A label, relationship type or property outside the ontology, or a wrong-typed value."""


class RecordError(GraphError, ValueError):
    """A node or relationship record is malformed; the message names the record and field."""

    def __init__(self, message: str, *, index: int | None = None, field: str | None = None):
        super().__init__(message)
        self.index = index
        self.field = field


class NotFound(GraphError, LookupError):
    """No node with that label and key."""


class GraphUnavailable(GraphError, ConnectionError):
    """The graph engine cannot be reached or did not start."""


class QueryError(GraphError):
    """The engine refused or failed a statement (constraint, type, syntax); nothing was kept."""


class QueryTimeout(QueryError, TimeoutError):
    """A read ran past its time budget (``PS_GRAPH_QUERY_TIMEOUT_S``) and was stopped."""
