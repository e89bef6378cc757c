"""KCS reader on the load path, against an in-memory recorder (fast, no engine)."""

import json

import pytest

from ingest.exceptions import FileFormatError
from ingest.quarantine import QuarantineStore
from ingest.readers.kcs import load_kcs

from ingest_helpers import DUPLICATED, FAULTS, expected_counts, kcs_rows, write_csv

pytestmark = pytest.mark.unit


def test_kcs_excerpt_loads_completely_with_counts_per_label(tmp_path, mem_store, settings):
    header, rows = kcs_rows(n=2000)
    path = write_csv(tmp_path / "kcs2000.csv", header, rows)
    rep = load_kcs(path, mem_store, settings=settings)
    assert (rep.read, rep.loaded, rep.quarantined, rep.duplicates) == (2000, 2000, 0, 0)
    assert mem_store.counts()["nodes"] == expected_counts(header, rows)
    rels = mem_store.counts()["relationships"]
    assert rels["DECLARED"] == rels["HAS_ITEM"] == rels["AT_PORT"] == 2000
    d = mem_store.nodes[("Declaration", rows[0][0])]
    assert d["inspected"] is True and d["date"] == rows[0][1] and d["fraud"] in (0, 1)
    assert d["first_seen"].startswith(rows[0][1])
    g = mem_store.nodes[("Goods", rows[0][12])]
    assert g["chapter"] == rows[0][12][:2] and g["heading"] == rows[0][12][:4]


def test_faulty_copy_quarantines_each_bad_row_with_its_reason(faulty_kcs, mem_store, settings):
    rep = load_kcs(faulty_kcs["path"], mem_store, settings=settings)
    assert rep.read == faulty_kcs["n_read"]
    assert rep.duplicates == len(DUPLICATED)
    assert rep.quarantined == len(FAULTS) + 1  # + the truncated last line
    assert rep.loaded == len(faulty_kcs["good_rows"])
    assert rep.read == rep.loaded + rep.quarantined + rep.duplicates  # nothing lost
    q = list(QuarantineStore(settings.quarantine_dir).read(rep.source))
    by_line = {e["line"]: e for e in q}
    for i, (col, val, reason) in FAULTS.items():
        e = by_line[i + 2]  # header is line 1, row 0 is line 2
        assert e["field"] == col and reason in e["reason"] and e["value"] == val
        assert e["source"] == rep.source and e["record"]["Declaration ID"]
    t = by_line[faulty_kcs["truncated_line"]]
    assert t["field"] == "_row" and "truncated row" in t["reason"]
    assert mem_store.counts()["nodes"]["Declaration"] == rep.loaded


def test_loading_twice_changes_nothing(faulty_kcs, mem_store, settings):
    load_kcs(faulty_kcs["path"], mem_store, settings=settings)
    snap = mem_store.snapshot()
    qfile = QuarantineStore(settings.quarantine_dir).path_for("kcs:kcs_faulty.csv")
    qtext = qfile.read_text()
    rep2 = load_kcs(faulty_kcs["path"], mem_store, settings=settings)
    assert mem_store.snapshot() == snap
    assert qfile.read_text() == qtext
    assert rep2.quarantined == len(FAULTS) + 1


def test_conflicting_duplicate_key_is_quarantined(tmp_path, mem_store, settings):
    header, rows = kcs_rows(n=5)
    other = list(rows[1])
    other[0] = rows[0][0]  # same Declaration ID, different content
    path = write_csv(tmp_path / "k.csv", header, rows + [other])
    rep = load_kcs(path, mem_store, settings=settings)
    assert rep.loaded == 5 and rep.quarantined == 1 and "conflicting duplicate" in \
        json.dumps(rep.reasons)


def test_fraud_flags_must_agree(tmp_path, mem_store, settings):
    header, rows = kcs_rows(n=3)
    rows[0][header.index("Fraud")] = "0"
    rows[0][header.index("Critical Fraud")] = "2"
    rep = load_kcs(write_csv(tmp_path / "k.csv", header, rows), mem_store, settings=settings)
    assert rep.quarantined == 1 and rep.loaded == 2


@pytest.mark.parametrize("make,expect", [
    (lambda p, h, r: p.write_bytes(("\n".join([",".join(h)] + [",".join(x) for x in r])
                                    ).encode("utf-8").replace(b"2020-01-01", "二〇".encode("gbk"), 1)),
     "not valid utf-8"),
    (lambda p, h, r: write_csv(p, h[:-1], [x[:-1] for x in r]), "missing columns ['Critical Fraud']"),
    (lambda p, h, r: write_csv(p, h + ["Extra"], [x + ["1"] for x in r]), "unexpected columns"),
    (lambda p, h, r: p.write_text(""), "is empty"),
])
def test_unreadable_file_fails_naming_file_and_loads_nothing(tmp_path, mem_store, settings,
                                                             make, expect):
    header, rows = kcs_rows(n=50)
    path = tmp_path / "bad.csv"
    make(path, header, rows)
    with pytest.raises(FileFormatError) as e:
        load_kcs(path, mem_store, settings=settings)
    assert str(path) in str(e.value) and expect in str(e.value)
    assert mem_store.calls == 0 and not mem_store.nodes
    assert list(settings.quarantine_dir.glob("*")) == []  # nothing quarantined (no folder)


def test_missing_file_is_a_file_error(tmp_path, settings):
    with pytest.raises(FileFormatError, match="does not exist"):
        load_kcs(tmp_path / "nope.csv", None, settings=settings, dry_run=True)
