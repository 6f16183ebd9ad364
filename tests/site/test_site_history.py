"""The content's git history on the site: "last changed" on each page and the "what changed" page.

Each test makes a school project in a git repository of its own (the mini school, committed
with fixed dates), edits it in a second commit and builds it with plain ``mkdocs build``, as a
school's CI does; the pages are read back as HTML.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import EPOCH, MINI, REPO
from htmltree import Element, parse

from proficio import load_school
from proficio.site.history import read_history

FIRST = "2025-01-10T12:00:00+00:00"
SECOND = "2025-03-05T12:00:00+00:00"
LEVEL_1 = Path("content/subjects/math/level-1.yaml")

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, when: str = FIRST) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
        "GIT_AUTHOR_NAME": "Registrar",
        "GIT_AUTHOR_EMAIL": "registrar@school.example",
        "GIT_COMMITTER_NAME": "Registrar",
        "GIT_COMMITTER_EMAIL": "registrar@school.example",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout


def project(root: Path) -> Path:
    """A school project (mkdocs.yml, docs/, content/) as ``proficio new`` lays it out."""
    root.mkdir()
    shutil.copytree(MINI, root / "content")
    (root / "docs").mkdir()
    (root / "docs" / ".gitkeep").write_text("", encoding="utf-8")  # git keeps no empty folder
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8").replace("site_url:", "# site_url:")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def commit_all(repo: Path, message: str, when: str) -> None:
    git(repo, "add", "-A", when=when)
    git(repo, "commit", "-q", "-m", message, when=when)


def school_repo(root: Path) -> Path:
    repo = project(root)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "First curriculum", FIRST)
    return repo


def edit_level(repo: Path, change: str) -> None:
    path = repo / LEVEL_1
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    targets = data["topics"][0]["targets"]
    if change == "title":
        targets[0]["title"]["en"] = "I can add two whole numbers."
    elif change == "code":
        targets[1]["code"] = "MA.L1.WN.3"
    elif change == "rubric":
        targets[0]["rubric"][3]["en"] = "Adds correctly and checks the sum."
    elif change == "added":
        targets.append(
            {
                "code": "MA.L1.WN.4",
                "title": {"en": "I can count to 100.", "es": "Cuento hasta 100."},
            }
        )
    elif change == "retired":
        del targets[1]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def mkdocs_build(repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Plain ``mkdocs build`` in the project, as a school's CI runs it."""
    environment = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1", **env}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=repo,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done


def read(repo: Path, url: str) -> Element:
    return parse(repo / "build" / "site" / url / "index.html")


def words(el: Element) -> str:
    """An element's text as a reader sees it (no space added between inline elements)."""

    def raw(node: Element) -> str:
        return "".join(c if isinstance(c, str) else raw(c) for c in node.children)

    return " ".join(raw(el).split())


def changes(doc: Element) -> dict[str, dict[str, list[str]]]:
    """The "what changed" page as {day: {kind heading: [item texts]}} (plus its paragraphs)."""
    out: dict[str, dict[str, list[str]]] = {}
    for section in doc.find_all("section", cls="pf-changes"):
        day = section.find("h2")
        assert day is not None
        kinds: dict[str, list[str]] = {}
        heading = ""
        for el in section.iter():
            if el.tag == "h3":
                heading = el.text()
            elif el.tag == "li":
                kinds.setdefault(heading, []).append(words(el))
            elif el.tag == "p":
                kinds.setdefault("", []).append(words(el))
        out[day.find("time").attrs["datetime"]] = kinds  # type: ignore[union-attr]
    return out


FIRST_DAY = {"": ["The curriculum was first published with 3 learning targets."]}

CASES = [
    # the change in the second commit, its section on the page, the level page's link target
    (
        "title",
        {
            "Reworded": [
                "MA.L1.WN.1 I can add two whole numbers. · Mathematics, Level 1 · changed: title"
                " · before: “I can add whole numbers.”"
            ]
        },
    ),
    (
        "code",
        {
            "New code": [
                "MA.L1.WN.2 is now MA.L1.WN.3 I can subtract whole numbers. · Mathematics, Level 1"
            ]
        },
    ),
    (
        "rubric",
        {
            "Reworded": [
                "MA.L1.WN.1 I can add whole numbers. · Mathematics, Level 1 · changed: rubric"
            ]
        },
    ),
    ("added", {"Added": ["MA.L1.WN.4 I can count to 100. · Mathematics, Level 1"]}),
    ("retired", {"Retired": ["MA.L1.WN.2 I can subtract whole numbers. · Mathematics, Level 1"]}),
]


