"""Load a school's ``content/`` folder into the model, reporting every problem at once.

Layout (one file per thing a teacher edits)::

    content/
      school.yaml                         the school, its languages and defaults
      scales/<id>.yaml                    one proficiency scale per file
      subjects/<slug>/subject.yaml        one subject
      subjects/<slug>/level-<N>.yaml      one level of it: topics, targets, rubrics

Reading goes file -> YAML nodes with positions -> JSON Schema -> model, then the checks a schema
cannot express (codes unique across files, references, scale points, languages, level order).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import groupby
from pathlib import Path
from typing import Any

from ..errors import ContentError
from ..support.files import display_path
from ..support.forking import Forked, can_fork
from ..support.numbers import decimal_text
from . import markup, schemas
from .diagnostics import Diagnostic
from .model import (
    DEFAULT_CALCULATION,
    DEFAULT_COMPLETION,
    PROFILE_PARTS,
    Calculation,
    CaseRef,
    CompletionRule,
    Level,
    Profile,
    Registrar,
    Scale,
    School,
    ScorePoint,
    Source,
    Subject,
    Target,
    Text,
    Topic,
    anchor,
)
from .parameters import CALCULATION_PARAMS, COMPLETION_PARAMS, check_params
from .yamlfile import PathKey, YamlDocument, read_yaml, shown_path

FAMILY_DIR = "family"
"""The folder of the school's own words for the site's family pages (``<language>.yaml``)."""

LEVEL_FILE = re.compile(r"^level-([0-9]+)\.ya?ml$")

MAX_POINT_PLACES = 2
"""Decimal places a score point may have: current scores are rounded to hundredths."""

PARALLEL_MIN_BYTES = 2 * 1024 * 1024
"""Subject YAML below this size loads faster in one process than the fork and hand-back cost."""

CHILD_COST = 1.5
"""How much more a subject costs built in the second process (pickled there, unpickled here)."""

SubjectFiles = tuple[Path, list[tuple[Path, str]]]
"""A subject folder and its files (subject.yaml and the level files)."""


@dataclass
class Result:
    """What a load produced: the school (``None`` if it could not be built) and every finding."""

    school: School | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]


def find_content(path: Path) -> Path:
    """Accept the content folder itself or a project folder that holds ``content/``."""
    if (path / "school.yaml").is_file() or not (path / "content").is_dir():
        return path
    return path / "content"


def load_school(path: Path | str = "content") -> School:
    """Load and validate; raise :class:`ContentError` with every error if there is any."""
    result = load(Path(path))
    if result.errors or result.school is None:
        raise ContentError(result.diagnostics, display_path(find_content(Path(path))))
    return result.school


def load(path: Path) -> Result:
    """Load and validate ``path``; never raises for bad content, returns the findings."""
    return _Loader(find_content(Path(path))).run()


def content_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Every content file with its kind, in a stable order."""
    yield root / "school.yaml", "school"
    scales = root / "scales"
    if scales.is_dir():
        for p in sorted(scales.iterdir()):
            if p.suffix in (".yaml", ".yml"):
                yield p, "scale"
    subjects = root / "subjects"
    if subjects.is_dir():
        for folder in sorted(p for p in subjects.iterdir() if p.is_dir()):
            yield folder / "subject.yaml", "subject"
            for p in sorted(folder.iterdir()):
                if p.suffix in (".yaml", ".yml") and p.name != "subject.yaml":
                    yield p, "level"


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.diags: list[Diagnostic] = []
        self.languages: list[str] = []
        self.files: list[Path] = []
        self.folders_inside: dict[Path, bool] = {}
        """Whether each folder files were read from is inside the content folder (a subject
        folder may be a symbolic link to somewhere else)."""
        self.broken_scales: set[str] = set()
        """Names of scale files that failed to load: their errors are told in that file, not
        again as an unknown scale at every subject using it."""
        # (path, text) of every text field of a document being built, checked when it is done
        self.texts: dict[YamlDocument, list[tuple[PathKey, Text]]] = {}
        self.link_hosts: markup.Hosts = frozenset()
        """Hosts content texts may link to (the school's website and allowed_link_hosts)."""

    # -- plumbing ---------------------------------------------------------------------------

    def error(
        self, doc: YamlDocument, path: PathKey, message: str, code: str, *, key: bool = False
    ) -> None:
        self.diags.append(doc.diagnostic(path, message, code, key=key))

    def read(self, path: Path, kind: str) -> YamlDocument | None:
        if not os.path.lexists(path):
            what = {
                "school": "the school file is missing. Create it",
                "subject": "the subject file is missing: each folder in subjects/ is one "
                "subject. Create subject.yaml in it (code, title, scale), or remove the folder",
            }.get(kind, "file is missing. Create it")
            self.diags.append(
                Diagnostic(
                    shown_path(path),
                    0,
                    0,
                    f"{what} (see `proficio new` for a template).",
                    "error",
                    "missing-file",
                )
            )
            return None
        if not self.inside(path.parent):
            self.diags.append(
                Diagnostic(
                    str(Path(display_path(self.root)) / path.relative_to(self.root)),
                    0,
                    0,
                    "this file is in a folder that is a symbolic link to a place outside the "
                    f"content folder ({display_path(self.root)}), where links may not lead. "
                    "Copy the folder into the content folder instead of linking to it.",
                    "error",
                    "link-outside",
                )
            )
            return None
        self.files.append(path)
        doc, problems = read_yaml(path, inside=self.root)
        self.diags.extend(problems)
        if doc is None:
            return None
        schema_errors = schemas.validate(doc, kind)
        self.diags.extend(schema_errors)
        return None if schema_errors else doc

    def inside(self, folder: Path) -> bool:
        known = self.folders_inside.get(folder)
        if known is None:
            known = self.folders_inside[folder] = folder.resolve().is_relative_to(
                self.root.resolve()
            )
        return known

    def text(self, doc: YamlDocument, path: PathKey, value: Any) -> Text:
        if value is None:
            return {}
        text = (
            {self.languages[0] if self.languages else "": value}
            if isinstance(value, str)
            else dict(value)
        )
        self.texts.setdefault(doc, []).append((path, text))
        return text

    def source(self, doc: YamlDocument, path: PathKey = ()) -> Source:
        line, column = doc.where(path)
        return Source(doc.shown, line, column)

    def calculation(
        self, doc: YamlDocument, path: PathKey, data: dict[str, Any] | None
    ) -> Calculation | None:
        if data is None:
            return None
        method = data["method"]
        given = {k: v for k, v in data.items() if k != "method"}
        for param, message in check_params("calculation method", method, given, CALCULATION_PARAMS):
            self.error(
                doc, (*path, param) if param else (*path, "method"), message, "bad-parameter"
            )
        return Calculation(method, weight=_whole(given.get("weight")), n=_whole(given.get("n")))

    def completion(
        self, doc: YamlDocument, path: PathKey, data: dict[str, Any] | None
    ) -> CompletionRule | None:
        if data is None:
            return None
        rule = data["rule"]
        given = {k: v for k, v in data.items() if k != "rule"}
        for param, message in check_params("completion rule", rule, given, COMPLETION_PARAMS):
            self.error(doc, (*path, param) if param else (*path, "rule"), message, "bad-parameter")
        percent = given.get("percent", 100 if rule == "all_topics" else None)
        return CompletionRule(rule, _whole(percent))

    def asset(self, doc: YamlDocument, path: PathKey, value: str | None) -> Path | None:
        if value is None:
            return None
        try:
            file = (self.root / value).resolve()
        except (OSError, RuntimeError, ValueError):  # a loop of links; a NUL the schema let by
            self.error(doc, path, f"'{value}' cannot be a file's path. Fix the path.", "bad-path")
            return None
        if not file.is_relative_to(self.root.resolve()):
            self.error(
                doc,
                path,
                f"'{value}' points outside the content folder. Keep images inside it, e.g. assets/.",
                "bad-path",
            )
            return None
        if not file.is_file():
            self.error(
                doc,
                path,
                f"file '{value}' does not exist (looked for {display_path(file)}). Add the image or fix the path.",
                "missing-file",
            )
            return None
        return file

    # -- the run ----------------------------------------------------------------------------

    def run(self) -> Result:
        if not self.root.is_dir():
            self.diags.append(
                Diagnostic(
                    display_path(self.root),
                    0,
                    0,
                    "no such folder. Give the path of a school's content folder "
                    "(or create one with `proficio new`).",
                    "error",
                    "missing-folder",
                )
            )
            return Result(None, self.diags)
        school_doc = self.read(self.root / "school.yaml", "school")
        if school_doc is not None:
            self.languages = list(school_doc.data["languages"])
            self.link_hosts = markup.allowed_hosts(
                school_doc.data.get("website"), school_doc.data.get("allowed_link_hosts", [])
            )
        school = self.build_school(school_doc)
        if school_doc is not None:
            self.done(school_doc)
        scales = self.build_scales()
        subjects = self.build_subjects(school, scales)
        if school is not None:
            school.scales = scales
            school.subjects = subjects
            self.check_family()
            school.files = sorted(self.files)
            self.check_codes(school)
        return Result(school, sorted(self.diags))

    def check_family(self) -> None:
        """``family/<language>.yaml``: the school's own words for the site's family pages
        (``site/family.py`` merges them over Proficio's defaults), checked like every other
        file, and named when the site would not read it."""
        folder = self.root / FAMILY_DIR
        if not folder.is_dir():
            return
        for path in sorted(folder.iterdir()):
            if path.suffix not in (".yaml", ".yml") or path.name.startswith("."):
                continue
            shown = shown_path(path)
            if path.suffix == ".yml":
                self.diags.append(
                    Diagnostic(
                        shown,
                        0,
                        0,
                        f"the site reads only '{path.stem}.yaml' for the family pages: rename "
                        "this file, or it is not used.",
                        "warning",
                        "unused-file",
                    )
                )
                continue
            doc = self.read(path, "family")
            if doc is None:
                continue
            if self.languages and path.stem not in self.languages:
                offered = ", ".join(self.languages)
                self.diags.append(
                    Diagnostic(
                        shown,
                        0,
                        0,
                        f"the school does not offer '{path.stem}' (school.yaml languages: "
                        f"{offered}), so the site does not use this file. Name it after one of "
                        "them, or add the language to school.yaml.",
                        "warning",
                        "unused-file",
                    )
                )
            doc.release()

    def done(self, doc: YamlDocument) -> None:
        """Check a built document's texts, then let its YAML nodes go: positions are looked up
        in them, and holding every file's nodes until the end would weigh on a large school."""
        texts = self.texts.pop(doc, [])
        self.check_languages(doc, texts)
        self.diags.extend(markup.check_texts(doc, texts, self.link_hosts))
        doc.release()

    def build_school(self, doc: YamlDocument | None) -> School | None:
        if doc is None:
            return None
        d = doc.data
        registrar = None
        if "registrar" in d:
            r = d["registrar"]
            registrar = Registrar(
                r["name"],
                self.text(doc, ("registrar", "title"), r.get("title")),
                self.asset(doc, ("registrar", "signature"), r.get("signature")),
            )
        return School(
            root=self.root,
            name=self.text(doc, ("name",), d["name"]),
            short_name=self.text(doc, ("short_name",), d.get("short_name")),
            district=self.text(doc, ("district",), d.get("district")),
            description=self.text(doc, ("description",), d.get("description")),
            address=list(d.get("address", [])),
            phone=d.get("phone"),
            email=d.get("email"),
            website=d.get("website"),
            school_code=d.get("school_code"),
            logo=self.asset(doc, ("logo",), d.get("logo")),
            languages=self.languages,
            registrar=registrar,
            seal=self.asset(doc, ("seal",), d.get("seal")),
            calculation=self.calculation(doc, ("calculation",), d.get("calculation"))
            or DEFAULT_CALCULATION,
            completion=self.completion(doc, ("completion",), d.get("completion"))
            or DEFAULT_COMPLETION,
            verification_url=d.get("verification_url"),
            teacher_comments=d.get("teacher_comments", True),
            link_hosts=tuple(d.get("allowed_link_hosts", [])),
            profile=self.profile(doc, d.get("profile")),
        )

    def profile(self, doc: YamlDocument, data: dict[str, Any] | None) -> Profile | None:
        """The school profile's texts, each checked like every content text (languages,
        Markdown)."""
        if data is None:
            return None
        parts = [self.text(doc, ("profile", k), data.get(k)) for k in PROFILE_PARTS]
        return Profile(*parts)

    def build_scales(self) -> dict[str, Scale]:
        scales: dict[str, Scale] = {}
        for path, kind in content_files(self.root):
            if kind != "scale":
                continue
            doc = self.read(path, kind)
            if doc is None:
                self.broken_scales.add(path.stem)
                continue
            d = doc.data
            if d["id"] in scales:
                self.error(
                    doc,
                    ("id",),
                    f"scale id '{d['id']}' is already used by {scales[d['id']].source}. Give each scale its own id.",
                    "duplicate-code",
                )
                continue
            if not self.check_points(doc, d):
                self.broken_scales.add(d["id"])
                self.done(doc)
                continue
            points = [
                ScorePoint(
                    Decimal(str(p["value"])),
                    self.text(doc, ("points", i, "label"), p["label"]),
                    self.text(doc, ("points", i, "descriptor"), p.get("descriptor")),
                    self.text(doc, ("points", i, "at_home"), p.get("at_home")),
                    self.text(doc, ("points", i, "ask_teacher"), p.get("ask_teacher")),
                )
                for i, p in enumerate(d["points"])
            ]
            for i in range(1, len(points)):
                if points[i].value >= points[i - 1].value:
                    self.error(
                        doc,
                        ("points", i, "value"),
                        f"score point {decimal_text(points[i].value)} comes after {decimal_text(points[i - 1].value)}: list the points from the highest to the lowest, each once.",
                        "points-order",
                    )
            values = [p.value for p in points]
            threshold = Decimal(str(d["threshold"]))
            if threshold not in values:
                self.error(
                    doc,
                    ("threshold",),
                    f'threshold {decimal_text(threshold)} is not a point of scale "{d["id"]}" (its points: {_points(values)}). Use one of those points.',
                    "threshold-not-point",
                )
            allowed = tuple(Decimal(str(v)) for v in d.get("allowed", [])) or tuple(values)
            for i, v in enumerate(allowed):
                if v not in values:
                    self.error(
                        doc,
                        ("allowed", i),
                        f"allowed score {decimal_text(v)} is not a point of this scale (its points: {_points(values)}).",
                        "not-a-point",
                    )
            scales[d["id"]] = Scale(
                id=d["id"],
                title=self.text(doc, ("title",), d["title"]),
                description=self.text(doc, ("description",), d.get("description")),
                points=points,
                threshold=threshold,
                allowed=tuple(sorted(allowed, reverse=True)),
                calculation=self.calculation(doc, ("calculation",), d.get("calculation")),
                source=self.source(doc),
            )
            self.done(doc)
        return scales

    def build_subjects(self, school: School | None, scales: dict[str, Scale]) -> list[Subject]:
        """Every subject folder; on a large school, about half of them in a second process.

        Reading YAML is most of a load and each subject folder is read on its own, so a
        forked process builds its share of the subjects while this one builds the rest: on two
        cores a 5,000-target school loads in about 65% of the time. Its subjects come back
        pickled with their diagnostics: the result is the same as loading in one process.
        """
        files = ((p, k) for p, k in content_files(self.root) if k in ("subject", "level"))
        folders = [
            (folder, list(group)) for folder, group in groupby(files, key=lambda f: f[0].parent)
        ]
        mine, theirs = _share(folders) if can_fork() else (folders, [])
        child = (
            Forked(
                _build_part,
                self.root,
                self.languages,
                self.broken_scales,
                theirs,
                school,
                scales,
                self.link_hosts,
            )
            if theirs
            else None
        )
        subjects = [self.build_subject(f, group, school, scales) for f, group in mine]
        if child is not None:
            built, diags, files_read = child.result()
            subjects += built
            self.diags += diags
            self.files += files_read
        out = [s for s in subjects if s is not None]
        out.sort(key=lambda s: (s.order is None, s.order or 0, s.slug))
        return out

    def build_subject(
        self,
        folder: Path,
        files: Iterable[tuple[Path, str]],
        school: School | None,
        scales: dict[str, Scale],
    ) -> Subject | None:
        """One subject folder, read and built before the next (only its nodes are held)."""
        doc: YamlDocument | None = None
        level_docs: list[tuple[Path, YamlDocument]] = []
        unreadable = False  # a level file failed to load
        for path, kind in files:
            if kind == "subject":
                doc = self.read(path, kind)
            elif not LEVEL_FILE.match(path.name):
                self.diags.append(
                    Diagnostic(
                        display_path(path),
                        0,
                        0,
                        f"'{path.name}' is not a level file name. Name level files level-1.yaml, level-2.yaml, ... (other files do not belong in a subject folder).",
                        "error",
                        "bad-file-name",
                    )
                )
            elif (level_doc := self.read(path, kind)) is None:
                unreadable = True
            else:
                level_docs.append((path, level_doc))
        if doc is None:
            return None
        d = doc.data
        slug = folder.name
        if slug in self.languages:
            self.error(
                doc,
                (),
                f"the subject folder is named '{slug}', which is also a language code of the school; the site would mix them up. Rename the folder.",
                "bad-file-name",
            )
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
            self.error(
                doc,
                (),
                f"subject folder '{slug}' becomes the page address: use lowercase letters, digits and dashes (e.g. 'english-language-arts').",
                "bad-file-name",
            )
        scale = scales.get(d["scale"])
        if scale is None:
            self.unknown_scale(doc, ("scale",), d["scale"], scales)
        calc = (
            self.calculation(doc, ("calculation",), d.get("calculation"))
            or (scale and scale.calculation)
            or (school.calculation if school else DEFAULT_CALCULATION)
        )
        completion = self.completion(doc, ("completion",), d.get("completion")) or (
            school.completion if school else DEFAULT_COMPLETION
        )
        subject = Subject(
            code=d["code"],
            slug=slug,
            title=self.text(doc, ("title",), d["title"]),
            description=self.text(doc, ("description",), d.get("description")),
            order=_whole(d.get("order")),
            scale_id=d["scale"],
            calculation=calc,
            completion=completion,
            levels=[],
            source=self.source(doc),
            case=_case(d),
        )
        self.done(doc)
        for path, level_doc in level_docs:
            subject.levels.append(self.build_level(path, level_doc, subject, scales))
            self.done(level_doc)
        if not unreadable:  # a broken file's level is not a gap
            self.check_level_order(subject, folder)
        subject.levels.sort(key=lambda lv: lv.number)
        return subject

    def check_points(self, doc: YamlDocument, d: dict[str, Any]) -> bool:
        """Score points are exact decimals with at most :data:`MAX_POINT_PLACES` places (a
        current score is rounded to hundredths, so a point 3.333 could never be reached).
        ``False`` if one is not a finite number: the scale cannot be built then."""
        given: list[tuple[PathKey, Any]] = [
            *((("points", i, "value"), p["value"]) for i, p in enumerate(d["points"])),
            (("threshold",), d["threshold"]),
            *((("allowed", i), v) for i, v in enumerate(d.get("allowed", []))),
        ]
        finite = True
        for path, value in given:
            number = Decimal(str(value))
            exponent = number.as_tuple().exponent
            if not isinstance(exponent, int):  # the schema's bounds refuse these first
                self.error(doc, path, f"{value} is not a score. Use a number.", "bad-value")
                finite = False
            elif -exponent > MAX_POINT_PLACES:
                self.error(
                    doc,
                    path,
                    f"score {value} has more than {MAX_POINT_PLACES} decimal places; current "
                    "scores are rounded to hundredths, so it could never be reached. Round it "
                    f"(e.g. to {decimal_text(round(number, MAX_POINT_PLACES))}).",
                    "bad-value",
                )
        return finite

    def unknown_scale(
        self, doc: YamlDocument, path: PathKey, name: str, scales: dict[str, Scale]
    ) -> None:
        if name in self.broken_scales:
            return
        known = ", ".join(sorted(scales)) or "none yet"
        self.error(
            doc,
            path,
            f"unknown scale '{name}' (scales defined in {display_path(self.root / 'scales')}: {known}). Use one of them or add content/scales/{name}.yaml.",
            "unknown-scale",
        )

    def build_level(
        self, path: Path, doc: YamlDocument, subject: Subject, scales: dict[str, Scale]
    ) -> Level:
        d = doc.data
        number = int(d["level"])  # JSON Schema counts 2.0 as an integer
        match = LEVEL_FILE.match(path.name)
        if match and int(match.group(1)) != number:
            self.error(
                doc,
                ("level",),
                f"this file is named {path.name} but says level: {number}. Make them agree (rename the file or fix the number).",
                "level-mismatch",
            )
        topics = []
        for ti, t in enumerate(d["topics"]):
            tp: PathKey = ("topics", ti)
            targets = []
            for gi, g in enumerate(t["targets"]):
                gp: PathKey = (*tp, "targets", gi)
                scale_id = g.get("scale", subject.scale_id)
                scale = scales.get(scale_id)
                scale_points = {p.value for p in scale.points} if scale is not None else set()
                if "scale" in g and scale is None:
                    self.unknown_scale(doc, (*gp, "scale"), scale_id, scales)
                rubric: dict[Decimal, Text] = {}
                for key, value in (g.get("rubric") or {}).items():
                    rp: PathKey = (*gp, "rubric", key)
                    try:
                        point = Decimal(key)
                    except InvalidOperation:  # the schema's pattern already reported it
                        continue
                    if scale is not None and point not in scale_points:
                        self.error(
                            doc,
                            rp,
                            f'rubric score {key} is not a point of scale "{scale.id}" (its points: {_points([p.value for p in scale.points])}). Use one of those points or change the scale.',
                            "not-a-point",
                            key=True,
                        )
                    if point in rubric:  # equal Decimals hash alike: 4 and 4.0 collide
                        self.error(
                            doc,
                            rp,
                            f"rubric score {key} is given twice (as {decimal_text(point)}). Keep one.",
                            "duplicate-key",
                            key=True,
                        )
                    rubric[point] = self.text(doc, rp, value)
                calc = self.calculation(doc, (*gp, "calculation"), g.get("calculation"))
                if calc is None and "scale" in g and scale is not None and scale.calculation:
                    calc = scale.calculation
                targets.append(
                    Target(
                        code=g["code"],
                        title=self.text(doc, (*gp, "title"), g["title"]),
                        description=self.text(doc, (*gp, "description"), g.get("description")),
                        rubric=dict(sorted(rubric.items(), reverse=True)),
                        scale_id=scale_id,
                        calculation=calc or subject.calculation,
                        source=self.source(doc, (*gp, "code")),
                        case=_case(g),
                        short_title=self.text(doc, (*gp, "short_title"), g.get("short_title")),
                    )
                )
            topics.append(
                Topic(
                    code=t["code"],
                    title=self.text(doc, (*tp, "title"), t["title"]),
                    description=self.text(doc, (*tp, "description"), t.get("description")),
                    targets=targets,
                    source=self.source(doc, (*tp, "code")),
                    case=_case(t),
                )
            )
        return Level(
            number=number,
            code=d.get("code"),
            title=self.text(doc, ("title",), d.get("title")),
            description=self.text(doc, ("description",), d.get("description")),
            completion=self.completion(doc, ("completion",), d.get("completion"))
            or subject.completion,
            topics=topics,
            source=self.source(doc, ("level",)),
            case=_case(d),
        )

    def check_level_order(self, subject: Subject, folder: Path) -> None:
        seen: dict[int, Level] = {}
        for level in subject.levels:
            if level.number in seen:
                self.diags.append(
                    Diagnostic(
                        str(level.source.file),
                        level.source.line,
                        level.source.column,
                        f"level {level.number} of {subject.code} is also defined in {seen[level.number].source.file}. Each level number once.",
                        "error",
                        "duplicate-level",
                    )
                )
            seen.setdefault(level.number, level)
        if not seen:
            self.diags.append(
                Diagnostic(
                    str(subject.source.file),
                    subject.source.line,
                    subject.source.column,
                    f"subject {subject.code} has no levels. Add {display_path(folder / 'level-1.yaml')}.",
                    "error",
                    "no-levels",
                )
            )
            return
        # The first gap, found by walking the numbers given (never by counting up to the
        # highest, which a level file could set to anything the schema allows).
        first_missing = next((n for n, have in enumerate(sorted(seen), 1) if n != have), None)
        if first_missing is not None:
            after = seen[min(n for n in seen if n > first_missing)]
            found = ", ".join(str(n) for n in sorted(seen))
            self.diags.append(
                Diagnostic(
                    str(after.source.file),
                    after.source.line,
                    after.source.column,
                    f"level {first_missing} of {subject.code} is missing (levels found: {found}). Levels are numbered 1, 2, 3, ... without gaps: add level-{first_missing}.yaml or renumber.",
                    "error",
                    "level-gap",
                )
            )

    def check_codes(self, school: School) -> None:
        """Codes are unique across the school, compared as their URL anchors (so ``MA.L1.1`` and
        ``ma-l1-1`` collide too): evidence and links name targets by code."""
        seen: dict[str, tuple[str, Source]] = {}

        def claim(code: str | None, what: str, source: Source) -> None:
            if code is None:
                return
            key = anchor(code)
            if key in seen:
                other_what, other = seen[key]
                self.diags.append(
                    Diagnostic(
                        str(source.file),
                        source.line,
                        source.column,
                        f"code '{code}' of this {what} is already used by a {other_what} at {other}. Codes must be unique across the school: rename one.",
                        "error",
                        "duplicate-code",
                    )
                )
            else:
                seen[key] = (what, source)

        for subject in school.subjects:
            claim(subject.code, "subject", subject.source)
        for subject in school.subjects:
            for level in subject.levels:
                claim(level.code, "level", level.source)
                for topic in level.topics:
                    claim(topic.code, "measurement topic", topic.source)
                    for target in topic.targets:
                        claim(target.code, "learning target", target.source)

    def check_languages(self, doc: YamlDocument, texts: list[tuple[PathKey, Text]]) -> None:
        offered = self.languages
        if not offered:
            return
        default = offered[0]
        missing: dict[str, list[PathKey]] = {}
        for path, text in texts:
            for lang in text:
                if lang not in offered:
                    self.error(
                        doc,
                        (*path, lang),
                        f"language '{lang}' is not offered by the school (languages in school.yaml: {', '.join(offered)}). Add it there or remove this text.",
                        "language-not-offered",
                        key=True,
                    )
            if default not in text and text:
                self.error(
                    doc,
                    path,
                    f"this text has no version in the default language '{default}'. Add '{default}:' (readers fall back to it).",
                    "missing-default-language",
                )
            for lang in offered[1:]:
                if lang not in text:
                    missing.setdefault(lang, []).append(path)
        for lang, paths in missing.items():
            line, column = min(doc.where(p) for p in paths)
            n = len(paths)
            self.diags.append(
                Diagnostic(
                    str(doc.shown),
                    line,
                    column,
                    f"{n} text{'s' if n != 1 else ''} not translated to '{lang}' (the first is here); readers of '{lang}' see the '{default}' text instead.",
                    "warning",
                    "missing-translation",
                )
            )


