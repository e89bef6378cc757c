"""The knowledge package's word lists, read from ``knowledge/data/`` once, on first use.

``concept_lexicon()`` (concept kind -> terms), ``lexicon()`` (every term, longest first: the
jieba user words), ``stopwords()``, ``question_noise()`` (question scaffolding phrases, in
match order) and ``port_terms()`` (the words that make a text port-related). ``read_lines``
and ``read_yaml`` are the readers, also used for qa's own lists.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


def read_lines(path: Path) -> list[str]:
    """Non-empty lines of a UTF-8 list file, stripped; ``#`` lines are comments."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


def read_yaml(path: Path) -> Any:
    import yaml

    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


@cache
def concept_lexicon() -> dict[str, tuple[str, ...]]:
    """Concept kind (DOC, LICENCE, AGENCY, GOODS, HS, PROC) -> its terms, in file order."""
    return {kind: tuple(terms) for kind, terms in read_yaml(DATA / "concept_lexicon.yaml").items()}


@cache
def _lexicon() -> tuple[str, ...]:
    terms = {w for ws in concept_lexicon().values() for w in ws}
    return tuple(sorted(terms, key=len, reverse=True))


def lexicon() -> list[str]:
    """Every concept term once, longest first."""
    return list(_lexicon())


@cache
def stopwords() -> frozenset[str]:
    return frozenset(read_lines(DATA / "stopwords.txt"))


@cache
def question_noise() -> tuple[str, ...]:
    return tuple(read_lines(DATA / "question_noise.txt"))


@cache
def port_terms() -> tuple[str, ...]:
    return tuple(read_lines(DATA / "port_terms.txt"))
