"""The Markdown subset content texts may carry, and what each output makes of it.

CASE frameworks write their statements in Markdown (OpenSALT, Smarter Balanced): emphasis,
lists, tables, inline math. A content text is read as that Markdown, by Python-Markdown (with
its ``tables`` and ``sane_lists`` extensions, nothing that lets a text add attributes or HTML),
and allow-listed after parsing:

- kept: paragraphs, emphasis, strong, code, lists, tables, block quotes, rules, line breaks;
- headings become a paragraph in bold (the page's own headings and its table of contents stay
  the site's);
- inline math (``$\\frac{1}{2}$``) is shown as text (``1/2``), the same on the site, in the
  table of contents and in the PDFs, without a script from another host to typeset it;
- links only to the school's website and to the hosts school.yaml lists in
  ``allowed_link_hosts`` (and ``mailto:``/``tel:``); an image becomes a link to it (the site
  loads nothing from other hosts);
- raw HTML is never markup: it is shown as the text it is, and validation warns at its line.

Every output comes from the one parse: HTML for the site (:func:`to_html`), plain text for the
table of contents, the search index and the PDFs (:func:`to_plain`), and the findings the loader
reports (:func:`check_texts`), so what validation says is what the site does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape, unescape
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import markdown
import yaml
from markdown import util
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import RawHtmlPostprocessor
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from .yamlfile import PathKey, YamlDocument

Mode = Literal["inline", "block", "cell"]
"""``inline``: a title or label (only inline constructs; a line starting ``1.`` stays text);
``block``: a description (paragraphs, lists, tables); ``cell``: a rubric cell or descriptor
(as ``block``, but a single paragraph is given without its ``<p>``)."""

Hosts = frozenset[str]
"""Hosts links may lead to, lowercase; an entry also allows its subdomains."""

_MARKUP_CHARS = re.compile(r"[*_`<>\[\]|$\\~&]")
_MARKUP_LINES = re.compile(r"^[ \t]*(?:[-+#]|\d+[.)])|^ {4}|  $|^[=-]+[ \t]*$", re.M)
_LINE_START = frozenset("-+#=0123456789 \t")
"""What could make a text more than plain text: a text without any of these is shown as it
is, without a parse (most texts of a school)."""

_KEPT = frozenset(
    [
        "p",
        "em",
        "strong",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "blockquote",
        "hr",
        "br",
        "a",
        "span",
    ]
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_ALIGN = re.compile(r"text-align: (?:left|right|center);")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*|<!--|<!\w*|<\?")
_MATH = re.compile(r"(?<![\\\w$])\$(?![\s$])((?:[^$\\\n]|\\.)+?)(?<![\s\\])\$(?![\w$])")
_LINK_SCHEMES = frozenset(("mailto", "tel"))
_BLOCK_ONLY = (
    "indent",
    "code",
    "hashheader",
    "setextheader",
    "hr",
    "olist",
    "ulist",
    "quote",
    "reference",
)
"""Python-Markdown's block parsers a title does without (``1. Numbers`` stays a title)."""


def needs_markdown(text: str) -> bool:
    """Whether ``text`` holds anything Markdown would read as more than text (called for every
    text of every page: the cheap tests first)."""
    if _MARKUP_CHARS.search(text):
        return True
    if "\n" not in text and text[:1] not in _LINE_START and not text.endswith("  "):
        return False
    return _MARKUP_LINES.search(text) is not None


MAX_FORMATTED_CHARS = 5_000
"""A longer text is shown as plain text (the longest statement of six real CASE packages has
2,663 characters): Python-Markdown's inline parsing grows with the square of the text, so this
bounds what a 2 MB content file can cost (a few seconds)."""
MAX_NESTING = 20
"""Lists and quotes nested deeper than this are shown as plain text (Python-Markdown parses
each level by recursion: a few hundred would exhaust the stack)."""
MAX_BRACKETS = 200
"""More ``[`` or ``<`` than this in one text and it is shown as plain text (each may start a
link or a tag that Python-Markdown looks for to the end of the text)."""
_NESTED = re.compile(r"^[ \t]*(?:>[ \t]*|(?:[-+*]|\d{1,9}[.)])[ \t]+)+", re.M)


