"""What a family and a registrar read when scores exist but no current score has formed yet.

Crafted students are scored by the real engine (``Scorer``) and rendered by the real Typst
templates; the PDFs are read back with pypdf. One document per case at most: a progress report
in English (order, focus, comments, facts), one in Spanish, one in Vietnamese, one with comments
off, one transcript holding every calculation method, and two example students through the CLI.
"""

from __future__ import annotations

import copy
import io
import re
import subprocess
import sys
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from transcript_helpers import ISSUED, ROOT, school, simple_explain

from proficio.content.model import Calculation, School
from proficio.evidence.records import Evidence, Student
from proficio.scoring.standing import Scorer
from proficio.transcripts import Options, Renderer
from proficio.transcripts.document import Catalog
from proficio.transcripts.fonts import Coverage, font_dirs

PROGRESS = Options(kind="progress", issued=ISSUED)
TRANSCRIPT = Options(kind="transcript", issued=ISSUED)
CODE = re.compile(r"\b[A-Z]{2,3}\.L\d+\.[A-Z]{2}\.\d+\b")
MARKUP = "<b>*x*</b> #set page(width: 1pt) $x^2$ [y](z) _u_ \\ @ref <lbl> `raw` = Heading"

# Welding level 1 (n_mastery, 2 scores at 4 or above on the 1-5 scale), scores oldest first.
WELDING = {
    "WE.L1.SF.1": ["2", "3"],  # 0 of 2; the latest 3 a third below 4: (1 + 1/3)/2 = 2/3
    "WE.L1.SF.2": [],  # nothing yet
    "WE.L1.SF.3": ["4", "5"],  # proficient (4.5)
    "WE.L1.BP.1": ["3", "5", "3"],  # 1 of 2; latest 3: (0 + 1/3)/2 = 1/6
    "WE.L1.BP.2": ["1"],  # 0 of 2; latest 1 at the bottom: (1 + 1)/2 = 1
    "WE.L1.BP.3": ["5"],  # 1 of 2; nothing below: 0
    "WE.L1.TC.1": ["4", "3"],  # 1 of 2; latest 3: 1/6, after BP.1 (content order)
    "WE.L1.TC.2": [],
    "WE.L1.TC.3": ["3"],  # 0 of 2: 2/3, after SF.1 (content order)
}
ORDER = [
    "WE.L1.BP.3",
    "WE.L1.BP.1",
    "WE.L1.TC.1",
    "WE.L1.SF.1",
    "WE.L1.TC.3",
    "WE.L1.BP.2",
    "WE.L1.SF.2",
    "WE.L1.TC.2",
]
START = date(2026, 1, 5)


def evidence(sid: str, plan: dict[str, list[str]]) -> list[Evidence]:
    """Each target's scores a week apart; the last score of WE.L1.BP.1 carries a comment in
    markup, an earlier one a plain comment (the latest one is the one shown)."""
    out: list[Evidence] = []
    for code, scores in plan.items():
        for i, s in enumerate(scores):
            e = Evidence(sid, code, Decimal(s), START + timedelta(days=7 * i), f"Task {i}", "test")
            if code == "WE.L1.BP.1":
                comment = MARKUP if i == len(scores) - 1 else "An older comment."
                e = replace(e, comment=comment, scorer="Ms. #strong[Lee]")
            if code == "WE.L1.TC.1" and i == 0:
                e = replace(e, comment="  Clean   bevels;\nkeep   going. ")
            out.append(e)
    return out


@pytest.fixture(scope="module")
def fonts():
    dirs = font_dirs()
    return dirs, Coverage.of_dirs(dirs)


