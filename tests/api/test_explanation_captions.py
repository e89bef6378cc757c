"""Entity explanations as served (explorer side panel /portrait/{label}/{key}/explain and the
portrait): sentences name the subject by caption (name（key）), the keys stay in ``subject``
and the evidence paths, and a reader without pii never sees a person's name."""

from __future__ import annotations

import pytest

from test_explorer_routes import planted  # noqa: F401 - the same small planted graph

pytestmark = pytest.mark.integration


def test_explanations_name_entities_by_caption_and_never_unmask_a_person(client, auth,
                                                                         planted):
    """Explorer side panel (/explain) and portrait, in zh and en."""
    r = client.get("/portrait/Enterprise/SH-1/explain", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    ex = r.json()
    assert ex["subject"]["key"] == "SH-1" and ex["subject"]["caption_zh"] == "壳1贸易（SH-1）"
    addr = next(x for x in ex["reasons"] if x["kind"] == "shared_address")
    assert addr["text_zh"] == "企业 壳1贸易（SH-1） 与 2 家企业共用地址，其中 1 家有查获记录"
    assert addr["text_en"].startswith("壳1贸易 (SH-1) shares its address with 2 enterprises")
    assert ["Enterprise", "SH-1"] in addr["paths"][0]["nodes"]  # keys kept in the evidence
    en = client.get("/portrait/Enterprise/SH-1/explain", params={"lang": "en"},
                    headers=auth("analyst")).json()
    assert en["text"].startswith("Enterprise 壳1贸易 (SH-1) risk score 0.99")
    for url in ("/portrait/Person/P-DRV/explain", "/portrait/Person/P-DRV",
                "/portrait/Person/P-DRV/explain?lang=en", "/portrait/Enterprise/SH-3/explain"):
        plain = client.get(url, headers=auth("analyst"))
        assert plain.status_code == 200, plain.text
        assert "王五洋" not in plain.text and "李四海" not in plain.text, url
    ex = client.get("/portrait/Person/P-DRV/explain", headers=auth("analyst")).json()
    drove = next(x for x in ex["reasons"] if x["kind"] == "drove")
    assert drove["text_zh"].startswith("驾驶员 王**（P-DRV） 驾驶过 1 辆车，其中 1 辆有查获记录")
    assert ex["subject"]["caption_zh"] == "王**（P-DRV）"
    assert ["Person", "P-DRV"] in drove["paths"][0]["nodes"]
    full = client.get("/portrait/Person/P-DRV/explain", headers=auth("analyst_pii")).json()
    assert next(x for x in full["reasons"] if x["kind"] == "drove")["text_zh"].startswith(
        "驾驶员 王五洋（P-DRV） 驾驶过 1 辆车")
