"""Corpus loader: every Markdown/TXT text under a folder (plus extra files) -> documents
and articles, with repealed texts marked.

A file with a ``# title`` is parsed by knowledge.parse, one without by knowledge.guide (the
smart-port guide). A file that cannot be read or has no text is reported in the
``LoadReport``, never fatal. ``《X》同时废止`` in a later text marks X repealed.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Iterable, Iterator

from knowledge.exceptions import CorpusError
from knowledge.guide import parse_guide
from knowledge.models import Article, Document, LoadReport
from knowledge.parse import parse_text

log = logging.getLogger(__name__)


def iter_corpus_files(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix.lower() in (".md", ".txt", ".markdown"):
            yield p


def load_file(path: Path, root: Path | None = None) -> tuple[Document, list[Article]]:
    """Load one file; a file without a Markdown title is taken as a guide-like text."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read: {e}") from e
    rel = path.relative_to(root).as_posix() if root else path.name
    category = rel.split("/")[0] if root and "/" in rel else ""
    if text.lstrip().startswith("# "):
        return parse_text(text, relpath=rel, category=category)
    if not text.strip():
        raise ValueError("empty file")
    return parse_guide(text, relpath=rel, title=_guide_title(path, text))


def _guide_title(path: Path, text: str) -> str:
    if "智慧口岸建设指南" in text[:5000]:
        return "智慧口岸建设指南 HS/T 82—2024"
    return path.stem


def load_corpus(root: Path | None, extra_files: Iterable[Path] = ()
                ) -> tuple[list[Document], list[Article], LoadReport]:
    """Load every text under ``root`` plus ``extra_files``. Bad files land in the report."""
    docs: list[Document] = []
    arts: list[Article] = []
    report = LoadReport()
    files: list[tuple[Path, Path | None]] = []
    if root is not None:
        root = Path(root)
        if not root.is_dir():
            raise CorpusError(f"corpus folder not found: {root}")
        files += [(p, root) for p in iter_corpus_files(root)]
    files += [(Path(p), None) for p in extra_files if Path(p).is_file()]
    for p, r in files:
        try:
            d, a = load_file(p, r)
        except ValueError as e:
            report.bad_files.append({"path": str(p), "reason": str(e)})
            log.warning("skipped %s: %s", p, e)
            continue
        if not a:
            report.bad_files.append({"path": str(p), "reason": "no text after the header"})
            continue
        docs.append(d)
        arts.extend(a)
    _mark_repealed(docs, arts)
    report.documents = len(docs)
    report.articles = sum(x.kind == "article" for x in arts)
    report.sections = len(arts) - report.articles
    return docs, arts, report


REPEAL_RE = re.compile(r"《([^》]{2,60})》[^。《]{0,40}?(?:同时)?废止")


def _norm_title(t: str) -> str:
    return re.sub(r"^中华人民共和国", "", t).strip()


def _mark_repealed(docs: list[Document], arts: list[Article]) -> None:
    """'《X》同时废止' in a later text marks X repealed (e.g. 关税法 第七十二条)."""
    by_title: dict[str, list[Document]] = {}
    for d in docs:
        by_title.setdefault(_norm_title(d.title), []).append(d)
    doc_by_id = {d.id: d for d in docs}
    for a in arts:
        if "废止" not in a.text or a.kind != "article":
            continue
        src = doc_by_id[a.doc_id]
        for m in REPEAL_RE.finditer(a.text):
            for target in by_title.get(_norm_title(m.group(1)), []):
                if target.id == src.id:
                    continue
                if (src.version_date or "") > (target.version_date or ""):
                    target.status = "已废止"
                    target.repealed_by = f"{src.title} {a.number}"
    status = {d.id: d.status for d in docs}
    for a in arts:
        a.status = status[a.doc_id]
