"""Write the knowledge base into the graph: Article and Concept nodes, CITES and GOVERNS.

``sync_to_graph(store, kb)`` upserts in batches through the GraphStore interface
(idempotent MERGE by key), so a re-run changes nothing. Article keys are the stable article
ids; concept keys are ``<KIND>:<name>`` (knowledge.concepts.concept_key).
"""

from __future__ import annotations

from typing import Any, Iterable

from knowledge.concepts import concept_key

SOURCE = "knowledge"


def graph_records(kb, *, article_ids: Iterable[str] | None = None
                  ) -> tuple[list[Any], list[Any]]:
    """NodeRecord/RelRecord lists for the given articles (all by default)."""
    from graph.base import NodeRecord, RelRecord

    wanted = set(article_ids) if article_ids is not None else None
    nodes: list[Any] = []
    rels: list[Any] = []
    concepts: dict[str, dict[str, str]] = {}
    for a in kb.articles:
        if wanted is not None and a.id not in wanted:
            continue
        if a.id in kb.removed:
            continue
        nodes.append(NodeRecord("Article", a.id, {
            "law": a.law, "number": a.number, "text": a.text, "kind": a.kind,
            "version_date": a.version_date, "status": a.status}, source=SOURCE))
        for c in a.cites:
            if c.get("target") and c["target"] != a.id and c["kind"] != "paragraph":
                rels.append(RelRecord("CITES", "Article", a.id, "Article", c["target"],
                                      {"text": c["text"]}, source=SOURCE))
        for c in a.concepts:
            key = concept_key(c["name"], c["kind"])
            concepts.setdefault(key, c)
            rels.append(RelRecord("GOVERNS", "Article", a.id, "Concept", key, source=SOURCE))
    nodes.extend(NodeRecord("Concept", k, {"name": c["name"], "kind": c["kind"]}, source=SOURCE)
                 for k, c in concepts.items())
    # a CITES edge needs its target node in the same batch set
    present = {n.key for n in nodes if n.label == "Article"}
    if wanted is not None:
        rels = [r for r in rels if r.type != "CITES" or r.end_key in present]
    return nodes, rels


def sync_to_graph(store, kb, *, article_ids: Iterable[str] | None = None) -> dict[str, int]:
    """Upsert articles, concepts and their links; returns counts."""
    nodes, rels = graph_records(kb, article_ids=article_ids)
    res = store.upsert(nodes, rels)
    return {"nodes": getattr(res, "nodes", len(nodes)),
            "relationships": getattr(res, "relationships", len(rels))}
