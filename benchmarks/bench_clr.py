"""How long exporting CLR 2.0 records takes: the example school's students and synthetic rosters.

    python benchmarks/bench_clr.py                     # example students + 10,000 synthetic
    python benchmarks/bench_clr.py --students 1000     # another synthetic size
    python benchmarks/bench_clr.py --sign              # also time signed (VC-JWT) records

The synthetic students are the seeded generator's (``proficio.dev.synthetic``) on the example
school's content. Importing and scoring the evidence is timed apart from building and writing
the records (it belongs to ``proficio score``); the figures printed are wall-clock seconds.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from proficio import load_school
from proficio.dev.synthetic import write_evidence, write_roster
from proficio.evidence import load
from proficio.interop.clr import export_clrs
from proficio.scoring import score_students

ROOT = Path(__file__).resolve().parents[1]
ISSUED = datetime(2026, 6, 12, 15, 0, tzinfo=UTC)


def run(label: str, school, roster: Path, evidence: Path, out: Path, key, validate: str) -> None:
    started = time.perf_counter()
    imported = load(roster, evidence, school)
    results = list(score_students(school, imported.students, imported.evidence))
    scored = time.perf_counter() - started
    started = time.perf_counter()
    summary = export_clrs(school, results, out, issued=ISSUED, key=key, validate=validate)
    seconds = time.perf_counter() - started
    kind = "signed" if key is not None else "unsigned"
    print(
        f"{label}: {summary.students:,} students, {len(imported.evidence):,} evidence rows; "
        f"import+score {scored:.1f} s; CLR export ({kind}, validate={validate}) {seconds:.1f} s "
        f"= {seconds / summary.students * 1000:.1f} ms/student, {summary.credentials:,} credentials, "
        f"{summary.bytes / 1e6:,.0f} MB ({summary.bytes / summary.students / 1024:.0f} KiB/student)"
    )
    shutil.rmtree(out, ignore_errors=True)


@click.command()
@click.option("--students", "sizes", type=int, multiple=True, default=(10_000,), show_default=True)
@click.option("--rows", default=100, show_default=True, help="Evidence rows per synthetic student.")
@click.option("--sign", is_flag=True, help="Also export signed VC-JWT records.")
@click.option("--seed", default=1, show_default=True)
def main(sizes: tuple[int, ...], rows: int, sign: bool, seed: int) -> None:
    school = load_school(ROOT / "content")
    key = Ed25519PrivateKey.generate() if sign else None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        example = ROOT / "examples" / "riverbend"
        run(
            "example school (all validated)",
            school,
            example / "roster.csv",
            example / "evidence.csv",
            work / "ex",
            None,
            "all",
        )
        run(
            "example school",
            school,
            example / "roster.csv",
            example / "evidence.csv",
            work / "ex",
            None,
            "first",
        )
        if sign:
            run(
                "example school",
                school,
                example / "roster.csv",
                example / "evidence.csv",
                work / "ex",
                key,
                "first",
            )
        for n in sizes:
            started = time.perf_counter()
            roster = write_roster(work / f"roster-{n}.csv", n, seed=seed)
            count = write_evidence(
                work / f"evidence-{n}.csv", school, roster, rows_per_student=rows, seed=seed
            )
            print(
                f"generated {n:,} students, {count:,} rows in {time.perf_counter() - started:.1f} s"
            )
            run(
                f"synthetic {n:,}",
                school,
                roster,
                work / f"evidence-{n}.csv",
                work / "syn",
                None,
                "first",
            )
            if sign:
                run(
                    f"synthetic {n:,}",
                    school,
                    roster,
                    work / f"evidence-{n}.csv",
                    work / "syn",
                    key,
                    "first",
                )


if __name__ == "__main__":
    main()
