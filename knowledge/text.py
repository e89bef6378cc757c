"""Tokenisation shared by indexing and querying: jieba words and CJK character bigrams.

jieba keeps its dictionary cache under the data dir (``jieba.dt.tmp_dir``), never /tmp.
Domain terms (the concept lexicon) are added to jieba's dictionary so they stay one token;
the stopwords and question scaffolding come from ``knowledge/data/`` (knowledge.wordlists).
"""

from __future__ import annotations

import logging
import re
import threading
from functools import cache
from pathlib import Path

from knowledge.wordlists import lexicon, question_noise, stopwords

log = logging.getLogger(__name__)

_lock = threading.Lock()
_jieba_ready = False

PUNCT_RE = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〈〉【】「」『』—…·,.;:?!\"'()\[\]<>/\\|{}~`@#$%^&*+=_-]+")
CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")


@cache
def _noise_re() -> re.Pattern[str]:
    """Colloquial question scaffolding removed before bigramming (keeps content words)."""
    return re.compile("|".join(map(re.escape, question_noise())))


def init_jieba(cache_dir: Path | None = None, words: list[str] | None = None) -> None:
    """Point jieba's cache at ``cache_dir`` and load domain words (idempotent)."""
    global _jieba_ready
    import jieba

    with _lock:
        if cache_dir is None and jieba.dt.tmp_dir is None:  # never jieba's default, /tmp
            from knowledge.config import settings

            cache_dir = Path(settings().data_dir) / "jieba"
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            jieba.dt.tmp_dir = str(cache_dir)
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            for w in lexicon():
                jieba.add_word(w, freq=2000)
            _jieba_ready = True
        for w in words or []:
            jieba.add_word(w, freq=2000)


def words(text: str) -> list[str]:
    """jieba words without punctuation and stopwords (lower-cased latin)."""
    import jieba

    if not _jieba_ready:
        init_jieba()
    stop = stopwords()
    out = []
    for w in jieba.lcut(text):
        w = w.strip().lower()
        if not w or PUNCT_RE.fullmatch(w) or w in stop:
            continue
        out.append(w)
    return out


def bigrams(text: str) -> list[str]:
    """Character bigrams inside CJK runs (single-char runs kept as unigrams); latin words whole."""
    out: list[str] = []
    for run in CJK_RUN_RE.findall(text):
        if not ("\u4e00" <= run[0] <= "\u9fff"):
            out.append(run.lower())
            continue
        if len(run) == 1:
            out.append(run)
            continue
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
    return out


def strip_question(text: str) -> str:
    """Drop the colloquial scaffolding of a question, keep its content."""
    return _noise_re().sub(" ", text)


def sentences(text: str) -> list[str]:
    """Split Chinese text into sentences (。；！？ and newlines), keeping the delimiter."""
    parts = re.split(r"(?<=[。；！？!?])|\n", text)
    return [p.strip() for p in parts if p and p.strip()]


def is_english(text: str) -> bool:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 3 * max(cjk, 1) or (cjk == 0 and latin > 0)
