"""Builds shared by the site tests: the example school once per session, small schools per test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from proficio import load_school
from proficio.content.model import School
from proficio.site import SiteBuild, build_site

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini-school"
EPOCH = "1700000000"


@contextmanager
def reproducible() -> Iterator[None]:
    """A fixed build date and no MkDocs 2 notice, for the duration of one build only (other
    test modules must not inherit a SOURCE_DATE_EPOCH)."""
    saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(content: Path, out: Path) -> SiteBuild:
    """Build ``content`` with the repository's mkdocs.yml, as ``proficio build`` does."""
    with reproducible():
        return build_site(content, out, config_file=REPO / "mkdocs.yml")


AHEAD_BUILD = """
import json, sys
from pathlib import Path
from proficio.site import build_site, plugin
plugin.AHEAD_MIN_SUMMARIES = 1  # the mini school counts as large: a second process makes them
build_site(Path(sys.argv[1]), Path(sys.argv[2]), config_file=Path(sys.argv[3]))
print(json.dumps([plugin.SUMMARIES_MADE, plugin.SUMMARIES_AHEAD]))
"""


def build_ahead(content: Path, site: Path) -> tuple[dict[str, int], list[int]]:
    """Build ``content`` in a fresh process where even a small school counts as large, so a
    forked second process makes family summaries ahead; the summary store's counts
    (compiled, reused, removed) and the PDFs each process made ([theirs, own], or [] when it
    did not fork)."""
    result = subprocess.run(
        [sys.executable, "-c", AHEAD_BUILD, str(content), str(site), str(REPO / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert result.returncode == 0, result.stderr
    made, ahead = json.loads(result.stdout.strip().splitlines()[-1])
    return made, ahead


def copy_mini(dest: Path) -> Path:
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture(scope="session")
def example_school() -> School:
    return load_school(REPO / "content")


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "site"
    build(REPO / "content", out)
    return out


def lang_root(site: Path, school: School, lang: str) -> Path:
    return site if lang == school.default_language else site / lang
