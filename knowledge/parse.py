"""Parser of one regulation text: Markdown -> Document + articles (or sections).

Structure recognised (corpus/README.md): ``# title``, the enactment/amendment history,
``<!-- INFO END -->``, then ``##``/``###``/``####`` headings (编/章/节), articles beginning
``第X条`` (or ``第X条之一``) whose following lines are paragraphs (款), lines ``（一）…`` being
items (项) of the paragraph above. Texts without articles become sections: one per
top-level ``一、`` clause, else per heading, else per ~800 characters. ``parse_text`` raises
ValueError naming the problem for an unusable text.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from knowledge.models import Article, Document, Paragraph
from knowledge.numerals import CN_NUM_CHARS, cn_to_int

ARTICLE_RE = re.compile(
    rf"^第([{CN_NUM_CHARS}]+)条(?:之([{CN_NUM_CHARS}]+))?(?:[ \u3000\t]+|$)(.*)$")
ITEM_RE = re.compile(rf"^[（(]([{CN_NUM_CHARS}]+)[）)]")
CLAUSE_RE = re.compile(rf"^([{CN_NUM_CHARS}]+)、")
DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
FILE_DATE_RE = re.compile(r"\((\d{4}-\d{2}-\d{2})\)$")
INFO_END = "<!-- INFO END -->"

FOLDER_KIND = {
    "宪法": "法律", "宪法相关法": "法律", "刑法": "法律", "民法典": "法律", "民法商法": "法律",
    "行政法": "法律", "经济法": "法律", "社会法": "法律", "诉讼与非诉讼程序法": "法律",
    "行政法规": "行政法规", "部门规章": "部门规章", "司法解释": "司法解释", "案例": "案例",
    "其他": "其他",
}
SECTION_CHARS = 800


def doc_id_for(relpath: str) -> str:
    return "d" + hashlib.sha1(relpath.encode("utf-8")).hexdigest()[:10]


def article_id(doc_id: str, num: int, suffix: int = 0) -> str:
    return f"{doc_id}-{num:04d}" + (f"-{suffix}" if suffix else "")


def _iso(m: re.Match) -> str:
    y, mo, d = (int(x) for x in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _header_dates(history: list[str]) -> dict[str, str | None]:
    enacted = amended = effective = None
    all_dates: list[str] = []
    for line in history:
        line = unicodedata.normalize("NFKC", line.translate(_FW_DIGITS))
        for m in DATE_RE.finditer(line):
            d = _iso(m)
            all_dates.append(d)
            if re.search(r"修正|修订|修改", line):
                amended = max(amended or d, d)
            elif "施行" in line and not re.search(r"通过|公布|发布", line):
                effective = effective or d
            elif enacted is None:
                enacted = d
    if enacted is None and all_dates:
        enacted = min(all_dates)
    return {"enacted": enacted, "amended": amended, "effective": effective,
            "latest": max(all_dates) if all_dates else None}


_FW_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def clean_lines(text: str) -> list[str]:
    """Split into stripped lines; the text itself is kept as written (it is quoted)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in ("\ufeff", "\u200b", "\u200c", "\u200d", "\u2060"):
        text = text.replace(ch, "")
    return [ln.strip(" \t\u3000") for ln in text.split("\n")]


def parse_text(text: str, *, relpath: str, kind: str | None = None,
               category: str = "") -> tuple[Document, list[Article]]:
    """Parse one regulation text. Raises ValueError naming the problem for an unusable file."""
    lines = clean_lines(text)
    titles: list[tuple[int, str]] = []
    i = 0
    while i < len(lines) and not lines[i]:
        i += 1
    if i >= len(lines) or not lines[i].startswith("# "):
        raise ValueError("no '# title' line at the top")
    title = lines[i][2:].strip()
    if not title:
        raise ValueError("empty title")
    has_info = INFO_END in lines
    history: list[str] = []
    body_start = i + 1
    if has_info:
        end = lines.index(INFO_END)
        for ln in lines[i + 1:end]:
            if ln.startswith("# "):  # 民法典 parts: '# 总则' under the code's title
                titles.append((1, ln[2:].strip()))
            elif ln:
                history.append(ln)
        body_start = end + 1
    dates = _header_dates(history)
    stem = Path(relpath).stem
    m = FILE_DATE_RE.search(stem)
    version = m.group(1) if m else (dates["amended"] or dates["latest"])
    did = doc_id_for(relpath)
    doc = Document(id=did, title=title, path=relpath,
                   kind=kind or FOLDER_KIND.get(category, "其他"), category=category,
                   enacted=dates["enacted"], amended=dates["amended"],
                   effective=dates["effective"], version_date=version, history=history,
                   sha1=hashlib.sha1(text.encode("utf-8")).hexdigest())
    body = lines[body_start:]
    articles = _parse_articles(body, doc, base_path=[t for _, t in titles])
    if not any(a.kind == "article" for a in articles):
        articles = _parse_sections(body, doc, base_path=[t for _, t in titles])
    doc.article_ids = [a.id for a in articles]
    doc.n_articles = sum(a.kind == "article" for a in articles)
    doc.n_sections = len(articles) - doc.n_articles
    return doc, articles


