"""The scored result as files: the stable CSV and JSON Lines that transcripts, CLR and data teams
read.

``proficio score`` writes, under its output folder (``build/`` by default):

- ``scores/targets.csv``: one row per student and target of the school, scored or not;
- ``scores/subjects.csv``: one row per student and subject: current level, levels completed;
- ``scores/scores.jsonl``: the same as JSON Lines (format ``proficio-scores``, version 2): a
  header record with what is the same for every student (the school's subjects, levels and
  targets, their methods, the result of a target without evidence), then one record per student
  with their roster row, levels completed and the targets they have evidence on.

The columns and keys are documented in ``docs-dev/scoring.md``; add to them, never rename.
Each file is written to a temporary file, and the three are renamed together at the end, so a
failed run (a full disk, Ctrl-C) leaves the previous files (or none), never half of one nor a
new one beside old ones. One run at a time writes into a folder.

:func:`write_roster_scores` scores and writes a large roster on both cores: a forked child
scores and formats the second half of the roster into unnamed temporary files beside the
output, which are appended, in roster order, after this process's half. The files are
byte-identical to a one-process run's.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO

from ..content.model import Calculation, School
from ..evidence.records import Student
from ..evidence.report import neutralise
from ..support.files import atomic_texts, cannot_write, folder_lock
from ..support.forking import Forked
from .parallel import FORK_MINIMUM, split
from .results import StudentResult

FORMAT = "proficio-scores"
VERSION = 2
"""Version 1 was one nested ``scores.json`` (every target of every student, 30 KB a student)."""

NAMES = ("targets.csv", "subjects.csv", "scores.jsonl")

TARGET_COLUMNS = [
    "student_id",
    "subject",
    "level",
    "target",
    "score",
    "label",
    "proficient",
    "evidence_count",
    "last_date",
    "proficient_since",
    "method",
]
SUBJECT_COLUMNS = ["student_id", "subject", "current_level", "levels_completed", "completed_levels"]
TARGET_FIELDS = ["score", "label", "proficient", "evidence_count", "last_date", "proficient_since"]
"""A student record's ``targets`` values, in order (the header record repeats them)."""
UNSCORED = [None, None, False, 0, None, None]
"""The result of a target without evidence, which a student record leaves out."""

Score = Callable[[list[Student]], Iterable[StudentResult]]
"""Scores the given students, one result each, in their order (``Gradebook.results``)."""


def method_text(calc: Calculation) -> str:
    """``decaying_average(weight=65)``: the method and its parameters as one cell."""
    params = ",".join(f"{k}={v}" for k, v in calc.params.items())
    return f"{calc.method}({params})" if params else calc.method