@pytest.mark.parametrize(("change", "expected"), CASES, ids=[c[0] for c in CASES])
def test_what_changed_lists_the_second_commits_change(
    tmp_path: Path, change: str, expected: dict[str, list[str]]
) -> None:
    repo = school_repo(tmp_path / "school")
    edit_level(repo, change)
    commit_all(repo, f"Change: {change}", SECOND)
    done = mkdocs_build(repo)
    doc = read(repo, "changes")
    assert doc.find("h1").text() == "What changed"  # type: ignore[union-attr]
    assert changes(doc) == {"2025-03-05": expected, "2025-01-10": FIRST_DAY}
    assert "Read the content's history: 2 commit(s) compared, " in done.stderr
    links = [
        a.attrs["href"] for s in doc.find_all("section", cls="pf-changes") for a in s.find_all("a")
    ]
    if change in ("title", "rubric"):
        assert links == ["../math/level-1/#ma-l1-wn-1"]
    elif change == "code":
        assert links == ["../math/level-1/#ma-l1-wn-3"]
    elif change == "added":
        assert links == ["../math/level-1/#ma-l1-wn-4"]
    else:
        assert links == []  # a retired target has no rubric to link to


def test_each_page_says_when_its_content_last_changed(tmp_path: Path) -> None:
    repo = school_repo(tmp_path / "school")
    edit_level(repo, "title")
    commit_all(repo, "Reword", SECOND)
    mkdocs_build(repo)
    expected = {
        "": ("2025-03-05", "Last changed on March 5, 2025. What changed"),
        "math/level-1": ("2025-03-05", "Last changed on March 5, 2025. What changed"),
        "math/level-2": ("2025-01-10", "Last changed on January 10, 2025. What changed"),
        "changes": ("2025-03-05", "Last changed on March 5, 2025."),
        "es/math/level-1": ("2025-03-05", "Última modificación: 5 de marzo de 2025. Qué cambió"),
        "es/math/level-2": ("2025-01-10", "Última modificación: 10 de enero de 2025. Qué cambió"),
    }
    for url, (day, expected_words) in expected.items():
        line = read(repo, url).find("p", cls="pf-changed")
        assert line is not None, url
        assert words(line) == expected_words, url
        assert line.find("time").attrs["datetime"] == day, url  # type: ignore[union-attr]
    spanish = changes(read(repo, "es/changes"))
    assert spanish["2025-03-05"] == {
        "Redactadas de nuevo": [
            # the English title changed; the Spanish one reads the same, so no "antes"
            "MA.L1.WN.1 Puedo sumar números enteros. · Matemáticas, Nivel 1 · cambió: título"
        ]
    }


def test_the_same_commit_builds_the_same_bytes_with_or_without_the_cache(tmp_path: Path) -> None:
    repo = school_repo(tmp_path / "school")
    edit_level(repo, "code")
    commit_all(repo, "New code", SECOND)
    mkdocs_build(repo)
    cache = repo / ".git" / "proficio" / "history"
    # build/ holds the site and the family summaries' store (site/summary.py), not history
    assert sorted(p.name for p in (repo / "build").iterdir()) == [".cache", "site"]
    assert [p.name for p in (repo / "build" / ".cache").iterdir()] == ["summaries"]
    assert len(list(cache.glob("*.json"))) == 2
    first = {p: p.read_bytes() for p in (repo / "build" / "site").rglob("*.html")}
    shutil.rmtree(cache)
    mkdocs_build(repo)
    again = {p: p.read_bytes() for p in (repo / "build" / "site").rglob("*.html")}
    assert again == first
    mkdocs_build(repo)  # now from the cache
    assert {p: p.read_bytes() for p in (repo / "build" / "site").rglob("*.html")} == first


