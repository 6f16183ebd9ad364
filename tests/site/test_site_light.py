"""A light site: one copy of the theme's files for every language, no source maps, and a search
index that knows each code's shorter forms (issue 17, items 6 and 7)."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

import pytest

from proficio.content.model import School
from proficio.site.light import _suffixes, code_suffixes

ASSET_REF = re.compile(r'(?:href|src)="([^"#?]*assets/[^"#?]*)"')


def test_the_site_has_one_copy_of_the_assets(example_site: Path, example_school: School) -> None:
    copies = sorted(p.relative_to(example_site).as_posix() for p in example_site.rglob("assets"))
    assert copies == ["assets"]
    for lang in example_school.languages[1:]:
        assert (example_site / lang / "index.html").is_file()
        assert (example_site / lang / "search" / "search_index.json").is_file()
    assert (example_site / "assets" / "proficio" / "language.js").is_file()
    assert (example_site / "assets" / "javascripts" / "lunr" / "min" / "lunr.es.min.js").is_file()


def test_no_source_maps_and_no_comments_asking_for_them(example_site: Path) -> None:
    assert sorted(example_site.rglob("*.map")) == []
    asking = [
        p.relative_to(example_site).as_posix()
        for p in example_site.rglob("*")
        if p.suffix in (".js", ".css") and b"sourceMappingURL" in p.read_bytes()
    ]
    assert asking == []


def test_every_page_of_every_language_finds_its_assets(
    example_site: Path, example_school: School
) -> None:
    """Each language's pages point at the root's copy, and every address there exists."""
    checked, missing, own_copy = 0, [], []
    for page in sorted(example_site.rglob("*.html")):
        rel = page.relative_to(example_site).as_posix()
        html = page.read_text(encoding="utf-8")
        refs = ASSET_REF.findall(html)
        refs += re.findall(r'"search": "([^"]+)"', html)
        assert refs, rel
        for ref in refs:
            if ref.startswith("/"):  # the 404 pages: the site's root is the host's root here
                target = ref.lstrip("/")
            else:
                target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), ref))
            checked += 1
            if not (example_site / target).is_file():
                missing.append((rel, ref))
            if not target.startswith("assets/"):
                own_copy.append((rel, ref))
    assert missing == [] and own_copy == []
    assert checked > 100 * len(example_school.languages)


@pytest.mark.parametrize(
    ("code", "suffixes"),
    [
        ("MA.L2.FO.1", ["L2.FO.1", "FO.1"]),
        ("MA.L2.FO", ["L2.FO", "FO"]),
        ("SCI.L1.EN.12", ["L1.EN.12", "EN.12"]),
        ("A.1", []),
        ("WELD", []),
        ("W.2024.3", ["2024.3"]),
    ],
)
def test_the_shorter_forms_of_a_code(code: str, suffixes: list[str]) -> None:
    assert _suffixes(code) == suffixes


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_each_language_index_carries_the_code_suffixes(
    example_site: Path, example_school: School, lang: str
) -> None:
    root = example_site if lang == example_school.default_language else example_site / lang
    index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
    tags = {d["location"]: d["tags"] for d in index["docs"] if "tags" in d}
    expected = code_suffixes(example_school)
    assert tags["mathematics/level-2/#ma-l2-fo-1"] == ["L2.FO.1", "FO.1"]
    assert tags["mathematics/level-2/#ma-l2-fo"] == ["L2.FO", "FO"]
    assert (
        len(tags)
        == len(expected)
        == sum(
            1 + len(topic.targets)
            for s in example_school.subjects
            for lv in s.levels
            for topic in lv.topics
        )
    )
