"""How fast evidence is imported and scored, and how much memory it takes, beside references.

    python benchmarks/bench_scoring.py                  # 100k, 1M and 3M rows
    python benchmarks/bench_scoring.py --rows 1000000   # one size

The data is synthetic and seeded (``proficio.dev.synthetic``): a 150-target school and 100 evidence
rows per student (10,000 students for 1,000,000 rows), cached in ``--data`` between runs. Each
size is measured in fresh processes, so each peak memory (``ru_maxrss``) is its own. Printed per
size, wall and CPU seconds and the peak memory after each step:

- ``csv.reader``: a bare pass over the same file (the floor of any import in Python);
- import: read, check every row, group by student, detect duplicates (``proficio.evidence.load``);
- scoring: every student on every target (``proficio.scoring.score_students``), each result
  consumed, as transcript rendering does; and import + scoring;
- ``proficio score`` end to end in a fresh process, writing its score files;
- polars (when installed: ``pip install -e .[bench]``): a latest-score and decaying-average
  group-by on the same file, which checks nothing; its CPU time (every thread, not counting
  importing polars), since it uses every core.

Ratios are against ``csv.reader`` and polars' CPU from the same run (the machine may be busy;
the ratios hold up better than the seconds). The budget (issue 18): 1M rows imported and scored
within 3x ``csv.reader`` and 2x polars' CPU, under 150 MiB; ``proficio score`` under 4 s.
"""

from __future__ import annotations

import csv
import gc
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from proficio import load_school
from proficio.dev.synthetic import write_evidence, write_roster, write_school

if TYPE_CHECKING:
    from proficio.scoring.results import StudentResult

AS_OF = date(2026, 6, 30)
WEIGHT = 0.65
"""The decaying average's weight of the newest score (Proficio's default, 65)."""
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


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(data: Path, rows: int) -> dict[str, float]:
    """Measure csv.reader, import and scoring in this process (a subprocess of ``main``)."""
    from proficio.evidence import load
    from proficio.scoring import score_students

    content, roster, evidence = dataset(data, rows)
    school = load_school(content)
    out: dict[str, float] = {"start_mib": _rss_mib()}
    with evidence.open("rb") as f:  # the file in the page cache for every step (and polars)
        while f.read(1 << 20):
            pass
    started, cpu = time.perf_counter(), time.process_time()
    with evidence.open(encoding="utf-8", newline="") as f:
        out["rows"] = sum(1 for _ in csv.reader(f)) - 1
    out["csv_s"] = time.perf_counter() - started
    out["csv_cpu"] = time.process_time() - cpu
    out["csv_mib"] = _rss_mib()
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    imported = load(roster, [evidence], school, as_of=AS_OF)
    out["import_s"] = time.perf_counter() - started
    out["import_cpu"] = time.process_time() - cpu
    out["import_mib"] = _rss_mib()
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
    out["score_cpu"] = time.process_time() - cpu
    out["score_mib"] = _rss_mib()
    # The same scoring and counting on both cores (proficio.scoring.parallel): each process
    # reduces its part of the roster to two counts, as `proficio score` reduces it to text.
    from proficio.gradebook import Gradebook

    def counted(results: Iterator[StudentResult]) -> tuple[int, int]:
        n = yes = 0
        for result in results:
            for subject in result.subjects:
                for level in subject.levels:
                    n += len(level.targets)
                    yes += sum(t.proficient for t in level.targets)
        return n, yes

    book = Gradebook(school, imported.students, imported.evidence, imported.report, AS_OF, None)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    started, cpu = time.perf_counter(), time.process_time()
    parts = book.map_results(counted, jobs=2)
    out["score2_s"] = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out["score2_cpu"] = (
        time.process_time()
        - cpu
        + sum((after.ru_utime - kids.ru_utime, after.ru_stime - kids.ru_stime))
    )
    assert [sum(c) for c in zip(*parts, strict=True)] == [targets, proficient]
    out["students"] = len(imported.students)
    out["target_results"] = targets
    out["proficient"] = proficient
    return out


def polars_groupby(evidence: Path) -> dict[str, float]:
    """Each student's latest score and decaying average per target (dates, then file order),
    as polars computes them: its wall and CPU seconds (every thread; not importing polars)
    and the number of (student, target) pairs."""
    import polars as pl

    started, cpu = time.perf_counter(), time.process_time()
    keys = ["student_id", "target"]
    w = WEIGHT
    pos = pl.int_range(pl.len()).over(keys)
    k = pl.len().over(keys)
    weight = pl.when(pos == 0).then((1 - w) ** (k - 1)).otherwise(w * (1 - w) ** (k - 1 - pos))
    frame = (
        pl.scan_csv(evidence, schema_overrides={"score": pl.Float64, "student_id": pl.Utf8})
        .select(*keys, "score", pl.col("date").str.to_date())
        .sort([*keys, "date"], maintain_order=True)
        .with_columns(weight=weight)
        .group_by(keys)
        .agg(
            latest=pl.col("score").last(),
            decaying=(pl.col("score") * pl.col("weight")).sum(),
        )
        .collect()
    )
    return {
        "s": time.perf_counter() - started,
        "cpu": time.process_time() - cpu,
        "pairs": frame.height,
    }


