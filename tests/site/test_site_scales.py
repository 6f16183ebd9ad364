"""A level page explains its scale, the scales page, the 404 page and the header, in Chromium.

The browser, its viewports and the local server are test_site_browser's fixtures.
"""

# The fixtures imported from test_site_browser are used by name, as test parameters.
# ruff: noqa: F811

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from test_site_browser import browser, desktop, phone, site_url  # noqa: F401

from proficio.content.model import School, localize
from proficio.site.pages import level_url
from proficio.site.strings import ui


def prefix(school: School, lang: str) -> str:
    return "" if lang == school.default_language else f"{lang}/"


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_a_level_page_names_links_its_scale_and_says_what_generic_means(
    desktop: Page, site_url: str, example_school: School, lang: str
) -> None:
    subject = example_school.subjects[0]
    level = subject.levels[0]
    scale = example_school.scales[subject.scale_id]
    desktop.goto(site_url + prefix(example_school, lang) + level_url(subject, level))
    about = desktop.locator("#pf-about-scale")
    assert about.is_visible()
    title = localize(scale.title, lang, example_school.default_language)[0]
    assert title in about.inner_text()
    generic = desktop.locator(".pf-generic-note")
    assert generic.count() == 1 and generic.is_visible()
    assert ui(lang, "generic")[0] in generic.inner_text()
    goal = desktop.locator("tr.pf-threshold th").first.inner_text()
    assert goal.endswith(ui(lang, "goal")[0].strip()), goal  # "3.0 Proficient: the goal"
    with desktop.expect_navigation():
        about.locator("a").first.click()
    assert desktop.url == site_url + prefix(example_school, lang) + f"scales/{scale.id}/"
    assert desktop.locator("h1").inner_text() == title


def test_a_phone_reader_folds_the_generic_in_between_rows(
    phone: Page, site_url: str, example_school: School
) -> None:
    subject = example_school.subjects[0]
    phone.goto(site_url + level_url(subject, subject.levels[0]))
    rows = phone.locator("tr.pf-fold-row")
    assert rows.count() > 0 and rows.first.is_visible()
    tall = phone.evaluate("document.documentElement.scrollHeight")
    phone.locator(".pf-fold-toggle").check()
    assert phone.locator("tr.pf-fold-row:visible").count() == 0
    assert phone.locator("tr.pf-threshold").first.is_visible()  # the goal always stays
    assert phone.locator("tr.pf-own").first.is_visible()
    assert phone.evaluate("document.documentElement.scrollHeight") < tall
    phone.locator(".pf-fold-toggle").uncheck()
    assert rows.first.is_visible()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_menu_opens_the_page_listing_every_scale(
    desktop: Page, site_url: str, example_school: School, lang: str
) -> None:
    desktop.goto(site_url + prefix(example_school, lang))
    entry = desktop.locator(".md-nav--primary a.md-nav__link", has_text=ui(lang, "scales")[0])
    with desktop.expect_navigation():
        entry.first.click()
    assert desktop.url == site_url + prefix(example_school, lang) + "scales/"
    cards = desktop.locator("section.pf-scale-card h2 a")
    names = [
        localize(example_school.scales[k].title, lang, "en")[0]
        for k in sorted(example_school.scales)
    ]
    assert cards.all_inner_texts() == names


def test_the_404_page_searches_and_leads_home(
    desktop: Page, site_url: str, example_school: School
) -> None:
    desktop.goto(site_url + "404.html")
    assert desktop.locator("h1").inner_text() == ui("en", "not_found")[0]
    code = example_school.subjects[0].levels[0].topics[0].targets[0].code
    desktop.locator("#pf-404-q").fill(code)
    with desktop.expect_navigation():
        desktop.locator(".pf-not-found button[type=submit]").click()
    desktop.wait_for_selector(".md-search-result__item", timeout=15000)
    assert desktop.locator(".md-search__input").input_value() == code
    desktop.goto(site_url + "404.html")
    with desktop.expect_navigation():
        desktop.locator(".pf-not-found a[hreflang=es]").click()
    assert desktop.url == site_url + "es/"


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_header_branding_is_readable_and_no_footer_bar_is_empty(
    browser: Browser, site_url: str, example_school: School, lang: str
) -> None:
    subject = example_school.subjects[0]
    url = site_url + prefix(example_school, lang) + level_url(subject, subject.levels[0])
    for width in (320, 360, 768, 1024, 1280):
        context = browser.new_context(viewport={"width": width, "height": 640})
        try:
            page = context.new_page()
            page.goto(url)
            name = page.locator(".md-header__topic").first.locator(".md-ellipsis")
            cut = page.evaluate(
                "e => e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1",
                name.element_handle(),
            )
            assert not cut, f"the school's name is cut off in the header at {width} px"
            logo = page.locator(".md-header__button.md-logo img")
            if logo.is_visible():  # Material shows the logo in the header on wide screens
                plate = logo.evaluate("e => getComputedStyle(e).backgroundColor")
                assert plate == "rgb(255, 255, 255)"  # the logo's dark text on white
            bars = page.evaluate(
                """[...document.querySelectorAll('.md-footer-meta')]
                     .filter(e => getComputedStyle(e).display !== 'none')
                     .map(e => e.innerText.trim())"""
            )
            assert all(bars), bars
        finally:
            context.close()
