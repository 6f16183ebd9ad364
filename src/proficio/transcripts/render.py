"""One worker's renderer: a reused ``typst.Compiler``, the font check, and the PDF bytes.

A worker process builds one :class:`Renderer` and feeds it students one at a time. The Compiler
keeps Typst's caches (fonts, parsed templates, the school's JSON) between students, which is what
makes bulk runs fast. Every PDF is PDF/A-2a + PDF/UA-1 with a fixed timestamp, so the same inputs
give the same bytes whatever the worker or the order.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import struct
import tempfile
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from importlib import resources
from pathlib import Path
from typing import Any

import typst

from ..content.model import School
from ..errors import DocumentError
from ..scoring.results import StudentResult
from ..support.bidi import invisible
from ..support.typesetting import PDF_STANDARDS, forget_layouts, page_count
from . import signing
from .document import Catalog, Explain, Options, student_strings
from .fonts import Coverage, describe

TEMPLATES = ("common.typ", "transcript.typ", "progress.typ")


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    document_id: str = ""
    """The ID printed on every page (:func:`~proficio.transcripts.signing.document_id`)."""
    content_sha256: str = ""
    """SHA-256 of the data the document prints; its first 16 digits are printed beside the ID."""
    signed: bool = False


def compact(pdf: bytes) -> bytes:
    """``pdf`` with its objects packed into compressed object streams.

    Typst writes each of a tagged PDF's thousand structure elements as a plain object: about
    70% of the file. Packed, a 4-6 page transcript shrinks from about 180 KB to about 75 KB.
    Nothing else changes: every object keeps its number and its bytes, streams (the XMP among
    them, unfiltered as PDF/A requires) are copied as they are, the trailer (with Typst's file
    ID) moves into a cross-reference stream, so the same input gives the same bytes. A PDF not
    in the simple form Typst writes (one classic cross-reference table, generation 0) is packed
    by qpdf instead (:func:`compact_qpdf`)."""
    return pack(pdf) or compact_qpdf(pdf)


def compact_qpdf(pdf: bytes) -> bytes:
    """:func:`compact` done by qpdf (through pikepdf): any PDF, about 30 ms a transcript."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return _qpdf_save(doc, object_streams=True)


def _qpdf_save(doc: Any, *, object_streams: bool) -> bytes:
    """``doc`` (an open pikepdf document) saved by qpdf without touching what PDF/A rests on:
    streams copied as they are (the XMP stays unfiltered), the metadata left alone, and a file
    ID derived from the content, so the same input gives the same bytes."""
    import pikepdf

    out = io.BytesIO()
    doc.save(
        out,
        object_stream_mode=(
            pikepdf.ObjectStreamMode.generate
            if object_streams
            else pikepdf.ObjectStreamMode.disable
        ),
        stream_decode_level=pikepdf.StreamDecodeLevel.none,
        compress_streams=True,
        deterministic_id=True,
        fix_metadata_version=False,
        linearize=False,
    )
    return out.getvalue()


OBJECTS_PER_STREAM = 100
"""Objects per object stream, as qpdf packs them."""

_TRAILER = re.compile(rb"trailer\s*<<(.*)>>\s*startxref\s*(\d+)\s*%%EOF\s*\Z", re.DOTALL)
_XREF = re.compile(rb"xref\s*0 (\d+)\s*")
_SIZE = re.compile(rb"/Size\s+(\d+)")
_ROW = struct.Struct(">BIH")  # a cross-reference stream's row: /W [1 4 2]
_FREE = _ROW.pack(0, 0, 0xFFFF)


