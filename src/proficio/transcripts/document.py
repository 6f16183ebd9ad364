"""From a scored student to the JSON the Typst templates print.

Everything the templates show is decided here, in plain Python: which levels appear, the words
in the reader's language, dates and scores as text, links. The templates only lay it out, and
get every string as a JSON value (``sys.inputs``), so nothing a roster holds is ever markup.
Every roster string reaches them as a :func:`person` object, never a bare string, so no template
can set one among its own words without isolating it (a bare object in a template is an error).
The school's part (names, legend, UI words) is built once per run and language; per student only
the scores are formatted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from babel.lists import format_list

from .. import scoring
from ..content import markup
from ..content.model import (
    PROFILE_PARTS,
    Calculation,
    CompletionRule,
    Level,
    School,
    Subject,
    Target,
    Text,
    Topic,
    anchor,
)
from ..content.model import localize as localized
from ..evidence.records import Evidence, origin_note
from ..scoring.methods import Rule
from ..scoring.progress import Progress, closeness, facts
from ..scoring.results import StudentResult, SubjectResult, TargetResult
from ..site.pages import level_url, public_url
from ..support import locale
from ..support.bidi import direction, isolate, plain
from . import strings

KINDS = ("transcript", "progress")
DETAILS = ("targets", "topics")
PAPERS = {"letter": "us-letter", "a4": "a4"}

Explain = Callable[..., str]
"""``explain(method, scores, lang=..., **params) -> str``: the one-line arithmetic of a
calculation; :func:`proficio.scoring.explain` unless a caller supplies another."""


@dataclass(frozen=True)
class Options:
    """What a run prints; the same for every student of the run."""

    kind: str = "transcript"
    paper: str = "letter"
    unofficial: bool = False
    issued: date = date(1970, 1, 1)
    language: str | None = None
    """Transcripts: the language to print in (default: the school's). Progress reports always
    follow each family's language."""
    detail: str = "targets"
    """Transcripts: a row per learning target, or (``topics``) one per measurement topic."""


def name_hint(text: str) -> str | None:
    """Which CJK face suits a name: kana means Japanese, hangul Korean, other Han Chinese."""
    han = False
    for ch in text:
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF:
            return "ja"
        if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            return "ko"
        if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FFFF:
            han = True
    return "zh" if han else None


_SCRIPT_LANGUAGES = (
    (0x0590, 0x05FF, "he"),
    (0x0600, 0x06FF, "ar"),
    (0x0750, 0x077F, "ar"),
    (0x0370, 0x03FF, "el"),
    (0x0400, 0x04FF, "ru"),
    (0x0900, 0x097F, "hi"),
    (0x0E00, 0x0E7F, "th"),
)
"""A script's most used language, for a name in that script."""


def name_language(text: str) -> str | None:
    """The language a screen reader should read a name in (the PDF's ``/Lang`` on its span):
    from its script, the script's most used language (a name says no more: a Cyrillic name is
    read as Russian, which at least reads its letters as Cyrillic); ``None`` for a Latin-script
    name, which the document's own language reads."""
    hint = name_hint(text)
    if hint:
        return hint
    for ch in text:
        cp = ord(ch)
        for low, high, lang in _SCRIPT_LANGUAGES:
            if low <= cp <= high:
                return lang
    return None


def clean(text: str) -> str:
    """Runs of whitespace (tabs, line breaks from a quoted CSV cell) become one space, and
    explicit direction controls go (:func:`proficio.support.bidi.plain`)."""
    return " ".join(plain(text).split())


def person(text: str, *, exact: bool = False) -> dict[str, Any]:
    """A roster string as the templates print it: ``person()`` in ``common.typ`` boxes it, in
    its own direction, so it cannot reverse or reorder the document's words around it.
    ``exact`` (IDs) keeps its spacing: an ID is printed as the roster has it."""
    shown = plain(text) if exact else clean(text)
    return {
        "student": shown,
        "dir": direction(shown),
        "hint": name_hint(shown),
        "lang": None if exact else name_language(shown),
    }


def document_language(school: School, requested: str | None) -> str:
    """``requested`` if the school offers it (``es-MX`` counts as ``es``), else the default."""
    if requested:
        req = requested.strip().lower().replace("_", "-")
        for lang in school.languages:
            if lang.lower() == req:
                return lang
        for lang in school.languages:
            if lang.lower() == req.split("-")[0]:
                return lang
    return school.default_language


FOCUS = 3
"""How many next targets a progress report marks "focus": the closest to proficiency."""


def language_name(code: str, lang: str) -> str:
    """``code``'s name as a reader of ``lang`` writes it (CLDR's, through Babel): "inglés"."""
    name = locale.locale(lang).languages.get(code.replace("-", "_"))
    return str(name) if name else code


def territory_line(line: str, default: str, lang: str) -> str:
    """An address line that is a country's name in the school's ``default`` language
    ("United States"), in ``lang`` ("Estados Unidos", "Hoa Kỳ"); any other line as it is."""
    source, target = locale.locale(default), locale.locale(lang)
    if source == target:
        return line
    wanted = line.strip().casefold()
    for code, name in source.territories.items():
        if name.casefold() == wanted and len(code) == 2 and code.isalpha():
            return str(target.territories.get(code, line))
    return line


def or_list(items: list[str], lang: str) -> str:
    """``a or b`` in ``lang`` (CLDR's list pattern)."""
    if len(items) < 2:
        return "".join(items)
    return format_list(items, style="or", locale=locale.locale(lang))


def short_address(url: str) -> str:
    """A web address as a family types it from paper: no ``https://``, no ``www.``."""
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
    return url.removeprefix("www.")


def latest_comment(evidence: list[Evidence]) -> Evidence | None:
    """The latest score that carries a teacher's comment."""
    for e in reversed(evidence):
        if e.comment and e.comment.strip():
            return e
    return None


@dataclass
class _TargetInfo:
    subject: Subject
    level: Level
    topic: Topic
    target: Target


@dataclass
class Catalog:
    """The school's content indexed and pre-translated, built once per worker process."""

    school: School
    options: Options
    targets: dict[str, _TargetInfo] = field(default_factory=dict)
    subjects: dict[str, Subject] = field(default_factory=dict)
    _common: dict[str, dict[str, Any]] = field(default_factory=dict)
    _text: dict[tuple[int, str], str] = field(default_factory=dict)
    _fixed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    _shown_scores: dict[tuple[str, Decimal, str], tuple[str, str, str | None]] = field(
        default_factory=dict
    )
    _dates: dict[tuple[date, str], str] = field(default_factory=dict)
    _rules: dict[str, Rule] = field(default_factory=dict)
    _foreign: dict[tuple[str, str, str], frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for subject, level, topic, target in self.school.iter_targets():
            self.targets[target.code] = _TargetInfo(subject, level, topic, target)
        self.subjects = {s.code: s for s in self.school.subjects}

    def text(self, value: dict[str, str], lang: str) -> str:
        """A content text in ``lang``, as plain text: its Markdown (emphasis, lists, tables,
        math) taken out, never printed as markup (a list item is a line starting with •)."""
        key = (id(value), lang)
        out = self._text.get(key)
        if out is None:
            hosts = markup.allowed_hosts(self.school.website, self.school.link_hosts)
            out = self._text[key] = markup.to_plain(self.school.text(value, lang), hosts)
        return out

    def shown_in(self, value: Text, lang: str) -> str:
        """The language ``value`` prints in for a ``lang`` reader: ``lang``, or a fallback."""
        return localized(value, lang, self.school.default_language)[1] if value else lang

    def lang_of(self, value: Text, lang: str) -> str | None:
        """The language ``value`` prints in when it is not ``lang`` (its fallback: an
        untranslated title), else ``None``. Sent beside the text as ``<field>_lang``, so the
        template sets /Lang on that span only (``in-lang`` in ``common.typ``)."""
        shown = self.shown_in(value, lang)
        return shown if shown != lang else None

    def untranslated(self, shown: Iterable[tuple[str, str]], lang: str) -> list[str]:
        """The languages other than ``lang`` that a document prints the school's own texts in
        (the letterhead, titles, labels, descriptors): its untranslated content. ``shown`` is
        ``(code, how)`` for every target it prints: ``"row"`` a title and a label, ``"topic"``
        also the topic's title (transcripts), ``"next"`` also what proficient looks like."""
        out: set[str] = set(self._foreign_common(lang))
        for code, how in shown:
            out |= self._foreign_of(code, lang, how)
        return sorted(out)

    def _foreign_common(self, lang: str) -> frozenset[str]:
        key = ("", lang, "")
        found = self._foreign.get(key)
        if found is None:
            school = self.school
            texts = [school.name, school.district]
            texts += [s.title for s in school.subjects]
            texts += [lv.title for s in school.subjects for lv in s.levels]
            if school.registrar:
                texts.append(school.registrar.title)
            if school.profile and self.options.kind == "transcript":  # printed there only
                texts += [getattr(school.profile, k) for k in PROFILE_PARTS]
            found = self._foreign[key] = self._languages(texts, lang)
        return found

    def _foreign_of(self, code: str, lang: str, how: str) -> frozenset[str]:
        key = (code, lang, how)
        found = self._foreign.get(key)
        if found is None:
            info = self.targets[code]
            scale = self.school.scale_of(info.target)
            texts = [info.target.title, *(p.label for p in scale.points)]
            if how == "topic":
                texts.append(info.topic.title)
            if how == "next":
                rubric = info.target.rubric.get(scale.threshold)
                point = scale.point(scale.threshold)
                texts.append(rubric or (point.descriptor if point else {}))
            found = self._foreign[key] = self._languages(texts, lang)
        return found

    def _languages(self, texts: list[Text], lang: str) -> frozenset[str]:
        return frozenset(x for t in texts if t and (x := self.shown_in(t, lang)) != lang)

    def untranslated_note(self, languages: list[str], lang: str) -> str | None:
        """The one line that says, in the reader's language, which texts are not theirs."""
        if not languages:
            return None
        return strings.ui(lang)["untranslated"].format(
            language=language_name(lang, lang),
            original=or_list([language_name(x, lang) for x in languages], lang),
        )

    def rule(self, code: str) -> Rule:
        found = self._rules.get(code)
        if found is None:
            target = self.targets[code].target
            found = self._rules[code] = Rule.of(target.calculation, self.school.scale_of(target))
        return found

    def progress(self, tr: TargetResult) -> Progress:
        """What exists on the target: :func:`proficio.scoring.progress.facts`."""
        scores = [e.score for e in tr.evidence]
        return facts(self.rule(tr.code), scores, [e.date for e in tr.evidence], score=tr.score)

    def url(self, subject: Subject, level: Level, code: str, lang: str) -> str | None:
        """The target's rubric on the public site, by the site's own URL scheme."""
        return public_url(self.school, f"{level_url(subject, level)}#{anchor(code)}", lang)

    def language_for(self, result: StudentResult) -> str:
        if self.options.kind == "progress":
            return document_language(self.school, result.student.language)
        return document_language(self.school, self.options.language)

    # -- the school's part: one per language ----------------------------------------------

    def common(self, lang: str) -> dict[str, Any]:
        cached = self._common.get(lang)
        if cached is None:
            cached = self._common[lang] = self._build_common(lang)
        return cached

    def _build_common(self, lang: str) -> dict[str, Any]:
        school, opts = self.school, self.options
        t = strings.ui(lang)
        name = self.text(school.name, lang)
        contact = [territory_line(a, school.default_language, lang) for a in school.address]
        if school.phone:
            contact.append(school.phone)
        if school.email:
            contact.append(school.email)
        if school.website:
            # the site in the reader's language (its root for the school's own)
            contact.append((public_url(school, "", lang) or school.website).rstrip("/"))
        registrar = school.registrar
        scales = sorted(
            {school.scale_of(info.target).id for info in self.targets.values()},
            key=list(school.scales).index,
        )
        legend = []
        for sid in scales:
            scale = school.scales[sid]
            at = scale.point(scale.threshold)
            keep = 1 if scale.half_points else 0  # the precision rule: 3.0 on half points
            used_by = []
            for info in self.targets.values():
                title = self.text(info.subject.title, lang)
                if info.target.scale_id == sid and title not in used_by:
                    used_by.append(title)
            legend.append(
                {
                    "title": self.text(scale.title, lang),
                    "title_lang": self.lang_of(scale.title, lang),
                    "used_by": t["used_by"].format(subjects=locale.join(used_by, lang)),
                    "description": self.text(scale.description, lang),
                    "description_lang": self.lang_of(scale.description, lang),
                    "points": [
                        {
                            "value": locale.number(p.value, lang, keep=keep),
                            "label": self.text(p.label, lang),
                            "label_lang": self.lang_of(p.label, lang),
                            "descriptor": self.text(p.descriptor, lang),
                            "descriptor_lang": self.lang_of(p.descriptor, lang),
                        }
                        for p in scale.points
                    ],
                    "proficient": t["proficient_means"].format(
                        threshold=locale.number(scale.threshold, lang, keep=keep),
                        descriptor=self.text(at.descriptor, lang) if at else "",
                    ),
                }
            )
        subject_legend = self._subject_legend(lang)
        methods: list[Calculation] = []
        for info in self.targets.values():
            if info.target.calculation not in methods:
                methods.append(info.target.calculation)
        return {
            "lang": lang,
            "paper": PAPERS[opts.paper],
            "unofficial": opts.unofficial,
            "author": name,
            "t": t,
            "school": {
                "name": name,
                "name_lang": self.lang_of(school.name, lang),
                "district": self.text(school.district, lang),
                "district_lang": self.lang_of(school.district, lang),
                "contact": contact,
                "logo": "assets/logo" + school.logo.suffix.lower() if school.logo else None,
                "logo_alt": t["logo_alt"].format(school=name),
                "seal": "assets/seal" + school.seal.suffix.lower() if school.seal else None,
                "seal_alt": t["seal_alt"].format(school=name),
            },
            "registrar": {
                "name": registrar.name if registrar else "",
                "title": self.text(registrar.title, lang) if registrar else "",
                "title_lang": self.lang_of(registrar.title, lang) if registrar else None,
                "signature": (
                    "assets/signature" + registrar.signature.suffix.lower()
                    if registrar and registrar.signature
                    else None
                ),
                "signature_alt": t["signature_alt"].format(
                    name=registrar.name if registrar else ""
                ),
            },
            "legend": legend,
            "subject_legend": subject_legend,
            "methods": [strings.method_sentence(m, lang) for m in methods],
            "evidence_note": t["evidence_note"],
            "links_note": (
                t["links_note"].format(site=school.website.rstrip("/")) if school.website else None
            ),
            "contact": (
                t["questions"].format(
                    contact=or_list([x for x in (school.email, school.phone) if x], lang)
                )
                if (school.email or school.phone)
                else None
            ),
            "site": (
                {"url": site, "short": short_address(site.rstrip("/"))}
                if (site := public_url(school, "", lang))
                else None
            ),
            "site_note": t["site_note"] if school.website else None,
            "profile": self.profile(lang) if opts.kind == "transcript" else None,
        }

    def profile(self, lang: str) -> dict[str, Any] | None:
        """The school profile (``school.yaml``): its parts that have a text, each as paragraphs
        of lines (a list item is a line of its own) with the language it prints in when that
        is not ``lang`` (an untranslated part: /Lang on its span); ``None`` when it has none."""
        profile = self.school.profile
        if profile is None:
            return None
        t = strings.ui(lang)
        parts = []
        for key in PROFILE_PARTS:
            text = self.text(getattr(profile, key), lang)
            paragraphs = [
                [line.strip() for line in p.splitlines() if line.strip()]
                for p in text.split("\n\n")
                if p.strip()
            ]
            if paragraphs:
                shown = self.shown_in(getattr(profile, key), lang)
                parts.append(
                    {
                        "title": t[f"profile_{key}"],
                        "paragraphs": paragraphs,
                        "lang": shown if shown != lang else None,
                    }
                )
        if not parts:
            return None
        return {"title": t["profile"], "parts": parts}

    def _subject_legend(self, lang: str) -> list[dict[str, Any]]:
        """Per subject that has targets: its scale, its calculation and its completion rule,
        each one plain sentence; a method or rule that only some targets or levels use is
        named with them, so nothing unused is listed and nothing used is left out."""
        t = strings.ui(lang)
        out = []
        for subject in self.subjects.values():
            infos = [i for i in self.targets.values() if i.subject is subject]
            if not infos:
                continue
            scales: list[str] = []
            calcs: dict[Calculation, list[str]] = {}
            for info in infos:
                scale = self.text(self.school.scale_of(info.target).title, lang)
                if scale not in scales:
                    scales.append(scale)
                calcs.setdefault(info.target.calculation, []).append(info.target.code)
            rules: dict[CompletionRule, list[str]] = {}
            for level in subject.levels:
                if any(i.level is level for i in infos):
                    rules.setdefault(level.completion, []).append(self.text(level.title, lang))
            method = [
                self._for(strings.method_sentence(c, lang), codes, len(calcs), lang)
                for c, codes in calcs.items()
            ]
            rule = [
                self._for(strings.rule_sentence(r, lang), titles, len(rules), lang)
                for r, titles in rules.items()
            ]
            out.append(
                {
                    "title": self.text(subject.title, lang),
                    "title_lang": self.lang_of(subject.title, lang),
                    "scale": t["legend_scale"].format(scale=locale.join(scales, lang)),
                    "method": " ".join(method),
                    "rule": " ".join(rule),
                }
            )
        return out

    @staticmethod
    def _for(sentence: str, names: list[str], groups: int, lang: str) -> str:
        """``sentence``, prefixed with the targets or levels it is for when it is one of several."""
        if groups < 2:
            return sentence
        return strings.ui(lang)["legend_for"].format(
            codes=locale.join(names, lang), sentence=sentence
        )

    def content_strings(self, lang: str) -> Iterator[tuple[str, str]]:
        """``(where, text)`` for every content string a document in ``lang`` may print."""
        yield from _walk(self.common(lang), "school")
        for code, info in self.targets.items():
            yield code, self.text(info.target.title, lang)
            yield code, self.text(info.topic.title, lang)
            yield code, self.text(info.level.title, lang)
            yield code, self.text(info.subject.title, lang)
            yield code, self.descriptor(info, lang)

    def descriptor(self, info: _TargetInfo, lang: str) -> str:
        """What proficient looks like on this target: its rubric at the threshold, else the
        scale's generic descriptor."""
        value = self.descriptor_text(info)
        return self.text(value, lang) if value else ""

    def descriptor_text(self, info: _TargetInfo) -> Text:
        """The content text :meth:`descriptor` prints, in every language it has."""
        scale = self.school.scale_of(info.target)
        rubric = info.target.rubric.get(scale.threshold)
        if rubric:
            return rubric
        point = scale.point(scale.threshold)
        return point.descriptor if point else {}

    # -- the student's part ---------------------------------------------------------------

    def student_facts(self, result: StudentResult, lang: str) -> list[dict[str, Any]]:
        """The identity block as fixed slots, two a row: each fact has its own place whether
        or not the roster gives the others (an absent one is an empty slot, its label kept for
        the layout but not printed), so a preferred
        name or a name in Latin letters never moves the name, the ID, or anything below."""
        st, t = result.student, strings.ui(lang)
        born = strings.long_date(st.birth_date, lang) if st.birth_date else None
        code = self.school.school_code if self.options.kind == "transcript" else None
        slots: list[tuple[str, Any]] = [
            ("name", person(st.full_name)),
            ("student_id", person(st.id, exact=True)),
            ("latin_name", person(st.latin_name) if st.latin_name else None),
            ("preferred_name", person(st.preferred_name) if st.preferred_name else None),
            ("birth_date", born),
            ("graduation_year", str(st.graduation_year) if st.graduation_year else None),
            ("issued", strings.long_date(self.options.issued, lang)),
            ("school_code", code or None),
        ]
        return [{"label": t[key], "value": value} for key, value in slots]

    def footer(self, result: StudentResult, lang: str) -> list[Any]:
        """The footer as text pieces, page-number slots and the ID as a :func:`person`, so an
        ID holding ``{page}`` stays text and one holding U+202E cannot reverse the footer."""
        issued = strings.long_date(self.options.issued, lang)
        slots = {"{page}": {"var": "page"}, "{pages}": {"var": "pages"}}
        slots["{id}"] = person(result.student.id, exact=True)
        return [
            slots.get(piece, piece.replace("{date}", issued))
            for piece in _split_slots(strings.ui(lang)["footer"], slots)
        ]

    def student(self, result: StudentResult, explain: Explain | None = None) -> dict[str, Any]:
        """The per-student JSON for the run's kind of document."""
        lang = self.language_for(result)
        t = strings.ui(lang)
        name = clean(result.student.full_name)
        latin = (
            f" ({isolate(clean(result.student.latin_name))})" if result.student.latin_name else ""
        )
        if self.options.kind == "transcript":
            heading = t["transcript_unofficial"] if self.options.unofficial else t["transcript"]
            subjects = [self._transcript_subject(s, lang) for s in result.subjects]
        else:
            heading = t["progress"]
            how = explain or scoring.explain
            subjects = [self._progress_subject(s, lang, how) for s in result.subjects]
        doc: dict[str, Any] = {
            # PDF metadata is plain text: the name is isolated with Unicode's own FSI...PDI.
            "title": f"{heading}: {isolate(name)}{latin} ({self.text(self.school.name, lang)})",
            "keywords": [],
            "heading": heading,
            "facts": self.student_facts(result, lang),
            "footer": self.footer(result, lang),
            "issued": strings.long_date(self.options.issued, lang),
            "subjects": subjects,
            "detail": self.options.detail,
        }
        doc["untranslated"] = self.untranslated_note(
            self.untranslated(_shown_targets(self.options.kind, subjects), lang), lang
        )
        if self.options.kind == "progress":
            given = clean(result.student.preferred_name or result.student.given_name) or name
            slot = {"{name}": person(given)}
            doc["intro"] = [slot.get(p, p) for p in _split_slots(t["progress_intro"], slot)]
        return doc

    def _level_title(self, subject: Subject, number: int, lang: str) -> str:
        return self.text(subject.levels[number - 1].title, lang)

    def _summary(self, sr: SubjectResult, subject: Subject, lang: str) -> dict[str, Any]:
        t = strings.ui(lang)
        completed = [
            {
                "title": self._level_title(subject, lv.number, lang),
                "title_lang": self.lang_of(subject.levels[lv.number - 1].title, lang),
                "date": strings.short_date(lv.completed_on, lang) if lv.completed_on else "",
            }
            for lv in sr.levels
            if lv.complete
        ]
        current = (
            t["all_complete"]
            if sr.current_level is None
            else self._level_title(subject, sr.current_level, lang)
        )
        assessed = [tr for lv in sr.levels for tr in lv.targets if tr.evidence]
        proficient = t["proficient_of"].format(
            have=locale.count(sum(1 for tr in assessed if tr.proficient), lang),
            assessed=locale.count(len(assessed), lang),
        )
        return {
            "title": self.text(subject.title, lang),
            "title_lang": self.lang_of(subject.title, lang),
            "completed": completed,
            "current": current,
            "current_lang": (
                None
                if sr.current_level is None
                else self.lang_of(subject.levels[sr.current_level - 1].title, lang)
            ),
            "proficient": proficient,
        }

    def _target(self, tr: TargetResult, lang: str) -> dict[str, Any]:
        # Thousands of students share each target and each score: build those parts once.
        key = (tr.code, lang)
        fixed = self._fixed.get(key)
        if fixed is None:
            info = self.targets[tr.code]
            fixed = self._fixed[key] = {
                "code": tr.code,
                "title": self.text(info.target.title, lang),
                "title_lang": self.lang_of(info.target.title, lang),
                "url": self.url(info.subject, info.level, tr.code, lang),
            }
        row = dict(fixed)
        if tr.score is None:
            row.update(score=None, label="", label_lang=None, status=self._status(tr, lang))
        else:
            scored = (tr.code, tr.score, lang)
            shown = self._shown_scores.get(scored)
            if shown is None:
                scale = self.school.scale_of(self.targets[tr.code].target)
                point = scale.label_for(tr.score).label
                shown = self._shown_scores[scored] = (
                    self._number(tr.score, tr.code, lang),
                    self.text(point, lang),
                    self.lang_of(point, lang),
                )
            row["score"], row["label"], row["label_lang"] = shown
        row["count"] = locale.count(tr.evidence_count, lang) if tr.evidence_count else "–"
        row["last"] = self._date(tr.last_date, lang) if tr.last_date else "–"
        row["assessed"] = bool(tr.evidence)
        row["proficient"] = tr.proficient
        return row

    # -- what exists before a current score, in the reader's words -------------------------

    def _number(self, value: Decimal, code: str, lang: str) -> str:
        """A score or a scale's point in running text, by the one precision rule
        (:func:`proficio.support.locale.number`): one decimal kept on a scale of half points."""
        half = self.school.scale_of(self.targets[code].target).half_points
        return locale.number(value, lang, keep=1 if half else 0)

    def _count(self, n: int, lang: str) -> str:
        """ "1 score", "3 scores": the plural form of ``lang`` (CLDR's rules, through Babel)."""
        t = strings.ui(lang)
        form = t.get(f"count_{locale.plural(n, lang)}", t["count_other"])
        return form.format(count=locale.count(n, lang))

    def _status(self, tr: TargetResult, lang: str) -> str:
        """A transcript row without a current score: "not yet assessed" only when there is no
        evidence at all; otherwise what the scores so far amount to."""
        t = strings.ui(lang)
        if not tr.evidence:
            return t["not_assessed"]
        p = self.progress(tr)
        if p.needed and p.at_or_above:
            so_far = t["pending_some"].format(
                have=locale.count(p.at_or_above, lang), need=locale.count(p.needed, lang)
            )
        else:
            so_far = t["pending_zero"].format(scores=self._count(p.count, lang))
        last = self._number(p.latest, tr.code, lang) if p.latest is not None else ""
        return t["status_pending"].format(progress=so_far, score=last)

    def _now(self, p: Progress, row: dict[str, Any], lang: str) -> str:
        """A next target's "Now:" line: what exists, never "no score yet" when scores do."""
        t = strings.ui(lang)
        if not p.assessed:
            return t["no_score_yet"]
        if p.score is None:
            first = t["mastery_so_far"].format(
                have=locale.count(p.at_or_above, lang),
                need=locale.count(p.needed or 1, lang),
                threshold=self._number(p.threshold, row["code"], lang),
            )
        else:
            first = f"{row['score']} ({row['label']})"
        parts = [first]
        if p.count > 1 or p.score is not None:
            count = self._count(p.count, lang)
            if p.trend is not None:
                count = t["count_trend"].format(scores=count, trend=t[f"trend_{p.trend}"])
            parts.append(count)
        if p.latest is not None and p.latest_date is not None and (p.count > 1 or p.score is None):
            when = self._date(p.latest_date, lang)
            latest = self._number(p.latest, row["code"], lang)
            parts.append(t["latest"].format(score=latest, date=when))
        return " · ".join(parts)

    def _comment(self, tr: TargetResult, lang: str) -> dict[str, Any] | None:
        """The latest teacher comment, as data: the label's pieces (the scorer a
        :func:`person`) and the comment itself a :func:`person`, never markup."""
        if not self.school.teacher_comments:
            return None
        e = latest_comment(tr.evidence)
        if e is None or e.comment is None:
            return None
        t = strings.ui(lang)
        when = self._date(e.date, lang)
        scorer = clean(e.scorer or "")
        if scorer:
            slots = {"{scorer}": person(scorer)}
            label = [
                slots.get(piece, piece.replace("{date}", when))
                for piece in _split_slots(t["comment_by"], slots)
            ]
        else:
            label = [t["comment"].replace("{date}", when)]
        return {"label": label, "text": person(e.comment)}

    def _next_row(
        self, p: Progress, tr: TargetResult, row: dict[str, Any], lang: str, *, focus: bool
    ) -> dict[str, Any]:
        url = row["url"]
        return {
            **row,
            "descriptor": self.descriptor(self.targets[tr.code], lang),
            "descriptor_lang": self.lang_of(self.descriptor_text(self.targets[tr.code]), lang),
            "now": self._now(p, row, lang),
            "focus": focus,
            "comment": self._comment(tr, lang),
            "rubric": {"url": url, "short": short_address(url)} if url else None,
        }

    def _date(self, day: date, lang: str) -> str:
        key = (day, lang)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = strings.short_date(day, lang)
        return text

    def _targets(self, n: int, lang: str) -> str:
        t = strings.ui(lang)
        form = t.get(f"targets_{locale.plural(n, lang)}", t["targets_other"])
        return form.format(count=locale.count(n, lang))

    def _topic_row(self, topic: Topic, results: list[TargetResult], lang: str) -> dict[str, Any]:
        """``--detail topics``: one row for a measurement topic, its targets proficient of
        those assessed, how many scores and the latest date."""
        t = strings.ui(lang)
        assessed = [tr for tr in results if tr.evidence]
        dates = [tr.last_date for tr in assessed if tr.last_date]
        count = sum(tr.evidence_count for tr in results)
        return {
            "code": topic.code,
            "title": self.text(topic.title, lang),
            "title_lang": self.lang_of(topic.title, lang),
            "proficient": t["proficient_of"].format(
                have=locale.count(sum(1 for tr in assessed if tr.proficient), lang),
                assessed=locale.count(len(assessed), lang),
            ),
            "assessed": bool(assessed),
            "count": locale.count(count, lang),
            "last": self._date(max(dates), lang) if dates else "–",
            "codes": [tr.code for tr in results],
        }

    def _transcript_subject(self, sr: SubjectResult, lang: str) -> dict[str, Any]:
        """A subject's details: every level begun, with its targets (or with ``--detail
        topics`` one row per measurement topic); levels not begun, one line for all of them."""
        subject = self.subjects[sr.code]
        t = strings.ui(lang)
        out = self._summary(sr, subject, lang)
        begun = [lv for lv in sr.levels if lv.complete or any(tr.evidence for tr in lv.targets)]
        waiting = [lv for lv in sr.levels if lv not in begun]
        out["not_started"] = (
            t["not_started"].format(
                levels=locale.join(
                    [self._level_title(subject, lv.number, lang) for lv in waiting], lang
                ),
                targets=self._targets(sum(len(lv.targets) for lv in waiting), lang),
            )
            if waiting
            else None
        )
        levels = []
        for lv in begun:
            level = subject.levels[lv.number - 1]
            if lv.complete:
                when = strings.short_date(lv.completed_on, lang) if lv.completed_on else ""
                state = t["state_complete"].format(date=when).strip()
            elif lv.number == sr.current_level:
                state = t["state_current"]
            else:
                state = t["state_ahead"]
            by_code = {tr.code: tr for tr in lv.targets}
            topics = []
            for topic in level.topics:
                results = [by_code[x.code] for x in topic.targets if x.code in by_code]
                if results and self.options.detail == "topics":
                    topics.append(self._topic_row(topic, results, lang))
                    continue
                rows = [self._target(tr, lang) for tr in results]
                if rows:
                    topics.append(
                        {
                            "code": topic.code,
                            "title": self.text(topic.title, lang),
                            "title_lang": self.lang_of(topic.title, lang),
                            "targets": rows,
                        }
                    )
            levels.append(
                {
                    "title": self.text(level.title, lang),
                    "title_lang": self.lang_of(level.title, lang),
                    "state": state,
                    "topics": topics,
                }
            )
        out["levels"] = levels
        return out

    def _progress_subject(self, sr: SubjectResult, lang: str, explain: Explain) -> dict[str, Any]:
        subject = self.subjects[sr.code]
        out = self._summary(sr, subject, lang)
        out["current_title"] = None if sr.current_level is None else out["current"]
        proficient: list[dict[str, Any]] = []
        upcoming: list[tuple[Progress, TargetResult, dict[str, Any]]] = []
        how: list[dict[str, Any]] = []
        for lv in sr.levels:
            if lv.complete or sr.current_level is None or lv.number < sr.current_level:
                continue
            for tr in lv.targets:
                row = self._target(tr, lang)
                if lv.number == sr.current_level:
                    if tr.proficient:
                        proficient.append(row)
                    else:
                        upcoming.append((self.progress(tr), tr, row))
                if tr.evidence:  # also scores that have not formed a current score yet
                    how.append(
                        {
                            **row,
                            "score": row["score"] or "–",
                            "scores": self._scores(tr, lang),
                            **self._explained(tr, lang, explain),
                        }
                    )
        # Closest to proficiency first (a stable sort: equal targets keep the content's order).
        upcoming.sort(key=lambda item: closeness(item[0]))
        out.update(
            proficient=proficient,
            next=[
                self._next_row(p, tr, row, lang, focus=i < FOCUS)
                for i, (p, tr, row) in enumerate(upcoming)
            ],
            how=how,
        )
        return out

    def _scores(self, tr: TargetResult, lang: str) -> str:
        """The dated scores, oldest first: ``2.0 (Mar 7, 2025), 3.5 (…)``; ``2,0 (7 mar 2025);
        3,5 (…)`` where the decimal sign is a comma."""
        return locale.number_list(
            (
                f"{self._number(e.score, tr.code, lang)} ({self._date(e.date, lang)})"
                for e in tr.evidence
            ),
            lang,
        )

    def _explained(self, tr: TargetResult, lang: str, explain: Explain) -> dict[str, str]:
        """``sentence``: the calculation in a teacher's words; ``math``: its arithmetic, a
        smaller second line. Both from the scoring engine itself, so the report can never
        explain a number differently from how it was computed."""
        scale = self.school.scale_of(self.targets[tr.code].target)
        scores = [e.score for e in tr.evidence]
        both = scoring.explanation(tr.method.method, scores, lang, scale=scale, **tr.method.params)
        if explain is scoring.explain:
            # as explain_target says it: a gradebook's rollup among the scores is named
            return {
                "sentence": both.sentence,
                "math": both.arithmetic + origin_note(tr.evidence, lang),
            }
        math = explain(tr.method.method, scores, lang=lang, scale=scale, **tr.method.params)
        return {"sentence": both.sentence, "math": math}


def _split_slots(template: str, slots: Iterable[str]) -> list[str]:
    """``template`` cut into its text and its ``slots`` (``{page}``...), empty text left out:
    the template is split before any value is put in, so no value is read as a slot."""
    out: list[str] = []
    rest = template
    names = list(slots)
    while rest:
        hits = [(i, s) for s in names if (i := rest.find(s)) >= 0]
        if not hits:
            out.append(rest)
            break
        cut, slot = min(hits)
        out += [rest[:cut], slot] if cut else [slot]
        rest = rest[cut + len(slot) :]
    return out


def _shown_targets(kind: str, subjects: list[dict[str, Any]]) -> Iterator[tuple[str, str]]:
    """``(code, how)`` for every target a document's subjects print (see
    :meth:`Catalog.untranslated`)."""
    for s in subjects:
        if kind == "transcript":
            for lv in s["levels"]:
                for topic in lv["topics"]:
                    for code in topic.get("codes", [x["code"] for x in topic.get("targets", [])]):
                        yield code, "topic"
        else:
            for x in s["proficient"] + s["how"]:
                yield x["code"], "row"
            for x in s["next"]:
                yield x["code"], "next"


def _walk(value: Any, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{where}.{k}")
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, where)


def student_strings(result: StudentResult) -> Iterator[tuple[str, str]]:
    """The roster strings a document prints, named the way a registrar knows them."""
    st = result.student
    yield "student_id", st.id
    yield "given_name", st.given_name
    yield "family_name", st.family_name
    if st.preferred_name:
        yield "preferred_name", st.preferred_name
    if st.latin_name:
        yield "latin_name", st.latin_name
