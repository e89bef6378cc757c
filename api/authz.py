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
    # graph:read so a case's evidence opens in the explorer (issue 15); no pii, so persons'
    # names and identifiers stay masked there, and every sensitive read is audited as usual
    "duty_officer": frozenset({
        "graph:read", "warnings:read", "warnings:handle", "qa:ask", "knowledge:read"}),
    "trader": frozenset({"declarations:read_own", "qa:ask", "knowledge:read"}),
}

# the UI pages each role gets (the server still checks every call they make)
ROLE_PAGES: dict[str, list[str]] = {
    "admin": ["graph", "targeting", "warnings", "chat", "admin"],
    "analyst": ["graph", "targeting", "warnings", "chat"],
    "inspector": ["targeting", "chat"],
    "duty_officer": ["warnings", "graph", "chat"],
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


# labels whose key or name is personal: without ``pii``, exact search only (no substring)
EXACT_ONLY_LABELS = ("Person", "Phone", "Email")


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


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _valid_date(y: int, m: int, d: int) -> bool:
    import datetime as _dt

    try:
        _dt.date(y, m, d)
    except ValueError:
        return False
    return 1900 <= y <= 2100


def is_resident_id(s: str) -> bool:
    """An 18-digit PRC resident id (GB 11643: birth date + ISO 7064 MOD 11-2 check digit) or
    a 15-digit old one (YYMMDD birth date). An 18-digit declaration number is neither."""
    if len(s) == 18 and s[:17].isdigit():
        if not _valid_date(int(s[6:10]), int(s[10:12]), int(s[12:14])):
            return False
        total = sum(int(c) * w for c, w in zip(s[:17], _ID_WEIGHTS))
        if "10X98765432"[total % 11] == s[17].upper():
            return True
        # a mistyped id (bad check digit) is still personal, unless it has the shape of a
        # declaration number: customs code (4), year 19xx/20xx, I/E flag 0/1, sequence
        return not (s[4:6] in ("19", "20") and s[8] in "01" and s[17].isdigit())
    if len(s) == 15 and s.isdigit():
        return _valid_date(1900 + int(s[6:8]), int(s[8:10]), int(s[10:12]))
    return False


# only digits, plus and minus are folded: the rest of the text (，：（）) stays as written
_FULLWIDTH = {0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF0B: ord("+"), 0xFF0D: ord("-")}
_ID = re.compile(r"(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])")
_SEP = r"[\s\-.]?"
_PII_PATTERNS = [
    # CN mobile, with or without +86 / 86 / 0086, spaces or dashes: 138-1234-5678,
    # +86 139 1234 5678, 8613912345678
    re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d" + _SEP + r"\d{4}" + _SEP
               + r"\d{4}(?!\d)"),
    # landlines: 0755-86541234, (010) 12345678, +86 755 8654 1234
    re.compile(r"(?<!\d)(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s\-])\d{3,4}[\s\-]?\d{4}(?!\d)"),
    re.compile(r"\+\d{1,3}[\s\-]?\d(?:[\s\-]?\d){6,14}(?!\d)"),  # any E.164 number
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail
]


def scrub_text(text: Any) -> Any:
    """Mask id numbers, phone numbers and e-mail addresses inside free text (explanations,
    reasons, notes, warning messages, log lines) for users without the ``pii`` grant.
    Full-width digits are folded first; 18-digit declaration numbers are kept."""
    if not isinstance(text, str):
        return text
    if any("\uff0b" <= c <= "\uff19" for c in text):  # full-width digits, + and -
        text = text.translate(_FULLWIDTH)
    text = _ID.sub(lambda m: MASK if is_resident_id(m.group(1)) else m.group(0), text)
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


# strings passed through as they are: credentials, chain hashes, masked tokens
_VERBATIM_FIELDS = frozenset({"access_token", "token_type", "hash", "prev_hash", "head",
                              "jti", "model_version", "version", "sha256"})
_KEY_FIELDS = (("subject_label", "subject_key"), ("target_type", "target_id"))


def mask_payload(obj: Any, masker: "Masker", field: str | None = None) -> Any:
    """THE masking layer for a viewer without ``pii``, applied to every JSON response and
    SSE event (api.middleware.MaskResponses): node-shaped dicts (label + key [+ props]) of a
    sensitive label are masked as :meth:`Masker.node` does, personal keys named by
    ``subject_label/subject_key`` or ``target_type/target_id`` become masked tokens,
    relationship ends too, and every other string is :func:`scrub_text`-ed."""
    if isinstance(obj, str):
        if field in _VERBATIM_FIELDS or obj.startswith(TOKEN_PREFIX):
            return obj
        return scrub_text(obj)
    if isinstance(obj, list):
        return [mask_payload(v, masker, field) for v in obj]
    if not isinstance(obj, dict):
        return obj
    label = obj.get("label")
    if isinstance(label, str) and "key" in obj and is_sensitive_label(label) \
            and not obj.get("masked"):
        if isinstance(obj.get("props"), dict):
            obj = masker.node(obj, False)
        elif isinstance(obj["key"], str):
            obj = dict(obj, key=masker.key_for(label, obj["key"], False))
    for lab_f, key_f in _KEY_FIELDS:
        lab, key = obj.get(lab_f), obj.get(key_f)
        if isinstance(lab, str) and isinstance(key, str) and key_is_sensitive(lab):
            obj = dict(obj, **{key_f: masker.key_for(lab, key, False)})
    for end in ("start", "end", "subject"):
        v = obj.get(end)
        if isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v) \
                and key_is_sensitive(v[0]):
            obj = dict(obj, **{end: [v[0], masker.key_for(v[0], v[1], False)]})
    return {k: mask_payload(v, masker, k) for k, v in obj.items()}


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

    def resolve_for(self, label: str, key: str, unmasked: bool) -> str | None:
        """The real key behind ``key`` for this viewer; None when a viewer without ``pii``
        names a personal key (a Phone's number, an Email address) in the raw: they look it up
        by its masked token only, so a guessed number cannot be confirmed."""
        if unmasked or not key_is_sensitive(label):
            return self.resolve(label, key)
        if not key.startswith(TOKEN_PREFIX):
            return None
        real = self.resolve(label, key)
        return None if real == key else real

    def resolve(self, label: str, key: str) -> str:
        if key.startswith(TOKEN_PREFIX) and self._lookup:
            hit = self._lookup(key)
            if hit and hit[0] == label:
                return hit[1]
        return key

    def key_for(self, label: str, key: str, unmasked: bool) -> str:
        """The key as this viewer sees it; idempotent: a masked token stays itself (a route
        masks, then the response layer masks again: both must give the same token)."""
        if unmasked or not key_is_sensitive(label) or key.startswith(TOKEN_PREFIX):
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
