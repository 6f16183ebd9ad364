"""The scored result as files: the stable CSV and JSON that transcripts, CLR and data teams read.

``proficio score`` writes, under its output folder (``build/`` by default):

- ``scores/targets.csv``: one row per student and target of the school, scored or not;
- ``scores/subjects.csv``: one row per student and subject: current level, levels completed;
- ``scores/scores.json``: the same, nested per student (format ``proficio-scores``, version 1).

The columns and keys are documented in ``docs-dev/scoring.md``; add to them, never rename.
Each file is written to a temporary file and renamed at the end, so a failed run leaves the
previous files (or none), never half of one.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import IO

from .evidence.report import neutralise
from .model import Calculation, School
from .records import StudentResult

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


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class _Atomic:
    """A text file that appears under its name only when everything was written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        self.file: IO[str] = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def commit(self) -> None:
        self.file.close()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.file.close()
        if os.path.exists(self.tmp):
            os.unlink(self.tmp)


def write_scores(
    school: School, results: Iterable[StudentResult], out: Path, as_of: date
) -> tuple[int, list[Path]]:
    """Write the three score files under ``out/scores``; return (students, paths written)."""
    folder = out / "scores"
    paths = [folder / "targets.csv", folder / "subjects.csv", folder / "scores.json"]
    lang = school.default_language
    scales = {t.code: school.scale_of(t) for _, _, _, t in school.iter_targets()}
    labels: dict[tuple[str, Decimal], str] = {}
    methods: dict[Calculation, str] = {}
    count = 0
    with ExitStack() as stack:
        files = [_Atomic(p) for p in paths]
        for f in files:
            stack.callback(f.discard)
        targets = csv.writer(files[0].file, lineterminator="\r\n")
        subjects = csv.writer(files[1].file, lineterminator="\r\n")
        js = files[2].file
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
        for result in results:
            student = result.student
            sid = neutralise(student.id)
            subjects_json = []
            for subject in result.subjects:
                levels_json = []
                done = []
                for level in subject.levels:
                    targets_json = []
                    rows = []
                    for t in level.targets:
                        label = ""
                        if t.score is not None:
                            key = (t.code, t.score)
                            label = labels.get(key)  # type: ignore[assignment]
                            if label is None:
                                point = scales[t.code].label_for(t.score)
                                label = labels[key] = school.text(point.label, lang)
                        method = methods.get(t.method)
                        if method is None:
                            method = methods[t.method] = method_text(t.method)
                        last = t.last_date
                        rows.append(
                            (
                                sid,
                                subject.code,
                                level.number,
                                t.code,
                                "" if t.score is None else str(t.score),
                                label,
                                "yes" if t.proficient else "no",
                                len(t.evidence),
                                _day(last),
                                _day(t.proficient_since),
                                method,
                            )
                        )
                        targets_json.append(
                            {
                                "code": t.code,
                                "score": _num(t.score),
                                "label": label or None,
                                "proficient": t.proficient,
                                "evidence_count": len(t.evidence),
                                "last_date": _day(last) or None,
                                "proficient_since": _day(t.proficient_since) or None,
                                "method": t.method.method,
                                "params": t.method.params,
                            }
                        )
                    targets.writerows(rows)
                    if level.complete:
                        done.append(f"{level.number}:{_day(level.completed_on)}")
                    levels_json.append(
                        {
                            "number": level.number,
                            "complete": level.complete,
                            "completed_on": _day(level.completed_on) or None,
                            "completion": {
                                "rule": level.completion.rule,
                                "percent": level.completion.percent,
                            },
                            "targets": targets_json,
                        }
                    )
                subjects.writerow(
                    (sid, subject.code, subject.current_level or "", len(done), ";".join(done))
                )
                subjects_json.append(
                    {
                        "code": subject.code,
                        "slug": subject.slug,
                        "current_level": subject.current_level,
                        "levels": levels_json,
                    }
                )
            record = {
                "id": student.id,
                "given_name": student.given_name,
                "family_name": student.family_name,
                "preferred_name": student.preferred_name,
                "graduation_year": student.graduation_year,
                "birth_date": _day(student.birth_date) or None,
                "language": student.language,
                "subjects": subjects_json,
            }
            js.write(
                ("\n" if count == 0 else ",\n")
                + json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            )
            count += 1
        js.write("\n]}\n")
        for f in files:
            f.commit()
        stack.pop_all()
    return count, paths
