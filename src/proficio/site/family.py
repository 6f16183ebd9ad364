"""The pages for families: how to read a scale and a progress report, an FAQ, a glossary, and
what a family can do at home at each score.

Their words are data, not code: a default file per language beside this module
(``family/<lang>.yaml``), which a school overrides key by key from ``content/family/<lang>.yaml``
(mappings merge, any other value replaces the default's). A language with neither falls back to
English, marked with its ``lang`` like any other fallback. The sample progress report is a
fictional student's fixed scores from the same file: the public site never reads evidence or
scores (``site/`` reads only the content model).

:func:`annotate` gives the glossary's terms their definitions where they appear (an ``<abbr>``
with a ``title``, which Material's ``content.tooltips`` shows on hover, focus and tap).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

import yaml

from ..content import markup
from ..content.loader import FAMILY_DIR as FAMILY_FILES_DIR
from ..content.model import Scale, School, localize
from ..content.yamlfile import YamlDocument, read_yaml
from ..errors import ProficioError
from ..support import clock, locale
from ..support.files import display_path
from .pages import (
    NavItem,
    SiteLanguage,
    SitePage,
    TocEntry,
    language_root,
    public_url,
    relative_url,
    scale_url,
)

FAMILY_DIR = "families"
"""URL folder of the family pages (a subject folder of this name would collide)."""

DEFAULTS_DIR = Path(__file__).parent / "family"
OVERRIDE_DIR = FAMILY_FILES_DIR
"""The folder inside ``content/`` a school puts its own ``<lang>.yaml`` in."""

GUIDE, FAQ, GLOSSARY, AT_HOME = (
    f"{FAMILY_DIR}/",
    f"{FAMILY_DIR}/faq/",
    f"{FAMILY_DIR}/glossary/",
    f"{FAMILY_DIR}/at-home/",
)


@cache
def _defaults(lang: str) -> dict[str, Any] | None:
    path = DEFAULTS_DIR / f"{lang}.yaml"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


def _merge(
    base: dict[str, Any], extra: dict[str, Any], doc: YamlDocument, path: tuple[str, ...]
) -> tuple[dict[str, Any], list[Any]]:
    """``base`` with ``extra``'s values: mappings merged, anything else replaced, each checked
    against the default's kind (a text, a list, a mapping) so a typo is named where it is."""
    out = dict(base)
    problems = []
    for key, value in extra.items():
        here = (*path, key)
        if key not in base:
            known = ", ".join(sorted(base))
            problems.append(
                doc.diagnostic(
                    here,
                    f"unknown key '{key}' for the family pages. Use one of: {known}.",
                    "unknown-key",
                    key=True,
                )
            )
            continue
        want = base[key]
        if isinstance(want, dict) and isinstance(value, dict):
            out[key], more = _merge(want, value, doc, here)
            problems.extend(more)
        elif (
            want is None
            or type(value) is type(want)
            or (isinstance(want, str) and isinstance(value, str))
        ):
            out[key] = value
        else:
            kind = (
                "a mapping"
                if isinstance(want, dict)
                else "a list"
                if isinstance(want, list)
                else "a text"
            )
            problems.append(
                doc.diagnostic(
                    here, f"'{key}' must be {kind}, as in the default texts.", "bad-type"
                )
            )
    return out, problems


def texts(lang: str, content: Path | None) -> tuple[dict[str, Any], str]:
    """The family pages' words in ``lang`` (the default texts, then the school's), and the
    language they are in. Raises :class:`ProficioError` naming FILE:LINE:COLUMN on a bad file.

    Read once per state of the school's file (every printed page's margins ask for them)."""
    state: tuple[int, int] | None = None
    if content is not None:
        try:
            st = (content / OVERRIDE_DIR / f"{lang}.yaml").stat()
            state = (st.st_mtime_ns, st.st_size)
        except OSError:
            state = None
    return _texts(lang, content, state)


@functools.lru_cache(maxsize=64)
def _texts(
    lang: str, content: Path | None, state: tuple[int, int] | None
) -> tuple[dict[str, Any], str]:
    """:func:`texts` for one state of the file (``state`` is only the cache's key)."""
    used = lang if _defaults(lang) is not None else "en"
    base = _defaults(used)
    assert base is not None  # English ships with Proficio
    if content is None:
        return base, used
    path = content / OVERRIDE_DIR / f"{lang}.yaml"
    if not path.exists() and not path.is_symlink():
        return base, used
    doc, problems = read_yaml(path, inside=content)
    if doc is not None:
        if isinstance(doc.data, dict):
            merged, problems = _merge(base, doc.data, doc, ())
            if not problems:
                doc.release()
                return merged, lang
        else:
            problems = [
                doc.diagnostic(
                    (), "this file must be a mapping of the family pages' keys.", "bad-type"
                )
            ]
    n = len(problems)
    raise ProficioError(
        f"{n} problem{'s' if n != 1 else ''} in {display_path(path)}, the school's words for "
        "the family pages: fix them and build again.",
        details=[str(d) for d in sorted(problems)],
    )


