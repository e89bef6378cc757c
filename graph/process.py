"""Process exit when the embedded engine's JVM lives in this process.

JPype terminates the JVM from an ``atexit`` hook during interpreter finalisation. With
torch, faiss or spaCy also loaded in the process, that termination segfaults (measured
here: ``Fatal Python error: Segmentation fault`` in ``jpype._core._JTerminate`` after all
work was done, exit status 139). Once our own engine has been stopped cleanly (its data is
flushed by ``EmbeddedEngine.stop``) nothing is left for finalisation to do, so callers that
end a process (the CLI, the test runner) leave through ``exit_process`` instead.
"""

from __future__ import annotations

import os
import sys


def jvm_started() -> bool:
    jpype = sys.modules.get("jpype")
    try:
        return bool(jpype and jpype.isJVMStarted())
    except Exception:  # noqa: BLE001 - a half-initialised jpype counts as not started
        return False


def exit_process(code: int) -> None:
    """Stop what runs in this process, flush, and exit with ``code``, skipping the JVM's
    crash-prone finalisation. Returns (and lets Python exit normally) without a JVM."""
    if not jvm_started():
        return
    import atexit

    core = sys.modules.get("jpype._core")
    if core is not None and hasattr(core, "_JTerminate"):
        atexit.unregister(core._JTerminate)  # the crash-prone JVM termination
    atexit._run_exitfuncs()  # every other hook: close stores, stop the engine, flush logs
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass
    os._exit(code)
