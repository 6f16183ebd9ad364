"""Hostile table, class "site": the public site's promises under plain MkDocs too.

- A killed or failed build (``mkdocs build`` or ``proficio build``) leaves the previous site
  byte-identical; the next build removes the killed build's staging folder, never the staging
  folder of a build still running.
- No command that writes student data writes into the site's ``docs_dir`` or ``site_dir``.

Builds are paused at a known point without mocks: a hand-written page of ``docs/`` is a FIFO, so
MkDocs blocks reading it until the test writes the page (``about.md`` is read by the default
language's build, ``about.es.md`` by the Spanish one).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio.cli import main

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini-school"
ROSTER = REPO / "examples" / "riverbend" / "roster.csv"
EVIDENCE = REPO / "examples" / "riverbend" / "evidence.csv"
EPOCH = "1700000000"
STAGING = re.compile(r"\.site-[a-z0-9_]{8}")
STORE = ".cache"
"""Beside the site, the family summaries kept between builds (site/summary.py): not a leftover."""
GUARD = 180.0
"""Seconds after which a wait is a hang (a guard only: no test depends on how long it takes)."""

MKDOCS_YML = """\
site_name: Test
docs_dir: {docs}
site_dir: build/site
theme: {{name: material, font: false}}
plugins:
  - search
  - proficio: {{content: content}}