def ratios(seconds: float, cpu: float, r: dict[str, float], ref: dict[str, float] | None) -> str:
    """A step against csv.reader (wall and CPU) and against polars' CPU, from the same run."""
    text = f"{seconds / r['csv_s']:.1f}x csv.reader (CPU {cpu / r['csv_cpu']:.1f}x)"
    if ref is not None:
        text += f", {cpu / ref['cpu']:.2f}x polars' CPU"
    return text


def child(cmd: list[str]) -> tuple[dict[str, float], str]:
    """Run ``cmd`` in a fresh process: its wall and CPU seconds (every thread) and peak MiB."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.communicate()
    if proc.returncode not in (0,):
        raise click.ClickException(f"{' '.join(cmd)} failed ({proc.returncode}): {err.decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return {"s": wall, "cpu": cpu, "mib": usage.ru_maxrss / 1024}, out.decode().strip()


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
@click.option("--one", "single", type=int, hidden=True)
@click.option("--polars", "polars_file", type=click.Path(path_type=Path), hidden=True)
def main(sizes: tuple[int, ...], data: Path, single: int | None, polars_file: Path | None) -> None:
    if single is not None:
        print(json.dumps(one(data, single)))
        return
    if polars_file is not None:
        print(json.dumps(polars_groupby(polars_file)))
        return
    data.mkdir(parents=True, exist_ok=True)
    has_polars = importlib.util.find_spec("polars") is not None
    for rows in sizes or (100_000, 1_000_000, 3_000_000):
        content, roster, evidence = dataset(data, rows)
        here = [sys.executable, __file__, "--data", str(data)]
        r = json.loads(child([*here, "--one", str(rows)])[1])
        with tempfile.TemporaryDirectory() as out:
            cli, _ = child(
                [
                    sys.executable,
                    "-m",
                    "proficio",
                    "score",
                    "--content",
                    str(content),
                    "--roster",
                    str(roster),
                    "--evidence",
                    str(evidence),
                    "--as-of",
                    AS_OF.isoformat(),
                    "--out",
                    out,
                    "--issues",
                    str(Path(out) / "issues.csv"),
                ]
            )
        ref: dict[str, float] | None = None
        if has_polars:
            usage, text = child([*here, "--polars", str(evidence)])
            ref = {**json.loads(text), "mib": usage["mib"]}
        both_s = r["import_s"] + r["score_s"]
        both_cpu = r["import_cpu"] + r["score_cpu"]

        print(
            f"{int(r['rows']):,} rows, {int(r['students']):,} students, "
            f"{int(r['used']):,} used, {int(r['rejected']):,} reported, "
            f"{int(r['target_results']):,} target results",
            flush=True,
        )
        steps = [
            ("csv.reader", r["csv_s"], r["csv_cpu"], r["csv_mib"], ""),
            (
                "import",
                r["import_s"],
                r["import_cpu"],
                r["import_mib"],
                ratios(r["import_s"], r["import_cpu"], r, ref),
            ),
            (
                "scoring",
                r["score_s"],
                r["score_cpu"],
                r["score_mib"],
                ratios(r["score_s"], r["score_cpu"], r, ref),
            ),
            (
                "scoring, 2 cores",
                r["score2_s"],
                r["score2_cpu"],
                r["score_mib"],
                ratios(r["score2_s"], r["score2_cpu"], r, ref),
            ),
            (
                "import + scoring",
                both_s,
                both_cpu,
                r["score_mib"],
                ratios(both_s, both_cpu, r, ref),
            ),
            (
                "proficio score",
                cli["s"],
                cli["cpu"],
                cli["mib"],
                ratios(cli["s"], cli["cpu"], r, ref),
            ),
        ]
        if ref is not None:
            steps.append(("polars group-by", ref["s"], ref["cpu"], ref["mib"], ""))
        for name, seconds, cpu, mib, ratio in steps:
            print(
                f"  {name:<17} {seconds:6.2f} s  CPU {cpu:6.2f} s  peak {mib:5.0f} MiB"
                + (f"  {ratio}" if ratio else ""),
                flush=True,
            )
        if ref is None:
            print("  polars not installed, skipped (pip install -e .[bench])", flush=True)
        print(f"  (the in-process peaks include {r['start_mib']:.0f} MiB of Python and the school)")


if __name__ == "__main__":
    main()
