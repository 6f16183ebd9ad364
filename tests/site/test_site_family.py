"""The pages for families (guide with a sample report, FAQ, glossary, at home per score), the
glossary's definitions where its terms appear, the school's overrides, and a level printed by
real headless Chromium: page numbers, the school and the address on every page, no heading
stranded at the bottom of a page."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import build, copy_mini, lang_root
from htmltree import Element, parse
from test_serve_errors import Served, served  # noqa: F401  (the fixture)

from proficio.content.model import School, localize
from proficio.errors import ProficioError
from proficio.site import family
from proficio.site.pages import level_url

LANGS = ["en", "es", "vi"]
PAGES = [
    "families/index.html",
    "families/faq/index.html",
    "families/glossary/index.html",
    "families/at-home/index.html",
]


def words(lang: str) -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((family.DEFAULTS_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))


def main(page: Element) -> Element:
    found = page.find("article")
    assert found is not None
    return found


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_family_pages_exist_in_every_language(
    example_site: Path, example_school: School, lang: str, path: str
) -> None:
    page = parse(lang_root(example_site, example_school, lang) / path)
    assert page.find("html").attrs["lang"] == lang
    key = {
        "families/index.html": "guide",
        "families/faq/index.html": "faq",
        "families/glossary/index.html": "glossary",
        "families/at-home/index.html": "at_home",
    }[path]
    assert main(page).find("h1").text().strip() == words(lang)[key]["title"]
    assert main(page).find("div", cls="pf-family").attrs.get("lang") is None, "in its own words"
    guide = parse(lang_root(example_site, example_school, lang) / PAGES[0])
    menu = [
        a.text() for a in guide.find("nav", cls="md-nav--primary").find_all("a", cls="md-nav__link")
    ]
    # the guide is the section's index page: the menu's "For families" opens it
    entry = words(lang)["menu"] if key == "guide" else words(lang)[key]["title"]
    assert entry in menu, "each family page is in the menu"


@pytest.mark.parametrize("lang", LANGS)
def test_the_guide_shows_a_fictional_students_sample_report(
    example_site: Path, example_school: School, lang: str
) -> None:
    page = main(parse(lang_root(example_site, example_school, lang) / PAGES[0]))
    sample = words(lang)["guide"]["sample"]
    table = page.find("table", cls="pf-sample")
    rows = table.find("tbody").find_all("tr")
    assert [r.find("span", cls="pf-code").text() for r in rows] == [
        r["code"] for r in sample["rows"]
    ]
    three = "3,0" if lang in ("es", "vi") else "3.0"
    assert three in page.text(), "the goal in the reader's digits"
    assert sample["student"] in page.text()
    current = [r.find_all("td")[1].text() for r in rows]
    met, not_yet = (
        words(lang)["guide"]["sample_goal_met"],
        words(lang)["guide"]["sample_goal_not_yet"],
    )
    point = "," if lang in ("es", "vi") else "."
    assert current == [f"3{point}2 ({met})", f"2{point}3 ({not_yet})", f"3{point}0 ({met})", "—"]


@pytest.mark.parametrize(
    ("lang", "question", "answer"),
    [
        (
            "en",
            "If my child gets a 3.0, should I be concerned?",
            "Not at all. 3.0 (Proficient) is the goal",
        ),
        ("es", "Si mi hijo saca un 3,0, ¿debo preocuparme?", "Para nada. 3,0 (Dominio) es la meta"),
        (
            "vi",
            "Nếu con được 3,0, tôi có nên lo lắng không?",
            "Hoàn toàn không. 3,0 (Thành thạo) là mục tiêu",
        ),
    ],
)
def test_the_faq_reassures_with_the_schools_goal(
    example_site: Path, example_school: School, lang: str, question: str, answer: str
) -> None:
    page = main(parse(lang_root(example_site, example_school, lang) / PAGES[1]))
    dts = [dt.text() for dt in page.find_all("dt")]
    assert dts[0] == question
    assert page.find_all("dd")[0].text().startswith(answer)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("path", "term"),
    [
        (PAGES[0], "target"),
        (PAGES[0], "scale"),
        (PAGES[0], "current-score"),
        ("index.html", "target"),
        ("index.html", "topic"),
        ("mathematics/level-1/index.html", "target"),
    ],
)
def test_glossary_terms_carry_their_definitions_where_they_appear(
    example_site: Path, example_school: School, lang: str, path: str, term: str
) -> None:
    entry = next(t for t in words(lang)["glossary"]["terms"] if t["id"] == term)
    page = main(parse(lang_root(example_site, example_school, lang) / path))
    marked = [
        a for a in page.find_all("abbr", cls="pf-term") if a.attrs["title"] == entry["definition"]
    ]
    assert len(marked) == 1, f"{term} defined once on {path}"
    assert marked[0].text().lower() in [m.lower() for m in entry["match"]]
    assert marked[0].attrs["tabindex"] == "0", "a phone reader can tap it"
    assert not any(a.tag in ("a", "h1", "h2", "h3") for a in marked[0].ancestors())


@pytest.mark.parametrize("lang", LANGS)
def test_the_glossary_lists_every_term(
    example_site: Path, example_school: School, lang: str
) -> None:
    page = main(parse(lang_root(example_site, example_school, lang) / PAGES[2]))
    ids = [dt.attrs["id"] for dt in page.find_all("dt")]
    assert ids == [
        f"term-{t}"
        for t in (
            "target",
            "standard",
            "topic",
            "scale",
            "level",
            "evidence",
            "current-score",
            "calculation",
        )
    ]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("scale_id", ["marzano-4", "cte-5"])
def test_at_home_shows_each_score_points_family_advice(
    example_site: Path, example_school: School, lang: str, scale_id: str
) -> None:
    scale = example_school.scales[scale_id]
    page = main(parse(lang_root(example_site, example_school, lang) / PAGES[3]))
    heading = page.find("h2", id=f"pf-scale-{scale_id}")
    table = next(e for e in page.find_all("table") if heading in list(_before(page, e)))
    rows = table.find("tbody").find_all("tr")
    assert len(rows) == len(scale.points)
    for row, point in zip(rows, scale.points, strict=True):
        home, ask = (plain(td.text()) for td in row.find_all("td"))
        assert home == localize(point.at_home, lang, "en")[0]
        assert ask == localize(point.ask_teacher, lang, "en")[0]
        assert ("pf-threshold" in row.classes) == (point.value == scale.threshold)


def plain(text: str) -> str:
    """An element's text as written (``text()`` puts a space after an inline element)."""
    return re.sub(r" (?=[?.!,:;])", "", text)


