"""Names as people write them (#14 item 4): the roster's ``name_order`` and ``latin_name``
columns, read from a real roster and printed in the PDF text (pdftotext), and an identity block
whose every fact keeps its place with or without a preferred name (pdftotext -bbox)."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from transcript_helpers import ISSUED, result, school, simple_explain

from proficio.evidence import load
from proficio.evidence.records import Student
from proficio.transcripts import Options, Renderer
from proficio.transcripts.fonts import Coverage, font_dirs

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler's pdftotext")

EVIDENCE = "student_id,target,score,date,assessment,type\nS1,MA.L1.PV.1,3,2026-01-05,Quiz,test\n"


@pytest.fixture(scope="module")
def renderer():
    dirs = font_dirs()
    r = Renderer(
        school(),
        Options(kind="transcript", issued=ISSUED),
        dirs,
        Coverage.of_dirs(dirs),
        explain=simple_explain,
    )
    yield r
    r.close()


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return " ".join(out.stdout.decode().split())


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
        ("伟", "罗", "given-family", "Wei LUO", "Student 伟 罗 Student ID N1"),
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
