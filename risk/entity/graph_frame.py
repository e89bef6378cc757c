"""The entity graph as the entity model reads it, exported from the store (never from the
simulator's files): ``export_entity_graph(store=, cutoff=)`` / ``entity_graph(tables, cutoff=)``.

What is read (``EXPORT_LABELS`` / ``EXPORT_RELS``): declarations with their dates and their
importer, vehicle, container and bill of lading; inspections and cases with their dates;
enterprises, persons, vehicles, vessels, containers, addresses, phones; the registry links
(LEGAL_REP_OF, SHAREHOLDER_OF, LOCATED_AT, HAS_PHONE), DROVE, INVOLVED_IN and the entity-resolution
provenance ALIAS_OF.

* **Canonical entities.** A mention node (``CC:`` customs registration, ``TXT:`` bill consignee,
  ``PM:`` person mention) stands for the node its ALIAS_OF edge points to (entity resolution;
  a valid identity number links it at load time); a ``CC:`` node without one but carrying a
  ``uscc`` that is in the graph stands for that enterprise. Features, labels and scores are
  per canonical entity; every mention node gets its canonical entity's score.
* **Labels, only from before the cut-off**: a declaration's label is its last Inspection
  dated before ``cutoff`` (hit = 1, no_hit = 0); a declaration without any INSPECTED link
  (KCS rows) keeps its own ``fraud`` flag if it is dated before the cut-off; nothing else
  (an inspection recorded after the cut-off labels nothing). Declarations dated on or after
  the cut-off are not read. Cases count only when dated before the cut-off. Each declaration
  carries ``findings`` (what its labelling inspection found, hits only) and ``case_kind`` (the
  kind of a case before the cut-off it is in) — ``risk.entity.crossings`` reads them.
* **Drivers, per crossing.** A road declaration's ``driver`` is the canonical person of the
  driver recorded on its road manifest (Declaration-[:ON_MANIFEST]->Manifest<-[:DRIVER_OF]-
  Person, the mention followed through ALIAS_OF); where a case (before the cut-off) names a
  driver on the declaration, the case wins. DROVE (one edge per driver–vehicle pair) adds the
  driver–vehicle links themselves (``drove``). Neither is a label: a crossing dated on or after
  the cut-off is not read (its declaration is not), and labels stay inspections/cases.

``EntityGraph.fr`` is the dict ``risk.entity.features`` reads (``hist`` = the declaration
frame, ``enterprises`` = one registry link per row, ``shareholders``, ``truth`` = the id list
of every canonical enterprise / person / vehicle).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from risk.frame import EXPORT_LABELS, EXPORT_RELS, declaration_frame

ENTITY_LABELS = ("Enterprise", "Person", "Vehicle", "Vessel", "Container")
KIND_OF = {"Enterprise": "enterprise", "Person": "person", "Vehicle": "vehicle",
           "Vessel": "vessel", "Container": "container"}
LABEL_OF = {v: k for k, v in KIND_OF.items()}
GRAPH_LABELS = EXPORT_LABELS + ["Person", "Vehicle", "Vessel", "Container", "Address", "Phone",
                                "Case", "Manifest", "BillOfLading"]
GRAPH_RELS = EXPORT_RELS + ["LEGAL_REP_OF", "SHAREHOLDER_OF", "LOCATED_AT", "HAS_PHONE", "DROVE",
                            "CARRIED_BY", "IN_CONTAINER", "UNDER_BL", "INVOLVED_IN", "ALIAS_OF",
                            "ON_MANIFEST", "DRIVER_OF"]


@dataclass
class EntityGraph:
    fr: dict[str, Any]
    nodes: dict[str, list[str]]  # graph label -> every node key of that label
    canon: dict[str, dict[str, str]]  # graph label -> {node key: canonical key}
    conveyance: dict[str, Any]  # "Container"/"Vessel" -> frame (decl, key)
    previous: dict[str, dict[str, tuple[Any, Any]]]  # label -> {key: (risk_level, model_version)}
    cutoff: str | None = None
    window: dict[str, Any] = field(default_factory=dict)


def export_entity_graph(*, store: Any, cutoff: str | None = None, snapshot: Any = None
                        ) -> EntityGraph:
    """Export the entity graph from ``store`` (see the module docstring); from ``snapshot``
    (a ``graph.snapshot.Snapshot``) when it is still current for a reader of the entities'
    previous levels."""
    from graph.snapshot import export

    return entity_graph(export(store, GRAPH_LABELS, GRAPH_RELS, snapshot=snapshot,
                               risk_of=ENTITY_LABELS, reader="entity graph"), cutoff=cutoff)


def _rels(tables: Any, rtype: str, start: str | None = None, end: str | None = None) -> Any:
    import pandas as pd

    r = tables.relationships.get(rtype)
    if r is None or not len(r):
        return pd.DataFrame(columns=["start_key", "end_key", "start_label", "end_label"])
    if start and "start_label" in r:
        r = r[r["start_label"] == start]
    if end and "end_label" in r:
        r = r[r["end_label"] == end]
    return r


def _canon(tables: Any) -> dict[str, dict[str, str]]:
    """{label: {mention key: canonical key}} from ALIAS_OF (followed up to 3 hops) and the
    ``uscc`` a customs registration carries."""
    out: dict[str, dict[str, str]] = {"Enterprise": {}, "Person": {}}
    a = _rels(tables, "ALIAS_OF")
    for lab in out:
        sub = a[(a.get("start_label", lab) == lab)] if len(a) else a
        m = dict(zip(sub["start_key"].astype(str), sub["end_key"].astype(str)))
        for k in list(m):
            v, n = m[k], 0
            while v in m and n < 3:
                v, n = m[v], n + 1
            m[k] = v
        out[lab] = m
    ent = tables.nodes.get("Enterprise")
    if ent is not None and "uscc" in ent and len(ent):
        have = set(ent["key"].astype(str))
        for k, u in zip(ent["key"].astype(str), ent["uscc"]):
            if isinstance(u, str) and u and u in have and k != u and k not in out["Enterprise"]:
                out["Enterprise"][k] = u
    return out


def _labels(tables: Any, f: Any, cutoff: Any) -> Any:
    """Labels of the declaration frame from inspections before ``cutoff`` only."""
    import numpy as np
    import pandas as pd

    f["label"] = np.nan
    decl = tables.nodes["Declaration"].set_index("key")
    rel = _rels(tables, "INSPECTED", end="Declaration")
    ins = tables.nodes.get("Inspection")
    inspected = set(rel["end_key"].astype(str))
    if "fraud" in decl:  # KCS rows: recorded fraud flag, no Inspection nodes
        fr = pd.to_numeric(decl["fraud"], errors="coerce").astype("float64")
        own = ~f["key"].isin(inspected)
        f.loc[own, "label"] = f.loc[own, "key"].map(fr).values
    if ins is not None and len(ins) and len(rel):
        i = ins.set_index("key")
        d = rel.assign(res=rel["start_key"].map(i["result"]),
                       at=pd.to_datetime(rel["start_key"].map(i.get("date")), errors="coerce"))
        d = d.dropna(subset=["res"])
        if cutoff is not None:
            d = d[d["at"] < cutoff]
        d = d.sort_values("at", kind="stable").drop_duplicates("end_key", keep="last")
        y = d.set_index("end_key")["res"].map({"hit": 1.0, "no_hit": 0.0})
        hit = f["key"].map(y)
        f.loc[hit.notna(), "label"] = hit[hit.notna()].values
        if "findings" in i:  # what that inspection found (risk.entity.crossings reads it)
            fd = d.assign(fnd=d["start_key"].map(i["findings"])).set_index("end_key")["fnd"]
            f["findings"] = f["key"].map(fd)
    f["label"] = pd.to_numeric(f["label"], errors="coerce").astype(float)
    f["findings"] = (f["findings"].where(f["label"] == 1, "").fillna("").astype(str)
                     if "findings" in f else "")
    return f


def _cases(tables: Any, cutoff: Any) -> Any:
    """INVOLVED_IN rows of cases dated before the cut-off: (start_label, start_key, case, date)."""
    import pandas as pd

    c, inv = tables.nodes.get("Case"), _rels(tables, "INVOLVED_IN")
    if c is None or not len(c) or not len(inv):
        return pd.DataFrame(columns=["start_label", "start_key", "end_key", "date"])
    ci = c.set_index("key")
    cd = pd.to_datetime(ci.get("date"), errors="coerce")
    inv = inv.assign(date=inv["end_key"].map(cd)).dropna(subset=["date"])
    if "kind" in ci:
        inv = inv.assign(kind=inv["end_key"].map(ci["kind"]))
    return inv[inv["date"] < cutoff] if cutoff is not None else inv


def _crossing_drivers(tables: Any, cp: Any) -> Any:
    """{declaration key: canonical driver} from its road manifest's DRIVER_OF (one per
    declaration: the first manifest by key)."""
    import pandas as pd

    on = _rels(tables, "ON_MANIFEST", "Declaration", "Manifest")[["start_key", "end_key"]]
    dr = _rels(tables, "DRIVER_OF", "Person", "Manifest")[["start_key", "end_key"]]
    if not len(on) or not len(dr):
        return pd.Series(dtype=object)
    x = on.merge(dr, on="end_key", suffixes=("_d", "_p")).sort_values(["start_key_d", "end_key"])
    x = x.drop_duplicates("start_key_d")
    return pd.Series([cp(str(k)) for k in x["start_key_p"]], index=x["start_key_d"].astype(str))


def entity_graph(tables: Any, *, cutoff: str | None = None) -> EntityGraph:
    """The entity graph from a ``GraphStore.export`` (see the module docstring)."""
    import pandas as pd

    cut = pd.Timestamp(cutoff) if cutoff else None
    canon = _canon(tables)
    ce = lambda k: canon["Enterprise"].get(k, k)  # noqa: E731
    cp = lambda k: canon["Person"].get(k, k)  # noqa: E731
    f = declaration_frame(tables, cutoff=cutoff)
    f = f[f["date"] > pd.Timestamp("1970-01-01")].reset_index(drop=True)  # bare nodes: no date
    f = _labels(tables, f, cut)
    f["importer"] = f["importer"].map(lambda k: ce(k) if isinstance(k, str) else None)
    veh = _rels(tables, "CARRIED_BY", "Declaration", "Vehicle")
    f["vehicle"] = f["key"].map(veh.drop_duplicates("start_key").set_index("start_key")["end_key"])
    cases = _cases(tables, cut)
    dcase = cases[cases["start_label"] == "Declaration"][["start_key", "end_key"]]
    if "kind" in cases:  # the kind of the (first) case a declaration is in
        ck = cases[cases["start_label"] == "Declaration"].drop_duplicates("start_key")
        f["case_kind"] = f["key"].map(ck.set_index("start_key")["kind"]).fillna("").astype(str)
    else:
        f["case_kind"] = ""
    pcase = cases[cases["start_label"] == "Person"][["start_key", "end_key"]]
    drv = dcase.merge(pcase, on="end_key", suffixes=("_d", "_p"))
    f["driver"] = f["key"].map(drv.drop_duplicates("start_key_d").set_index("start_key_d")
                               ["start_key_p"].map(cp))
    f["driver"] = f["driver"].fillna(f["key"].map(_crossing_drivers(tables, cp)))
    rows: list[tuple[str, Any, Any, Any]] = []
    for rtype, slot in (("LEGAL_REP_OF", 1), ("LOCATED_AT", 2), ("HAS_PHONE", 3)):
        r = _rels(tables, rtype, "Person" if rtype == "LEGAL_REP_OF" else "Enterprise",
                  "Enterprise" if rtype == "LEGAL_REP_OF" else None)
        ek, ok = ("end_key", "start_key") if rtype == "LEGAL_REP_OF" else ("start_key", "end_key")
        for e, o in zip(r[ek].astype(str), r[ok].astype(str)):
            row: list[Any] = [ce(e), None, None, None]
            row[slot] = cp(o) if slot == 1 else o
            rows.append(tuple(row))  # type: ignore[arg-type]
    E = pd.DataFrame(rows, columns=["uscc", "legal_rep_id", "address", "phone"])
    sh = _rels(tables, "SHAREHOLDER_OF", "Person", "Enterprise")
    S = pd.DataFrame({"id_number": [cp(k) for k in sh["start_key"].astype(str)],
                      "uscc": [ce(k) for k in sh["end_key"].astype(str)]}).drop_duplicates()
    drove = _rels(tables, "DROVE", "Person", "Vehicle")
    D = pd.DataFrame({"person": [cp(k) for k in drove["start_key"].astype(str)],
                      "vehicle": drove["end_key"].astype(str).tolist()}).drop_duplicates()
    nodes = {lab: (tables.nodes[lab]["key"].astype(str).tolist()
                   if lab in tables.nodes and len(tables.nodes[lab]) else [])
             for lab in ENTITY_LABELS}
    truth = pd.DataFrame(
        [(KIND_OF[lab], k) for lab, fn in (("Enterprise", ce), ("Person", cp), ("Vehicle", str))
         for k in dict.fromkeys(fn(x) for x in nodes[lab])], columns=["entity_type", "id"])
    cont = _rels(tables, "IN_CONTAINER", "Declaration", "Container")
    bl = _rels(tables, "UNDER_BL", "Declaration", "BillOfLading")
    mbl = _rels(tables, "UNDER_BL", "Manifest", "BillOfLading")
    mv = _rels(tables, "CARRIED_BY", "Manifest", "Vessel")
    ves = (bl[["start_key", "end_key"]].merge(mbl[["start_key", "end_key"]], on="end_key",
                                              suffixes=("", "_m"))
           .merge(mv[["start_key", "end_key"]], left_on="start_key_m", right_on="start_key",
                  suffixes=("", "_v")))
    conv = {"Container": pd.DataFrame({"decl": cont["start_key"].astype(str),
                                       "key": cont["end_key"].astype(str)}),
            "Vessel": pd.DataFrame({"decl": ves["start_key"].astype(str),
                                    "key": ves["end_key_v"].astype(str)}).drop_duplicates()}
    prev: dict[str, dict[str, tuple[Any, Any]]] = {}
    for lab in ENTITY_LABELS:
        n = tables.nodes.get(lab)
        if n is not None and len(n) and "risk_level" in n:
            mv_ = n["model_version"] if "model_version" in n else [None] * len(n)
            prev[lab] = {str(k): (lv, v) for k, lv, v in zip(n["key"], n["risk_level"], mv_)
                         if isinstance(lv, str)}
    fr = {"hist": f, "enterprises": E, "shareholders": S, "drove": D, "truth": truth,
          "cases": cases.assign(start_key=[cp(k) if lab == "Person" else ce(k)
                                           if lab == "Enterprise" else k for lab, k in
                                           zip(cases["start_label"], cases["start_key"])])}
    window = {"from": str(f["date"].min().date()) if len(f) else None,
              "to": str(f["date"].max().date()) if len(f) else None,
              "declarations": int(len(f)), "labelled": int(f["label"].notna().sum()),
              "hits": int((f["label"] == 1).sum()), "cases": int(cases["end_key"].nunique())}
    return EntityGraph(fr=fr, nodes=nodes, canon=canon, conveyance=conv, previous=prev,
                       cutoff=cutoff, window=window)
