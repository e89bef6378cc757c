"""Desensitised sandbox export (§7.2.4 c): the graph as tables for model building, with
personal data masked.

* Person keys are already HMACs of identity numbers (never the number itself); in the sandbox
  they are re-keyed with a second, export-only HMAC so sandbox ids cannot be joined back to
  production ids; names -> '张**', phones -> '+86138****5678'.
* Phone/Email node keys (personal contact data) are replaced by the same export HMAC.
* Every relationship end that points at a re-keyed node is re-keyed the same way.

Output: ``DIR/nodes/<Label>.csv``, ``DIR/relationships/<TYPE>.csv`` and ``DIR/manifest.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path
from typing import Any

from graph import ontology
from ingest.normalise import mask_name, mask_phone

REKEY_LABELS = ("Person", "Phone", "Email")


def _rekey(secret: bytes, label: str, key: str) -> str:
    return f"{label[:2].upper()}:" + hmac.new(secret, f"{label}|{key}".encode(),
                                                hashlib.sha256).hexdigest()[:24]


def desensitise_tables(tables, *, secret: bytes | None = None):
    """Mask a ``graph.base.Tables`` export in place-safe copies; returns (nodes, rels)."""
    secret = secret or secrets.token_bytes(32)
    nodes, rels = {}, {}
    for label, df in tables.nodes.items():
        df = df.copy()
        if label in REKEY_LABELS and "key" in df:
            df["key"] = [_rekey(secret, label, str(k)) for k in df["key"]]
        for col in ("name", "name_norm"):
            if label == "Person" and col in df:
                df[col] = [mask_name(v) if isinstance(v, str) else v for v in df[col]]
        for col in ("phone", "phone_masked"):
            if col in df:
                df[col] = [mask_phone(v) if isinstance(v, str) and "*" not in v else v
                           for v in df[col]]
        for col in ontology.NODE_TYPES[label].sensitive if label in ontology.NODE_TYPES else ():
            if col in df and col not in ("key", "name", "phone_masked", "id_masked"):
                df[col] = "***"
        nodes[label] = df
    for typ, df in tables.relationships.items():
        df = df.copy()
        for end in ("start", "end"):
            lab, key = f"{end}_label", f"{end}_key"
            if lab in df and key in df:
                df[key] = [_rekey(secret, l, str(k)) if l in REKEY_LABELS else k
                           for l, k in zip(df[lab], df[key])]
        rels[typ] = df
    return nodes, rels


def export_sandbox(store, out: str | Path, *, secret: bytes | None = None) -> dict[str, Any]:
    out = Path(out)
    (out / "nodes").mkdir(parents=True, exist_ok=True)
    (out / "relationships").mkdir(parents=True, exist_ok=True)
    tables = store.export()
    nodes, rels = desensitise_tables(tables, secret=secret)
    counts = {}
    for label, df in nodes.items():
        if len(df):
            df.to_csv(out / "nodes" / f"{label}.csv", index=False)
            counts[label] = int(len(df))
    for typ, df in rels.items():
        if len(df):
            df.to_csv(out / "relationships" / f"{typ}.csv", index=False)
            counts[typ] = int(len(df))
    manifest = {"kind": "sandbox", "desensitised": True, "rekeyed_labels": list(REKEY_LABELS),
                "masked": ["Person.name", "Person.name_norm", "phone numbers"],
                "tables": counts}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return {"out": str(out), "tables": counts}
