"""Every Cypher statement of the graph package, as constants and builders.

Builders take labels, relationship types and property names only after checking them
against the ontology whitelist (``graph.ontology.check_*``); f-strings build structure only.
Every value (keys, properties, sources, dates, limits) travels as a ``$parameter``.

The merge rule of ``graph/ontology.py`` is implemented by ``merge_nodes`` / ``merge_rels``:
records of one call are first merged per key in Python by the same rule (``graph/neo4j.py``),
``row.props`` arrives with nulls already dropped (so a null never erases), ``SET x += props``
overwrites with the non-null values, ``first_seen``/``last_seen`` keep min/max and
``sources`` gains the row's sources that are absent.
"""

from __future__ import annotations

from graph import ontology


def _labels(label: str) -> str:
    """``:Label`` plus its extra labels (``:Declaration:Document``), whitelisted."""
    nt = ontology.check_label(label)
    return "".join(f":{l}" for l in (nt.label, *nt.extra_labels))


def _label(label: str) -> str:
    return ontology.check_label(label).label


def _rel_type(rel_type: str) -> str:
    return ontology.check_rel_type(rel_type).type


# SET clauses of the merge rule for a variable `x`; rows arrive pre-merged (one per key):
# row.sources (list), row.first / row.last (min / max seen of that call), row.props.
def _stamp(x: str) -> str:
    return (f"{x}.first_seen = CASE WHEN {x}.first_seen IS NULL OR row.first < {x}.first_seen "
            f"THEN row.first ELSE {x}.first_seen END, "
            f"{x}.last_seen = CASE WHEN {x}.last_seen IS NULL OR row.last > {x}.last_seen "
            f"THEN row.last ELSE {x}.last_seen END, "
            f"{x}.sources = coalesce({x}.sources, []) + "
            f"[s IN row.sources WHERE NOT s IN coalesce({x}.sources, [])]")


def _bare(x: str) -> str:
    """Stamps of a node that a relationship record brings into being."""
    return f"{x}.sources = row.sources, {x}.first_seen = row.first, {x}.last_seen = row.last"


# -- writes -----------------------------------------------------------------------------

def merge_nodes(label: str, *, all_labels: bool = True) -> str:
    """rows: [{key, props, sources, first, last}], unique keys, all of ``label``.

    ``all_labels=False`` MERGEs on the primary label only (ArcadeDB: see
    ``create_missing_nodes``, which must run first in the same transaction)."""
    pattern = _labels(label) if all_labels else f":{_label(label)}"
    return (f"UNWIND $rows AS row\n"
            f"MERGE (n{pattern} {{key: row.key}})\n"
            f"SET {_stamp('n')}\n"
            f"SET n += row.props\n"
            f"RETURN count(n) AS written")


def create_missing_nodes(label: str, *, stamped: bool = False) -> str:
    """rows: [{key, ...}], unique keys: CREATE the absent ones with all their labels.

    For engines where MERGE on two labels is slow or breaks (ArcadeDB: a full scan, and
    ``ON CREATE SET n:Extra`` trips its unique index). ``stamped`` sets the bare stamps."""
    stamps = f" SET {_bare('n')}" if stamped else ""
    return (f"UNWIND $rows AS row\n"
            f"OPTIONAL MATCH (x:{_label(label)} {{key: row.key}})\n"
            f"WITH row, x WHERE x IS NULL\n"
            f"CREATE (n{_labels(label)} {{key: row.key}}){stamps}\n"
            f"RETURN count(n) AS created")