def _before(root: Element, target: Element) -> Iterator[Element]:
    """The last ``h2`` before ``target`` in document order."""
    last = None
    for e in root.iter():
        if e is target:
            break
        if e.tag == "h2":
            last = e
    if last is not None:
        yield last


def test_a_scale_without_family_advice_says_so(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    build(content, tmp_path / "site")
    page = main(parse(tmp_path / "site" / PAGES[3]))
    assert words("en")["at_home"]["none"] in page.text()
    assert page.find("table") is None


def test_a_school_overrides_the_family_texts_from_content(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    (content / "family").mkdir()
    (content / "family" / "es.yaml").write_text(
        "faq:\n  title: Preguntas de Mini\n  items:\n    - q: ¿Hay recreo?\n      a: Sí, dos.\n",
        encoding="utf-8",
    )
    build(content, tmp_path / "site")
    es = main(parse(tmp_path / "site" / "es" / PAGES[1]))
    assert es.find("h1").text() == "Preguntas de Mini"
    assert [dt.text() for dt in es.find_all("dt")] == ["¿Hay recreo?"]
    assert "description" not in es.text(), "the other keys keep the defaults"
    en = main(parse(tmp_path / "site" / PAGES[1]))
    assert en.find("h1").text() == words("en")["faq"]["title"], "English keeps the defaults"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "faq:\n  titel: Oops\n",
            "family/en.yaml:2:3: unknown key 'titel' for the family pages. Use one of: description, items, title.",
        ),
        (
            "faq:\n  items: just a text\n",
            "family/en.yaml:2:10: 'items' must be a list, as in the default texts.",
        ),
        ("menu: [a, b]\n", "family/en.yaml:1:7: 'menu' must be a text, as in the default texts."),
        (
            "- a list\n",
            "family/en.yaml:1:1: this file must be a mapping of the family pages' keys.",
        ),
        (
            "faq: {title: [\n",
            "family/en.yaml:2:1: YAML syntax error: did not find expected node content (while parsing a flow node). Check the indentation and quotes on this line and the one above.",
        ),
    ],
)
def test_a_bad_override_is_named_by_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    content = tmp_path / "content"
    (content / "family").mkdir(parents=True)
    (content / "family" / "en.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProficioError) as caught:
        family.texts("en", content)
    assert len(caught.value.details) == 1
    assert caught.value.details[0].endswith(message)


def test_a_bad_override_stops_the_build_with_its_line(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    (content / "family").mkdir()
    (content / "family" / "en.yaml").write_text("glossary:\n  tems: []\n", encoding="utf-8")
    result = subprocess.run(
        ["python3", "-m", "proficio", "build", "--content", str(content)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            **__import__("os").environ,
            "SOURCE_DATE_EPOCH": "1700000000",
            "NO_MKDOCS_2_WARNING": "1",
        },
    )
    assert result.returncode == 1
    assert (
        "family/en.yaml:2:3: unknown field 'tems' in 'glossary'. Did you mean 'terms'?"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "css"),
    [
        ('Say "hi"', '"Say \\"hi\\""'),
        ("a\\b", '"a\\\\b"'),
        ("</style><script>", '"\\3C /style>\\3C script>"'),
        ("Page  \n one ", '"Page one "'),
    ],
)
def test_the_print_margins_cannot_break_out_of_their_string(text: str, css: str) -> None:
    assert family._css_string(text) == css


# -- paper ---------------------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def printed(
    example_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    """Level 1 of Mathematics (en, es) and the family guide printed to PDF by Chromium."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (scripts/install.sh installs it)"
    out = tmp_path_factory.mktemp("printed")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(example_site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pdfs = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            for name, url in [
                ("en", "mathematics/level-1/"),
                ("es", "es/mathematics/level-1/"),
                ("family", "families/"),
            ]:
                page.goto(f"http://127.0.0.1:{server.server_port}/{url}")
                pdfs[name] = out / f"{name}.pdf"
                page.pdf(path=str(pdfs[name]), format="Letter", prefer_css_page_size=True)
            browser.close()
        yield pdfs
    finally:
        server.shutdown()


def page_lines(pdf: Path) -> list[list[str]]:
    """Each page's non-empty lines, in reading order (pdftotext's layout)."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [[ln.strip() for ln in pg.splitlines() if ln.strip()] for pg in text.split("\f")[:-1]]


