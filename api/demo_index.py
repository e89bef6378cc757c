"""The demo's regulation index, built in a child process beside the graph steps.

The index needs no graph: ``portsentinel demo`` starts ``python -m api.demo_index`` (the same
``build_kb`` as before: parse, concepts, BM25, the port-related texts embedded) when it starts,
so the build runs on the second core while the demo loads, trains and scores in its own process
(one process: threads there share one interpreter lock). The child stops once the index
serves; the demo's last step waits for it, loads the index and continues the embedding of the
remaining texts in its background thread (``KnowledgeBase.resume_dense``, the path a second
``make demo`` takes after a stopped build). A failed build fails that step with the child's
last lines.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPORT = "[demo-index] report "


@dataclass
class IndexBuild:
    proc: subprocess.Popen | None
    started: float
    missing: str = ""  # no corpus: the index step fails with this, when the demo gets there

    def stop(self) -> None:
        """End the child (the demo failed before its index step)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def start(data_dir: Path, corpus_dir: Path, extra_files: tuple[Path, ...]) -> IndexBuild:
    """Start the child building the index under ``data_dir`` (its stdout is read at the end;
    its progress goes to the demo's stderr)."""
    if not corpus_dir.is_dir():
        return IndexBuild(None, time.perf_counter(), f"no regulation corpus at {corpus_dir}")
    cmd = [sys.executable, "-m", "api.demo_index", str(data_dir), str(corpus_dir),
           *[str(f) for f in extra_files if f.exists()]]
    env = dict(os.environ, PS_DATA_DIR=str(data_dir))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    return IndexBuild(proc, time.perf_counter())


def wait(build: IndexBuild) -> dict[str, Any]:
    """The child's build report once it exits; RuntimeError when it failed."""
    if build.proc is None:
        raise FileNotFoundError(build.missing)
    out, _ = build.proc.communicate()
    lines = [ln for ln in (out or "").splitlines() if ln.startswith(REPORT)]
    if build.proc.returncode != 0 or not lines:
        raise RuntimeError(f"the index build exited with {build.proc.returncode}: "
                           + " | ".join((out or "").splitlines()[-5:]))
    rep = json.loads(lines[-1][len(REPORT):])
    rep["child_wall_s"] = round(time.perf_counter() - build.started, 1)
    return rep


def main(argv: list[str]) -> int:
    from knowledge import KnowledgeSettings, build_kb

    data_dir, corpus, *extra = (Path(a) for a in argv)
    ks = KnowledgeSettings(data_dir=data_dir)
    kb, report = build_kb(corpus_dir=corpus, settings=ks, extra_files=extra, background=True,
                          progress=lambda m: print(f"[demo-index] {m}", file=sys.stderr,
                                                   flush=True))
    job = getattr(kb, "dense_job", None)
    if job is not None:  # the rest is embedded by the demo (resume_dense): save nothing more
        job.save = False
    print(REPORT + json.dumps(report, ensure_ascii=False, default=str), flush=True)
    sys.stdout.flush()
    os._exit(0)  # not waiting for the background embedding thread (the demo resumes it)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
