import pytest

from knowledge.graph_sync import graph_records, sync_to_graph


@pytest.mark.integration
def test_graph_records_validate_against_the_ontology(small_kb):
    from graph.base import check_node_records, check_rel_records

    ids = [a.id for a in small_kb.articles if a.law == "中华人民共和国海关行政处罚实施条例"]
    nodes, rels = graph_records(small_kb, article_ids=ids)
    check_node_records(nodes)
    check_rel_records(rels)
    assert {n.label for n in nodes} == {"Article", "Concept"}
    assert any(r.type == "CITES" for r in rels) and any(r.type == "GOVERNS" for r in rels)


@pytest.mark.integration
@pytest.mark.slow
def test_sync_to_embedded_graph_links_concepts_to_articles(small_kb, clean_embedded_store):
    store = clean_embedded_store
    ids = [a.id for a in small_kb.articles if a.law == "中华人民共和国海关行政处罚实施条例"]
    first = sync_to_graph(store, small_kb, article_ids=ids)
    assert first["nodes"] > len(ids) - 1
    art15 = next(a for a in small_kb.articles if a.id in ids and a.number == "第十五条")
    node = store.get("Article", art15.id)
    assert node is not None and node.props["number"] == "第十五条"
    # a concept leads to the provisions that govern it
    sub = store.neighbourhood("Concept", "PROC:申报", hops=1, labels=["Article"],
                              rel_types=["GOVERNS"], limit=500)
    assert art15.id in {n.key for n in sub.nodes}
    before = store.counts()
    sync_to_graph(store, small_kb, article_ids=ids)  # idempotent
    assert store.counts() == before