def pack(pdf: bytes) -> bytes | None:
    """:func:`compact` for a PDF as Typst writes it, in a few milliseconds; ``None`` for any
    other form (an incremental update, an encrypted file, objects of another generation, a
    cross-reference stream already...).

    Each object is the span between its offset in the cross-reference table and the next
    object's, so no object's content (a string holding ``endobj``) is ever searched."""
    tail = pdf.rfind(b"trailer", max(0, len(pdf) - 4096))
    if tail < 0:
        return None
    m = _TRAILER.match(pdf, tail)
    if not m:
        return None
    trailer, xref_at = m.group(1), int(m.group(2))
    if any(key in trailer for key in (b"/Prev", b"/Encrypt", b"/XRefStm")):
        return None
    size_m = _SIZE.search(trailer)
    x = _XREF.match(pdf, xref_at)
    if size_m is None or x is None or int(x.group(1)) != int(size_m.group(1)):
        return None
    size, table = int(size_m.group(1)), x.end()
    if pdf[table + 20 * size : table + 20 * size + 7] != b"trailer":
        return None  # more than one subsection
    offsets: list[int] = []
    for i in range(1, size):
        entry = pdf[table + 20 * i : table + 20 * i + 18]
        if entry[10:18] != b" 00000 n":
            return None
        offsets.append(int(entry[:10]))
    ends = dict(zip(sorted(offsets), [*sorted(offsets)[1:], xref_at], strict=True))
    head = pdf[: min(offsets)] if offsets else b""
    if not head.startswith(b"%PDF-"):
        return None
    out = [head]
    at = len(head)
    kinds = bytearray(size)  # 0 free, 1 written as it is, 2 in an object stream
    where = [0] * size  # the offset (1), or the object stream's number (2)
    index = [0] * size  # the place inside its object stream (2)
    loose: list[tuple[int, bytes]] = []
    for number, start in enumerate(offsets, 1):
        label = b"%d 0 obj" % number
        span = pdf[start : ends[start]].rstrip()
        if not span.startswith(label) or not span.endswith(b"endobj"):
            return None
        body = span[len(label) : -6].strip()
        if body.startswith(b"<<") and body.endswith(b"endstream") and body[-10:-9] in b"\r\n":
            kinds[number], where[number] = 1, at
            chunk = label + b"\n" + body + b"\nendobj\n"
            out.append(chunk)
            at += len(chunk)
        else:
            loose.append((number, body))
    next_number = size
    for first in range(0, len(loose), OBJECTS_PER_STREAM):
        group = loose[first : first + OBJECTS_PER_STREAM]
        pairs, bodies, offset = [], [], 0
        for i, (number, body) in enumerate(group):
            kinds[number], where[number], index[number] = 2, next_number, i
            pairs.append(b"%d %d" % (number, offset))
            bodies.append(body)
            offset += len(body) + 1
        header = b" ".join(pairs) + b"\n"
        data = zlib.compress(header + b"\n".join(bodies) + b"\n")
        chunk = (
            b"%d 0 obj\n<</Type/ObjStm/N %d/First %d/Filter/FlateDecode/Length %d>>\nstream\n"
            % (next_number, len(group), len(header), len(data))
        )
        chunk += data + b"\nendstream\nendobj\n"
        kinds.append(1)
        where.append(at)
        index.append(0)
        out.append(chunk)
        at += len(chunk)
        next_number += 1
    kinds.append(1)  # the cross-reference stream itself
    where.append(at)
    index.append(0)
    total = next_number + 1
    rows = b"".join(
        _ROW.pack(kind, at_, i) if kind else _FREE
        for kind, at_, i in zip(kinds, where, index, strict=True)
    )
    data = zlib.compress(rows)
    rest = _SIZE.sub(b"", trailer, count=1).strip()
    out.append(
        b"%d 0 obj\n<</Type/XRef/Size %d/W[1 4 2]/Filter/FlateDecode/Length %d%s%s>>\nstream\n"
        % (next_number, total, len(data), b"" if rest.startswith(b"/") else b" ", rest)
    )
    out.append(data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % at)
    return b"".join(out)


