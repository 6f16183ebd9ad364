"""Each level page offers a one-page family summary (PDF) in the page's language: the targets in
plain words and the scale (the goal marked in words), the school, the level, the page's address
and the content's date; tagged (PDF/UA-1) with its language, and the same bytes on every build."""

from __future__ import annotations

import io
import os
import re
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from conftest import build, build_ahead, copy_mini, lang_root
from htmltree import parse
from pypdf import PdfReader

from proficio import load_school
from proficio.content.model import School, localize
from proficio.site import summary
from proficio.site.pages import level_url, page_files, summary_name
from proficio.site.strings import ui
from proficio.support import locale

LANGS = ["en", "es", "vi"]


def levels(school: School) -> list[tuple[str, str, str]]:
    return [(s.slug, lv.slug, level_url(s, lv)) for s in school.subjects for lv in s.levels]


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.mark.parametrize("lang", LANGS)
def test_every_level_has_a_one_page_summary_in_every_language(
    example_site: Path, example_school: School, lang: str
) -> None:
    root = lang_root(example_site, example_school, lang)
    default = example_school.default_language
    checked = 0
    for subject in example_school.subjects:
        for level in subject.levels:
            path = root / level_url(subject, level) / summary_name(subject, level, lang)
            pdf = path.read_bytes()
            reader = PdfReader(io.BytesIO(pdf))
            assert len(reader.pages) == 1, f"{path} has {len(reader.pages)} pages"
            text = text_of(pdf)
            title = localize(level.title, lang, default)[0]
            assert title in text, (title, text[:300])
            scale = example_school.scales[subject.scale_id]
            goal = scale.point(scale.threshold)
            assert goal is not None
            label = localize(goal.label, lang, default)[0]
            goal_row = f"{label}{ui(lang, 'goal')[0]}"  # "Proficient: the goal"
            assert goal_row in text, (goal_row, text)
            assert localize(example_school.name, lang, default)[0] in text
            assert level_url(subject, level) in text, "the page's address"
            for target in level.targets:
                assert target.code in text
            checked += 1
    assert checked == 15


@pytest.mark.parametrize("lang", LANGS)
def test_the_level_page_links_its_summary_in_its_language(
    example_site: Path, example_school: School, lang: str
) -> None:
    root = lang_root(example_site, example_school, lang)
    subject = example_school.subjects[0]
    level = subject.levels[0]
    page = parse(root / level_url(subject, level) / "index.html")
    link = page.find("p", cls="pf-summary-link").find("a")
    assert link.text().strip() == ui(lang, "summary_link")[0]
    assert link.attrs["type"] == "application/pdf"
    target = root / level_url(subject, level) / link.attrs["href"]
    assert target.is_file() and target.read_bytes().startswith(b"%PDF-")


def test_the_summary_is_tagged_with_its_language_and_dated(
    example_site: Path, example_school: School
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[0]
    pdf = example_site / "es" / level_url(subject, level) / summary_name(subject, level, "es")
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "es"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    xmp = catalog["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp and b"<pdfuaid:part>1</pdfuaid:part>" in xmp
    assert (reader.metadata or {}).get("/Title", "").endswith("resumen para las familias")
    # the content's date: the level's last change in git (the files its page is made of)
    files = [str(f.resolve()) for f in page_files(example_school)[level_url(subject, level)]]
    day = date.fromisoformat(
        subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", *files],
            cwd=example_school.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    assert f"Contenido al {locale.long_date(day, 'es')}" in text_of(pdf.read_bytes())
    assert str((reader.metadata or {})["/CreationDate"]).startswith(f"D:{day:%Y%m%d}")


def test_two_builds_give_identical_pdfs(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    school = load_school(content)
    summary._typesetter = None  # a fresh compiler: nothing remembered from earlier builds
    build(content, tmp_path / "one")
    summary._typesetter = None
    build(content, tmp_path / "two")
    pdfs = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*.pdf"))
    assert len(pdfs) == len(levels(school)) * len(school.languages)
    for rel in pdfs:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel
    # outside git the content's date is the build's (SOURCE_DATE_EPOCH 1700000000)
    english = next(p for p in pdfs if p.name.endswith("-en.pdf"))
    assert "Content as of November 14, 2023" in text_of((tmp_path / "one" / english).read_bytes())


def test_a_level_too_long_for_one_page_lists_its_first_targets_and_says_where_the_rest_are(
    example_school: School,
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[0]
    topic = level.topics[0]
    many = [
        replace(t, code=f"{t.code}{n}", title={"en": f"{t.title['en']} (part {n})"})
        for n in range(40)
        for t in topic.targets
    ]
    big = replace(level, topics=[replace(topic, targets=many)])
    made = summary.level_summary(example_school, subject, big, "en", date(2026, 12, 1))
    assert made.pages == 1
    text = text_of(made.pdf)
    assert len(PdfReader(io.BytesIO(made.pdf)).pages) == 1
    shown = re.search(
        r"This page lists the first (\d+) of 120 learning targets; see them all", text
    )
    assert shown is not None, text[-400:]
    assert 10 < int(shown.group(1)) < 120
    assert many[0].code in text and many[-1].code not in text


def test_a_long_level_shrinks_its_type_before_leaving_anything_out(
    example_school: School,
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[0]
    doubled = replace(level, topics=[*level.topics, *level.topics])  # 18 targets
    made = summary.level_summary(example_school, subject, doubled, "vi", date(2026, 12, 1))
    assert made.pages == 1
    text = text_of(made.pdf)
    assert "Trang này liệt kê" not in text, "everything fits, in smaller type"
    assert all(t.code in text for t in level.targets)


def test_summaries_made_in_a_second_process_are_the_same_bytes(tmp_path: Path) -> None:
    """On a large school a forked process makes the PDFs while MkDocs renders the pages (and
    this one makes the last of them once it has): the same files as when it makes them all."""
    content = copy_mini(tmp_path / "content")
    summary._typesetter = None
    build(content, tmp_path / "here")
    _, split = build_ahead(content, tmp_path / "other" / "ahead")  # its own store: made, not reused
    if len(os.sched_getaffinity(0)) > 1:  # a second process made them, this one the rest
        theirs, own = split
        assert theirs > 0 and theirs + own >= 4, (theirs, own)  # 2 levels x 2 languages
    here = sorted(p.relative_to(tmp_path / "here") for p in (tmp_path / "here").rglob("*.pdf"))
    there = tmp_path / "other" / "ahead"
    ahead = sorted(p.relative_to(there) for p in there.rglob("*.pdf"))
    assert here == ahead and here
    for rel in here:
        assert (tmp_path / "here" / rel).read_bytes() == (there / rel).read_bytes()


def test_a_text_shown_untranslated_is_tagged_with_its_own_language(
    example_site: Path, example_school: School
) -> None:
    """The Vietnamese summary shows a level description that has no Vietnamese yet in English:
    the tagged PDF says so (``/Lang (en)`` on its structure element), as the page's HTML does."""
    subject = example_school.subjects[0]
    level = subject.levels[0]
    assert "vi" not in level.description, "the example's fallback this test relies on"
    pdf = example_site / "vi" / level_url(subject, level) / summary_name(subject, level, "vi")
    data = pdf.read_bytes()
    assert PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"] == "vi"
    assert re.search(rb"/Lang\s*\(en\)", data), "the English description is marked as English"
    assert level.description["en"].split()[0] in text_of(data)
