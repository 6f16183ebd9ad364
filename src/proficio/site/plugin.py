"""The ``proficio`` MkDocs plugin: the curriculum pages, one full site per offered language.

Kept thin on purpose: ``pages.py`` writes the pages; this module only hands them to MkDocs.
The default language is built at the site's root by ``mkdocs build`` itself; each other language
is a second MkDocs build into ``<site_dir>/<lang>/``, started after the first one finishes, with
Material's UI strings and search in that language. Building each language on its own (instead of
mixing them in one build) gives every page the right ``<html lang>`` and each language its own,
smaller search index.

``mkdocs build`` (and ``gh-deploy``, and ``proficio build``, which runs the same build) writes
into a staging folder beside ``site_dir`` (:class:`~proficio.support.staging.StagedFolder`)
that replaces the old site only once every language and every plugin's files are written: a
failed or killed build leaves the previous site as it was. ``mkdocs serve`` builds into its own
temporary folder as usual; ``mkdocs build --dirty`` writes in place, as MkDocs does (it only
rewrites changed pages and never deletes, so there is no old site to lose), every language.
"""

from __future__ import annotations

import contextvars
import functools
import gc
import logging
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any, Literal, TypedDict

import jinja2
import material
from mkdocs.commands.build import build
from mkdocs.config import config_options as c
from mkdocs.config import load_config
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import CountHandler

from ..content import markup
from ..content.loader import Result, find_content, load
from ..content.model import School
from ..errors import ProficioError
from ..support import clock
from ..support.allocation import no_collection
from ..support.forking import Forked, can_fork
from ..support.staging import StagedFolder
from . import light, serve_errors, summary
from .family import margins_for
from .history import DEFAULT_LIMIT, History, read_history
from .pages import (
    CHANGES_DIR,
    SCALES_DIR,
    NavItem,
    SiteLanguage,
    SitePage,
    TocEntry,
    add_history,
    generate,
    language_root,
    level_url,
    not_found,
    page_files,
    relative_url,
)
from .strings import language_name, ui
from .summary import summaries

log = get_plugin_logger(__name__)

THEME_DIR = Path(__file__).parent / "theme"
MATERIAL_LANGUAGES = Path(material.__file__).parent / "templates" / "partials" / "languages"


@dataclass(frozen=True)
class _Nested:
    """What the root build tells the build of another language."""

    lang: str
    content: Path


_NESTED: contextvars.ContextVar[_Nested | None] = contextvars.ContextVar(
    "proficio_nested", default=None
)
_CONTENT_OVERRIDE: contextvars.ContextVar[Path | None] = contextvars.ContextVar(
    "proficio_content", default=None
)

_cache: dict[Path, tuple[tuple[tuple[str, int, int], ...], Result]] = {}
_histories: dict[Path, History] = {}
"""The root build's read of each content folder's history, for the other languages' builds."""


@dataclass
class Timings:
    """Seconds the plugin spent in its own work, per build run (read by the benchmark)."""

    load: float = 0.0
    generate: float = 0.0
    hooks: float = 0.0
    history: float = 0.0
    summaries: float = 0.0
    """The family summaries' PDFs (``summary.py``), apart from the hooks they run in."""

    @property
    def total(self) -> float:
        return self.load + self.generate + self.hooks + self.history + self.summaries


TIMINGS = Timings()


def _hook(method: Callable[..., Any]) -> Callable[..., Any]:
    """Count a per-page hook's time as the plugin's own (``TIMINGS.hooks``)."""

    @functools.wraps(method)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            TIMINGS.hooks += time.perf_counter() - started

    return timed