UNEXTRACTABLE = re.compile("[\u0900-\u0dff]|\u0644[\u0622\u0623\u0625\u0627]")
"""Text whose characters a PDF reader cannot get back from the glyphs alone: an Indic script's
conjunct clusters (one glyph for several letters, vowel signs drawn before their consonant) and
the Arabic lam-alef ligature (one glyph for two letters, reversed with the right-to-left run)."""

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


def needs_actual_text(strings: list[str]) -> bool:
    """Whether any of a student's strings has text :data:`UNEXTRACTABLE` (cheap: a few short
    strings searched once)."""
    return any(UNEXTRACTABLE.search(text) for text in strings)


def _to_unicode(font: object) -> dict[int, str]:
    """A Type0 font's glyphs (2-byte codes) to their letters, from its ``/ToUnicode`` map (the
    ``bfchar`` form Typst writes; ranges are left out: no match is found, nothing changes)."""
    import pikepdf

    if not isinstance(font, pikepdf.Dictionary) or "/ToUnicode" not in font:
        return {}
    cmap = font["/ToUnicode"]
    if not isinstance(cmap, pikepdf.Stream):
        return {}
    data = cmap.read_bytes()
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.DOTALL):
        for code, text in _BFCHAR.findall(block):
            raw = bytes.fromhex(text.decode("ascii"))
            out[int(code, 16)] = raw.decode("utf-16-be", "replace")
    return out


def add_actual_text(pdf: bytes, strings: list[str]) -> bytes:
    """``pdf`` with ``/ActualText`` on each tagged span that draws one of ``strings``' words
    with :data:`UNEXTRACTABLE` letters, so that copying or extracting it gives back the word.

    Typst writes ActualText only on some Indic clusters, never on a ligature. A span matches a
    word when its glyphs stand for exactly the word's letters in some order (the lam-alef
    ligature's two letters reversed with its right-to-left run, a vowel sign drawn before its
    consonant): the span then says which order is right. A span already holding Typst's own
    ActualText is left alone (its text reads back). Nothing else changes: the page's content
    stream is rewritten with the same operators, and the file is saved again by qpdf (about
    40 ms, for these documents only) before it is packed."""
    import pikepdf

    words: dict[str, str] = {}
    ambiguous: set[str] = set()
    for text in strings:
        for word in text.split():
            if UNEXTRACTABLE.search(word):
                key = "".join(sorted(word))
                if words.get(key, word) != word:
                    ambiguous.add(key)
                words[key] = word
    for key in ambiguous:
        del words[key]
    if not words:
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        changed = False
        for page in doc.pages:
            resources = page.obj.get("/Resources")
            fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
            if not isinstance(fonts, pikepdf.Dictionary):
                continue
            maps: dict[str, dict[int, str]] = {}
            ops = pikepdf.parse_content_stream(page)
            spans: list[tuple[int, list[str]]] = []  # open spans: index of the BDC, letters
            # Every open marked content: a span (its place in ``spans``), the ActualText Typst
            # wrote itself on a cluster, or None. A span holding Typst's own ActualText is left
            # as it is: readers take the inner one and drop an outer one (poppler does).
            marks: list[int | str | None] = []
            told: set[int] = set()
            font: dict[int, str] = {}
            edits: dict[int, str] = {}
            for i, instruction in enumerate(ops):
                operands, name = instruction.operands, str(instruction.operator)
                if name == "BDC":
                    props = operands[1] if len(operands) > 1 else None
                    if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                        spans.append((i, []))
                        marks.append(len(spans) - 1)
                    elif isinstance(props, pikepdf.Dictionary) and "/ActualText" in props:
                        marks.append(str(props["/ActualText"]))
                    else:
                        marks.append(None)
                elif name == "BMC":
                    marks.append(None)
                elif name == "EMC" and marks:
                    top = marks.pop()
                    if isinstance(top, str):
                        if spans:
                            told.add(spans[-1][0])
                    elif top is not None:
                        at, letters = spans.pop()
                        found = words.get("".join(sorted("".join(letters))))
                        if found is not None and at not in told:
                            edits[at] = found
                elif name == "Tf" and operands:
                    key = str(operands[0])
                    if key not in maps:
                        maps[key] = _to_unicode(fonts.get(key))
                    font = maps[key]
                elif name in ("Tj", "TJ", "'", '"') and spans:
                    shown = operands[-1]
                    items = list(shown) if isinstance(shown, pikepdf.Array) else [shown]
                    for item in items:
                        if isinstance(item, pikepdf.String):
                            raw = bytes(item)
                            spans[-1][1].extend(
                                font.get(int.from_bytes(raw[j : j + 2], "big"), "\ufffd")
                                for j in range(0, len(raw) - 1, 2)
                            )
            if not edits:
                continue
            for at, word in edits.items():
                bdc = ops[at]
                props = bdc.operands[1]
                assert isinstance(props, pikepdf.Dictionary)  # checked when the span was read
                # In logical order, as the PDF standard (14.9.4) and PDF/UA read it: Acrobat
                # and screen readers take it as it is. poppler reverses a right-to-left
                # ActualText once more (pdftotext then gives the word back to front).
                props["/ActualText"] = pikepdf.String(word)
                ops[at] = pikepdf.ContentStreamInstruction([bdc.operands[0], props], bdc.operator)
            page.obj["/Contents"] = doc.make_stream(pikepdf.unparse_content_stream(ops))
            changed = True
        if not changed:
            return pdf
        return _qpdf_save(doc, object_streams=False)


