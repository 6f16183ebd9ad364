"""Content shown untranslated carries its own language (#14 item 5): a target title that has no
Vietnamese text is printed in English in a Vietnamese progress report, and that span says
``/Lang (en)`` so a screen reader reads it as English. Only such texts are marked: a title in
the document's language is not wrapped at all.

The languages come from the PDF itself, read with pypdf: the marked-content sequences of each
page's content stream that carry ``/Lang``, and the structure tree's elements that carry it
(Typst puts it there when a whole cell or paragraph is in that language), each with its text.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO
from typing import Any

import pytest
from pypdf import PdfReader
from transcript_helpers import ISSUED, result, school
from transcript_helpers import renderer as new_renderer

from proficio.evidence.records import Student
from proficio.transcripts import Options
from proficio.transcripts.document import Catalog

# Mathematics level 1 has Vietnamese titles; English Language Arts level 1 has none (the
# example school's content), so a Vietnamese document prints those in English.
CURRENT = {code: 1 for code in ("MA", "ELA", "SC", "WE")}


def _language(value: Any) -> str | None:
    if value is None:
        return None
    raw = value if isinstance(value, bytes) else value.get_original_bytes()
    return bytes(raw).decode("latin-1")


def _read_page(page: Any, out: list[tuple[str, str]], by_mcid: dict[tuple[int, int], str]) -> None:
    """Adds to ``out`` the text of ``page``'s marked-content sequences that carry /Lang, and to
    ``by_mcid`` the text of each one with an MCID (keyed by the page's object number)."""
    ref = page.indirect_reference
    assert ref is not None
    stack: list[tuple[str | None, int | None, list[str]]] = []

    def before(op: bytes, args: list[Any], cm: Any, tm: Any) -> None:
        if op in (b"BDC", b"BMC"):
            props = args[1] if op == b"BDC" and len(args) > 1 else None
            props = props if hasattr(props, "get") else {}
            mcid = props.get("/MCID")
            stack.append((_language(props.get("/Lang")), mcid, []))
        elif op == b"EMC" and stack:
            code, mcid, parts = stack.pop()
            text = "".join(parts)
            if code is not None:
                out.append((code, text))
            if mcid is not None:
                by_mcid[(ref.idnum, int(mcid))] = text
            if stack:
                stack[-1][2].extend(parts)

    def text(t: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if stack:
            stack[-1][2].append(t)

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def lang_spans(pdf: bytes) -> list[tuple[str, str]]:
    """``(language, text)`` for every text the PDF gives a language other than the
    document's: Typst writes ``/Lang`` either in a span's marked-content properties or, when a
    whole element (a table cell, a paragraph) is in that language, on its structure element.
    Both are read: each page's content stream gives the text of every marked-content sequence
    (by its MCID), and the structure tree says which MCIDs are under an element with /Lang."""
    reader = PdfReader(BytesIO(pdf))
    out: list[tuple[str, str]] = []
    by_mcid: dict[tuple[int, int], str] = {}
    for page in reader.pages:
        _read_page(page, out, by_mcid)

    def walk(node: Any, lang: str | None, page: int | None) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            if lang is not None and page is not None:
                out.append((lang, by_mcid.get((page, node), "")))
            return
        if not isinstance(node, dict):
            return
        lang = _language(node.get("/Lang")) or lang
        pg = node.get("/Pg")
        page = pg.idnum if pg is not None and hasattr(pg, "idnum") else page
        if "/MCID" in node:
            walk(int(node["/MCID"]), lang, page)
            return
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
            walk(kid, lang, page)

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    walk(root, None, None)
    return out


def flat(text: str) -> str:
    return " ".join(text.split())


def render(kind: str, lang: str) -> bytes:
    r = new_renderer(kind=kind, language=lang)
    try:
        return r.render(result(Student("LG1", "Ana", "Lima", language=lang), current=CURRENT)).pdf
    finally:
        r.close()


def titles(subject: str, level: int, lang: str) -> Iterator[tuple[str, bool]]:
    """``(title as printed, whether it has a text in lang)`` of a level's targets."""
    sch = school()
    found = next(s for s in sch.subjects if s.code == subject).levels[level - 1]
    for target in found.targets:
        yield sch.text(target.title, lang), lang in target.title


def test_the_example_content_has_what_the_tests_need():
    assert all(has for _, has in titles("MA", 1, "vi"))
    assert not any(has for _, has in titles("ELA", 1, "vi"))


@pytest.mark.parametrize("kind", ["progress", "transcript"])
def test_an_untranslated_title_carries_its_language(kind):
    spans = lang_spans(render(kind, "vi"))
    english = flat(" ".join(text for code, text in spans if code == "en"))
    assert english
    for title, _ in titles("ELA", 1, "vi"):
        assert flat(title) in english, title
    # a Vietnamese title is never marked English
    for title, _ in titles("MA", 1, "vi"):
        assert flat(title) not in english, title


def test_an_english_document_marks_no_content_text():
    """The school's default language has every text: the template gets no language to set
    (``<field>_lang`` is null everywhere), so it wraps nothing."""
    catalog = Catalog(school(), Options(kind="progress", issued=ISSUED))
    doc = catalog.student(result(Student("LG2", "Ana", "Lima", language="en"), current=CURRENT))

    def marked(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for key, item in value.items():
                if key.endswith("_lang") and item is not None:
                    yield key
                yield from marked(item)
        elif isinstance(value, list):
            for item in value:
                yield from marked(item)

    assert list(marked(doc)) == []
    assert list(marked(catalog.common("en"))) == []
    # and in Vietnamese, ELA's titles are marked as English, Mathematics' are not
    vi = Catalog(school(), Options(kind="progress", issued=ISSUED))
    doc = vi.student(result(Student("LG3", "Ana", "Lima", language="vi"), current=CURRENT))
    subjects = {s["title"]: s for s in doc["subjects"]}
    ela = subjects[school().text(school().subjects[1].title, "vi")]
    maths = subjects[school().text(school().subjects[0].title, "vi")]
    rows = ela["proficient"] + ela["next"]
    assert rows and all(x["title_lang"] == "en" for x in rows)
    assert all(x["title_lang"] is None for x in maths["proficient"] + maths["next"])