def _share(folders: list[SubjectFiles]) -> tuple[list[SubjectFiles], list[SubjectFiles]]:
    """Split subject folders between this process and the second one by YAML size (the cost
    of a load), or give the second nothing when the school is too small to gain from it.

    The second process also pickles what it built and this one unpickles it, so the second gets
    less YAML: its bytes count :data:`CHILD_COST` times."""
    sizes = [sum(_size(p) for p, _ in files) for _, files in folders]
    if len(folders) < 2 or sum(sizes) < PARALLEL_MIN_BYTES:
        return folders, []
    mine: list[SubjectFiles] = []
    theirs: list[SubjectFiles] = []
    cost = [0.0, 0.0]
    for i in sorted(range(len(folders)), key=lambda i: -sizes[i]):
        side = 0 if cost[0] + sizes[i] <= cost[1] + sizes[i] * CHILD_COST else 1
        (mine, theirs)[side].append(folders[i])
        cost[side] += sizes[i] * (1 if side == 0 else CHILD_COST)
    return mine, theirs


def _build_part(
    root: Path,
    languages: list[str],
    broken_scales: set[str],
    folders: list[SubjectFiles],
    school: School | None,
    scales: dict[str, Scale],
    link_hosts: markup.Hosts = frozenset(),
) -> tuple[list[Subject | None], list[Diagnostic], list[Path]]:
    """Build ``folders`` with a loader of their own (run in the second process): the subjects,
    their diagnostics and the files read."""
    part = _Loader(root)
    part.languages = languages
    part.broken_scales = broken_scales
    part.link_hosts = link_hosts
    subjects = [part.build_subject(f, group, school, scales) for f, group in folders]
    return subjects, part.diags, part.files


def _size(path: Path) -> int:
    """A file's size for sharing the work, 0 for what cannot be read (reported when read)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _whole(value: int | float | None) -> int | None:
    """An integer setting as ``int``: JSON Schema lets 2.0 pass as the integer 2."""
    return None if value is None else int(value)


def _case(data: dict[str, Any]) -> CaseRef | None:
    ref = data.get("case")
    return CaseRef(ref["identifier"], ref.get("uri")) if ref else None


def _points(values: list[Decimal]) -> str:
    shown = sorted(values)
    if len(shown) > 6:
        return f"{decimal_text(shown[0])}, {decimal_text(shown[1])}, ..., {decimal_text(shown[-1])}"
    return ", ".join(decimal_text(v) for v in shown)
