"""The transcript's layout (#14 items 2 and 3): a legend per subject, page 1 a summary, levels
not started on one line, no topic header alone at a page's bottom, the signature with the last
data, and ``--detail topics``.

Positions come from ``pdftotext -bbox-layout`` (poppler): each line of a page with its place,
so "the last line of a page" means what a reader sees, not an order in the text stream.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from transcript_helpers import ISSUED, ROOT, result, school, simple_explain

from proficio.evidence.records import Student
from proficio.support import locale
from proficio.transcripts import Options, Renderer, strings
from proficio.transcripts.fonts import Coverage, font_dirs

OPTIONS = Options(kind="transcript", issued=ISSUED)
NS = "{http://www.w3.org/1999/xhtml}"

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler")


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's lines of text, top to bottom, without the footer (the document ID and the
    page number under the footer rule)."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    pages = []
    for page in ET.fromstring(xml).iter(f"{NS}page"):
        lines = []
        for line in page.iter(f"{NS}line"):
            words = [w.text or "" for w in line.iter(f"{NS}word")]
            lines.append((float(line.get("yMin", 0)), float(line.get("xMin", 0)), " ".join(words)))
        lines.sort()
        body = [text for _, _, text in lines]
        while body and body[-1].startswith(("Page ", "Document ID")):
            body.pop()
        pages.append(body)
    return pages


def topic_codes() -> set[str]:
    return {
        topic.code for subject in school().subjects for lv in subject.levels for topic in lv.topics
    }


def target_codes() -> set[str]:
    return {t.code for *_, t in school().iter_targets()}


def stranded(pages: list[list[str]]) -> int:
    """Topic headers that are the last line of a page (a header line starts with its code)."""
    codes = topic_codes()
    return sum(1 for body in pages[:-1] if body and body[-1].split(" ")[0] in codes)


def holds_data(body: list[str]) -> bool:
    """A page with at least one row of a level's table (a target's or a topic's code)."""
    codes = target_codes() | topic_codes()
    return any(line.split(" ")[0] in codes for line in body)


@pytest.fixture(scope="module")
def fonts():
    dirs = font_dirs()
    return dirs, Coverage.of_dirs(dirs)


def render(fonts, tmp_path: Path, res, options: Options = OPTIONS) -> Path:
    renderer = Renderer(school(), options, *fonts, explain=simple_explain)
    try:
        out = renderer.render(res)
    finally:
        renderer.close()
    path = tmp_path / f"{res.student.id}.pdf"
    path.write_bytes(out.pdf)
    return path


def flat(lines: list[str]) -> str:
    return " ".join(" ".join(lines).split())


def reading(pdf: Path) -> list[str]:
    """Each page's text in reading order (the tagged content's order, cell by cell)."""
    return [flat([p.extract_text()]) for p in PdfReader(pdf).pages]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_legend_names_every_subject_with_its_scale_method_and_rule(fonts, tmp_path, lang):
    res = result(Student("S-leg", "Legend", "Reader"), current={"MA": 2, "ELA": 2, "SC": 2})
    whole = " ".join(reading(render(fonts, tmp_path, res, replace(OPTIONS, language=lang))))
    t = strings.ui(lang)
    legend = whole[whole.index(t["legend"]) :]
    for subject in school().subjects:
        title = school().text(subject.title, lang)
        scale = school().text(school().scales[subject.scale_id].title, lang)
        sentence = " ".join(
            [
                t["legend_scale"].format(scale=scale),
                strings.method_sentence(subject.calculation, lang),
                strings.rule_sentence(subject.completion, lang),
            ]
        )
        assert flat([title, sentence]) in legend, (title, legend[:2000])
    # Science's rule is explained with its percent; no method that no subject uses is listed.
    assert flat([strings.rule_sentence(school().subjects[2].completion, lang)]) in legend
    assert "75" in strings.rule_sentence(school().subjects[2].completion, lang)
    used = {s.calculation.method for s in school().subjects}
    for method, sentence in strings.METHODS[lang].items():
        if method not in used and "{" not in sentence:
            assert sentence not in whole, method


def test_page_one_is_the_summary_and_levels_not_started_are_one_line(fonts, tmp_path):
    res = result(Student("S-sum", "Summary", "Reader"), current={"MA": 2, "ELA": 1, "SC": 1})
    pages = reading(render(fonts, tmp_path, res))
    first = pages[0]
    t = strings.ui("en")
    assert t["summary"] in first
    for subject in school().subjects:
        assert school().text(subject.title, "en") in first
    # each subject's row: its current level and its targets proficient of those assessed
    for sr in res.subjects:
        assessed = [tr for lv in sr.levels for tr in lv.targets if tr.evidence]
        have = sum(1 for tr in assessed if tr.proficient)
        assert f"{have} of {len(assessed)} assessed" in first
    done = res.subjects[0].levels[0]
    assert done.complete and "Level 1: Number foundations (" in first
    # Mathematics: levels 3 to 5 not started, one line naming them and their targets
    whole = " ".join(pages)
    maths = school().subjects[0]
    waiting = [lv for lv in maths.levels if lv.number > 2]
    start = whole.index("Not started yet: " + school().text(waiting[0].title, "en"))
    shown = whole[start : whole.index(".", whole.index("targets", start)) + 1]
    titles = [school().text(lv.title, "en") for lv in waiting]
    count = sum(len(lv.targets) for lv in waiting)
    assert shown == f"Not started yet: {locale.join(titles, 'en')} ({count} targets)."
    # and none of their targets is printed
    for lv in waiting:
        for target in lv.targets:
            assert target.code not in whole