def prepare_root(school: School) -> Path:
    """A private folder holding the templates and the school's images under fixed names.

    Typst reads files only below its root, so the images are copied in (``assets/logo.svg``...):
    no path from the school's YAML or a roster ever reaches the template.
    """
    root = Path(tempfile.mkdtemp(prefix="proficio-typst-"))
    pkg = resources.files("proficio.transcripts") / "templates"
    for name in TEMPLATES:
        (root / name).write_bytes((pkg / name).read_bytes())
    (root / "assets").mkdir()
    images = {"logo": school.logo, "seal": school.seal}
    if school.registrar:
        images["signature"] = school.registrar.signature
    for name, path in images.items():
        if path is not None:
            shutil.copyfile(path, root / "assets" / f"{name}{path.suffix.lower()}")
    return root


def content_problems(catalog: Catalog, coverage: Coverage, lang: str) -> list[str]:
    """Content text (titles, rubrics, the school's name) in ``lang`` that no font can draw.

    Checked once per run before any student: such text would spoil every document."""
    out = []
    for where, text in catalog.content_strings(lang):
        bad = coverage.missing(text)
        if bad:
            chars = ", ".join(describe(c) for c in bad)
            out.append(f"{where} ({lang}): {text!r} has {chars}, which no installed font draws")
    return out


