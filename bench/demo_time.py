"""Where `make demo`'s time goes: every step's wall seconds, the process's CPU seconds meanwhile
and the load, from the demo's own step lines (``api.demo_steps.step``), on a fresh data dir.

    # run the demo of this checkout on a fresh data dir (heavy: nice it) and record it
    nice -n 10 .venv/bin/python -P bench/demo_time.py run --data /tmp/demo-fresh \
        --out bench/results/demo_time_after.json
    # or read the log of a demo that already ran (`portsentinel demo --no-serve 2> LOG`,
    # optionally under `/usr/bin/time -v`, whose CPU and wall totals are read too)
    .venv/bin/python -P bench/demo_time.py parse LOG --out bench/results/demo_time_before.json
    # before / after side by side (JSON + bar chart of wall and CPU per step)
    .venv/bin/python -P bench/demo_time.py compare bench/results/demo_time_before.json \
        bench/results/demo_time_after.json --out bench/results/demo_time.json

Steps that ran side by side (the demo's ``Beside``) overlap in wall time, and their CPU
figures are the whole process's during each step, so they overlap too; the process's total
CPU (``/usr/bin/time`` or ``getrusage`` of the child) is the figure that adds up. Wall times
depend on what else the machine ran: the load is recorded at every step.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STEP = re.compile(r"\[demo\]   done: (?P<name>.+?) in (?P<wall>[\d.]+) s "
                  r"\((?:process )?cpu (?P<cpu>[\d.]+) s, load (?P<load>[\d.]+)\)")
TIME = {"user": r"User time \(seconds\): ([\d.]+)", "sys": r"System time \(seconds\): ([\d.]+)",
        "elapsed": r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)"}
SHORT = {"opening the graph engine": "engine", "loading the KCS declarations": "KCS load",
         "loading the simulated port world": "world", "building the knowledge index": "index",
         "training and promoting the declaration model": "declaration model",
         "training and promoting the entity graph model": "entity model",
         "scoring declarations and entities": "scoring + triage",
         "computing the explorer's starting points": "starting points",
         "exporting the graph for the models": "one export",
         "starting the knowledge index build": "index child start",
         "creating the demo users": "users"}


def parse_log(text: str) -> dict:
    steps = [{"step": m["name"], "wall_s": float(m["wall"]), "cpu_s": float(m["cpu"]),
              "load": float(m["load"])} for m in STEP.finditer(text)]
    out: dict = {"steps": steps, "failed": "[demo] FAILED" in text}
    for k, rx in TIME.items():
        m = re.search(rx, text)
        if m:
            v = m[1]
            if k == "elapsed":
                parts = [float(x) for x in v.split(":")]
                v = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
            out[f"time_{k}_s"] = float(v)
    if "time_user_s" in out:
        out["cpu_total_s"] = round(out["time_user_s"] + out.get("time_sys_s", 0), 1)
    m = re.findall(r"load ([\d.]+) ([\d.]+) ([\d.]+)", text)  # run_demo-style start/end lines
    if m:
        out["loadavg_start_end"] = [m[0], m[-1]]
    return out


def run(args) -> dict:
    if args.data.exists() and any(args.data.iterdir()):
        raise SystemExit(f"{args.data} is not empty: the demo is timed on a fresh data dir")
    env = dict(os.environ, PS_DATA_DIR=str(args.data.resolve()))
    cmd = [sys.executable, "-m", "api.cli", "demo", "--no-serve"]
    if args.shared:
        cmd += ["--shared", str(args.shared)]
    t0, load0 = time.monotonic(), os.getloadavg()
    p = subprocess.run(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                       text=True)
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = parse_log(p.stderr)
    out.update(returncode=p.returncode, wall_total_s=round(time.monotonic() - t0, 1),
               cpu_total_s=round(ru.ru_utime + ru.ru_stime, 1), loadavg_start=load0)
    (args.out.with_suffix(".log") if args.out else Path(os.devnull)).write_text(p.stderr)
    return out


def compare(args) -> dict:
    a, b = (json.loads(Path(p).read_text()) for p in (args.before, args.after))
    names = list(dict.fromkeys([s["step"] for s in a["steps"]] + [s["step"] for s in b["steps"]]))
    rows = []
    for n in names:
        sa = next((s for s in a["steps"] if s["step"] == n), None)
        sb = next((s for s in b["steps"] if s["step"] == n), None)
        rows.append({"step": n, "before": sa, "after": sb})
    out = {"before": str(args.before), "after": str(args.after), "steps": rows,
           "wall_total_s": [a.get("time_elapsed_s") or a.get("wall_total_s"),
                            b.get("time_elapsed_s") or b.get("wall_total_s")],
           "cpu_total_s": [a.get("cpu_total_s"), b.get("cpu_total_s")],
           "loadavg": os.getloadavg()}
    if args.out:
        _plot(rows, out, args.out.with_suffix(".png"))
    return out


def _plot(rows: list, out: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.6))
    labels = [SHORT.get(r["step"], r["step"][:18]) for r in rows]
    for ax, key, title in ((axes[0], "wall_s", "wall s per step"),
                           (axes[1], "cpu_s", "process CPU s during the step")):
        x = range(len(rows))
        for off, side, col in ((-0.2, "before", "#d62728"), (0.2, "after", "#2ca02c")):
            ax.bar([i + off for i in x], [(r[side] or {}).get(key, 0) for r in rows], 0.4,
                   label=side, color=col)
        ax.set_xticks(list(x), labels, rotation=35, ha="right", fontsize=8)
        ax.set_title(title)
        ax.legend()
    w, c = out["wall_total_s"], out["cpu_total_s"]
    fig.suptitle(f"make demo (fresh data dir): wall {w[0]:.0f} → {w[1]:.0f} s, process CPU "
                 f"{c[0]:.0f} → {c[1]:.0f} s; shared machine, load up to "
                 f"{max(s['load'] for r in rows for s in (r['before'], r['after']) if s):.0f}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--shared", type=Path, default=None)
    r.add_argument("--out", type=Path, default=None)
    p = sub.add_parser("parse")
    p.add_argument("log", type=Path)
    p.add_argument("--out", type=Path, default=None)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    c.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.cmd == "run":
        res = run(args)
    elif args.cmd == "parse":
        res = parse_log(args.log.read_text(errors="replace"))
    else:
        res = compare(args)
    res["loadavg"] = os.getloadavg()
    text = json.dumps(res, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
