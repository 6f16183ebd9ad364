"""How fast evidence is imported and scored, and how much memory it takes.

    python benchmarks/bench_scoring.py                          # 100k, 1M and 3M rows
    python benchmarks/bench_scoring.py --rows 1000000 --write   # one size, also writing the files

The data is synthetic and seeded (``proficio.dev.synthetic``): a 150-target school and 100 evidence
rows per student (10,000 students for 1,000,000 rows), cached in ``--data`` between runs. Each
size runs in a fresh subprocess so its peak memory (``ru_maxrss``) is its own. Printed per size:
the bare ``csv.reader`` pass over the same file (the ceiling), import (read, check, group,
duplicates), scoring every student on every target (results consumed one student at a time,
as transcript rendering does), and, with ``--write``, writing targets.csv/subjects.csv/
scores.json.
"""

from __future__ import annotations

import csv
import gc
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import click

from proficio import load_school
from proficio.dev.synthetic import write_evidence, write_roster, write_school

ROWS_PER_STUDENT = 100
TARGETS = 150


def dataset(data: Path, rows: int) -> tuple[Path, Path, Path]:
    """The school, roster and evidence for ``rows`` rows, generated once."""
    content = data / f"school-{TARGETS}"
    if not content.exists():
        write_school(content, targets=TARGETS, seed=1)
    students = max(1, rows // ROWS_PER_STUDENT)
    folder = data / f"rows-{rows}"
    roster, evidence = folder / "roster.csv", folder / "evidence.csv"
    if not evidence.exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_roster(roster, students, seed=1)
        tmp = folder / "evidence.csv.tmp"
        write_evidence(
            tmp,
            load_school(content),
            roster,
            rows_per_student=ROWS_PER_STUDENT,
            targets_per_student=TARGETS,
            seed=1,
        )
        tmp.replace(evidence)
    return content, roster, evidence


def one(data: Path, rows: int, write: bool) -> dict[str, float]:
    """Measure one size in this process (run in a subprocess by ``main``)."""
    from proficio.evidence import load
    from proficio.scoring import score_students
    from proficio.scoring.score_files import write_scores

    content, roster, evidence = dataset(data, rows)
    school = load_school(content)
    out: dict[str, float] = {}
    started, cpu = time.perf_counter(), time.process_time()
    with evidence.open(encoding="utf-8", newline="") as f:
        out["rows"] = sum(1 for _ in csv.reader(f)) - 1
    out["csv_reader_s"] = time.perf_counter() - started
    out["csv_reader_cpu_s"] = time.process_time() - cpu
    gc.collect()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    imported = load(roster, [evidence], school, as_of=date(2026, 6, 30))
    out["import_s"] = time.perf_counter() - started
    out["import_cpu_s"] = time.process_time() - cpu
    out["used"] = imported.report.used
    out["rejected"] = sum(imported.report.rejected.values())
    started, cpu = time.perf_counter(), time.process_time()
    targets = proficient = 0
    for result in score_students(school, imported.students, imported.evidence):
        for subject in result.subjects:
            for level in subject.levels:
                targets += len(level.targets)
                proficient += sum(t.proficient for t in level.targets)
    out["score_s"] = time.perf_counter() - started
    out["score_cpu_s"] = time.process_time() - cpu
    out["students"] = len(imported.students)
    out["target_results"] = targets
    out["proficient"] = proficient
    if write:
        started = time.perf_counter()
        write_scores(
            school,
            score_students(school, imported.students, imported.evidence),
            data / f"rows-{rows}" / "out",
            date(2026, 6, 30),
        )
        out["write_s"] = time.perf_counter() - started
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["base_rss_mib"] = base / 1024
    return out


@click.command()
@click.option(
    "--rows",
    "sizes",
    type=int,
    multiple=True,
    help="Evidence rows (repeatable). Default: 100k, 1M, 3M.",
)
@click.option(
    "--data",
    type=click.Path(path_type=Path),
    default=Path("/tmp/proficio-bench"),
    show_default=True,
    help="Where the generated data is kept between runs.",
)
@click.option("--write", is_flag=True, help="Also time writing the scored CSV and JSON.")
@click.option("--one", "single", type=int, hidden=True)
def main(sizes: tuple[int, ...], data: Path, write: bool, single: int | None) -> None:
    if single is not None:
        print(json.dumps(one(data, single, write)))
        return
    data.mkdir(parents=True, exist_ok=True)
    for rows in sizes or (100_000, 1_000_000, 3_000_000):
        dataset(data, rows)
        cmd = [sys.executable, __file__, "--one", str(rows), "--data", str(data)] + (
            ["--write"] if write else []
        )
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        total = r["import_s"] + r["score_s"]
        ceiling = r["rows"] / r["csv_reader_s"]
        line = (
            f"{int(r['rows']):>9,} rows, {int(r['students']):,} students: "
            f"csv.reader {r['csv_reader_s']:.2f} s ({ceiling:,.0f} rows/s); "
            f"import {r['import_s']:.2f} s + score {r['score_s']:.2f} s = {total:.2f} s "
            f"({r['rows'] / total:,.0f} rows/s, {r['rows'] / total / ceiling:.0%} of csv.reader); "
            f"peak RSS {r['peak_rss_mib']:,.0f} MiB; {int(r['target_results']):,} target results; "
            f"CPU time: csv.reader {r['csv_reader_cpu_s']:.2f} s, import {r['import_cpu_s']:.2f} s, "
            f"score {r['score_cpu_s']:.2f} s"
        )
        if write:
            line += f"; writing files {r['write_s']:.2f} s"
        print(line, flush=True)


if __name__ == "__main__":
    main()
