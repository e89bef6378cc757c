"""Enterprise resolution rules (ingest.resolve.enterprises) and their provenance records
(ingest.resolve.apply)."""

import pytest

from ingest.resolve import Entity, Resolver, provenance_records, resolve

pytestmark = pytest.mark.unit

U1, U2 = "914403001922038216", "91310115MA1H7XXX08"


def canon():
    return [Entity(U1, "上海远洋贸易", uscc=U1, phones={"+8613812345678"}, addresses={"张江路128号"}),
            Entity(U2, "上海金鑫电子", uscc=U2, phones={"+8613812345678"}, addresses={"张江路128号"})]


def test_exact_uscc_first():
    m = Resolver(canon()).match(Entity("CC:1", "whatever", uscc=U2))
    assert (m.canonical, m.rule, m.score) == (U2, "exact_uscc", 1.0)


def test_name_with_contact_and_typo():
    m = Resolver(canon()).match(Entity("TXT:a", "上海远详贸易", phones={"+8613812345678"}))
    assert (m.canonical, m.rule) == (U1, "name+contact")  # phone agrees, no address given
    assert m.evidence["phone"] is True and 0.8 <= m.evidence["name_similarity"] < 1


def test_shared_contacts_alone_never_merge():
    # shell companies share phone and address: a different name must not merge
    assert Resolver(canon()).match(Entity("TXT:b", "深圳宏图物流", phones={"+8613812345678"},
                                          addresses={"张江路128号"})) is None


def test_provenance_records():
    ms = resolve({e.key: e for e in canon() + [Entity("CC:1", "x", uscc=U2)]})
    rels, updates = provenance_records(ms)
    assert rels[0].type == "ALIAS_OF" and rels[0].props["rule"] == "exact_uscc"
    assert updates[U2] == {"resolved_from": ["CC:1"], "resolution_rule": "exact_uscc:1"}
