"""The built site in real headless Chromium: language menu, search, phone layout, privacy, a11y.

Debian's ``chromium`` driven by Playwright for Python; the site is served from a local
``http.server`` thread, as any static host would serve it.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import REPO, build, copy_mini
from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from proficio.content.model import School, Target, localize
from proficio.site.pages import level_url, scale_url, subject_url

AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = REPO / "build" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(root: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}/"


@pytest.fixture(scope="module")
def site_url(example_site: Path) -> Iterator[str]:
    server, url = serve(example_site)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (scripts/install.sh installs it)"
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def key_pages(school: School) -> list[tuple[str, str]]:
    subject = school.subjects[0]
    level = subject.levels[1] if len(subject.levels) > 1 else subject.levels[0]
    return [  # the level page last: the print test goes on from it
        ("home", ""),
        ("subject", subject_url(subject)),
        ("scales", "scales/"),
        ("404", "404.html"),
        ("level", level_url(subject, level)),
    ]


def test_language_menu_keeps_the_reader_on_the_same_level(
    desktop: Page, site_url: str, example_school: School
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[-1]
    desktop.goto(site_url + level_url(subject, level) + "#" + level.topics[0].targets[0].anchor)
    assert desktop.locator("html").get_attribute("lang") == "en"
    desktop.locator(".md-header__option .md-select button").hover()
    with desktop.expect_navigation():
        desktop.locator('.md-select__link[hreflang="es"]').click()
    here = "#" + level.topics[0].targets[0].anchor  # the reader's place is kept
    assert desktop.url == site_url + "es/" + level_url(subject, level) + here
    assert desktop.locator("html").get_attribute("lang") == "es"
    assert desktop.locator("h1").inner_text() == localize(level.title, "es", "en")[0]
    assert desktop.locator(".md-search__input").get_attribute("placeholder") == "Búsqueda"
    desktop.locator(".md-header__option .md-select button").hover()
    with desktop.expect_navigation():
        desktop.locator('.md-select__link[hreflang="en"]').click()
    assert desktop.url == site_url + level_url(subject, level) + here


def search(page: Page, query: str) -> list[str]:
    """Type ``query`` into Material's search; the result links, without the highlight query.

    The index loads in a worker after the page; a query typed before it is ready gets no
    answer, so type again until results show (15 s at most). Material searches on key events,
    hence the key press after filling the box.
    """
    box = page.locator(".md-search__input")
    if not box.is_visible():
        page.locator("label.md-search__icon").first.click()
    box.click()
    for _ in range(30):
        box.fill(query)
        box.press("End")
        try:
            page.wait_for_selector(".md-search-result__item", timeout=500)
            break
        except PlaywrightTimeout:
            continue
    links = [a.get_attribute("href") or "" for a in page.locator(".md-search-result__link").all()]
    return [urlunsplit(urlsplit(h)._replace(query="")) for h in links]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_search_finds_a_target_by_its_code(
    desktop: Page, site_url: str, example_school: School, lang: str
) -> None:
    subject = example_school.subjects[1]
    level = subject.levels[0]
    target = level.topics[-1].targets[-1]
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    desktop.goto(site_url + prefix)
    hrefs = search(desktop, target.code)
    assert site_url + prefix + level_url(subject, level) + "#" + target.anchor in hrefs[:3], hrefs[
        :3
    ]
    word = rubric_word(example_school, target, lang)
    hrefs = search(desktop, word)
    assert any(h.endswith("#" + target.anchor) for h in hrefs[:3]), (word, hrefs[:3])


def rubric_word(school: School, target: Target, lang: str) -> str:
    """A word of ``target``'s own rubric that no other target's rubric or title uses."""

    def words(t: Target) -> list[str]:
        texts = [localize(v, lang, school.default_language)[0] for v in t.rubric.values()]
        texts.append(localize(t.title, lang, school.default_language)[0])
        return re.findall(r"[^\W\d_]{6,}", " ".join(texts).lower())

    seen = Counter(w for *_, t in school.iter_targets() for w in set(words(t)))
    own = [localize(v, lang, school.default_language)[0] for v in target.rubric.values()]
    return next(w for w in re.findall(r"[^\W\d_]{6,}", " ".join(own).lower()) if seen[w] == 1)


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_no_page_scrolls_sideways_on_a_phone(
    phone: Page, site_url: str, example_school: School, lang: str
) -> None:
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in key_pages(example_school):
        phone.goto(site_url + prefix + url)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (url, width)
        if name == "level":
            rubric = phone.locator("table.pf-rubric").first
            assert rubric.evaluate("t => getComputedStyle(t).display") == "block"
            assert rubric.bounding_box()["width"] <= PHONE["width"]
        phone.screenshot(path=str(SHOTS / f"phone-{lang}-{name}.png"), full_page=False)


def test_desktop_screenshots_and_print_handout(
    desktop: Page, site_url: str, example_school: School
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, url in key_pages(example_school):
        desktop.goto(site_url + url)
        assert desktop.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
        desktop.screenshot(path=str(SHOTS / f"desktop-en-{name}.png"), full_page=False)
    desktop.emulate_media(media="print")
    hidden = desktop.evaluate(
        """() => ['.md-header', '.md-sidebar--primary', '.md-sidebar--secondary', '.md-footer',
                  '.md-search'].map(s => document.querySelector(s))
                 .filter(e => e && getComputedStyle(e).display !== 'none').map(e => e.className)"""
    )
    assert hidden == []
    rows = desktop.evaluate(
        "() => [...document.querySelectorAll('table.pf-rubric tr')].map(r => getComputedStyle(r).breakInside)"
    )
    assert rows and set(rows) == {"avoid"}
    desktop.pdf(path=str(SHOTS / "level-handout.pdf"), format="Letter")


def test_every_request_goes_to_the_local_server(
    desktop: Page, site_url: str, example_school: School
) -> None:
    requests: list[str] = []
    desktop.on("request", lambda r: requests.append(r.url))
    for lang in example_school.languages:
        prefix = "" if lang == example_school.default_language else f"{lang}/"
        for _name, url in key_pages(example_school):
            desktop.goto(site_url + prefix + url)
            desktop.wait_for_load_state("networkidle")
        search(desktop, example_school.subjects[0].levels[0].topics[0].targets[0].code)
    assert len(requests) > 20
    assert [u for u in requests if not u.startswith(site_url)] == []


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_no_serious_accessibility_violations(
    desktop: Page, phone: Page, site_url: str, example_school: School, lang: str
) -> None:
    assert AXE.is_file(), "run scripts/install.sh (npm ci --prefix tests/browser) for axe-core"
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    found = []
    for page in (desktop, phone):
        for name, url in key_pages(example_school):
            page.goto(site_url + prefix + url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate("async () => await axe.run(document)")
            for v in result["violations"]:
                if v["impact"] in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"][:3]]
                    found.append((name, page.viewport_size["width"], v["id"], v["help"], targets))
    assert found == []


def test_a_script_in_content_stays_text_in_pages_and_search(desktop: Page, tmp_path: Path) -> None:
    import yaml

    content = copy_mini(tmp_path / "content")
    level = content / "subjects" / "math" / "level-1.yaml"
    data = yaml.safe_load(level.read_text(encoding="utf-8"))
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> Jane Doe'
    data["topics"][0]["targets"][0]["description"] = {"en": evil, "es": evil}
    data["topics"][0]["targets"][0]["rubric"][3] = {"en": f"Adds {evil}", "es": f"Suma {evil}"}
    level.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    build(content, tmp_path / "site")
    server, url = serve(tmp_path / "site")
    try:
        dialogs: list[str] = []
        desktop.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        desktop.goto(url + "math/level-1/")
        assert (
            "<script>window.__pwned = 1</script>" in desktop.locator(".pf-description").inner_text()
        )
        search(desktop, "Jane Doe")
        desktop.wait_for_timeout(300)
        assert desktop.evaluate("window.__pwned") is None
        assert dialogs == []
    finally:
        server.shutdown()


def switch_language(page: Page, lang: str) -> None:
    """Follow the language menu's link to ``lang``, as a reader does (hover, then click)."""
    page.locator(".md-header__option .md-select button").hover()
    with page.expect_navigation():
        page.locator(f'.md-select__link[hreflang="{lang}"]').click()
    page.wait_for_load_state("load")