LAST_PAGES: dict[str, int] = {}
"""Curriculum pages per language of the last build (for ``proficio build``'s summary)."""


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file's path, modification time and size (one ``stat`` per entry: each language's
    build checks it)."""
    files = []
    for p in sorted(root.rglob("*")):
        try:
            st = p.stat()
        except OSError:  # e.g. a broken link, as is_file() would say
            continue
        if stat.S_ISREG(st.st_mode):
            files.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(files)


def load_content(root: Path) -> Result:
    """Load once per change of the content folder: each language's build reuses the result."""
    started = time.perf_counter()
    root = root.resolve()
    sig = _signature(root) if root.is_dir() else ()
    hit = _cache.get(root)
    if hit is not None and hit[0] == sig:
        result = hit[1]
    else:
        gc.unfreeze()  # an earlier load (mkdocs serve) may be garbage now
        with no_collection():  # hundreds of thousands of objects, all kept
            result = load(root)
        _cache[root] = (sig, result)
        # The school lives as long as the build: out of the collector's sight, every later
        # full collection (pages, MkDocs' rendering) no longer walks it again (a sixth of
        # writing the pages), and forked processes do not copy its memory by touching it.
        gc.freeze()
    TIMINGS.load += time.perf_counter() - started
    return result


AHEAD_MIN_TARGETS = 1000
"""Schools smaller than this write all their pages in less time than a fork costs."""

_ahead: dict[str, tuple[School, Forked[dict[str, SiteLanguage]]]] = {}


def generate_ahead(school: School, languages: list[str]) -> None:
    """Start writing the other languages' pages in a second process, on a large school.

    The child works while MkDocs renders the first language on this core; each later language's
    build then only unpickles its pages (a tenth of the time it takes to write them)."""
    for _, job in _ahead.values():
        job.cancel()
    _ahead.clear()
    big = sum(1 for _ in school.iter_targets()) >= AHEAD_MIN_TARGETS
    if languages and big and can_fork():
        job = Forked(_generate_all, school, languages)
        _ahead.update((lang, (school, job)) for lang in languages)


def _generate_all(school: School, languages: list[str]) -> dict[str, SiteLanguage]:
    return {lang: generate(school, lang) for lang in languages}


def site_for(school: School, lang: str) -> SiteLanguage:
    """``school``'s pages in ``lang``: written ahead by :func:`generate_ahead`, or now."""
    school_ahead, job = _ahead.pop(lang, (None, None))
    if job is not None and school_ahead is school:
        return job.result()[lang]
    return generate(school, lang)


AHEAD_MIN_SUMMARIES = 24
"""Fewer PDFs than this (about 8 ms each) take less time to make here than a fork costs."""

SUMMARIES_AHEAD: list[int] = []
"""Of the last build's summaries, how many the second process made and how many this one did
(for the tests and the benchmark); empty when this process made them all as it went."""

SUMMARIES_MADE: dict[str, int] = {}
"""The last build's summaries (every language): ``compiled`` typeset by Typst, ``reused`` from
the store of earlier builds, ``removed`` old entries (for the tests and the benchmark)."""

SUMMARY_STORE = Path(".cache") / "summaries"
"""Where the summaries are kept between builds, from the site folder's parent (``build/`` for
``build/site``) or, under ``mkdocs serve`` (which builds into a temporary folder), from the
folder of mkdocs.yml. Never inside the site: it is not published."""