def no_git_path(tmp_path: Path) -> dict[str, str]:
    """A PATH with Python but without git."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    return {"PATH": str(bin_dir)}


@pytest.mark.parametrize(
    ("setup", "note"),
    [
        (
            "no-repo",
            "is not in a git checkout: pages show no 'last changed' date and the site has no 'what changed' page.",
        ),
        (
            "no-git",
            "git is not available: pages show no 'last changed' date and the site has no 'what changed' page.",
        ),
        (
            "shallow",
            "This is a shallow git clone: only its 1 commit(s) of the content are known, so dates older than them are missing and the 'what changed' page is short. In GitHub Actions, give actions/checkout 'fetch-depth: 0'.",
        ),
        ("history-off", None),
    ],
)
def test_without_history_the_rest_of_the_site_is_built_unchanged(
    tmp_path: Path, setup: str, note: str | None
) -> None:
    env: dict[str, str] = {}
    if setup == "no-repo":
        repo = project(tmp_path / "school")
    elif setup == "no-git":
        repo = school_repo(tmp_path / "school")
        env = no_git_path(tmp_path)
    elif setup == "shallow":
        origin = school_repo(tmp_path / "origin")
        edit_level(origin, "title")
        commit_all(origin, "Reword", SECOND)
        git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "school")
        repo = tmp_path / "school"
    else:
        repo = school_repo(tmp_path / "school")
        config = repo / "mkdocs.yml"
        text = config.read_text(encoding="utf-8").replace(
            "content: content", "content: content\n      history: false"
        )
        config.write_text(text, encoding="utf-8")
    done = mkdocs_build(repo, **env)
    lines = [line for line in done.stderr.splitlines() if "'what changed'" in line]
    assert len(lines) == (0 if note is None else 1), done.stderr
    if note is not None:
        assert lines[0].endswith(note), lines[0]
    site = repo / "build" / "site"
    assert not (site / "changes").exists()
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    assert "math/level-1/index.html" in pages and "es/math/level-1/index.html" in pages
    for path in pages:
        assert parse(site / path).find("p", cls="pf-changed") is None, path


def test_a_version_that_does_not_load_is_counted_with_the_next(tmp_path: Path) -> None:
    repo = school_repo(tmp_path / "school")
    (repo / LEVEL_1).write_text("level: [\n", encoding="utf-8")
    commit_all(repo, "Broken", "2025-02-01T12:00:00+00:00")
    (repo / LEVEL_1).write_text((MINI / "subjects/math/level-1.yaml").read_text("utf-8"), "utf-8")
    edit_level(repo, "title")
    commit_all(repo, "Fixed and reworded", SECOND)
    history = read_history(repo / "content", limit=5)
    assert history.notes == [
        "1 of the last 3 commit(s) of the content did not load with this version of Proficio; "
        "their changes are counted with the next commit that does."
    ]
    assert [
        (v.day.isoformat(), [c.kind for c in v.changes], v.first) for v in history.versions
    ] == [
        ("2025-03-05", ["reworded"], None),
        ("2025-01-10", [], 3),
    ]
    short = read_history(repo / "content", limit=1)
    assert [v.day.isoformat() for v in short.versions] == []  # 1 comparison: the broken commit
    assert short.commits == 2


def test_the_loaded_school_stands_for_the_last_commit_and_scale_edits_are_not_compared(
    tmp_path: Path,
) -> None:
    repo = school_repo(tmp_path / "school")
    edit_level(repo, "code")
    commit_all(repo, "New code", SECOND)
    scale = repo / "content" / "scales" / "four.yaml"
    scale.write_text(scale.read_text("utf-8") + "\n", "utf-8")
    commit_all(repo, "Scale only", "2025-04-01T12:00:00+00:00")
    content = repo / "content"
    from_git = read_history(content)
    loaded = read_history(content, current=load_school(content))
    assert loaded.versions == from_git.versions
    assert [(v.day.isoformat(), [c.kind for c in v.changes]) for v in loaded.versions] == [
        ("2025-03-05", ["renamed"]),
        ("2025-01-10", []),
    ]
    assert loaded.commits == 2  # the scale's commit changes no target: not loaded
    assert loaded.last_changed([scale]).isoformat() == "2025-04-01"  # type: ignore[union-attr]
    assert loaded.latest.isoformat() == "2025-04-01"  # type: ignore[union-attr]
