"""Model registry: versioned, checksummed artifacts with metrics and a data hash.

Layout under ``<PS_DATA_DIR>/models/<name>/``::

    registry.json            {"versions": [...], "promoted": "v003", "history": ["v001", "v003"]}
    v003/model.bin           the artifact (risk.base.RiskModel.save)
    v003/meta.json           version, sha256, metrics, data_hash, model card, created_at

Rules: ``promote`` verifies the artifact's sha256 first and refuses a missing or corrupted
one (the promoted version does not change); ``rollback`` re-promotes the previously promoted
version; ``load_promoted`` verifies the checksum on every load and, when the promoted
artifact is missing or corrupted, refuses it with a clear message and serves the most recent
earlier promoted version that still verifies (reported in ``info["refused"]``).
Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from graph.clock import now_iso
from risk.exceptions import ModelArtifactError, RegistryError

log = logging.getLogger(__name__)
ARTIFACT = "model.bin"


def _root(name: str | None, data_dir: str | Path | None) -> Path:
    from risk.config import RiskSettings

    s = RiskSettings() if data_dir is None else RiskSettings(data_dir=Path(data_dir))
    return s.models_dir / (name or s.registry_name)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _read_index(root: Path) -> dict[str, Any]:
    p = root / "registry.json"
    if not p.exists():
        return {"versions": [], "promoted": None, "history": []}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise RegistryError(f"model registry index {p} cannot be read: {e}") from e


def _write_index(root: Path, idx: dict[str, Any]) -> None:
    _atomic_write(root / "registry.json", json.dumps(idx, ensure_ascii=False, indent=1))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def data_hash(frame: Any) -> str:
    """Stable hash of a training frame (keys, dates, labels)."""
    import pandas as pd

    cols = [c for c in ("key", "date", "label") if c in frame]
    h = pd.util.hash_pandas_object(frame[cols], index=False).to_numpy().tobytes()
    return hashlib.sha256(h).hexdigest()[:16]


def _version_info(idx: dict[str, Any], version: str) -> dict[str, Any]:
    for v in idx["versions"]:
        if v["version"] == version:
            return v
    raise RegistryError(f"model version {version!r} is not registered "
                        f"(known: {', '.join(v['version'] for v in idx['versions']) or 'none'})")


def version_info(*, version: str, name: str | None = None,
                 data_dir: str | Path | None = None) -> dict[str, Any]:
    """A registered version's entry (metrics, card, score reference), without loading it."""
    return _version_info(_read_index(_root(name, data_dir)), version)


def verify(*, version: str, name: str | None = None, data_dir: str | Path | None = None
           ) -> dict[str, Any]:
    """Check that the version's artifact exists and matches its recorded sha256."""
    root = _root(name, data_dir)
    info = _version_info(_read_index(root), version)
    art = root / version / ARTIFACT
    if not art.is_file():
        raise ModelArtifactError(f"model {version}: artifact missing ({art}); refusing it")
    got = sha256_file(art)
    if got != info["sha256"]:
        raise ModelArtifactError(f"model {version}: artifact {art} is corrupted (sha256 {got[:12]}… "
                                 f"!= recorded {info['sha256'][:12]}…); refusing it")
    return info


