"""The write plan of one upsert: records folded per key by the ontology's merge rule, then
(cypher, rows) batches in write order. Pure: no driver, no engine (the engine's dialect says
which statement forms it takes)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any, Mapping

from graph import ontology, queries
from graph.clock import now_iso
from graph.dialect import Dialect
from graph.records import NodeRecord, RelRecord


def bolt_value(v: Any) -> Any:
    """Values as both engines store them: ISO strings for dates, lists for tuples."""
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return [bolt_value(x) for x in v]
    if isinstance(v, list):
        return [bolt_value(x) for x in v]
    return v


def clean_props(props: Mapping[str, Any], system: tuple[str, ...]) -> dict[str, Any]:
    """Drop nulls (a null never erases) and system properties (the store stamps those)."""
    return {k: bolt_value(v) for k, v in props.items() if v is not None and k not in system}


def fold_record(rows: dict[Any, dict[str, Any]], key: Any, ident: dict[str, Any],
          props: dict[str, Any], source: str, seen: str) -> None:
    """Merge one record into ``rows[key]`` by the merge rule (later non-null props win)."""
    row = rows.get(key)
    if row is None:
        rows[key] = {**ident, "props": dict(props), "sources": [source], "first": seen,
                     "last": seen}
        return
    row["props"].update(props)
    if source not in row["sources"]:
        row["sources"].append(source)
    row["first"] = min(row["first"], seen)
    row["last"] = max(row["last"], seen)


def write_statements(nodes: list[NodeRecord], rels: list[RelRecord], *, dialect: Dialect,
                     batch_size: int) -> list[tuple[str, list[dict[str, Any]]]]:
    """(cypher, rows) per batch, in write order: nodes by label, then per relationship
    group (type, start label, end label) its absent end nodes, then the relationships.
    Records of one call are merged per key first, by the ontology's merge rule."""
    stamp = now_iso()
    d = dialect
    out: list[tuple[str, list[dict[str, Any]]]] = []

    def add(cypher: str, rows: list[dict[str, Any]]) -> None:
        out.extend((cypher, rows[i:i + batch_size])
                   for i in range(0, len(rows), batch_size))

    by_label: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for n in nodes:
        fold_record(by_label[n.label], n.key, {"key": n.key},
              clean_props(n.props, ontology.SYSTEM_NODE_PROPS), n.source,
              bolt_value(n.seen_at) or stamp)
    # (label, key) of the nodes that exist once the statements so far have run: their
    # end-node checks are skipped (a no-op in the same transaction, but not a free one)
    present: set[tuple[str, str]] = set()
    for label, rows in by_label.items():
        multi = bool(ontology.NODE_TYPES[label].extra_labels)
        if multi and not d.multi_label_merge:
            add(queries.create_missing_nodes(label), list(rows.values()))
        add(queries.merge_nodes(label, all_labels=d.multi_label_merge),
            list(rows.values()))
        present.update((label, k) for k in rows)

    by_type: dict[tuple[str, str, str], dict[Any, dict[str, Any]]] = defaultdict(dict)
    for r in rels:
        fold_record(by_type[(r.type, r.start_label, r.end_label)], (r.start_key, r.end_key),
              {"start": r.start_key, "end": r.end_key},
              clean_props(r.props, ontology.SYSTEM_REL_PROPS), r.source,
              bolt_value(r.seen_at) or stamp)
    for (t, sl, el), rows in by_type.items():
        from_end = (d.merge_walks_first_node
                    and len({k[1] for k in rows}) > len({k[0] for k in rows}))
        if d.multi_label_merge:  # MERGE the ends that may be absent, then the edge
            known, unknown = [], []
            for row in rows.values():
                (known if (sl, row["start"]) in present and (el, row["end"]) in present
                 else unknown).append(row)
                present.add((sl, row["start"]))
                present.add((el, row["end"]))
            add(queries.merge_rels(t, sl, el, ensure_ends=True, from_end=from_end),
                unknown)
            add(queries.merge_rels(t, sl, el, ensure_ends=False, from_end=from_end),
                known)
            continue
        ends: dict[str, dict[str, dict[str, Any]]] = {sl: {}, el: {}}
        for row in rows.values():
            for label, key in ((sl, row["start"]), (el, row["end"])):
                if (label, key) in present:
                    continue
                for src in row["sources"]:
                    fold_record(ends[label], key, {"key": key}, {}, src, row["first"])
                fold_record(ends[label], key, {"key": key}, {}, row["sources"][0], row["last"])
        for label, end_rows in ends.items():
            add(queries.create_missing_nodes(label, stamped=True), list(end_rows.values()))
            present.update((label, k) for k in end_rows)
        add(queries.merge_rels(t, sl, el, ensure_ends=False, from_end=from_end),
            list(rows.values()))
    return out
