"""Names as people write them (#14 item 4): the roster's ``name_order`` and ``latin_name``
columns, read from a real roster and printed in the PDF text (pdftotext), and an identity block
whose every fact keeps its place with or without a preferred name (pdftotext -bbox). The school
profile (#14 item 7): printed when ``school.yaml`` has one, only the parts it gives, never on a
progress report, and a misspelt part is an error at its line. A name in another script than the
document's carries its language as ``/Lang`` on its tagged span (#14 item 5)."""

from __future__ import annotations

import copy
import html
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from transcript_helpers import ISSUED, pdftotext, result, school, simple_explain
from transcript_helpers import renderer as new_renderer

from proficio.cli import main
from proficio.content.model import Profile
from proficio.evidence import load
from proficio.evidence.records import Student
from proficio.transcripts import Options, Renderer
from proficio.transcripts.fonts import Coverage, font_dirs

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")

EVIDENCE = "student_id,target,score,date,assessment,type\nS1,MA.L1.PV.1,3,2026-01-05,Quiz,test\n"


@pytest.fixture(scope="module")
def renderer():
    r = new_renderer()
    yield r
    r.close()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """Page 1's words, one space between each."""
    return " ".join(pdftotext(pdf, tmp_path, "-layout", "-l", "1").split())


def page_one_words(pdf: bytes, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(word, xMin, yMin) of every word on page 1, as pdftotext -bbox reads them, but the
    footer's verification line: it holds the content's hash, which changes with any content."""
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-bbox", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    words = [
        (html.unescape(w), x, y)
        for x, y, w in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)
    ]
    hashed = {y for w, _, y in words if w == "SHA-256"}
    assert len(hashed) == 1
    return [w for w in words if w[2] not in hashed]


@pytest.mark.parametrize(
    ("given", "family", "order", "latin", "printed"),
    [
        ("一鸣", "高", "family-given", "GAO Yiming", "Student 高一鸣 Student ID N1"),
        ("민준", "김", "family-given", "KIM Minjun", "Student 김민준 Student ID N1"),
        ("Văn An", "Nguyễn", "family-given", None, "Student Nguyễn Văn An Student ID N1"),
        ("János", "Nagy", "family-given", None, "Student Nagy János Student ID N1"),
        ("Ana Lucía", "Núñez Ortega", "given-family", None, "Student Ana Lucía Núñez Ortega"),
        ("Yiming", "Gao", "given-family", None, "Student Yiming Gao Student ID N1"),
    ],
)
def test_name_order_and_latin_name_in_the_pdf_text(
    renderer, tmp_path, given, family, order, latin, printed
):
    st = Student("N1", given, family, name_order=order, latin_name=latin, graduation_year=2029)
    text = pdf_text(renderer.render(result(st)).pdf, tmp_path)
    assert printed in text
    if latin:
        assert f"Name in Latin letters {latin}" in text
    else:
        assert "Latin letters" not in text


@pytest.mark.parametrize(
    ("extra", "added"),
    [
        ({"preferred_name": "Ming"}, ["Preferred", "name", "Ming"]),
        ({"latin_name": "GAO Yiming"}, ["Name", "in", "Latin", "letters", "GAO", "Yiming"]),
        (
            {"preferred_name": "Ming", "latin_name": "GAO Yiming"},
            ["Name", "in", "Latin", "letters", "GAO", "Yiming", "Preferred", "name", "Ming"],
        ),
    ],
)
def test_identity_block_does_not_move(renderer, tmp_path, extra, added):
    """Every word of page 1 keeps its exact position; the only difference is the new fact."""
    base = {"name_order": "family-given", "graduation_year": 2029, "birth_date": date(2011, 1, 7)}
    plain = Student("N2", "一鸣", "高", **base)
    named = Student("N2", "一鸣", "高", **base, **extra)
    before = page_one_words(renderer.render(result(plain)).pdf, tmp_path)
    after = page_one_words(renderer.render(result(named)).pdf, tmp_path)
    assert len(before) > 40
    extra_words = list(after)
    for w in before:
        extra_words.remove(w)  # ValueError if any word moved
    assert sorted(w for w, _, _ in extra_words) == sorted(added)


def test_roster_columns_are_read_and_a_bad_order_is_reported(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "student_id,given_name,family_name,name_order,latin_name\n"
        "S1,一鸣,高,family-given,GAO Yiming\n"
        "S2,Ana,Lima,,\n"
        "S3,Văn An,Nguyễn,Family_Given,\n"
        "S4,Bo,Li,surname first,\n",
        encoding="utf-8",
    )
    evidence = tmp_path / "evidence.csv"
    evidence.write_text(EVIDENCE, encoding="utf-8")
    imported = load(roster, [evidence], school(), as_of=ISSUED)
    got = [(s.id, s.full_name, s.name_order, s.latin_name) for s in imported.students]
    assert got == [
        ("S1", "高一鸣", "family-given", "GAO Yiming"),
        ("S2", "Ana Lima", "given-family", None),
        ("S3", "Nguyễn Văn An", "family-given", None),
        ("S4", "Bo Li", "given-family", None),
    ]
    found = [(i.line, i.reason, i.message) for i in imported.report.issues]
    assert found == [
        (
            5,
            "bad-field",
            "name_order 'surname first' is not given-family or family-given: "
            "the name is printed given name first",
        )
    ]


# -- the school profile ------------------------------------------------------------------------

PROFILE_EN = [
    "School profile",
    "Program",
    "Riverbend Competency Academy is a public school of the Cedar Valley Unified School District",
    "How levels and scales work",
    "Science needs 75% of each topic's targets.",
    "Graduation requirements",
    "A diploma needs Level 4 of Mathematics, English Language Arts and Science complete",
    "Contact",
    "Questions about this transcript: the registrar's office, registrar@riverbend.example.org",
]


def render_text(sch, kind: str, tmp_path: Path, lang: str | None = None) -> str:
    dirs = font_dirs()
    opts = Options(kind=kind, issued=ISSUED, language=lang)
    r = Renderer(sch, opts, dirs, Coverage.of_dirs(dirs), explain=simple_explain)
    try:
        pdf = r.render(result(Student("P1", "Ana", "Lima", language=lang))).pdf
    finally:
        r.close()
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, timeout=60)
    return " ".join(out.stdout.decode().split())


def without_profile():
    sch = copy.copy(school())
    sch.profile = None
    return sch


def program_only():
    sch = copy.copy(school())
    assert sch.profile is not None
    sch.profile = replace(sch.profile, levels={}, graduation={}, contact={})
    return sch


@pytest.mark.parametrize(
    ("variant", "kind", "lang", "present", "absent"),
    [
        ("example", "transcript", None, PROFILE_EN, []),
        (
            "example",
            "transcript",
            "es",
            ["Perfil de la escuela", "Programa", "Requisitos de graduación", "Contacto"],
            ["School profile"],
        ),
        ("none", "transcript", None, [], ["School profile", "Graduation requirements"]),
        ("program", "transcript", None, PROFILE_EN[:3], PROFILE_EN[3:]),
        ("example", "progress", None, [], ["School profile", "Graduation requirements"]),
    ],
)
def test_school_profile_printed_when_school_yaml_has_one(
    tmp_path, variant, kind, lang, present, absent
):
    sch = {"example": school, "none": without_profile, "program": program_only}[variant]()
    text = render_text(sch, kind, tmp_path, lang)
    for needle in present:
        assert needle in text
    for needle in absent:
        assert needle not in text
    if present:  # in the order school.yaml's parts are printed
        assert [text.index(n) for n in present] == sorted(text.index(n) for n in present)


def test_example_school_has_a_profile_in_every_language():
    profile = school().profile
    assert isinstance(profile, Profile)
    for part in (profile.program, profile.levels, profile.graduation, profile.contact):
        assert set(part) == {"en", "es", "vi"}


def test_a_misspelt_profile_part_is_an_error_at_its_line(tmp_path, monkeypatch):
    root = tmp_path / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini-school", root)
    with (root / "school.yaml").open("a", encoding="utf-8") as f:
        f.write("profile:\n  program: {en: A small school.}\n  grading: {en: Letters.}\n")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(main, ["validate", "content"])
    assert out.exit_code == 1, out.output
    assert (
        "content/school.yaml:7:3: unknown field 'grading' in 'profile'. "
        "Did you mean 'graduation'?" in out.output
    )


# -- the language of a name --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "order", "doc", "langs"),
    [
        ("一鸣", "高", "family-given", None, {"en", "zh"}),
        ("さくら", "山田", "given-family", None, {"en", "ja"}),
        ("민준", "김", "family-given", None, {"en", "ko"}),
        ("محمد", "عبد الله", "given-family", None, {"en", "ar"}),
        ("נועה", "כהן", "given-family", None, {"en", "he"}),
        ("Анастасия", "Иванова", "given-family", None, {"en", "ru"}),
        ("Ελένη", "Παπαδοπούλου", "given-family", None, {"en", "el"}),
        ("अर्जुन", "शर्मा", "given-family", None, {"en", "hi"}),
        ("Ana Lucía", "Núñez", "given-family", None, {"en"}),
        ("Văn An", "Nguyễn", "family-given", None, {"en"}),
        ("一鸣", "高", "family-given", "es", {"es", "zh"}),
    ],
)
def test_a_name_in_another_script_carries_its_language(given, family, order, doc, langs):
    """The languages of page 1's tagged spans (Typst writes /Lang in the marked content's
    properties): the document's, and the name's where its script is another."""
    dirs = font_dirs()
    opts = Options(kind="transcript", issued=ISSUED, language=doc)
    r = Renderer(school(), opts, dirs, Coverage.of_dirs(dirs), explain=simple_explain)
    try:
        pdf = r.render(result(Student("L1", given, family, name_order=order))).pdf
    finally:
        r.close()
    content = PdfReader(BytesIO(pdf)).pages[0].get_contents().get_data()
    found = {m.decode() for m in re.findall(rb"/Lang\s*\(([^)]*)\)", content)}
    assert found == langs


def test_an_untranslated_profile_part_carries_its_language():
    """A Vietnamese transcript whose school profile has its program in English only: that
    part says /Lang(en) (Typst puts it on the paragraph's structure element, or on a span's
    marked content); translated, the same transcript has that many fewer."""

    def english_spans(sch) -> int:
        dirs = font_dirs()
        opts = Options(kind="transcript", issued=ISSUED, language="vi")
        r = Renderer(sch, opts, dirs, Coverage.of_dirs(dirs), explain=simple_explain)
        try:
            pdf = r.render(result(Student("L2", "Ana", "Lima"))).pdf
        finally:
            r.close()
        reader = PdfReader(BytesIO(pdf))
        spans = sum(
            len(re.findall(rb"/Lang\s*\(en\)", p.get_contents().get_data())) for p in reader.pages
        )
        return spans + struct_languages(reader.trailer["/Root"]["/StructTreeRoot"]).count("en")

    sch = copy.copy(school())
    assert sch.profile is not None
    sch.profile = replace(sch.profile, program={"en": sch.profile.program["en"]})
    assert english_spans(sch) > english_spans(school())


def struct_languages(node) -> list[str]:
    """The /Lang of every structure element under ``node``."""
    node = node.get_object() if hasattr(node, "get_object") else node
    if not isinstance(node, dict):
        return []
    found = [str(node["/Lang"])] if "/Lang" in node else []
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [] if kids is None else [kids]:
        found += struct_languages(kid)
    return found