def _cell(text: str) -> str:
    """One CSV cell as csv.writer writes it (quoted only when it has to be)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class _Formatter:
    """The school's part of every line, formatted once; then the lines of each student."""

    def __init__(self, school: School, as_of: date) -> None:
        self.school = school
        self.lang = lang = school.default_language
        self.scales = {t.code: school.scale_of(t) for _, _, _, t in school.iter_targets()}
        self.csv_head: dict[str, str] = {}
        self.csv_tail: dict[str, str] = {}
        self.json_key: dict[str, str] = {}
        self.labels: dict[tuple[str, Decimal], tuple[str, str, str, str]] = {}
        self.days: dict[date | None, tuple[str, str]] = {None: ("", "null")}
        subjects = []
        for subject in school.subjects:
            levels = []
            for level in subject.levels:
                targets = []
                for topic in level.topics:
                    for t in topic.targets:
                        calc = t.calculation
                        self.csv_head[t.code] = (
                            f",{_cell(subject.code)},{level.number},{_cell(t.code)},"
                        )
                        self.csv_tail[t.code] = "," + _cell(method_text(calc)) + "\r\n"
                        self.json_key[t.code] = _dumps(t.code) + ":["
                        targets.append(
                            {"code": t.code, "method": calc.method, "params": calc.params}
                        )
                levels.append(
                    {
                        "number": level.number,
                        "completion": {
                            "rule": level.completion.rule,
                            "percent": level.completion.percent,
                        },
                        "targets": targets,
                    }
                )
            subjects.append({"code": subject.code, "slug": subject.slug, "levels": levels})
        self.header = (
            _dumps(
                {
                    "format": FORMAT,
                    "version": VERSION,
                    "as_of": as_of.isoformat(),
                    "school": school.text(school.name, lang),
                    "language": lang,
                    "target_fields": TARGET_FIELDS,
                    "unscored": UNSCORED,
                    "subjects": subjects,
                }
            )
            + "\n"
        )
        self.subject_key = {s.code: _dumps(s.code) + ':{"current_level":' for s in school.subjects}

    def day(self, value: date | None) -> tuple[str, str]:
        hit = self.days.get(value)
        if hit is None:
            text = value.isoformat()  # type: ignore[union-attr]  # None is in days already
            hit = self.days[value] = (text, f'"{text}"')
        return hit

    def label(self, code: str, score: Decimal) -> tuple[str, str, str, str]:
        """The score and its scale label, as CSV and JSON (cached per target and score)."""
        key = (code, score)
        hit = self.labels.get(key)
        if hit is None:
            text = self.school.text(self.scales[code].label_for(score).label, self.lang)
            hit = self.labels[key] = (str(score), repr(float(score)), _cell(text), _dumps(text))
        return hit

    def write(
        self, results: Iterable[StudentResult], targets: IO[str], subjects: IO[str], lines: IO[str]
    ) -> int:
        """Each student's rows and record; how many students."""
        subject_rows = csv.writer(subjects, lineterminator="\r\n")
        csv_head, csv_tail, json_key = self.csv_head, self.csv_tail, self.json_key
        day, label, subject_key = self.day, self.label, self.subject_key
        days, labels = self.days, self.labels  # looked up inline first: 1.5M times each
        count = 0
        for result in results:
            student = result.student
            sid = neutralise(student.id)
            sid_csv = _cell(sid)
            rows: list[str] = []
            scored: list[str] = []
            standing: list[str] = []
            for subject in result.subjects:
                done_csv: list[str] = []
                done_json: list[str] = []
                for level in subject.levels:
                    if level.complete:
                        on_csv, on_json = day(level.completed_on)
                        done_csv.append(f"{level.number}:{on_csv}")
                        done_json.append(f'"{level.number}":{on_json}')
                    for t in level.targets:
                        code = t.code
                        n = len(t.evidence)
                        if not n and t.score is None:
                            rows.append(f"{sid_csv}{csv_head[code]},,no,0,,{csv_tail[code]}")
                            continue
                        if t.score is None:
                            score_csv, score_json, label_csv, label_json = "", "null", "", "null"
                        else:
                            score_csv, score_json, label_csv, label_json = labels.get(
                                (code, t.score)
                            ) or label(code, t.score)
                        last = t.evidence[-1].date if n else None
                        last_csv, last_json = days.get(last) or day(last)
                        since = t.proficient_since
                        since_csv, since_json = days.get(since) or day(since)
                        rows.append(
                            f"{sid_csv}{csv_head[code]}{score_csv},{label_csv},"
                            f"{'yes' if t.proficient else 'no'},{n},{last_csv},{since_csv}"
                            f"{csv_tail[code]}"
                        )
                        scored.append(
                            f"{json_key[code]}{score_json},{label_json},"
                            f"{'true' if t.proficient else 'false'},{n},{last_json},{since_json}]"
                        )
                current = subject.current_level
                subject_rows.writerow(
                    (sid, subject.code, current or "", len(done_csv), ";".join(done_csv))
                )
                standing.append(
                    subject_key[subject.code] + f"{'null' if current is None else current},"
                    f'"completed":{{{",".join(done_json)}}}}}'
                )
            targets.write("".join(rows))
            person = _dumps(
                {
                    "id": student.id,
                    "given_name": student.given_name,
                    "family_name": student.family_name,
                    "preferred_name": student.preferred_name,
                    "graduation_year": student.graduation_year,
                    "birth_date": day(student.birth_date)[0] or None,
                    "language": student.language,
                    "name_order": student.name_order,
                    "latin_name": student.latin_name,
                }
            )
            lines.write(
                f'{person[:-1]},"subjects":{{{",".join(standing)}}},'
                f'"targets":{{{",".join(scored)}}}}}\n'
            )
            count += 1
        return count


