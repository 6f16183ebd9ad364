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
import tempfile
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from importlib import resources
from pathlib import Path

import typst

from ..content.model import School
from ..errors import DocumentError
from ..scoring.results import StudentResult
from ..support.bidi import invisible
from . import signing
from .document import Catalog, Explain, Options, student_strings
from .fonts import Coverage, describe

PDF_STANDARDS: list[typst.PDFStandard] = ["a-2a", "ua-1"]  # the alias is in typst's stub only
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


def page_count(pdf: bytes) -> int:
    """Pages of a Typst PDF (its single page tree), falling back to parsing with pypdf."""
    m = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    if m:
        return int(m.group(1))
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def compact(pdf: bytes) -> bytes:
    """``pdf`` with its objects packed into compressed object streams (qpdf, via pikepdf).

    Typst writes each of a tagged PDF's thousand structure elements as a plain object: about
    70% of the file. Packed, a 4-6 page transcript shrinks from about 180 KB to about 75 KB.
    Nothing else changes: streams are copied as they are (the XMP stays unfiltered, as PDF/A
    requires), the metadata is not touched, objects keep their content, and the trailer's new
    file ID is derived from the content, so the same input gives the same bytes."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        out = io.BytesIO()
        doc.save(
            out,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            compress_streams=True,
            deterministic_id=True,
            fix_metadata_version=False,
            linearize=False,
        )
    return out.getvalue()


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
        pdf = compact(typeset.pdf)
        if self.signer is not None:
            lang = self.catalog.language_for(result)
            pdf = self.signer.sign(pdf, tooltip=signing.tooltip(self.catalog.school, lang))
        return replace(typeset, pdf=pdf, signed=self.signer is not None)

    def typeset(self, result: StudentResult) -> Rendered:
        """The PDF exactly as Typst writes it, before it is packed or signed."""
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
        try:
            pdf = self.compiler.compile(
                sys_inputs=inputs,
                pdf_standards=PDF_STANDARDS,
                timestamp=self.timestamp,
            )
        except typst.TypstError as exc:
            raise DocumentError(f"Typst could not lay out the document: {exc.message}") from exc
        assert isinstance(pdf, bytes)
        return Rendered(pdf, page_count(pdf), doc_id, digest)
