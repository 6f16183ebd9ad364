"""Dates, numbers, percentages and lists as each language writes them, from CLDR through Babel:
in proficio.support.locale itself, then in Spanish and Vietnamese PDFs and site pages, where
every number and date must be what Babel writes for ``es`` and ``vi``."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent
from pypdf import PdfReader
from transcript_helpers import ISSUED, result, school

from proficio.evidence.records import Student
from proficio.scoring import explain
from proficio.site.pages import generate
from proficio.site.strings import counted
from proficio.support import locale
from proficio.support.numbers import decimal_text
from proficio.transcripts import Options, Renderer
from proficio.transcripts.document import Catalog
from proficio.transcripts.fonts import Coverage, font_dirs

NBSP = "\xa0"
DAY = date(2025, 3, 7)


@pytest.mark.parametrize(
    "code,expected",
    [
        ("es", "es"),
        ("es-MX", "es_MX"),
        ("pt_BR", "pt_BR"),
        ("zh-Hant", "zh_Hant"),
        ("vi", "vi"),
        ("hmn", "en"),  # a language CLDR lacks: English, as Proficio's words fall back
        ("zz", "en"),
        ("", "en"),
        ("not a code", "en"),
    ],
)
def test_a_language_code_finds_its_locale_or_falls_back(code: str, expected: str) -> None:
    assert str(locale.locale(code)) == expected


@pytest.mark.parametrize(
    "value,lang,keep,expected",
    [
        ("2.94", "en", 0, "2.94"),
        ("2.94", "es", 0, "2,94"),
        ("2.94", "vi", 0, "2,94"),
        ("2345", "es", 0, "2.345"),  # a point groups thousands in Spanish...
        ("2345.5", "es", 0, "2.345,5"),  # ...and a comma marks decimals
        ("2345.5", "en", 0, "2,345.5"),
        ("2345.5", "vi", 0, "2.345,5"),
        ("3", "es", 1, "3,0"),  # one decimal kept on a scale with half points
        ("3.5", "en", 1, "3.5"),
        ("3.53", "en", 1, "3.53"),
        ("3.50", "en", 0, "3.5"),  # trailing zeros dropped
        ("3.465", "en", 0, "3.47"),  # half away from zero (Babel alone rounds half to even: 3.46)
        ("-3.465", "en", 0, "-3.47"),
        ("3.1446", "en", 0, "3.14"),
        ("-0.001", "es", 0, "0"),  # never "-0"
        ("4E+1", "es", 0, "40"),  # no exponent
    ],
)
def test_numbers_follow_the_precision_rule_and_the_language(
    value: str, lang: str, keep: int, expected: str
) -> None:
    assert locale.number(Decimal(value), lang, keep=keep) == expected


def test_numbers_are_babels_own() -> None:
    for lang in ("en", "es", "vi"):
        for value in ("2.94", "2345.5", "0.65", "12345.25"):
            d = Decimal(value)
            assert locale.number(d, lang) == format_decimal(d, locale=lang)
        assert locale.count(2345, lang) == format_decimal(2345, locale=lang)
        assert locale.percent(65, lang) == format_percent(Decimal("0.65"), locale=lang)


@pytest.mark.parametrize(
    "lang,percent,long,short,listed",
    [
        ("en", "65%", "March 7, 2025", "Mar 7, 2025", "Mathematics, Science, and Welding"),
        (
            "es",
            f"65{NBSP}%",
            "7 de marzo de 2025",
            "7 mar 2025",
            "Mathematics, Science y Welding",
        ),
        ("vi", "65%", "7 tháng 3, 2025", "7 thg 3, 2025", "Mathematics, Science và Welding"),
    ],
)
def test_percentages_dates_and_lists(
    lang: str, percent: str, long: str, short: str, listed: str
) -> None:
    assert locale.percent(65, lang) == percent
    assert locale.long_date(DAY, lang) == long == format_date(DAY, "long", locale=lang)
    assert locale.short_date(DAY, lang) == short == format_skeleton("yMMMd", DAY, locale=lang)
    assert locale.join(["Mathematics", "Science", "Welding"], lang) == listed


def test_lists_of_numbers_cannot_be_misread() -> None:
    """With a decimal comma, "2,5, 3" could be three numbers: such languages use "; "."""
    texts = [locale.number(Decimal(v), "es") for v in ("2", "2.5", "3")]
    assert locale.number_list(texts, "es") == "2; 2,5; 3"
    assert locale.number_list(["2", "2.5", "3"], "en") == "2, 2.5, 3"


def test_machine_text_stays_locale_free() -> None:
    """CASE, CLR, CSV and messages keep decimal_text: the same in every language."""
    assert decimal_text(Decimal("3.50")) == "3.5"
    assert decimal_text(Decimal("2345.5")) == "2345.5"


@pytest.mark.parametrize(
    "lang,n,key",
    [
        ("en", 1, "targets_n.one"),
        ("en", 2, "targets_n.other"),
        ("es", 1, "targets_n.one"),
        ("es", 1000000, "targets_n.other"),  # CLDR's "many": Spanish has no form of its own here
        ("vi", 5, "targets_n.other"),
        ("fr", 1, "targets_n.one"),  # no French words: English words, English forms
    ],
)
def test_site_counts_take_the_languages_plural_form(lang: str, n: int, key: str) -> None:
    assert counted(lang, "targets_n", n) == key


# -- the PDFs: Spanish and Vietnamese, every number and date as Babel writes it ---------------


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def fonts():
    dirs = font_dirs()
    return dirs, Coverage.of_dirs(dirs)


@pytest.fixture(scope="module")
def progress(fonts):
    renderer = Renderer(school(), Options(kind="progress", issued=ISSUED), *fonts, explain=explain)
    yield renderer
    renderer.close()


BIRTH = date(2011, 4, 3)


def _student(lang: str):
    st = Student("L-1", "Lucía", "Gómez", language=lang, birth_date=BIRTH)
    math = school().subjects[0].levels[1]
    codes = [t.code for t in math.targets]
    return result(
        st,
        current={"MA": 2, "ELA": 1, "SC": 1, "WE": 1},
        explicit={codes[0]: ["2.0", "3.0", "3.5"], codes[1]: ["1.5", "2.5"]},
    )


def _dates(res) -> set[date]:
    out = {ISSUED, BIRTH}
    for subject in res.subjects:
        for level in subject.levels:
            if level.completed_on:
                out.add(level.completed_on)
            for tr in level.targets:
                out.update(e.date for e in tr.evidence)
    return out


def _check_numbers_and_dates(whole: str, res, lang: str) -> None:
    # The school's own texts are printed as the school wrote them ("Un 3.0 significa..."):
    # what is checked is everything else, the words and numbers Proficio writes.
    catalog = Catalog(school(), Options(kind="progress", issued=ISSUED))
    for text in sorted({flat(t) for _, t in catalog.content_strings(lang)}, key=len, reverse=True):
        if len(text) > 3:
            whole = whole.replace(text, " ")
    # No decimal point and no numeric or ISO date: only Babel's forms for the language (no
    # count here reaches 1,000, so a point between digits could only be a decimal point).
    assert not re.search(r"\d\.\d", whole), re.search(r".{40}\d\.\d.{40}", whole)
    assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", whole)
    assert not re.search(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b", whole)
    # Every year printed ends a date exactly as Babel writes it for ``lang``.
    known = {flat(f(d, lang)) for d in _dates(res) for f in (locale.long_date, locale.short_date)}
    years = list(re.finditer(r"(?<![\d,.])(19|20)\d\d\b", whole))
    assert years
    for m in years:
        before = whole[: m.end()]
        assert any(before.endswith(k) for k in known), whole[m.start() - 30 : m.end()]


@pytest.mark.parametrize("lang", ["es", "vi"])
def test_progress_reports_write_every_number_and_date_as_babel_does(progress, lang: str) -> None:
    res = _student(lang)
    out = progress.render(res)
    reader = PdfReader(io.BytesIO(out.pdf))
    assert reader.trailer["/Root"]["/Lang"] == lang
    whole = flat(" ".join(p.extract_text() for p in reader.pages))
    assert flat(format_date(ISSUED, "long", locale=lang)) in whole
    assert flat(format_date(BIRTH, "long", locale=lang)) in whole
    _check_numbers_and_dates(whole, res, lang)
    sch = school()
    checked = 0
    for subject in res.subjects:
        current = subject.current_level
        for level in subject.levels:
            if level.complete or current is None or level.number < current:
                continue
            for tr in level.targets:
                if not tr.evidence:
                    continue
                scale = sch.scale_of(next(t for *_, t in sch.iter_targets() if t.code == tr.code))
                keep = 1 if scale.half_points else 0
                scores = locale.separator(lang).join(
                    f"{format_decimal(e.score, format='#,##0.0#' if keep else '#,##0.##', locale=lang)}"
                    f" ({format_skeleton('yMMMd', e.date, locale=lang)})"
                    for e in tr.evidence
                )
                assert flat(scores) in whole, (tr.code, scores)
                if tr.score is not None:
                    shown = locale.number(tr.score, lang, keep=keep)
                    assert shown == format_decimal(
                        tr.score, format="#,##0.0#" if keep else "#,##0.##", locale=lang
                    )
                    assert f" {shown}" in whole
                checked += 1
    assert checked >= 3
    # the explanation sentence is printed, in the family's language, above its arithmetic
    first = res.subjects[0].levels[1].targets[0]
    sentence = {
        "es": "El trabajo reciente cuenta más: 65 % el último puntaje y 35 % lo anterior, "
        "lo que da 3,2.",
        "vi": "Bài làm gần đây được tính nhiều hơn: điểm mới nhất chiếm 65%, phần trước đó "
        "chiếm 35%; kết quả là 3,2.",
    }[lang]
    assert first.score == Decimal("3.20")
    assert flat(sentence) in whole


def test_a_spanish_transcript_writes_its_dates_and_scores_as_babel_does(fonts) -> None:
    renderer = Renderer(
        school(), Options(kind="transcript", issued=ISSUED, language="es"), *fonts, explain=explain
    )
    try:
        res = result(Student("T-1", "Ana", "Núñez", birth_date=BIRTH), current={"MA": 3})
        out = renderer.render(res)
    finally:
        renderer.close()
    whole = flat(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.pdf)).pages))
    assert "Certificado oficial de estudios" in whole
    _check_numbers_and_dates(whole, res, "es")
    done = res.subjects[0].levels[0].completed_on
    assert done is not None and f"({locale.short_date(done, 'es')})" in whole


# -- the site: the same numbers as the family's PDFs -----------------------------------------


@pytest.mark.parametrize(
    "lang,threshold,percent",
    [("en", "3.0", "75%"), ("es", "3,0", f"75{NBSP}%"), ("vi", "3,0", "75%")],
)
def test_site_pages_write_points_and_percentages_in_the_readers_language(
    lang: str, threshold: str, percent: str
) -> None:
    sch = school()
    pages = {p.url: p for p in generate(sch, lang).pages}
    science = next(s for s in sch.subjects if s.code == "SC")
    body = pages[f"{science.slug}/"].body
    weight = locale.percent(65, lang)
    assert weight in body  # "65 %" in the calculation sentence
    level = pages[f"{science.slug}/{science.levels[0].slug}/"].body
    assert percent in level  # the level's completion rule: 75 % of each topic
    scores = re.findall(r'<span class="pf-score">([^<]*)</span>', level)
    assert scores and threshold in scores
    if lang != "en":
        assert all("." not in s for s in scores), scores
    welding = next(s for s in sch.subjects if s.code == "WE")
    cte = re.findall(
        r'<span class="pf-score">([^<]*)</span>',
        pages[f"{welding.slug}/{welding.levels[0].slug}/"].body,
    )
    assert set(cte) == {"1", "2", "3", "4", "5"}  # whole points stay whole
