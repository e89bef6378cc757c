"""The embedded graph engine: ArcadeDB in-process (PyPI ``arcadedb-embedded``, its own JRE),
serving Bolt on 127.0.0.1 through ``com.arcadedb.bolt.BoltProtocolPlugin``.

Several processes share one data dir (``portsentinel serve`` and ``portsentinel ingest`` at
once): exactly one of them *owns* the engine, the others talk to it over Bolt.

Files under ``<PS_DATA_DIR>/arcadedb/`` (all 0600; the protocol around them, which needs no JVM,
is ``graph/embedded_state.py``):
  * ``root.password`` - generated once (ArcadeDB keeps the root user it first created);
  * ``server.json``   - ``{pid, bolt_port, http_port, database, started_at}`` of the owner;
  * ``owner.lock``    - flock held by the owning process for as long as the engine runs
                        (the kernel drops it when that process dies, however it dies);
  * ``start.lock``    - flock held while deciding connect-or-start, so two processes
                        starting at once do not both open the database;
  * ``server.log``    - output of a detached server (``portsentinel graph start --detach``);
  * ``databases/``    - the data.

``open_store()`` decides: PS_GRAPH_URI set -> that server; else a live owner (state file,
pid alive, Bolt answering, owner lock held) -> connect to it; else start the engine in this
process (the store's ``close()`` releases it; the JVM stays, a process can only have one).
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

from graph.clock import now_iso
from graph.config import GraphSettings
from graph.embedded_state import (engine_dir, free_port, owner_lock_held, pid_alive,
                                  root_password, running_server, start_lock, write_private)
from graph.exceptions import GraphUnavailable

log = logging.getLogger(__name__)

DATABASE = "portsentinel"
BOLT_PLUGIN = "Bolt:com.arcadedb.bolt.BoltProtocolPlugin"
ROOT_USER = "root"


class EmbeddedServer:
    """ArcadeDB in this process, Bolt on 127.0.0.1. ``start()`` / ``stop()``."""

    def __init__(self, settings: GraphSettings | None = None):
        self.settings = settings or GraphSettings()
        self.dir = engine_dir(self.settings)
        self.bolt_port = 0
        self.http_port = 0
        self._server = None
        self._owner_fd = None

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def start(self) -> "EmbeddedServer":
        """Start the engine; refuses if another live process owns this data dir."""
        with start_lock(self.dir):
            if running_server(self.settings):
                raise GraphUnavailable(f"an embedded engine already runs for {self.dir}")
            self._start_locked()
        return self

    def _start_locked(self) -> None:
        owner = open(self.dir / "owner.lock", "a")
        try:
            fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            owner.close()
            raise GraphUnavailable(f"the engine in {self.dir} is owned by another process") from e
        self._owner_fd = owner
        password = root_password(self.settings)
        self.bolt_port = self.settings.bolt_port or free_port()
        self.http_port = free_port()
        try:
            from arcadedb_embedded.jvm import start_jvm
            from arcadedb_embedded.server import ArcadeDBServer
        except ImportError as e:  # pragma: no cover - install hint
            self._release()
            raise GraphUnavailable("the embedded engine needs `pip install arcadedb-embedded` "
                                   "(or set PS_GRAPH_URI to a Neo4j server)") from e
        t0 = time.monotonic()
        try:
            import jpype
            if not jpype.isJVMStarted():  # one JVM per process: the first engine's settings
                start_jvm(heap_size=self.settings.heap,
                          jvm_args=[f"-Djava.util.logging.config.file={self._log_config()}"])
            server = ArcadeDBServer(
                root_path=str(self.dir), root_password=password,
                config={"host": "127.0.0.1", "http_port": self.http_port,
                        "server_plugins": BOLT_PLUGIN, "bolt_port": self.bolt_port,
                        "bolt_defaultDatabase": DATABASE})
            server.start()
            server.create_database(DATABASE)
        except Exception as e:  # noqa: BLE001 - wrapped with its cause
            self._release()
            raise GraphUnavailable(f"embedded ArcadeDB did not start in {self.dir}: {e}") from e
        self._server = server
        state = {"pid": os.getpid(), "bolt_port": self.bolt_port, "http_port": self.http_port,
                 "database": DATABASE, "user": ROOT_USER, "data_dir": str(self.dir),
                 "started_at": now_iso()}
        write_private(self.dir / "server.json", json.dumps(state, indent=2))
        atexit.register(self.stop)
        log.info("embedded ArcadeDB on %s (data %s) in %.1fs", self.uri, self.dir,
                 time.monotonic() - t0)

    def _log_config(self) -> Path:
        """ArcadeDB logs to <dir>/log/ (not ./log of the cwd); the console gets warnings."""
        (self.dir / "log").mkdir(parents=True, exist_ok=True)
        p = self.dir / "logging.properties"
        p.write_text("\n".join([
            "handlers = java.util.logging.ConsoleHandler, java.util.logging.FileHandler",
            ".level = INFO", "io.undertow.level = WARNING", "org.xnio.level = WARNING",
            "org.jboss.level = WARNING",
            "java.util.logging.ConsoleHandler.level = WARNING",
            "java.util.logging.ConsoleHandler.formatter = com.arcadedb.log.LogFormatter",
            "java.util.logging.FileHandler.level = INFO",
            f"java.util.logging.FileHandler.pattern = {self.dir / 'log' / 'arcadedb.log'}",
            "java.util.logging.FileHandler.formatter = com.arcadedb.log.LogFormatter",
            "java.util.logging.FileHandler.limit = 10000000",
            "java.util.logging.FileHandler.count = 3", ""]))
        return p

    def _release(self) -> None:
        fd, self._owner_fd = self._owner_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            fd.close()

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        try:
            server.stop()
        except Exception as e:  # noqa: BLE001 - shutting down; log and go on
            log.warning("embedded ArcadeDB stop: %s", e)
        with contextlib.suppress(OSError):
            state = json.loads((self.dir / "server.json").read_text())
            if int(state.get("pid", 0)) == os.getpid():
                (self.dir / "server.json").unlink()
        self._release()
        log.info("embedded ArcadeDB stopped (%s)", self.dir)


# -- one engine per process, shared by every store opened in it --------------------------
_lock = threading.Lock()
_local: dict[Path, tuple[EmbeddedServer, int]] = {}
_local_stores: "weakref.WeakSet[Any]" = weakref.WeakSet()


def _shutdown_local() -> None:
    """At exit: close stores left open (ArcadeDB's stop waits on open Bolt connections,
    so a forgotten store would hang the exit), then stop what still runs."""
    for store in list(_local_stores):
        with contextlib.suppress(Exception):
            store.close()
    with _lock:
        servers = [srv for srv, _ in _local.values()]
        _local.clear()
    for srv in servers:
        srv.stop()


def _acquire_local(settings: GraphSettings) -> EmbeddedServer:
    d = engine_dir(settings)
    with _lock:
        srv, n = _local.get(d, (None, 0))
        if srv is None:
            srv = EmbeddedServer(settings)
            srv._start_locked()
            if not _local:
                atexit.register(_shutdown_local)  # after the JVM's own exit hook: runs first
        _local[d] = (srv, n + 1)
        return srv


def _release_local(d: Path) -> None:
    with _lock:
        srv, n = _local.get(d, (None, 0))
        if srv is None:
            return
        if n <= 1:
            del _local[d]
            srv.stop()
        else:
            _local[d] = (srv, n - 1)


def open_store(settings: GraphSettings | None = None, *, ensure_schema: bool = True):
    """A connected GraphStore: PS_GRAPH_URI's server, else the embedded engine of this data
    dir (another process's over Bolt if one runs, else started here)."""
    from graph.neo4j import Neo4jGraphStore

    settings = settings or GraphSettings()
    if settings.uri:
        pw = settings.password.get_secret_value() if settings.password else None
        store = Neo4jGraphStore(settings.uri, settings.user, pw, database=settings.database,
                                batch_size=settings.batch_size, name="server",
                                query_timeout_s=settings.query_timeout_s,
                                bulk_timeout_s=settings.bulk_timeout_s,
                                expand_fanout=settings.expand_fanout,
                                supernode_degree=settings.supernode_degree)
    else:
        d = engine_dir(settings)
        with start_lock(d):
            with _lock:
                local = _local.get(d)
            state = None if local else running_server(settings)
            if state:
                uri, on_close, name = f"bolt://127.0.0.1:{state['bolt_port']}", None, "embedded"
                http_port = state.get("http_port")
            else:
                srv = _acquire_local(settings)
                uri, name, http_port = srv.uri, "embedded (in-process)", srv.http_port

                def on_close(d: Path = d) -> None:
                    _release_local(d)
        store = Neo4jGraphStore(uri, ROOT_USER, root_password(settings), database=None,
                                batch_size=settings.batch_size, on_close=on_close, name=name,
                                query_timeout_s=settings.query_timeout_s,
                                bulk_timeout_s=settings.bulk_timeout_s,
                                expand_fanout=settings.expand_fanout,
                                supernode_degree=settings.supernode_degree)
        if on_close is not None:
            _local_stores.add(store)
        from graph.side_index import SideIndex
        store.side_index = SideIndex(d / "search.sqlite")  # graph/side_index.py
        if http_port:
            from graph.arcadedb_sql import ArcadeSQL
            store.sql = ArcadeSQL(int(http_port), DATABASE, ROOT_USER, root_password(settings),
                                  timeout_s=settings.bulk_timeout_s)
    try:
        store.connect()
        if ensure_schema:
            store.ensure_schema()
    except BaseException:
        store.close()
        raise
    return store


# -- `python -m graph.embedded`: the engine as a foreground server --------------------------
def serve_forever(settings: GraphSettings | None = None, ready=print) -> int:
    """Own the engine until SIGTERM/SIGINT; used by ``portsentinel graph start``."""
    settings = settings or GraphSettings()
    srv = EmbeddedServer(settings).start()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    ready(f"PORTSENTINEL GRAPH READY {srv.uri} pid={os.getpid()} data={srv.dir}")
    try:
        while not stop.wait(1.0):
            pass
    finally:
        # ArcadeDB's stop waits for open Bolt clients; give it 30 s, then leave anyway
        # (each commit is already durable, an open transaction is rolled back on restart)
        t = threading.Thread(target=srv.stop, daemon=True)
        t.start()
        t.join(30.0)
        if t.is_alive():
            log.warning("engine stop timed out with clients connected; exiting")
            os._exit(0)
    return 0


def stop_server(settings: GraphSettings | None = None, timeout: float = 60.0) -> dict[str, Any]:
    """SIGTERM the owner of this data dir's engine and wait until it has let go."""
    settings = settings or GraphSettings()
    state = running_server(settings)
    if not state:
        return {"stopped": False, "reason": "no embedded engine runs for this data dir"}
    pid = int(state["pid"])
    if pid == os.getpid():
        return {"stopped": False, "reason": "the engine runs in this process"}
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid) or not owner_lock_held(engine_dir(settings)):
            return {"stopped": True, "pid": pid}
        time.sleep(0.2)
    return {"stopped": False, "pid": pid, "reason": f"still running after {timeout:.0f}s"}


if __name__ == "__main__":  # pragma: no cover - exercised through the CLI
    logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    raise SystemExit(serve_forever())