@dataclass
class _Ahead:
    """The site's family summaries, made by a second process from the first while MkDocs
    renders every language's pages, and by this one from the last once it has (so both cores
    work to the end); each is written to ``scratch``, then moved into its language's site."""

    school: School
    todo: list[summary.Job]
    days: dict[str, date]
    scratch: Path
    job: Forked[summary.Made]

    def finish(self, site_dir: Path) -> None:
        own = summary.work_backward(self.school, self.todo, self.days, self.scratch)
        theirs = self.job.result()  # if the child failed, made here (what is missing)
        if theirs.pid != os.getpid():  # the child's count and entries, into this process's
            summary.STORE.typeset |= theirs.typeset
            summary.STORE.taken |= theirs.taken
            summary.STORE.used |= theirs.used
        default = self.school.default_language
        for i, job in enumerate(self.todo):
            subject = self.school.subjects[job.subject]
            level = subject.levels[job.level]
            root = site_dir if job.lang == default else site_dir / job.lang
            target = root / summary.summary_uri(subject, level, job.lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(summary.made_file(self.scratch, i), target)
        SUMMARIES_AHEAD[:] = [theirs.made, own.made]
        self.close()

    def close(self) -> None:
        self.job.cancel()
        shutil.rmtree(self.scratch, ignore_errors=True)


_summaries_ahead: list[_Ahead] = []


def summaries_ahead(school: School, days: dict[str, date], site_dir: Path) -> bool:
    """On a large school, start a second process making every language's summaries; whether
    it was started. (Not once this process has run Typst itself: see ``summary.typesetter``.)"""
    drop_summaries_ahead()
    SUMMARIES_AHEAD.clear()
    todo = summary.jobs(school)
    if len(todo) < AHEAD_MIN_SUMMARIES or not can_fork(native=True):
        return False
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        scratch = Path(tempfile.mkdtemp(prefix=".summaries-", dir=site_dir.parent))
    except OSError:
        return False
    job = Forked(summary.work_forward, school, todo, days, scratch)
    _summaries_ahead.append(_Ahead(school, todo, days, scratch, job))
    return True


def drop_summaries_ahead() -> None:
    """Stop a failed or abandoned build's second process and remove what it made."""
    while _summaries_ahead:
        _summaries_ahead.pop().close()


def material_language(lang: str) -> str:
    """Material's interface language for ``lang``: itself, its base language, else English."""
    for candidate in (lang, lang.split("-")[0]):
        if (MATERIAL_LANGUAGES / f"{candidate}.html").is_file():
            return candidate
    return "en"


def remember(root: Path, result: Result) -> None:
    """Reuse a load the caller already made (``proficio build`` validates before building)."""
    root = root.resolve()
    _cache[root] = (_signature(root), result)
    gc.freeze()  # as load_content does


def content_override(path: Path | None) -> contextvars.Token[Path | None]:
    """Let a caller (``proficio build``) point the plugin at another content folder."""
    return _CONTENT_OVERRIDE.set(path)


# MkDocs leaves Config.__init_subclass__ and BasePlugin.__init_subclass__ unannotated.
class ProficioPluginConfig(Config):  # type: ignore[no-untyped-call]
    content = c.Type(str, default="content")
    """The school's content folder, relative to mkdocs.yml."""
    history = c.Type(bool, default=True)
    """Read the content's git history: "last changed" on each page, the "what changed" page."""
    history_commits = c.Type(int, default=DEFAULT_LIMIT)
    """How many of the content's latest commits the "what changed" page compares."""


class ProficioPlugin(BasePlugin[ProficioPluginConfig]):  # type: ignore[no-untyped-call]
    """The curriculum pages, the other languages' builds and the staged, swapped-in site.

    Having ``on_startup`` makes MkDocs keep one instance for the whole process (``mkdocs serve``
    rebuilds, and the other languages' builds, get the same object): everything one build needs
    is set again by :meth:`on_config`, and the staging is the root build's alone (``_NESTED``).
    """

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.stage = False
        self.dirty = False
        self.staged: StagedFolder | None = None
        self.staged_config: MkDocsConfig | None = None
        self.site: SiteLanguage | None = None
        self.school: School | None = None
        self.root = Path("content")
        self.nested: _Nested | None = None
        self.by_src: dict[str, SitePage] = {}
        self.full_content: dict[str, str] = {}
        self.fallback_pages: dict[str, str] = {}
        self.shared_assets: set[str] = set()
        """In another language's build, the theme's files its pages take from the root's copy."""
        self.history: History | None = None
        self.suffixes_tagged = False
        """Whether the search plugin's index got its code suffixes in memory (light.py)."""
        self.margins: Callable[[str], str] | None = None
        """The printed margins of this build's pages (``family.margins_for``), by address."""
        self.serving = False
        self.broken: list[str] | None = None
        """Under ``mkdocs serve``, the content's problems while it cannot be built (serve_errors)."""

    # -- configuration -------------------------------------------------------------------------

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        if _NESTED.get() is None:
            self.stage = command != "serve" and not dirty
            self.serving = command == "serve"
            self.dirty = dirty

    def content_root(self, config: MkDocsConfig) -> Path:
        nested = _NESTED.get()
        if nested is not None:
            return nested.content
        override = _CONTENT_OVERRIDE.get()
        if override is not None:
            return find_content(override)
        base = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        return find_content(base / self.config.content)

    @event_priority(100)  # before the search plugin reads the theme's language
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        if config.theme.name != "material":
            raise PluginError(
                f"The proficio plugin needs theme 'material' (mkdocs-material), not '{config.theme.name}'."
            )
        try:
            clock.source_date_epoch()  # MkDocs dates the sitemap with it; a bad value is ours to name
        except ProficioError as exc:
            raise PluginError(str(exc)) from None
        self.nested = _NESTED.get()
        self.root = self.content_root(config)
        result = load_content(self.root)
        self.broken = None
        if (result.errors or result.school is None) and self.serving and not self.nested:
            return serve_errors.show(self, config, [str(d) for d in result.errors])
        if result.errors or result.school is None:
            raise PluginError(
                "The school's content has errors; the site was not built:\n"
                + "\n".join(str(d) for d in result.errors)
            )
        school = self.school = result.school
        lang = self.nested.lang if self.nested else school.default_language
        started = time.perf_counter()
        if not self.nested:
            generate_ahead(school, school.languages[1:])
        try:
            self.site = site_for(school, lang)
        except ProficioError as exc:  # content/family/<lang>.yaml (site/family.py)
            if self.serving and not self.nested:
                return serve_errors.show(self, config, exc.details or [str(exc)])
            raise PluginError("\n".join([*exc.details, str(exc)])) from None
        TIMINGS.generate += time.perf_counter() - started
        self.margins = None
        self.history = self.content_history(config) if self.config.history else None
        if self.history is not None:
            started = time.perf_counter()
            add_history(self.site, school, self.history)
            TIMINGS.history += time.perf_counter() - started
        self.by_src = {p.src_uri: p for p in self.site.pages}
        if not self.nested:
            LAST_PAGES.clear()
        LAST_PAGES[lang] = len(self.site.pages)
        if not self.nested:
            missing = [d for d in result.warnings if d.code == "missing-translation"]
            if missing:
                log.info(
                    "Missing translations (readers see the default language, marked as not yet "
                    "translated):\n  "
                    + "\n  ".join(f"{d.file}:{d.line}:{d.column}: {d.message}" for d in missing)
                )
            for d in result.warnings:
                if d.code != "missing-translation":
                    log.warning(str(d))
        collisions = [s for s in school.subjects if s.slug in (SCALES_DIR, CHANGES_DIR)]
        if collisions:
            raise PluginError(
                f"{collisions[0].source}: the subject folder '{collisions[0].slug}' would share "
                "its address with one of the site's own pages (proficiency scales, what changed). "
                "Rename the folder."
            )

        # Plain text, Markdown taken out: Material prints both in the page's head and header.
        hosts = markup.allowed_hosts(school.website, school.link_hosts)
        config.site_name = escape(markup.one_line(school.text(school.name, lang), hosts))
        if not config.site_description:
            description = markup.to_plain(school.text(school.description, lang), hosts)
            config.site_description = escape(" ".join(description.split())) or None
        config.theme["language"] = material_language(lang)
        if config.theme["language"] != lang:
            log.info(
                f"Material for MkDocs has no interface strings in '{lang}': its menus and "
                f"search labels show in {config.theme['language']} on the '{lang}' site."
            )
        config.extra["proficio_lang"] = lang
        config.theme["font"] = False
        if str(THEME_DIR) not in config.theme.dirs:
            config.theme.dirs.insert(0, str(THEME_DIR))
        features = list(config.theme.get("features") or [])
        for feature in (
            "navigation.indexes",
            "navigation.prune",
            "navigation.footer",
            "content.tooltips",  # the glossary's definitions (site/family.py)
        ):
            if feature not in features:
                features.append(feature)
        config.theme["features"] = features
        # A truthy non-list makes Material include our per-page language menu
        # (partials/alternate.html) without writing <link rel="alternate"> tags, which would
        # make its script fetch every language's sitemap to rewrite the menu's links.
        config.extra["alternate"] = len(school.languages) > 1
        config.extra["generator"] = False
        for css in ("assets/proficio/site.css", "assets/proficio/print.css"):
            if css not in config.extra_css:
                config.extra_css = [*config.extra_css, css]
        config.use_directory_urls = True
        config.nav = self.nav_config(self.site.nav)
        if config.site_url:
            root = config.site_url.rstrip("/") + "/"
            config.extra["proficio_roots"] = [
                (code, f"{root}{language_root(school, code)}") for code in school.languages
            ]
            if self.nested:
                config.site_url = f"{root}{lang}/"
        config.extra["proficio_404"] = not_found(school, lang, config.extra.get("proficio_roots"))
        store = self.summary_store(config)  # beside site_dir as named, before it is staged
        if self.stage and not self.nested:
            self.start_staging(config)
        if not self.nested:
            SUMMARIES_MADE.clear()
            summary.open_store(store)
            summaries_ahead(school, self.summary_days(), Path(config.site_dir))
        return config

    def summary_store(self, config: MkDocsConfig) -> Path:
        """The folder of :data:`SUMMARY_STORE` for this build (never inside the site)."""
        if self.serving and config.config_file_path:
            return Path(config.config_file_path).parent / SUMMARY_STORE
        # Beside the site as named (build/site may be a link to the folder a server publishes)
        return Path(os.path.abspath(config.site_dir)).parent / SUMMARY_STORE

    def content_history(self, config: MkDocsConfig) -> History:
        """The content's git history, read once per build (the other languages reuse it);
        snapshots by commit are kept in ``.git/proficio/history`` (not in ``build/``)."""
        if self.nested is not None and self.root in _histories:
            return _histories[self.root]
        started = time.perf_counter()
        history = read_history(
            self.root, limit=max(self.config.history_commits, 0), current=self.school
        )
        _histories[self.root] = history
        TIMINGS.history += time.perf_counter() - started
        for note in history.notes:
            log.info(note)
        if history.commits:
            changes = sum(len(v.changes) for v in history.versions)
            log.info(
                f"Read the content's history: {history.commits} commit(s) compared, {changes} "
                f"change(s) to targets, in {history.seconds:.2f} s."
            )
        return history

    # -- the site, built beside site_dir and swapped in whole ----------------------------------

    def start_staging(self, config: MkDocsConfig) -> None:
        """Point ``site_dir`` at a new staging folder (removing killed builds' leftovers)."""
        self.discard_staging()
        staged = StagedFolder(Path(config.site_dir))
        try:
            config.site_dir = str(staged.open())
        except OSError as exc:
            raise PluginError(
                f"Cannot create the staging folder for the site beside {staged.target}: {exc}"
            ) from None
        self.staged, self.staged_config = staged, config

    @event_priority(-50)  # after the other languages' builds
    def _summaries_into_place(self, config: MkDocsConfig) -> None:
        if _NESTED.get() is not None or not _summaries_ahead:
            return
        started = time.perf_counter()
        ahead = _summaries_ahead.pop()
        try:
            ahead.finish(Path(config.site_dir))
        except ProficioError as exc:
            ahead.close()
            raise PluginError(str(exc)) from None
        except OSError as exc:
            ahead.close()
            raise PluginError(f"The family summaries could not be written: {exc}") from None
        TIMINGS.summaries += time.perf_counter() - started

    @event_priority(-60)  # after every language's summaries are made
    def _summaries_kept(self, config: MkDocsConfig) -> None:
        """Count the build's summaries and remove the store's entries it did not use."""
        if _NESTED.get() is not None or self.school is None or self.broken is not None:
            return
        store = summary.STORE
        summary.open_store(None)  # closed until the next build opens it
        removed = store.prune(store.used)
        SUMMARIES_MADE.clear()
        SUMMARIES_MADE.update(compiled=store.compiled, reused=store.reused, removed=removed)
        if store.compiled + store.reused:
            log.info(
                f"Family summaries (PDF): {store.compiled} typeset, {store.reused} unchanged "
                f"since the last build (kept in {store.folder or 'memory'})."
            )

    @event_priority(-100)  # after every plugin has written its files (search: its index)
    def _move_site_into_place(self, config: MkDocsConfig) -> None:
        if _NESTED.get() is not None or self.staged is None:
            return
        if config.strict and _warnings_counted():
            return  # MkDocs aborts next; on_build_error removes the staging folder
        staged, self.staged = self.staged, None
        config.site_dir = str(staged.target)
        try:
            staged.commit()
        except OSError as exc:
            staged.discard()
            raise PluginError(
                f"The new site could not be moved into {staged.target} ({exc}); the folder holds "
                "the previous build."
            ) from None

    def discard_staging(self) -> None:
        """Drop an unfinished build's staging folder; ``site_dir`` names the real one again."""
        if self.staged is not None:
            if self.staged_config is not None:
                self.staged_config.site_dir = str(self.staged.target)
            self.staged.discard()
        self.staged = self.staged_config = None

    def on_build_error(self, *, error: Exception) -> None:
        if _NESTED.get() is None:
            drop_summaries_ahead()
            self.discard_staging()

    def on_shutdown(self) -> None:
        if _NESTED.get() is None:
            self.discard_staging()
            drop_summaries_ahead()  # a failed build's summaries are not waited for

    def summary_days(self) -> dict[str, date]:
        """Each level page's last change by URL, when the content's history tells it."""
        days: dict[str, date] = {}
        if self.history is not None and self.school is not None:
            levels = {level_url(s, lv) for s in self.school.subjects for lv in s.levels}
            for url, sources in page_files(self.school).items():
                day = self.history.last_changed(sources) if url in levels else None
                if day is not None:
                    days[url] = day
        return days

    def nav_config(self, items: list[NavItem]) -> list[Any]:
        """Navigation in level order, titles escaped (Material prints them as HTML)."""
        out: list[Any] = []
        for item in items:
            value = item.page if item.page is not None else self.nav_config(list(item.children))
            out.append({escape(item.title): value})
        return out

    # -- pages ---------------------------------------------------------------------------------

    @_hook
    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        if self.broken is not None:
            return serve_errors.error_files(self, files, config)
        assert self.site is not None and self.school is not None
        self.hand_written(files, config)
        for page in self.site.pages:
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                raise PluginError(
                    f"{config.docs_dir}/{page.src_uri} has the address of a generated curriculum "
                    "page. Rename or remove it."
                )
            files.append(File.generated(config, page.src_uri, content=""))
        if self.school is not None and self.school.logo is not None:
            logo = f"assets/proficio/logo{self.school.logo.suffix}"
            files.append(File.generated(config, logo, abs_src_path=str(self.school.logo)))
            config.theme["logo"] = logo
            config.theme["favicon"] = logo
        own = [config.theme["logo"]] if self.school is not None and self.school.logo else []
        self.shared_assets = light.lighten(files, config, nested=self.nested is not None, own=own)
        self.add_summaries(files, config)
        return files

    def add_summaries(self, files: Files, config: MkDocsConfig) -> None:
        """Each level's one-page family summary (PDF) in this build's language, beside the
        level's page; dated by the level's last change when the history tells it."""
        assert self.school is not None and self.site is not None
        if _summaries_ahead:
            return  # made by two processes, written at the end (_summaries_into_place)
        started = time.perf_counter()
        try:
            made = summaries(self.school, self.site.lang, self.summary_days())
        except ProficioError as exc:
            raise PluginError(str(exc)) from None
        for one in made:
            files.append(File.generated(config, one.uri, content=one.pdf))
        elapsed = time.perf_counter() - started
        TIMINGS.summaries += elapsed
        TIMINGS.hooks -= elapsed  # counted on its own, not as the hook it runs in

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        light.share_assets(env, self.shared_assets)
        return env

    def hand_written(self, files: Files, config: MkDocsConfig) -> None:
        """Pages written in docs/: ``about.md`` in every language, or ``about.es.md`` for one.

        Each language's site gets the page in its language, else the default language's (marked
        with its ``lang`` and a "not yet translated" note), at the same address ``about/``.
        """
        assert self.school is not None and self.site is not None
        pages = [f for f in files if f.is_documentation_page()]
        chosen = choose_versions([f.src_uri for f in pages], self.site.lang, self.school.languages)
        by_uri = {f.src_uri: f for f in pages}
        for f in pages:
            files.remove(f)
        self.fallback_pages = {}
        for stem, (uri, text_lang) in sorted(chosen.items()):
            source = by_uri[uri]
            if uri == stem:
                files.append(source)
            else:
                assert source.abs_src_path is not None  # a page of the docs folder, on disk
                files.append(File.generated(config, stem, abs_src_path=source.abs_src_path))
            if text_lang not in (None, self.site.lang):
                self.fallback_pages[stem] = text_lang
        extra = [stem for stem in sorted(chosen) if stem not in self.by_src]
        if extra and isinstance(config.nav, list):
            config.nav = [*config.nav, *extra]

    @_hook
    def on_page_markdown(
        self, markdown: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        spec = self.by_src.get(page.file.src_uri)
        if self.school is not None and self.site is not None:  # read by theme/main.html
            if self.margins is None:
                self.margins = margins_for(self.school, self.site.lang)
            page.meta["proficio_print"] = self.margins(page.url)
        if spec is None:
            return None
        page.meta["title"] = escape(spec.title)
        if spec.description:
            page.meta["description"] = escape(" ".join(spec.description.split()))
        return ""

    @_hook
    def on_page_content(
        self, html: str, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        spec = self.by_src.get(page.file.src_uri)
        if spec is None:
            text_lang = self.fallback_pages.get(page.file.src_uri)
            if text_lang is None or self.site is None:
                return None
            words, used = ui(self.site.lang, "not_translated")
            mark = f' lang="{used}"' if used != self.site.lang else ""
            return (
                f'<p class="pf-untranslated-block"><small class="pf-untranslated"{mark}>'
                f'({escape(words)})</small></p><div lang="{escape(text_lang)}">{html}</div>'
            )
        ids: set[str] = set()
        page.toc = get_toc(_toc_tokens(spec.toc, 2, ids))
        page.present_anchor_ids = ids
        return spec.body

    @event_priority(50)
    @_hook
    def _search_sees_lean_html(
        self, context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any]:
        """The search plugin indexes ``page.content`` in this event: give it the lean version.

        Parsing every rubric cell of a 5,000-target school was half of the build, and the
        generic descriptors repeated under every target made the index heavy for phones.
        """
        spec = self.by_src.get(page.file.src_uri)
        if spec is not None and spec.search is not None:
            self.full_content[page.file.src_uri] = page.content or ""
            page.content = spec.search
        context["proficio_alternates"] = self.alternates(page.url)
        return context

    @event_priority(-50)
    @_hook
    def _pages_get_full_html(
        self, context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Navigation
    ) -> dict[str, Any]:
        full = self.full_content.pop(page.file.src_uri, None)
        if full is not None:
            page.content = full
        return context

    on_page_context = CombinedEvent(_search_sees_lean_html, _pages_get_full_html)

    def alternates(self, url: str) -> list[dict[str, str]]:
        """The same page in every language, as links relative to the page (any hosting prefix)."""
        if self.school is None or self.site is None:
            return []
        default = self.school.default_language
        here = url if self.site.lang == default else f"{self.site.lang}/{url}"
        out = []
        for lang in self.school.languages:
            there = url if lang == default else f"{lang}/{url}"
            out.append(
                {
                    "lang": lang,
                    "name": escape(language_name(lang)),
                    "link": relative_url(here, there),
                    "current": "true" if lang == self.site.lang else "",
                }
            )
        return out

    # -- the other languages -------------------------------------------------------------------

    def _build_other_languages(self, config: MkDocsConfig) -> None:
        if self.nested or self.school is None or self.broken is not None:
            return
        assert self.site is not None
        languages = self.school.languages
        log.info(
            f"Built the '{self.site.lang}' site: {len(self.site.pages)} curriculum pages"
            + (f", {self.site.fallbacks} texts shown untranslated" if self.site.fallbacks else "")
        )
        for lang in languages[1:]:
            self.build_language(config, lang)

    @event_priority(10)  # before the search plugin writes this language's index
    @_hook
    def _search_finds_code_suffixes(self, config: MkDocsConfig) -> None:
        self.suffixes_tagged = self.school is not None and light.tag_entries(
            config, light.school_suffixes(self.school)
        )

    @event_priority(-10)  # after another search plugin has written this language's index
    @_hook
    def _search_file_finds_code_suffixes(self, config: MkDocsConfig) -> None:
        if self.school is not None and not self.suffixes_tagged:
            light.index_suffixes(config.site_dir, light.school_suffixes(self.school))

    on_post_build = CombinedEvent(
        _build_other_languages,
        _search_finds_code_suffixes,
        _search_file_finds_code_suffixes,
        _summaries_into_place,
        _summaries_kept,
        _move_site_into_place,
    )

    def build_language(self, config: MkDocsConfig, lang: str) -> None:
        if not config.config_file_path:
            raise PluginError(
                "The proficio plugin needs mkdocs.yml as a file to build other languages."
            )
        token = _NESTED.set(_Nested(lang, self.root))
        mkdocs_log = logging.getLogger("mkdocs.commands.build")
        quiet = _Quiet()
        mkdocs_log.addFilter(quiet)
        try:
            cfg = load_config(
                config.config_file_path,
                site_dir=os.path.join(config.site_dir, lang),
                site_url=config.site_url or None,
                strict=config.strict,
            )
            cfg.plugins.on_startup(command="build", dirty=self.dirty)
            try:
                build(cfg, dirty=self.dirty)
            finally:
                cfg.plugins.on_shutdown()
            plugin = cfg.plugins.get("proficio")
            if isinstance(plugin, ProficioPlugin) and plugin.site is not None:
                log.info(
                    f"Built the '{lang}' site in {lang}/: {len(plugin.site.pages)} curriculum pages"
                    + (
                        f", {plugin.site.fallbacks} texts shown in '{self.school.default_language}' until translated"
                        if plugin.site.fallbacks and self.school
                        else ""
                    )
                )
        finally:
            mkdocs_log.removeFilter(quiet)
            _NESTED.reset(token)

    def on_serve(
        self, server: LiveReloadServer, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        server.watch(str(self.root))
        self.serving = True  # also under `serve --clean`, which starts as a build
        return server


def choose_versions(
    uris: list[str], lang: str, languages: list[str]
) -> dict[str, tuple[str, str | None]]:
    """For each hand-written page, the file to show in ``lang``, and the language it is in.

    ``about.es.md`` is the Spanish version of ``about.md``; ``None`` means "not marked" (a file
    without a language suffix). Preference: ``lang``, the unmarked file, the default language.
    """
    versions: dict[str, dict[str | None, str]] = {}
    for uri in uris:
        base, _, ext = uri.rpartition(".")
        stem, _sep, suffix = base.rpartition(".")
        if stem and suffix in languages and "/" not in suffix:
            versions.setdefault(f"{stem}.{ext}", {})[suffix] = uri
        else:
            versions.setdefault(uri, {})[None] = uri
    chosen: dict[str, tuple[str, str | None]] = {}
    for stem, by_lang in versions.items():
        for candidate in (lang, None, *languages):
            if candidate in by_lang:
                chosen[stem] = (by_lang[candidate], candidate)
                break
    return chosen


def _warnings_counted() -> bool:
    """Whether ``mkdocs build --strict`` has counted a warning (it then aborts the build)."""
    return any(
        isinstance(h, CountHandler) and h.get_counts() for h in logging.getLogger("mkdocs").handlers
    )


class _Quiet(logging.Filter):
    """Drop MkDocs' per-build chatter for the extra language builds."""

    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        return not msg.startswith(
            ("Cleaning site directory", "Building documentation to directory")
        )


class _TocToken(TypedDict):
    """What ``mkdocs.structure.toc.get_toc`` reads (MkDocs' own TypedDict for it is private)."""

    level: int
    id: str
    name: str
    children: list[_TocToken]


def _toc_tokens(entries: tuple[TocEntry, ...], level: int, ids: set[str]) -> list[_TocToken]:
    """MkDocs' table-of-contents tokens of ``entries``, collecting their anchors in ``ids``."""
    tokens: list[_TocToken] = []
    for entry in entries:
        ids.add(entry.id)
        tokens.append(
            {
                "level": level,
                "id": entry.id,
                "name": escape(entry.title),
                "children": _toc_tokens(entry.children, level + 1, ids),
            }
        )
    return tokens
