"""The same pages built by Zensical: the page generator does not depend on MkDocs.

Zensical (the successor of Material for MkDocs) reads ``mkdocs.yml`` but runs no third-party
MkDocs plugin, so the ``proficio`` plugin cannot hand it the pages. What is engine-independent
is ``proficio.site.pages``: each page is a path, a title, an HTML body and a table of contents,
and the navigation a tree of titles and paths. This test writes those pages as Markdown files
(front matter with the title, the body as raw HTML), one Zensical project per language, builds
each with ``zensical build`` and checks every page, every anchor and the language.

Zensical is not a dependency yet (pre-1.0; docs-dev/site.md says whether to add it): the test
runs the ``zensical`` command named by ``$ZENSICAL`` or found on the PATH, e.g. installed in a
virtual environment of its own (``python3 -m venv /tmp/zvenv && /tmp/zvenv/bin/pip install
zensical``), and is skipped without it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from html import escape
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO
from htmltree import Element, parse

from proficio import load_school
from proficio.content.model import School
from proficio.site.history import read_history
from proficio.site.pages import NavItem, SiteLanguage, add_history, generate

ZENSICAL = os.environ.get("ZENSICAL") or shutil.which("zensical")

pytestmark = pytest.mark.skipif(
    ZENSICAL is None,
    reason="zensical is not installed (pip install zensical in a separate venv; "
    "point $ZENSICAL at its zensical command)",
)


def nav(items: list[NavItem]) -> list[Any]:
    """The navigation as mkdocs.yml writes it (titles escaped, as the plugin does)."""
    return [
        {escape(i.title): i.page if i.page is not None else nav(list(i.children))} for i in items
    ]


def write_project(site: SiteLanguage, folder: Path) -> Path:
    """``site``'s pages as a Zensical project: one Markdown file per page, raw HTML inside."""
    docs = folder / "docs"
    for page in site.pages:
        path = docs / page.src_uri
        path.parent.mkdir(parents=True, exist_ok=True)
        front = yaml.safe_dump({"title": escape(page.title)}, allow_unicode=True)
        path.write_text(f"---\n{front}---\n\n{page.body}\n", encoding="utf-8")
    config = {
        "site_name": "Curriculum",
        "docs_dir": "docs",
        "site_dir": "site",
        "use_directory_urls": True,
        "theme": {"name": "material", "language": site.lang, "font": False},
        "nav": nav(site.nav),
    }
    (folder / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return folder


@pytest.fixture(scope="module")
def school() -> School:
    return load_school(REPO / "content")


def signature(root: Element) -> Counter[tuple[str, str, str]]:
    """Every element of a tree by tag, id and class: what the body's structure is made of."""
    return Counter(
        (el.tag, el.attrs.get("id") or "", el.attrs.get("class") or "")
        for el in root.iter()
        if el.tag != "#document"
    )


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_zensical_builds_the_same_pages(tmp_path: Path, school: School, lang: str) -> None:
    assert lang in school.languages
    site = generate(school, lang)
    add_history(site, school, read_history(REPO / "content", cache=None))  # engine-independent
    folder = write_project(site, tmp_path / lang)
    assert ZENSICAL is not None
    done = subprocess.run(
        [ZENSICAL, "build", "--strict"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = folder / "site"
    for page in site.pages:
        html = out / page.url / "index.html"
        assert html.is_file(), page.url
        doc = parse(html)
        assert doc.find("html").attrs["lang"] == lang, page.url  # type: ignore[union-attr]
        title = doc.find("title")
        assert title is not None and title.text().startswith(page.title), page.url
        built = signature(doc)
        body = signature(parse(page.body))
        missing = body - built
        assert not missing, (page.url, missing)  # every element of the body, ids and classes
        ids = {el.attrs.get("id") for el in doc.iter()}

        def anchors(entries: tuple[Any, ...]) -> set[str]:
            return {e.id for e in entries} | {i for e in entries for i in anchors(e.children)}

        assert anchors(page.toc) <= ids, page.url
    home = parse(out / "index.html")
    links = {" ".join(a.text().split()) for a in home.find_all("a")}

    def leaves(items: tuple[NavItem, ...] | list[NavItem]) -> set[str]:
        return {i.title for i in items if i.page} | {t for i in items for t in leaves(i.children)}

    assert leaves(site.nav) <= links, leaves(site.nav) - links  # the whole navigation
    built_pages = {p.parent.relative_to(out).as_posix() for p in out.rglob("index.html")}
    assert built_pages == {p.url.rstrip("/") or "." for p in site.pages}  # nothing else
