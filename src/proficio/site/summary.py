"""A one-page family summary of each level, as a PDF: the level's targets in plain words and the
scale they are scored on (what each score means, the goal marked in words).

Typeset by Typst from ``templates/summary.typ`` (one reused compiler per process: its caches of
fonts and layouts serve every level and language), tagged (PDF/A-2a + PDF/UA-1, with the page's
language) and dated with the content's date at noon UTC, so the same content gives the same
bytes. The type is the largest (10 to 6 pt) that keeps the level on one page, estimated here so
Typst lays each out once (about 8 ms); a level that does not fit even in 6 pt lists its first
targets and says how many more its page has.

Engine-independent like ``pages.py``: :func:`summaries` gives one language's files, which the
MkDocs plugin adds to that language's build; on a large school a second process makes them all
(:func:`work_forward`) while MkDocs renders the pages, the build's own process makes the last
ones once it has (:func:`work_backward`), and the plugin moves them into the staged site.

Each PDF is also kept in a folder beside the site that is never published
(``<site's parent>/.cache/summaries``, :class:`Store`), named by the hash of everything it is
made from (:func:`level_key`) and by the hash of its own bytes: a rebuild typesets only the
levels whose content changed, a damaged entry is noticed and made again, and entries the build
did not use are removed at its end.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import math
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from ..content.model import Level, Scale, School, Subject, Text, localize
from ..errors import ProficioError
from ..support import clock, locale
from ..support.files import write_bytes
from ..support.typesetting import PDF_STANDARDS, font_dirs, forget_layouts, page_count
from .pages import _Writer, language_root, level_url, public_url, summary_name
from .strings import STRINGS, counted, ui

log = logging.getLogger("mkdocs.plugins.proficio")

TEMPLATE = Path(__file__).parent / "templates" / "summary.typ"
PAPER = "us-letter"
MEMO_SIZE = 512
"""PDFs kept by their inputs (``mkdocs serve`` rebuilds, tests): unchanged levels cost nothing."""


def summary_uri(subject: Subject, level: Level, lang: str) -> str:
    """Its address relative to the language's root (``mathematics/level-1/...pdf``)."""
    return level_url(subject, level) + summary_name(subject, level, lang)


@dataclass(frozen=True)
class Summary:
    uri: str
    pdf: bytes
    pages: int


class Typesetter:
    """One Typst compiler for every summary this process makes."""

    def __init__(self) -> None:
        import typst

        try:
            dirs = [str(d) for d in font_dirs()]
        except ProficioError:
            dirs = []
            log.info(
                "The family summaries (PDF) use Typst's built-in fonts: Noto is not installed "
                "(sudo apt-get install fonts-noto-core fonts-noto-cjk, for every script)."
            )
        self.pid = os.getpid()
        self.compiler = typst.Compiler(
            str(TEMPLATE), root=str(TEMPLATE.parent), font_paths=dirs, ignore_system_fonts=True
        )
        self.memo: dict[str, tuple[bytes, int]] = {}

    def compile(self, data: dict[str, Any], day: date) -> tuple[bytes, int]:
        """The PDF of ``data`` and its page count."""
        import typst

        text = json.dumps(data, ensure_ascii=False, sort_keys=True)
        key = hashlib.sha256(f"{day.isoformat()}\n{text}".encode()).hexdigest()
        hit = self.memo.get(key)
        if hit is not None:
            return hit
        try:
            pdf = self.compiler.compile(
                sys_inputs={"data": text},
                pdf_standards=PDF_STANDARDS,
                timestamp=datetime.combine(day, time(12, 0), tzinfo=UTC),
            )
        except typst.TypstError as exc:
            raise ProficioError(
                f"Typst could not lay out the family summary '{data['title']}': {exc.message}"
            ) from exc
        finally:
            forget_layouts()
        assert isinstance(pdf, bytes)
        if len(self.memo) >= MEMO_SIZE:
            self.memo.pop(next(iter(self.memo)))
        out = self.memo[key] = (pdf, page_count(pdf))
        return out


_typesetter: Typesetter | None = None


