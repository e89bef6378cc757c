"""The embedded engine's data-dir protocol, shared by every process using one data dir:
where the engine lives, its root password, the owner's state file and locks, and whether a
live owner answers (see ``graph/embedded.py`` for the files). No JVM here."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import socket
import time
from pathlib import Path
from typing import Any, Iterator

from graph.config import GraphSettings
from graph.exceptions import GraphUnavailable


def engine_dir(settings: GraphSettings) -> Path:
    return Path(settings.data_dir).expanduser().resolve() / "arcadedb"


def write_private(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def root_password(settings: GraphSettings) -> str:
    """The engine's root password: generated on first use, kept 0600 under the data dir."""
    d = engine_dir(settings)
    d.mkdir(parents=True, exist_ok=True)
    p = d / "root.password"
    if not p.exists():
        write_private(p, secrets.token_urlsafe(24))
    return p.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def bolt_answers(port: int, timeout: float = 2.0) -> bool:
    """True when something on 127.0.0.1:port speaks the Bolt handshake."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(b"\x60\x60\xb0\x17" + b"\x00\x00\x04\x05" + b"\x00" * 12)
            return len(s.recv(4)) == 4
    except OSError:
        return False


def owner_lock_held(d: Path) -> bool:
    path = d / "owner.lock"
    if not path.exists():
        return False
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def running_server(settings: GraphSettings | None = None) -> dict[str, Any] | None:
    """The live owner's state for this data dir, or None (stale state files are ignored)."""
    settings = settings or GraphSettings()
    d = engine_dir(settings)
    try:
        state = json.loads((d / "server.json").read_text())
    except (OSError, ValueError):
        return None
    pid, port = int(state.get("pid", 0)), int(state.get("bolt_port", 0))
    if not pid or not port or not pid_alive(pid) or not owner_lock_held(d):
        return None
    if pid != os.getpid() and not bolt_answers(port):
        return None
    return state


@contextlib.contextmanager
def start_lock(d: Path, timeout: float = 180.0) -> Iterator[None]:
    d.mkdir(parents=True, exist_ok=True)
    with open(d / "start.lock", "a") as f:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise GraphUnavailable(f"another process is starting the engine in {d}")
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
