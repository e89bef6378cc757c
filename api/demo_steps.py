"""How ``portsentinel demo`` runs its steps: each timed (wall, the process's CPU seconds, the
load), a failure stopping the demo with the step's name (``DemoStepFailed``, exit 1), and
independent steps side by side (``Beside``)."""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from typing import Any, Callable, TypeVar

T = TypeVar("T")


class DemoStepFailed(RuntimeError):
    """A demo step failed; the message names the step and the cause."""


def say(msg: str) -> None:
    print(f"[demo] {msg}", file=sys.stderr, flush=True)


def _cpu() -> float:
    """CPU seconds of this process (every thread, the embedded engine's JVM included) and
    its children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def step(name: str, fn: Callable[..., T], *a: Any, **kw: Any) -> T:
    """Run one step; a failure stops the demo (``DemoStepFailed``, exit 1). Prints its wall
    time, the process's CPU seconds meanwhile (steps running side by side share that
    figure) and the load."""
    say(f"{name} …")
    t0, c0 = time.perf_counter(), _cpu()
    try:
        out = fn(*a, **kw)
        say(f"  done: {name} in {time.perf_counter() - t0:.1f} s "
            f"(process cpu {_cpu() - c0:.1f} s, load {os.getloadavg()[0]:.1f})")
        return out
    except Exception as e:
        say(f"FAILED: {name} — {type(e).__name__}: {e}")
        raise DemoStepFailed(f"demo step {name!r} failed: {type(e).__name__}: {e}") from e


class Beside:
    """A step run in a thread beside the next ones (it shares nothing with them but the
    graph store, which serves many threads); ``result()`` waits for it, and its failure
    stops the demo like any step's."""

    def __init__(self, name: str, fn: Callable[..., Any], *a: Any, **kw: Any):
        self.name, self._out, self._err = name, None, None
        self._thread = threading.Thread(target=self._run, args=(fn, a, kw), daemon=True,
                                        name=f"demo: {name}")
        self._thread.start()

    def _run(self, fn: Callable[..., Any], a: tuple, kw: dict) -> None:
        try:
            self._out = step(self.name, fn, *a, **kw)
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            self._err = e

    def check(self) -> None:
        """Stop the demo now if this step already failed (not only when it is waited for)."""
        if self._err is not None and not self._thread.is_alive():
            raise self._err

    def result(self) -> Any:
        if self._thread.is_alive():
            say(f"  waiting for: {self.name}")
        self._thread.join()
        if self._err is not None:
            raise self._err
        return self._out
