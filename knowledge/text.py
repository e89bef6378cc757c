"""Tokenisation shared by indexing and querying: jieba words and CJK character bigrams.

jieba keeps its dictionary cache under the data dir (``jieba.dt.tmp_dir``), never /tmp.
Domain terms (concept lexicon) are added to jieba's dictionary so they stay one token.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

log = logging.getLogger(__name__)

_lock = threading.Lock()
_jieba_ready = False

PUNCT_RE = re.compile(r"[\s\u3000，。、；：？！“”‘’（）《》〈〉【】「」『』—…·,.;:?!\"'()\[\]<>/\\|{}~`@#$%^&*+=_-]+")
CJK_RUN_RE = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+")

STOPWORDS = frozenset("""的 了 是 在 和 与 或 或者 及 以及 等 对 由 从 被 把 将 为 之 其 该 此 本 应当 可以 按照 依照
根据 有关 规定 下列 前款 本条 我 我们 你 你们 他 她 它 他们 公司 咱们 吗 呢 吧 啊 呀 么 嘛 请问 想 问 一下 怎么 怎么办
怎样 如何 什么 哪些 哪个 多少 是否 是不是 能 能不能 会 会不会 要 要不要 需要 需不需要 得 有没有 没有 这 那 这个 那个
这种 那种 还 也 都 就 又 再 啥 咋 咋办 办 个 一 不 有 人 时 后 上 下 中 the a an of to in is are what how do does i we
my our for on be can""".split())

# colloquial question scaffolding removed before bigramming (keeps content words)
QUESTION_NOISE = re.compile(
    r"请问|想问一下|想问下|想问|问一下|咨询一下|我们公司|我们|我司|咱们|怎么办|怎么|咋办|咋|如何|什么|哪些|是否|"
    r"是不是|能不能|可不可以|要不要|需不需要|有没有|会不会|多少|吗|呢|吧|啊|呀|嘛|一下|的话|那么|那")


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
            from knowledge.concepts import lexicon

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
    out = []
    for w in jieba.lcut(text):
        w = w.strip().lower()
        if not w or PUNCT_RE.fullmatch(w) or w in STOPWORDS:
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
    return QUESTION_NOISE.sub(" ", text)


def sentences(text: str) -> list[str]:
    """Split Chinese text into sentences (。；！？ and newlines), keeping the delimiter."""
    parts = re.split(r"(?<=[。；！？!?])|\n", text)
    return [p.strip() for p in parts if p and p.strip()]


def is_english(text: str) -> bool:
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return latin > 3 * max(cjk, 1) or (cjk == 0 and latin > 0)
