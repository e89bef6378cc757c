"""Generic CSV/JSONL reader driven by a YAML mapping."""

import json

import pytest
import yaml

from ingest.exceptions import FileFormatError, MappingError
from ingest.mapping import load_mapping, parse_mapping
from ingest.readers.mapped import load_file

pytestmark = pytest.mark.unit

MAPPING = {
    "source": "port",
    "columns": ["bl", "date", "consignee", "phone", "box"],
    "required": ["bl", "date"],
    "record_key": "{bl}",
    "seen_at": "date",
    "checks": {"date": "date", "box": "container", "phone": "phone"},
    "nodes": [
        {"id": "bl", "label": "BillOfLading", "key": "{bl}", "props": {"date": "date"}},
        {"id": "c", "label": "Enterprise", "key": {"column": "consignee", "transform": "company_key",
                                                   "prefix": "NAME:"},
         "props": {"name": {"column": "consignee", "transform": "company_name"}}},
        {"id": "p", "label": "Phone", "key": "phone"},
        {"id": "box", "label": "Container", "key": "box"},
    ],
    "relationships": [
        {"type": "CONSIGNEE_OF", "from": "c", "to": "bl"},
        {"type": "HAS_PHONE", "from": "c", "to": "p"},
        {"type": "IN_CONTAINER", "from": "bl", "to": "box"},
    ],
}


def test_csv_through_mapping(tmp_path, mem_store, settings):
    mp = tmp_path / "m.yaml"
    mp.write_text(yaml.safe_dump(MAPPING, allow_unicode=True))
    f = tmp_path / "bls.csv"
    f.write_text("bl,date,consignee,phone,box\n"
                 "B1,2024-01-02,上海远洋贸易有限责任公司,138 1234 5678,CSQU3054383\n"
                 "B2,2024-01-03,上海远洋贸易有限公司,,\n"
                 "B3,2024-01-03,X,,CSQU3054384\n", encoding="utf-8")
    rep = load_file(f, mp, mem_store, settings=settings)
    assert (rep.read, rep.loaded, rep.quarantined) == (3, 2, 1)
    assert "check digit" in json.dumps(rep.reasons)
    assert mem_store.nodes[("Enterprise", "NAME:上海远洋贸易")]["name"] == "上海远洋贸易有限公司"
    assert ("Phone", "+8613812345678") in mem_store.nodes
    assert mem_store.counts()["relationships"]["CONSIGNEE_OF"] == 2


def test_jsonl_with_nested_fields(tmp_path, mem_store, settings):
    m = parse_mapping({
        "source": "ev", "format": "jsonl", "required": ["id", "importer.uscc"],
        "checks": {"importer.uscc": "uscc"},
        "nodes": [{"id": "d", "label": "Declaration", "key": "{id}"},
                  {"id": "e", "label": "Enterprise", "key": "{importer.uscc}",
                   "props": {"name": "importer.name"}}],
        "relationships": [{"type": "DECLARED", "from": "e", "to": "d"}]})
    f = tmp_path / "d.jsonl"
    f.write_text('{"id": "D1", "importer": {"uscc": "914403001922038216", "name": "华为"}}\n'
                 '{"id": "D2", "importer": {"uscc": "914403001922038217"}}\n'
                 '{"id": "D3"\n', encoding="utf-8")
    rep = load_file(f, m, mem_store, settings=settings)
    assert (rep.loaded, rep.quarantined) == (1, 2)
    assert mem_store.nodes[("Enterprise", "914403001922038216")]["name"] == "华为"


@pytest.mark.parametrize("bad,msg", [
    ({"nodes": [{"label": "Nope", "key": "{a}"}]}, "not in the ontology"),
    ({"nodes": [{"label": "Port", "key": "{a}", "props": {"colour": "a"}}]}, "Port.colour"),
    ({"nodes": [{"id": "a", "label": "Port", "key": "{a}"}, {"id": "b", "label": "Goods", "key": "{b}"}],
      "relationships": [{"type": "DECLARED", "from": "a", "to": "b"}]}, "not allowed"),
    ({"nodes": [{"label": "Port", "key": {"column": "a", "transform": "shout"}}]}, "unknown transform"),
    ({"nodes": [{"label": "Port", "key": "{a}"}], "checks": {"a": "vibes"}}, "unknown check"),
    ({}, "at least one node"),
])
def test_bad_mappings_are_refused_naming_the_problem(bad, msg):
    with pytest.raises(MappingError, match=msg):
        parse_mapping(bad, "m")


def test_builtin_mappings_parse():
    from pathlib import Path

    for p in (Path(__file__).resolve().parents[2] / "ingest" / "mappings").glob("*.yaml"):
        assert load_mapping(p).nodes


def test_csv_missing_a_mapped_column_is_a_file_error(tmp_path, settings):
    m = parse_mapping({"nodes": [{"label": "Port", "key": "{code}", "props": {"name": "name"}}]})
    f = tmp_path / "p.csv"
    f.write_text("code\nX\n")
    with pytest.raises(FileFormatError, match="missing columns \\['name'\\]"):
        load_file(f, m, None, settings=settings, dry_run=True)