def too_complex(text: str) -> str | None:
    """Why ``text`` is too large or too deeply nested to be read as Markdown, or ``None``.
    Such a text is shown as plain text, so that no content file can make validation or a build
    run for minutes or overflow the stack."""
    if len(text) > MAX_FORMATTED_CHARS:
        return f"it is longer than {MAX_FORMATTED_CHARS:,} characters"
    if text.count("[") > MAX_BRACKETS or text.count("<") > MAX_BRACKETS:
        return f"it holds more than {MAX_BRACKETS} [ or < characters"
    for m in _NESTED.finditer(text):
        head = m.group(0)
        indent = len(head.expandtabs(4)) - len(head.lstrip(" \t").expandtabs(4))
        markers = len(re.findall(r">|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])", head))
        if indent // 4 + markers > MAX_NESTING:
            return f"its lists or quotes are nested more than {MAX_NESTING} levels deep"
    return None


def _formatted(text: str) -> bool:
    """Whether ``text`` is read as Markdown at all."""
    return needs_markdown(text) and _complexity(text) is None


@lru_cache(maxsize=65536)
def _complexity(text: str) -> str | None:
    return too_complex(text)


def allowed_hosts(website: str | None, listed: Iterable[str] = ()) -> Hosts:
    """The school's own host (from ``website``) and the hosts school.yaml allows."""
    hosts = {h.strip().lower().strip(".") for h in listed if h.strip()}
    if website:
        own = urlsplit(website).hostname
        if own:
            hosts.add(own.lower())
    return frozenset(hosts)


def host_allowed(host: str, hosts: Hosts) -> bool:
    host = host.lower().rstrip(".")
    return any(host == h or host.endswith("." + h) for h in hosts)


# -- the findings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something the subset does not allow, and how the site shows it instead."""

    code: str
    """``raw-html``, ``link-not-allowed`` or ``markup-too-complex``."""
    key: str
    """What the message is about: the tag (``<script>``) or the link's host."""
    needle: str
    """The text as written in the content, to find its line and column."""
    occurrence: int
    """Which occurrence of ``needle`` in the text it is (0: the first)."""
    url: str = ""
    image: bool = False


def _message(f: Finding, count: int) -> str:
    many = f"{count} texts in this file hold" if count > 1 else "this text holds"
    first = " (the first is here)" if count > 1 else ""
    if f.code == "raw-html":
        hint = {
            "<br>": "For a line break end the line with two spaces; for a new paragraph leave a blank line.",
            "<sup>": "Write the power as inline math ($x^{2}$) or as text (1/2).",
            "<sub>": "Write it as inline math ($x_{1}$) or as text.",
            "<script>": "Scripts in content are never run.",
        }.get(f.key, "Use Markdown instead (**bold**, *italic*, - for a list, | for a table).")
        return (
            f"{many} the HTML tag {f.key}{first}, which content texts cannot use: the site shows "
            f"it as text, not as formatting. {hint} Or remove the tag."
        )
    if f.code == "markup-too-complex":
        what = f"{count} texts in this file are" if count > 1 else "this text is"
        return (
            f"{what} not read as formatting{first}: {f.key}, so the site shows it as plain "
            "text, its Markdown as written. Shorten it or split it (one statement per target)."
        )
    what = "an image from" if f.image else "a link to"
    if f.key:
        return (
            f"{many} {what} {f.key}{first}, a site school.yaml does not allow: it is shown as "
            f"text, not as a link. If readers may follow it, add '{f.key}' to "
            "allowed_link_hosts in school.yaml; otherwise remove the link."
        )
    return (
        f"{many} {what} '{f.url}'{first}, which is not a web address (https://...): it is "
        "shown as text, not as a link. Write the full address, or remove the link."
    )


# -- Python-Markdown, hardened -----------------------------------------------------------------


class _EscapeRawHtml(RawHtmlPostprocessor):
    """Raw HTML goes back into the page as the text it is (entities stay entities)."""

    def stash_to_string(self, text: str) -> str:
        text = str(text)
        return text if _ENTITY.fullmatch(text) else escape(text.strip("\n"), quote=False)