@pytest.mark.parametrize(
    ("name", "lang", "pages_word"),
    [
        ("en", "en", "Page {n} of {m}"),
        ("es", "es", "Página {n} de {m}"),
        ("family", "en", "Page {n} of {m}"),
    ],
)
def test_every_printed_page_has_its_number_the_school_and_the_address(
    printed: dict[str, Path], example_school: School, name: str, lang: str, pages_word: str
) -> None:
    pages = page_lines(printed[name])
    assert len(pages) >= (1 if name == "family" else 2), "long enough to test what repeats"
    school = localize(example_school.name, lang, "en")[0]
    url = {"en": "mathematics/level-1/", "es": "es/mathematics/level-1/", "family": "families/"}[
        name
    ]
    for n, lines in enumerate(pages, start=1):
        header, footer = (re.sub(r"\s{2,}", " | ", line) for line in (lines[0], lines[-1]))
        day = "14 de noviembre de 2023" if lang == "es" else "November 14, 2023"
        assert header == f"{school} | {day}", f"page {n}"
        address = f"https://curriculum.riverbend.example.org/{url}"
        assert footer == f"{address} | {pages_word.format(n=n, m=len(pages))}", f"page {n}"


def test_a_printed_level_is_a_compact_handout(
    printed: dict[str, Path], example_school: School
) -> None:
    """Targets flow: far fewer pages than targets (it was one target per page)."""
    level = example_school.subjects[0].levels[0]
    pages = page_lines(printed["en"])
    assert len(pages) * 2 <= len(level.targets) + 1, (
        f"{len(pages)} pages for {len(level.targets)} targets"
    )


@pytest.mark.parametrize("name", ["en", "es"])
def test_no_heading_is_the_last_line_of_a_printed_page(
    printed: dict[str, Path], example_school: School, name: str
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[0]
    assert level_url(subject, level) == "mathematics/level-1/"
    lang = "en" if name == "en" else "es"
    headings = [f"{t.code} " for t in level.topics] + [f"{t.code} " for t in level.targets]
    pages = page_lines(printed[name])
    for n, lines in enumerate(pages[:-1], start=1):
        body = lines[1:-1]
        last = body[-1]
        stranded = [h for h in headings if last.startswith(h)]
        assert not stranded, f"page {n} ends with the heading {last!r} ({lang})"
    everything = " ".join(" ".join(p) for p in pages)
    for topic in level.topics:
        assert topic.code in everything


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_phone_reader_taps_a_term_to_read_its_definition(
    example_site: Path, example_school: School, lang: str
) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (scripts/install.sh installs it)"
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(example_site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
            )
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_port}/{prefix}families/")
            page.locator("abbr.pf-term").first.tap()
            tip = page.locator(".md-tooltip2--active[role=tooltip]")
            tip.wait_for(timeout=10_000)
            definition = next(
                t["definition"] for t in words(lang)["glossary"]["terms"] if t["id"] == "target"
            )
            assert tip.inner_text().strip() == definition
            browser.close()
    finally:
        server.shutdown()


def test_a_broken_family_file_under_mkdocs_serve_shows_its_line_and_recovers(
    served: Served,  # noqa: F811  (the fixture imported above)
) -> None:
    page = "families/faq/"
    served.wait_for(page, lambda t: "pf-faq" in t and "pf-serve-errors" not in t)
    path = served.root / "content" / "family" / "en.yaml"
    path.parent.mkdir()
    path.write_text("faq:\n  title: Our questions\n  itmes: []\n", encoding="utf-8")
    shown = served.wait_for(page, lambda t: "pf-serve-errors" in t)
    line = "content/family/en.yaml:3:3: unknown field 'itmes' in 'faq'. Did you mean 'items'?"
    assert f"<li><code>{line}</code></li>" in shown
    assert "The content has 1 error" in shown
    path.write_text("faq:\n  title: Our questions\n", encoding="utf-8")
    fixed = served.wait_for(page, lambda t: "pf-faq" in t and "pf-serve-errors" not in t)
    assert "<h1>Our questions</h1>" in fixed