def merge_rels(rel_type: str, start_label: str, end_label: str, *,
               ensure_ends: bool = True, from_end: bool = False) -> str:
    """rows: [{start, end, props, sources, first, last}], unique (start, end).

    ``ensure_ends``: MERGE both end nodes in the same statement (created bare when absent;
    Neo4j). Otherwise they must exist already (ArcadeDB: ``create_missing_nodes`` first).
    ``from_end``: write the pattern end node first, ``MERGE (b)<-[r]-(a)`` (same edge, same
    direction): ArcadeDB looks for an existing edge by walking the edges of the pattern's
    first node, so a batch whose end side is the low-degree one (Enterprise -> Declaration)
    should start there."""
    ontology.check_pair(rel_type, start_label, end_label)
    if ensure_ends:
        ends = (f"MERGE (a{_labels(start_label)} {{key: row.start}})\n"
                f"  ON CREATE SET {_bare('a')}\n"
                f"MERGE (b{_labels(end_label)} {{key: row.end}})\n"
                f"  ON CREATE SET {_bare('b')}\n")
    else:
        ends = (f"MATCH (a:{_label(start_label)} {{key: row.start}})\n"
                f"MATCH (b:{_label(end_label)} {{key: row.end}})\n")
        if from_end:
            ends = "\n".join(reversed(ends.rstrip("\n").split("\n"))) + "\n"
    edge = (f"MERGE (b)<-[r:{_rel_type(rel_type)}]-(a)\n" if from_end
            else f"MERGE (a)-[r:{_rel_type(rel_type)}]->(b)\n")
    return (f"UNWIND $rows AS row\n{ends}"
            f"{edge}"
            f"SET {_stamp('r')}\n"
            f"SET r += row.props\n"
            f"RETURN count(r) AS written")


# naive path for the benchmark: one statement per row, values still parameters
def merge_node_single(label: str) -> str:
    return (f"MERGE (n{_labels(label)} {{key: $key}})\n"
            f"SET n.first_seen = $seen, n.last_seen = $seen, n.sources = [$source]\n"
            f"SET n += $props")


def merge_rel_single(rel_type: str, start_label: str, end_label: str) -> str:
    ontology.check_pair(rel_type, start_label, end_label)
    return (f"MATCH (a:{_label(start_label)} {{key: $start}})\n"
            f"MATCH (b:{_label(end_label)} {{key: $end}})\n"
            f"MERGE (a)-[r:{_rel_type(rel_type)}]->(b)\n"
            f"SET r.first_seen = $seen, r.last_seen = $seen, r.sources = [$source]\n"
            f"SET r += $props")


def set_properties(label: str) -> str:
    """rows: [{key, props}]; a null in props removes that property (explicit set)."""
    return (f"UNWIND $rows AS row\n"
            f"MATCH (n:{_label(label)} {{key: row.key}})\n"
            f"SET n += row.props\n"
            f"RETURN count(n) AS updated")


DELETE_RELS_BY_SOURCE = """
MATCH ()-[r]->() WHERE $source IN r.sources
SET r.sources = [s IN r.sources WHERE s <> $source]
WITH r WHERE size(r.sources) = 0
DELETE r
RETURN count(*) AS deleted
"""

DELETE_NODES_BY_SOURCE = """
MATCH (n) WHERE $source IN n.sources
SET n.sources = [s IN n.sources WHERE s <> $source]
WITH n WHERE size(n.sources) = 0
DETACH DELETE n
RETURN count(*) AS deleted
"""

CLEAR_CHUNK = """
MATCH (n) WITH n LIMIT $chunk
DETACH DELETE n
RETURN count(*) AS deleted
"""

# -- reads ------------------------------------------------------------------------------
# Nodes and relationships come back as maps, not driver graph objects, so both engines
# hydrate the same way.
_N = "{{id: elementId({v}), labels: labels({v}), props: properties({v})}}"
_R = ("{{id: elementId({v}), type: type({v}), start: elementId(startNode({v})), "
      "end: elementId(endNode({v})), props: properties({v})}}")


def _node_map(v: str) -> str:
    return _N.format(v=v)


def _rel_map(v: str) -> str:
    return _R.format(v=v)


def get_node(label: str) -> str:
    return (f"MATCH (n:{_label(label)} {{key: $key}})\n"
            f"RETURN {_node_map('n')} AS n LIMIT 1")


_TIME_OK = ("($since IS NULL OR coalesce(r.at, r.last_seen) >= $since) AND "
            "($until IS NULL OR coalesce(r.at, r.last_seen) <= $until)")