def typesetter() -> Typesetter:
    """This process's compiler. A forked child refuses to start one once its parent has (the
    parent's Typst threads are not copied by a fork, and may hold its locks): the parent then
    does the child's work itself (``support/forking.py``)."""
    global _typesetter
    if _typesetter is not None and _typesetter.pid != os.getpid():
        raise RuntimeError("Typst was started before this process was forked")
    if _typesetter is None:
        _typesetter = Typesetter()
    return _typesetter


PAGE = (526.9, 706.9)
"""US Letter less the template's margins (1.5 cm each side, 1.3 cm top, 1.7 cm bottom), in pt."""
SIZES = tuple(x / 2 for x in range(20, 11, -1))
"""Type sizes tried, largest first: 10 pt down to 6 pt by halves."""


def _width(text: str) -> float:
    """``text``'s advance in ems, roughly (Noto Sans: about half an em a letter, a full em for
    the wide characters of Chinese, Japanese and Korean)."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return 0.56 * (len(text) - wide) + wide


def _lines(text: str, width: float, size: float) -> int:
    """Lines ``text`` takes in a column ``width`` pt wide (a word wrapped leaves a gap)."""
    return max(1, math.ceil(_width(text) * size * 1.06 / width))


def _height(data: dict[str, Any], size: float) -> float:
    """The estimated height of the page's text at ``size`` pt, as the template lays it out."""
    data = _flat(data)
    width = PAGE[0]

    def para(text: str, scale: float = 1.0, w: float = width) -> float:
        n = _lines(text, w, size * scale)
        return size * scale * (n * 1.2 - 0.45) + size * 0.6

    h = para(data["school"]) + para(data["level"], 1.6) + size * 0.8
    if data["description"]:
        h += para(data["description"])
    h += para(data["completion"]) + para(data["targets_heading"], 1.2) + size * 1.35
    for topic in data["topics"]:
        h += para(topic["title"]) + size * 0.9
        for t in topic["targets"]:
            h += para(f"{t['code']} {t['title']}", w=width - 1.6 * size) - size * 0.3
    if data["more"]:
        h += para(data["more"])
    for scale in data["scales"]:
        h += para(scale["heading"], 1.2) + size * 1.35 + para(scale["intro"])
        heads = [
            f"{p['value']} {p['label']}{data['goal_word'] if p['goal'] else ''}"
            for p in scale["points"]
        ]
        first = min(
            max(_width(x) for x in [data["score_word"], *heads]) * size * 1.05 + 8, width / 2
        )
        rows = [(data["score_word"], data["meaning_word"])]
        rows += [(x, p["meaning"]) for x, p in zip(heads, scale["points"], strict=True)]
        for head, meaning in rows:
            n = max(_lines(head, first - 8, size), _lines(meaning, width - first - 8, size))
            h += size * (n * 1.2 - 0.45) + 5.4
    return h


