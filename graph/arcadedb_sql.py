"""The embedded engine's bulk export in ArcadeDB's own SQL, over its HTTP API on loopback.

``GraphStore.export`` reads whole labels and relationship types (training, entity scoring).
Over Bolt, ArcadeDB's Cypher runs those statements at ~11k rows/s on this 2-core machine
(``bench/results/entity_store_io.json``); its SQL engine returns the same records several
times faster (``bench/entity_store_io.py`` measures both in one run), so on the embedded
engine ``Neo4jGraphStore._export`` reads through here. Neo4j keeps the Cypher export
(``graph/export.py``), which is fast there.

The frames are the Cypher export's: same rows, columns, extra properties and dtypes
(``test_embedded_sql_export_equals_the_cypher_export`` in
``tests/graph/test_store_conformance.py`` compares both on the same graph):

* a label: ``SELECT FROM `Label``` (polymorphic, so a ``Declaration~Document`` node is a
  Declaration, as ``MATCH (n:Declaration)`` has it), record metadata (``@rid`` ...) dropped;
* a relationship type: ``SELECT FROM `TYPE``` gives ``@out``/``@in`` record ids; they are
  mapped to keys and labels from the node reads (the end points' labels the ontology allows
  that were not asked for are read as ``@rid, @type, key`` only). A row is kept once per start
  label the ontology allows that the start node carries (what the Cypher export's one
  statement per start label returns);
* the time window (``since``/``until``) as SQL parameters. Labels and types come from the
  ontology only (checked again here), backquoted; types never written are not asked for.

Every read is paged by record id (``... WHERE @rid > :last_rid ORDER BY @rid LIMIT page``,
keyset pages the engine serves in record order without sorting): ArcadeDB answers at most
1,000,000 rows per HTTP response (``arcadedb.server.httpQueryMaxResultRows``) and builds each
answer whole in the engine's heap, which the embedded engine shares with this process (1 GB
by default). Unpaged, a 1M-entity world (1.5M declarations) failed both ways
(``bench/entity_scoring_db.py``); paged, at most ``WORKERS`` pages are in the heap at once.
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
from graph.export import node_frame, rel_frame
from graph.rows import primary_label

WORKERS = 2  # statements in flight (see _export)
PAGE = 100_000  # rows per statement (module docstring)
NODE_WHERE = ("(:since IS NULL OR last_seen >= :since) AND "
              "(:until IS NULL OR first_seen <= :until)")
REL_WHERE = ("(:since IS NULL OR ifnull(at, last_seen) >= :since) AND "
             "(:until IS NULL OR ifnull(at, last_seen) <= :until)")


class ArcadeSQL:
    """SQL statements on ``http://127.0.0.1:<port>/api/v1/query/<database>``."""

    def __init__(self, port: int, database: str, user: str, password: str, *,
                 timeout_s: float = 600.0, page: int = PAGE):
        self.page = max(1, int(page))
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

    def query_paged(self, what: str, select: str, where: str = "", **params: Any
                    ) -> list[dict[str, Any]]:
        """Every row of ``select`` (``SELECT ... FROM `Name```, which must return ``@rid``)
        with the condition ``where``, read in keyset pages of ``self.page`` by record id."""
        rows: list[dict[str, Any]] = []
        last = None
        while True:
            conds = ([f"({where})"] if where else []) + (["@rid > :last_rid"] if last else [])
            cond = f" WHERE {' AND '.join(conds)}" if conds else ""
            page = self.query(what, f"{select}{cond} ORDER BY @rid LIMIT {self.page}",
                              **params, **({"last_rid": last} if last else {}))
            rows.extend(page)
            if len(page) < self.page:
                return rows
            last = page[-1]["@rid"]

    def export(self, labels: list[str], rel_types: list[str], since: str | None,
               until: str | None) -> Tables:
        labels = [ontology.check_label(x).label for x in labels]  # names from the ontology only
        rel_types = [ontology.check_rel_type(x).type for x in rel_types]
        tw = {"since": since, "until": until}
        nw, rw = (NODE_WHERE, REL_WHERE) if since or until else ("", "")
        gc_was = gc.isenabled()
        gc.disable()  # millions of small dicts: the collector's passes would cost more than the reads
        try:
            return self._export(labels, rel_types, since, until, tw, nw, rw)
        finally:
            if gc_was:
                gc.enable()

    def _export(self, labels, rel_types, since, until, tw, nw, rw) -> Tables:
        from collections import deque
        from concurrent.futures import ThreadPoolExecutor

        ends = {x for t in rel_types for pair in ontology.check_rel_type(t).pairs for x in pair}
        if since is None and until is None:  # else the window's reads miss older end points
            ends -= set(labels)
        have = {r["name"] for r in self.query("schema types", "SELECT name FROM schema:types")}
        # a type never written does not exist (and asking for it logs a SEVERE stack trace)

        def job(what: str, select: str, name: str, where: str, params: dict) -> tuple:
            return (what, select if name in have else None, where, params)
        jobs = [job(f"export {l}", f"SELECT FROM `{l}`", l, nw, tw) for l in labels] + [
            job(f"keys of {l}", f"SELECT @rid, @type, key FROM `{l}`", l, "", {})
            for l in sorted(ends)] + [
            job(f"export {t}", f"SELECT FROM `{t}`", t, rw, tw) for t in rel_types]
        # two statements in flight: the engine (JVM threads, no GIL) answers the next while
        # this thread parses the last. Submitted as they are taken, not all at once: results
        # waiting for this thread would pile up (at 1M entities the whole export as dicts,
        # over 20 GB, bench/entity_scoring_db.py)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            todo, ahead = iter(jobs), deque()

            def take() -> list[dict[str, Any]]:
                while len(ahead) < WORKERS + 1:
                    j = next(todo, None)
                    if j is None:
                        break
                    w, q, c, p = j
                    ahead.append(pool.submit(self.query_paged, w, q, c, **p) if q else _done([]))
                return ahead.popleft().result()

            kinds: dict[str, tuple[list[str], str]] = {}  # @type -> (labels, primary), shared

            def kind(t: str) -> tuple[list[str], str]:
                if t not in kinds:
                    ls = t.split("~")
                    kinds[t] = (ls, primary_label(ls))
                return kinds[t]

            where: dict[str, tuple[list[str], str, str]] = {}  # rid -> (labels, key, label)
            node_frames: dict[str, Any] = {}
            for label in labels:
                recs = take()
                for p in recs:
                    ls, prim = kind(str(p.pop("@type", label)))
                    where[p.pop("@rid")] = (ls, p.get("key"), prim)
                    p.pop("@cat", None)
                node_frames[label] = node_frame(label, recs)
                del recs
            for label in sorted(ends):  # end points not asked for: their ids only, every one
                for p in take():
                    ls, prim = kind(str(p.get("@type", label)))
                    where[p["@rid"]] = (ls, p.get("key"), prim)
            rel_frames: dict[str, Any] = {}
            for t in rel_types:
                starts = sorted({s for s, _ in ontology.check_rel_type(t).pairs})
                recs = []
                for r in take():
                    a, b = where.get(r.pop("@out", None)), where.get(r.pop("@in", None))
                    if a is None or b is None:
                        continue  # an end point outside the ontology's labels
                    for k in ("@rid", "@type", "@cat"):
                        r.pop(k, None)
                    r["start_key"], r["end_key"], r["end_label"] = a[1], b[1], b[2]
                    mine = [s for s in starts if s in a[0]]
                    for i, s in enumerate(mine):  # GraphStore.export sorts the rows
                        row = r if i == len(mine) - 1 else dict(r)
                        row["start_label"] = s
                        recs.append(row)
                rel_frames[t] = rel_frame(t, recs)
                del recs
        return Tables(nodes=node_frames, relationships=rel_frames)


def _done(value: Any) -> Any:
    from concurrent.futures import Future

    f: Future = Future()
    f.set_result(value)
    return f
