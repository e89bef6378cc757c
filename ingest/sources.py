"""Reading source files as rows: whole-file checks first (encoding, header), then rows.

A file that cannot be read as a whole (not valid text in its encoding, no header, missing or
unexpected columns) raises ``FileFormatError`` before any row is produced, so nothing of it is
loaded. A single bad row (wrong number of fields, a truncated last line, a JSONL line that is
not a JSON object) is produced as a ``BadRow`` and quarantined by the pipeline.
"""

from __future__ import annotations

import codecs
import csv
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from ingest.exceptions import FileFormatError

csv.field_size_limit(1 << 24)


@dataclass
class BadRow:
    field: str
    value: Any
    reason: str


Row = tuple[int, "dict[str, Any] | BadRow"]


def check_encoding(path: Path, encoding: str = "utf-8") -> None:
    """Decode the whole file; a bad byte anywhere is a file error naming its line."""
    dec = codecs.getincrementaldecoder(encoding)(errors="strict")
    line, offset = 1, 0
    try:
        with path.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                try:
                    text = dec.decode(chunk)
                except UnicodeDecodeError as e:
                    good = chunk[: e.start].count(b"\n")
                    raise FileFormatError(str(path), f"not valid {encoding}: byte "
                                          f"{offset + e.start} (line {line + good}) cannot be "
                                          f"decoded", f"{encoding} text") from e
                line += text.count("\n")
                offset += len(chunk)
    except OSError as e:
        raise FileFormatError(str(path), f"cannot be read ({e.strerror or e})") from e
    # an incomplete multi-byte sequence at the very end is a truncated last line: the row
    # reader replaces it and the row is quarantined, it does not reject the whole file


def _open_text(path: Path, encoding: str):
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    return path.open("r", encoding=enc, errors="replace", newline="")


def csv_header(path: Path, encoding: str = "utf-8") -> list[str]:
    with _open_text(path, encoding) as f:
        try:
            header = next(csv.reader(f))
        except StopIteration:
            raise FileFormatError(str(path), "is empty", "a CSV header line") from None
        except csv.Error as e:
            raise FileFormatError(str(path), f"header is not CSV ({e})") from e
    header = [h.strip() for h in header]
    if not any(header):
        raise FileFormatError(str(path), "header line is blank", "a CSV header line")
    return header


def check_csv_columns(path: Path, header: list[str], expected: Iterable[str],
                      exact: bool) -> None:
    expected = list(expected)
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected] if exact else []
    dups = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or dups:
        parts = []
        if missing:
            parts.append(f"missing columns {missing}")
        if extra:
            parts.append(f"unexpected columns {extra}")
        if dups:
            parts.append(f"repeated columns {dups}")
        raise FileFormatError(str(path), "wrong columns: " + "; ".join(parts),
                              f"the {len(expected)} columns {expected}")


def iter_csv(path: Path, encoding: str = "utf-8") -> Iterator[Row]:
    """Rows as dicts keyed by header; a row with the wrong number of fields is a BadRow."""
    with _open_text(path, encoding) as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader)]
        n = len(header)
        pending: tuple[int, list[str]] | None = None
        try:
            for fields in reader:
                if pending is not None:
                    yield _csv_row(header, n, *pending, last=False)
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    pending = None
                    continue  # blank line
                pending = (reader.line_num, fields)
        except csv.Error as e:
            raise FileFormatError(str(path), f"line {reader.line_num}: not CSV ({e})") from e
        if pending is not None:
            yield _csv_row(header, n, *pending, last=True)


def _csv_row(header: list[str], n: int, line: int, fields: list[str], last: bool) -> Row:
    if len(fields) != n:
        what = "truncated row" if (last and len(fields) < n) else "malformed row"
        return line, BadRow("_row", ",".join(fields)[:200],
                            f"{what}: expected {n} fields, got {len(fields)}")
    if last and any("\ufffd" in x for x in fields):
        return line, BadRow("_row", ",".join(fields)[:200],
                            "truncated row: ends inside a multi-byte character")
    return line, dict(zip(header, fields))


def _check_csv_syntax(path: Path, encoding: str) -> None:
    """One fast pass of the C parser over the whole file, so a syntax error (NUL byte...)
    fails the file before the first row is loaded."""
    with _open_text(path, encoding) as f:
        reader = csv.reader(f)
        try:
            for _ in reader:
                pass
        except csv.Error as e:
            raise FileFormatError(str(path), f"line {reader.line_num}: not CSV ({e})") from e


def iter_jsonl(path: Path, encoding: str = "utf-8") -> Iterator[Row]:
    with _open_text(path, encoding) as f:
        yield from iter_json_lines(f)


def iter_json_lines(lines: Iterable[str], start: int = 1) -> Iterator[Row]:
    for i, ln in enumerate(lines, start):
        s = ln.strip()
        if not s:
            continue
        try:
            obj = json.loads(s)
        except ValueError as e:
            yield i, BadRow("_row", s[:200], f"not a JSON object ({e.msg})")
            continue
        if not isinstance(obj, dict):
            yield i, BadRow("_row", s[:200], "not a JSON object")
            continue
        yield i, _as_text(obj)


def _as_text(v):
    """JSON scalars as the text a CSV cell would hold, so one set of checks serves both."""
    if isinstance(v, dict):
        return {k: _as_text(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_as_text(x) for x in v]
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if isinstance(v, float) else str(v)
    return v


def detect_format(path: Path, declared: str | None) -> str:
    if declared:
        return declared
    suf = path.suffix.lower()
    if suf in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suf in (".csv", ".txt", ".tsv"):
        return "csv"
    raise FileFormatError(str(path), f"unknown file type {suf!r}", "a .csv or .jsonl file")


def open_rows(path: Path, columns: Iterable[str], *, fmt: str | None = None,
              encoding: str = "utf-8", exact: bool = True) -> Iterator[Row]:
    """Check the whole file, then return its rows. Raises FileFormatError before any row."""
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(str(path), "does not exist or is not a file")
    fmt = detect_format(path, fmt)
    check_encoding(path, encoding)
    if fmt == "csv":
        header = csv_header(path, encoding)
        check_csv_columns(path, header, columns, exact)
        _check_csv_syntax(path, encoding)
        return iter_csv(path, encoding)
    return iter_jsonl(path, encoding)