class _Math(InlineProcessor):
    """``$...$`` as text, before emphasis can read its ``*`` and ``_``."""

    def handleMatch(  # type: ignore[override]  # Python-Markdown's own signature is untyped
        self, m: re.Match[str], data: str
    ) -> tuple[Element, int, int]:
        el = Element("span", {"class": "pf-math"})
        el.text = util.AtomicString(math_text(m.group(1)))
        return el, m.start(0), m.end(0)


class _AllowList(Treeprocessor):
    """The last pass over the parsed text: keep what the subset allows, make the rest text."""

    def __init__(self, md: markdown.Markdown, owner: _Parser) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, root: Element) -> None:
        for el in list(root.iter()):
            if el is not root:
                self.clean(el)

    def clean(self, el: Element) -> None:
        tag = el.tag
        if tag == "a":
            self.link(el, _attr(el, "href"), image=False)
        elif tag == "img":
            self.link(el, _attr(el, "src"), image=True)
        elif tag in _HEADINGS:
            strong = Element("strong")
            strong.text, el.text = el.text, None
            for child in list(el):
                el.remove(child)
                strong.append(child)
            el.tag = "p"
            el.attrib.clear()
            el.append(strong)
        elif tag in ("th", "td"):
            style = el.get("style", "")
            el.attrib.clear()
            if _ALIGN.fullmatch(style):
                el.set("style", style)
        elif tag == "ol":
            start = el.get("start", "")
            el.attrib.clear()
            if start.isdigit():
                el.set("start", start)
        elif tag == "span" and el.get("class") == "pf-math":
            pass
        else:
            if tag not in _KEPT:
                el.tag = "span"
            el.attrib.clear()

    def link(self, el: Element, url: str, *, image: bool) -> None:
        label = _attr(el, "alt") if image else ""
        el.attrib.clear()
        parts = urlsplit(url) if url else None
        host = (parts.hostname or "") if parts else ""
        ok = parts is not None and (
            (parts.scheme in ("http", "https") and host and host_allowed(host, self.owner.hosts))
            or (parts.scheme in _LINK_SCHEMES and not host)
        )
        needle = url or ("![" if image else "[")
        count = self.owner.seen.get(needle, 0)
        self.owner.seen[needle] = count + 1
        if ok:
            el.tag = "span" if self.owner.inline else "a"  # a title is often inside a link
            if not self.owner.inline:
                el.set("href", url)
            if image:
                el.text = label or url.rstrip("/").rsplit("/", 1)[-1] or url
            return
        key = host if parts is not None and parts.scheme in ("http", "https") and host else ""
        self.owner.findings.append(
            Finding("link-not-allowed", key, needle, count, url=url, image=image)
        )
        el.tag = "span"
        text = "".join(el.itertext()).strip() if not image else label
        if image:
            el.text = f"{label} ({url})" if label else url
        elif url and url != text:
            _append_text(el, f" ({url})")


def _attr(el: Element, name: str) -> str:
    """An attribute as written (Python-Markdown keeps ``&`` of automatic mail links masked)."""
    return unescape(el.get(name, "").replace(util.AMP_SUBSTITUTE, "&")).strip()


def _append_text(el: Element, text: str) -> None:
    children = list(el)
    if children:
        children[-1].tail = (children[-1].tail or "") + text
    else:
        el.text = (el.text or "") + text


class _Parser:
    """One configured Markdown instance (they are reused: building one costs more than a
    conversion)."""

    def __init__(self, inline: bool) -> None:
        md = markdown.Markdown(
            extensions=[] if inline else ["tables", "sane_lists"], output_format="html"
        )
        if inline:
            for name in _BLOCK_ONLY:
                md.parser.blockprocessors.deregister(name, strict=False)
            md.preprocessors.deregister("html_block")
        md.postprocessors.register(_EscapeRawHtml(md), "raw_html", 30)
        md.inlinePatterns.register(_Math(_MATH.pattern, md), "pf_math", 185)
        md.treeprocessors.register(_AllowList(md, self), "pf_allow", -10)
        self.md = md
        self.inline = inline
        self.hosts: Hosts = frozenset()
        self.findings: list[Finding] = []
        self.seen: dict[str, int] = {}

    def convert(self, text: str, hosts: Hosts) -> tuple[str, list[Finding]]:
        self.md.reset()
        self.hosts, self.findings, self.seen = hosts, [], {}
        html = self.md.convert(text)
        findings = self.findings
        tags: dict[str, int] = {}
        closing: list[Finding] = []
        for raw in self.md.htmlStash.rawHtmlBlocks:
            raw = str(raw)
            if _ENTITY.fullmatch(raw):
                continue
            for m in _TAG.finditer(raw):
                needle = m.group(0)
                n = tags.get(needle, 0)
                tags[needle] = n + 1
                shown = needle if needle.startswith(("<!", "<?")) else needle.lower() + ">"
                found = Finding("raw-html", shown, needle, n)
                (closing if needle.startswith("</") else findings).append(found)
        if closing and not any(f.code == "raw-html" for f in findings):
            findings.append(closing[0])  # a closing tag alone is still HTML
        return html, findings