"""

REFUSED = (
    "Refusing to write student data to {path}: it is inside the public site's {role} ({folder}). "
    "Choose a folder outside {listed}."
)
LISTED = "docs/ and build/site/"


def env() -> dict[str, str]:
    """This interpreter's environment (so subprocesses import this checkout), a fixed date."""
    return {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"}


def project(root: Path, content: Path = MINI, docs: str = "docs") -> Path:
    """A school project: content/, an empty docs/ and mkdocs.yml with site_dir build/site."""
    shutil.copytree(content, root / "content")
    (root / docs).mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_YML.format(docs=docs), encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (empty if there is no folder)."""
    if not folder.is_dir():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def staging_folders(root: Path) -> list[str]:
    build = root / "build"
    return sorted(p.name for p in build.iterdir() if STAGING.fullmatch(p.name))


BUILDS: dict[str, list[str]] = {
    "mkdocs build": [sys.executable, "-m", "mkdocs", "build"],
    "proficio build": [sys.executable, "-m", "proficio", "build"],
}


def run_build(root: Path, which: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BUILDS[which], *extra],
        cwd=root,
        env=env(),
        capture_output=True,
        text=True,
        timeout=GUARD,
    )


def good_site(root: Path, which: str) -> dict[str, str]:
    """Build once; the complete site's files (both languages)."""
    result = run_build(root, which)
    assert result.returncode == 0, result.stderr
    site = snapshot(root / "build" / "site")
    assert {"index.html", "es/index.html", "math/level-1/index.html"} <= site.keys()
    return site


def fifo_pages(docs: Path) -> tuple[Path, Path]:
    """``about.md`` (read by the default language's build) and ``about.es.md`` (the Spanish
    build) as FIFOs: each build waits on its page until the test writes it."""
    pages = docs / "about.md", docs / "about.es.md"
    for page in pages:
        os.mkfifo(page)
    return pages


def reader_waiting(fifo: Path, proc: subprocess.Popen[bytes]) -> int:
    """Wait until the build opens ``fifo`` to read (it then waits for the page); the write end."""
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        assert proc.poll() is None, f"the build ended (exit {proc.returncode}) before {fifo.name}"
        time.sleep(0.02)
    raise AssertionError(f"the build never read {fifo}")


def feed(fifo: Path, proc: subprocess.Popen[bytes], text: str) -> None:
    fd = reader_waiting(fifo, proc)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


@pytest.fixture
def popen(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start processes that the test ends (killed if it fails first); their output goes to
    ``tmp_path/process-N.log``."""
    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
        with (tmp_path / f"process-{len(started)}.log").open("wb") as log:
            proc = subprocess.Popen(args, cwd=cwd, env=env(), stdout=log, stderr=log)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=GUARD)


# -- killed builds ------------------------------------------------------------------------------


@pytest.mark.parametrize("which", sorted(BUILDS))
def test_a_killed_build_leaves_the_previous_site_and_the_next_build_cleans_up(
    tmp_path: Path, which: str, popen: Callable[..., subprocess.Popen[bytes]]
) -> None:
    root = project(tmp_path / "school")
    before = good_site(root, which)
    about, about_es = fifo_pages(root / "docs")
    proc = popen(BUILDS[which], root)
    feed(about, proc, "# About\n")
    fd = reader_waiting(about_es, proc)  # the default language is written, Spanish under way
    try:
        [staging] = staging_folders(root)
        assert (root / "build" / staging / "site" / "index.html").is_file()
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=GUARD) == -signal.SIGKILL
    finally:
        os.close(fd)
    assert snapshot(root / "build" / "site") == before
    assert staging_folders(root) == [staging]

    about.unlink()
    about_es.unlink()
    result = run_build(root, which)
    assert result.returncode == 0, result.stderr
    assert staging_folders(root) == []
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == ["site"]
    assert snapshot(root / "build" / "site") == before


@pytest.mark.parametrize(
    ("running", "other"),
    [("mkdocs build", "proficio build"), ("mkdocs build", "mkdocs build")],
)
def test_a_build_still_running_keeps_its_staging_folder(
    tmp_path: Path, running: str, other: str, popen: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """Build A waits on its page; build B (same site_dir, other docs_dir) runs from start to end
    meanwhile and must not take A's staging folder; then A finishes and its site is in place."""
    root = project(tmp_path / "school")
    (root / "docs-a").mkdir()
    (root / "mkdocs-a.yml").write_text(MKDOCS_YML.format(docs="docs-a"), encoding="utf-8")
    about, about_es = fifo_pages(root / "docs-a")
    proc = popen([*BUILDS[running], "-f", "mkdocs-a.yml"], root)
    fd = reader_waiting(about, proc)
    try:
        [staging] = staging_folders(root)
        result = run_build(root, other)
        assert result.returncode == 0, result.stderr
        assert staging_folders(root) == [staging]
        assert not (root / "build" / "site" / "about").exists()  # B's site, without the page
        os.write(fd, b"# About A\n")
    finally:
        os.close(fd)
    feed(about_es, proc, "# Acerca de A\n")
    assert proc.wait(timeout=GUARD) == 0
    assert staging_folders(root) == []
    page = root / "build" / "site" / "es" / "about" / "index.html"
    assert "Acerca de A" in page.read_text(encoding="utf-8")


def test_a_dirty_build_writes_in_place_without_staging(
    tmp_path: Path, popen: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """Decision: ``mkdocs build --dirty`` keeps MkDocs' meaning (rewrite changed pages in place,
    delete nothing), so it has no staging folder and never empties the site."""
    root = project(tmp_path / "school")
    before = good_site(root, "mkdocs build")
    about, about_es = fifo_pages(root / "docs")
    proc = popen([*BUILDS["mkdocs build"], "--dirty"], root)
    feed(about, proc, "# About\n")
    fd = reader_waiting(about_es, proc)
    try:
        assert staging_folders(root) == []
        site = snapshot(root / "build" / "site")
        assert before.keys() <= site.keys()  # nothing deleted, in either language
        assert "about/index.html" in site
        os.write(fd, b"# Acerca de\n")
    finally:
        os.close(fd)
    assert proc.wait(timeout=GUARD) == 0
    assert "Acerca de" in (root / "build/site/es/about/index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("which", sorted(BUILDS))
def test_a_linked_site_folder_stays_a_link(tmp_path: Path, which: str) -> None:
    """``build/site`` a link to the web server's folder: the new site replaces the real folder
    (staged beside it, on its filesystem) and the link still points at it."""
    root = project(tmp_path / "school")
    www = tmp_path / "www"
    (www / "site").mkdir(parents=True)
    (www / "site" / "old.html").write_text("an earlier site", encoding="utf-8")
    (root / "build").mkdir()
    (root / "build" / "site").symlink_to(www / "site")
    result = run_build(root, which)
    assert result.returncode == 0, result.stderr
    assert (root / "build" / "site").is_symlink()
    site = snapshot(www / "site")
    assert {"index.html", "es/index.html"} <= site.keys() and "old.html" not in site
    assert sorted(p.name for p in www.iterdir()) == ["site"]  # the store stays in build/
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == ["site"]


# -- failed builds ------------------------------------------------------------------------------


def collide(root: Path) -> None:
    """A hand-written page at a generated page's address: the plugin stops the build after
    MkDocs has (without staging) emptied site_dir."""
    (root / "docs" / "math").mkdir()
    (root / "docs" / "math" / "index.md").write_text("# Math\n", encoding="utf-8")


def broken_link(root: Path) -> None:
    """A warning: --strict aborts after every page is written."""
    (root / "docs" / "about.md").write_text("[gone](nowhere.md)\n", encoding="utf-8")


def bad_content(root: Path) -> None:
    level = root / "content" / "subjects" / "math" / "level-1.yaml"
    level.write_text(level.read_text(encoding="utf-8").replace("level: 1", "level: one"))


FAILURES = [
    ("mkdocs build", collide, (), "has the address of a generated curriculum page"),
    ("mkdocs build", broken_link, ("--strict",), "Aborted with 1 warnings in strict mode!"),
    ("mkdocs build", bad_content, (), "The school's content has errors; the site was not built"),
    ("proficio build", collide, (), "build/site still holds the previous build"),
]


@pytest.mark.parametrize(
    ("which", "spoil", "extra", "words"),
    FAILURES,
    ids=[f"{w}-{f.__name__}" for w, f, *_ in FAILURES],
)
def test_a_failed_build_leaves_the_previous_site(
    tmp_path: Path, which: str, spoil: Callable[[Path], None], extra: tuple[str, ...], words: str
) -> None:
    root = project(tmp_path / "school")
    before = good_site(root, which)
    spoil(root)
    result = run_build(root, which, *extra)
    assert result.returncode == 1, result.stderr
    assert words in result.stdout + result.stderr  # MkDocs prints its "Aborted" on stdout
    assert snapshot(root / "build" / "site") == before
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == ["site"]


# -- staging folders left by earlier runs -------------------------------------------------------


@pytest.mark.parametrize("which", sorted(BUILDS))
def test_leftovers_of_an_earlier_version_are_removed(tmp_path: Path, which: str) -> None:
    """Earlier versions' ``proficio build`` left ``build/.site-XXXXXXXX`` (a config, a half
    site) when killed: no build holds them, so the next build removes them."""
    root = project(tmp_path / "school")
    before = good_site(root, which)
    left = root / "build" / ".site-4tko_jql"
    (left / "site" / "math").mkdir(parents=True)
    (left / "mkdocs.yml").write_text("site_name: x\n", encoding="utf-8")
    (left / "site" / "math" / "index.html").write_text("half", encoding="utf-8")
    unrelated = root / "build" / ".site-backup"  # not a staging name: not ours to remove
    unrelated.mkdir()
    result = run_build(root, which)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == [
        ".site-backup",
        "site",
    ]
    assert snapshot(root / "build" / "site") == before


def test_a_site_moved_away_by_a_killed_swap_is_put_back(tmp_path: Path) -> None:
    """Killed between moving the old site out and the new one in: the old site is in the
    staging folder's old/; the next build puts it back before anything else, so even when that
    build fails there is a site."""
    root = project(tmp_path / "school")
    before = good_site(root, "proficio build")
    left = root / "build" / ".site-k3x9q2ab"
    left.mkdir()
    os.replace(root / "build" / "site", left / "old")
    collide(root)
    result = run_build(root, "proficio build")
    assert result.returncode == 1
    assert "build/site still holds the previous build" in result.stderr
    assert snapshot(root / "build" / "site") == before
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == ["site"]


# -- mkdocs serve -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def page(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            text: str = response.read().decode("utf-8")
            return text
    except (OSError, urllib.error.URLError):
        return None


@pytest.mark.parametrize("mode", [(), ("--clean",)], ids=["serve", "serve-clean"])
def test_mkdocs_serve_serves_the_pages(
    tmp_path: Path, mode: tuple[str, ...], popen: Callable[..., subprocess.Popen[bytes]]
) -> None:
    """``serve`` builds into its own temporary folder (no staging); ``serve --clean`` tells the
    plugin it is a 'build', so it stages beside that folder and swaps in: both serve pages and
    leave site_dir alone."""
    root = project(tmp_path / "school")
    port = free_port()
    proc = popen([sys.executable, "-m", "mkdocs", "serve", *mode, "-a", f"127.0.0.1:{port}"], root)
    deadline = time.monotonic() + GUARD
    found = None
    while found is None and time.monotonic() < deadline and proc.poll() is None:
        body = page(f"http://127.0.0.1:{port}/es/math/level-1/")
        found = body if body is not None and "MA.L1.WN.1" in body else None
        time.sleep(0.2)
    assert found is not None, "mkdocs serve never served the Spanish level page"
    assert "MA.L1.WN.1" in (page(f"http://127.0.0.1:{port}/math/level-1/") or "")
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=GUARD) == 0
    assert not (root / "build").exists()


def test_mkdocs_gh_deploy_publishes_the_swapped_in_site(tmp_path: Path) -> None:
    """``gh-deploy`` builds (staged, swapped in), then pushes ``site_dir``: the plugin hands it
    back the real folder, so both languages are pushed and no staging folder is left."""
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "init", "-q", "--bare", str(origin)], check=True, timeout=GUARD)
    root = project(tmp_path / "school")
    git = {
        **env(),
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "school"]):
        subprocess.run(["git", *args], cwd=root, env=git, check=True, timeout=GUARD)
    subprocess.run(["git", "remote", "add", "origin", str(origin)], cwd=root, check=True)
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "gh-deploy", "--force"],
        cwd=root,
        env=git,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )
    assert result.returncode == 0, result.stderr
    pushed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", "gh-pages"],
        cwd=origin,
        capture_output=True,
        text=True,
        check=True,
        timeout=GUARD,
    ).stdout.splitlines()
    assert {"index.html", "es/index.html", "math/level-1/index.html"} <= set(pushed)
    assert sorted(p.name for p in (root / "build").iterdir() if p.name != STORE) == ["site"]


