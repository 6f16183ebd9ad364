"""The curriculum site's pages for one language, generated from the content model.

Independent of MkDocs: a page is a path, a title, an HTML body and a table of contents, and the
navigation is a tree of titles and paths, so another static-site engine can render the same
pages. Every string from the content goes through here, once: escaped, or read as the safe
Markdown subset of :mod:`proficio.content.markup` (formatted in the body, plain text in titles,
the table of contents and the search copy); raw HTML from the content is never markup.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property, lru_cache
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

from ..content import markup
from ..content.model import (
    Calculation,
    CompletionRule,
    Level,
    Scale,
    School,
    Subject,
    Target,
    Text,
    Topic,
    anchor,
    localize,
)
from ..errors import ProficioError
from ..support import locale
from .history import History, TargetChange, by_day
from .strings import counted, language_name, ui

SCALES_DIR = "scales"
"""URL folder of the scale pages (a subject folder of this name would collide)."""


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str
    """Plain text."""
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True)
class SitePage:
    src_uri: str
    """Source-style path, e.g. ``mathematics/level-1.md`` (what a Markdown engine would read)."""
    url: str
    """Directory-style URL relative to the language's root, e.g. ``mathematics/level-1/``."""
    kind: str
    """``home``, ``subject``, ``level``, ``scales`` (the list of scales) or ``scale``."""
    title: str
    """Plain text: for the window title and the navigation."""
    description: str
    """Plain text: for the page's meta description."""
    body: str
    """HTML; all content text escaped."""
    toc: tuple[TocEntry, ...] = ()
    search: str | None = None
    """A leaner HTML of the same sections for the search index (``None``: the body): a level's
    headings, descriptions and the targets' own descriptors, without the generic descriptors
    every target repeats (they are found once, on the scale's page) or any markup around them."""


@dataclass(frozen=True)
class NavItem:
    title: str
    """Plain text."""
    page: str | None = None
    """``src_uri`` of the page, or ``None`` for a section."""
    children: tuple[NavItem, ...] = ()


@dataclass
class SiteLanguage:
    """Every page of the site in one language, and its navigation in reading order."""

    lang: str
    pages: list[SitePage]
    nav: list[NavItem]
    fallbacks: int = 0
    """How many texts were shown in the default language for want of a translation."""


def relative_url(from_url: str, to_url: str) -> str:
    """A link from one directory-style URL to another that works under any hosting prefix."""
    path, _, fragment = to_url.partition("#")
    rel = _relative_dir(from_url, path)
    return f"{rel}#{fragment}" if fragment else rel


@lru_cache(maxsize=65536)
def _relative_dir(from_url: str, to_url: str) -> str:
    """Cached: every language's pages, and their language menus, link between the same URLs.

    The site's URLs are folders of plain segments: the common start is dropped and each folder
    left of ``from_url`` becomes ``..`` (what ``posixpath.relpath`` gives, at half its
    cost: each page's language menu links to it in every language, pairs no cache repeats).
    A URL with a ``.`` or ``..`` segment is left to ``relpath``."""
    here = [p for p in from_url.split("/") if p]
    there = [p for p in to_url.split("/") if p]
    if "." in here or ".." in here or "." in there or ".." in there:
        rel = posixpath.relpath("/" + to_url, "/" + from_url)
        return "./" if rel == "." else rel + "/"
    n = 0
    for a, b in zip(here, there, strict=False):
        if a != b:
            break
        n += 1
    parts = [".."] * (len(here) - n) + there[n:]
    return "/".join(parts) + "/" if parts else "./"


def subject_url(subject: Subject) -> str:
    return f"{subject.slug}/"


def level_url(subject: Subject, level: Level) -> str:
    return f"{subject.slug}/{level.slug}/"


def scale_url(scale: Scale) -> str:
    return f"{SCALES_DIR}/{anchor(scale.id)}/"


def scales_url() -> str:
    """The page listing every scale (the menu's "Proficiency scales")."""
    return f"{SCALES_DIR}/"


def summary_name(subject: Subject, level: Level, lang: str) -> str:
    """The file name of the level's one-page family summary (``summary.py``), beside its page:
    ``mathematics-level-1-family-summary-en.pdf`` (a downloads folder tells them apart)."""
    return f"{subject.slug}-{level.slug}-family-summary-{lang}.pdf"


def target_url(subject: Subject, level: Level, target: Target) -> str:
    """Where a target's rubric lives, relative to a language's root: stable as long as its code
    does (transcripts and CLR records can link a target's row to it)."""
    return f"{level_url(subject, level)}#{target.anchor}"


def language_root(school: School, lang: str) -> str:
    """A language's folder in the site: the default language at the root, each other language
    under its code (``es/``)."""
    return "" if lang == school.default_language else f"{lang}/"


