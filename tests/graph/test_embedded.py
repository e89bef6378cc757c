"""The embedded engine shared between processes (serve + ingest at once) and its files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from graph import NodeRecord
from graph.embedded import engine_dir, running_server

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_state_and_password_files_are_private(embedded_store):
    d = engine_dir(embedded_store.test_settings)
    for name in ("root.password", "server.json"):
        mode = stat.S_IMODE((d / name).stat().st_mode)
        assert mode == 0o600, f"{name} is {oct(mode)}"
    state = json.loads((d / "server.json").read_text())
    assert state["pid"] == os.getpid()
    assert embedded_store.uri.endswith(f":{state['bolt_port']}")
    assert embedded_store.uri.startswith("bolt://127.0.0.1:")
    assert running_server(embedded_store.test_settings)["bolt_port"] == state["bolt_port"]


def test_second_process_connects_to_the_running_engine(clean_embedded_store):
    clean_embedded_store.upsert([NodeRecord("Country", "CN", {"name": "China"})])
    code = ("import json\n"
            "from graph import open_store, NodeRecord\n"
            "s = open_store()\n"
            "s.upsert([NodeRecord('Country', 'FR', {'name': 'France'})])\n"
            "print(json.dumps({'info': s.server_info(), 'counts': s.counts()}))\n"
            "s.close()\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PS_GRAPH_")}
    env.update(PYTHONPATH=str(ROOT),
               PS_DATA_DIR=str(clean_embedded_store.test_settings.data_dir))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["info"]["name"] == "embedded"  # over Bolt, not a second engine
    assert got["info"]["uri"] == clean_embedded_store.uri
    assert got["counts"]["nodes"] == {"Country": 2}
    assert clean_embedded_store.get("Country", "FR").props["name"] == "France"


def test_open_store_in_same_process_shares_the_engine(embedded_store):
    from graph import open_store
    other = open_store(embedded_store.test_settings, ensure_schema=False)
    try:
        assert other.uri == embedded_store.uri
        assert other.counts() == embedded_store.counts()
    finally:
        other.close()
    assert embedded_store.counts() is not None  # still up after the other store closed


@pytest.mark.slow
def test_cli_start_detached_then_status_counts_stop(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PS_GRAPH_")}
    env.update(PYTHONPATH=str(ROOT), PS_DATA_DIR=str(tmp_path / "var"), PS_GRAPH_HEAP="512m")

    def cli(*args):
        out = subprocess.run([sys.executable, "-m", "api.cli", "graph", *args, "--json"],
                             capture_output=True, text=True, env=env, timeout=240)
        return out.returncode, json.loads(out.stdout.strip().splitlines()[-1])

    rc, started = cli("start", "--detach")
    try:
        assert rc == 0 and started["started"], started
        rc, status = cli("status")
        assert status["running"] and status["pid"] == started["pid"]
        rc, counts = cli("counts")
        assert rc == 0 and counts["engine"] == "arcadedb" and counts["nodes"] == {}
        assert counts["uri"] == f"bolt://127.0.0.1:{started['bolt_port']}"
    finally:
        rc, stopped = cli("stop")
    assert stopped["stopped"], stopped
    rc, status = cli("status")
    assert status["running"] is False