def _new_article(doc: Document, num: int, suffix: int, label: str, path: list[str]) -> Article:
    return Article(id=article_id(doc.id, num, suffix), doc_id=doc.id, law=doc.title,
                   number=label, num=num, suffix=suffix, text="", path=list(path),
                   version_date=doc.version_date, doc_kind=doc.kind)


def _finish(a: Article) -> None:
    parts: list[str] = []
    for p in a.paragraphs:
        parts.append(p.text)
        parts.extend(p.items)
    a.text = "\n".join(x for x in parts if x)


def _add_line(a: Article, line: str) -> None:
    if ITEM_RE.match(line) and a.paragraphs:
        a.paragraphs[-1].items.append(line)
    else:
        a.paragraphs.append(Paragraph(line))


def _heading(line: str) -> tuple[int, str] | None:
    m = re.match(r"^(#{2,6})\s*(.*)$", line)
    if not m:
        return None
    return len(m.group(1)), m.group(2).strip()


def _parse_articles(body: list[str], doc: Document, base_path: list[str]) -> list[Article]:
    out: list[Article] = []
    stack: list[tuple[int, str]] = []
    cur: Article | None = None
    loose: list[tuple[list[str], str]] = []  # (path, line) outside any article
    seen: set[str] = set()
    for line in body:
        if not line or line.startswith("<!--"):
            continue
        h = _heading(line)
        if h:
            level, text = h
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, text)]
            cur = None
            continue
        path = base_path + [t for _, t in stack]
        m = ARTICLE_RE.match(line)
        if m:
            try:
                num = cn_to_int(m.group(1))
                suffix = cn_to_int(m.group(2)) if m.group(2) else 0
            except ValueError:
                m = None
        if m:
            label = f"第{m.group(1)}条" + (f"之{m.group(2)}" if m.group(2) else "")
            cur = _new_article(doc, num, suffix, label, path)
            if cur.id in seen:  # duplicate numbering in a text: keep both, distinct ids
                k = 2
                while f"{cur.id}~{k}" in seen:
                    k += 1
                cur.id = f"{cur.id}~{k}"
            seen.add(cur.id)
            out.append(cur)
            if m.group(3).strip():
                _add_line(cur, m.group(3).strip())
            continue
        if cur is not None:
            _add_line(cur, line)
        else:
            loose.append((path, line))
    for a in out:
        _finish(a)
    if out and loose:
        out = _loose_sections(loose, doc) + out
    return [a for a in out if a.text or a.kind == "article"]


def _loose_sections(loose: list[tuple[list[str], str]], doc: Document) -> list[Article]:
    """Text outside articles (preamble, 序言, annexes) as sections grouped by heading path."""
    groups: list[tuple[list[str], list[str]]] = []
    for path, line in loose:
        if groups and groups[-1][0] == path:
            groups[-1][1].append(line)
        else:
            groups.append((path, [line]))
    out = []
    for k, (path, ls) in enumerate(groups, start=1):
        a = Article(id=f"{doc.id}-s{k:03d}", doc_id=doc.id, law=doc.title,
                    number=path[-1] if path else "", num=k, text="\n".join(ls), kind="section",
                    path=path, paragraphs=[Paragraph(x) for x in ls],
                    version_date=doc.version_date, doc_kind=doc.kind)
        out.append(a)
    return out


def _parse_sections(body: list[str], doc: Document, base_path: list[str]) -> list[Article]:
    """A text without 第X条: one section per top-level 一、 clause, else heading, else size."""
    stack: list[tuple[int, str]] = []
    units: list[tuple[list[str], str, list[str]]] = []  # (path, label, lines)
    numbered = sum(1 for ln in body if CLAUSE_RE.match(ln)) >= 2
    for line in body:
        if not line or line.startswith("<!--"):
            continue
        h = _heading(line)
        if h:
            level, text = h
            stack = [(lv, t) for lv, t in stack if lv < level] + [(level, text)]
            units.append((base_path + [t for _, t in stack], text, []))
            continue
        path = base_path + [t for _, t in stack]
        m = CLAUSE_RE.match(line) if numbered else None
        if m:
            units.append((path, m.group(1), [line]))
            continue
        if not units:
            units.append((path, "", []))
        units[-1][2].append(line)
    out: list[Article] = []
    for path, label, ls in units:
        if not ls:
            continue
        # split oversized units so that one section stays quotable
        chunks: list[list[str]] = [[]]
        size = 0
        for ln in ls:
            if chunks[-1] and size + len(ln) > SECTION_CHARS * 2:
                chunks.append([])
                size = 0
            chunks[-1].append(ln)
            size += len(ln)
        for part in chunks:
            k = len(out) + 1
            out.append(Article(id=f"{doc.id}-s{k:03d}", doc_id=doc.id, law=doc.title,
                               number=label, num=k, text="\n".join(part), kind="section",
                               path=path, paragraphs=[Paragraph(x) for x in part],
                               version_date=doc.version_date, doc_kind=doc.kind))
    return out