def render(sch: School, options: Options, student: Student, plan, fonts) -> list[str]:
    res = Scorer(sch).score(student, evidence(student.id, plan))
    r = Renderer(sch, options, *fonts, explain=simple_explain)
    try:
        pdf = r.render(res).pdf
    finally:
        r.close()
    return [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


def section(text: str, start: str, end: str) -> str:
    i = text.index(start)
    return text[i : text.index(end, i)]


def blocks(text: str) -> dict[str, str]:
    """Each target code's text up to the next code."""
    hits = list(CODE.finditer(text))
    return {
        m.group(): text[m.start() : hits[k + 1].start() if k + 1 < len(hits) else len(text)]
        for k, m in enumerate(hits)
    }


def day(i: int, lang: str) -> str:
    """A date as the documents print it (the documents' own function)."""
    return Catalog(school(), PROGRESS)._date(START + timedelta(days=7 * i), lang)


@pytest.fixture(scope="module")
def english(fonts) -> str:
    st = Student("P-EN", "Ana", "Núñez", language="en")
    return flat(render(school(), PROGRESS, st, WELDING, fonts))


def welding_next(text: str, heading: str = "Next targets", end: str = "How each") -> str:
    return section(section(text, "Welding Technology", "Questions?"), heading, end)


def test_next_targets_closest_first_and_three_focus(english):
    part = welding_next(english)
    codes = [m.group() for m in CODE.finditer(part)]
    assert codes == ORDER
    focus = re.findall(r"Focus (WE\.L1\.[A-Z]{2}\.\d)", part)
    assert focus == ORDER[:3]
    assert part.count("Focus") == 3 + 1  # the three tags and the sentence that explains them


def test_what_exists_is_shown_never_no_score_yet(english):
    got = blocks(welding_next(english))
    assert (
        "Now: 1 of 2 scores at 4 or above so far · latest 5 (" + day(0, "en") + ")"
        in got["WE.L1.BP.3"]
    )
    assert (
        "Now: 1 of 2 scores at 4 or above so far · 3 scores, holding steady · latest 3 ("
        + day(2, "en")
        + ")"
        in got["WE.L1.BP.1"]
    )
    assert "Now: 1 of 2 scores at 4 or above so far · 2 scores, trending down" in got["WE.L1.TC.1"]
    assert "Now: 0 of 2 scores at 4 or above so far · 2 scores, trending up" in got["WE.L1.SF.1"]
    assert "Now: 0 of 2 scores at 4 or above so far · latest 1 (" in got["WE.L1.BP.2"]
    for code in ORDER[:-2]:
        assert "no score yet" not in got[code], code
    for code in ORDER[-2:]:  # truly nothing assessed
        assert "Now: no score yet" in got[code], code
    # The scores that have not formed a current score are listed with their dates too.
    how = blocks(section(english, "Welding Technology", "Questions?").split("How each")[1])
    assert set(how) == {c for c, s in WELDING.items() if s}
    assert f"5 ({day(0, 'en')})" in how["WE.L1.BP.3"]
    assert how["WE.L1.BP.3"].endswith("n_mastery: 5 – ")  # the arithmetic, and no score yet


def test_latest_comment_prints_literally_once(english):
    got = blocks(welding_next(english))
    bp1 = got["WE.L1.BP.1"]
    assert f"Comment from Ms. #strong[Lee] ({day(2, 'en')}): {' '.join(MARKUP.split())}" in bp1
    assert "An older comment." not in english
    assert english.count("#set page(width: 1pt)") == 1
    assert "Teacher's comment" not in bp1
    assert "Comment from" not in got["WE.L1.BP.3"]  # no comment on its evidence
    # whitespace of a quoted CSV cell collapses, as for names
    assert "Comment from Ms." not in got["WE.L1.TC.1"]
    assert f"Teacher's comment ({day(0, 'en')}): Clean bevels; keep going." in got["WE.L1.TC.1"]


def test_every_next_target_links_its_rubric(english, fonts):
    part = welding_next(english)
    for code in ORDER:
        short = (
            f"curriculum.riverbend.example.org/welding/level-1/#{code.lower().replace('.', '-')}"
        )
        assert f"Rubric: {short}" in blocks(part)[code]


def test_report_ends_with_the_contact_and_the_site(english):
    tail = english[english.rindex("Questions?") :]
    assert tail.startswith(
        "Questions? Contact registrar@riverbend.example.org or +1 503 555 0142. "
        "Every target's rubric is on the school's curriculum site: "
        "curriculum.riverbend.example.org"
    )
    assert "not yet translated" not in english  # English is the school's own language


def test_turning_comments_off_removes_them(fonts):
    quiet = replace(school(), teacher_comments=False)
    st = Student("P-OFF", "Ana", "Núñez", language="en")
    text = flat(render(quiet, PROGRESS, st, WELDING, fonts))
    assert "Comment from" not in text and "Teacher's comment" not in text
    assert "#set page" not in text and "Clean bevels" not in text
    assert [m.group() for m in CODE.finditer(welding_next(text))] == ORDER


def test_spanish_report(fonts):
    st = Student("P-ES", "Ana", "Núñez", language="es")
    text = flat(render(school(), PROGRESS, st, WELDING, fonts))
    part = section(
        section(text, "Tecnología de soldadura", "¿Preguntas?"), "Próximas metas", "Cómo se"
    )
    assert [m.group() for m in CODE.finditer(part)] == ORDER
    assert re.findall(r"Prioridad (WE\.L1\.[A-Z]{2}\.\d)", part) == ORDER[:3]
    got = blocks(part)
    assert (
        f"Ahora: 1 de los 2 puntajes de 4 o más que se necesitan · 3 puntajes, estable · el último: 3 "
        f"({day(2, 'es')})" in got["WE.L1.BP.1"]
    )
    assert f"Comentario de Ms. #strong[Lee] ({day(2, 'es')}):" in got["WE.L1.BP.1"]
    assert (
        "Rúbrica: curriculum.riverbend.example.org/es/welding/level-1/#we-l1-bp-1"
        in got["WE.L1.BP.1"]
    )
    assert "aún sin puntaje" not in got["WE.L1.BP.3"]
    assert "Estados Unidos" in text and "United States" not in text
    assert "todavía no están traducidos" not in text  # the school writes all of it in Spanish
    assert "¿Preguntas? Comuníquese con registrar@riverbend.example.org o +1 503 555 0142." in text


def test_vietnamese_report_marks_untranslated_content_once(fonts):
    st = Student("P-VI", "Mai", "Trần", language="vi")
    text = flat(render(school(), PROGRESS, st, WELDING, fonts))
    note = (
        "Một số nội dung của nhà trường chưa được dịch sang Tiếng Việt: các nội dung đó được in "
        "bằng Tiếng Anh, đúng như nhà trường đã viết."
    )
    assert text.count(note) == 1
    assert "Hoa Kỳ" in text and "United States" not in text
    part = section(
        section(text, "Công nghệ hàn", "Có câu hỏi?"), "Mục tiêu tiếp theo", "Điểm hiện tại được"
    )
    assert [m.group() for m in CODE.finditer(part)] == ORDER
    assert re.findall(r"Ưu tiên (WE\.L1\.[A-Z]{2}\.\d)", part) == ORDER[:3]
    assert "Hiện tại: đã có 1 trong 2 điểm số từ 4 trở lên cần có" in blocks(part)["WE.L1.BP.3"]
    for english_words in ("Focus", "Rubric:", "Comment from", "scores at", "so far", "latest"):
        assert english_words not in part


# -- transcripts: every method, a row says what exists ------------------------------------

METHOD_ROWS = [
    # code, method, scores, what the row's score cell says
    ("WE.L1.SF.1", Calculation("latest"), ["2", "3"], "3 Approaching industry standard"),
    ("WE.L1.SF.2", Calculation("highest"), ["2", "3"], "3 Approaching industry standard"),
    ("WE.L1.SF.3", Calculation("mean"), ["2", "3"], "2.5 Developing"),
    ("WE.L1.BP.1", Calculation("median"), ["2", "3"], "2.5 Developing"),
    ("WE.L1.BP.2", Calculation("mode"), ["2", "3"], "3 Approaching industry standard"),
    ("WE.L1.BP.3", Calculation("weighted_average", weight=65), ["2", "3"], "2.65 Developing"),
    ("WE.L1.TC.1", Calculation("decaying_average", weight=65), ["2", "3"], "2.65 Developing"),
    ("WE.L1.TC.2", Calculation("power_law"), ["2", "3"], "2.5 Developing"),
    (
        "WE.L1.TC.3",
        Calculation("n_mastery", n=2),
        ["2", "3"],
        "2 scores, not yet proficient; last score 3",
    ),
    (
        "WE.L2.SS.1",
        Calculation("n_mastery", n=2),
        ["5", "3"],
        "1 of 2 scores at proficiency so far; last score 3",
    ),
    (
        "WE.L2.SS.2",
        Calculation("n_mastery", n=3),
        ["5", "4", "2"],
        "2 of 3 scores at proficiency so far; last score 2",
    ),
    (
        "WE.L2.SS.3",
        Calculation("n_mastery", n=1),
        ["3"],
        "1 score, not yet proficient; last score 3",
    ),
]


@pytest.fixture(scope="module")
def transcript_rows(fonts) -> dict[str, str]:
    sch = copy.deepcopy(school())
    methods = {code: calc for code, calc, _, _ in METHOD_ROWS}
    for _, _, _, target in sch.iter_targets():
        if target.code in methods:
            target.calculation = methods[target.code]
    plan = {code: scores for code, _, scores, _ in METHOD_ROWS}
    st = Student("T-ALL", "Ana", "Núñez")
    pages = render(sch, TRANSCRIPT, st, plan, fonts)
    text = flat(pages)  # the legend precedes the details: welding's rows follow its last title
    return blocks(section(text[text.rindex("Welding Technology") :], "Welding", "Certified by"))


@pytest.mark.parametrize(
    ("code", "calc", "scores", "shown"),
    METHOD_ROWS,
    ids=[f"{r[1].method}-{r[0]}" for r in METHOD_ROWS],
)
def test_transcript_row_says_what_exists(transcript_rows, code, calc, scores, shown):
    row = transcript_rows[code]
    assert "Not yet assessed" not in row
    last = Catalog(school(), TRANSCRIPT)._date(START + timedelta(days=7 * (len(scores) - 1)), "en")
    assert f"{shown} {len(scores)} · {last} " in row


def test_transcript_not_assessed_only_without_evidence(transcript_rows):
    # WE.L2.SW.1 (the current level's next topic) has no evidence: only that says it
    assert "Not yet assessed" in transcript_rows["WE.L2.SW.1"]
    said = [c for c, row in transcript_rows.items() if "Not yet assessed" in row]
    assert said and not set(said) & {r[0] for r in METHOD_ROWS}


# -- the example school through the command line ------------------------------------------


def test_example_reports_that_ended_on_a_near_empty_page(tmp_path):
    """Before, S000014's report ended with 2 lines on its last page and S000010's with 3."""
    ex = ROOT / "examples" / "riverbend"
    out = tmp_path / "reports"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "proficio",
            "transcripts",
            "--content",
            str(ROOT / "content"),
            "--roster",
            str(ex / "roster.csv"),
            "--evidence",
            str(ex / "evidence.csv"),
            "--kind",
            "progress",
            "--students",
            "S000014,S000010",
            "--issue-date",
            "2026-06-12",
            "--jobs",
            "1",
            "--out",
            str(out),
            "--issues",
            str(tmp_path / "issues.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for sid in ("S000014", "S000010"):
        pages = [p.extract_text() for p in PdfReader(Path(out, f"{sid}.pdf")).pages]
        lines = [x for x in pages[-1].splitlines() if x.strip()]
        assert len(lines) > 13, (sid, lines)  # 12 lines of text and the footer
        assert "Questions? Contact registrar@riverbend.example.org" in pages[-1]


def test_example_school_rows_never_say_not_yet_assessed_with_evidence():
    """The example school's 48 transcripts (as data, no Typst): 241 rows said "Not yet
    assessed" for welding targets with dated scores; now only rows without evidence do."""
    from proficio.gradebook import open_gradebook

    ex = ROOT / "examples" / "riverbend"
    book = open_gradebook(school(), ex / "roster.csv", ex / "evidence.csv", as_of=ISSUED)
    catalog = Catalog(school(), TRANSCRIPT)
    said = {"with evidence": 0, "without": 0, "pending": 0}
    for res in book.results():
        doc = catalog.student(res, simple_explain)
        for s in doc["subjects"]:
            for lv in s["levels"]:
                for topic in lv["topics"]:
                    for row in topic["targets"]:
                        if row["score"] is not None:
                            continue
                        if row["status"] == "Not yet assessed":
                            said["with evidence" if row["assessed"] else "without"] += 1
                        else:
                            assert row["assessed"], row
                            said["pending"] += 1
    assert said["with evidence"] == 0
    assert said["pending"] == 241  # the rows that used to say "Not yet assessed"
    assert said["without"] > 0
