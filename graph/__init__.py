"""graph: the ontology, the GraphStore interface, its Bolt implementation and the engines.

``open_store()`` is the one way in: PS_GRAPH_URI's server (Neo4j), else the embedded
ArcadeDB of PS_DATA_DIR (shared with other processes over Bolt).
"""

from graph.base import GraphStore
from graph.records import (Node, NodeRecord, Path, Rel, RelRecord, SharedLink,
                        Subgraph, Tables, UpsertResult)
from graph.config import GraphSettings
from graph.embedded import open_store
from graph.exceptions import (GraphError, GraphUnavailable, NotFound, OntologyError,
                              QueryError, QueryTimeout, RecordError)

__all__ = [
    "GraphError", "GraphSettings", "GraphStore", "GraphUnavailable", "Node", "NodeRecord",
    "NotFound", "OntologyError", "Path", "QueryError", "QueryTimeout", "RecordError", "Rel", "RelRecord",
    "SharedLink", "Subgraph", "Tables", "UpsertResult", "open_store",
]
