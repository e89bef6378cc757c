#!/usr/bin/env bash
# Make ./.venv ready: the heavy, pinned dependencies (torch, PyG, faiss, sentence-transformers,
# ArcadeDB with its JRE...) are installed ONCE per machine into a shared folder keyed by the
# hash of requirements.lock; ./.venv is a thin venv that sees that folder through a .pth
# file and holds only this checkout (through a second .pth file). A fresh clone on the same machine reuses the
# heavy install; a new lock makes a new folder. Set PS_DEPS_DIR to move the cache.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
LOCK=requirements.lock
[ -f "$LOCK" ] || LOCK=requirements.in
HASH=$(cat "$LOCK" | sha256sum | cut -c1-16)
CACHE=${PS_DEPS_DIR:-$HOME/.cache/portsentinel}
DEPS=$CACHE/deps-$HASH
if [ ! -f "$DEPS/.complete" ]; then
  echo "[venv] installing pinned dependencies into $DEPS (once per machine; torch is large)" >&2
  # a folder without .complete is a broken earlier attempt: start again
  rm -rf "$DEPS"
  mkdir -p "$CACHE"
  "$PY" -m venv "$DEPS"
  "$DEPS/bin/pip" install -q -r "$LOCK"
  touch "$DEPS/.complete"
fi
SITE=$("$DEPS/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
VSITE=.venv/lib/python3.11/site-packages
if [ ! -f "$VSITE/_portsentinel_deps.pth" ] || [ "$(cat "$VSITE/_portsentinel_deps.pth")" != "$SITE" ] \
   || [ "$(cat "$VSITE/_portsentinel_src.pth" 2>/dev/null)" != "$ROOT" ]; then
  rm -rf .venv
  "$PY" -m venv --without-pip .venv
  # this checkout first, then the shared dependencies
  echo "$ROOT" > "$VSITE/_portsentinel_src.pth"
  echo "$SITE" > "$VSITE/_portsentinel_deps.pth"
  printf '#!%s\nimport sys\nfrom api.cli import run\nrun()\n' "$ROOT/.venv/bin/python" > .venv/bin/portsentinel
  chmod +x .venv/bin/portsentinel
  echo "[venv] .venv ready (deps from $DEPS)" >&2
fi