_parsers: dict[bool, _Parser] = {}


def _parser(inline: bool) -> _Parser:
    found = _parsers.get(inline)
    if found is None:
        found = _parsers[inline] = _Parser(inline)
    return found


@lru_cache(maxsize=65536)
def _render(text: str, inline: bool, hosts: Hosts) -> tuple[str, tuple[Finding, ...]]:
    html, findings = _parser(inline).convert(text, hosts)
    return html, tuple(findings)


# -- the outputs -------------------------------------------------------------------------------


def to_html(text: str, mode: Mode, hosts: Hosts = frozenset()) -> str:
    """``text`` as safe HTML for the site. A text without Markdown is escaped as it is (an
    inline one) or split into paragraphs at its blank lines."""
    if not _formatted(text):
        return escape(text) if mode == "inline" else paragraphs(escape(text), cell=mode == "cell")
    html, _ = _render(text, mode == "inline", hosts)
    html = html.strip()
    if mode == "inline" or (
        mode == "cell"
        and html.count("<p>") == 1
        and html.startswith("<p>")
        and html.endswith("</p>")
    ):
        html = html.removeprefix("<p>").removesuffix("</p>").replace("</p>\n<p>", " ")
    return html


def paragraphs(escaped: str, *, cell: bool = False) -> str:
    """An escaped text without Markdown as paragraphs (blank lines separate them; a ``cell``
    of one paragraph as it is, as a phrase)."""
    if cell and "\n\n" not in escaped:
        return escaped
    paras = [" ".join(p.split()) for p in escaped.split("\n\n") if p.strip()]
    if cell and len(paras) == 1:
        return paras[0]
    return "".join(f"<p>{p}</p>" for p in paras)


def to_plain(text: str, hosts: Hosts = frozenset(), *, inline: bool = False) -> str:
    """``text`` without markup, for the table of contents, the search index, window titles and
    the PDFs: one line per paragraph, list item (``• ``) or table row (cells between `` | ``);
    ``inline``: read as a title is (one line, ``1.`` at its start kept).
    A text without Markdown is returned as it is."""
    if not _formatted(text):
        return text
    return _plain(text, hosts, inline)


@lru_cache(maxsize=65536)
def _plain(text: str, hosts: Hosts, inline: bool) -> str:
    html, _ = _render(text, inline, hosts)
    reader = _PlainText()
    reader.feed(html)
    reader.close()
    return reader.text()


_BLOCK_HTML = ("<p>", "<ul>", "<ol>", "<table>", "<pre>", "<blockquote>", "<hr>")


def is_block(html: str) -> bool:
    """Whether :func:`to_html`'s ``html`` starts with a block (a ``div`` must hold it, not a
    ``span``)."""
    return html.startswith(_BLOCK_HTML)


def one_line(text: str, hosts: Hosts = frozenset()) -> str:
    """A title as plain text on one line (the window title, a search result)."""
    return " ".join(to_plain(text, hosts, inline=True).split())


def findings(text: str, hosts: Hosts) -> tuple[Finding, ...]:
    """What the subset refuses in ``text`` (read as a description: a superset of a title)."""
    if not needs_markdown(text):
        return ()
    reason = _complexity(text)
    if reason is not None:
        return (Finding("markup-too-complex", reason, text[:1], 0),)
    return _render(text, False, hosts)[1]