def in_view(page: Page, id_: str) -> bool:
    """Whether the element ``id_`` is on screen, below the sticky header."""
    return bool(
        page.evaluate(
            """id => { const e = document.getElementById(id); if (!e) return false;
                 const r = e.getBoundingClientRect();
                 const h = document.querySelector('.md-header').getBoundingClientRect().bottom;
                 return r.bottom > h && r.top < innerHeight; }""",
            id_,
        )
    )


def place_cases(school: School) -> list[tuple[str, str, str]]:
    """One anchor on each kind of page: (kind, page address, anchor)."""
    subject = school.subjects[0]
    level = subject.levels[-1]
    deep = level.topics[-1].targets[-1]
    return [
        ("home", "", "pf-contact"),
        ("subject", subject_url(subject), "pf-levels"),
        ("level", level_url(subject, level), deep.anchor),
        ("scale", scale_url(next(iter(school.scales.values()))), "pf-points"),
    ]


@pytest.mark.parametrize("kind", ["home", "subject", "level", "scale"])
def test_the_language_menu_keeps_the_anchor_on_every_kind_of_page(
    desktop: Page, site_url: str, example_school: School, kind: str
) -> None:
    _, url, id_ = next(c for c in place_cases(example_school) if c[0] == kind)
    desktop.goto(site_url + url + "#" + id_)
    assert in_view(desktop, id_)
    switch_language(desktop, "es")
    assert desktop.url == site_url + "es/" + url + "#" + id_
    assert desktop.locator("html").get_attribute("lang") == "es"
    assert in_view(desktop, id_)
    switch_language(desktop, "vi")
    assert desktop.url == site_url + "vi/" + url + "#" + id_
    assert in_view(desktop, id_)