# -- student data outside the site --------------------------------------------------------------


def evidence(*more: str) -> list[str]:
    return ["--roster", str(ROSTER), "--evidence", str(EVIDENCE), *more]


OUTSIDE = ["--issues", "private/issues.csv"]
"""The issues report where it may go, for the rows about another option."""

# (arguments, the path as the message shows it, docs_dir or site_dir, the folder shown)
REFUSALS: list[tuple[list[str], str, str, str]] = [
    (["score", *evidence("--out", "docs/private", *OUTSIDE)], "docs/private", "docs_dir", "docs/"),
    (
        ["score", *evidence("--out", "build/site/private", *OUTSIDE)],
        "build/site/private",
        "site_dir",
        "build/site/",
    ),
    (["score", *evidence("--out", "docs", *OUTSIDE)], "docs", "docs_dir", "docs/"),
    (["score", *evidence("--issues", "docs/issues.csv")], "docs/issues.csv", "docs_dir", "docs/"),
    (
        ["score", *evidence("--out", "publink/scores", *OUTSIDE)],
        "publink/scores (that is docs/scores)",
        "docs_dir",
        "docs/",
    ),
    (
        ["score", *evidence("--out", "docs/../docs/x", *OUTSIDE)],
        "docs/../docs/x",
        "docs_dir",
        "docs/",
    ),
    (["transcripts", *evidence("--out", "docs/t", *OUTSIDE)], "docs/t", "docs_dir", "docs/"),
    (
        ["transcripts", *evidence("--kind", "progress", "--out", "docs/reports", *OUTSIDE)],
        "docs/reports",
        "docs_dir",
        "docs/",
    ),
    (
        ["transcripts", *evidence("--out", "private/t", "--combined", "docs/all.pdf", *OUTSIDE)],
        "docs/all.pdf",
        "docs_dir",
        "docs/",
    ),
    (
        ["transcripts", *evidence("--issues", "build/site/issues.csv")],
        "build/site/issues.csv",
        "site_dir",
        "build/site/",
    ),
    (
        ["transcripts", *evidence("--out", "publink", *OUTSIDE)],
        "publink (that is docs)",
        "docs_dir",
        "docs/",
    ),
    (["export-clr", *evidence("--out", "docs/clr", *OUTSIDE)], "docs/clr", "docs_dir", "docs/"),
    (
        ["export-clr", *evidence("--out", "private/clr", "--issues", "build/site/r/i.csv")],
        "build/site/r/i.csv",
        "site_dir",
        "build/site/",
    ),
]


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example school as a project (mkdocs.yml: docs/, build/site/), the working folder;
    ``publink`` is a link to docs/."""
    root = project(tmp_path / "riverbend", REPO / "content")
    (root / "docs" / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (root / "publink").symlink_to("docs")
    monkeypatch.chdir(root)
    return root


def invoke(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env={"SOURCE_DATE_EPOCH": "1782777600"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "shown", "role", "folder"),
    REFUSALS,
    ids=[f"{r[0][0]} {r[1]}" for r in REFUSALS],
)
def test_student_data_is_never_written_into_the_site(
    school: Path, args: list[str], shown: str, role: str, folder: str
) -> None:
    code, output = invoke(args)
    assert code == 2, output
    message = REFUSED.format(path=shown, role=role, folder=folder, listed=LISTED)
    assert output.splitlines() == [f"Error: {message}"]
    assert sorted(p.name for p in school.iterdir()) == [
        "content",
        "docs",
        "mkdocs.yml",
        "publink",
    ]
    assert sorted(p.name for p in (school / "docs").iterdir()) == ["robots.txt"]


def test_an_absolute_path_into_docs_is_refused(school: Path) -> None:
    target = school / "docs" / "scores"
    code, output = invoke(["score", *evidence("--out", str(target), *OUTSIDE)])
    assert code == 2
    message = REFUSED.format(path=target, role="docs_dir", folder="docs/", listed=LISTED)
    assert output.splitlines() == [f"Error: {message}"]
    assert not target.exists()


CONFIGS = [
    # (mkdocs.yml's folder settings, environment, arguments, shown, role, folder, listed)
    (
        "docs_dir: !ENV [PUBLIC_PAGES, pages]\nsite_dir: public\n",
        {},
        ["score", *evidence("--out", "pages/private", *OUTSIDE)],
        "pages/private",
        "docs_dir",
        "pages/",
        "pages/, public/ and build/site/",
    ),
    (
        "docs_dir: !ENV [PUBLIC_PAGES, pages]\nsite_dir: public\n",
        {"PUBLIC_PAGES": "web"},
        ["export-clr", *evidence("--out", "web/clr", *OUTSIDE)],
        "web/clr",
        "docs_dir",
        "web/",
        "web/, public/ and build/site/",
    ),
    (
        "site_dir: build\n",
        {},
        ["score", "--roster", str(ROSTER), "--evidence", str(EVIDENCE)],
        "build/reports/evidence-issues.csv",
        "site_dir",
        "build/",
        "docs/, build/ and build/site/",
    ),
    (
        "site_dir: build\n",
        {},
        ["transcripts", *evidence(*OUTSIDE)],
        "build/transcripts",
        "site_dir",
        "build/",
        "docs/, build/ and build/site/",
    ),
    (
        "INHERIT: shared/base.yml\nsite_dir: out\n",
        {},
        ["score", *evidence("--out", "pages/x", *OUTSIDE)],
        "pages/x",
        "docs_dir",
        "pages/",
        "pages/, out/ and build/site/",
    ),
    (
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "docs_dir: pages\n",
        {},
        ["score", *evidence("--out", "pages/x", *OUTSIDE)],
        "pages/x",
        "docs_dir",
        "pages/",
        "pages/, site/ and build/site/",
    ),
]


@pytest.mark.parametrize(
    ("settings", "environment", "args", "shown", "role", "folder", "listed"),
    CONFIGS,
    ids=[
        "env-default",
        "env-set",
        "site-build-issues",
        "site-build-default-out",
        "inherit",
        "tags",
    ],
)
def test_the_site_folders_come_from_mkdocs_yml(
    school: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: str,
    environment: dict[str, str],
    args: list[str],
    shown: str,
    role: str,
    folder: str,
    listed: str,
) -> None:
    (school / "mkdocs.yml").write_text("site_name: Riverbend\n" + settings, encoding="utf-8")
    (school / "shared").mkdir()
    (school / "shared" / "base.yml").write_text("docs_dir: pages\nsite_dir: public\n")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    code, output = invoke(args)
    assert code == 2, output
    message = REFUSED.format(path=shown, role=role, folder=folder, listed=listed)
    assert output.splitlines() == [f"Error: {message}"]
    assert not (school / "build").exists()


def test_the_content_projects_site_counts_from_another_folder(
    school: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run from elsewhere with --content: that project's docs/ is still the public site."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    target = school / "docs" / "private"
    args = ["score", "--content", str(school / "content"), *evidence("--out", str(target))]
    code, output = invoke([*args, "--issues", "issues.csv"])
    assert code == 2
    message = REFUSED.format(
        path=target,
        role="docs_dir",
        folder=f"{school}/docs/",
        listed=f"{school}/docs/, build/site/ and {school}/build/site/",
    )
    assert output.splitlines() == [f"Error: {message}"]
    assert not target.exists()
    assert list(elsewhere.iterdir()) == []


ALLOWED = [
    (["score", *evidence()], "build/scores/scores.jsonl"),
    (["score", *evidence("--out", "private")], "private/scores/scores.jsonl"),
    (["score", *evidence("--out", "build/site-private")], "build/site-private/scores/scores.jsonl"),
    (["export-case", "--out", "docs/case"], "docs/case/mathematics.json"),
]


@pytest.mark.parametrize(("args", "written"), ALLOWED, ids=[w for _, w in ALLOWED])
def test_outputs_outside_the_site_and_public_files_are_written(
    school: Path, args: list[str], written: str
) -> None:
    """No false alarm: the default output folders, a sibling whose name starts like the site's,
    and public CASE packages in docs/ are all fine."""
    code, output = invoke(args)
    assert code == 0, output
    assert (school / written).is_file()


def test_every_student_data_option_is_checked() -> None:
    """Every path option of the evidence commands that is written is marked as student data
    (and nothing else of theirs writes a path)."""
    from proficio.cli.options import StudentData

    marked = {
        (name, p.name)
        for name, cmd in main.commands.items()
        for p in cmd.params
        if isinstance(p.type, StudentData)
    }
    assert marked == {
        ("score", "out"),
        ("score", "issues"),
        ("transcripts", "out"),
        ("transcripts", "combined"),
        ("transcripts", "issues"),
        ("export-clr", "out"),
        ("export-clr", "issues"),
    }
