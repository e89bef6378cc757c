"""Captions on every entity the API lists (``caption_zh`` / ``caption_en``): names instead of
raw keys, masked where required. The words come from ``risk.captions.caption`` (one place);
this module applies them to nodes *after* masking, so a reader without the ``pii`` grant sees
a masked name (张**) or the key token, never the name itself.

``captioned(node)`` for a node dict as the masker returns it; ``ref_caption(store, masker,
label, key, unmasked)`` for a bare (label, key) reference (warning subjects, evidence), which
reads the node to find its name."""

from __future__ import annotations

from typing import Any

from risk.captions import caption, caption_keys


def captioned(node: dict[str, Any]) -> dict[str, Any]:
    """The node (already masked or not, as the reader may see it) with its captions."""
    zh, en = caption(node.get("label", ""), str(node.get("key", "")), node.get("props"),
                     personal_names=True)
    return dict(node, caption_zh=zh, caption_en=en)


def ref_caption(store: Any, masker: Any, label: str, key: str, unmasked: bool
                ) -> dict[str, str]:
    """{caption_zh, caption_en} of the node (label, real key), masked for the reader."""
    node = store.get(label, key) if label and key else None
    if node is None:
        zh, en = caption(label, masker.key_for(label, key, unmasked) if key else "", None)
        return {"caption_zh": zh, "caption_en": en}
    shown = masker.node(node.to_json(), unmasked)
    c = captioned(shown)
    return {"caption_zh": c["caption_zh"], "caption_en": c["caption_en"]}


def caption_explanation(ex: dict[str, Any]) -> dict[str, Any]:
    """An entity explanation whose sentences name KCS parties by caption, not raw key."""
    out = dict(ex)
    for k in ("text_zh", "text_en", "text"):
        if isinstance(out.get(k), str):
            out[k] = caption_keys(out[k], "en" if k == "text_en" or (
                k == "text" and ex.get("lang") == "en") else "zh")
    out["reasons"] = [dict(r, text_zh=caption_keys(r.get("text_zh", ""), "zh"),
                           text_en=caption_keys(r.get("text_en", ""), "en"))
                      for r in ex.get("reasons", [])]
    return out
