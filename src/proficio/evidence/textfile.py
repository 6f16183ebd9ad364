"""Opening real-world CSV exports: encodings, byte-order marks, separators, dates, decimal commas.

Spreadsheets and gradebooks export UTF-8 with or without a BOM, Windows-1252, and ``,``/``;``/tab
separated files (Excel may put a ``sep=;`` line first) with ``3,5`` for three and a half and
dates in a local format. These helpers decide each of those once per file and say what they
decided. They also guard against the ways a CSV file loses rows without an error: a quote that
is never closed swallows the lines after it into one field (see :class:`Rows`).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
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
    """A file that cannot be read (from ``line`` on): a message saying what to do, and the
    ``rows`` of it that were not read (counted as rejected, so rows read = used + reported)."""

    def __init__(self, line: int, message: str, rows: int = 0) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.rows = rows


def rows_text(n: int) -> str:
    return f"{n:,} row{'s' if n != 1 else ''}"


_CONTROL_NAMES = {
    "\x00": "NULL",
    "\t": "TAB",
    "\n": "LINE FEED",
    "\r": "CARRIAGE RETURN",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}

_JOINERS = frozenset("\u200c\u200d")
"""ZERO WIDTH NON-JOINER and JOINER: invisible, but part of how Persian and Indic names are
spelled, so they are kept."""


def character_name(c: str) -> str:
    """``U+202E (RIGHT-TO-LEFT OVERRIDE)``: a character a registrar can look up."""
    name = unicodedata.name(c, "") or _CONTROL_NAMES.get(c, "")
    return f"U+{ord(c):04X}" + (f" ({name})" if name else "")


def invisible(text: str) -> str | None:
    """The first invisible character of ``text`` (a control, a format character such as a
    bidi override, a line separator, a noncharacter) described with its place, or None.

    Such a character makes two IDs that look the same differ (or reorders what a page shows),
    so an ID or a name holding one is reported instead of being kept. ZWJ and ZWNJ are kept.
    """
    if text.isprintable():
        return None
    for i, c in enumerate(text, 1):
        code = ord(c)
        category = unicodedata.category(c)
        if 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE:
            kind = "a noncharacter"
        elif category == "Cs":
            kind = "a lone surrogate"
        elif category in ("Cc", "Zl", "Zp") or (category == "Cf" and c not in _JOINERS):
            kind = "an invisible control character"
        else:
            continue
        where = f" as character {i}" if len(text) > 1 else ""
        return f"{kind} {character_name(c)}{where}"
    return None


def foreign_digit(text: str) -> str | None:
    """The first digit of ``text`` that is not 0-9 (Arabic-Indic, full-width, superscript...),
    named; None if there is none."""
    if text.isascii():
        return None
    for c in text:
        if c.isdigit() and not "0" <= c <= "9":
            return character_name(c)
    return None


def ascii_digits_hint(text: str) -> str:
    """`` (write it as 3.5)`` when every digit of ``text`` is from one script, else ``""``.

    Only a hint for the message: the value is never read from such digits.
    """
    zeros: set[int] = set()
    out: list[str] = []
    for c in text:
        value = unicodedata.decimal(c, None)
        if value is None:
            out.append(c)
            continue
        zeros.add(ord(c) - value)
        out.append(str(value))
    written = "".join(out).strip()
    return f" (write it as {written})" if len(zeros) == 1 and written.isascii() else ""


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


_ASCII_SAFE = frozenset({"utf-8-sig", "utf-8", "cp1252", "iso8859-1", "ascii"})
"""Codecs (by codecs.lookup name) in which every ASCII byte is that character on its own."""


def _first_bad(opener: Callable[[], BinaryIO], codec: str) -> tuple[int, int] | None:
    """``(line, byte)`` of the first byte that is not valid ``codec``, or None if all are."""
    decoder = codecs.getincrementaldecoder(codec)()
    # ASCII bytes are valid in each of these wherever they are (no sequence left open), and
    # isascii() checks a megabyte far faster than decoding it: most exports are mostly ASCII.
    ascii_safe = codecs.lookup(codec).name in _ASCII_SAFE
    line = 1
    with opener() as f:
        while chunk := f.read(1 << 20):
            if ascii_safe and chunk.isascii() and not decoder.getstate()[0]:
                line += chunk.count(b"\n")
                continue
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


_BREAK = re.compile(r"\r\n|\r|\n")

_SEP_LINE = re.compile(r'^"?sep=(\t|[^"\s\w])\1*"?[ \t]*\r?\n?$', re.IGNORECASE)
"""Excel's first line naming the separator (``sep=;``), also as a CSV writer quotes it."""


