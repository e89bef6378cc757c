"""Crafted graph situations for each warning rule: a firing one and a near-miss.

Each builder writes its background into ``store`` and returns the records of the "new"
ingest batch (also written), which the test hands to the warnings service. Keys are unique
per builder so scenarios never see each other.
"""

from __future__ import annotations

from datetime import date, timedelta

from graph.base import NodeRecord as N
from graph.base import RelRecord as R

SRC = "test-warnings"


def write(store, records):
    nodes = [r for r in records if isinstance(r, N)]
    rels = [r for r in records if isinstance(r, R)]
    store.upsert(nodes, rels)
    return list(records)


def rel(t, sl, sk, el, ek, **props):
    return R(t, sl, sk, el, ek, props, source=SRC)


def node(label, key, **props):
    return N(label, key, props, source=SRC)


# -- risky link -----------------------------------------------------------------------------
def risky_link_case(store, p="P-CASE-1", e="91310000MA1K000001", kind="走私"):
    write(store, [node("Person", p, role="legal_rep"), node("Case", f"CASE-{p}", kind=kind),
                  rel("INVOLVED_IN", "Person", p, "Case", f"CASE-{p}", role="suspect")])
    return write(store, [node("Enterprise", e, name="新设贸易有限公司", registered_on="2026-11-01"),
                         rel("LEGAL_REP_OF", "Person", p, "Enterprise", e, since="2026-11-02")])


def risky_link_high_risk(store, p="P-HIGH-1", e="91310000MA1K000002"):
    write(store, [node("Person", p, risk_level="高", risk_score=0.8)])
    return write(store, [node("Enterprise", e, name="另一贸易公司"),
                         rel("SHAREHOLDER_OF", "Person", p, "Enterprise", e, share=0.4)])


def risky_link_near_miss(store, p="P-CLEAN-1", e="91310000MA1K000003"):
    write(store, [node("Person", p, risk_level="低"), node("Case", "CASE-OTHER", kind="走私")])
    return write(store, [node("Enterprise", e, name="清白公司"),
                         rel("LEGAL_REP_OF", "Person", p, "Enterprise", e)])


# -- watch list -----------------------------------------------------------------------------
def watchlist_vehicle_in_declaration(store, v="粤B12345", d="DECL-W-1", port="P5301",
                                     watched=True):
    write(store, [node("Port", port, name="皇岗口岸"), node("Vehicle", v, plate=v,
                                                          watchlisted=watched)])
    return write(store, [node("Declaration", d, date="2026-11-20", status="pending"),
                         rel("AT_PORT", "Declaration", d, "Port", port, at="2026-11-20T08:00:00"),
                         rel("CARRIED_BY", "Declaration", d, "Vehicle", v,
                             at="2026-11-20T08:00:00")])


def watchlist_driver_at_checkpoint(store, person="P-DRIVER-1", v="粤B54321", port="P5302"):
    write(store, [node("Port", port, name="文锦渡口岸"), node("Person", person, role="driver",
                                                            watchlisted=True),
                  node("Vehicle", v, plate=v, watchlisted=False)])
    return write(store, [rel("DROVE", "Person", person, "Vehicle", v, at="2026-11-21T09:00:00"),
                         rel("AT_PORT", "Vehicle", v, "Port", port, at="2026-11-21T09:05:00")])


def watchlist_container_at_checkpoint(store, c="MSKU7654321", port="P5303"):
    write(store, [node("Port", port), node("Container", c, watchlisted=True)])
    return write(store, [rel("AT_PORT", "Container", c, "Port", port, at="2026-11-21T10:00:00")])


def watchlist_vehicle_nowhere(store, v="粤B99999", person="P-DRIVER-2"):
    """Near-miss: a watch-listed vehicle, but in no declaration and at no checkpoint."""
    write(store, [node("Vehicle", v, plate=v, watchlisted=True),
                  node("Person", person, watchlisted=False)])
    return write(store, [rel("DROVE", "Person", person, "Vehicle", v, at="2026-11-21T09:00:00")])