def write_scores(
    school: School, results: Iterable[StudentResult], out: Path, as_of: date
) -> tuple[int, list[Path]]:
    """Write the three score files under ``out/scores``; return (students, paths written).

    Runs over ``results`` once, one student at a time, so memory stays flat for any roster.
    What is the same for every student (a target's code, method, JSON keys) is formatted once.
    A folder that cannot be written is a :class:`~proficio.errors.ProficioError` naming it.
    """
    return _write(school, [], lambda _: results, out, as_of, jobs=1)


def write_roster_scores(
    school: School,
    students: Sequence[Student],
    score: Score,
    out: Path,
    as_of: date,
    *,
    jobs: int = 0,
    minimum: int = FORK_MINIMUM,
) -> tuple[int, list[Path]]:
    """Score ``students`` with ``score`` and write the three files, as :func:`write_scores`,
    on ``jobs`` processes (0: every core) when the roster has at least ``minimum`` students
    and forking is available; the files are the same whatever ``jobs``."""
    return _write(school, list(students), score, out, as_of, jobs=jobs, minimum=minimum)


def _write(
    school: School,
    students: list[Student],
    score: Score,
    out: Path,
    as_of: date,
    *,
    jobs: int,
    minimum: int = FORK_MINIMUM,
) -> tuple[int, list[Path]]:
    folder = out / "scores"
    with folder_lock(folder):
        try:
            return _write_in(school, students, score, folder, as_of, jobs, minimum)
        except OSError as exc:
            raise cannot_write(folder, exc) from None


def _write_in(
    school: School,
    students: list[Student],
    score: Score,
    folder: Path,
    as_of: date,
    jobs: int,
    minimum: int,
) -> tuple[int, list[Path]]:
    paths = [folder / name for name in NAMES]
    fmt = _Formatter(school, as_of)
    parts = split(students, jobs, minimum=minimum) if jobs != 1 else [students]
    with atomic_texts(paths, private=True) as files:
        # Forked before anything is written, so no buffered text is copied into the child.
        spills = [
            [tempfile.TemporaryFile(dir=folder) for _ in NAMES]  # noqa: SIM115 (closed below)
            for _ in parts[1:]
        ]
        children = [
            Forked(_write_part, fmt, score, part, spill)
            for part, spill in zip(parts[1:], spills, strict=True)
        ]
        try:
            targets, subjects, lines = files
            csv.writer(targets, lineterminator="\r\n").writerow(TARGET_COLUMNS)
            csv.writer(subjects, lineterminator="\r\n").writerow(SUBJECT_COLUMNS)
            lines.write(fmt.header)
            count = fmt.write(score(parts[0]), targets, subjects, lines)
            for child, spill in zip(children, spills, strict=True):
                count += child.result()
                for text, part_file in zip(files, spill, strict=True):
                    text.flush()
                    part_file.seek(0)
                    shutil.copyfileobj(part_file, text.buffer, 1 << 20)  # type: ignore[attr-defined]
        finally:
            for child in children:
                child.cancel()
            for spill in spills:
                for part_file in spill:
                    part_file.close()
    # A version 1 file left by an earlier release would be stale student data beside the new.
    (folder / "scores.json").unlink(missing_ok=True)
    return count, paths


def _write_part(fmt: _Formatter, score: Score, part: list[Student], spill: list[IO[bytes]]) -> int:
    """One part of the roster's lines into ``spill`` (emptied first: the parent redoes the part
    into the same files when its child failed)."""
    texts = []
    for f in spill:
        f.seek(0)
        f.truncate()
        texts.append(io.TextIOWrapper(f, encoding="utf-8", newline=""))
    try:
        return fmt.write(score(part), texts[0], texts[1], texts[2])
    finally:
        for text in texts:
            text.flush()
            text.detach()
