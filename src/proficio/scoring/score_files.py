"""The scored result as files: the stable CSV and JSON that transcripts, CLR and data teams read.

``proficio score`` writes, under its output folder (``build/`` by default):

- ``scores/targets.csv``: one row per student and target of the school, scored or not;
- ``scores/subjects.csv``: one row per student and subject: current level, levels completed;
- ``scores/scores.json``: the same, nested per student (format ``proficio-scores``, version 1).

The columns and keys are documented in ``docs-dev/scoring.md``; add to them, never rename.
Each file is written to a temporary file, and the three are renamed together at the end, so a
failed run (a full disk, Ctrl-C) leaves the previous files (or none), never half of one nor a
new one beside old ones. One run at a time writes into a folder.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from ..content.model import Calculation, CompletionRule, School
from ..evidence.report import neutralise
from ..support.files import atomic_texts, cannot_write, folder_lock
from .results import StudentResult

FORMAT = "proficio-scores"
VERSION = 1

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


def method_text(calc: Calculation) -> str:
    """``decaying_average(weight=65)``: the method and its parameters as one cell."""
    params = ",".join(f"{k}={v}" for k, v in calc.params.items())
    return f"{calc.method}({params})" if params else calc.method


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _cell(text: str) -> str:
    """One CSV cell as csv.writer writes it (quoted only when it has to be)."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _TargetFormat:
    """Everything about one target that is the same for every student, formatted once."""

    def __init__(self, subject: str, level: int, code: str, calc: Calculation) -> None:
        method = method_text(calc)
        self.csv_head = f",{_cell(subject)},{level},{_cell(code)},"
        self.csv_tail = "," + _cell(method) + "\r\n"
        self.csv_empty = f"{self.csv_head},,no,0,,{self.csv_tail}"
        head = json.dumps({"code": code}, ensure_ascii=False)[:-1]
        self.json_head = head + ',"score":'
        self.json_tail = (
            ',"method":'
            + json.dumps(calc.method)
            + ',"params":'
            + json.dumps(calc.params, separators=(",", ":"))
            + "}"
        )
        self.json_empty = (
            head + ',"score":null,"label":null,"proficient":false,"evidence_count":0,'
            '"last_date":null,"proficient_since":null' + self.json_tail
        )


@lru_cache(maxsize=64)
def _completion_json(rule: CompletionRule) -> str:
    return json.dumps({"rule": rule.rule, "percent": rule.percent}, separators=(",", ":"))


