"""Names whose letters a reader cannot get back from the glyphs alone (#14 item 5): Devanagari
conjunct clusters, the Arabic lam-alef ligature. pdftotext gives back the Devanagari names (Typst
writes ActualText on the clusters itself), and the ligature's spans carry their word as
ActualText in logical order (from render.py); the
tags, ``/Lang``, the XMP and the file's packing stay as they were, and a document without such
a name is not touched."""

from __future__ import annotations

import io
import shutil

import pikepdf
import pytest
from transcript_helpers import pdftotext, result
from transcript_helpers import renderer as new_renderer

from proficio.evidence.records import Student
from proficio.transcripts.render import add_actual_text, compact, needs_actual_text

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")

HINDI = Student("H-1", "क्षितिज", "श्रीमती")
ARABIC = Student("A-1", "علاء", "الدين", language="es")
LATIN = Student("L-1", "Ana", "Núñez")


@pytest.fixture(scope="module")
def renderer():
    r = new_renderer()
    yield r
    r.close()


def actual_texts(pdf: bytes) -> list[tuple[str, str | None]]:
    """(ActualText, /Lang) of every tagged span (one with an MCID) that has an ActualText
    (Typst writes its own on some Devanagari clusters, inside the span: left out)."""
    found = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for inst in pikepdf.parse_content_stream(page):
                props = inst.operands[1] if str(inst.operator) == "BDC" else None
                if (
                    isinstance(props, pikepdf.Dictionary)
                    and "/ActualText" in props
                    and "/MCID" in props
                ):
                    lang = str(props["/Lang"]) if "/Lang" in props else None
                    found.append((str(props["/ActualText"]), lang))
    return found


def structure(pdf: bytes) -> tuple[object, ...]:
    """What PDF/A-2a and PDF/UA-1 rest on: the XMP (byte for byte), the marked flag, the
    language, the number of structure elements and their types."""
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.Root
        kinds: list[str] = []
        todo = [root.StructTreeRoot]
        while todo:
            node = todo.pop()
            if isinstance(node, pikepdf.Array):
                todo.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and "/K" in node:
                if "/S" in node:
                    kinds.append(str(node.S))
                todo.append(node.K)
        return (
            root.Metadata.read_bytes(),
            bool(root.MarkInfo.Marked),
            str(root.Lang),
            sorted(kinds),
            len(doc.pages),
        )


@pytest.mark.parametrize("student", [HINDI, ARABIC], ids=["devanagari", "lam-alef"])
def test_the_exact_name_is_extracted(renderer, tmp_path, student):
    res = result(student, current={"MA": 2})
    typeset = renderer.typeset(res).pdf
    pdf = renderer.render(res).pdf
    text = pdftotext(pdf, tmp_path)
    found = dict(actual_texts(pdf))
    if student is ARABIC:
        # The span of the word with the ligature (not the other, which reads back) says its
        # word in logical order, as the standard and screen readers read it, and keeps /Lang.
        # (poppler reverses a right-to-left ActualText, so pdftotext cannot check this one.)
        assert set(found) == {student.given_name}
        assert set(found.values()) == {"ar"}
        assert student.family_name in text, text[:400]
    else:
        for name in (student.given_name, student.family_name):
            assert name in text, (name, text[:400])
        # Typst already writes ActualText on these clusters, inside the span: nothing added
        # (poppler would read the outer one only, and lose letters).
        assert found == {}
    assert structure(pdf) == structure(typeset)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        assert doc.check_pdf_syntax() == []
        assert "/ObjStm" in {
            str(o.get("/Type")) for o in doc.objects if isinstance(o, pikepdf.Stream)
        }


def test_the_lam_alef_name_was_lost_without_it(renderer, tmp_path):
    """The test above can fail: Typst's own PDF gives the ligature's letters reversed."""
    typeset = renderer.typeset(result(ARABIC, current={"MA": 2})).pdf
    assert ARABIC.given_name not in pdftotext(compact(typeset), tmp_path)


def test_a_document_without_such_names_is_not_touched(renderer):
    res = result(LATIN, current={"MA": 2})
    assert not needs_actual_text([LATIN.id, LATIN.given_name, LATIN.family_name])
    typeset = renderer.typeset(res).pdf
    assert renderer.render(res).pdf == compact(typeset)
    assert add_actual_text(typeset, ["Ana", "Núñez"]) == typeset


def test_the_check_finds_clusters_and_the_ligature():
    assert needs_actual_text(["क्षितिज"]) and needs_actual_text(["श्रीमती"])
    assert needs_actual_text(["علاء"]) and needs_actual_text(["لأمل"])
    assert not needs_actual_text(["محمد", "高一鸣", "Nguyễn", "Ñúñez"])


def test_the_same_name_gives_the_same_bytes(renderer):
    res = result(ARABIC, current={"MA": 2})
    assert renderer.render(res).pdf == renderer.render(res).pdf


def test_a_pdf_in_another_form_is_packed_by_qpdf(renderer):
    """(The packer the fast path above relies on.) A file that is not as Typst writes it, here
    one already packed, is left to qpdf rather than read wrongly."""
    from proficio.transcripts.render import pack

    typeset = renderer.typeset(result(LATIN, current={"MA": 2})).pdf
    packed = pack(typeset)
    assert packed is not None and pack(packed) is None
    again = compact(packed)
    with pikepdf.open(io.BytesIO(again)) as doc:
        assert doc.check_pdf_syntax() == [] and len(doc.pages) >= 1
    assert pack(typeset + b"% an appended comment\n") is None  # not ending in %%EOF
