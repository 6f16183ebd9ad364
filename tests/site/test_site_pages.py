"""The built curriculum site, read back as HTML: pages, anchors, navigation, rubrics, languages."""

from __future__ import annotations

import filecmp
import json
import posixpath
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from functools import cache
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from conftest import REPO, build, copy_mini, lang_root, reproducible
from htmltree import Element, parse

from proficio.content.model import School, localize
from proficio.errors import ProficioError
from proficio.site import build_site, content_epoch
from proficio.site.pages import generate, level_url
from proficio.site.plugin import choose_versions
from proficio.support import locale


@cache
def page(path: Path) -> Element:
    return parse(path)


def html_file(root: Path, url: str) -> Path:
    return root / url / "index.html"


def test_every_language_is_a_full_site(example_site: Path, example_school: School) -> None:
    counts = {}
    for lang in example_school.languages:
        root = lang_root(example_site, example_school, lang)
        pages = generate(example_school, lang).pages
        counts[lang] = len(pages)
        for p in pages:
            doc = page(html_file(root, p.url))
            assert doc.find("html").attrs["lang"] == lang, p.url
            assert doc.find("h1") is not None, p.url
        assert (root / "search" / "search_index.json").is_file()
    levels = sum(len(s.levels) for s in example_school.subjects)
    scales = 1 + len(example_school.scales)  # the list of scales, and a page per scale
    family = 4  # the family pages (site/family.py)
    expected = 1 + len(example_school.subjects) + levels + scales + family
    assert set(counts.values()) == {expected}


def test_level_pages_show_every_target_with_its_full_rubric(
    example_site: Path, example_school: School
) -> None:
    school = example_school
    for lang in school.languages[:2]:
        root = lang_root(example_site, school, lang)
        for subject, level, _topic, target in school.iter_targets():
            doc = page(html_file(root, level_url(subject, level)))
            heading = doc.find(id=target.anchor)
            assert heading is not None and heading.tag == "h3", target.code
            assert target.code in heading.text()
            assert localize(target.title, lang, school.default_language)[0] in heading.text()
            article = next(a for a in heading.ancestors() if a.tag == "article")
            rows = article.find("table", cls="pf-rubric").find("tbody").find_all("tr")
            scale = school.scale_of(target)
            assert len(rows) == len(scale.points), target.code
            for row, point in zip(rows, scale.points, strict=True):
                # the reader's digits, one decimal kept on a scale with half points: 3.0, 3,0
                keep = 1 if scale.half_points else 0
                assert row.find("span", cls="pf-score").text() == locale.number(
                    point.value, lang, keep=keep
                )
                cell = row.find("td")
                own = target.rubric.get(point.value)
                if own:
                    assert "pf-own" in row.classes and "pf-generic" not in row.classes
                    assert cell.find("span", cls="pf-badge") is None
                    assert localize(own, lang, school.default_language)[0] in cell.text()
                else:
                    assert "pf-generic" in row.classes, (target.code, point.value)
                    assert cell.find("span", cls="pf-badge") is not None
                    generic = localize(point.descriptor, lang, school.default_language)[0]
                    assert generic in cell.text()
                assert ("pf-threshold" in row.classes) == (point.value == scale.threshold)


def test_anchors_come_from_codes_and_topics_link_to_them(
    example_site: Path, example_school: School
) -> None:
    subject = example_school.subjects[0]
    doc = page(html_file(example_site, f"{subject.slug}/"))
    for level in subject.levels:
        for topic in level.topics:
            anchor = topic.code.lower().replace(".", "-")
            href = f"{level.slug}/#{anchor}"
            assert doc.find("a", href=href) is not None, href
            target_doc = page(html_file(example_site, level_url(subject, level)))
            assert target_doc.find("h2", id=anchor) is not None
    first = subject.levels[0].topics[0].targets[0]
    assert first.anchor == first.code.lower().replace(".", "-")


