"""Builds shared by the site tests: the example school once per session, small schools per test."""

from __future__ import annotations

import os
import shutil
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
