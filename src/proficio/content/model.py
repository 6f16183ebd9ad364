"""The content model: plain dataclasses built from validated YAML.

Everything downstream (site pages, scoring, transcripts, interop) reads these objects and never
the YAML, so the rules of the content live in one place (``loader.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

Text = dict[str, str]
"""A reader-facing text: language code -> string (a plain YAML string is stored under the default
language)."""


@dataclass(frozen=True)
class Source:
    """Where a node was written, so every later message can point back at the YAML."""

    file: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Calculation:
    """A calculation method's name and parameters (the math is in ``scoring.py``)."""

    method: str
    weight: int | None = None
    n: int | None = None

    @property
    def params(self) -> dict[str, int]:
        return {k: v for k, v in (("weight", self.weight), ("n", self.n)) if v is not None}


@dataclass(frozen=True)
class CompletionRule:
    """When a level is complete: ``all`` targets, a ``percent`` of them, or ``all_topics``."""

    rule: str = "all"
    percent: int | None = None


DEFAULT_CALCULATION = Calculation("decaying_average", weight=65)
DEFAULT_COMPLETION = CompletionRule("all")


@dataclass(frozen=True)
class CaseRef:
    """Provenance in a 1EdTech CASE framework, so exports and alignments reuse its identifiers."""

    identifier: str
    uri: str | None = None


@dataclass(frozen=True)
class ScorePoint:
    value: Decimal
    label: Text
    descriptor: Text
    at_home: Text = field(default_factory=dict)
    """For families (optional): what they can do at home at this score."""
    ask_teacher: Text = field(default_factory=dict)
    """For families (optional): what they can ask the teacher at this score."""


@dataclass
class Scale:
    id: str
    title: Text
    description: Text
    points: list[ScorePoint]
    """Highest first."""
    threshold: Decimal
    allowed: tuple[Decimal, ...]
    """Scores a teacher may record (every point unless the scale narrows it)."""
    calculation: Calculation | None
    source: Source

    @property
    def minimum(self) -> Decimal:
        return self.points[-1].value

    @property
    def maximum(self) -> Decimal:
        return self.points[0].value

    @property
    def half_points(self) -> bool:
        """Whether any point is fractional (its rubric then prints every point as ``3.0``)."""
        return any(p.value != p.value.to_integral_value() for p in self.points)

    def point(self, value: Decimal) -> ScorePoint | None:
        for p in self.points:
            if p.value == value:
                return p
        return None

    def label_for(self, score: Decimal) -> ScorePoint:
        """The highest point at or below ``score`` (a current score may fall between points)."""
        for p in self.points:
            if p.value <= score:
                return p
        return self.points[-1]


@cache
def anchor(code: str) -> str:
    """The URL fragment of a code on the site (``MA.L3.FR.2`` -> ``ma-l3-fr-2``).

    Built from the stable code, never the title, so links from transcripts and assignments keep
    working when a title changes. Transcripts and the site both use this one function. Cached:
    the loader's uniqueness check and every language's pages ask for the same codes.
    """
    return re.sub(r"[^a-z0-9]+", "-", code.lower()).strip("-")


@dataclass
class Target:
    code: str
    title: Text
    description: Text
    rubric: dict[Decimal, Text]
    scale_id: str
    calculation: Calculation
    source: Source
    case: CaseRef | None = None
    short_title: Text = field(default_factory=dict)
    """A short name ('Target A', 'DOK 2'): a CASE framework's abbreviatedStatement, kept so an
    export gives it back; empty when the target has none."""

    @property
    def anchor(self) -> str:
        return anchor(self.code)


@dataclass
class Topic:
    code: str
    title: Text
    description: Text
    targets: list[Target]
    source: Source
    case: CaseRef | None = None


@dataclass
class Level:
    number: int
    code: str | None
    title: Text
    description: Text
    completion: CompletionRule
    topics: list[Topic]
    source: Source
    case: CaseRef | None = None

    @property
    def slug(self) -> str:
        return f"level-{self.number}"

    @property
    def targets(self) -> list[Target]:
        return [t for topic in self.topics for t in topic.targets]


@dataclass
class Subject:
    code: str
    slug: str
    """The subject's folder name under ``content/subjects/``; also its URL path."""
    title: Text
    description: Text
    order: int | None
    scale_id: str
    calculation: Calculation
    completion: CompletionRule
    levels: list[Level]
    source: Source
    case: CaseRef | None = None


@dataclass
class Registrar:
    name: str
    title: Text
    signature: Path | None


PROFILE_PARTS = ("program", "levels", "graduation", "contact")
"""The parts of a school profile, in the order a transcript prints them."""


@dataclass
class Profile:
    """The school profile (``school.yaml``'s ``profile``): what an admissions reader needs to
    read a competency-based transcript. An absent part is an empty text."""

    program: Text
    levels: Text
    graduation: Text
    contact: Text


@dataclass
class School:
    root: Path
    """The content folder the school was loaded from."""
    name: Text
    short_name: Text
    district: Text
    description: Text
    address: list[str]
    phone: str | None
    email: str | None
    website: str | None
    school_code: str | None
    logo: Path | None
    languages: list[str]
    """Offered languages; the first is the default."""
    registrar: Registrar | None
    seal: Path | None
    calculation: Calculation
    completion: CompletionRule
    scales: dict[str, Scale] = field(default_factory=dict)
    subjects: list[Subject] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    verification_url: str | None = None
    """Where a recipient checks a document by its ID (``school.yaml``'s ``verification_url``):
    printed, and as a QR code, on every transcript and progress report."""
    teacher_comments: bool = True
    """Whether progress reports print teachers' comments from the evidence (``school.yaml``'s
    ``teacher_comments``; a school that does not want them on paper sets it to false)."""
    profile: Profile | None = None
    """Printed on every transcript when ``school.yaml`` has one."""
    link_hosts: tuple[str, ...] = ()
    """Other sites content texts may link to (``school.yaml``'s ``allowed_link_hosts``; each
    host allows its subdomains too); links to any other host are shown as text."""

    @property
    def default_language(self) -> str:
        return self.languages[0]

    def iter_targets(self) -> Iterator[tuple[Subject, Level, Topic, Target]]:
        for subject in self.subjects:
            for level in subject.levels:
                for topic in level.topics:
                    for target in topic.targets:
                        yield subject, level, topic, target

    def scale_of(self, target: Target) -> Scale:
        return self.scales[target.scale_id]

    def text(self, value: Text, lang: str) -> str:
        """``value`` in ``lang``, falling back to the default language (then to any)."""
        return localize(value, lang, self.default_language)[0]


def localize(value: Text, lang: str, default: str) -> tuple[str, str]:
    """Return ``(text, language it is in)``; the language differs from ``lang`` on fallback."""
    if lang in value:
        return value[lang], lang
    if default in value:
        return value[default], default
    for code, text in value.items():
        return text, code
    return "", lang
