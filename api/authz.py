"""Who may do what (checked on the server for every route) and how personal data is masked.

Permissions are named ``resource:verb``; :data:`ROLE_PERMISSIONS` is the whole policy.
Row-level rules (a trader's own declarations, an inspector's listed declarations) live in
the routes that need them (``api.routes.declarations``, ``api.routes.inspections``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

from graph import ontology

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({
        "graph:read", "risk:read", "targeting:read", "targeting:issue", "declarations:read_all",
        "inspections:read", "warnings:read", "warnings:handle", "qa:ask", "knowledge:read",
        "models:read", "models:manage", "ingest:read", "ingest:write", "users:manage",
        "audit:read", "investigations:write"}),
    "analyst": frozenset({
        "graph:read", "risk:read", "targeting:read", "targeting:issue", "declarations:read_all",
        "inspections:read", "warnings:read", "qa:ask", "knowledge:read", "models:read",
        "investigations:write"}),
    "inspector": frozenset({
        "targeting:read", "targeting:issue", "declarations:read_listed", "inspections:record",
        "inspections:read", "qa:ask", "knowledge:read"}),
    "duty_officer": frozenset({
        "warnings:read", "warnings:handle", "qa:ask", "knowledge:read"}),
    "trader": frozenset({"declarations:read_own", "qa:ask", "knowledge:read"}),
}

# the UI pages each role gets (the server still checks every call they make)
ROLE_PAGES: dict[str, list[str]] = {
    "admin": ["graph", "targeting", "warnings", "chat", "admin"],
    "analyst": ["graph", "targeting", "warnings", "chat"],
    "inspector": ["targeting", "chat"],
    "duty_officer": ["warnings", "chat"],
    "trader": ["declarations", "chat"],
}


def allowed(role: str, permission: str) -> bool:
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


# ---------------------------------------------------------------- masking
# properties shown as they are to everyone; every other property of a sensitive label is masked
_ALWAYS_VISIBLE = {"key", "sources", "first_seen", "last_seen", "risk_score", "risk_level",
                   "model_version", "scored_at"}
_VISIBLE: dict[str, set[str]] = {
    "Person": {"nationality", "country", "role"},
    "Phone": {"masked"},
    "Email": {"masked"},
}
MASK = "****"
TOKEN_PREFIX = "masked:"


def is_sensitive_label(label: str) -> bool:
    nt = ontology.NODE_TYPES.get(label)
    return bool(nt and nt.sensitive)


def key_is_sensitive(label: str) -> bool:
    nt = ontology.NODE_TYPES.get(label)
    return bool(nt and "key" in nt.sensitive)


def mask_value(name: str, value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [mask_value(name, v) for v in value]
    s = str(value)
    if name in ("name", "name_norm", "aliases") and s:
        return s[0] + "*" * min(len(s) - 1, 3) if len(s) > 1 else "*"
    return MASK


_PII_PATTERNS = [
    re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])"),  # resident id (18)
    re.compile(r"(?<![\dA-Za-z])\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}(?![\dA-Za-z])"),  # (15/16)
    re.compile(r"\+\d{7,15}(?!\d)"),  # E.164 phone
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # CN mobile
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail
]


def scrub_text(text: Any) -> Any:
    """Mask id numbers, phone numbers and e-mail addresses inside free text (explanations,
    reasons) shown to users without the ``pii`` grant."""
    if not isinstance(text, str):
        return text
    for pat in _PII_PATTERNS:
        text = pat.sub(MASK, text)
    return text


def scrub(obj: Any) -> Any:
    if isinstance(obj, str):
        return scrub_text(obj)
    if isinstance(obj, list):
        return [scrub(v) for v in obj]
    if isinstance(obj, dict):
        return {k: scrub(v) for k, v in obj.items()}
    return obj


class Masker:
    """Masks node/relationship JSON for a user without the ``pii`` grant.

    Keys that are themselves personal (a Phone's number, an Email address) are replaced by an
    opaque token ``masked:<hmac>``; :meth:`resolve` maps a token back for later requests (the
    table lives on the server), so the UI can still expand from a masked node.
    """

    def __init__(self, secret: str, remember: Any = None, lookup: Any = None):
        self._secret = secret.encode()
        self._remember = remember  # fn(token, label, key)
        self._lookup = lookup  # fn(token) -> (label, key) | None

    def token(self, label: str, key: str) -> str:
        mac = hmac.new(self._secret, f"{label}\x1f{key}".encode(), hashlib.sha256).hexdigest()
        tok = TOKEN_PREFIX + mac[:24]
        if self._remember:
            self._remember(tok, label, key)
        return tok

    def resolve(self, label: str, key: str) -> str:
        if key.startswith(TOKEN_PREFIX) and self._lookup:
            hit = self._lookup(key)
            if hit and hit[0] == label:
                return hit[1]
        return key

    def key_for(self, label: str, key: str, unmasked: bool) -> str:
        if unmasked or not key_is_sensitive(label):
            return key
        return self.token(label, key)

    def node(self, node: dict[str, Any], unmasked: bool) -> dict[str, Any]:
        label = node.get("label", "")
        if unmasked or not is_sensitive_label(label):
            return node
        visible = _ALWAYS_VISIBLE | _VISIBLE.get(label, set())
        props = {}
        for k, v in (node.get("props") or {}).items():
            if k == "key":
                props[k] = self.key_for(label, str(v), False)
            elif k in visible:
                props[k] = v
            else:
                props[k] = mask_value(k, v)
        out = dict(node, props=props, masked=True)
        out["key"] = self.key_for(label, str(node.get("key", "")), False)
        return out

    def rel(self, rel: dict[str, Any], unmasked: bool) -> dict[str, Any]:
        if unmasked:
            return rel
        out = dict(rel)
        for end in ("start", "end"):
            lab, key = rel[end][0], rel[end][1]
            out[end] = [lab, self.key_for(lab, str(key), False)]
        return out

    def subgraph(self, data: dict[str, Any], unmasked: bool) -> dict[str, Any]:
        return dict(data, nodes=[self.node(n, unmasked) for n in data.get("nodes", [])],
                    relationships=[self.rel(r, unmasked) for r in data.get("relationships", [])])