class Renderer:
    """Renders one kind of document for many students, reusing one Typst compiler."""

    def __init__(
        self,
        school: School,
        options: Options,
        font_dirs: list[Path],
        coverage: Coverage,
        explain: Explain | None = None,
        root: Path | None = None,
        identity: signing.Identity | None = None,
        verification: bool = True,
    ) -> None:
        """``root`` is a folder from :func:`prepare_root` shared by a run's workers (the run
        removes it); without one the renderer makes its own and :meth:`close` removes it.
        With ``identity`` every PDF is signed (PAdES) with the school's key. ``verification``
        False leaves out the printed document ID, content hash and QR code, for a test that
        compares two documents pixel for pixel whose data differs on purpose."""
        self.catalog = Catalog(school, options)
        self.options = options
        self.coverage = coverage
        self.explain = explain
        self.owns_root = root is None
        self.root = prepare_root(school) if root is None else root
        self.compiler = typst.Compiler(
            str(self.root / f"{options.kind}.typ"),  # the stub wants input and font_paths alike
            root=self.root,
            font_paths=[str(d) for d in font_dirs],
            ignore_system_fonts=True,
        )
        # The document date is the issue date at noon UTC: the same bytes in every time zone.
        self.timestamp = datetime.combine(options.issued, time(12, 0), tzinfo=UTC)
        self._common_json: dict[str, str] = {}
        self.signer = signing.Signer(identity) if identity is not None else None
        self.verification = verification

    def close(self) -> None:
        if self.owns_root:
            shutil.rmtree(self.root, ignore_errors=True)

    def check_student(self, result: StudentResult) -> None:
        """Refuse a student whose document would print wrong: an ID holding an invisible
        character (it would print like another ID), or text no font draws."""
        sid = result.student.id
        hidden = invisible(sid)
        if hidden:
            chars = ", ".join(describe(c) for c in hidden)
            raise DocumentError(
                f"student_id {sid!r} contains {chars}, an invisible control character: the "
                "printed ID would not match the roster's, so the document was not issued. "
                "Correct the ID in the roster."
            )
        for field_name, value in student_strings(result):
            bad = self.coverage.missing(value)
            if bad:
                chars = ", ".join(describe(c) for c in bad)
                raise DocumentError(
                    f"{field_name} {value!r} contains {chars}, which no installed font can draw; "
                    "the document was not issued. Correct the roster, or install a font for it."
                )

    def common_json(self, lang: str) -> str:
        out = self._common_json.get(lang)
        if out is None:
            out = self._common_json[lang] = json.dumps(
                self.catalog.common(lang), ensure_ascii=False, sort_keys=True
            )
        return out

    def render(self, result: StudentResult) -> Rendered:
        """The student's PDF, or :class:`DocumentError` saying why it cannot be issued: Typst's
        PDF packed (:func:`compact`) and, with a signing identity, signed."""
        typeset = self.typeset(result)
        pdf = typeset.pdf
        strings = [value for _, value in student_strings(result)]
        if needs_actual_text(strings):
            pdf = add_actual_text(pdf, strings)
        pdf = compact(pdf)
        if self.signer is not None:
            lang = self.catalog.language_for(result)
            pdf = self.signer.sign(pdf, tooltip=signing.tooltip(self.catalog.school, lang))
        return replace(typeset, pdf=pdf, signed=self.signer is not None)

    def typeset(self, result: StudentResult) -> Rendered:
        """The PDF exactly as Typst writes it, before it is packed or signed."""
        inputs, doc_id, digest = self.inputs(result)
        try:
            pdf = self.compiler.compile(
                sys_inputs=inputs,
                pdf_standards=PDF_STANDARDS,
                timestamp=self.timestamp,
            )
        except typst.TypstError as exc:
            raise DocumentError(f"Typst could not lay out the document: {exc.message}") from exc
        finally:
            forget_layouts()
        assert isinstance(pdf, bytes)
        return Rendered(pdf, page_count(pdf), doc_id, digest)

    def inputs(self, result: StudentResult) -> tuple[dict[str, str], str, str]:
        """What the template gets for ``result`` (``sys.inputs``: JSON strings), with the
        document ID and content hash it prints; also what benchmarks compile Typst alone with."""
        self.check_student(result)
        doc = self.catalog.student(result, self.explain)
        lang = self.catalog.language_for(result)
        inputs = {
            "common": self.common_json(lang),
            "student": json.dumps(doc, ensure_ascii=False, sort_keys=True),
        }
        # The ID and the hash of exactly what is printed, sent beside it (not inside it).
        school, kind = self.catalog.school, self.options.kind
        doc_id = signing.document_id(school, kind, result.student.id, self.options.issued, lang)
        digest = signing.content_hash(inputs["common"], inputs["student"])
        signer = self.signer.name if self.signer else None
        if self.verification:
            inputs["verification"] = json.dumps(
                signing.verification(school, lang, doc_id, digest, signer=signer),
                ensure_ascii=False,
                sort_keys=True,
            )
        return inputs, doc_id, digest
