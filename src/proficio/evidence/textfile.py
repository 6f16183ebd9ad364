"""Opening real-world CSV exports: encodings, byte-order marks, separators, dates, decimal commas.

Spreadsheets and gradebooks export UTF-8 with or without a BOM, Windows-1252, and ``,``/``;``/tab
separated files with ``3,5`` for three and a half and dates in a local format. These helpers
decide each of those once per file and say what they decided.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any, BinaryIO

ENCODING_NAMES = {
    "utf-8": "utf-8-sig",
    "utf8": "utf-8-sig",
    "utf-8-sig": "utf-8-sig",
    "windows-1252": "cp1252",
    "cp1252": "cp1252",
    "latin-1": "latin-1",
    "latin1": "latin-1",
    "iso-8859-1": "latin-1",
    "utf-16": "utf-16",
}

LABELS = {"utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "latin-1": "Latin-1", "utf-16": "UTF-16"}

SEPARATORS = (",", ";", "\t")


class BadFile(Exception):
    """A file that cannot be read at all: ``line`` and a message saying what to do."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def encoding_codec(name: str) -> str:
    """The codec for a user-given encoding name (``--encoding``); ValueError for unknown ones."""
    key = name.strip().lower().replace("_", "-")
    if key in ENCODING_NAMES:
        return ENCODING_NAMES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        raise ValueError(
            f"unknown encoding '{name}'; use utf-8 or windows-1252 (or another Python codec name)."
        ) from None


def _first_bad(opener: Callable[[], BinaryIO], codec: str) -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte that is not valid ``codec``, or None if all are."""
    decoder = codecs.getincrementaldecoder(codec)()
    line = 1
    with opener() as f:
        while chunk := f.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                start = max(0, min(exc.start, len(chunk) - 1))
                return line + chunk[:start].count(b"\n"), chunk[start]
            line += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return line, 0
    return None


def choose_encoding(opener: Callable[[], BinaryIO], requested: str | None) -> tuple[str, str]:
    """The codec to read a file with and a note for the summary; BadFile if none fits.

    With ``requested`` the whole file is checked against it; otherwise a UTF-16 or UTF-8 BOM
    decides, then UTF-8 is tried, then Windows-1252 (what Excel on Windows writes).
    """
    with opener() as f:
        head = f.read(4)
    if not head:
        raise BadFile(1, "the file is empty: export it again from the gradebook.")
    if requested:
        codec = encoding_codec(requested)
        bad = _first_bad(opener, codec)
        if bad:
            raise BadFile(
                bad[0],
                f"byte 0x{bad[1]:02X} on line {bad[0]} is not valid {LABELS.get(codec, codec)} "
                "(the encoding given); try --encoding windows-1252 or --encoding utf-8.",
            )
        return codec, f"{LABELS.get(codec, codec)} (as asked)"
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16", "UTF-16 (byte-order mark)"
    if head.startswith(codecs.BOM_UTF8):
        bad = _first_bad(opener, "utf-8-sig")
        if bad is None:
            return "utf-8-sig", "UTF-8 with byte-order mark"
    bad = _first_bad(opener, "utf-8-sig")
    if bad is None:
        return "utf-8-sig", "UTF-8"
    if _first_bad(opener, "cp1252") is None:
        return (
            "cp1252",
            f"Windows-1252 (detected: byte 0x{bad[1]:02X} on line {bad[0]} is not UTF-8)",
        )
    raise BadFile(
        bad[0],
        f"byte 0x{bad[1]:02X} on line {bad[0]} is neither UTF-8 nor Windows-1252; "
        "say which encoding the file uses with --encoding.",
    )


def normalise_header(name: str) -> str:
    return name.strip().lstrip("\ufeff").strip().lower()


class Rows:
    """A CSV file's data rows with the line each row starts on (``line`` after each step)."""

    def __init__(self, text: io.TextIOWrapper, reader: Any, skipped: int) -> None:
        self.text = text
        self.reader = reader
        self.skipped = skipped
        self.line = 0

    def __iter__(self) -> Iterator[list[str]]:
        reader = self.reader
        end = reader.line_num
        skipped = self.skipped
        try:
            for row in reader:
                self.line = end + 1 + skipped
                end = reader.line_num
                yield row
        finally:
            self.text.close()


def open_rows(
    opener: Callable[[], BinaryIO],
    codec: str,
    expected: Callable[[list[str]], int],
    separator: str | None = None,
) -> tuple[list[str], Rows, str]:
    """Header, the data rows, and the separator.

    Without ``separator`` the header line decides: the candidate that makes the most expected
    column names (``expected`` counts them), then the most columns.
    """
    text = io.TextIOWrapper(opener(), encoding=codec, newline="")
    first = ""
    skipped = 0
    for first in text:
        if first.strip():
            break
        skipped += 1
    else:
        first = ""
    if not first.strip():
        text.close()
        raise BadFile(1, "the file has no header row (it is empty): export it again.")
    if separator is None:
        best: tuple[int, int, str] | None = None
        for sep in SEPARATORS:
            cells = next(csv.reader([first], delimiter=sep))
            score = (expected(cells), len(cells), sep)
            if best is None or score[:2] > best[:2]:
                best = score
        assert best is not None
        separator = best[2]
    reader = csv.reader(itertools.chain([first], text), delimiter=separator)
    header = next(reader)
    return header, Rows(text, reader, skipped), separator


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][0-9:.+\-Z]*)?$")


class DateReader:
    """Dates as ISO 8601 (2026-03-04, 2026-03-04T09:30:00Z) or the school's one local format."""

    def __init__(self, local_format: str | None = None) -> None:
        self.local_format = local_format
        self.cache: dict[str, date | str] = {}

    def __call__(self, raw: str) -> date | str:
        """The date, or a message saying why ``raw`` is not one."""
        hit = self.cache.get(raw)
        if hit is None:
            hit = self.cache[raw] = self._parse(raw)
        return hit

    def _parse(self, raw: str) -> date | str:
        text = raw.strip()
        if _ISO.match(text):
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return f"'{raw}' is not a real date"
        if self.local_format:
            try:
                return datetime.strptime(text, self.local_format).date()
            except ValueError:
                pass
            example = date(2026, 3, 4).strftime(self.local_format)
            return f"'{raw}' is not a date as YYYY-MM-DD or as {self.local_format} (e.g. {example})"
        return (
            f"'{raw}' is not a date as YYYY-MM-DD; if the gradebook writes dates like 04/03/2026, "
            "set date_format (e.g. %d/%m/%Y) in the mapping file"
        )