@dataclass(frozen=True)
class Term:
    id: str
    term: str
    definition: str
    match: tuple[str, ...]


def glossary(words: dict[str, Any]) -> list[Term]:
    return [
        Term(
            str(t["id"]),
            str(t["term"]),
            str(t["definition"]),
            tuple(str(m) for m in t.get("match") or [t["term"]]),
        )
        for t in words["glossary"]["terms"]
    ]


_TAG = re.compile(r"(<[^>]*>)")
_SKIP = frozenset({"a", "abbr", "h1", "h2", "h3", "h4", "h5", "h6", "code", "th", "caption", "dt"})


@functools.lru_cache(maxsize=16)
def _matcher(terms: tuple[Term, ...]) -> tuple[re.Pattern[str], dict[str, Term]]:
    """One pattern for every form of every term, longest first (built once per glossary)."""
    forms = sorted(((m, t) for t in terms for m in t.match), key=lambda mt: -len(mt[0]))
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(escape(m, quote=False)) for m, _ in forms) + r")(?!\w)",
        re.IGNORECASE,
    )
    return pattern, {escape(m, quote=False).lower(): t for m, t in forms}


def annotate(html: str, terms: list[Term]) -> str:
    """``html`` with the first appearance of each glossary term (outside headings, links, table
    headers and codes) wrapped in ``<abbr title="definition">``."""
    if not terms:
        return html
    pattern, by_form = _matcher(tuple(terms))
    if pattern.search(html) is None:
        return html
    done: set[str] = set()
    depth = 0
    out = []

    def wrap(m: re.Match[str]) -> str:
        term = by_form[m.group(1).lower()]
        if term.id in done:
            return m.group(1)
        done.add(term.id)
        return (
            f'<abbr class="pf-term" tabindex="0" title="{escape(term.definition)}">'
            f"{m.group(1)}</abbr>"
        )

    for piece in _TAG.split(html):
        if piece.startswith("<"):
            name = (
                piece[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower()
                if len(piece) > 2
                else ""
            )
            if name in _SKIP:
                depth += -1 if piece.startswith("</") else 1
            out.append(piece)
        elif depth > 0 or len(done) == len(terms) or not piece.strip():
            out.append(piece)
        else:
            out.append(pattern.sub(wrap, piece))
    return "".join(out)


def _fill(text: str, values: dict[str, str]) -> str:
    """``text`` escaped, with the scale's placeholders (already HTML) put in."""
    out = escape(text)
    for key, value in values.items():
        out = out.replace("{" + key + "}", value)
    return out


def main_scale(school: School) -> Scale:
    """The scale most subjects use (the first by id on a tie): the one the pages speak of."""
    counts: dict[str, int] = {}
    for s in school.subjects:
        counts[s.scale_id] = counts.get(s.scale_id, 0) + 1
    ids = sorted(school.scales, key=lambda k: (-counts.get(k, 0), k))
    return school.scales[ids[0]]


@dataclass
class _Family:
    school: School
    lang: str
    words: dict[str, Any]
    used: str
    """The language ``words`` are in (English when Proficio has none in ``lang``)."""

    @property
    def mark(self) -> str:
        return f' lang="{self.used}"' if self.used != self.lang else ""

    def point(self, value: Decimal, scale: Scale) -> str:
        return locale.number(value, self.lang, keep=1 if scale.half_points else 0)

    def label(self, scale: Scale, value: Decimal) -> str:
        p = scale.point(value)
        return escape(localize(p.label, self.lang, self.school.default_language)[0]) if p else ""

    def values(self, here: str) -> dict[str, str]:
        scale = main_scale(self.school)
        title = escape(localize(scale.title, self.lang, self.school.default_language)[0])
        return {
            "goal": self.point(scale.threshold, scale),
            "goal_label": self.label(scale, scale.threshold),
            "top": self.point(scale.maximum, scale),
            "top_label": self.label(scale, scale.maximum),
            "bottom": self.point(scale.minimum, scale),
            "scale": f'<a href="{relative_url(here, scale_url(scale))}">{title}</a>',
        }

    def paras(self, items: list[str], values: dict[str, str]) -> str:
        return "".join(f"<p>{_fill(t, values)}</p>" for t in items)

    def page(self, url: str, key: str, body: list[str], toc: list[TocEntry]) -> SitePage:
        w = self.words[key]
        src = url.rstrip("/") + (".md" if url.count("/") > 1 else "/index.md")
        note = f'<p class="pf-terms-note"{self.mark}><small>{escape(self.words["terms_note"])}</small></p>'
        content = f'<div class="pf-family"{self.mark}><h1>{escape(w["title"])}</h1>{note}{"".join(body)}</div>'
        return SitePage(src, url, "family", w["title"], w["description"], content, tuple(toc))

    def guide(self) -> SitePage:
        g, v = self.words["guide"], self.values(GUIDE)
        scale = main_scale(self.school)
        body = [
            f'<p class="pf-lead">{escape(g["intro"])}</p>',
            f'<h2 id="pf-read-scale">{escape(g["scale_heading"])}</h2>',
            self.paras(g["scale"], v),
            f"<p>{v['scale']}</p>",
            f'<h2 id="pf-read-report">{escape(g["report_heading"])}</h2>',
            self.paras(g["report"], v),
            f'<h2 id="pf-sample">{escape(g["sample_heading"])}</h2>',
            f"<p>{escape(g['sample_intro'])}</p>",
            self.sample(g, scale),
        ]
        toc = [
            TocEntry("pf-read-scale", g["scale_heading"]),
            TocEntry("pf-read-report", g["report_heading"]),
            TocEntry("pf-sample", g["sample_heading"]),
        ]
        return self.page(GUIDE, "guide", body, toc)

    def sample(self, g: dict[str, Any], scale: Scale) -> str:
        s = g["sample"]
        rows = []
        for r in s["rows"]:
            scores = [Decimal(str(x)) for x in r.get("scores") or []]
            shown = locale.number_list((self.point(x, scale) for x in scores), self.lang) or "—"
            if r.get("current") is None:
                current = "—"
            else:
                value = Decimal(str(r["current"]))
                met = g["sample_goal_met"] if value >= scale.threshold else g["sample_goal_not_yet"]
                current = (
                    f'<span class="pf-score">{locale.number(value, self.lang, keep=1)}</span> '
                    f'<span class="pf-label">({escape(met)})</span>'
                )
            rows.append(
                f'<tr><th scope="row"><span class="pf-code">{escape(r["code"])}</span> '
                f"{escape(r['title'])}</th><td>{shown}</td><td>{current}</td>"
                f"<td>{escape(r['meaning'])}</td></tr>"
            )
        return (
            f'<div class="pf-sample-report"><p><strong>{escape(s["student"])}</strong> · '
            f"{escape(s['subject'])}, {escape(s['level'])}</p>"
            f'<table class="pf-rubric pf-sample"><caption>{escape(g["sample_caption"])}</caption>'
            f'<thead><tr><th scope="col">{escape(g["sample_target"])}</th>'
            f'<th scope="col">{escape(g["sample_scores"])}</th>'
            f'<th scope="col">{escape(g["sample_current"])}</th>'
            f'<th scope="col">{escape(g["sample_meaning"])}</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table><p>{escape(s['summary'])}</p></div>"
        )

    def faq(self) -> SitePage:
        f, v = self.words["faq"], self.values(FAQ)
        body = ['<dl class="pf-faq">']
        for item in f["items"]:
            body.append(f"<dt>{_fill(item['q'], v)}</dt><dd><p>{_fill(item['a'], v)}</p></dd>")
        body.append("</dl>")
        return self.page(FAQ, "faq", body, [])

    def glossary(self) -> SitePage:
        body = ['<dl class="pf-glossary">']
        toc = []
        for t in glossary(self.words):
            body.append(
                f'<dt id="term-{escape(t.id)}">{escape(t.term)}</dt><dd><p>{escape(t.definition)}</p></dd>'
            )
            toc.append(TocEntry(f"term-{t.id}", t.term))
        body.append("</dl>")
        return self.page(GLOSSARY, "glossary", body, toc)

    def at_home(self) -> SitePage:
        h = self.words["at_home"]
        body = [f"<p>{escape(h['intro'])}</p>"]
        toc = []
        default = self.school.default_language
        hosts = markup.allowed_hosts(self.school.website, self.school.link_hosts)
        for key in sorted(self.school.scales):
            scale = self.school.scales[key]
            title = localize(scale.title, self.lang, default)[0]
            id_ = f"pf-scale-{key}"
            body.append(f'<h2 id="{escape(id_)}">{escape(markup.one_line(title, hosts))}</h2>')
            toc.append(TocEntry(id_, markup.one_line(title, hosts)))
            rows = []
            for p in scale.points:
                if not p.at_home and not p.ask_teacher:
                    continue
                home = escape(localize(p.at_home, self.lang, default)[0]) if p.at_home else "—"
                ask = (
                    escape(localize(p.ask_teacher, self.lang, default)[0]) if p.ask_teacher else "—"
                )
                goal = " pf-threshold" if p.value == scale.threshold else ""
                rows.append(
                    f'<tr class="pf-point{goal}"><th scope="row"><span class="pf-score">'
                    f"{self.point(p.value, scale)}</span> "
                    f'<span class="pf-label">{self.label(scale, p.value)}</span></th>'
                    f"<td>{home}</td><td>{ask}</td></tr>"
                )
            if not rows:
                body.append(f"<p>{escape(h['none'])}</p>")
                continue
            body.append(
                f'<table class="pf-rubric pf-at-home"><thead><tr><th scope="col">{escape(h["point"])}</th>'
                f'<th scope="col">{escape(h["home"])}</th><th scope="col">{escape(h["ask"])}</th>'
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table>"
            )
        return self.page(AT_HOME, "at_home", body, toc)


def family_pages(
    school: School, lang: str, content: Path | None
) -> tuple[list[SitePage], NavItem, list[Term]]:
    """The family pages of ``lang``, their menu section, and the glossary's terms (for
    :func:`annotate` on the other pages)."""
    words, used = texts(lang, content)
    f = _Family(school, lang, words, used)
    terms = glossary(words)
    pages = [f.guide(), f.faq(), f.glossary(), f.at_home()]
    pages = [
        SitePage(p.src_uri, p.url, p.kind, p.title, p.description, annotate(p.body, terms), p.toc)
        for p in pages
    ]
    nav = NavItem(str(words["menu"]), None, tuple(NavItem(p.title, p.src_uri) for p in pages))
    return pages, nav, terms


_TOPICS = '<section class="pf-topic">'


def with_family(site: SiteLanguage, school: School, content: Path | None) -> SiteLanguage:
    """``site`` with the family pages (their menu after Home) and the glossary's definitions on
    the other pages: the whole of a home, subject, scale or family page, and a level page's
    opening (its rubrics are left as written, and the cost stays flat on a large school)."""
    clash = [s for s in school.subjects if s.slug == FAMILY_DIR]
    if clash:
        raise ProficioError(
            f"{clash[0].source}: the subject folder '{FAMILY_DIR}' would share its address with "
            "the site's pages for families. Rename the folder."
        )
    family, nav, terms = family_pages(school, site.lang, content)
    pages = []
    for p in [*site.pages, *family]:
        if p.kind == "level":
            head, sep, rest = p.body.partition(_TOPICS)
            body = annotate(head, terms) + sep + rest
        elif p.kind != "family":
            body = annotate(p.body, terms)
        else:
            body = p.body
        pages.append(replace(p, body=body, search=p.body if p.search is None else p.search))
    menu = [*site.nav[:1], nav, *site.nav[1:]]
    return SiteLanguage(site.lang, pages, menu, site.fallbacks)


def _css_string(text: str) -> str:
    """``text`` as a CSS string that cannot end the string or the ``<style>`` element."""
    out = re.sub(r"\s+", " ", text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + out.replace("<", "\\3C ") + '"'


def print_margins(school: School, lang: str, url: str) -> str:
    """The page's own ``@page`` rule, for its ``<head>``: the school, the page's address, the
    date and "Page n of m" in the printed margins of every page (``@page`` margin boxes)."""
    return margins_for(school, lang)(url)


def margins_for(school: School, lang: str) -> Callable[[str], str]:
    """:func:`print_margins` of ``lang`` as a function of the page's address: the school's name,
    the date and the page words are worked out once for every page of a build."""
    page_words = str(texts(lang, school.root)[0]["print_page"])
    name = markup.one_line(
        localize(school.name, lang, school.default_language)[0],
        markup.allowed_hosts(school.website, school.link_hosts),
    )
    day = locale.long_date(clock.today(), lang)
    before, _, after = page_words.partition("{page}")
    middle, _, end = after.partition("{pages}")
    counter = f"{_css_string(before)} counter(page) {_css_string(middle)} counter(pages) {_css_string(end)}"
    head = (
        '<style class="pf-print-margins">@page{'
        f"@top-left{{content:{_css_string(name)}}}"
        f"@top-right{{content:{_css_string(day)}}}"
    )
    tail = f"@bottom-right{{content:{counter}}}}}</style>"
    root = "/" + language_root(school, lang)

    def margins(url: str) -> str:
        address = public_url(school, url, lang) or root + url
        return f"{head}@bottom-left{{content:{_css_string(address)}}}{tail}"

    return margins