def test_the_language_menu_keeps_the_section_a_reader_scrolled_to(
    desktop: Page, site_url: str, example_school: School
) -> None:
    """No anchor in the address: the reader scrolled; the section they are reading is kept."""
    subject = example_school.subjects[0]
    level = subject.levels[-1]
    target = level.topics[-1].targets[0]
    desktop.goto(site_url + level_url(subject, level))
    desktop.evaluate(
        "id => document.getElementById(id).scrollIntoView({block: 'start'})", target.anchor
    )
    desktop.mouse.wheel(0, 120)  # a little further into the target's rubric
    desktop.wait_for_timeout(200)
    assert desktop.evaluate("scrollY") > 2000
    switch_language(desktop, "es")
    assert desktop.url == site_url + "es/" + level_url(subject, level) + "#" + target.anchor
    assert in_view(desktop, target.anchor)


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
@pytest.mark.parametrize("query", ["FO.1", "L2.FO.1", "MA.L2.FO.1"])
def test_search_finds_a_target_by_any_dotted_suffix_of_its_code(
    desktop: Page, site_url: str, example_school: School, lang: str, query: str
) -> None:
    subject, level, _, target = next(
        t for t in example_school.iter_targets() if t[3].code == "MA.L2.FO.1"
    )
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    desktop.goto(site_url + prefix)
    hrefs = search(desktop, query)
    wanted = site_url + prefix + level_url(subject, level) + "#" + target.anchor
    assert wanted in hrefs[:3], hrefs[:3]
    shown = desktop.locator(".md-search-result__item").first.inner_text()
    assert "FO.1" in shown and desktop.locator(".md-search-result .md-tag").first.is_hidden()


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_each_language_loads_the_shared_styles_and_scripts(
    desktop: Page, site_url: str, example_school: School, lang: str
) -> None:
    """Every language's pages take the root's one copy of the theme: no 404, styled, scripted,
    and searching works with that language's own index."""
    failed: list[tuple[int, str]] = []
    fetched: list[str] = []
    desktop.on("response", lambda r: fetched.append(r.url))
    desktop.on("response", lambda r: r.status >= 400 and failed.append((r.status, r.url)))
    prefix = "" if lang == example_school.default_language else f"{lang}/"
    for _, url, _ in place_cases(example_school):
        desktop.goto(site_url + prefix + url)
        desktop.wait_for_load_state("networkidle")
        assert (
            desktop.evaluate("getComputedStyle(document.querySelector('.md-header')).position")
            == "sticky"
        )
        assert desktop.evaluate("typeof document$") == "object"  # Material's bundle ran
    level = example_school.subjects[0].levels[0]
    target = level.topics[0].targets[0]
    hrefs = search(desktop, target.code)
    assert any(h.endswith("#" + target.anchor) for h in hrefs[:3]), hrefs[:3]
    assert failed == []
    assets = {u for u in fetched if "/assets/" in u}
    assert assets and all(u.startswith(site_url + "assets/") for u in assets), sorted(assets)
    assert site_url + prefix + "search/search_index.json" in fetched
