"""The embedded engine's bulk export in ArcadeDB's own SQL, over its HTTP API on loopback.

``GraphStore.export`` reads whole labels and relationship types (training, entity scoring).
Over Bolt, ArcadeDB's Cypher runs those statements at ~11k rows/s on this 2-core machine
(``bench/results/entity_store_io.json``); its SQL engine returns the same records several
times faster (``bench/entity_store_io.py`` measures both in one run), so on the embedded
engine ``Neo4jGraphStore._export`` reads through here. Neo4j keeps the Cypher export
(``graph/export.py``), which is fast there.

The frames are the Cypher export's: same rows, columns, extra properties and dtypes
(``tests/graph/test_export_sql.py`` compares both on the same graph):

* a label: ``SELECT FROM `Label``` (polymorphic, so a ``Declaration~Document`` node is a
  Declaration, as ``MATCH (n:Declaration)`` has it), record metadata (``@rid`` ...) dropped;
* a relationship type: ``SELECT FROM `TYPE``` gives ``@out``/``@in`` record ids; they are
  mapped to keys and labels from the node reads (the end points' labels the ontology allows
  that were not asked for are read as ``@rid, @type, key`` only). A row is kept once per start
  label the ontology allows that the start node carries (what the Cypher export's one
  statement per start label returns);
* the time window (``since``/``until``) as SQL parameters. Labels and types come from the
  ontology only (checked by ``GraphStore.export``), backquoted.

Each statement's result comes back whole (a label's records in memory once as JSON), as the
Cypher export's collected chunks did.
"""

from __future__ import annotations

import base64
import gc
import json
import urllib.error
import urllib.request
from typing import Any

from graph import ontology
from graph.exceptions import GraphUnavailable, QueryError
from graph.records import Tables
from graph.rows import primary_label, typed_frame

META = ("@rid", "@type", "@cat", "@in", "@out")
NODE_WHERE = ("(:since IS NULL OR last_seen >= :since) AND "
              "(:until IS NULL OR first_seen <= :until)")
REL_WHERE = ("(:since IS NULL OR ifnull(at, last_seen) >= :since) AND "
             "(:until IS NULL OR ifnull(at, last_seen) <= :until)")


class ArcadeSQL:
    """SQL statements on ``http://127.0.0.1:<port>/api/v1/query/<database>``."""

    def __init__(self, port: int, database: str, user: str, password: str, *,
                 timeout_s: float = 600.0):
        self.url = f"http://127.0.0.1:{int(port)}/api/v1/query/{database}"
        self._auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.timeout_s = float(timeout_s)

    def query(self, what: str, sql: str, **params: Any) -> list[dict[str, Any]]:
        body = json.dumps({"language": "sql", "command": sql, "params": params,
                           "limit": 2_000_000_000}).encode()
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Authorization": self._auth, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as r:
                return json.loads(r.read())["result"]
        except urllib.error.HTTPError as e:
            detail = e.read()[:300].decode("utf-8", "replace")
            if "was not found" in detail and "Type with name" in detail:
                return []  # no node/edge of that type was ever written
            raise QueryError(f"{what}: ArcadeDB SQL HTTP {e.code}: {detail}") from e
        except (urllib.error.URLError, OSError) as e:
            raise GraphUnavailable(f"{what}: ArcadeDB HTTP API at {self.url}: {e}") from e

    def export(self, labels: list[str], rel_types: list[str], since: str | None,
               until: str | None) -> Tables:
        import pandas as pd

        tw = {"since": since, "until": until}
        nw, rw = (f" WHERE {NODE_WHERE}", f" WHERE {REL_WHERE}") if since or until else ("", "")
        gc_was = gc.isenabled()
        gc.disable()  # millions of small dicts: the collector's passes would cost more than the reads
        try:
            return self._export(labels, rel_types, since, until, tw, nw, rw)
        finally:
            if gc_was:
                gc.enable()

    def _export(self, labels, rel_types, since, until, tw, nw, rw) -> Tables:
        import pandas as pd

        node_recs: dict[str, list[dict[str, Any]]] = {}
        where: dict[str, tuple[list[str], str]] = {}  # rid -> (labels, key)
        for label in labels:
            recs = self.query(f"export {label}", f"SELECT FROM `{label}`{nw}", **tw)
            for p in recs:
                where[p["@rid"]] = (str(p.get("@type", label)).split("~"), p.get("key"))
            node_recs[label] = recs
        ends = {x for t in rel_types for pair in ontology.check_rel_type(t).pairs for x in pair}
        if since is None and until is None:  # else the window's reads miss older end points
            ends -= set(labels)
        for label in sorted(ends):  # end points not asked for: their ids only, every one
            for p in self.query(f"keys of {label}", f"SELECT @rid, @type, key FROM `{label}`"):
                where[p["@rid"]] = (str(p.get("@type", label)).split("~"), p.get("key"))
        node_frames: dict[str, Any] = {}
        for label in labels:
            recs = [{k: v for k, v in p.items() if k not in META} for p in node_recs.pop(label)]
            cols = ["key", *ontology.NODE_TYPES[label].props, "sources", "first_seen",
                    "last_seen"]
            extra = sorted({k for p in recs for k in p} - set(cols))
            node_frames[label] = typed_frame(pd.DataFrame.from_records(recs, columns=cols + extra),
                                             ontology.NODE_TYPES[label].props)
        rel_frames: dict[str, Any] = {}
        for t in rel_types:
            starts = sorted({s for s, _ in ontology.check_rel_type(t).pairs})
            recs = []
            for r in self.query(f"export {t}", f"SELECT FROM `{t}`{rw}", **tw):
                a, b = where.get(r.get("@out")), where.get(r.get("@in"))
                if a is None or b is None:
                    continue  # an end point outside the ontology's labels
                props = {k: v for k, v in r.items() if k not in META}
                recs += [{"start_key": a[1], "end_key": b[1], "start_label": s,
                          "end_label": primary_label(b[0]), **props}
                         for s in starts if s in a[0]]
            recs.sort(key=lambda x: starts.index(x["start_label"]))  # the Cypher order
            cols = ["start_key", "end_key", "start_label", "end_label",
                    *ontology.REL_TYPES[t].props, "sources", "first_seen", "last_seen"]
            extra = sorted({k for p in recs for k in p} - set(cols))
            rel_frames[t] = typed_frame(pd.DataFrame.from_records(recs, columns=cols + extra),
                                        ontology.REL_TYPES[t].props)
        return Tables(nodes=node_frames, relationships=rel_frames)