class _PlainText(HTMLParser):
    """The words of rendered HTML, with line breaks where blocks end."""

    _BLOCKS = frozenset(("p", "li", "tr", "pre", "blockquote", "table", "ul", "ol", "hr"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[]]
        self.lists: list[int | None] = []
        self.cells = 0
        self.pre = 0

    def newline(self) -> None:
        if self.lines[-1]:
            self.lines.append([])

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS or tag == "br":
            self.newline()
        if tag == "ul":
            self.lists.append(None)
        elif tag == "ol":
            start = dict(attrs).get("start") or "1"
            self.lists.append(int(start) if start.isdigit() else 1)
        elif tag == "li":
            number = self.lists[-1] if self.lists else None
            if number is None:
                self.lines[-1].append("• ")
            else:
                self.lines[-1].append(f"{number}. ")
                self.lists[-1] = number + 1
        elif tag == "tr":
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                self.lines[-1].append(" | ")
            self.cells += 1
        elif tag == "pre":
            self.pre += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag == "pre":
            self.pre -= 1
        if tag in self._BLOCKS:
            self.newline()

    def handle_data(self, data: str) -> None:
        if self.pre:
            for i, part in enumerate(data.split("\n")):
                if i:
                    self.newline()
                self.lines[-1].append(part)
        else:
            self.lines[-1].append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        out = [" ".join("".join(words).split()) for words in self.lines]
        return "\n".join(line for line in out if line)


# -- inline math as text -----------------------------------------------------------------------

_SYMBOLS = {
    "times": "×",
    "div": "÷",
    "cdot": "·",
    "pm": "±",
    "mp": "∓",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "ne": "≠",
    "neq": "≠",
    "approx": "≈",
    "pi": "π",
    "theta": "θ",
    "alpha": "α",
    "beta": "β",
    "infty": "∞",
    "circ": "°",
    "degree": "°",
    "angle": "∠",
    "triangle": "△",
    "perp": "⊥",
    "parallel": "∥",
    "cong": "≅",
    "sim": "∼",
    "lt": "<",
    "gt": ">",
    "left": "",
    "right": "",
    "quad": " ",
    "qquad": " ",
}
_SUPER = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUB = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_SIMPLE = re.compile(r"[\w.]+")


def math_text(tex: str) -> str:
    """Inline TeX as readable text: ``\\frac{3}{x + 1}`` -> ``3/(x + 1)``, ``x^{2}`` -> ``x²``,
    ``\\sqrt{x}`` -> ``√x``, ``\\times`` -> ``×``. A command it does not know is kept as
    written, so nothing is lost."""
    out, _ = _math(tex, 0)
    return " ".join(out.split())


MAX_MATH_DEPTH = 20
"""Braces nested deeper than this are kept as written (each level is a recursive call)."""


def _math(tex: str, i: int, stop: str = "", depth: int = 0) -> tuple[str, int]:
    if depth > MAX_MATH_DEPTH:
        end = tex.find(stop, i) if stop else -1
        return (tex[i:], len(tex)) if end < 0 else (tex[i:end], end + 1)
    out: list[str] = []
    while i < len(tex):
        c = tex[i]
        if c == stop:
            return "".join(out), i + 1
        if c == "{":
            inner, i = _math(tex, i + 1, "}", depth + 1)
            out.append(inner)
        elif c in "^_":
            arg, i = _argument(tex, i + 1, depth)
            table = _SUPER if c == "^" else _SUB
            mapped = arg.translate(table)
            if all(ch != old for ch, old in zip(mapped, arg, strict=True)):
                out.append(mapped)
            else:
                out.append(c + _group(arg))
        elif c == "\\":
            m = re.match(r"[A-Za-z]+", tex[i + 1 :])
            if not m:  # \  \, \{ ... : the character itself (a space for spacing commands)
                nxt = tex[i + 1 : i + 2]
                out.append(" " if nxt in (" ", ",", ";", ":", "!", "") else nxt)
                i += 2
                continue
            name = m.group(0)
            i += 1 + len(name)
            if name == "frac" or name == "dfrac" or name == "tfrac":
                top, i = _argument(tex, i, depth)
                bottom, i = _argument(tex, i, depth)
                if out and out[-1][-1:].isdigit():
                    out.append(" ")
                out.append(f"{_group(top)}/{_group(bottom)}")
            elif name == "sqrt":
                arg, i = _argument(tex, i, depth)
                out.append("√" + _group(arg))
            elif name in ("text", "mathrm", "textrm", "mathbf", "mathit", "operatorname"):
                arg, i = _argument(tex, i, depth)
                out.append(arg)
            elif name in _SYMBOLS:
                out.append(_SYMBOLS[name])
            else:
                out.append("\\" + name)
        else:
            out.append(c)
            i += 1
    return "".join(out), i


def _argument(tex: str, i: int, depth: int) -> tuple[str, int]:
    """A command's argument: a ``{group}`` or the next character."""
    while i < len(tex) and tex[i] == " ":
        i += 1
    if i < len(tex) and tex[i] == "{":
        return _math(tex, i + 1, "}", depth + 1)
    if i < len(tex) and tex[i] == "\\":
        m = re.match(r"\\[A-Za-z]+", tex[i:])
        if m:
            return _math(tex[i : i + len(m.group(0))], 0)[0], i + len(m.group(0))
    return tex[i : i + 1], i + 1


def _group(text: str) -> str:
    text = " ".join(text.split())
    return text if _SIMPLE.fullmatch(text) or len(text) <= 1 else f"({text})"


# -- findings at their line --------------------------------------------------------------------


def check_texts(
    doc: YamlDocument, texts: Iterable[tuple[PathKey, dict[str, str]]], hosts: Hosts
) -> list[Diagnostic]:
    """Warnings for what the subset refuses in a document's texts, each at the line and column
    of the refused text, one per kind of refusal and file (counting the texts)."""
    first: dict[tuple[str, str], tuple[Finding, PathKey]] = {}
    counts: dict[tuple[str, str], int] = {}
    for path, text in texts:
        for lang, value in text.items():
            seen_here: set[tuple[str, str]] = set()
            for f in findings(value, hosts):
                key = (f.code, f.key or f.url)
                if key in seen_here:
                    continue
                seen_here.add(key)
                counts[key] = counts.get(key, 0) + 1
                if key not in first:
                    first[key] = (f, _value_path(doc, path, lang))
    if not first:
        return []
    lines: list[str] | None = None
    out = []
    for key, (f, path) in first.items():
        if lines is None:
            lines = _source_lines(doc)
        line, column = _position(doc, path, f, lines)
        out.append(
            Diagnostic(str(doc.shown), line, column, _message(f, counts[key]), "warning", f.code)
        )
    return out


def _value_path(doc: YamlDocument, path: PathKey, lang: str) -> PathKey:
    """The path of the string itself: a text given per language is a mapping of languages."""
    node = _node(doc.root, path)
    if isinstance(node, yaml.MappingNode):
        return (*path, lang)
    return path


def _node(node: yaml.Node | None, path: PathKey) -> yaml.Node | None:
    for step in path:
        if node is None:
            return None
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif (
            isinstance(node, yaml.SequenceNode)
            and type(step) is int
            and 0 <= step < len(node.value)
        ):
            node = node.value[step]
        else:
            return None
    return node


def _source_lines(doc: YamlDocument) -> list[str]:
    try:
        return doc.path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeError):  # changed since it was read: the value's start will do
        return []


def _position(doc: YamlDocument, path: PathKey, f: Finding, lines: list[str]) -> tuple[int, int]:
    """Where the refused text is written in the file: its occurrence inside the scalar's source
    (any style: plain, quoted, block), else the scalar's start (an escape wrote it)."""
    start = doc.where(path)
    node = _node(doc.root, path)
    if node is None or not lines:
        return start
    first, last = node.start_mark, node.end_mark
    seen = 0
    for n in range(first.line, min(last.line, len(lines) - 1) + 1):
        line = lines[n]
        begin = first.column if n == first.line else 0
        end = last.column if n == last.line else len(line)
        at = line.find(f.needle, begin, end)
        while at >= 0:
            if seen == f.occurrence:
                return n + 1, at + 1
            seen += 1
            at = line.find(f.needle, at + 1, end)
    return start
