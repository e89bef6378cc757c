"""KCS files into the real engines (``graph_store``: embedded ArcadeDB and Neo4j).

Small excerpts keep the suite quick; the ``slow`` tests load the whole files on the load path
(in-memory recorder) and a larger excerpt into the embedded engine."""

import pytest

from ingest.quarantine import QuarantineStore
from ingest.readers.kcs import load_kcs

from ingest_helpers import (FAULTS, KCS_TRAIN, KCS_VALID, MemoryStore, expected_counts,
                            kcs_rows, make_faulty_kcs, write_csv)

pytestmark = pytest.mark.integration


def test_kcs_excerpt_counts_per_label_match_the_file(clean_store, tmp_path, settings):
    header, rows = kcs_rows(KCS_VALID, n=200)
    path = write_csv(tmp_path / "kcs_valid_200.csv", header, rows)
    rep = load_kcs(path, clean_store, settings=settings)
    assert (rep.read, rep.loaded, rep.quarantined) == (200, 200, 0)
    counts = clean_store.counts()
    assert counts["nodes"] == expected_counts(header, rows)
    assert counts["relationships"]["DECLARED"] == 200
    d = clean_store.get("Declaration", rows[0][0])
    assert d.props["inspected"] is True and d.props["hs_code"] == rows[0][12]


def test_faulty_kcs_loads_good_rows_quarantines_bad_and_is_idempotent(clean_store, tmp_path,
                                                                      settings):
    f = make_faulty_kcs(tmp_path, n=120)
    rep = load_kcs(f["path"], clean_store, settings=settings)
    assert rep.loaded == len(f["good_rows"])
    assert rep.quarantined == len(FAULTS) + 1 and rep.duplicates == 2
    assert clean_store.counts()["nodes"]["Declaration"] == rep.loaded
    q = list(QuarantineStore(settings.quarantine_dir).read(rep.source))
    assert {e["reason"] for e in q} >= {"required field is missing", "must not be negative"}
    before = clean_store.counts()
    node = clean_store.get("Declaration", f["good_rows"][0][0]).props
    rep2 = load_kcs(f["path"], clean_store, settings=settings)
    assert clean_store.counts() == before
    assert clean_store.get("Declaration", f["good_rows"][0][0]).props == node
    assert len(list(QuarantineStore(settings.quarantine_dir).read(rep.source))) == len(q)
    assert (rep2.loaded, rep2.quarantined) == (rep.loaded, rep.quarantined)


@pytest.mark.slow
@pytest.mark.parametrize("path", [KCS_TRAIN, KCS_VALID], ids=["train", "valid"])
def test_full_kcs_files_load_completely_on_the_load_path(path, settings):
    store = MemoryStore()
    header, rows = kcs_rows(path, n=None)
    rep = load_kcs(path, store, settings=settings)
    assert (rep.read, rep.loaded, rep.quarantined, rep.duplicates) == (len(rows), len(rows), 0, 0)
    assert store.counts()["nodes"] == expected_counts(header, rows)


@pytest.mark.slow
def test_validation_file_excerpt_into_the_embedded_engine(clean_embedded_store, tmp_path,
                                                          settings):
    # the whole file takes many minutes on the embedded engine (see bench/ingest.py); the
    # complete-file check runs on the load path above
    header, rows = kcs_rows(KCS_VALID, n=1500)
    path = write_csv(tmp_path / "kcs_valid_1500.csv", header, rows)
    rep = load_kcs(path, clean_embedded_store, settings=settings)
    assert rep.loaded == 1500 and rep.quarantined == 0
    assert clean_embedded_store.counts()["nodes"] == expected_counts(header, rows)
