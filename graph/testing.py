"""A real Neo4j 5.26 for tests and benchmarks: the Maven-built launcher in docker/neo4j-test/
(``make neo4j-jars``), started on a loopback port and stopped when the context exits."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

from graph.exceptions import GraphUnavailable

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER = ROOT / "docker" / "neo4j-test"


def launcher_classpath(build: bool = True) -> str:
    """Classpath of the launcher, building it with Maven first if needed."""
    jar, lib = LAUNCHER / "target" / "neo4j-test.jar", LAUNCHER / "target" / "lib"
    if not (jar.exists() and lib.is_dir()):
        if not build or not shutil.which("mvn"):
            raise GraphUnavailable("the Neo4j launcher is not built (run `make neo4j-jars`)")
        subprocess.run(["make", "-s", "-C", str(ROOT), "neo4j-jars"], check=True)
    return f"{jar}:{lib}/*"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def neo4j_server(home: Path, *, heap: str = "768m", timeout: float = 240.0,
                 pagecache_mb: int | None = None) -> Iterator[str]:
    """Run Neo4j 5.26 with its data under ``home``; yields its ``bolt://`` URI (no auth).
    ``pagecache_mb``: Neo4j's page cache (the launcher's default is 64 MiB, for tests)."""
    java = shutil.which("java")
    if not java:
        raise GraphUnavailable("java is not installed")
    cp = launcher_classpath()
    port = free_port()
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    log_path = home / "launcher.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [java, "-Xms256m", f"-Xmx{heap}", "-XX:+UseSerialGC",
             *([f"-Dportsentinel.pagecache={int(pagecache_mb) * 1024 * 1024}"]
               if pagecache_mb else []), "-cp", cp,
             "portsentinel.Neo4jTestServer", str(port), str(home / "db")],
            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while "NEO4J READY" not in log_path.read_text():
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise GraphUnavailable(f"Neo4j did not start (exit {proc.poll()}):\n"
                                           f"{log_path.read_text()[-3000:]}")
                time.sleep(0.3)
            yield f"bolt://127.0.0.1:{port}"
        finally:
            proc.stdin.close()  # the launcher shuts down when its stdin closes
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
