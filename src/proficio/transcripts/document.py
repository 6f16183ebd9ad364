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

from .. import scoring
from ..content.model import Calculation, Level, School, Subject, Target, Topic, anchor
from ..scoring.results import LevelResult, StudentResult, SubjectResult, TargetResult
from ..site.pages import level_url, public_url
from ..support.bidi import direction, isolate, plain
from ..support.numbers import score_text
from . import strings

KINDS = ("transcript", "progress")
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


def clean(text: str) -> str:
    """Runs of whitespace (tabs, line breaks from a quoted CSV cell) become one space, and
    explicit direction controls go (:func:`proficio.support.bidi.plain`)."""
    return " ".join(plain(text).split())


def person(text: str, *, exact: bool = False) -> dict[str, Any]:
    """A roster string as the templates print it: ``person()`` in ``common.typ`` boxes it, in
    its own direction, so it cannot reverse or reorder the document's words around it.
    ``exact`` (IDs) keeps its spacing: an ID is printed as the roster has it."""
    shown = plain(text) if exact else clean(text)
    return {"student": shown, "dir": direction(shown), "hint": name_hint(shown)}


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
    _shown_scores: dict[tuple[str, Decimal, str], tuple[str, str]] = field(default_factory=dict)
    _dates: dict[tuple[date, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for subject, level, topic, target in self.school.iter_targets():
            self.targets[target.code] = _TargetInfo(subject, level, topic, target)
        self.subjects = {s.code: s for s in self.school.subjects}

    def text(self, value: dict[str, str], lang: str) -> str:
        key = (id(value), lang)
        out = self._text.get(key)
        if out is None:
            out = self._text[key] = self.school.text(value, lang)
        return out

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
        contact = [*school.address]
        if school.phone:
            contact.append(school.phone)
        if school.email:
            contact.append(school.email)
        if school.website:
            contact.append(school.website.rstrip("/"))
        registrar = school.registrar
        scales = sorted(
            {school.scale_of(info.target).id for info in self.targets.values()},
            key=list(school.scales).index,
        )
        legend = []
        for sid in scales:
            scale = school.scales[sid]
            at = scale.point(scale.threshold)
            used_by = []
            for info in self.targets.values():
                title = self.text(info.subject.title, lang)
                if info.target.scale_id == sid and title not in used_by:
                    used_by.append(title)
            legend.append(
                {
                    "title": self.text(scale.title, lang),
                    "used_by": t["used_by"].format(subjects=", ".join(used_by)),
                    "description": self.text(scale.description, lang),
                    "points": [
                        {
                            "value": score_text(p.value),
                            "label": self.text(p.label, lang),
                            "descriptor": self.text(p.descriptor, lang),
                        }
                        for p in scale.points
                    ],
                    "proficient": t["proficient_means"].format(
                        threshold=score_text(scale.threshold),
                        descriptor=self.text(at.descriptor, lang) if at else "",
                    ),
                }
            )
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
                "district": self.text(school.district, lang),
                "contact": contact,
                "logo": "assets/logo" + school.logo.suffix.lower() if school.logo else None,
                "logo_alt": t["logo_alt"].format(school=name),
                "seal": "assets/seal" + school.seal.suffix.lower() if school.seal else None,
                "seal_alt": t["seal_alt"].format(school=name),
            },
            "registrar": {
                "name": registrar.name if registrar else "",
                "title": self.text(registrar.title, lang) if registrar else "",
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
            "methods": [strings.method_sentence(m, lang) for m in methods],
            "evidence_note": t["evidence_note"],
            "links_note": (
                t["links_note"].format(site=school.website.rstrip("/")) if school.website else None
            ),
            "contact": (
                t["questions"].format(contact=school.email or school.phone)
                if (school.email or school.phone)
                else None
            ),
        }

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
        scale = self.school.scale_of(info.target)
        rubric = info.target.rubric.get(scale.threshold)
        if rubric:
            return self.text(rubric, lang)
        point = scale.point(scale.threshold)
        return self.text(point.descriptor, lang) if point else ""

    # -- the student's part ---------------------------------------------------------------

    def student_facts(self, result: StudentResult, lang: str) -> list[dict[str, Any]]:
        st, t = result.student, strings.ui(lang)
        facts: list[dict[str, Any]] = [
            {"label": t["name"], "value": person(st.full_name)},
            {"label": t["student_id"], "value": person(st.id, exact=True)},
        ]
        if st.preferred_name:
            facts.append({"label": t["preferred_name"], "value": person(st.preferred_name)})
        if st.birth_date:
            facts.append(
                {"label": t["birth_date"], "value": strings.long_date(st.birth_date, lang)}
            )
        if st.graduation_year:
            facts.append({"label": t["graduation_year"], "value": str(st.graduation_year)})
        facts.append({"label": t["issued"], "value": strings.long_date(self.options.issued, lang)})
        if self.options.kind == "transcript" and self.school.school_code:
            facts.append({"label": t["school_code"], "value": self.school.school_code})
        return facts

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
        if self.options.kind == "transcript":
            heading = t["transcript_unofficial"] if self.options.unofficial else t["transcript"]
            subjects = [self._transcript_subject(s, lang) for s in result.subjects]
        else:
            heading = t["progress"]
            how = explain or scoring.explain
            subjects = [self._progress_subject(s, lang, how) for s in result.subjects]
        doc: dict[str, Any] = {
            # PDF metadata is plain text: the name is isolated with Unicode's own FSI...PDI.
            "title": f"{heading}: {isolate(name)} ({self.text(self.school.name, lang)})",
            "keywords": [],
            "heading": heading,
            "facts": self.student_facts(result, lang),
            "footer": self.footer(result, lang),
            "issued": strings.long_date(self.options.issued, lang),
            "subjects": subjects,
        }
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
        return {"title": self.text(subject.title, lang), "completed": completed, "current": current}

    def _target(self, tr: TargetResult, lang: str) -> dict[str, Any]:
        # Thousands of students share each target and each score: build those parts once.
        key = (tr.code, lang)
        fixed = self._fixed.get(key)
        if fixed is None:
            info = self.targets[tr.code]
            fixed = self._fixed[key] = {
                "code": tr.code,
                "title": self.text(info.target.title, lang),
                "url": self.url(info.subject, info.level, tr.code, lang),
            }
        row = dict(fixed)
        if tr.score is None:
            row.update(score=None, label="")
        else:
            scored = (tr.code, tr.score, lang)
            shown = self._shown_scores.get(scored)
            if shown is None:
                scale = self.school.scale_of(self.targets[tr.code].target)
                label = self.text(scale.label_for(tr.score).label, lang)
                shown = self._shown_scores[scored] = (score_text(tr.score), label)
            row["score"], row["label"] = shown
        row["count"] = str(tr.evidence_count) if tr.evidence_count else "–"
        row["last"] = self._date(tr.last_date, lang) if tr.last_date else "–"
        row["proficient"] = tr.proficient
        return row

    def _date(self, day: date, lang: str) -> str:
        key = (day, lang)
        text = self._dates.get(key)
        if text is None:
            text = self._dates[key] = strings.short_date(day, lang)
        return text

    def _shown(self, sr: SubjectResult) -> list[LevelResult]:
        """Levels a transcript lists: completed ones, the current one, and any with evidence."""
        return [
            lv
            for lv in sr.levels
            if lv.complete
            or lv.number == sr.current_level
            or any(tr.evidence_count for tr in lv.targets)
        ]

    def _transcript_subject(self, sr: SubjectResult, lang: str) -> dict[str, Any]:
        subject = self.subjects[sr.code]
        t = strings.ui(lang)
        out = self._summary(sr, subject, lang)
        levels = []
        for lv in self._shown(sr):
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
                rows = [
                    self._target(by_code[x.code], lang) for x in topic.targets if x.code in by_code
                ]
                if rows:
                    topics.append(
                        {"code": topic.code, "title": self.text(topic.title, lang), "targets": rows}
                    )
            levels.append({"title": self.text(level.title, lang), "state": state, "topics": topics})
        out["levels"] = levels
        return out

    def _progress_subject(self, sr: SubjectResult, lang: str, explain: Explain) -> dict[str, Any]:
        subject = self.subjects[sr.code]
        out = self._summary(sr, subject, lang)
        out["current_title"] = None if sr.current_level is None else out["current"]
        proficient: list[dict[str, Any]] = []
        upcoming: list[dict[str, Any]] = []
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
                        row["descriptor"] = self.descriptor(self.targets[tr.code], lang)
                        upcoming.append(row)
                if tr.score is not None and tr.evidence:
                    how.append(
                        {
                            **row,
                            "scores": self._scores(tr, lang),
                            "math": self._math(tr, lang, explain),
                        }
                    )
        out.update(proficient=proficient, next=upcoming, how=how)
        return out

    def _scores(self, tr: TargetResult, lang: str) -> str:
        return ", ".join(
            f"{score_text(e.score)} ({strings.short_date(e.date, lang)})" for e in tr.evidence
        )

    def _math(self, tr: TargetResult, lang: str, explain: Explain) -> str:
        """The calculation's arithmetic in one line, from the scoring engine itself, so the
        report can never explain a number differently from how it was computed."""
        scale = self.school.scale_of(self.targets[tr.code].target)
        scores = [e.score for e in tr.evidence]
        return explain(tr.method.method, scores, lang=lang, scale=scale, **tr.method.params)


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