def register(*, model: Any, metrics: dict[str, Any] | None = None, data_hash: str = "",
             name: str | None = None, data_dir: str | Path | None = None,
             promote: bool = False, score_reference: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    """Save a fitted RiskModel as the next version; returns its registry entry.
    ``score_reference``: the model's score distribution at training (``risk.drift.summarise``
    of its scores on the training frame), the reference of the drift indicator."""
    root = _root(name, data_dir)
    idx = _read_index(root)
    n = max([int(v["version"][1:]) for v in idx["versions"]] + [0]) + 1
    version = f"v{n:03d}"
    vdir = root / version
    vdir.mkdir(parents=True, exist_ok=False)
    tmp = vdir / (ARTIFACT + ".tmp")
    model.save(tmp)
    os.replace(tmp, vdir / ARTIFACT)
    card = model.model_card()
    card.pop("features", None)
    info = {"version": version, "model": model.name, "sha256": sha256_file(vdir / ARTIFACT),
            "metrics": metrics or {}, "data_hash": data_hash, "card": card,
            "created_at": now_iso()}
    if score_reference is not None:
        info["score_reference"] = score_reference
    _atomic_write(vdir / "meta.json", json.dumps(info, ensure_ascii=False, indent=1, default=str))
    idx["versions"].append(info)
    _write_index(root, idx)
    if promote:
        globals()["promote"](version=version, name=name, data_dir=data_dir)
    return info


def list_versions(*, name: str | None = None, data_dir: str | Path | None = None
                  ) -> dict[str, Any]:
    idx = _read_index(_root(name, data_dir))
    return {"promoted": idx["promoted"], "history": idx["history"],
            "versions": [{k: v[k] for k in ("version", "model", "metrics", "data_hash",
                                             "created_at")} for v in idx["versions"]]}


def promote(*, version: str, name: str | None = None, data_dir: str | Path | None = None
            ) -> dict[str, Any]:
    """Make ``version`` the serving one, after verifying its checksum."""
    root = _root(name, data_dir)
    info = verify(version=version, name=name, data_dir=data_dir)
    idx = _read_index(root)
    idx["promoted"] = version
    idx["history"] = [v for v in idx["history"] if v != version] + [version]
    _write_index(root, idx)
    return info


def rollback(*, name: str | None = None, data_dir: str | Path | None = None) -> dict[str, Any]:
    """Re-promote the version promoted before the current one (that still verifies)."""
    root = _root(name, data_dir)
    idx = _read_index(root)
    if len(idx["history"]) < 2:
        raise RegistryError("nothing to roll back to: fewer than two versions were promoted")
    current = idx["history"][-1]
    for prev in reversed(idx["history"][:-1]):
        try:
            info = verify(version=prev, name=name, data_dir=data_dir)
        except ModelArtifactError as e:
            log.error("%s", e)
            continue
        idx["history"] = [v for v in idx["history"] if v != current]
        idx["promoted"] = prev
        _write_index(root, idx)
        return info
    raise RegistryError("no earlier promoted version verifies; nothing rolled back")


def load_promoted(*, name: str | None = None, data_dir: str | Path | None = None
                  ) -> tuple[Any, dict[str, Any]]:
    """(model, info) of the promoted version. A missing/corrupted promoted artifact is
    refused (logged, named in ``info["refused"]``) and the latest earlier promoted version
    that verifies keeps serving; if none verifies, ``ModelArtifactError``."""
    from risk.base import RiskModel

    root = _root(name, data_dir)
    idx = _read_index(root)
    if not idx["promoted"]:
        raise RegistryError(f"no model promoted in {root}; run `portsentinel train --promote`")
    refused: list[str] = []
    order = [idx["promoted"]] + [v for v in reversed(idx["history"]) if v != idx["promoted"]]
    for version in order:
        try:
            info = verify(version=version, name=name, data_dir=data_dir)
            model = RiskModel.load(root / version / ARTIFACT)
        except ModelArtifactError as e:
            log.error("%s", e)
            refused.append(str(e))
            continue
        info = dict(info, refused=refused, serving=version)
        return model, info
    raise ModelArtifactError("no promoted model verifies: " + " | ".join(refused))


class ServingModel:
    """Holds the serving model for the API: ``get()`` reloads when the promotion changes and
    keeps the current model if the newly promoted artifact is refused."""

    def __init__(self, *, name: str | None = None, data_dir: str | Path | None = None):
        self.name, self.data_dir = name, data_dir
        self.model: Any = None
        self.info: dict[str, Any] = {}

    def get(self) -> tuple[Any, dict[str, Any]]:
        idx = _read_index(_root(self.name, self.data_dir))
        if self.model is not None and self.info.get("serving") == idx["promoted"]:
            return self.model, self.info
        try:
            model, info = load_promoted(name=self.name, data_dir=self.data_dir)
        except ModelArtifactError:
            if self.model is None:
                raise
            return self.model, self.info
        if self.model is not None and info["refused"] and info["serving"] != idx["promoted"]:
            # the new promotion was refused: keep what we serve unless it is newer
            return self.model, self.info
        self.model, self.info = model, info
        return model, info