# -- volume spike ---------------------------------------------------------------------------
def volume_spike(store, e="91440300MA5SPIKE01", registered="2026-10-01", n=25, start="2026-11-20",
                 prefix="DECL-SPIKE"):
    write(store, [node("Enterprise", e, name="突增贸易公司", registered_on=registered)])
    d0 = date.fromisoformat(start)
    recs = []
    for i in range(n):
        day = (d0 + timedelta(days=i % 7)).isoformat()
        k = f"{prefix}-{e[-4:]}-{i:03d}"
        recs += [node("Declaration", k, date=day, status="cleared"),
                 rel("DECLARED", "Enterprise", e, "Declaration", k, at=f"{day}T10:00:00")]
    return write(store, recs)


# -- credit downgrade -----------------------------------------------------------------------
def credit_downgrade(store, e="91440300MA5CREDIT1", status="pending", before="一般认证",
                     after="失信"):
    """Returns (first batch, second batch): the enterprise as first seen, then downgraded."""
    first = write(store, [node("Enterprise", e, name="信用下调公司", credit_level=before),
                          node("Declaration", f"DECL-CR-{e[-4:]}", date="2026-11-25",
                               status=status),
                          rel("DECLARED", "Enterprise", e, "Declaration", f"DECL-CR-{e[-4:]}",
                              at="2026-11-25T10:00:00")])
    second = write(store, [node("Enterprise", e, credit_level=after)])
    return first, second


# -- cargo backlog --------------------------------------------------------------------------
def yard_occupancy(store, port="P-YARD-1", occ=900, cap=1000):
    return write(store, [node("Port", port, name="洋山港区", yard_capacity=cap,
                              yard_occupancy=occ)])


def container_dwell(store, port="P-DWELL-1", released=False, old="2026-11-01T08:00:00",
                    new="2026-11-10T08:00:00"):
    props = {"released_at": "2026-11-02T08:00:00"} if released else {}
    write(store, [node("Port", port), node("Container", f"OLDU{port[-1]}000001", **props),
                  node("Container", f"NEWU{port[-1]}000002")])
    return write(store, [rel("AT_PORT", "Container", f"OLDU{port[-1]}000001", "Port", port, at=old),
                         rel("AT_PORT", "Container", f"NEWU{port[-1]}000002", "Port", port, at=new)])


# -- inconsistent goods ---------------------------------------------------------------------
def inconsistent_goods(store, c="TGHU1111111", hs_a="8517120000", hs_b="8471300000",
                       origin_a="VN", origin_b="VN", port_a="P2201", port_b="P2202", tag="X"):
    da, db = f"DECL-IG-{tag}-A", f"DECL-IG-{tag}-B"
    write(store, [node("Container", c), node("Port", port_a), node("Port", port_b),
                  node("Goods", hs_a), node("Goods", hs_b), node("Country", origin_a),
                  node("Country", origin_b),
                  node("Declaration", da, date="2026-11-10"),
                  rel("AT_PORT", "Declaration", da, "Port", port_a, at="2026-11-10T08:00:00"),
                  rel("HAS_ITEM", "Declaration", da, "Goods", hs_a, item_no=1),
                  rel("ORIGIN", "Declaration", da, "Country", origin_a),
                  rel("IN_CONTAINER", "Declaration", da, "Container", c)])
    return write(store, [node("Declaration", db, date="2026-11-12"),
                         rel("AT_PORT", "Declaration", db, "Port", port_b, at="2026-11-12T08:00:00"),
                         rel("HAS_ITEM", "Declaration", db, "Goods", hs_b, item_no=1),
                         rel("ORIGIN", "Declaration", db, "Country", origin_b),
                         rel("IN_CONTAINER", "Declaration", db, "Container", c)])


def assert_evidence_real(store, evidence):
    """Every node and relationship of the evidence exists in the graph."""
    assert evidence["nodes"], "evidence has no nodes"
    for n in evidence["nodes"]:
        assert store.get(n["label"], n["key"]) is not None, f"evidence node {n} not in graph"
    for r in evidence["relationships"]:
        (sl, sk), (el, ek) = r["start"], r["end"]
        sg = store.neighbourhood(sl, sk, hops=1, rel_types=[r["type"]], limit=1000)
        ends = {(x.type, tuple(x.start), tuple(x.end)) for x in sg.relationships}
        assert (r["type"], (sl, sk), (el, ek)) in ends, f"evidence relationship {r} not in graph"