def sidebar_levels(doc: Element, page_url: str) -> list[str]:
    """The level pages the primary navigation links to, in its order."""
    nav = doc.find("nav", cls="md-nav--primary")
    hrefs = [
        resolve(page_url, a.attrs["href"])
        for a in nav.find_all("a", cls="md-nav__link")
        if "#" not in a.attrs.get("href", "#")
    ]
    return [h.rstrip("/").split("/")[-1] for h in hrefs if "level-" in h]


def test_navigation_lists_levels_in_order(example_site: Path, example_school: School) -> None:
    for subject in example_school.subjects:
        doc = page(html_file(example_site, f"{subject.slug}/"))
        assert sidebar_levels(doc, f"{subject.slug}/") == [lv.slug for lv in subject.levels]


def write_levels(content: Path, count: int) -> None:
    folder = content / "subjects" / "math"
    for n in range(3, count + 1):
        level = {
            "level": n,
            "title": {"en": f"Level {n}", "es": f"Nivel {n}"},
            "topics": [
                {
                    "code": f"MA.L{n}.T",
                    "title": "Topic",
                    "targets": [
                        {"code": f"MA.L{n}.T.1", "title": {"en": f"Target {n}", "es": f"Meta {n}"}}
                    ],
                }
            ],
        }
        (folder / f"level-{n}.yaml").write_text(yaml.safe_dump(level), encoding="utf-8")