def public_url(school: School, path: str, lang: str) -> str | None:
    """The address of ``path`` (a URL relative to a language's root, such as
    :func:`target_url`'s) on the school's published site; ``None`` without a website."""
    if not school.website:
        return None
    return f"{school.website.rstrip('/')}/{language_root(school, lang)}{path}"


@lru_cache(maxsize=65536)
def code_html(code: str) -> str:
    """A code as HTML: escaped once for every page and language that shows it."""
    return escape(code)


def generate(school: School, lang: str) -> SiteLanguage:
    """All pages of ``school`` in ``lang`` (one of the school's languages), the family pages
    (``family.py``) among them."""
    from .family import with_family  # family.py builds on this module's pages

    return with_family(_Writer(school, lang).site(), school, school.root)


def _src(url: str) -> str:
    return (
        "index.md"
        if url == ""
        else url.rstrip("/") + (".md" if url.count("/") > 1 else "/index.md")
    )


@dataclass
class _Writer:
    school: School
    lang: str
    fallbacks: int = 0
    pages: list[SitePage] = field(default_factory=list)
    _rows: dict[str, list[tuple[Decimal, str, str, int, int]]] = field(default_factory=dict)
    _labels: dict[str, dict[Decimal, str]] = field(default_factory=dict)
    _escaped: dict[int, str] = field(default_factory=dict)
    _html: dict[int, str] = field(default_factory=dict)
    _plains: dict[int, str] = field(default_factory=dict)
    _markdown: set[int] = field(default_factory=set)
    """Texts (by object) that hold Markdown, found by :meth:`esc`."""
    _ui: dict[str, str] = field(default_factory=dict)

    @cached_property
    def rubric_head(self) -> str:
        return (
            f'<thead><tr><th scope="col">{self.ui("score")}</th>'
            f'<th scope="col">{self.ui("meaning")}</th></tr></thead>'
        )

    # -- text --------------------------------------------------------------------------------

    @cached_property
    def default(self) -> str:
        return self.school.default_language

    @cached_property
    def hosts(self) -> markup.Hosts:
        """Where links in content texts may lead (the rest are shown as text)."""
        return markup.allowed_hosts(self.school.website, self.school.link_hosts)

    def raw(self, value: Text) -> str:
        """``value`` in the reader's language (or its fallback), as written."""
        text = value.get(self.lang)  # the common case, without building localize()'s pair
        return text if text is not None else localize(value, self.lang, self.default)[0]

    def plain(self, value: Text, *, inline: bool = True) -> str:
        """``value`` as plain text, Markdown taken out: titles, navigation, the table of
        contents (``inline=False``: a description, read with its lists and tables)."""
        found = self._plains.get(id(value))
        if found is None:
            self.esc(value, inline=inline)
            found = self._plains[id(value)]
        return found

    def html(self, value: Text, mode: markup.Mode) -> str:
        """``value`` as HTML for the page body, memoized by object like :meth:`esc` (a text
        without Markdown reuses its escaped copy)."""
        key = id(value)
        found = self._html.get(key)
        if found is None:
            escaped = self.esc(value, inline=mode == "inline")
            if key in self._markdown:
                found = markup.to_html(self.raw(value), mode, self.hosts)
            elif mode == "inline":
                found = escaped
            else:
                found = markup.paragraphs(escaped, cell=mode == "cell")
            self._html[key] = found
        return found

    @cached_property
    def note(self) -> str:
        """The one "not yet translated" notice of a page section that shows texts in the
        default language (each keeps its own ``lang``): one per section, not one per text."""
        default = locale.locale(self.lang).languages.get(self.default) or language_name(
            self.default
        )
        words, used = ui(self.lang, "untranslated_section")
        mark = f' lang="{used}"' if used != self.lang else ""
        text = escape(words).format(language=escape(default))
        return f'<p class="pf-untranslated-block"><small class="pf-untranslated"{mark}>{text}</small></p>'

    def notice(self, since: int) -> str:
        """:attr:`note` if a fallback text was written since the count was ``since``."""
        return self.note if self.fallbacks > since else ""

    def esc(self, value: Text, *, inline: bool = True) -> str:
        """``value`` in the reader's language (or its fallback) as plain text, escaped, without
        marking: for the search copy (``inline=False``: a description or a rubric cell).

        Memoized by object (each text object is one field, always read the same way): the body
        and the search copy of a page use the same texts, a scale's labels serve all its targets.
        """
        key = id(value)
        found = self._escaped.get(key)
        if found is None:
            raw = self.raw(value)
            if markup.needs_markdown(raw):
                self._markdown.add(key)
                raw = markup.to_plain(raw, self.hosts, inline=inline)
            self._plains[key] = raw
            found = self._escaped[key] = escape(raw)
        return found

    def text(self, value: Text, mode: markup.Mode = "inline") -> str:
        """HTML of ``value`` where a phrase goes (a title, a label; ``cell``: a rubric cell,
        which may hold a list or a table); a fallback keeps its own ``lang`` and says it is one."""
        if self.lang in value:
            found = self._html.get(id(value))
            return found if found is not None else self.html(value, mode)
        words, used = localize(value, self.lang, self.default)
        if used == self.lang or not words:
            return markup.to_html(words, mode, self.hosts)
        self.fallbacks += 1
        shown = self.html(value, mode)
        tag = "div" if markup.is_block(shown) else "span"
        return f'<{tag} class="pf-fallback" lang="{escape(used)}">{shown}</{tag}>'

    def block(self, value: Text, cls: str = "") -> str:
        """Paragraphs of ``value`` (blank lines separate them), or the blocks of its Markdown
        (lists, tables)."""
        words, used = localize(value, self.lang, self.default)
        if not words.strip():
            return ""
        paras = self.html(value, "block")
        attrs = f' class="{cls}"' if cls else ""
        if used == self.lang:
            return f"<div{attrs}>{paras}</div>" if cls else paras
        self.fallbacks += 1
        classes = f"{cls} pf-fallback".strip()
        return f'<div class="{classes}" lang="{escape(used)}">{paras}</div>'

    def ui(self, key: str, **values: object) -> str:
        """One of the site's own sentences as HTML; values are HTML already.

        The escaped sentence is kept per key: some are written once per target.
        """
        template = self._ui.get(key)
        if template is None:
            words, used = ui(self.lang, key)
            template = escape(words)
            if used != self.lang:
                template = f'<span lang="{used}">{template}</span>'
            self._ui[key] = template
        return template.format(**values)

    def ui_plain(self, key: str, **values: object) -> str:
        return ui(self.lang, key)[0].format(**values)

    def count(self, key: str, n: int) -> str:
        """``3 learning targets``: the plural form and the digits of the reader's language."""
        return self.ui(counted(self.lang, key, n), n=locale.count(n, self.lang))

    def point(self, value: Decimal, scale: Scale) -> str:
        """A scale's point as its rubric shows it, in the reader's digits: ``3.0`` on a scale
        with half points (``3,0`` in Spanish, as the family's PDFs write it), ``3`` on a scale
        of whole points (the precision rule of :mod:`proficio.support.locale`)."""
        return locale.number(value, self.lang, keep=1 if scale.half_points else 0)

    def level_title(self, level: Level) -> str:
        return self.plain(level.title) or self.ui_plain("level_n", n=level.number)

    def level_title_html(self, level: Level) -> str:
        return self.text(level.title) if level.title else self.ui("level_n", n=level.number)

    def completion(self, rule: CompletionRule, key: str = "completion") -> str:
        """The completion rule: of *this* level (``completion``), or of any level
        (``home_completion``, the home page's general sentence)."""
        return self.ui(f"{key}.{rule.rule}", p=locale.percent(rule.percent or 100, self.lang))

    def calculation(self, calc: Calculation) -> str:
        w = calc.weight or 65
        return self.ui(
            f"calc.{calc.method}",
            w=locale.percent(w, self.lang),
            rest=locale.percent(100 - w, self.lang),
            n=locale.count(calc.n or 1, self.lang),
        )

    # -- pages -------------------------------------------------------------------------------

    def site(self) -> SiteLanguage:
        nav: list[NavItem] = [NavItem(self.ui_plain("home"), "index.md")]
        self.home()
        for subject in self.school.subjects:
            children = [NavItem(self.plain(subject.title), self.subject(subject))]
            for level in subject.levels:
                children.append(NavItem(self.level_title(level), self.level(subject, level)))
            nav.append(NavItem(self.plain(subject.title), None, tuple(children)))
        scales = [NavItem(self.plain(s.title), self.scale(s)) for s in self.used_scales()]
        if scales:
            listed = NavItem(self.ui_plain("scales"), self.scales())
            nav.append(NavItem(self.ui_plain("scales"), None, (listed, *scales)))
        return SiteLanguage(self.lang, self.pages, nav, self.fallbacks)

    def used_scales(self) -> list[Scale]:
        scales = [self.school.scales[k] for k in sorted(self.school.scales)]
        for scale in scales:
            if anchor(scale.id) == "index":
                raise ProficioError(
                    f"{scale.source}: the scale id '{scale.id}' would share its address with the "
                    "site's list of proficiency scales. Rename the scale (and the subjects and "
                    "targets that name it)."
                )
        return scales

    def add(
        self,
        url: str,
        kind: str,
        title: str,
        description: str,
        body: str,
        toc: Iterable[TocEntry] = (),
        search: str | None = None,
    ) -> str:
        src = _src(url)
        self.pages.append(SitePage(src, url, kind, title, description, body, tuple(toc), search))
        return src

    def home(self) -> str:
        s = self.school
        here = ""
        since = self.fallbacks
        parts = [f"<h1>{self.text(s.name)}</h1>"]
        if s.district:
            parts.append(f'<p class="pf-lead">{self.text(s.district)}</p>')
        parts.append(self.block(s.description))
        parts.append(f'<h2 id="pf-subjects">{self.ui("subjects")}</h2><ul class="pf-cards">')
        for subject in s.subjects:
            parts.append(
                f'<li><a href="{relative_url(here, subject_url(subject))}">'
                f"<strong>{self.text(subject.title)}</strong></a>"
                f' <span class="pf-counts">{self.count("levels_n", len(subject.levels))} · '
                f"{self.count('targets_n', sum(len(lv.targets) for lv in subject.levels))}</span>"
                f"{self.block(subject.description)}</li>"
            )
        parts.append("</ul>")
        parts.append(f'<h2 id="pf-progress">{self.ui("how_progress")}</h2>')
        parts.append(f"<p>{self.ui('progress_1')}</p><p>{self.ui('progress_2')}</p>")
        parts.append(
            f"<p>{self.completion(s.completion, 'home_completion')} "
            f"{self.calculation(s.calculation)}</p>"
        )
        parts.append(f'<h2 id="pf-scales">{self.ui("how_scale")}</h2><p>{self.ui("scale_1")}</p>')
        for scale in self.used_scales():
            link = f'<a href="{relative_url(here, scale_url(scale))}">{self.text(scale.title)}</a>'
            parts.append(f"<p>{self.threshold_sentence(scale, 'scale_threshold', link)}</p>")
        parts.append(f"<p>{self.ui('scale_generic')}</p>")
        parts.append(
            f'<p><a href="{relative_url(here, scales_url())}">{self.ui("all_scales")}</a></p>'
        )
        contact = self.contact()
        if contact:
            parts.append(f'<h2 id="pf-contact">{self.ui("contact")}</h2>{contact}')
        parts.insert(1, self.notice(since))
        return self.add(
            here,
            "home",
            self.plain(s.name),
            self.plain(s.description, inline=False),
            "\n".join(parts),
            [
                TocEntry("pf-subjects", self.ui_plain("subjects")),
                TocEntry("pf-progress", self.ui_plain("how_progress")),
                TocEntry("pf-scales", self.ui_plain("how_scale")),
            ]
            + ([TocEntry("pf-contact", self.ui_plain("contact"))] if contact else []),
        )

    def contact(self) -> str:
        s = self.school
        lines = [escape(line) for line in s.address]
        if s.phone:
            tel = "".join(c for c in s.phone if c.isdigit() or c == "+")
            lines.append(f'<a href="tel:{escape(tel)}">{escape(s.phone)}</a>')
        if s.email:
            lines.append(f'<a href="mailto:{escape(s.email)}">{escape(s.email)}</a>')
        if s.website:
            lines.append(f'<a href="{escape(s.website)}">{escape(s.website)}</a>')
        return f'<address class="pf-address">{"<br>".join(lines)}</address>' if lines else ""

    def threshold_sentence(self, scale: Scale, key: str, scale_html: str = "") -> str:
        point = scale.point(scale.threshold)
        label = self.text(point.label) if point else ""
        return self.ui(
            key,
            scale=scale_html,
            score=self.point(scale.threshold, scale),
            label=label,
        )

    def subject(self, subject: Subject) -> str:
        here = subject_url(subject)
        scale = self.school.scales[subject.scale_id]
        since = self.fallbacks
        link = f'<a href="{relative_url(here, scale_url(scale))}">{self.text(scale.title)}</a>'
        parts = [f"<h1>{self.text(subject.title)}</h1>", self.block(subject.description)]
        parts.append(
            f"<p>{self.ui('scale_used', scale=link)} {self.threshold_sentence(scale, 'threshold')}"
            f" {self.calculation(subject.calculation)}</p>"
        )
        parts.append(f'<h2 id="pf-levels">{self.ui("levels_at_glance")}</h2><ol class="pf-levels">')
        for level in subject.levels:
            topics = "".join(
                f'<li><a href="{relative_url(here, level_url(subject, level) + "#" + anchor(t.code))}">'
                f"{self.text(t.title)}</a></li>"
                for t in level.topics
            )
            parts.append(
                f'<li><a class="pf-level-link" href="{relative_url(here, level_url(subject, level))}">'
                f"{self.level_title_html(level)}</a>"
                f' <span class="pf-counts">{self.count("topics_n", len(level.topics))} · '
                f"{self.count('targets_n', len(level.targets))}</span>"
                f"{self.block(level.description)}<ul>{topics}</ul></li>"
            )
        parts.append("</ol>")
        parts.insert(1, self.notice(since))
        return self.add(
            here,
            "subject",
            self.plain(subject.title),
            self.plain(subject.description, inline=False),
            "\n".join(parts),
            [TocEntry("pf-levels", self.ui_plain("levels_at_glance"))],
        )

    def level(self, subject: Subject, level: Level) -> str:
        here = level_url(subject, level)
        since = self.fallbacks
        parts = [
            f'<p class="pf-lead"><span class="pf-print-only">{self.text(self.school.name)} · '
            f'</span><a href="{relative_url(here, subject_url(subject))}">'
            f"{self.text(subject.title)}</a></p>",
            f"<h1>{self.level_title_html(level)}</h1>",
            self.block(level.description),
            f'<p class="pf-completion">{self.completion(level.completion)}</p>',
            self.summary_link(subject, level),
            self.about_scale(here, level),
        ]
        parts.insert(2, self.notice(since))
        search = [f"<h1>{escape(self.level_title(level))}</h1>", self.para(level.description)]
        toc = []
        for topic in level.topics:
            parts.append(self.topic(subject, topic, search))
            toc.append(
                TocEntry(
                    anchor(topic.code),
                    self.plain(topic.title),
                    tuple(
                        TocEntry(t.anchor, f"{t.code} {self.plain(t.title)}") for t in topic.targets
                    ),
                )
            )
        title = self.ui_plain(
            "level_of", subject=self.plain(subject.title), level=self.level_title(level)
        )
        return self.add(
            here,
            "level",
            title,
            self.plain(level.description, inline=False),
            "\n".join(parts),
            toc,
            "".join(search),
        )

    def summary_link(self, subject: Subject, level: Level) -> str:
        """The download of the level's one-page family summary (a PDF beside the page)."""
        name = escape(summary_name(subject, level, self.lang))
        return (
            f'<p class="pf-summary-link"><a href="{name}" download="{name}" '
            f'type="application/pdf">{self.ui("summary_link")}</a></p>'
        )

    def para(self, value: Text) -> str:
        """A text as one paragraph of a page's search copy (no marking of fallbacks)."""
        return f"<p>{self.esc(value, inline=False)}</p>" if value else ""

    def search_labels(self, scale: Scale) -> dict[Decimal, str]:
        labels = self._labels.get(scale.id)
        if labels is None:
            labels = self._labels[scale.id] = {
                p.value: f"{self.point(p.value, scale)} {self.esc(p.label)}" for p in scale.points
            }
        return labels

    def about_scale(self, here: str, level: Level) -> str:
        """What a family needs to read the rubrics below, said once: the scale (named and
        linked), its goal, what "generic" means, and the switch that folds the generic
        in-between rows (half points) on a long page."""
        seen: dict[str, Scale] = {}
        generic = foldable = False
        for target in level.targets:
            scale = seen.setdefault(target.scale_id, self.school.scale_of(target))
            for point in scale.points:
                if point.value not in target.rubric:
                    generic = True
                    foldable = foldable or _folds(point.value, scale)
        if not seen:
            return ""
        parts = ['<div class="pf-about-scale" id="pf-about-scale">']
        for scale in seen.values():
            link = f'<a href="{relative_url(here, scale_url(scale))}">{self.text(scale.title)}</a>'
            parts.append(f"<p>{self.threshold_sentence(scale, 'scale_note', link)}</p>")
        if generic:
            badge = f'<span class="pf-badge">{self.ui("generic")}</span>'
            parts.append(f'<p class="pf-generic-note">{self.ui("generic_note", badge=badge)}</p>')
        if foldable:
            parts.append(
                '<p class="pf-fold"><label><input type="checkbox" class="pf-fold-toggle"> '
                f"{self.ui('fold')}</label></p>"
            )
        parts.append("</div>")
        return "".join(parts)

    def topic(self, subject: Subject, topic: Topic, search: list[str]) -> str:
        """The topic's section of its level page; its search copy is added to ``search`` in the
        same pass (the copy reuses the section's escaped texts)."""
        code, id_ = code_html(topic.code), anchor(topic.code)
        since = self.fallbacks
        parts = [
            f'<section class="pf-topic"><h2 id="{id_}">'
            f'<span class="pf-code">{code}</span> {self.text(topic.title)}</h2>',
            self.block(topic.description),
        ]
        search.append(f'<h2 id="{id_}">{code} {self.esc(topic.title)}</h2>')
        search.append(self.para(topic.description))
        for target in topic.targets:
            parts.append(self.target(target, search))
        parts.insert(1, self.notice(since))
        parts.append("</section>")
        return "\n".join(parts)

    def scale_rows(self, scale: Scale) -> list[tuple[Decimal, str, str, int, int]]:
        """Per score point: value, the start of a row with the target's own descriptor, the row
        with the generic one, and how many fallback texts the header and the generic row hold.

        The same for every target on the scale, so written once per scale and language.
        """
        rows = self._rows.get(scale.id)
        if rows is not None:
            return rows
        rows = []
        badge = f'<span class="pf-badge">{self.ui("generic")}</span> '
        for point in scale.points:
            before = self.fallbacks
            cls = "pf-point pf-threshold" if point.value == scale.threshold else "pf-point"
            head = f'<th scope="row">{self.point_head(point.value, point.label, scale)}</th>'
            head_fallbacks = self.fallbacks - before
            generic = (
                self.text(point.descriptor, "cell")
                if point.descriptor
                else escape(self.ui_plain("no_descriptor"))
            )
            fold = " pf-fold-row" if _folds(point.value, scale) else ""
            own = f'<tr class="{cls} pf-own">{head}<td>'
            row = f'<tr class="{cls} pf-generic{fold}">{head}<td>{badge}{generic}</td></tr>'
            rows.append((point.value, own, row, head_fallbacks, self.fallbacks - before))
            self.fallbacks = before
        self._rows[scale.id] = rows
        return rows

    def point_head(self, value: Decimal, label: Text, scale: Scale) -> str:
        """A rubric row's score and label; the goal says so in words ("3.0 Proficient: the
        goal"), not by its tint alone."""
        head = (
            f'<span class="pf-score">{self.point(value, scale)}</span> '
            f'<span class="pf-label">{self.text(label)}</span>'
        )
        if value == scale.threshold:
            head += f'<strong class="pf-goal">{self.ui("goal")}</strong>'
        return head

    def target(self, target: Target, search: list[str]) -> str:
        """The target's rubric article; its search copy is added to ``search``: the descriptors
        of its own, each after its score and label, without the generic ones."""
        scale = self.school.scale_of(target)
        rows = []
        rubric = target.rubric
        for value, own_row, generic_row, head_fb, row_fb in self.scale_rows(scale):
            own = rubric.get(value)
            if own:
                rows.append(f"{own_row}{self.text(own, 'cell')}</td></tr>")
                self.fallbacks += head_fb
            else:
                rows.append(generic_row)
                self.fallbacks += row_fb
        code, id_ = code_html(target.code), target.anchor
        labels = self.search_labels(scale)
        short = short_esc = ""
        if target.short_title:  # "Target A", "DOK 2": how a framework names it, beside the code
            short = f'<small class="pf-short">{self.text(target.short_title)}</small> '
            short_esc = f"{self.esc(target.short_title)} "
        search.append(f'<h3 id="{id_}">{code} {short_esc}{self.esc(target.title)}</h3>')
        search.append(self.para(target.description))
        if rubric:
            own_texts = " ".join(
                f"{labels.get(value, '')}: {self.esc(text, inline=False)}"
                for value, text in rubric.items()
            )
            search.append(f"<p>{own_texts}</p>")
        return (
            f'<article class="pf-target"><h3 id="{id_}">'
            f'<span class="pf-code">{code}</span> {short}{self.text(target.title)}</h3>'
            f"{self.block(target.description, 'pf-description')}"
            f'<table class="pf-rubric"><caption>{self.ui("rubric_caption", code=code)}</caption>'
            f"{self.rubric_head}<tbody>{''.join(rows)}</tbody></table></article>"
        )

    def scale(self, scale: Scale) -> str:
        here = scale_url(scale)
        since = self.fallbacks
        parts = [f"<h1>{self.text(scale.title)}</h1>", self.block(scale.description)]
        parts.append(f"<p>{self.threshold_sentence(scale, 'threshold')}</p>")
        if len(scale.allowed) != len(scale.points):
            points = locale.number_list((self.point(v, scale) for v in scale.allowed), self.lang)
            parts.append(f"<p>{self.ui('recorded', points=points)}</p>")
        rows = []
        for point in scale.points:
            cls = "pf-point pf-threshold" if point.value == scale.threshold else "pf-point"
            rows.append(
                f'<tr class="{cls}"><th scope="row">{self.point_head(point.value, point.label, scale)}'
                f"</th><td>{self.text(point.descriptor, 'cell')}</td></tr>"
            )
        parts.append(
            f'<h2 id="pf-points">{self.ui("all_points")}</h2>'
            f'<table class="pf-rubric pf-legend"><thead><tr><th scope="col">{self.ui("score")}</th>'
            f'<th scope="col">{self.ui("meaning")}</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
        )
        users = [s for s in self.school.subjects if s.scale_id == scale.id]
        if users:
            links = locale.join(
                (
                    f'<a href="{relative_url(here, subject_url(s))}">{self.text(s.title)}</a>'
                    for s in users
                ),
                self.lang,
            )
            parts.append(f'<p class="pf-used-by">{self.ui("subjects")}: {links}</p>')
        parts.append(
            f'<p><a href="{relative_url(here, scales_url())}">{self.ui("all_scales")}</a></p>'
        )
        parts.insert(1, self.notice(since))
        return self.add(
            here,
            "scale",
            self.plain(scale.title),
            self.plain(scale.description, inline=False),
            "\n".join(parts),
            [TocEntry("pf-points", self.ui_plain("all_points"))],
        )

    def scales(self) -> str:
        """The list of every scale: what the menu's "Proficiency scales" opens."""
        here = scales_url()
        since = self.fallbacks
        parts = [f"<h1>{self.ui('scales')}</h1>", f"<p>{self.ui('scales_intro')}</p>"]
        toc = []
        for scale in self.used_scales():
            id_ = f"pf-scale-{anchor(scale.id)}"
            link = f'<a href="{relative_url(here, scale_url(scale))}">{self.text(scale.title)}</a>'
            points = "".join(
                f"<li>{self.point_head(p.value, p.label, scale)}</li>" for p in scale.points
            )
            users = locale.join(
                (
                    f'<a href="{relative_url(here, subject_url(s))}">{self.text(s.title)}</a>'
                    for s in self.school.subjects
                    if s.scale_id == scale.id
                ),
                self.lang,
            )
            parts.append(
                f'<section class="pf-scale-card"><h2 id="{id_}">{link}</h2>'
                f"{self.block(scale.description)}"
                f"<p>{self.threshold_sentence(scale, 'threshold')}</p>"
                f'<p>{self.ui("all_points")}:</p><ul class="pf-point-list">{points}</ul>'
                + (f'<p class="pf-used-by">{self.ui("subjects")}: {users}</p>' if users else "")
                + "</section>"
            )
            toc.append(TocEntry(id_, self.plain(scale.title)))
        parts.insert(1, self.notice(since))
        return self.add(
            here,
            "scales",
            self.ui_plain("scales"),
            self.ui_plain("scales_intro"),
            "\n".join(parts),
            toc,
        )


