"""Entity explanations as a reader may see them: the sentences name each subject by its
caption (``risk.captions.caption`` through ``api.captions.captioned``) computed from the node
*after* it is masked for the reader, so a reader without the ``pii`` grant reads a person as
张** (or by key), never by name; the keys stay in ``subject`` and the evidence paths.

``reader_caption(masker, unmasked)`` is the ``caption_of`` that ``risk.explain.explain_entity``
takes; ``masked_caption(masker)`` the one for answers shared by every reader (starting points)."""

from __future__ import annotations

from typing import Any, Callable

from api.captions import captioned


def reader_caption(masker: Any, unmasked: bool) -> Callable[[str, str, dict], tuple[str, str]]:
    def caption_of(label: str, key: str, props: dict) -> tuple[str, str]:
        shown = captioned(masker.node({"label": label, "key": key, "props": dict(props or {})},
                                      unmasked))
        return shown["caption_zh"], shown["caption_en"]
    return caption_of


def masked_caption(masker: Any) -> Callable[[str, str, dict], tuple[str, str]]:
    """Captions every reader may see (names of persons masked for all)."""
    return reader_caption(masker, False)
