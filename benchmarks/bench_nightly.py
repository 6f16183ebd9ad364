"""A nightly run (incremental re-issue) versus the full run, on a seeded synthetic school.

It writes a school, a roster and evidence (not timed), then measures, each in a fresh process
as a registrar's CI runs ``proficio transcripts`` into the same folder:

- **full**: the first run into an empty folder (import, score and render everyone, manifest);
- **quiet night**: the same inputs again: import, decide, re-hash every kept PDF, manifest, and
  nothing rendered (the cost of the decision itself);
- **nightly**: after ``--changed`` students each get one new dated evidence row, appended to
  the export: import, score and render those students, keep everyone else, manifest.

It checks that the nightly run rendered exactly the changed students and that its manifest
lists everyone, then prints each figure beside the full run's.

    python benchmarks/bench_nightly.py                                  # quick: 500 students
    python benchmarks/bench_nightly.py --students 10000 --targets 150 --changed 100

Budget (issue #18): the nightly run of 10,000 students x 150 targets with 100 changed under
15 s end to end on the 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_transcripts import ISSUE_DATE, make_data, run_measured


def change_evidence(evidence: Path, changed: int, seed: int) -> list[str]:
    """Append one new dated row for ``changed`` students spread over the roster (on a target
    they already have evidence on, with a score their row already uses); return their IDs."""
    first: dict[str, list[str]] = {}
    with evidence.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            first.setdefault(row[0], row)
    students = list(first)
    step = max(1, len(students) // max(changed, 1))
    picked = students[seed % step :: step][:changed]
    with evidence.open("a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for sid in picked:
            row = dict(zip(header, first[sid], strict=True))
            row.update(date=ISSUE_DATE, assessment="Nightly check", comment="")
            writer.writerow([row.get(h, "") for h in header])
    return picked


def counts(output: str) -> tuple[int, int]:
    m = re.search(r"Rendered (\d+), unchanged (\d+) \(kept\)", output)
    if not m:
        raise SystemExit(f"no 'Rendered N, unchanged M' line in:\n{output[-2000:]}")
    return int(m.group(1)), int(m.group(2))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--students", type=int, default=500)
    ap.add_argument("--targets", type=int, default=150, help="Targets with evidence per student.")
    ap.add_argument("--changed", type=int, default=100, help="Students with a new row tonight.")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--nights", type=int, default=3, help="Nightly runs, each with other changed students."
    )
    ap.add_argument("--keep", type=Path, help="Folder to keep the generated data and PDFs in.")
    args = ap.parse_args()

    print(f"# machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start", flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-nightly-", dir=args.keep))
    try:
        started = time.perf_counter()
        content, roster, evidence, rows = make_data(tmp, args.students, args.targets, args.seed)
        print(
            f"# data: {args.students} students, {args.targets} targets each, {rows:,} evidence "
            f"rows ({time.perf_counter() - started:.0f} s to write, not timed)",
            flush=True,
        )
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        out = tmp / "out"
        cmd = [
            sys.executable, "-m", "proficio", "transcripts",
            "--content", str(content), "--roster", str(roster), "--evidence", str(evidence),
            "--out", str(out), "--jobs", str(args.jobs), "--issue-date", ISSUE_DATE,
            "--issues", str(tmp / "issues.csv"),
        ]  # fmt: skip
        full_s, full_cpu, full_peak, output = run_measured(cmd, env)
        assert counts(output) == (args.students, 0), output
        quiet_s, quiet_cpu, quiet_peak, output = run_measured(cmd, env)
        assert counts(output) == (0, args.students), output
        nights = []
        for night in range(args.nights):
            picked = change_evidence(evidence, args.changed, args.seed + night)
            night_s, night_cpu, night_peak, output = run_measured(cmd, env)
            rendered, kept = counts(output)
            assert (rendered, kept) == (len(picked), args.students - len(picked)), output
            nights.append((night_s, night_cpu, night_peak, rendered))
        listed = json.loads((out / "manifest.json").read_text("utf-8"))["documents"]
        assert len(listed) == args.students
        size = sum(d["bytes"] for d in listed)

        print("run\twall_s\tcpu_s\tpeak_pss_mib\trendered\tvs_full_wall")
        rows_out = [
            ("full", full_s, full_cpu, full_peak, args.students),
            ("quiet_night", quiet_s, quiet_cpu, quiet_peak, 0),
        ] + [
            (f"nightly_{i + 1}_{n}_changed", s, cpu, peak, n)
            for i, (s, cpu, peak, n) in enumerate(nights)
        ]
        for name, s, cpu, peak, n in rows_out:
            print(
                f"{name}\t{s:.1f}\t{cpu:.1f}\t{peak / 2**20:.0f}\t{n}\t{s / full_s:.3f}", flush=True
            )
        walls = sorted(s for s, *_ in nights)
        print(
            f"# full run {full_s:.1f} s; nightly runs ({args.changed} changed each) "
            f"{walls[0]:.1f}-{walls[-1]:.1f} s over {len(walls)} nights (budget at 10,000 x 150: "
            f"15 s); kept PDFs re-hashed each night: {size / 1e9:.2f} GB",
            flush=True,
        )
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"# load {os.getloadavg()[0]:.2f} at end", flush=True)


if __name__ == "__main__":
    main()
