"""``mkdocs serve`` on a school made by ``proficio new``: a broken file shows its error page.

Real processes: the server runs as a user starts it, pages are fetched over HTTP, files are
edited on disk and the test polls until the rebuild shows (timeouts only guard against hangs).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
ENV.pop("SITE_URL", None)
GUARD = 90.0
"""Seconds before a poll gives up: only a guard against a hang, never a measure."""

LEVEL_1 = "content/subjects/mathematics/level-1.yaml"


@dataclass
class Served:
    root: Path
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def get(self, path: str) -> str:
        """The page's text, or '' while the server holds the request or fails it."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return str(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return ""

    def wait_for(self, path: str, ready: Callable[[str], bool]) -> str:
        deadline = time.monotonic() + GUARD
        text = ""
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            text = self.get(path)
            if ready(text):
                return text
            time.sleep(0.2)
        raise AssertionError(
            f"{path} never became ready; last:\n{text[:2000]}\n{self.log.read_text()}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """``mkdocs serve`` in a new school, with ``request.param``'s extra options if given."""
    options: list[str] = getattr(request, "param", [])
    root = tmp_path / "school"
    made = subprocess.run(
        [sys.executable, "-m", "proficio", "new", str(root)],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}", *options],
            cwd=root,
            env=ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield Served(root, f"http://127.0.0.1:{port}/", process, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new))


