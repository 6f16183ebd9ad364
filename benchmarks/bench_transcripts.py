"""Transcripts end to end versus Typst alone, on seeded synthetic schools.

For each configuration (students, targets with evidence per student, worker processes) it
writes a synthetic school, roster and evidence (not timed), then measures in the same run:

- **end to end**: ``proficio transcripts`` as a registrar runs it (import the evidence, score,
  render, write each PDF atomically, write the manifest), in a fresh process, with the peak
  memory of the whole process tree (main + workers, each worker replaced after
  ``bulk.RECYCLE`` documents) sampled from /proc: run 1,000+ students to see it stay flat;
- **Typst alone**: the very same documents (same JSON, same templates, same PDF standards)
  compiled by bare ``typst.Compiler`` objects in the same number of processes, nothing written.

    python benchmarks/bench_transcripts.py                       # the default sweep (~10 min)
    python benchmarks/bench_transcripts.py --students 10000 --targets 150 --jobs 2 --no-typst
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from datetime import time as dtime
from pathlib import Path

ISSUE_DATE = "2026-06-12"


TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (forkserver workers are grandchildren)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return out


def sample(pid: int, cpu: dict[int, float]) -> int:
    """Memory of the tree in bytes (proportional set size); records each process's CPU
    seconds in ``cpu``."""
    total = 0
    for p in tree(pid):
        try:
            # PSS: shared pages (workers forked from one server) counted once, in shares
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[p] = (int(fields[11]) + int(fields[12])) / TICK
        except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
            continue
    return total


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall time, CPU time of the whole process tree, peak tree RSS and stdout of ``cmd``.

    CPU time is what to compare on a shared machine: other users' load stretches wall time but
    barely changes the CPU seconds a run needs. It is sampled from /proc every second (workers
    are not our children, so rusage would miss them): reading PSS five times a second took a
    tenth of a core from the run it measured.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def watch() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, sample(proc.pid, cpu))
            stop.wait(1.0)

    t = threading.Thread(target=watch, daemon=True)
    t.start()
    out, err = proc.communicate()
    stop.set()
    t.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    return seconds, sum(cpu.values()), peak, out


def make_data(folder: Path, students: int, targets: int, seed: int) -> tuple[Path, Path, Path, int]:
    """A school with enough targets, a roster and evidence on ``targets`` targets per student."""
    from proficio.content.loader import load_school
    from proficio.dev.synthetic import write_evidence, write_roster, write_school

    content = folder / "content"
    write_school(content, targets=max(143, int(targets * 1.6)), seed=seed)
    school = load_school(content)
    roster = write_roster(folder / "roster.csv", students, seed=seed, languages=school.languages)
    rows = write_evidence(
        folder / "evidence.csv",
        school,
        roster,
        targets_per_student=targets,
        rows_per_student=max(1, round(targets * 1.5)),
        seed=seed,
    )
    return content, roster, folder / "evidence.csv", rows


# -- Typst alone ---------------------------------------------------------------------------


def prepare_documents(
    content: Path, roster: Path, evidence: Path, docs: Path, shard: str | None = None
) -> dict[str, float]:
    """Score every student (of ``shard``) and write, one JSON line each, exactly what the run's
    template got (``Renderer.inputs``: the school's JSON, the student's, the printed document ID
    and content hash): the Typst-only input."""
    from proficio import load_school, open_gradebook
    from proficio.transcripts.bulk import parse_shard, shard_of
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import Coverage, font_dirs
    from proficio.transcripts.render import Renderer

    book = open_gradebook(load_school(content), [roster], [evidence], as_of=_date())
    school, students, score = book.school, book.students, book.results
    if shard:
        part, count = parse_shard(shard)
        students = [s for s in students if shard_of(s.id, count) == part]
    dirs = font_dirs()
    renderer = Renderer(school, Options(issued=_date()), dirs, Coverage.of_dirs(dirs))
    rows = n = 0
    try:
        with docs.open("w", encoding="utf-8") as f:
            for result in score(students):
                inputs = renderer.inputs(result)[0]
                rows += sum(
                    len(t["targets"])
                    for s in json.loads(inputs["student"])["subjects"]
                    for lv in s["levels"]
                    for t in lv["topics"]
                )
                n += 1
                f.write(json.dumps(inputs) + "\n")
    finally:
        renderer.close()
    return {"documents": n, "targets_per_document": rows / max(n, 1)}


def _date() -> date:
    return date.fromisoformat(ISSUE_DATE)


def _typst_worker(args: tuple[str, str, int, int]) -> tuple[int, int]:
    import typst

    from proficio.content.loader import load_school
    from proficio.transcripts.fonts import font_dirs
    from proficio.transcripts.render import PDF_STANDARDS, prepare_root

    content, docs, index, count = args
    root = prepare_root(load_school(content))
    compiler = typst.Compiler(
        root / "transcript.typ",
        root=root,
        font_paths=[str(d) for d in font_dirs()],
        ignore_system_fonts=True,
    )
    stamp = datetime.combine(_date(), dtime(12), tzinfo=UTC)
    done = size = 0
    with open(docs, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % count != index:
                continue
            pdf = compiler.compile(
                sys_inputs=json.loads(line),
                pdf_standards=PDF_STANDARDS,
                timestamp=stamp,
            )
            done += 1
            size += len(pdf)
    shutil.rmtree(root, ignore_errors=True)
    return done, size


def typst_only(content: str, docs: str, jobs: int) -> dict[str, float]:
    """Compile every document of ``docs`` on ``jobs`` processes; nothing is written."""
    started = time.perf_counter()
    ctx = multiprocessing.get_context("forkserver")
    with ctx.Pool(jobs) as pool:
        parts = pool.map(_typst_worker, [(content, docs, i, jobs) for i in range(jobs)])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "documents": sum(p[0] for p in parts)}


# -- the sweep -----------------------------------------------------------------------------


def measure(
    students: int,
    targets: int,
    jobs: int,
    seed: int,
    with_typst: bool,
    keep: Path | None,
    shard: str | None = None,
) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="bench-transcripts-", dir=keep))
    try:
        content, roster, evidence, rows = make_data(tmp, students, targets, seed)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        out = tmp / "out"
        cmd = [
            sys.executable, "-m", "proficio", "transcripts",
            "--content", str(content), "--roster", str(roster), "--evidence", str(evidence),
            "--out", str(out), "--jobs", str(jobs), "--issue-date", ISSUE_DATE,
            *(["--shard", shard] if shard else []),
        ]  # fmt: skip
        seconds, cpu, peak, _ = run_measured(cmd, env)
        data = json.loads((out / "manifest.json").read_text())
        docs = data["documents"]
        row = {
            "students": students,
            "shard": shard or "",
            "targets_per_student": targets,
            "evidence_rows": rows,
            "jobs": jobs,
            "e2e_wall_s": round(seconds, 1),
            "e2e_cpu_s": round(cpu, 1),
            "e2e_docs_per_s": round(len(docs) / seconds, 1),
            "peak_pss_mib": round(peak / 2**20),
            "pages_per_doc": round(sum(d["pages"] for d in docs) / len(docs), 2),
            "kb_per_doc": round(sum(d["bytes"] for d in docs) / len(docs) / 1000, 1),
            "failed": len(data["failed"]),
        }
        if with_typst:
            info = prepare_documents(content, roster, evidence, tmp / "docs.jsonl", shard)
            cmd = [
                sys.executable,
                __file__,
                "--typst-only",
                str(content),
                str(tmp / "docs.jsonl"),
                str(jobs),
            ]
            t_wall, t_cpu, _, _ = run_measured(cmd, env)
            row.update(
                rows_per_doc=round(info["targets_per_document"], 1),
                typst_wall_s=round(t_wall, 1),
                typst_cpu_s=round(t_cpu, 1),
                ratio_wall=round(seconds / t_wall, 3),
                ratio_cpu=round(cpu / t_cpu, 3),
                # everything but Typst (import, scoring, JSON, packing, files, worker starts),
                # per document
                overhead_ms_per_doc=round((cpu - t_cpu) / max(len(docs), 1) * 1000, 1),
            )
        return row
    finally:
        if keep is None:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--students", type=int, nargs="+", default=[300])
    ap.add_argument("--targets", type=int, nargs="+", default=[50, 150, 400])
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-typst", action="store_true", help="Skip the Typst-alone comparison.")
    ap.add_argument("--keep", type=Path, help="Folder to keep the generated data and PDFs in.")
    ap.add_argument(
        "--shard",
        metavar="I/N",
        help="Measure one runner of an N-runner CI matrix: it imports everyone's evidence and "
        "renders its shard (Typst alone compiles the same shard).",
    )
    ap.add_argument(
        "--full-jobs-sweep",
        action="store_true",
        help="Every targets value with every jobs value (default: jobs sweep at 150 targets only).",
    )
    ap.add_argument(
        "--typst-only", nargs=3, metavar=("CONTENT", "DOCS", "JOBS"), help=argparse.SUPPRESS
    )
    args = ap.parse_args()
    if args.typst_only:
        content, docs, jobs = args.typst_only
        print(json.dumps(typst_only(content, docs, int(jobs))))
        return
    print(f"# machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f} at start", flush=True)
    keys = None
    for n in args.students:
        for t in args.targets:
            for j in args.jobs:
                if (
                    not args.full_jobs_sweep
                    and len(args.targets) > 1
                    and t != 150
                    and j != max(args.jobs)
                ):
                    continue
                row = measure(n, t, j, args.seed, not args.no_typst, args.keep, args.shard)
                if keys is None:
                    keys = list(row)
                    print("\t".join(keys), flush=True)
                print("\t".join(str(row.get(k, "")) for k in keys), flush=True)
    print(f"# load {os.getloadavg()[0]:.2f} at end", flush=True)


if __name__ == "__main__":
    main()
