"""Search by name or key, through indexes, exact key first (``GraphStore.search``).

Exact key (index lookups of the text as typed, upper- and lower-case), then key prefix,
then a substring of the name or key on the labels that have a name: Neo4j through its
full-text index ``ps_search`` (Lucene ``*word*`` / CJK phrase, then the same ``CONTAINS``
test on its hits), the embedded ArcadeDB through the trigram side index of
``graph/side_index.py`` (its candidates read back by key with the same test), so both
engines give the same answers.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from graph.explore import _N, _label
from graph import ontology

def exact_key(labels: list[str]) -> str:
    """Index lookups of ``$variants`` (the text as typed, upper- and lower-cased) per label,
    the branches inside one ``CALL {}`` (ArcadeDB runs a top-level UNION of 20 branches ~5x
    slower than the same union in a subquery)."""
    return ("CALL {\n" + "\nUNION ALL\n".join(
        f"UNWIND $variants AS k MATCH (n:{_label(l)} {{key: k}}) RETURN n" for l in labels)
        + f"\n}}\nRETURN {_N.format(v='n')} AS n")


def by_keys_prefix(labels: list[str]) -> str:
    """Nodes by key, ``$keys[i]`` for ``labels[i]``, kept when their key starts with one of
    ``$variants`` (the side index's prefix candidates checked against the graph)."""
    return ("CALL {\n" + "\nUNION ALL\n".join(
        f"UNWIND $keys[{i}] AS k MATCH (n:{_label(l)} {{key: k}})\n"
        f"WHERE any(v IN $variants WHERE n.key STARTS WITH v)\nRETURN n"
        for i, l in enumerate(labels)) + f"\n}}\nRETURN {_N.format(v='n')} AS n")


def by_keys(labels: list[str]) -> str:
    """Nodes by key, ``$keys[i]`` for ``labels[i]``, kept when their name or key contains
    ``$text`` (the side index's candidates checked against the graph)."""
    return ("CALL {\n" + "\nUNION ALL\n".join(
        f"UNWIND $keys[{i}] AS k MATCH (n:{_label(l)} {{key: k}})\n"
        f"WHERE toLower(coalesce(n.name, '')) CONTAINS $text OR toLower(n.key) CONTAINS $text\n"
        f"RETURN n" for i, l in enumerate(labels)) + f"\n}}\nRETURN {_N.format(v='n')} AS n")


def listing(labels: list[str]) -> str:
    """The first $limit nodes of each label in key order (an empty search text)."""
    return "\nUNION ALL\n".join(
        f"CALL {{ MATCH (n:{_label(l)}) RETURN n ORDER BY n.key LIMIT $limit }}\n"
        f"RETURN {_N.format(v='n')} AS n" for l in labels)


def key_prefix(labels: list[str]) -> str:
    """Range-index scans ``key STARTS WITH`` each of ``$variants``, at most $limit per label."""
    return "\nUNION ALL\n".join(
        f"CALL {{ UNWIND $variants AS k MATCH (n:{_label(l)}) WHERE n.key STARTS WITH k\n"
        f"       RETURN n LIMIT $limit }}\nRETURN {_N.format(v='n')} AS n"
        for l in labels)


def name_scan(labels: list[str]) -> str:
    """Substring of the name or key, label by label (ArcadeDB's fallback; bounded by LIMIT
    and the read timeout)."""
    return "\nUNION ALL\n".join(
        f"CALL {{ MATCH (n:{_label(l)})\n"
        f"       WHERE toLower(coalesce(n.name, '')) CONTAINS $text "
        f"OR toLower(n.key) CONTAINS $text\n"
        f"       RETURN n LIMIT $limit }}\nRETURN {_N.format(v='n')} AS n"
        for l in labels)


FULLTEXT_INDEX = "ps_search"
FULLTEXT_PROPS = ("name", "key")


def fulltext_labels() -> list[str]:
    return sorted(l for l, nt in ontology.NODE_TYPES.items() if "name" in nt.props)


FULLTEXT_SEARCH = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $probe}})
YIELD node AS n
WHERE any(l IN labels(n) WHERE l IN $labels)
  AND (toLower(coalesce(n.name, '')) CONTAINS $text OR toLower(n.key) CONTAINS $text)