def _flat(node: Any) -> Any:
    """``node`` with every :data:`Shown` text as its plain string (for :func:`_height`)."""
    if isinstance(node, dict):
        if node.keys() == {"text", "lang"}:
            return node["text"]
        return {k: _flat(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_flat(v) for v in node]
    return node


def fitting_size(data: dict[str, Any]) -> float:
    """The largest of :data:`SIZES` at which the estimate fits the page (else the smallest)."""
    for size in SIZES:
        if _height(data, size) <= PAGE[1]:
            return size
    return SIZES[-1]


Shown = str | dict[str, str]
"""A text as the template shows it: a string in the page's language, or ``{"text", "lang"}``
for one shown in another language until translated (tagged with its own language)."""


@dataclass
class _Texts:
    """The level's texts in the reader's language, plain, each marked with its language when it
    falls back to another."""

    w: _Writer
    school: School

    def __call__(self, value: Text, *, inline: bool = True) -> Shown:
        words = " ".join(self.w.plain(value, inline=inline).split())
        used = localize(value, self.w.lang, self.school.default_language)[1]
        return words if used == self.w.lang or not words else {"text": words, "lang": used}

    def say(self, key: str, **values: object) -> Shown:
        words, used = ui(self.w.lang, key)
        words = words.format(**values)
        return words if used == self.w.lang else {"text": words, "lang": used}


def level_data(
    school: School, subject: Subject, level: Level, lang: str, day: date, w: _Writer | None = None
) -> dict[str, Any]:
    """What the template prints for one level in ``lang``: plain text only (:data:`Shown`)."""
    w = w or _Writer(school, lang)
    t = _Texts(w, school)
    url = level_url(subject, level)
    address = public_url(school, url, lang) or "/" + language_root(school, lang) + url
    scales: dict[str, Scale] = {}
    for target in level.targets:
        scales.setdefault(target.scale_id, school.scale_of(target))
    base, _, region = lang.partition("-")
    rule = level.completion
    title = w.ui_plain("level_of", subject=w.plain(subject.title), level=w.level_title(level))
    return {
        "title": w.ui_plain("summary_title", level=title),
        "author": w.plain(school.name),
        "school": t(school.name),
        "subject": t(subject.title),
        "level": t(level.title) if level.title else t.say("level_n", n=level.number),
        "lang": base.lower(),
        "region": region.upper() if len(region) == 2 else None,
        "paper": PAPER,
        "address": address,
        "dated": t.say("summary_dated", date=locale.long_date(day, lang)),
        "description": t(level.description, inline=False),
        "completion": t.say(f"completion.{rule.rule}", p=locale.percent(rule.percent or 100, lang)),
        "targets_heading": t.say("summary_targets"),
        "topics": [
            {
                "title": t(topic.title),
                "targets": [{"code": x.code, "title": t(x.title)} for x in topic.targets],
            }
            for topic in level.topics
        ],
        "more": "",
        "score_word": t.say("score"),
        "meaning_word": t.say("meaning"),
        "goal_word": t.say("goal"),
        "scales": [_scale(t, scale) for scale in scales.values()],
    }


def _scale(t: _Texts, scale: Scale) -> dict[str, Any]:
    w = t.w
    point = scale.point(scale.threshold)
    return {
        "heading": t.say("summary_scale", scale=w.plain(scale.title)),
        "intro": t.say(
            "threshold",
            score=w.point(scale.threshold, scale),
            label=w.plain(point.label) if point else "",
        ),
        "points": [
            {
                "value": w.point(p.value, scale),
                "label": t(p.label),
                "goal": p.value == scale.threshold,
                "meaning": t(p.descriptor, inline=False),
            }
            for p in scale.points
        ],
    }


def level_summary(
    school: School, subject: Subject, level: Level, lang: str, day: date, w: _Writer | None = None
) -> Summary:
    """The level's one-page summary in ``lang``, dated ``day`` (the content's date): in the
    largest type that fits, one layout when the estimate holds (:func:`fitting_size`)."""
    w = w or _Writer(school, lang)
    data = level_data(school, subject, level, lang, day, w)
    uri = summary_uri(subject, level, lang)
    key = level_key(data, lang, day)
    kept = STORE.get(key)
    if kept is not None:
        return Summary(uri, kept, page_count(kept))
    STORE.typeset.add(key)
    data["size"] = fitting_size(data)
    pdf, pages = typesetter().compile(data, day)
    while pages > 1 and data["size"] > SIZES[-1]:  # the estimate was short: a size smaller
        data["size"] -= 0.5
        pdf, pages = typesetter().compile(data, day)
    if pages > 1:  # even the smallest type overflows: the first targets, and where the rest are
        pdf, pages = _shortened(w, data, day)
    STORE.put(key, pdf)
    return Summary(uri, pdf, pages)


def _shortened(w: _Writer, data: dict[str, Any], day: date) -> tuple[bytes, int]:
    """The first targets that fit, and a line saying how many the level's page has."""
    topics = data["topics"]
    total = sum(len(t["targets"]) for t in topics)

    def trimmed(keep: int) -> dict[str, Any]:
        shown, left = [], keep
        for topic in topics:
            if left <= 0:
                break
            shown.append({**topic, "targets": topic["targets"][:left]})
            left -= len(topic["targets"])
        more = _Texts(w, w.school).say(
            "summary_more",
            shown=locale.count(keep, w.lang),
            total=w.ui_plain(counted(w.lang, "targets_n", total), n=locale.count(total, w.lang)),
            address=data["address"],
        )
        return {**data, "topics": shown, "more": more}

    keep = total - 1
    while keep > 1 and _height(trimmed(keep), SIZES[-1]) > PAGE[1]:
        keep = keep * 9 // 10
    pdf, pages = typesetter().compile(trimmed(keep), day)
    while pages > 1 and keep > 1:
        keep = keep * 9 // 10
        pdf, pages = typesetter().compile(trimmed(keep), day)
    return pdf, pages


# -- kept between builds ----------------------------------------------------------------------

STORE_VERSION = 1
"""Bumped when what an entry holds changes: every older entry is then made again."""


@functools.cache
def _environment() -> str:
    """The hash of what every summary's bytes depend on besides its level's texts: the
    template folder's bytes, the fonts (each file's name, size and modification time), the
    typst package's version, the PDF standards and paper, and the code that sizes and trims the
    page and formats its numbers and dates (this module, ``support/locale.py``)."""
    h = hashlib.sha256(f"proficio-summary {STORE_VERSION}\n".encode())
    for path in sorted(TEMPLATE.parent.rglob("*")):
        if path.is_file():
            h.update(f"{path.relative_to(TEMPLATE.parent)}\0".encode() + path.read_bytes())
    h.update(Path(__file__).read_bytes() + Path(locale.__file__).read_bytes())
    try:
        version = importlib.metadata.version("typst")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    h.update(f"\0typst {version}\0{PDF_STANDARDS}\0{PAPER}\0".encode())
    try:
        dirs = font_dirs()
    except ProficioError:
        dirs = []  # Typst's built-in fonts: the typst version names them
    for folder in dirs:
        for font in sorted(folder.rglob("*")):
            try:
                st = font.stat()
            except OSError:
                continue
            if font.is_file():
                h.update(f"{font}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@functools.cache
def _strings_hash(lang: str) -> str:
    """The hash of the sentences a shortened page may add in ``lang`` (and English's)."""
    table = {"en": STRINGS["en"], lang: STRINGS.get(lang, {})}
    return hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest()


def level_key(data: dict[str, Any], lang: str, day: date) -> str:
    """The hash of everything one level's PDF is made from: its texts (``data``, from
    :func:`level_data`), its language, its date and :func:`_environment`."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    words = f"{_environment()}\n{_strings_hash(lang)}\n{lang}\n{day.isoformat()}\n{text}"
    return hashlib.sha256(words.encode()).hexdigest()


ENTRY = re.compile(r"([0-9a-f]{64})-([0-9a-f]{64})\.pdf")
"""A kept PDF: ``<level_key>-<sha256 of the PDF's bytes>.pdf``."""


class Store:
    """The PDFs of earlier builds, by :func:`level_key` (a folder; none: nothing kept).

    An entry is used only if its bytes still have the hash its name says (a truncated or
    damaged file is made again, and replaced); new entries are written whole or not at all
    (``support/files.py``). :attr:`typeset` and :attr:`taken` are the keys of the current
    build's summaries this process typeset and took from the store; :attr:`used` names the
    entries it needed."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.entries: dict[str, str] = {}
        self.used: set[str] = set()
        self.typeset: set[str] = set()
        self.taken: set[str] = set()
        if folder is not None:
            try:
                names = os.listdir(folder)
            except OSError:
                names = []
            for name in names:
                m = ENTRY.fullmatch(name)
                if m:
                    self.entries[m.group(1)] = name

    def get(self, key: str) -> bytes | None:
        name = self.entries.get(key)
        if self.folder is None or name is None:
            return None
        try:
            pdf = (self.folder / name).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(pdf).hexdigest() != name[65:129]:
            log.info(f"A kept family summary was damaged ({self.folder / name}): made again.")
            return None
        self.used.add(name)
        self.taken.add(key)
        return pdf

    def put(self, key: str, pdf: bytes) -> None:
        if self.folder is None:
            return
        name = f"{key}-{hashlib.sha256(pdf).hexdigest()}.pdf"
        old = self.entries.get(key)
        try:
            write_bytes(self.folder / name, pdf, private=False)
            if old is not None and old != name:
                (self.folder / old).unlink(missing_ok=True)
        except OSError as exc:  # a cache that cannot be written only costs the next build
            log.info(f"The family summaries cannot be kept for the next build ({exc}).")
            self.folder = None
            return
        self.entries[key] = name
        self.used.add(name)

    def prune(self, used: set[str]) -> int:
        """Remove every entry (and any leftover partial file) not in ``used``; how many."""
        if self.folder is None:
            return 0
        removed = 0
        try:
            names = os.listdir(self.folder)
        except OSError:
            return 0
        for name in names:
            if name not in used:
                try:
                    (self.folder / name).unlink()
                    removed += 1
                except OSError:
                    pass
        self.entries = {k: v for k, v in self.entries.items() if v in used}
        return removed

    @property
    def compiled(self) -> int:
        """Summaries typeset (each once, even where both processes made it)."""
        return len(self.typeset)

    @property
    def reused(self) -> int:
        """Summaries taken from the store."""
        return len(self.taken - self.typeset)


STORE = Store()
"""This process's store: the plugin opens the build's (:func:`open_store`)."""


def open_store(folder: Path | None) -> Store:
    """Start a build's count, reading ``folder``'s entries (none: nothing is kept)."""
    global STORE
    STORE = Store(folder)
    return STORE


def summaries(school: School, lang: str, days: dict[str, date]) -> list[Summary]:
    """Every level's summary in ``lang``; ``days`` gives each level page's date by URL (the
    content's last change; a level missing from it takes the build's date)."""
    w = _Writer(school, lang)
    today = clock.today()
    out = []
    for subject in school.subjects:
        for level in subject.levels:
            day = days.get(level_url(subject, level), today)
            out.append(level_summary(school, subject, level, lang, day, w))
    return out


# -- a large school: a second process makes them while MkDocs renders the pages ---------------


@dataclass(frozen=True)
class Job:
    """One summary to make: a level (by its subject's and its own place) in a language."""

    lang: str
    subject: int
    level: int


def jobs(school: School) -> list[Job]:
    """Every summary of the site, language by language."""
    return [
        Job(lang, si, li)
        for lang in school.languages
        for si, subject in enumerate(school.subjects)
        for li in range(len(subject.levels))
    ]


def make(school: School, job: Job, days: dict[str, date], writers: dict[str, _Writer]) -> Summary:
    subject = school.subjects[job.subject]
    level = subject.levels[job.level]
    w = writers.get(job.lang) or writers.setdefault(job.lang, _Writer(school, job.lang))
    day = days.get(level_url(subject, level), clock.today())
    return level_summary(school, subject, level, job.lang, day, w)


def made_file(scratch: Path, index: int) -> Path:
    return scratch / f"{index}.pdf"


@dataclass(frozen=True)
class Made:
    """What one process's share of :func:`work_forward` / :func:`work_backward` did."""

    made: int
    """Summaries written to the scratch folder."""
    typeset: frozenset[str]
    taken: frozenset[str]
    """The keys of those it typeset and of those it took from the :class:`Store`."""
    used: frozenset[str]
    """The store's entries this process used or wrote."""
    pid: int


def _work(
    school: School, todo: list[Job], days: dict[str, date], scratch: Path, order: range, stop: bool
) -> Made:
    writers: dict[str, _Writer] = {}
    made = 0
    for i in order:
        path = made_file(scratch, i)
        if path.exists():
            if stop:
                break
            continue
        write_bytes(path, make(school, todo[i], days, writers).pdf, private=False)
        made += 1
    return Made(
        made, frozenset(STORE.typeset), frozenset(STORE.taken), frozenset(STORE.used), os.getpid()
    )


def work_forward(school: School, todo: list[Job], days: dict[str, date], scratch: Path) -> Made:
    """Make the summaries in order into ``scratch`` (``<index>.pdf``), skipping any already
    there (made by :func:`work_backward`, from the other end)."""
    return _work(school, todo, days, scratch, range(len(todo)), stop=False)


def work_backward(school: School, todo: list[Job], days: dict[str, date], scratch: Path) -> Made:
    """Make the summaries from the last one back until one :func:`work_forward` has made (it
    made every one before it). Where both make the same one at the meeting point, the bytes
    are the same: either write is right."""
    return _work(school, todo, days, scratch, range(len(todo) - 1, -1, -1), stop=True)