def _folds(value: Decimal, scale: Scale) -> bool:
    """Whether a generic row at ``value`` is an in-between score a reader may fold away: a
    half point, never the goal."""
    return value != scale.threshold and value != value.to_integral_value()


# -- the content's history: "last changed" on each page, and the "what changed" page ----------

CHANGES_DIR = "changes"
"""URL folder of the "what changed" page (a subject folder of this name would collide)."""


def changes_url() -> str:
    return f"{CHANGES_DIR}/"


def page_files(school: School) -> dict[str, list[Path]]:
    """The content files each generated page is made of, by URL: a page last changed when the
    newest of them did (the home page shows the whole curriculum's date)."""
    out: dict[str, list[Path]] = {"": list(school.files)}
    for scale in school.scales.values():
        users = [s.source.file for s in school.subjects if s.scale_id == scale.id]
        out[scale_url(scale)] = [scale.source.file, *users]
    for subject in school.subjects:
        scale_file = school.scales[subject.scale_id].source.file
        levels = [lv.source.file for lv in subject.levels]
        out[subject_url(subject)] = [subject.source.file, scale_file, *levels]
        for level in subject.levels:
            out[level_url(subject, level)] = [level.source.file, subject.source.file, scale_file]
    return out


def add_history(site: SiteLanguage, school: School, history: History) -> None:
    """Add to ``site`` what the content's git history tells: a "last changed" line on every
    page whose files have a known date, and the "what changed" page (when a change is known).

    Engine-independent like the pages themselves; ``history`` comes from
    :func:`proficio.site.history.read_history` (empty outside a git checkout: nothing added)."""
    w = _Writer(school, site.lang)
    days = {url: history.last_changed(files) for url, files in page_files(school).items()}
    has_page = bool(history.versions)
    if has_page:
        body, toc = _changes_body(w, school, history)
        src = w.add(
            changes_url(),
            "changes",
            w.ui_plain("changes"),
            w.ui_plain("changes_intro"),
            body,
            toc,
        )
        days[changes_url()] = history.versions[0].day
        site.pages.append(w.pages[-1])
        site.nav.append(NavItem(w.ui_plain("changes"), src))
    for i, page in enumerate(site.pages):
        day = days.get(page.url)
        if day is None:
            continue
        line = w.ui("last_changed", date=_time(day, site.lang))
        if has_page and page.url != changes_url():
            link = relative_url(page.url, changes_url())
            line += f' <a href="{link}">{w.ui("changes")}</a>'
        site.pages[i] = replace(
            page,
            body=f'{page.body}\n<p class="pf-changed">{line}</p>',
            search=page.search if page.search is not None else page.body,
        )
    site.fallbacks += w.fallbacks


