"""How port-related a text is: ``Document.domain`` = share of its articles that mention a
port, customs or trade term (``knowledge/data/port_terms.txt``)."""

from __future__ import annotations

import re
from functools import cache
from typing import Sequence

from knowledge.models import Article, Document
from knowledge.wordlists import port_terms


@cache
def port_terms_re() -> re.Pattern[str]:
    return re.compile("|".join(map(re.escape, port_terms())))


def domain_scores(docs: Sequence[Document], arts: Sequence[Article]) -> None:
    """Document.domain = share of its articles that mention port/customs/trade terms."""
    terms = port_terms_re()
    hits: dict[str, list[int]] = {}
    for a in arts:
        h = hits.setdefault(a.doc_id, [0, 0])
        h[1] += 1
        h[0] += bool(terms.search(a.text))
    for d in docs:
        n, total = hits.get(d.id, (0, 0))
        d.domain = round(n / total, 4) if total else 0.0
