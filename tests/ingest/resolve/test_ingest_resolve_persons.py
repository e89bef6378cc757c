"""Person resolution rules (ingest.resolve.persons): exact id, blocking evidence, ambiguity,
evidence lent by exact-id mentions, provenance kept on the edges."""

import pytest

from ingest.resolve import (Match, PersonEntity, PersonResolver, person_name_key, person_tables,
                            provenance_records, resolve_persons)

pytestmark = pytest.mark.unit

U1 = "914403001922038216"
H1, H2, H3 = "H:" + "1" * 32, "H:" + "2" * 32, "H:" + "3" * 32
PH1, PH2 = "H:" + "a" * 32, "H:" + "b" * 32  # phone keys (HMAC of E.164)


def people():
    return [PersonEntity(H1, "王伟", "王伟", {PH1}, {"V:粤ZA123港"}),
            PersonEntity(H2, "王伟", "王伟", {PH2}, {"V:粤ZB456港"}),
            PersonEntity(H3, "陈建国", "陈建国", set(), {"E:" + U1})]


def test_person_name_key_removes_width_and_spaces():
    assert person_name_key(" 王\u3000伟 ") == person_name_key("王 伟") == "王伟"
    assert person_name_key("ＬＩ Ｍｉｎｇ") == "liming"


def test_person_exact_id_first():
    m = PersonResolver(people()).match(PersonEntity("PM:x", "完全不同", "完全不同", exact=H2))
    assert (m.canonical, m.rule, m.score) == (H2, "exact_id", 1.0)


def test_planted_person_variant_resolves():
    # recorded with a space in the name, phone in another format (same E.164 -> same HMAC),
    # no id, on the vehicle the registered driver drives
    r = PersonResolver(people())
    m = r.match(PersonEntity("PM:a", "王 伟", person_name_key("王 伟"), {PH1}, {"V:粤ZA123港"}))
    assert (m.canonical, m.rule) == (H1, "name+phone+context")
    assert m.evidence["name_similarity"] == 1.0 and m.evidence["candidates"] == 2
    # traditional characters (陳建國): name similarity 1/3, no phone: not enough
    assert r.match(PersonEntity("PM:b", "陳建國", "陳建國", set(), {"E:" + U1})) is None


def test_ambiguous_person_pair_is_not_merged():
    # two registered drivers both named 王伟 who both drive the same truck
    a = PersonEntity(H1, "王伟", "王伟", {PH1}, {"V:粤ZA123港"})
    b = PersonEntity(H2, "王伟", "王伟", {PH2}, {"V:粤ZA123港"})
    r = PersonResolver([a, b])
    mention = PersonEntity("PM:c", "王伟", "王伟", set(), {"V:粤ZA123港"})
    assert r.match(mention) is None
    ex = r.explain(mention)
    assert ex["decision"] == "ambiguous" and ex["canonical"] is None
    assert {c["canonical"] for c in ex["candidates"]} == {H1, H2}
    # one more piece of evidence (the phone) settles it
    m = r.match(PersonEntity("PM:d", "王伟", "王伟", {PH2}, {"V:粤ZA123港"}))
    assert (m.canonical, m.rule) == (H2, "name+phone+context")


def test_a_name_alone_never_merges_a_person():
    r = PersonResolver(people())
    mention = PersonEntity("PM:e", "陈建国", "陈建国", set(), {"V:粤ZC789港"})
    assert r.match(mention) is None and r.explain(mention)["decision"] == "weak_evidence"


def test_typo_needs_phone_and_context():
    r = PersonResolver(people())
    m = r.match(PersonEntity("PM:f", "王传", "王传", {PH1}, {"V:粤ZA123港"}))
    assert (m.canonical, m.rule) == (H1, "phone+context")
    assert r.match(PersonEntity("PM:g", "王传", "王传", {PH1}, set())) is None


def test_exact_id_mentions_lend_their_evidence():
    canon = PersonEntity(H3, "陈建国", "陈建国")
    linked = PersonEntity("PM:h", "陳建國", "陳建國", {PH2}, {"V:粤ZA123港"}, exact=H3)
    other = PersonEntity("PM:i", "陳建國", "陳建國", set(), {"V:粤ZA123港"})
    ms = resolve_persons({p.key: p for p in (canon, linked, other)})
    assert {(m.mention, m.canonical, m.rule) for m in ms} == {
        ("PM:h", H3, "exact_id"), ("PM:i", H3, "name+context")}
    c, _ = person_tables({p.key: p for p in (canon, linked, other)})
    assert not canon.other_names and c[H3].other_names == {"陳建國"}  # inputs untouched


def test_customs_registration_context_goes_through_enterprise_matches():
    rep = PersonEntity(H3, "陈建国", "陈建国", set(), {"E:" + U1})
    mention = PersonEntity("PM:j", "陈建国", "陈建国", set(), {"E:CC:5316001000"})
    assert resolve_persons({p.key: p for p in (rep, mention)}) == []
    em = [Match("CC:5316001000", U1, "exact_uscc", 1.0, {})]
    (m,) = resolve_persons({p.key: p for p in (rep, mention)}, em)
    assert (m.canonical, m.rule) == (H3, "name+context")


def test_person_provenance_keeps_mention_keys_on_edges_only():
    ms = [Match("PM:a", H1, "name+phone", 1.5, {}), Match("PM:b", H1, "exact_id", 1.0, {})]
    rels, updates = provenance_records(ms, "Person")
    assert [(r.type, r.start_label, r.start_key, r.end_key, r.props["rule"], r.source)
            for r in rels] == [("ALIAS_OF", "Person", "PM:a", H1, "name+phone", "resolution")]
    assert updates == {H1: {"resolution_rule": "exact_id:1,name+phone:1"}}
