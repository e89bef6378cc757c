"""Ontology validation and the Cypher builders' whitelist (no engine needed)."""

from __future__ import annotations

import pytest

from graph import NodeRecord, RelRecord, export, ontology, queries
from graph.base import check_node_records, check_rel_records
from graph.dialect import ARCADEDB, NEO4J, detect
from graph.exceptions import OntologyError, RecordError

pytestmark = pytest.mark.unit


def test_every_design_label_and_rel_type_is_in_the_ontology():
    for label in ("Enterprise", "Person", "Goods", "Declaration", "Manifest", "BillOfLading",
                  "Certificate", "Case", "Vehicle", "Vessel", "Container", "Flight", "Port",
                  "Country", "Address", "Phone", "Email", "Inspection", "Article"):
        assert ontology.check_label(label).label == label
    for t in ("DECLARED", "AGENT_FOR", "SUPPLIED", "HAS_ITEM", "ORIGIN", "DEPARTED_FROM",
              "AT_PORT", "CARRIED_BY", "IN_CONTAINER", "UNDER_BL", "LEGAL_REP_OF",
              "SHAREHOLDER_OF", "DROVE", "LOCATED_AT", "HAS_PHONE", "INVOLVED_IN", "INSPECTED",
              "CITES", "GOVERNS"):
        assert ontology.check_rel_type(t).type == t
    assert "Document" in ontology.NODE_TYPES["Declaration"].extra_labels


@pytest.mark.parametrize("bad", ["Spaceship", "enterprise", "Enterprise`", "", None,
                                 "Enterprise) DETACH DELETE n //"])
def test_unknown_label_is_refused_naming_it(bad):
    with pytest.raises(OntologyError) as e:
        ontology.check_label(bad)
    assert repr(bad) in str(e.value)


def test_unknown_rel_type_and_pair_are_refused():
    with pytest.raises(OntologyError, match="'OWNS'"):
        ontology.check_rel_type("OWNS")
    with pytest.raises(OntologyError, match=r"Enterprise-\[:DECLARED\]->Vehicle"):
        ontology.check_pair("DECLARED", "Enterprise", "Vehicle")
    assert ontology.check_pair("DECLARED", "Enterprise", "Declaration").time_bearing


def test_property_schema_and_types():
    ontology.validate_node_props("Enterprise", {"name": "A", "aeo": True, "aliases": ["x"],
                                                "risk_score": 0.5, "sources": ["s"]})
    with pytest.raises(OntologyError, match="Enterprise.colour"):
        ontology.validate_node_props("Enterprise", {"colour": "red"})
    with pytest.raises(OntologyError, match="expected bool"):
        ontology.validate_node_props("Enterprise", {"aeo": "yes"})
    with pytest.raises(OntologyError, match="got bool"):
        ontology.validate_node_props("Declaration", {"value": True})
    with pytest.raises(OntologyError, match="list of strings"):
        ontology.validate_node_props("Enterprise", {"aliases": ["a", 1]})
    with pytest.raises(OntologyError, match="not a plain identifier"):
        ontology.validate_node_props("Enterprise", {"name}) DETACH DELETE n //": "x"})
    ontology.validate_node_props("Enterprise", {"name": None})  # null is always allowed
    with pytest.raises(OntologyError, match=r"\[:DECLARED\].role"):
        ontology.validate_rel_props("DECLARED", {"role": "x"})


def test_record_checks_name_the_record_and_field():
    good = NodeRecord("Enterprise", "E1", {"name": "A"})
    with pytest.raises(RecordError) as e:
        check_node_records([good, NodeRecord("Enterprise", "", {})])
    assert e.value.index == 1 and e.value.field == "key"
    with pytest.raises(RecordError, match="#0"):
        check_node_records([NodeRecord("Planet", "X")])
    with pytest.raises(RecordError, match="start_key"):
        check_rel_records([RelRecord("DECLARED", "Enterprise", "", "Declaration", "D")])
    with pytest.raises(RecordError, match="expected NodeRecord"):
        check_node_records([{"label": "Enterprise"}])


def test_builders_take_structure_from_the_whitelist_only():
    for build in (lambda: queries.merge_nodes("Bogus"), lambda: queries.get_node("Bogus"),
                  lambda: queries.merge_rels("OWNS", "Enterprise", "Vehicle"),
                  lambda: queries.merge_rels("DECLARED", "Enterprise", "Vehicle"),
                  lambda: export.export_rels("OWNS", "Enterprise"),
                  lambda: export.export_rels("DECLARED", "Bogus"),
                  lambda: export.export_nodes("Bogus"),
                  lambda: queries.neighbourhood("Enterprise", 2, ["OWNS"], False),
                  lambda: queries.count_nodes(["Enterprise", "Bogus"])):
        with pytest.raises(OntologyError):
            build()
    with pytest.raises(ValueError):
        queries.neighbourhood("Enterprise", 4, None, False)


def test_values_travel_as_parameters():
    q = queries.merge_nodes("Declaration")
    assert "MERGE (n:Declaration:Document {key: row.key})" in q
    assert "UNWIND $rows AS row" in q and "SET n += row.props" in q
    r = queries.merge_rels("AGENT_FOR", "Person", "Declaration")
    assert "MERGE (a)-[r:AGENT_FOR]->(b)" in r and "$rows" in r
    assert "MATCH (a:Person {key: row.start})" in queries.merge_rels(
        "AGENT_FOR", "Person", "Declaration", ensure_ends=False)
    rev = queries.merge_rels("AGENT_FOR", "Person", "Declaration", ensure_ends=False,
                             from_end=True)  # same edge, pattern written from its end node
    assert "MERGE (b)<-[r:AGENT_FOR]-(a)" in rev
    assert rev.index("MATCH (b:Declaration") < rev.index("MATCH (a:Person")
    n = queries.neighbourhood("Enterprise", 3, ["DECLARED", "AGENT_FOR"], True)
    assert "[rs:DECLARED|AGENT_FOR*1..3]" in n and "$labels" in n and "$since" in n
    for q in (queries.SEARCH, queries.DELETE_NODES_BY_SOURCE, queries.get_node("Enterprise")):
        assert "'" not in q.replace("''", "")  # no literal values baked in


def test_dialects():
    assert detect("Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)") is ARCADEDB
    assert detect("Neo4j/5.26.0") is NEO4J
    assert ARCADEDB.fulltext_index(["Enterprise"], ["name"]) is None
    assert "FULLTEXT" in NEO4J.fulltext_index(["Enterprise", "Person"], ["name"])
    assert NEO4J.key_constraint("Enterprise").startswith("CREATE CONSTRAINT ps_Enterprise_key "
                                                         "IF NOT EXISTS")
    assert ARCADEDB.await_indexes() is None and NEO4J.await_indexes()
    with pytest.raises(OntologyError):
        NEO4J.key_constraint("Bogus")
    with pytest.raises(OntologyError):
        NEO4J.property_index("Enterprise", "name) DETACH")


def test_ontology_as_dict_is_json_ready():
    import json
    d = ontology.as_dict()
    assert "Enterprise" in d["nodes"] and "DECLARED" in d["relationships"]
    assert "``None`` never erases a stored value" in d["merge_rule"]
    json.dumps(d)
