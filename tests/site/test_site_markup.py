"""A framework statement with emphasis, a list, a table, math and ``<script>`` on the built site:
formatted in the page, plain in the table of contents, the navigation and the search index, the
script shown as text and never run (issue #16, item 8)."""

from __future__ import annotations

import functools
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from conftest import build, copy_mini
from htmltree import Element, parse

STATEMENT = (
    "The **item stem** makes an *inference*:\n"
    "\n"
    "- select the evidence\n"
    "- explain it\n"
    "\n"
    "| **Chore** | Time |\n"
    "|:---------:|-----:|\n"
    "| Walk dog  | 20 minutes |\n"
    "\n"
    "Between $\\frac{1}{2}$ and $\\frac{3}{4}$ of an hour."
    ' <script>window.__pwned = "statement"</script>'
    '<img src=x onerror="window.__pwned = 1">'
)
TITLE = "I can add **whole** *numbers* <script>window.__pwned = 'title'</script>"
TITLE_PLAIN = "I can add whole numbers <script>window.__pwned = 'title'</script>"
TOPIC = "Whole `numbers`"
CELL = "Adds:\n\n- *quickly*\n- correctly"
LEVEL_URL = "math/level-1/"
CODE = "MA.L1.WN.1"
ANCHOR = "ma-l1-wn-1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("markup")
    content = copy_mini(tmp / "content")
    level = content / "subjects" / "math" / "level-1.yaml"
    data = yaml.safe_load(level.read_text(encoding="utf-8"))
    topic = data["topics"][0]
    topic["title"] = {"en": TOPIC, "es": "Números `enteros`"}
    target = topic["targets"][0]
    target["title"] = {"en": TITLE, "es": "Puedo *sumar*"}
    target["description"] = STATEMENT  # the default language only: es shows it as a fallback
    target["rubric"][3] = {"en": CELL, "es": "Suma:\n\n- *rápido*\n- bien"}
    level.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp / "site"
    build(content, out)
    return out


@functools.cache
def level_page(site: Path, lang: str = "en") -> Element:
    root = site if lang == "en" else site / lang
    return parse(root / LEVEL_URL / "index.html")


def content_of(doc: Element) -> Element:
    article = doc.find("article", cls="md-content__inner")
    assert article is not None
    return article


def target_article(doc: Element) -> Element:
    heading = doc.find("h3", id=ANCHOR)
    assert heading is not None
    return next(a for a in heading.ancestors() if a.tag == "article")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_statement_is_formatted_on_the_page(site: Path, lang: str) -> None:
    description = target_article(level_page(site, lang)).find("div", cls="pf-description")
    assert description is not None
    assert [e.text() for e in description.find_all("strong")] == ["item stem", "Chore"]
    assert [e.text() for e in description.find_all("em")] == ["inference"]
    items = description.find("ul").find_all("li")
    assert [li.text() for li in items] == ["select the evidence", "explain it"]
    table = description.find("table")
    assert [th.text() for th in table.find("thead").find_all("th")] == ["Chore", "Time"]
    assert [td.text() for td in table.find("tbody").find_all("td")] == ["Walk dog", "20 minutes"]
    assert [th.attrs.get("style") for th in table.find_all("th")] == [
        "text-align: center;",
        "text-align: right;",
    ]
    assert [m.text() for m in description.find_all("span", cls="pf-math")] == ["1/2", "3/4"]
    assert "*" not in description.text() and "|" not in description.text()
    assert 'window.__pwned = "statement"' in description.text()
    if lang == "es":  # the English statement, marked as a fallback around its blocks
        assert "pf-fallback" in description.classes and description.attrs["lang"] == "en"


def test_titles_and_rubric_cells_are_formatted_inline(site: Path) -> None:
    doc = level_page(site)
    heading = doc.find("h3", id=ANCHOR)
    assert [e.text() for e in heading.find_all("strong")] == ["whole"]
    assert [e.text() for e in heading.find_all("em")] == ["numbers"]
    assert heading.text() == f"{CODE} {TITLE_PLAIN}"
    topic = doc.find("h2", id="ma-l1-wn")
    assert [e.text() for e in topic.find_all("code")] == ["numbers"]
    row = target_article(doc).find("tr", cls="pf-own")
    cell = row.find("td")
    assert [li.text() for li in cell.find("ul").find_all("li")] == ["quickly", "correctly"]
    assert [e.text() for e in cell.find_all("em")] == ["quickly"]


def test_no_script_or_handler_comes_from_the_content(site: Path) -> None:
    for lang in ("en", "es"):
        doc = level_page(site, lang)
        for script in doc.find_all("script"):
            assert "__pwned" not in script.text(), lang
        for el in content_of(doc).iter():
            assert el.tag not in ("script", "img", "iframe", "style"), (lang, el.tag)
            assert not any(name.startswith("on") for name in el.attrs), (lang, el.tag, el.attrs)
    for path in site.rglob("*.html"):
        assert "<script>window.__pwned" not in path.read_text(encoding="utf-8"), path


def test_the_table_of_contents_and_navigation_are_plain(site: Path) -> None:
    doc = level_page(site)
    toc = doc.find("nav", cls="md-nav--secondary")
    names = [a.text() for a in toc.find_all("a", cls="md-nav__link")]
    assert names == [
        "Whole numbers",
        f"{CODE} {TITLE_PLAIN}",
        "MA.L1.WN.2 I can subtract whole numbers.",
    ]
    for a in toc.find_all("a", cls="md-nav__link"):
        assert all(e.tag in ("span",) for e in a.iter() if e is not a), a.attrs
    title = doc.find("title").text()
    assert "*" not in title and "<" not in title


def test_the_search_index_holds_plain_text(site: Path) -> None:
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    section = next(d for d in index["docs"] if d["location"] == f"{LEVEL_URL}#{ANCHOR}")
    assert (
        section["title"]
        == f"{CODE} I can add whole numbers &lt;script&gt;window.__pwned = 'title'&lt;/script&gt;"
    )
    text = section["text"]
    assert "The item stem makes an inference:" in text
    assert "Walk dog | 20 minutes" in text and "Between 1/2 and 3/4 of an hour." in text
    assert "**" not in text and "<strong>" not in text and "<script>" not in text
    assert "$" not in text and "\\frac" not in text
    topic = next(d for d in index["docs"] if d["location"] == f"{LEVEL_URL}#ma-l1-wn")
    assert topic["title"] == "MA.L1.WN Whole numbers"


# -- in Chromium: the page runs none of it -------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_chromium_runs_no_content_script(served: str, lang: str) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (scripts/install.sh installs it)"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            prefix = "" if lang == "en" else f"{lang}/"
            page.goto(served + prefix + LEVEL_URL, wait_until="load")
            page.wait_for_timeout(200)  # an onerror handler would have run by now
            assert page.evaluate("typeof window.__pwned") == "undefined"
            assert dialogs == []
            description = page.locator(f"#{ANCHOR} ~ .pf-description").first
            assert description.locator("ul > li").count() == 2
            assert description.locator("table td").count() == 2
            style = description.locator("em").first.evaluate("e => getComputedStyle(e).fontStyle")
            assert style == "italic"
            assert 'window.__pwned = "statement"' in description.inner_text()
        finally:
            browser.close()
