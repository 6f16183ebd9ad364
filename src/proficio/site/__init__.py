"""The public curriculum site: pages generated from the content model, rendered by MkDocs.

``pages.py`` writes every page of one language (engine-independent); ``plugin.py`` hands them to
MkDocs with Material; :func:`build_site` is what ``proficio build`` calls.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..content.loader import Result, find_content
from ..errors import ProficioError
from ..support import clock
from ..support.files import display_path
from .folders import project_config

DEFAULT_CONFIG = """\
site_name: Curriculum
docs_dir: docs
theme:
  name: material
  font: false
plugins:
  - search
  - proficio
"""


@dataclass(frozen=True)
class SiteBuild:
    out: Path
    pages: dict[str, int]
    """Curriculum pages per language, in the school's order (the default first)."""
    seconds: float


def build_site(
    content: Path = Path("content"),
    out: Path = Path("build/site"),
    config_file: Path | None = None,
    loaded: Result | None = None,
) -> SiteBuild:
    """Build the site of ``content`` into ``out`` with ``mkdocs.yml`` (or a built-in config).

    The same build as ``mkdocs build``: the plugin builds the site next to ``out`` and moves it
    into place when complete (``support/staging.py``), so a failed or killed build leaves the
    previous site untouched. Raises :class:`ProficioError` on failure, after
    MkDocs has logged why. ``loaded`` is the caller's own load of ``content``, reused if given.
    Without ``SOURCE_DATE_EPOCH`` in the environment, the content's last commit time is used.
    """
    from mkdocs.exceptions import Abort

    started = time.perf_counter()
    epoch = clock.source_date_epoch()
    if epoch is None:
        epoch = content_epoch(content)
    try:
        if epoch is None:
            return _build(content, out, config_file, loaded, started)
        with clock.pinned_at(epoch):
            return _build(content, out, config_file, loaded, started)
    except Abort:  # MkDocs has logged the reason
        raise ProficioError(
            f"the curriculum site was not built (the reason is above); {display_path(out)} "
            "still holds the previous build."
        ) from None


def content_epoch(content: Path) -> int | None:
    """When the content last changed, by its last git commit: the site's date (sitemap
    ``lastmod``) then follows the content, and rebuilding the same commit gives the same bytes.
    ``None`` outside a git checkout (MkDocs then uses the current time)."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", "."],
            cwd=content,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


def _build(
    content: Path, out: Path, config_file: Path | None, loaded: Result | None, started: float
) -> SiteBuild:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    from . import plugin

    if loaded is not None:
        plugin.remember(find_content(content), loaded)
    if config_file is None:
        config_file = project_config(Path.cwd())
    named = os.path.abspath(out)  # as named: the summaries' store goes beside it (plugin.py)
    out = out.resolve()
    _show_mkdocs_warnings()
    with tempfile.TemporaryDirectory(prefix="proficio-mkdocs-") as tmp:
        if config_file is None:
            (Path(tmp) / "docs").mkdir()
            config_file = Path(tmp) / "mkdocs.yml"
            config_file.write_text(DEFAULT_CONFIG, encoding="utf-8")
        token = plugin.content_override(content.resolve())
        try:
            cfg = load_config(str(config_file), site_dir=named)
            if not isinstance(cfg.plugins.get("proficio"), plugin.ProficioPlugin):
                raise ProficioError(
                    f"{display_path(config_file)} does not use the proficio plugin, which makes "
                    "the curriculum pages: add '- proficio' under 'plugins:'."
                )
            cfg.plugins.on_startup(command="build", dirty=False)  # the plugin stages the site
            try:
                build(cfg)
            finally:
                cfg.plugins.on_shutdown()
        finally:
            plugin._CONTENT_OVERRIDE.reset(token)
    return SiteBuild(out, dict(plugin.LAST_PAGES), time.perf_counter() - started)


def _show_mkdocs_warnings() -> None:
    """Outside the mkdocs command nobody prints MkDocs' messages: print its warnings, and the
    plugin's own notes (pages built, missing translations), on stderr."""
    logger = logging.getLogger("mkdocs")
    if logger.handlers:
        return
    formatter = logging.Formatter("%(levelname)s: %(message)s")
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    handler.setLevel(logging.WARNING)
    logger.addHandler(handler)
    notes = logging.StreamHandler()
    notes.setFormatter(logging.Formatter("%(message)s"))
    notes.addFilter(lambda record: record.levelno < logging.WARNING)
    ours = logging.getLogger("mkdocs.plugins.proficio")
    ours.setLevel(logging.INFO)
    ours.addHandler(notes)
