"""The embedded engine's data-dir protocol (graph.embedded_state) on tmp files, no engine."""

from __future__ import annotations

import fcntl
import json
import os
import stat

import pytest

from graph.config import GraphSettings
from graph.embedded_state import (engine_dir, owner_lock_held, pid_alive, root_password,
                                  running_server, write_private)

pytestmark = pytest.mark.unit


def test_root_password_is_generated_once_and_private(tmp_path):
    s = GraphSettings(data_dir=tmp_path)
    first = root_password(s)
    assert len(first) >= 24 and root_password(s) == first
    p = engine_dir(s) / "root.password"
    assert stat.S_IMODE(p.stat().st_mode) == 0o600


def test_write_private_replaces_atomically_with_mode_600(tmp_path):
    p = tmp_path / "x.json"
    write_private(p, "one")
    write_private(p, "two")
    assert p.read_text() == "two" and stat.S_IMODE(p.stat().st_mode) == 0o600
    assert [q.name for q in tmp_path.iterdir()] == ["x.json"]  # no temp file left


def test_a_stale_state_file_is_no_running_server(tmp_path):
    s = GraphSettings(data_dir=tmp_path)
    d = engine_dir(s)
    d.mkdir(parents=True)
    assert running_server(s) is None  # no state file
    write_private(d / "server.json", json.dumps({"pid": os.getpid(), "bolt_port": 1}))
    assert running_server(s) is None  # nobody holds the owner lock


def test_owner_lock_held_only_while_someone_holds_it(tmp_path):
    assert owner_lock_held(tmp_path) is False  # no lock file
    with open(tmp_path / "owner.lock", "a") as f:
        assert owner_lock_held(tmp_path) is False
        fcntl.flock(f, fcntl.LOCK_EX)
        assert owner_lock_held(tmp_path) is True  # flock is per open file description
        fcntl.flock(f, fcntl.LOCK_UN)
    assert owner_lock_held(tmp_path) is False


def test_pid_alive():
    assert pid_alive(os.getpid()) is True
    assert pid_alive(2**22 + 12345) is False