def _time(day: date, lang: str) -> str:
    return f'<time datetime="{day.isoformat()}">{escape(locale.long_date(day, lang))}</time>'


def _changes_body(w: _Writer, school: School, history: History) -> tuple[str, list[TocEntry]]:
    here = changes_url()
    where = {t.code: (s, lv, t) for s, lv, _topic, t in school.iter_targets()}

    def code(change_code: str) -> str:
        """A code linked to its rubric while the target exists."""
        found = where.get(change_code)
        html = f'<span class="pf-code">{code_html(change_code)}</span>'
        if found is None:
            return html
        return f'<a href="{relative_url(here, target_url(*found))}">{html}</a>'

    def item(ch: TargetChange) -> str:
        level = w.text(ch.level) if ch.level else w.ui("level_n", n=ch.level_number)
        place = f'<span class="pf-where">{w.text(ch.subject)}, {level}</span>'
        if ch.kind == "renamed":
            assert ch.old_code is not None
            head = w.ui("renamed", old=code_html(ch.old_code), new=code(ch.code))
        elif ch.kind == "retired":
            head = f'<span class="pf-code">{code_html(ch.code)}</span>'
        else:
            head = code(ch.code)
        text = f"{head} {w.text(ch.title)} · {place}"
        if ch.kind == "reworded":
            fields = locale.join((w.ui(f"field.{f}") for f in ch.fields), w.lang)
            text += f" · {w.ui('reworded_fields', fields=fields)}"
            if ch.old_title is not None and w.raw(ch.old_title) != w.raw(ch.title):
                # not where only another language's title changed (the reader's reads the same)
                text += f" · {w.ui('was_titled', title=w.text(ch.old_title))}"
        return f"<li>{text}</li>"

    parts = [f"<h1>{w.ui('changes')}</h1>", f"<p>{w.ui('changes_intro')}</p>"]
    toc = []
    for day, versions in by_day(history.versions):
        before = w.fallbacks
        id_ = f"pf-{day.isoformat()}"
        section = [f'<section class="pf-changes"><h2 id="{id_}">{_time(day, w.lang)}</h2>']
        toc.append(TocEntry(id_, locale.long_date(day, w.lang)))
        changes = [ch for v in versions for ch in v.changes]
        for kind in ("added", "renamed", "reworded", "retired"):
            items = [item(ch) for ch in changes if ch.kind == kind]
            if items:
                section.append(f"<h3>{w.ui(f'change.{kind}')}</h3><ul>{''.join(items)}</ul>")
        for v in versions:
            if v.first is not None:
                section.append(
                    f"<p>{w.ui('changes_first', targets=w.count('targets_n', v.first))}</p>"
                )
        section.append(f"{w.notice(before)}</section>")
        parts.append("".join(section))
    return "\n".join(parts), toc