def test_twelve_levels_are_in_number_order_not_text_order(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    write_levels(content, 12)
    out = tmp_path / "site"
    build(content, out)
    for root in (out, out / "es"):
        doc = parse(root / "math" / "level-1" / "index.html")
        assert sidebar_levels(doc, "math/level-1/") == [f"level-{n}" for n in range(1, 13)]
        nxt = parse(root / "math" / "level-9" / "index.html").find("a", cls="md-footer__link--next")
        assert nxt.attrs["href"].rstrip("/").endswith("level-10")


def test_missing_translations_fall_back_marked(example_site: Path, example_school: School) -> None:
    school = example_school
    checked = {"fallback": 0, "translated": 0}
    for lang in school.languages[1:]:
        root = lang_root(example_site, school, lang)
        for subject, level, _topic, target in school.iter_targets():
            heading = page(html_file(root, level_url(subject, level))).find(id=target.anchor)
            fallback = heading.find("span", cls="pf-fallback")
            if lang in target.title:
                assert fallback is None
                checked["translated"] += 1
            else:
                assert fallback is not None and fallback.attrs["lang"] == school.default_language
                assert fallback.text() == " ".join(target.title[school.default_language].split())
                # one notice per section (the topic's), not one per text
                assert heading.find("small", cls="pf-untranslated") is None
                section = next(a for a in heading.ancestors() if a.tag == "section")
                notes = section.find_all("small", cls="pf-untranslated")
                assert len(notes) == 1 and "lang" not in notes[0].attrs
                checked["fallback"] += 1
    assert checked["fallback"] > 0 and checked["translated"] > 0
    vi = lang_root(example_site, school, "vi")
    note = page(html_file(vi, level_url(school.subjects[0], school.subjects[0].levels[0])))
    assert "chưa được dịch" in note.find("small", cls="pf-untranslated").text()


def resolve(from_url: str, href: str) -> str:
    """The directory URL (relative to the site root) that ``href`` on page ``from_url`` opens."""
    path = posixpath.normpath(posixpath.join("/" + from_url, href))
    return "" if path == "/" else path.lstrip("/") + "/"


def test_language_menu_points_at_the_same_page(example_site: Path, example_school: School) -> None:
    school = example_school
    for lang in school.languages:
        prefix = "" if lang == school.default_language else f"{lang}/"
        for p in generate(school, lang).pages:
            doc = page(html_file(example_site / prefix if prefix else example_site, p.url))
            links = doc.find("div", cls="md-select").find_all("a", cls="md-select__link")
            assert [a.attrs["hreflang"] for a in links] == school.languages
            for a in links:
                other = a.attrs["hreflang"]
                there = "" if other == school.default_language else f"{other}/"
                target = resolve(prefix + p.url, a.attrs["href"])
                assert target == there + p.url
                assert (example_site / target / "index.html").is_file()


def test_search_index_per_language_finds_codes_and_rubric_words(
    example_site: Path, example_school: School
) -> None:
    school = example_school
    subject, level, _topic, target = next(school.iter_targets())
    for lang in school.languages:
        index = json.loads(
            (lang_root(example_site, school, lang) / "search" / "search_index.json").read_text()
        )
        assert index["config"]["lang"] == [lang]
        section = next(
            d
            for d in index["docs"]
            if d["location"] == level_url(subject, level) + "#" + target.anchor
        )
        assert target.code in section["title"]
        own = next(iter(target.rubric.values()))
        assert localize(own, lang, school.default_language)[0].split()[0] in section["text"]
        generic = [p for p in school.scale_of(target).points if p.value not in target.rubric]
        assert generic and all(
            localize(p.descriptor, lang, school.default_language)[0] not in section["text"]
            for p in generic
            if p.descriptor
        ), "generic descriptors are indexed once, on the scale page"


def test_pages_load_nothing_from_other_hosts(example_site: Path) -> None:
    for path in example_site.rglob("*.html"):
        doc = page(path)
        for el in doc.iter():
            for attr in ("src", "srcset", "data"):
                value = el.attrs.get(attr) or ""
                assert not value.startswith(("http:", "https:", "//")), (path, el.tag, value)
            if el.tag == "link" and "stylesheet" in (el.attrs.get("rel") or ""):
                assert not (el.attrs.get("href") or "").startswith(("http", "//")), path
        assert "fonts.googleapis" not in path.read_text(encoding="utf-8")


def test_two_builds_are_byte_identical(
    example_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second build forks as a large school's does (half the YAML read, and the other
    languages' pages written, in a second process): not one byte may differ."""
    from proficio.content import loader
    from proficio.site import plugin
    from proficio.support.forking import can_fork

    assert can_fork()
    monkeypatch.setattr(plugin, "_cache", {})
    monkeypatch.setattr(loader, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(plugin, "AHEAD_MIN_TARGETS", 0)
    written_ahead = []
    site_for = plugin.site_for

    def spy(school: School, lang: str) -> plugin.SiteLanguage:
        written_ahead.append(lang in plugin._ahead)
        return site_for(school, lang)

    monkeypatch.setattr(plugin, "site_for", spy)
    again = tmp_path / "again"
    build(REPO / "content", again)
    assert written_ahead == [False, True, True]
    cmp = filecmp.dircmp(example_site, again)

    def differences(c: filecmp.dircmp) -> list[str]:
        found = [*c.left_only, *c.right_only, *c.diff_files, *c.funny_files]
        for sub in c.subdirs.values():
            found += differences(sub)
        return found

    assert differences(cmp) == []
    files = [p for p in example_site.rglob("*") if p.is_file()]
    assert len(files) > 60
    mismatched = filecmp.cmpfiles(
        example_site, again, [str(p.relative_to(example_site)) for p in files], shallow=False
    )[1]
    assert mismatched == []


def test_content_text_is_escaped_everywhere(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    level = content / "subjects" / "math" / "level-1.yaml"
    data = yaml.safe_load(level.read_text(encoding="utf-8"))
    evil = '<script>window.__pwned = "Jane Doe"</script><img src=x onerror="window.__pwned=1">'
    data["title"] = {"en": "Level 1 </title><script>alert(1)</script>", "es": "Nivel 1"}
    target = data["topics"][0]["targets"][0]
    target["description"] = {"en": f"Jane Doe {evil}", "es": f"Jane Doe {evil}"}
    target["title"] = {"en": "I can add *bold* [x](javascript:alert(1)) & more", "es": "Sumo"}
    level.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out)
    for root in (out, out / "es"):
        html_path = root / "math" / "level-1" / "index.html"
        raw = html_path.read_text(encoding="utf-8")
        doc = parse(raw)
        assert all(
            "Jane" not in s.text() and "alert" not in s.text() for s in doc.find_all("script")
        )
        assert all("onerror" not in img.attrs for img in doc.find_all("img"))
        assert not any(a.attrs.get("href", "").startswith("javascript") for a in doc.find_all("a"))
        description = doc.find("div", cls="pf-description")
        assert "<script>window.__pwned" in description.text()
        assert "&lt;/title&gt;&lt;script&gt;" in raw.split("</title>")[0] or root != out
        index = (root / "search" / "search_index.json").read_text(encoding="utf-8")
        assert "<script>" not in index and "<img" not in index
    # Markdown emphasis is formatting (issue #16); a javascript: link stays text, never a link.
    assert (
        "I can add <em>bold</em> <span>x (javascript:alert(1))</span> &amp; more"
        in (out / "math" / "level-1" / "index.html").read_text()
    )


def test_student_files_in_content_never_reach_the_site(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    (content / "roster.csv").write_text(
        "student_id,given_name\nS-991,Quentavious\n", encoding="utf-8"
    )
    (content / "evidence.csv").write_text(
        "student_id,target,score\nS-991,MA.L1.WN.1,3\n", encoding="utf-8"
    )
    out = tmp_path / "site"
    build(content, out)
    for path in out.rglob("*"):
        if path.is_file():
            assert b"Quentavious" not in path.read_bytes() and b"S-991" not in path.read_bytes(), (
                path
            )


def mkdocs_config(tmp_path: Path, content: Path) -> Path:
    config = tmp_path / "mkdocs.yml"
    (tmp_path / "docs").mkdir(exist_ok=True)
    config.write_text(
        textwrap.dedent(f"""\
        site_name: Test
        site_dir: {tmp_path / "site"}
        theme: {{name: material, font: false}}
        plugins:
          - search
          - proficio: {{content: {content}}}
        """),
        encoding="utf-8",
    )
    return config


def run_mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_broken_content_fails_mkdocs_build_with_file_and_line(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    level = content / "subjects" / "math" / "level-2.yaml"
    level.write_text(
        level.read_text(encoding="utf-8").replace(
            "title: {en: I can compare", "titel: {en: I can compare"
        ),
        encoding="utf-8",
    )
    config = mkdocs_config(tmp_path, content)
    result = run_mkdocs("build", "-f", str(config), cwd=tmp_path)
    assert result.returncode != 0
    validate = subprocess.run(
        [sys.executable, "-m", "proficio", "validate", "-q", str(content)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert validate.returncode == 1
    expected = validate.stdout.splitlines()
    assert any("level-2.yaml:8:9: " in e and "titel" in e for e in expected), expected
    for line in expected:
        assert line in result.stderr, (line, result.stderr)
    assert not (tmp_path / "site" / "math").exists()


def test_mkdocs_build_strict_passes_on_the_example_school(tmp_path: Path) -> None:
    config = mkdocs_config(tmp_path, REPO / "content")
    result = run_mkdocs("build", "--strict", "-f", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "es" / "index.html").is_file()
    assert result.stderr.count("Missing translations") == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (OSError, urllib.error.URLError):
        return None


def wait_for(url: str, needle: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = fetch(url)
        if body is not None and needle in body:
            return body
        time.sleep(0.3)
    raise AssertionError(f"{url} never showed {needle!r}")


def test_mkdocs_serve_rebuilds_when_content_changes(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    config = mkdocs_config(tmp_path, content)
    port = free_port()
    env = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{port}"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for(base + "math/level-1/", "MA.L1.WN.1")
        wait_for(base + "es/math/level-1/", "Puedo sumar")
        level = content / "subjects" / "math" / "level-1.yaml"
        level.write_text(
            level.read_text(encoding="utf-8").replace("Puedo sumar", "Sé sumar"), encoding="utf-8"
        )
        wait_for(base + "es/math/level-1/", "Sé sumar")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_site_date_follows_the_contents_last_commit(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": "2024-05-06T07:08:09Z",
        "GIT_COMMITTER_DATE": "2024-05-06T07:08:09Z",
    }
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "content"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    assert content_epoch(content) == 1714979289


def test_hand_written_pages_in_each_language(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    config = mkdocs_config(tmp_path, content)
    docs = tmp_path / "docs"
    (docs / "about.md").write_text("# About us\n\nWe are small.\n", encoding="utf-8")
    (docs / "about.es.md").write_text("# Sobre nosotros\n\nSomos pequeños.\n", encoding="utf-8")
    (docs / "visits.en.md").write_text("# Visits\n\nCall first.\n", encoding="utf-8")
    result = run_mkdocs("build", "--strict", "-f", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert parse(site / "about" / "index.html").find("h1").text() == "About us"
    assert parse(site / "es" / "about" / "index.html").find("h1").text() == "Sobre nosotros"
    visits = parse(site / "es" / "visits" / "index.html")
    assert visits.find("h1").parent.attrs.get("lang") == "en"
    assert visits.find("small", cls="pf-untranslated").text() == "(aún sin traducir)"
    assert not (site / "about.es").exists() and not (site / "es" / "about.es").exists()
    nav = parse(site / "es" / "index.html").find("nav", cls="md-nav--primary")
    assert {"about/", "visits/"} <= {
        resolve("", a.attrs.get("href", "")) for a in nav.find_all("a")
    }


def test_choose_versions_prefers_the_readers_language() -> None:
    uris = ["about.md", "about.es.md", "visits.en.md", "help/faq.vi.md", "v1.2.md"]
    chosen = choose_versions(uris, "es", ["en", "es", "vi"])
    assert chosen == {
        "about.md": ("about.es.md", "es"),
        "visits.md": ("visits.en.md", "en"),
        "help/faq.md": ("help/faq.vi.md", "vi"),
        "v1.2.md": ("v1.2.md", None),
    }
    assert choose_versions(uris, "en", ["en", "es", "vi"])["about.md"] == ("about.md", None)


def test_languages_material_lacks_or_writes_right_to_left(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    for path in content.rglob("*.yaml"):
        path.write_text(
            path.read_text(encoding="utf-8").replace(" es: ", " ar: "), encoding="utf-8"
        )
    school = content / "school.yaml"
    school.write_text(
        "name: {en: Mini School, ar: مدرسة صغيرة, ht: Ti Lekòl}\nlanguages: [en, ar, ht]\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    build(content, out)
    arabic = parse(out / "ar" / "math" / "level-1" / "index.html")
    assert arabic.find("html").attrs["lang"] == "ar"
    assert arabic.find("body").attrs["dir"] == "rtl"
    creole = parse(out / "ht" / "math" / "level-1" / "index.html")
    assert creole.find("html").attrs["lang"] == "ht"
    assert creole.find("body").attrs["dir"] == "ltr"
    title = creole.find(id="ma-l1-wn-1").find("span", cls="pf-fallback")
    assert title.attrs["lang"] == "en"
    section = next(a for a in creole.find(id="ma-l1-wn-1").ancestors() if a.tag == "section")
    note = section.find("small", cls="pf-untranslated")
    assert note.attrs["lang"] == "en", "Proficio has no Haitian Creole words: English, marked"


def test_a_school_without_mkdocs_yml_builds_with_the_built_in_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy_mini(tmp_path / "content")
    monkeypatch.chdir(tmp_path)
    old = tmp_path / "build" / "site"
    old.mkdir(parents=True)
    (old / "stale.html").write_text("from an earlier build", encoding="utf-8")
    with reproducible():
        result = build_site(Path("content"), Path("build/site"))
    # home, subject, 2 levels, the list of scales, 1 scale, and the 4 family pages
    assert result.pages == {"en": 10, "es": 10}
    assert not (old / "stale.html").exists()
    assert parse(old / "es" / "math" / "index.html").find("html").attrs["lang"] == "es"
    # no staging folder left beside the site; .cache is the family summaries' store
    assert sorted(p.name for p in (tmp_path / "build").iterdir()) == [".cache", "site"]


def test_a_failed_build_leaves_the_previous_site_in_place(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    out = tmp_path / "build" / "site"
    build(content, out)
    before = (out / "math" / "level-1" / "index.html").read_bytes()
    level = content / "subjects" / "math" / "level-1.yaml"
    level.write_text(
        level.read_text(encoding="utf-8").replace("level: 1", "level: one"), encoding="utf-8"
    )
    with pytest.raises(ProficioError, match="still holds the previous build"):
        build(content, out)
    assert (out / "math" / "level-1" / "index.html").read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".cache", "site"]  # no staging left


def test_sitemaps_list_every_page_with_its_translations(
    example_site: Path, example_school: School
) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    site_url = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]
    for lang in example_school.languages:
        root = lang_root(example_site, example_school, lang)
        tree = ElementTree.parse(root / "sitemap.xml")
        urls = tree.getroot().findall("s:url", ns)
        assert len(urls) == len(generate(example_school, lang).pages)
        for url in urls:
            loc = url.find("s:loc", ns).text
            links = {a.get("hreflang"): a.get("href") for a in url.findall("x:link", ns)}
            assert list(links) == example_school.languages
            assert links[lang] == loc
            path = loc.removeprefix(site_url)
            for other, href in links.items():
                local = href.removeprefix(site_url)
                assert (example_site / local / "index.html").is_file(), (path, other, href)


# -- every level page explains its scale; the scales page; home wording; 404 (issue #17) ------


def _ui(lang: str, key: str) -> str:
    from proficio.site.strings import ui

    return ui(lang, key)[0]


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_each_level_page_names_its_scale_its_goal_and_what_generic_means(
    example_site: Path, example_school: School, lang: str
) -> None:
    school = example_school
    root = lang_root(example_site, school, lang)
    seen_fold = 0
    for subject in school.subjects:
        scale = school.scales[subject.scale_id]
        goal = locale.number(scale.threshold, lang, keep=1 if scale.half_points else 0)
        for level in subject.levels:
            url = level_url(subject, level)
            doc = page(html_file(root, url))
            about = doc.find_all("div", cls="pf-about-scale")
            assert len(about) == 1, url
            link = about[0].find("a")
            assert resolve(url, link.attrs["href"]) == f"scales/{scale.id}/"
            assert link.text() == localize(scale.title, lang, school.default_language)[0]
            assert f"{goal} (" in about[0].text()
            # the goal row says so in words, in every rubric of the page
            rows = doc.find_all("tr", cls="pf-threshold")
            assert rows and all(
                r.find("strong", cls="pf-goal").text() == _ui(lang, "goal") for r in rows
            )
            generic = doc.find_all("tr", cls="pf-generic")
            notes = doc.find_all("p", cls="pf-generic-note")
            assert len(notes) == (1 if generic else 0), url
            if generic:
                assert notes[0].find("span", cls="pf-badge").text() == _ui(lang, "generic")
            folds = doc.find_all("tr", cls="pf-fold-row")
            assert all("pf-generic" in r.classes and "pf-threshold" not in r.classes for r in folds)
            toggles = doc.find_all("input", cls="pf-fold-toggle")
            assert len(toggles) == (1 if folds else 0), url
            seen_fold += len(folds)
    assert seen_fold > 0


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_the_scales_page_lists_every_scale_and_the_menu_opens_it(
    example_site: Path, example_school: School, lang: str
) -> None:
    school = example_school
    root = lang_root(example_site, school, lang)
    doc = page(html_file(root, "scales/"))
    assert doc.find("h1").text() == _ui(lang, "scales")
    cards = doc.find_all("section", cls="pf-scale-card")
    listed = [resolve("scales/", c.find("h2").find("a").attrs["href"]) for c in cards]
    assert listed == [f"scales/{k}/" for k in sorted(school.scales)]
    for card, key in zip(cards, sorted(school.scales), strict=True):
        scale = school.scales[key]
        assert len(card.find("ul", cls="pf-point-list").find_all("li")) == len(scale.points)
        assert len(card.find_all("strong", cls="pf-goal")) == 1
    nav = page(html_file(root, "")).find("nav", cls="md-nav--primary")
    entry = next(
        a for a in nav.find_all("a", cls="md-nav__link") if a.text() == _ui(lang, "scales")
    )
    assert resolve("", entry.attrs["href"]) == "scales/"


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_the_home_page_speaks_of_any_level_not_this_one(
    example_site: Path, example_school: School, lang: str
) -> None:
    text = page(html_file(lang_root(example_site, example_school, lang), "")).text()
    rule = example_school.completion.rule
    assert _ui(lang, f"home_completion.{rule}").split("{")[0] in text
    assert _ui(lang, f"completion.{rule}").split("{")[0] not in text


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_the_404_page_offers_search_home_and_languages(
    example_site: Path, example_school: School, lang: str
) -> None:
    school = example_school
    doc = parse(lang_root(example_site, school, lang) / "404.html")
    assert doc.find("html").attrs["lang"] == lang
    box = doc.find("div", cls="pf-not-found")
    assert box.find("h1").text() == _ui(lang, "not_found")
    here = "/" if lang == school.default_language else f"/{lang}/"
    form = box.find("form")
    assert form.attrs["action"] == here and form.attrs["method"] == "get"
    assert form.find("input").attrs["name"] == "q"  # Material opens its search with ?q=
    assert box.find("a", href=here).text() == _ui(lang, "not_found_home")
    others = {
        a.attrs["hreflang"]: a.attrs["href"] for a in box.find_all("a") if "hreflang" in a.attrs
    }
    assert others == {
        o: "/" if o == school.default_language else f"/{o}/" for o in school.languages if o != lang
    }


def test_one_untranslated_notice_per_section_not_per_text(
    example_site: Path, example_school: School
) -> None:
    school = example_school
    vi = lang_root(example_site, school, "vi")
    for subject in school.subjects:
        for level in subject.levels:
            doc = page(html_file(vi, level_url(subject, level)))
            sections = doc.find_all("section", cls="pf-topic")
            for section in sections:
                fallbacks = section.find_all(cls="pf-fallback")
                notes = section.find_all("small", cls="pf-untranslated")
                assert len(notes) == (1 if fallbacks else 0), level_url(subject, level)
            total = len(doc.find_all("small", cls="pf-untranslated"))
            assert total <= 1 + len(sections)
            assert len(doc.find_all(cls="pf-fallback")) > total  # many texts, few notices
            first = doc.find("small", cls="pf-untranslated").text()
            assert first == _ui("vi", "untranslated_section").format(language="Tiếng Anh")


def test_a_short_title_shows_beside_the_code(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    level = content / "subjects" / "math" / "level-1.yaml"
    data = yaml.safe_load(level.read_text(encoding="utf-8"))
    data["topics"][0]["targets"][0]["short_title"] = {"en": "Target A", "es": "Meta A"}
    level.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "site"
    build(content, out)
    for root, words in ((out, "Target A"), (out / "es", "Meta A")):
        doc = parse(root / "math" / "level-1" / "index.html")
        heading = doc.find(id="ma-l1-wn-1")
        assert heading.find("small", cls="pf-short").text() == words
        assert doc.find(id="ma-l1-wn-2").find("small", cls="pf-short") is None
        index = json.loads((root / "search" / "search_index.json").read_text(encoding="utf-8"))
        title = next(d["title"] for d in index["docs"] if d["location"].endswith("#ma-l1-wn-1"))
        assert words in title


def test_a_scale_named_index_would_hide_the_list_of_scales() -> None:
    from conftest import MINI

    from proficio import load_school

    school = load_school(MINI)  # loaded, then changed in memory only
    key = next(iter(school.scales))
    scale = school.scales.pop(key)
    scale.id = "index"
    school.scales["index"] = scale
    with pytest.raises(ProficioError) as caught:
        generate(school, school.default_language)
    assert caught.value.message == (
        f"{scale.source}: the scale id 'index' would share its address with the site's list of "
        "proficiency scales. Rename the scale (and the subjects and targets that name it)."
    )