RETURN {_N.format(v='n')} AS n
LIMIT $limit
"""

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def lucene_query(text: str) -> str:
    """A Lucene query whose hits are a superset of the nodes whose name or key contains
    ``text`` (the Cypher after it keeps exactly those): a word as ``*word*``, a run with CJK
    characters (one token per character in the standard analyser) as a phrase."""
    parts = []
    for tok in text.split():
        esc = _LUCENE_SPECIAL.sub(r"\\\1", tok)
        parts.append(f'"{esc}"' if _CJK.search(tok) else f"*{esc}*")
    return " AND ".join(parts)


def search(read: Callable[..., list[dict[str, Any]]], text: str, labels: list[str],
           limit: int, exact_only: bool, fulltext: bool,
           node_from_row: Callable[[dict], Any], side: Any = None) -> list[Any]:
    """Exact key (unique index) -> key prefix (range index) -> name or key substring, the
    last only for labels that have a name (Neo4j: the ``ps_search`` full-text index, then
    the same CONTAINS test on its hits; ArcadeDB: the side index ``side``
    (``graph/side_index.py``), its candidates read back by key with the same test; without
    one a label-by-label scan that stops at the limit). A key's inner substring is thus
    found only on named labels."""
    text = text.strip()
    if not text:
        rows = read("node listing", listing(labels), limit=limit)
        rows.sort(key=lambda r: str(r["n"]["props"].get("key", "")))
        return [node_from_row(r["n"]) for r in rows[:limit]]
    out: dict[str, Any] = {}

    def add(rows: list[dict[str, Any]]) -> bool:
        for r in rows:
            n = node_from_row(r["n"])
            out.setdefault(n.id, n)
            if len(out) >= limit:
                return True
        return False

    vs = variants(text)
    if add(read("search by key", exact_key(labels), variants=vs)) or exact_only:
        return list(out.values())[:limit]
    if side is not None:
        pre = _side_prefix(read, side, text, vs, labels, limit + len(out))
    else:
        pre = read("search by key prefix", key_prefix(labels), variants=vs, limit=limit)
    if add(sorted(pre, key=lambda r: str(r["n"]["props"].get("key", "")))):
        return list(out.values())
    low = text.lower()
    named = [l for l in labels if l in fulltext_labels()]
    if not named:
        return list(out.values())
    if fulltext:
        rows = read("search by name", FULLTEXT_SEARCH, query=lucene_query(text), text=low,
                    labels=named, probe=max(100, limit * 10), limit=limit + len(out))
    elif side is not None:
        return _side_search(read, side, low, named, limit, out, add)
    else:
        rows = read("search by name", name_scan(named), text=low, limit=limit + len(out))
    add(rows)
    return list(out.values())[:limit]


def variants(text: str) -> list[str]:
    return list(dict.fromkeys([text, text.upper(), text.lower()]))




def _side_search(read, side, low: str, named: list[str], limit: int, out: dict[str, Any],
                 add: Callable[[list[dict[str, Any]]], bool]) -> list[Any]:
    """Candidates from the side index, page by page, checked against the graph."""
    page, offset = limit + len(out) + 10, 0
    while True:
        cand = side.find(low, named, page, offset)
        groups: dict[str, list[str]] = {}
        for label, key in cand:
            groups.setdefault(label, []).append(key)
        order = sorted(groups)
        if order and add(read("search by name", by_keys(order), text=low,
                              keys=[groups[l] for l in order])):
            break
        if len(cand) < page:
            break
        offset += page
    return list(out.values())[:limit]


def _side_prefix(read, side, text: str, vs: list[str], labels: list[str], want: int
                 ) -> list[dict[str, Any]]:
    """Rows of the nodes whose key starts with one of ``vs``: the side index's candidates
    in key order (ArcadeDB's ``STARTS WITH`` does not stop at the LIMIT: 1-4 s on a 50k
    world), page by page, checked against the graph."""
    rows: list[dict[str, Any]] = []
    page, offset = want + 10, 0
    while len(rows) < want:
        cand = side.find_prefix(text, labels, page, offset)
        groups: dict[str, list[str]] = {}
        for label, key in cand:
            groups.setdefault(label, []).append(key)
        order = sorted(groups)
        if order:
            rows += read("search by key prefix", by_keys_prefix(order), variants=vs,
                         keys=[groups[l] for l in order])
        if len(cand) < page:
            break
        offset += page
    return rows
