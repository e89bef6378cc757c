"""Concept extraction: spaCy blank ``zh`` with the jieba segmenter + an EntityRuler.

Concept kinds: DOC (document types), LICENCE (licences and certificates), AGENCY,
GOODS (goods categories), HS (HS chapters/headings/codes), PROC (customs procedures).
The lexicon is data (``knowledge/data/concept_lexicon.yaml``, read by knowledge.wordlists);
knowledge.text loads it into jieba so that each term stays one token.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterable

from knowledge.text import init_jieba
from knowledge.wordlists import concept_lexicon

log = logging.getLogger(__name__)

HS_PATTERNS = [
    [{"TEXT": {"REGEX": r"^\d{4}(\.\d{2}){0,3}$"}}],
    [{"TEXT": {"REGEX": r"^\d{8,10}$"}}],
]

_lock = threading.Lock()
_nlp = None


def get_nlp(cache_dir: Path | None = None):
    """The blank ``zh`` pipeline (jieba) with the EntityRuler, built once per process."""
    global _nlp
    with _lock:
        if _nlp is not None:
            return _nlp
    init_jieba(cache_dir)
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    patterns = []
    for kind, terms in concept_lexicon().items():
        for t in terms:
            patterns.append({"label": kind, "pattern": t, "id": t})
    for p in HS_PATTERNS:
        patterns.append({"label": "HS", "pattern": p})
    ruler.add_patterns(patterns)
    with _lock:
        _nlp = nlp
    return nlp


def extract(texts: Iterable[str], cache_dir: Path | None = None, batch_size: int = 256
            ) -> Iterable[tuple[list[dict[str, str]], list[str]]]:
    """For each text: (unique concepts ``{"name","kind"}``, jieba tokens of the text)."""
    nlp = get_nlp(cache_dir)
    for doc in nlp.pipe(texts, batch_size=batch_size):
        seen: dict[tuple[str, str], None] = {}
        for ent in doc.ents:
            seen.setdefault((ent.ent_id_ or ent.text, ent.label_), None)
        yield ([{"name": n, "kind": k} for n, k in seen], [t.text for t in doc])


def concept_key(name: str, kind: str) -> str:
    return f"{kind}:{name}"