def good(text: str) -> bool:
    return "MA.L1.WN.1" in text and "pf-serve-errors" not in text


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            LEVEL_1,
            "level: 1\n",
            "level: one\n",
            "content/subjects/mathematics/level-1.yaml:2:8: 'level' should be a whole number, "
            "not the text 'one'.",
        ),
        (
            LEVEL_1,
            "- code: MA.L1.WN\n",
            "- code: MA.L1.WN\n  titel: x\n",
            "content/subjects/mathematics/level-1.yaml:",
        ),
        (
            "content/scales/four-point.yaml",
            "threshold: 3\n",
            "threshold: 3.5\n",
            "content/scales/four-point.yaml:",
        ),
        (
            "content/school.yaml",
            "languages:\n",
            "languages: [\n",
            "content/school.yaml:",
        ),
    ],
)
def test_a_broken_file_shows_its_error_page_and_the_next_good_save_recovers(
    served: Served, file: str, old: str, new: str, message: str
) -> None:
    page = "mathematics/level-1/"
    served.wait_for(page, good)
    served.wait_for("es/" + page, lambda t: "MA.L1.WN.1" in t)
    (served.root / "docs" / "about.md").write_text("# About\n\nHello, families.\n")
    served.wait_for("es/about/", lambda t: "Hello, families." in t)
    path = served.root / file
    original = path.read_text()
    edit(path, old, new)
    shown = served.wait_for(page, lambda t: "pf-serve-errors" in t)
    # The same lines `proficio validate` prints, each as FILE:LINE:COLUMN: what to do.
    check = subprocess.run(
        [sys.executable, "-m", "proficio", "validate", "content"],
        cwd=served.root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 1
    lines = [line for line in check.stdout.splitlines() if line.startswith("content/")]
    assert lines and lines[0].startswith(message), check.stdout
    for line in lines:
        escaped = line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert f"<li><code>{escaped}</code></li>" in shown
    count = len(lines)
    assert f"The content has {count} error{'s' if count != 1 else ''}" in shown
    # Every page the tab may be on shows it, in every language, and the home page.
    for other in ("es/" + page, "", "es/", "scales/four-point/", "about/", "es/about/"):
        assert "pf-serve-errors" in served.wait_for(other, lambda t: bool(t)), other
    assert "livereload" in shown  # the open tab reloads by itself on the next build
    log = served.log.read_text()
    assert "ERROR" in log and lines[0] in log
    path.write_text(original)
    served.wait_for(page, good)
    served.wait_for("es/" + page, lambda t: "MA.L1.WN.1" in t and "pf-serve-errors" not in t)


@pytest.mark.parametrize("served", [["--clean"], ["--dirty"], ["--strict"]], indirect=True)
def test_every_way_of_serving_shows_the_error_page(served: Served) -> None:
    """``serve --clean`` tells plugins it is a build and ``--dirty`` rebuilds only what
    changed, ``--strict`` stops a build on any logged error: each still shows the problem and
    comes back."""
    page = "mathematics/level-1/"
    served.wait_for(page, good)
    edit(served.root / LEVEL_1, "level: 1\n", "level: one\n")
    for address in (page, "es/" + page):
        shown = served.wait_for(address, lambda t: "pf-serve-errors" in t)
        assert "level-1.yaml:2:8: 'level' should be a whole number, not the text 'one'." in shown
    edit(served.root / LEVEL_1, "level: one\n", "level: 1\n")
    served.wait_for(page, good)
    served.wait_for("es/" + page, good)


def test_a_school_broken_from_the_start_is_served_as_its_error_page(tmp_path: Path) -> None:
    """Even with no good build yet, the home page answers with the problem."""
    root = tmp_path / "school"
    made = subprocess.run(
        [sys.executable, "-m", "proficio", "new", str(root)],
        env=ENV,
        capture_output=True,
        timeout=120,
    )
    assert made.returncode == 0
    edit(root / LEVEL_1, "level: 1\n", "level: one\n")
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=root,
            env=ENV,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(root, f"http://127.0.0.1:{port}/", process, log)
    try:
        home = served.wait_for("", lambda t: bool(t))
        assert (
            "<li><code>content/subjects/mathematics/level-1.yaml:2:8: 'level' should be a whole "
            "number, not the text 'one'.</code></li>" in home
        )
        # An address no good build has made yet: the 404 page shows the same problem.
        try:
            urllib.request.urlopen(served.url + "es/mathematics/level-1/", timeout=30)
        except urllib.error.HTTPError as missing:
            assert missing.code == 404
            text = missing.read().decode("utf-8")
        else:
            raise AssertionError("a page of a school that never built was found")
        assert "pf-serve-errors" in text and "level-1.yaml:2:8: &#x27;level&#x27;" not in text
        assert "level-1.yaml:2:8: 'level' should be a whole number" in text
        assert "Fix them, save, and reload this page." in text
        edit(root / LEVEL_1, "level: one\n", "level: 1\n")
        served.wait_for("mathematics/level-1/", good)
        served.wait_for("es/mathematics/level-1/", good)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_mkdocs_build_still_fails_on_the_same_file(tmp_path: Path) -> None:
    root = tmp_path / "school"
    made = subprocess.run(
        [sys.executable, "-m", "proficio", "new", str(root)],
        env=ENV,
        capture_output=True,
        timeout=120,
    )
    assert made.returncode == 0
    edit(root / LEVEL_1, "level: 1\n", "level: one\n")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build"],
        cwd=root,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1
    assert (
        "content/subjects/mathematics/level-1.yaml:2:8: 'level' should be a whole number, "
        "not the text 'one'." in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert not (root / "build" / "site").exists()


def test_the_open_tab_turns_into_the_error_page_and_back_in_chromium(served: Served) -> None:
    """What an editor sees: no reload by hand, the problem on screen, then the page again."""
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is needed (scripts/install.sh installs it)"
    page_path = "mathematics/level-1/"
    served.wait_for(page_path, good)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            tab = browser.new_page()
            tab.goto(served.url + page_path)
            assert "MA.L1.WN.1" in tab.inner_text("article")
            edit(served.root / LEVEL_1, "level: 1\n", "level: one\n")
            tab.wait_for_selector(".pf-serve-errors", timeout=GUARD * 1000)
            assert tab.inner_text(".pf-serve-errors") == (
                "content/subjects/mathematics/level-1.yaml:2:8: 'level' should be a whole "
                "number, not the text 'one'."
            )
            assert tab.url == served.url + page_path
            edit(served.root / LEVEL_1, "level: one\n", "level: 1\n")
            tab.wait_for_selector(".pf-serve-errors", state="detached", timeout=GUARD * 1000)
            tab.wait_for_function(
                "() => document.querySelector('article')?.innerText.includes('MA.L1.WN.1')",
                timeout=GUARD * 1000,
            )
        finally:
            browser.close()
