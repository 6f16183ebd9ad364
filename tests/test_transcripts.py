"""Transcripts and progress reports read back from the PDF bytes Typst produced."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from pypdf import PdfReader
from transcript_helpers import ISSUED, result, school, simple_explain

from proficio.errors import DocumentError
from proficio.evidence.records import Student
from proficio.support import locale
from proficio.transcripts import Options, Renderer
from proficio.transcripts.filenames import assign_files, safe_stem
from proficio.transcripts.fonts import Coverage, font_dirs

OPTIONS = Options(kind="transcript", issued=ISSUED)
CODE = re.compile(r"\b[A-Z]{2,3}\.L\d+\.[A-Z]{2}(\.\d+)?\b")


@pytest.fixture(scope="module")
def fonts():
    dirs = font_dirs()
    return dirs, Coverage.of_dirs(dirs)


@pytest.fixture(scope="module")
def transcripts(fonts):
    r = Renderer(school(), OPTIONS, *fonts, explain=simple_explain)
    yield r
    r.close()


@pytest.fixture(scope="module")
def progress(fonts):
    from proficio.scoring import explain

    r = Renderer(school(), replace(OPTIONS, kind="progress"), *fonts, explain=explain)
    yield r
    r.close()


def text_of(pdf: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(s: str) -> str:
    return " ".join(s.split())


def words(s: str) -> list[str]:
    return sorted(s.split())


# -- the transcript -------------------------------------------------------------------------


def test_transcript_shows_identity_every_code_and_score_and_numbers_its_pages(transcripts):
    st = Student(
        "RB-0042",
        "Ana Lucía",
        "Núñez Ortega",
        preferred_name="Lucy",
        graduation_year=2029,
        birth_date=date(2011, 4, 3),
    )
    res = result(st, current={"MA": 3, "ELA": 2, "SC": 1})
    out = transcripts.render(res)
    reader = PdfReader(io.BytesIO(out.pdf))
    assert out.pages == len(reader.pages) >= 2
    pages = [p.extract_text() for p in reader.pages]
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {out.pages}" in page
        assert "Student ID RB-0042" in page
    whole = flat("\n".join(pages))
    for needle in (
        "Ana Lucía Núñez Ortega",
        "Lucy",
        "2029",
        "April 3, 2011",
        "June 12, 2026",
        "Dana Whitfield",
    ):
        assert needle in whole
    shown = 0
    for subject in res.subjects:
        for level in subject.levels:
            if not (level.complete or level.number == subject.current_level):
                continue
            for t in level.targets:
                shown += 1
                assert t.code in whole
                if t.score is not None:
                    # the row: from its code to the next code; it holds the score as printed
                    start = whole.index(t.code + " ")
                    nxt = CODE.search(whole, start + len(t.code))
                    row = whole[start : nxt.start() if nxt else None]
                    target = next(x for *_, x in school().iter_targets() if x.code == t.code)
                    scale = school().scale_of(target)
                    shown_score = locale.number(t.score, "en", keep=1 if scale.half_points else 0)
                    assert f" {shown_score} " in row, row
    assert shown > 40
    # Level 1 of mathematics is complete: its completion date is in the summary.
    done = res.subjects[0].levels[0].completed_on
    assert f"Level 1: Number foundations ({locale.short_date(done, 'en')})" in whole
    meta = reader.metadata
    assert (
        meta.title
        == "Official transcript: \u2068Ana Lucía Núñez Ortega\u2069 (Riverbend Competency Academy)"
    )
    assert meta.author == "Riverbend Competency Academy"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    fonts_embedded = {
        str(
            f.get_object()["/FontDescriptor"].get("/FontFile2") is not None
            or f.get_object()["/FontDescriptor"].get("/FontFile3") is not None
        )
        for page in reader.pages
        for f in _descendant_fonts(page)
    }
    assert fonts_embedded == {"True"}


def _descendant_fonts(page):
    res = page.get("/Resources", {}).get_object()
    for font in res.get("/Font", {}).get_object().values():
        font = font.get_object()
        yield from (d.get_object() for d in font.get("/DescendantFonts", [font]))


def test_page_one_is_not_blank(transcripts, tmp_path):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils not installed (scripts/install.sh installs it)")
    out = transcripts.render(result(Student("S-1", "Mai", "Trần Thị")))
    (tmp_path / "t.pdf").write_bytes(out.pdf)
    png = subprocess.run(
        ["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-gray", str(tmp_path / "t.pdf")],
        capture_output=True,
        check=True,
    ).stdout
    header_end = png.index(b"255\n") + 4  # PGM: P5 width height 255
    pixels = png[header_end:]
    dark = sum(1 for b in pixels if b < 128)
    assert dark > len(pixels) * 0.01, "page 1 has almost no ink"


def test_target_codes_link_to_their_rubric_on_the_site(transcripts):
    out = transcripts.render(result(Student("S-2", "Bo", "Li")))
    reader = PdfReader(io.BytesIO(out.pdf))
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", [])
        if "/A" in a.get_object()
    ]
    assert "https://curriculum.riverbend.example.org/mathematics/level-1/#ma-l1-pv-1" in uris


def test_a4_and_unofficial(fonts):
    r = Renderer(school(), replace(OPTIONS, paper="a4", unofficial=True), *fonts)
    try:
        out = r.render(result(Student("S-3", "Zoe", "Brown")))
    finally:
        r.close()
    reader = PdfReader(io.BytesIO(out.pdf))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    whole = flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Unofficial transcript" in whole and "UNOFFICIAL" in whole
    assert "it carries no signature or seal" in whole
    assert "Dana Whitfield" not in whole


def test_same_student_same_bytes(transcripts, fonts):
    res = result(Student("S-4", "Kofi", "Mensah"))
    first = transcripts.render(res).pdf
    other = Renderer(school(), OPTIONS, *fonts)
    try:
        assert other.render(res).pdf == first
    finally:
        other.close()


# -- student data is data ---------------------------------------------------------------------

HOSTILE = [
    '#panic("boom")',
    "$x^2$ Smith",
    "*bold* _it_",
    "] [ } {",
    "back\\slash \\",
    "<label> @ref",
    "// not a comment /* nor this */",
    '#set page(width: 1cm) #let x = 1 ")',
    "{page} of {pages} {id}",
    "```raw``` `code` ~ -- ---",
]


def test_hostile_names_print_literally(transcripts):
    for i, name in enumerate(HOSTILE):
        sid = f"H-{i}#$*]\\<@//"
        out = transcripts.render(
            result(Student(sid, name, "Doe"), current={"MA": 1, "ELA": 1, "SC": 1, "WLD": 1})
        )
        pages = text_of(out.pdf)
        whole = flat(" ".join(pages))
        assert flat(f"{name} Doe") in whole, name
        assert f"Student ID {sid}" in pages[-1]
        assert f"Page {out.pages} of {out.pages}" in pages[-1]


@pytest.mark.parametrize(
    ("sid", "expected"),
    [
        ("S-00042", "S-00042"),
        ("2024.117", "2024.117"),
        ("../x", "%2E.%2Fx"),
        ("a/b", "a%2Fb"),
        ("a\\b", "a%5Cb"),
        ("CON", "%43ON"),
        ("con.txt", "%63on.txt"),
        ("LPT1", "%4CPT1"),
        (".hidden", "%2Ehidden"),
        ("trailing.", "trailing%2E"),
        ("学生1", "%E5%AD%A6%E7%94%9F1"),
        ("a b", "a%20b"),
        ("100%", "100%25"),
        ("x\x00y", "x%00y"),
    ],
)
def test_ids_become_safe_file_names(sid, expected):
    assert safe_stem(sid) == expected


@pytest.mark.parametrize(
    ("sid", "message"), [("", "empty"), ("   ", "empty"), ("9" * 300, "300 characters")]
)
def test_ids_that_cannot_name_a_file_are_refused(sid, message):
    with pytest.raises(DocumentError, match=message):
        safe_stem(sid)


def test_colliding_and_repeated_ids_are_errors_not_overwrites():
    files, problems = assign_files(["S1", "s1", "a/b", "a%2Fb", "T", "T", "ok"])
    assert files == {"a/b": "a%2Fb.pdf", "a%2Fb": "a%252Fb.pdf", "ok": "ok.pdf"}
    assert "'s1'" in problems["S1"] and "'S1'" in problems["s1"]
    assert "more than once" in problems["T"]


# -- every script ------------------------------------------------------------------------------

SCRIPTS = {
    "Vietnamese": ("Nguyễn Thị", "Ánh Tuyết", False),
    "Arabic": ("محمد", "عبد الله", True),
    "Hebrew": ("נועה", "כהן", True),
    "Chinese": ("王", "小明", False),
    "Japanese": ("さくら", "山田", False),
    "Korean": ("민준", "김", False),
    "Cyrillic": ("Анастасия", "Иванова", False),
    "Greek": ("Ελένη", "Παπαδοπούλου", False),
    "Devanagari": ("अर्जुन", "शर्मा", False),
}


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_every_script_renders_and_reads_back(transcripts, script):
    given, family, rtl = SCRIPTS[script]
    st = Student(f"W-{script}", given, family, preferred_name=given)
    out = transcripts.render(result(st, current={"MA": 1, "ELA": 1, "SC": 1, "WLD": 1}))
    if script == "Devanagari":
        # pypdf joins Devanagari glyph clusters wrongly (the PDF is right: see pdftoppm); poppler
        # reads the same ToUnicode maps correctly.
        if not shutil.which("pdftotext"):
            pytest.skip("poppler-utils not installed")
        first = subprocess.run(
            ["pdftotext", "-l", "1", "-", "-"], input=out.pdf, capture_output=True, check=True
        ).stdout.decode()
    else:
        first = text_of(out.pdf)[0]
    name = f"{given} {family}"
    if script == "Devanagari":
        assert name in first and given in first.replace(name, "")
        return
    line = next((ln for ln in first.splitlines() if ln.startswith("Student ")), "")
    if rtl:
        assert set(name.split()) <= set(line.split()), line
    else:
        assert name in line, line


def test_a_character_no_font_draws_is_reported_not_printed(transcripts, fonts):
    _, coverage = fonts
    ch = "\U00018b00"  # Khitan Small Script: no Debian Noto font has it
    assert not coverage.covers(ch)
    st = Student("S-9", f"A{ch}B", "Doe")
    with pytest.raises(DocumentError, match=r"given_name .*U\+18B00"):
        transcripts.render(result(st))
    with pytest.raises(DocumentError, match=r"U\+0007 \(Cc\)"):
        transcripts.render(result(Student("S-10", "Bell\x07", "Doe")))


# -- the progress report -----------------------------------------------------------------------


def test_spanish_progress_report_lists_the_right_next_targets(progress):
    sch = school()
    math = next(s for s in sch.subjects if s.code == "MA")
    level2 = math.levels[1]
    codes = [t.code for t in level2.targets]
    proficient, started, untouched = codes[0], codes[1], codes[2:]
    st = Student("ES-1", "Lucía", "Gómez", language="es-MX")
    res = result(
        st,
        current={"MA": 2, "ELA": 1, "SC": 1, "WLD": 1},
        explicit={
            proficient: ["2.0", "3.0", "3.5"],
            started: ["1.5", "2.5"],
            **{c: [] for c in untouched},
        },
    )
    out = progress.render(res)
    reader = PdfReader(io.BytesIO(out.pdf))
    assert reader.trailer["/Root"]["/Lang"] == "es"
    whole = flat(" ".join(p.extract_text() for p in reader.pages))
    assert "Informe de progreso" in whole and f"Página 1 de {out.pages}" in whole
    maths = whole[
        whole.index("Matemáticas") : whole.index(
            sch.text(sch.subjects[1].title, "es"), whole.index("Matemáticas") + 20
        )
    ]
    assert "Trabajando ahora en: Nivel 2" in maths
    ya = maths[maths.index("Ya domina en este nivel") : maths.index("Próximas metas")]
    nxt = maths[maths.index("Próximas metas") : maths.index("Cómo se obtuvo")]
    assert proficient in ya and proficient not in nxt
    scale = sch.scales[math.scale_id]
    for code in [started, *untouched]:
        assert code in nxt and code not in ya
        target = next(t for t in level2.targets if t.code == code)
        descriptor = target.rubric.get(scale.threshold) or {}
        expected = descriptor.get("es") or sch.text(scale.point(scale.threshold).descriptor, "es")
        assert flat(expected) in nxt
    started_result = res.subjects[0].levels[1].targets[1]
    label = sch.text(scale.label_for(started_result.score).label, "es")
    assert f"Ahora: {locale.number(started_result.score, 'es', keep=1)}" in nxt and label in nxt
    assert "aún sin puntaje" in nxt
    how = maths[maths.index("Cómo se obtuvo") :]
    first = res.subjects[0].levels[1].targets[0].evidence[0].date
    assert f"2,0 ({locale.short_date(first, 'es')}); 3,0 (" in how
    # the engine's own arithmetic, ending in the score shown
    assert "Lo que da 3,2." not in how and "lo que da 3,2." in how
    assert "2,0 → 0,35 × 2,0 + 0,65 × 3,0 = 2,65 → 0,35 × 2,65 + 0,65 × 3,5 = 3,2025 ≈ 3,2" in how
    assert res.subjects[0].levels[1].targets[0].score == Decimal("3.20")


def test_long_transcripts_repeat_table_headers(transcripts):
    res = result(
        Student("S-long", "Long", "Record"), current={"MA": 5, "ELA": 5, "SC": 5, "WLD": 5}
    )
    out = transcripts.render(res)
    pages = [flat(p) for p in text_of(out.pdf)]
    assert len(pages) >= 5
    header = "Code Learning target Score Scores · last"
    continued = 0
    for i, page in enumerate(pages[1:-1], 2):
        # a page that continues a level's table starts with its header row again
        first_code = re.search(r"\b[A-Z]{2,3}\.L\d+\.[A-Z]{2}\.\d+\b", page)
        if first_code and "Level" not in page[: first_code.start()]:
            continued += 1
            assert header in page[: first_code.start()], (
                f"page {i} continues a table without its header"
            )
    assert continued >= 1


def test_a_row_is_never_split_across_pages(fonts):
    """Rows of five or more lines: without unbreakable rows, page breaks fall inside them.

    (Two- and three-line rows never split anyway: paragraphs keep widows and orphans away.)
    """
    sch = copy.deepcopy(school())
    for *_, target in sch.iter_targets():
        target.title = {"en": " ".join([sch.text(target.title, "en")] * 5)}
    res = result(Student("S-tall", "Tall", "Rows"), current={"MA": 5, "ELA": 5})
    renderer = Renderer(sch, OPTIONS, *fonts, explain=simple_explain)
    try:
        out = renderer.render(res)
    finally:
        renderer.close()
    # a title broken after a hyphen ("one-" / "digit") is one word again
    pages = [flat(re.sub(r"-\s*\n", "-", p)) for p in text_of(out.pdf)]
    assert len(pages) >= 8
    checked = 0
    for *_, target in sch.iter_targets():
        holders = [i for i, page in enumerate(pages) if target.code + " " in page + " "]
        if holders:
            checked += 1
            title = flat(target.title["en"])
            assert any(title in pages[i] for i in holders), (
                f"row of {target.code} is split across pages"
            )
    assert checked >= 40
