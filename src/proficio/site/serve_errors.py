"""``mkdocs serve`` with broken content: the open page shows the problems instead of hanging.

When a build fails, MkDocs' live-reload server keeps the old pages on screen and holds every new
request until a build succeeds, so an editor who saved a mistake sees nothing at all. While
serving, the plugin therefore builds a small site of error pages instead of failing: every
address the last good build had (in every language), and the home page, shows each problem as
``FILE:LINE:COLUMN: what is wrong. What to do.``; the server then reloads the open tab onto it,
and the next good save rebuilds the real site. ``mkdocs build`` still fails, with exit 1.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from .plugin import ProficioPlugin

log = get_plugin_logger(__name__)

HOME = "index.md"
SERVE_THEME = Path(__file__).parent / "serve_theme"
"""Templates used only while serving broken content: a 404 page that shows the problems."""


def show(plugin: ProficioPlugin, config: MkDocsConfig, problems: list[str]) -> MkDocsConfig:
    """Switch this build to the error pages and log the problems as errors (the terminal)."""
    plugin.broken = list(problems)
    plugin.by_src = {}
    plugin.fallback_pages = {}
    # Under `serve --strict` an error on MkDocs' logger aborts the build, which is the hang
    # this module exists to avoid; the terminal still gets the lines.
    report = logging.getLogger("proficio.serve") if config.strict else log
    report.error(
        "The school's content has errors; every page of the site shows them until they are "
        "fixed (the next good save rebuilds it):\n" + "\n".join(problems)
    )
    config.nav = None  # the home page alone, the rest out of the menu
    config.theme.dirs.insert(0, str(SERVE_THEME))
    config.extra["proficio_serve_errors"] = error_html(
        problems, "Fix them, save, and reload this page."
    )
    return config


def known_pages(plugin: ProficioPlugin, files: Files) -> list[str]:
    """The pages an open tab may be on: the last good build's, in every language, and docs/'s."""
    stems = {HOME}
    stems.update(f.src_uri for f in files if f.is_documentation_page())
    languages: list[str] = []
    if plugin.site is not None and plugin.school is not None:
        stems.update(p.src_uri for p in plugin.site.pages)
        languages = plugin.school.languages[1:]
    uris = set(stems)
    for lang in languages:
        uris.update(f"{lang}/{stem}" for stem in stems)
    return sorted(uris)


def error_files(plugin: ProficioPlugin, files: Files, config: MkDocsConfig) -> Files:
    """Replace every page by the error page; theme assets and static files stay."""
    problems = plugin.broken or []
    pages = known_pages(plugin, files)
    for f in [f for f in files if f.is_documentation_page()]:
        files.remove(f)
    body = error_page(problems)
    for uri in pages:
        inclusion = InclusionLevel.UNDEFINED if uri == HOME else InclusionLevel.NOT_IN_NAV
        files.append(File.generated(config, uri, content=body, inclusion=inclusion))
    return files


def title(problems: list[str]) -> str:
    count = len(problems)
    return f"The content has {count} error{'s' if count != 1 else ''}"


def error_page(problems: list[str]) -> str:
    """The page as Markdown holding one raw HTML block (so Markdown leaves it as it is)."""
    return f"---\ntitle: {title(problems)}\n---\n\n" + error_html(
        problems, "Fix them and save: this page reloads by itself and the site comes back."
    )


def error_html(problems: list[str], then: str) -> str:
    """The problems, escaped, one per line as ``FILE:LINE:COLUMN: what is wrong. What to do.``"""
    items = "\n".join(f"<li><code>{escape(p, quote=False)}</code></li>" for p in problems)
    return (
        '<div class="admonition failure" role="alert">\n'
        f'<p class="admonition-title">{title(problems)}: the site is not up to date</p>\n'
        "<p>Each line names the file, the line and the column, what is wrong and what to do. "
        f"{then}</p>\n"
        f'<ul class="pf-serve-errors">\n{items}\n</ul>\n'
        "</div>\n"
    )