def not_found(school: School, lang: str, roots: Iterable[tuple[str, str]] | None = None) -> str:
    """The 404 page's body in ``lang``: what happened, a search box, the home page and the site
    in every other language.

    ``roots`` are each language's absolute root address (from ``site_url``): a host serves the
    one 404 page for a missing address at any depth, so its links must not be relative; they
    keep only the path (``/es/``), so they stay on whichever host serves the site. Without
    them, links are relative to the language's root, where the 404 page itself lives.
    """
    words = _Writer(school, lang)
    here = language_root(school, lang)
    where = {code: urlsplit(url).path for code, url in roots or ()}

    def root_of(code: str) -> str:
        return where.get(code) or relative_url(here, language_root(school, code))

    home = escape(root_of(lang))
    others = [
        f'<li><a href="{escape(root_of(code))}" hreflang="{escape(code)}" lang="{escape(code)}">'
        f"{escape(language_name(code))}</a></li>"
        for code in school.languages
        if code != lang
    ]
    parts = [
        '<div class="pf-not-found">',
        f"<h1>{words.ui('not_found')}</h1>",
        f"<p>{words.ui('not_found_text')}</p>",
        f'<form action="{home}" method="get" role="search">'
        f'<label for="pf-404-q">{words.ui("not_found_search")}</label>'
        f'<input type="search" id="pf-404-q" name="q" required>'
        f'<button type="submit" class="md-button md-button--primary">'
        f"{words.ui('search_button')}</button></form>",
        f'<p><a href="{home}">{words.ui("not_found_home")}</a></p>',
    ]
    if others:
        parts.append(
            f'<h2 id="pf-languages">{words.ui("not_found_languages")}</h2><ul>{"".join(others)}</ul>'
        )
    parts.append("</div>")
    return "\n".join(parts)