def extra_lines(row: list[str]) -> int:
    """How many line breaks the fields of a record hold: the lines it takes beyond its first
    (as ``csv.reader`` counts them in ``line_num``)."""
    return sum(len(_BREAK.findall(c)) for c in row if "\n" in c or "\r" in c)


def sep_line(line: str) -> str | None:
    """The separator an Excel ``sep=`` line names, or None if ``line`` is not one."""
    found = _SEP_LINE.match(line.lstrip("\ufeff"))
    return found.group(1) if found else None


def _lines(n: int) -> str:
    return f"{n:,} line{'s' if n != 1 else ''}"


class Rows:
    """A CSV file's data rows with the physical line each row starts on (``line``).

    The reader sees the file from its header on: ``skipped`` blank lines and an Excel
    ``sep=`` line before the header are not rows (not counted as read). A quoted field may
    hold line breaks (a comment written on two lines is kept), but when a line inside such a
    field holds as many separators as a record does (the header's width minus one), its
    closing quote is almost certainly missing and the field swallowed the rows after it.
    Iterating then raises :class:`BadFile` naming the line where that field opens, with every
    non-blank line from its record on counted as a row not read (the file's records can no
    longer be trusted from there). So does a field longer than csv's limit (128 KiB), named
    at the line its record starts. A record of the wrong width is the caller's to report
    (:meth:`misfit`): one row, at the line it starts.
    """

    def __init__(
        self,
        text: io.TextIOWrapper,
        reader: Any,
        skipped: int,
        *,
        opener: Callable[[], BinaryIO],
        codec: str,
        separator: str,
        width: int,
    ) -> None:
        self.text = text
        self.reader = reader
        self.skipped = skipped
        self.opener = opener
        self.codec = codec
        self.separator = separator
        self.width = width
        self.header_line = skipped + 1
        self.first_line = skipped + reader.line_num + 1
        """The physical line after the header: where the data rows start."""
        self.line = 0
        self.named: str | None = None
        """The separator an Excel ``sep=`` line named, if the file had one."""

    def __iter__(self) -> Iterator[list[str]]:
        reader = self.reader
        end = reader.line_num
        skipped = self.skipped
        try:
            while True:
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    raise self.broken(end + 1 + skipped, exc) from None
                start, end = end, reader.line_num
                self.line = start + 1 + skipped
                if end - start > 1:
                    problem = self.swallowed(row, self.line)
                    if problem is not None:
                        raise problem
                yield row
        finally:
            self.text.close()

    def misfit(self, row: list[str]) -> tuple[str, str] | None:
        """``(reason, message)`` for a row with fewer or more fields than the header (blank
        extra fields, as spreadsheets add, are allowed), or None."""
        n = len(row)
        if n < self.width:
            return (
                "short-row",
                f"the row has {n} fields but the header has {self.width}: the file may be cut "
                "off here, or a field with a line break lacks quotes",
            )
        if n > self.width and any(c.strip() for c in row[self.width :]):
            return (
                "extra-fields",
                f"the row has {n} fields but the header has {self.width}: quote any field "
                "that contains the separator",
            )
        return None

    def swallowed(self, row: list[str], line: int, rest: int | None = None) -> BadFile | None:
        """For a record starting on ``line`` that spans several lines: the error if one of its
        quoted fields most likely swallowed rows (see the class), else None. The rows not read
        are counted from ``rest`` (default: ``line``; the header is not a row)."""
        need = max(self.width - 1, 1)
        sep = self.separator
        at = line
        for column, cell in enumerate(row, 1):
            parts = _BREAK.split(cell)
            if len(parts) == 1:
                continue
            like = [k for k, part in enumerate(parts[1:], 1) if part.count(sep) >= need]
            if like:
                start = line if rest is None else rest
                rows = self.rest_from(start)
                return BadFile(
                    at,
                    f"the quoted field that opens on line {at} (column {column}) runs on over "
                    f"{_lines(len(like))} that look like rows (the first is line "
                    f"{at + like[0]}): its closing quote is most likely missing, so those rows "
                    f"went into that one field. Close the quote on line {at} (or remove it) and "
                    f"run again; the rest of the file ({rows_text(rows)} from line {start} on) "
                    "was not read.",
                    rows,
                )
            at += len(parts) - 1
        return None

    def broken(self, line: int, exc: csv.Error, rest: int | None = None) -> BadFile:
        """The error for a record (starting on ``line``) that csv cannot read; the rows not
        read are counted from ``rest`` (default: ``line``)."""
        start = line if rest is None else rest
        rows = self.rest_from(start)
        if "field larger than field limit" in str(exc):
            what = (
                f"the row that starts on line {line} has a field longer than "
                f"{csv.field_size_limit():,} characters: a quote there is most likely not "
                "closed, so the lines after it went into that one field"
            )
        else:
            what = f"line {line} is not valid CSV ({exc})"
        return BadFile(
            line,
            f"{what}. Fix line {line} and run again; the rest of the file "
            f"({rows_text(rows)} from line {start} on) was not read.",
            rows,
        )

    def rest_from(self, line: int) -> int:
        """Non-blank physical lines from ``line`` to the end: the rows a failed file still
        holds, counted by line since its records can no longer be trusted."""
        sep = self.separator
        count = 0
        with io.TextIOWrapper(self.opener(), encoding=self.codec, newline="") as f:
            for number, text in enumerate(f, 1):
                if number >= line and text.replace(sep, "").replace('"', "").strip():
                    count += 1
        return count