def _json_str(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def write_scores(
    school: School, results: Iterable[StudentResult], out: Path, as_of: date
) -> tuple[int, list[Path]]:
    """Write the three score files under ``out/scores``; return (students, paths written).

    Runs over ``results`` once, one student at a time, so memory stays flat for any roster.
    What is the same for every student (a target's code, method, JSON keys) is formatted once.
    A folder that cannot be written is a :class:`~proficio.errors.ProficioError` naming it.
    """
    folder = out / "scores"
    with folder_lock(folder):
        try:
            return _write_scores(school, results, folder, as_of)
        except OSError as exc:
            raise cannot_write(folder, exc) from None


def _write_scores(
    school: School, results: Iterable[StudentResult], folder: Path, as_of: date
) -> tuple[int, list[Path]]:
    paths = [folder / "targets.csv", folder / "subjects.csv", folder / "scores.json"]
    lang = school.default_language
    scales = {t.code: school.scale_of(t) for _, _, _, t in school.iter_targets()}
    formats: dict[str, _TargetFormat] = {}
    labels: dict[tuple[str, Decimal], tuple[str, str, str, str]] = {}
    days: dict[date | None, tuple[str, str]] = {None: ("", "null")}
    count = 0
    with atomic_texts(paths, private=True) as files:
        targets = csv.writer(files[0], lineterminator="\r\n")
        subjects = csv.writer(files[1], lineterminator="\r\n")
        js = files[2]
        targets.writerow(TARGET_COLUMNS)
        subjects.writerow(SUBJECT_COLUMNS)
        head = {
            "format": FORMAT,
            "version": VERSION,
            "as_of": as_of.isoformat(),
            "school": school.text(school.name, lang),
            "language": lang,
        }
        js.write(json.dumps(head, ensure_ascii=False)[:-1] + ',"students":[')

        def day(value: date | None) -> tuple[str, str]:
            hit = days.get(value)
            if hit is None:
                text = value.isoformat()  # type: ignore[union-attr]  # None is in days already
                hit = days[value] = (text, f'"{text}"')
            return hit

        for result in results:
            student = result.student
            sid = neutralise(student.id)
            sid_csv = _cell(sid)
            lines: list[str] = []
            subject_parts = []
            for subject in result.subjects:
                level_parts = []
                done = []
                for level in subject.levels:
                    target_parts = []
                    for t in level.targets:
                        fmt = formats.get(t.code)
                        if fmt is None:
                            fmt = formats[t.code] = _TargetFormat(
                                subject.code, level.number, t.code, t.method
                            )
                        if t.score is None and not t.evidence:
                            lines.append(sid_csv + fmt.csv_empty)
                            target_parts.append(fmt.json_empty)
                            continue
                        if t.score is None:
                            score_csv, score_json, label, label_json = "", "null", "", "null"
                        else:
                            key = (t.code, t.score)
                            hit = labels.get(key)
                            if hit is None:
                                point = scales[t.code].label_for(t.score)
                                text = school.text(point.label, lang)
                                hit = labels[key] = (
                                    str(t.score),
                                    repr(float(t.score)),
                                    _cell(text),
                                    _json_str(text),
                                )
                            score_csv, score_json, label, label_json = hit
                        last_csv, last_json = day(t.evidence[-1].date if t.evidence else None)
                        since_csv, since_json = day(t.proficient_since)
                        n = len(t.evidence)
                        yes = "yes" if t.proficient else "no"
                        lines.append(
                            f"{sid_csv}{fmt.csv_head}{score_csv},{label},{yes},{n},"
                            f"{last_csv},{since_csv}{fmt.csv_tail}"
                        )
                        target_parts.append(
                            f'{fmt.json_head}{score_json},"label":{label_json},"proficient":'
                            f'{"true" if t.proficient else "false"},"evidence_count":{n},'
                            f'"last_date":{last_json},"proficient_since":{since_json}{fmt.json_tail}'
                        )
                    completed_csv, completed_json = day(level.completed_on)
                    if level.complete:
                        done.append(f"{level.number}:{completed_csv}")
                    level_parts.append(
                        f'{{"number":{level.number},"complete":{"true" if level.complete else "false"},'
                        f'"completed_on":{completed_json},"completion":'
                        + _completion_json(level.completion)
                        + ',"targets":['
                        + ",".join(target_parts)
                        + "]}"
                    )
                subjects.writerow(
                    (sid, subject.code, subject.current_level or "", len(done), ";".join(done))
                )
                subject_parts.append(
                    json.dumps(
                        {
                            "code": subject.code,
                            "slug": subject.slug,
                            "current_level": subject.current_level,
                        },
                        ensure_ascii=False,
                        separators=(",", ":"),
                    )[:-1]
                    + ',"levels":['
                    + ",".join(level_parts)
                    + "]}"
                )
            files[0].write("".join(lines))
            person = {
                "id": student.id,
                "given_name": student.given_name,
                "family_name": student.family_name,
                "preferred_name": student.preferred_name,
                "graduation_year": student.graduation_year,
                "birth_date": day(student.birth_date)[0] or None,
                "language": student.language,
            }
            record = (
                json.dumps(person, ensure_ascii=False, separators=(",", ":"))[:-1]
                + ',"subjects":['
                + ",".join(subject_parts)
                + "]}"
            )
            js.write(("\n" if count == 0 else ",\n") + record)
            count += 1
        js.write("\n]}\n")
    return count, paths