@pytest.mark.parametrize("current", [2, 3, 4, 5])
def test_no_topic_header_ends_a_page_and_the_signature_keeps_with_data(fonts, tmp_path, current):
    levels = {"MA": current, "ELA": current, "SC": current, "WLD": current}
    res = result(Student(f"S-pg{current}", "Page", "Breaks"), current=levels)
    pages = page_lines(render(fonts, tmp_path, res))
    assert len(pages) >= 2
    assert stranded(pages) == 0
    assert holds_data(pages[-1]), pages[-1]
    assert "Certified by" in flat(pages[-1])


def test_detail_topics_prints_one_row_per_measurement_topic(fonts, tmp_path):
    res = result(Student("S-top", "Topic", "Rows"), current={"MA": 2, "ELA": 2, "SC": 2})
    targets = page_lines(render(fonts, tmp_path, res))
    path = render(fonts, tmp_path / "..", res, replace(OPTIONS, detail="topics"))
    pages = page_lines(path)
    whole = flat([line for body in pages for line in body])
    assert len(pages) < len(targets)
    assert strings.ui("en")["topic_note"] in whole
    for target in target_codes():
        assert f"{target} " not in whole + " "
    rows = 0
    for sr, subject in zip(res.subjects, school().subjects, strict=True):
        for lv, level in zip(sr.levels, subject.levels, strict=True):
            if not (lv.complete or any(tr.evidence for tr in lv.targets)):
                continue
            by_code = {tr.code: tr for tr in lv.targets}
            for topic in level.topics:
                results = [by_code[x.code] for x in topic.targets]
                assessed = [tr for tr in results if tr.evidence]
                have = sum(1 for tr in assessed if tr.proficient)
                title = school().text(topic.title, "en")
                assert f"{topic.code} {title} {have} of {len(assessed)} assessed" in whole
                rows += 1
    assert rows >= 8
    assert stranded(pages) == 0 and holds_data(pages[-1])


def test_detail_option_reaches_the_command(tmp_path):
    folder = ROOT / "examples" / "riverbend"
    base = [sys.executable, "-m", "proficio", "transcripts", "--content", str(ROOT / "content")]
    base += ["--roster", str(folder / "roster.csv"), "--evidence", str(folder / "evidence.csv")]
    base += ["--students", "S000001", "--issue-date", "2026-05-28", "--jobs", "1"]
    out = subprocess.run(
        [*base, "--detail", "topics", "--out", str(tmp_path / "t")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert "Issued 1 transcripts" in out.stdout
    whole = flat([x for body in page_lines(tmp_path / "t" / "S000001.pdf") for x in body])
    assert "Measurement topic" in whole and "MA.L1.PV.1 " not in whole
    bad = subprocess.run(
        [*base, "--detail", "levels", "--out", str(tmp_path / "u")], capture_output=True, text=True
    )
    assert bad.returncode == 2
    assert "Invalid value for '--detail': 'levels' is not one of 'targets', 'topics'." in bad.stderr
    assert not (tmp_path / "u").exists()


@pytest.mark.parametrize("detail", ["targets", "topics"])
def test_example_transcripts_strand_no_header_and_end_with_data(tmp_path, detail):
    """Before, the example school's 48 transcripts stranded 54 topic headers at page bottoms,
    and every last page held only the legend's tail and the signature."""
    folder = ROOT / "examples" / "riverbend"
    ids = ",".join(f"S0000{n:02d}" for n in range(1, 49, 6))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "proficio",
            "transcripts",
            "--content",
            str(ROOT / "content"),
            "--roster",
            str(folder / "roster.csv"),
            "--evidence",
            str(folder / "evidence.csv"),
            "--students",
            ids,
            "--issue-date",
            "2026-11-30",
            "--detail",
            detail,
            "--jobs",
            "1",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Issued 8 transcripts" in done.stdout
    for sid in ids.split(","):
        pages = page_lines(tmp_path / f"{sid}.pdf")
        assert stranded(pages) == 0, sid
        assert holds_data(pages[-1]) and "Certified by" in flat(pages[-1]), sid
        assert "Summary" in flat(pages[0]), sid