def open_rows(
    opener: Callable[[], BinaryIO],
    codec: str,
    expected: Callable[[list[str]], int],
    separator: str | None = None,
) -> tuple[list[str], Rows, str]:
    """Header, the data rows, and the separator.

    An Excel ``sep=`` first line names the separator (it wins over ``separator``: it is how
    the file was written) and is skipped like a blank line. Otherwise without ``separator``
    the header line decides: the candidate that makes the most expected column names
    (``expected`` counts them), then the most columns. A header that swallowed rows (an
    unclosed quote in it) is a BadFile.
    """
    text = io.TextIOWrapper(opener(), encoding=codec, newline="")
    skipped = 0
    named: str | None = None
    first = ""
    for line in text:
        if not line.strip():
            skipped += 1
            continue
        if named is None and (found := sep_line(line)) is not None:
            named = found
            skipped += 1
            continue
        first = line
        break
    if not first:
        text.close()
        what = "only its sep= line" if named else "no header row (it is empty)"
        raise BadFile(1, f"the file has {what}: export it again.")
    if named is not None:
        separator = named
    elif separator is None:
        best: tuple[int, int, str] | None = None
        for sep in SEPARATORS:
            cells = next(csv.reader([first], delimiter=sep))
            score = (expected(cells), len(cells), sep)
            if best is None or score[:2] > best[:2]:
                best = score
        assert best is not None
        separator = best[2]
    reader = csv.reader(itertools.chain([first], text), delimiter=separator)
    try:
        header = next(reader)
    except csv.Error as exc:
        rows = Rows(text, reader, skipped, opener=opener, codec=codec, separator=separator, width=1)
        text.close()
        raise rows.broken(skipped + 1, exc, skipped + 2) from None
    rows = Rows(
        text,
        reader,
        skipped,
        opener=opener,
        codec=codec,
        separator=separator,
        width=len(header),
    )
    rows.named = named
    if reader.line_num > 1:
        problem = rows.swallowed(header, rows.header_line, rows.header_line + 1)
        if problem is not None:
            text.close()
            raise problem
    return header, rows, separator


_ISO = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.+\-Z]*)?$")


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
        digit = foreign_digit(text)
        if digit is not None:
            # strptime would read these digits; they are refused so that every number
            # Proficio reads is written the one way a registrar can check by eye.
            return f"'{raw}' is written with {digit}, not the digits 0-9: write dates with 0-9"
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