def neighbourhood(label: str, hops: int, rel_types: list[str] | None,
                  labels_filtered: bool) -> str:
    """Paths of 1..hops from (label {key}), nearest first, at most $max_paths of them.

    Label filter: every node after the start must carry one of $labels (so what comes back
    stays connected). Time filter: every relationship's ``at`` (else ``last_seen``) lies in
    [$since, $until].
    """
    hops = int(hops)
    if not 1 <= hops <= 3:
        raise ValueError(f"hops must be 1..3, got {hops}")
    types = ":" + "|".join(_rel_type(t) for t in rel_types) if rel_types else ""
    where = [f"all(r IN rs WHERE {_TIME_OK})"]
    if labels_filtered:
        where.append("all(x IN nodes(p)[1..] WHERE any(l IN labels(x) WHERE l IN $labels))")
    return (f"MATCH (s:{_label(label)} {{key: $key}})\n"
            f"MATCH p = (s)-[rs{types}*1..{hops}]-(m)\n"
            f"WHERE {' AND '.join(where)}\n"
            f"WITH p ORDER BY length(p) LIMIT $max_paths\n"
            f"RETURN [x IN nodes(p) | {_node_map('x')}] AS nodes,\n"
            f"       [r IN relationships(p) | {_rel_map('r')}] AS rels")


def shortest_paths(label_a: str, label_b: str, max_hops: int) -> str:
    max_hops = int(max_hops)
    if not 1 <= max_hops <= 10:
        raise ValueError(f"max_hops must be 1..10, got {max_hops}")
    return (f"MATCH (a:{_label(label_a)} {{key: $a}})\n"
            f"MATCH (b:{_label(label_b)} {{key: $b}})\n"
            f"MATCH p = allShortestPaths((a)-[*..{max_hops}]-(b))\n"
            f"RETURN [x IN nodes(p) | {_node_map('x')}] AS nodes,\n"
            f"       [r IN relationships(p) | {_rel_map('r')}] AS rels\n"
            f"LIMIT $limit")


def shared_attribute_links(label: str, with_key: bool) -> str:
    """Pairs (a, b) of ``label`` both linked to one node v whose label is in $via."""
    lab = _label(label)
    if with_key:
        head = f"MATCH (a:{lab} {{key: $key}})-[ra]-(v)-[rb]-(b:{lab})\nWHERE a <> b AND "
    else:
        head = (f"MATCH (a:{lab})-[ra]-(v)-[rb]-(b:{lab})\n"
                f"WHERE elementId(a) < elementId(b) AND ")
    return (head + "any(l IN labels(v) WHERE l IN $via)\n"
            f"RETURN {_node_map('a')} AS a, {_node_map('b')} AS b, {_node_map('v')} AS v,\n"
            f"       type(ra) AS a_rel, type(rb) AS b_rel\n"
            f"ORDER BY a.key, b.key, v.key LIMIT $limit")


def count_nodes(labels: list[str]) -> str:
    """One row per label: {name, c}. Per-label MATCH so Neo4j answers from its count store."""
    return "\nUNION ALL\n".join(
        f"MATCH (n:{_label(l)}) RETURN '{_label(l)}' AS name, count(n) AS c" for l in labels)


def count_rels(rel_types: list[str]) -> str:
    return "\nUNION ALL\n".join(
        f"MATCH ()-[r:{_rel_type(t)}]->() RETURN '{_rel_type(t)}' AS name, count(r) AS c"
        for t in rel_types)


SEARCH = f"""
MATCH (n)
WHERE any(l IN labels(n) WHERE l IN $labels)
  AND (toLower(n.key) CONTAINS $text OR toLower(coalesce(n.name, '')) CONTAINS $text)
RETURN {_node_map('n')} AS n
ORDER BY CASE WHEN toLower(n.key) = $text THEN 0 ELSE 1 END, n.key
LIMIT $limit
"""

PING = "RETURN 1 AS ok"
