"""What Typst alone needs to lay out the rows of a transcript: the floor under any template.

A transcript lists every target of the student's levels, one table row each (code, title,
score and label, evidence count and last date), tagged for PDF/UA. This benchmark compiles
documents that hold *only* those rows, nothing else (no letterhead, summary, topic rows,
links, legend or signature), in the shapes a template could choose, and prints the CPU time per
document and what 10,000 such documents would need on two cores. Whatever the transcript
template, it cannot be cheaper than its rows.

Beside them, in the same run, the shipped template itself (``transcripts/templates``) compiles
real documents: a seeded synthetic school's students with N targets each, with the very inputs
the renderer gives Typst (``Renderer.inputs``: the school's JSON, the student's, the ID and
hash). Its line says how many times the 4-cell floor at the same N it costs; the rows it holds
are N targets plus the topic headers, after page 1's summary and the legend.

    python benchmarks/bench_typst_floor.py                    # 50, 150 and 400 rows / targets
    python benchmarks/bench_typst_floor.py --rows 150 --repeat 30
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from pathlib import Path

import click
import typst

from proficio.transcripts.fonts import font_dirs
from proficio.transcripts.render import PDF_STANDARDS

PREAMBLE = """#let rows = json(bytes(sys.inputs.rows))
#set document(title: "Rows")
#set text(font: ("Noto Sans",), size: 9pt, lang: "en")
#set page(paper: "us-letter", margin: (x: 1.7cm, top: 1.6cm, bottom: 2.1cm))
#set table(stroke: (x, y) => (bottom: 0.5pt), inset: (x: 4pt, y: 2.8pt))
#set table.cell(breakable: false)
"""

SHAPES = {
    "table, 4 cells a row (as shipped)": """#table(
  columns: (2.1cm, 1fr, 4.4cm, 2.6cm),
  table.header([Code], [Target], [Score], [Scores · last]),
  ..for x in rows { (x.code, x.title, [#x.score #x.label], x.scored) },
)""",
    "table, 2 cells a row": """#table(
  columns: (1fr, 5.5cm),
  table.header([Target], [Score]),
  ..for x in rows { ([#x.code #x.title], [#x.score #x.label · #x.scored]) },
)""",
    "table, 1 cell a row": """#table(
  columns: (1fr,),
  table.header([Target]),
  ..for x in rows { ([#x.code #x.title #x.score #x.label · #x.scored],) },
)""",
    "no table: a line of text a row": """#for x in rows [#x.code #x.title #x.score #x.label #x.scored \\ ]""",
    # What every page of an official document adds: "Page 3 of 9" needs a second layout pass.
    "table, 4 cells + 'Page x of y' footer": """#set page(footer: context align(center)[Page
  #counter(page).get().first() of #counter(page).final().first()])
#table(
  columns: (2.1cm, 1fr, 4.4cm, 2.6cm),
  table.header([Code], [Target], [Score], [Scores · last]),
  ..for x in rows { (x.code, x.title, [#x.score #x.label], x.scored) },
)""",
}
FLOOR = "table, 4 cells a row (as shipped)"
SHIPPED = "shipped transcript template"
ISSUED = date(2026, 6, 12)

WORDS = [
    "strategy",
    "organize",
    "character",
    "map",
    "explain",
    "identify",
    "cycle",
    "predict",
    "habitat",
    "reasoning",
    "visual",
    "describe",
    "model",
    "accurate",
    "cell",
    "calculate",
    "function",
    "represent",
    "design",
    "text",
    "measure",
    "each",
]


def rows_for(n: int, seed: int) -> list[dict[str, str]]:
    """``n`` rows shaped like a transcript's: titles of 5 to 15 words, as the synthetic school."""
    rnd = random.Random(seed)
    return [
        {
            "code": f"S1.L{i // 40 + 1}.T{i // 8 % 5 + 1}.{i % 8 + 1}",
            "title": "I can "
            + " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 14)))
            + ".",
            "score": rnd.choice(["2.0", "2.5", "3.0", "3.5", "4.0"]),
            "label": "Proficient",
            "scored": f"{rnd.randint(1, 4)} · 2026-0{rnd.randint(1, 6)}-1{rnd.randint(0, 9)}",
        }
        for i in range(n)
    ]


def measure(source: str, documents: list[dict[str, str]], tagged: bool) -> tuple[float, int]:
    """Median CPU seconds per document (each of ``documents`` is one compile's ``sys.inputs``;
    the first only warms up: it loads the fonts) and the last document's page count.

    Runs in a fresh process per measurement: Typst's caches are process-wide, and one shape's
    entries would slow the next one's lookups."""
    compiler = typst.Compiler(
        source,
        root=str(Path(source).parent),
        font_paths=[str(d) for d in font_dirs()],
        ignore_system_fonts=True,
    )
    stamp = datetime(2026, 6, 12, 12, tzinfo=UTC)
    options = {"pdf_standards": PDF_STANDARDS} if tagged else {"pdf_tags": False}
    times, pdf = [], b""
    for i, inputs in enumerate(documents):
        started = time.process_time()
        pdf = compiler.compile(sys_inputs=inputs, timestamp=stamp, **options)
        if i:
            times.append(time.process_time() - started)
    match = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    return statistics.median(times), int(match.group(1)) if match else 0


def shipped_documents(
    folder: Path, targets: int, count: int
) -> tuple[Path, list[dict[str, str]], tuple[int, int]]:
    """A seeded synthetic school (``proficio.dev.synthetic``, as ``bench_transcripts.py``
    makes it) whose ``count`` students have evidence on ``targets`` targets each: the Typst
    root the renderer prepares, each student's transcript inputs, and the target rows and the
    topic headers of the documents' details (medians)."""
    from proficio import load_school, open_gradebook
    from proficio.dev.synthetic import write_evidence, write_roster, write_school
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import Coverage
    from proficio.transcripts.render import Renderer, prepare_root

    content = folder / "content"
    write_school(content, targets=max(143, int(targets * 1.6)), seed=1)
    school = load_school(content)
    roster = write_roster(folder / "roster.csv", count, seed=1, languages=school.languages)
    evidence = folder / "evidence.csv"
    write_evidence(
        evidence,
        school,
        roster,
        targets_per_student=targets,
        rows_per_student=max(1, round(targets * 1.5)),
        seed=1,
    )
    book = open_gradebook(school, [roster], [evidence], as_of=ISSUED)
    root = prepare_root(book.school)
    dirs = font_dirs()
    renderer = Renderer(
        book.school, Options(issued=ISSUED), dirs, Coverage.of_dirs(dirs), root=root
    )
    documents = [renderer.inputs(result)[0] for result in book.results(book.students)]
    renderer.close()
    rows, topics = [], []
    for inputs in documents:
        shown = [
            len(topic["targets"])
            for subject in json.loads(inputs["student"])["subjects"]
            for level in subject["levels"]
            for topic in level["topics"]
        ]
        rows.append(sum(shown))
        topics.append(len(shown))
    median = int(statistics.median(rows)), int(statistics.median(topics))
    return root / "transcript.typ", documents, median


@click.command()
@click.option(
    "--rows",
    "row_counts",
    default="50,150,400",
    show_default=True,
    help="Rows per document, comma-separated; for the shipped template, targets with evidence "
    "per student (it is compared with the floor at as many rows as it prints targets).",
)
@click.option("--repeat", default=12, show_default=True, help="Documents per measurement.")
@click.option("--students", default=10_000, show_default=True, help="For the extrapolation.")
@click.option("--cores", default=2, show_default=True, help="For the extrapolation.")
def main(row_counts: str, repeat: int, students: int, cores: int) -> None:
    counts = [int(n) for n in row_counts.split(",")]
    print(f"CPU per document (median of {repeat}); {students:,} documents on {cores} cores")
    fork = multiprocessing.get_context("fork")
    floor: dict[tuple[int, bool], float] = {}
    with tempfile.TemporaryDirectory(prefix="proficio-floor-") as tmp:
        jobs: list[tuple[str, int, str, list[dict[str, str]], str]] = []
        sources = {}
        for index, (name, body) in enumerate(SHAPES.items()):
            source = sources[name] = Path(tmp) / f"shape{index}.typ"
            source.write_text(PREAMBLE + body + "\n", encoding="utf-8")

        def rows_job(name: str, n: int) -> None:
            docs = [{"rows": json.dumps(rows_for(n, seed=i))} for i in range(repeat + 1)]
            jobs.append((name, n, str(sources[name]), docs, f"{n} rows"))

        for name in SHAPES:
            for n in counts:
                rows_job(name, n)
        for n in counts:
            source, docs, (rows, topics) = shipped_documents(Path(tmp) / f"s{n}", n, repeat + 1)
            if rows not in counts:  # the floor at as many rows as the template prints targets
                rows_job(FLOOR, rows)
            what = f"{n} targets: {rows} rows + {topics} topics"
            jobs.append((SHIPPED, rows, str(source), docs, what))
        for name, n, source, docs, what in jobs:
            for tagged in (True, False):
                with ProcessPoolExecutor(1, mp_context=fork) as pool:
                    seconds, pages = pool.submit(measure, source, docs, tagged).result()
                if name == FLOOR:
                    floor[n, tagged] = seconds
                total = seconds * students / cores
                gap = (
                    f"  x{seconds / floor[n, tagged]:.2f} the floor" if (n, tagged) in floor else ""
                )
                print(
                    f"  {name:38s} {what:31s} {'tagged PDF/UA' if tagged else 'untagged':13s}"
                    f" {pages:2d} pages: {seconds * 1000:6.1f} ms"
                    f" -> {total:6.0f} s = {total / 60:4.1f} min{gap}",
                    flush=True,
                )
        for name, _, source, _, _ in jobs:
            if name == SHIPPED:  # the renderer's own root (prepare_root), outside tmp
                shutil.rmtree(Path(source).parent, ignore_errors=True)


if __name__ == "__main__":
    main()
