"""What Typst alone needs to lay out the rows of a transcript: the floor under any template.

A transcript lists every target of the student's levels, one table row each (code, title,
score and label, evidence count and last date), tagged for PDF/UA. This benchmark compiles
documents that hold *only* those rows, nothing else (no letterhead, summary, topic rows,
links, legend or signature), in the shapes a template could choose, and prints the CPU time per
document and what 10,000 such documents would need on two cores. Whatever the transcript
template, it cannot be cheaper than its rows.

    python benchmarks/bench_typst_floor.py                    # 50, 150 and 165 rows
    python benchmarks/bench_typst_floor.py --rows 165 --repeat 30
"""

from __future__ import annotations

import json
import multiprocessing
import random
import re
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
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
}

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


def measure(source: str, n: int, repeat: int, tagged: bool) -> tuple[float, int]:
    """Median CPU seconds per document (different rows each time) and the page count.

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
    for i in range(repeat + 1):
        inputs = {"rows": json.dumps(rows_for(n, seed=i))}
        started = time.process_time()
        pdf = compiler.compile(sys_inputs=inputs, timestamp=stamp, **options)
        if i:  # the first compile loads fonts
            times.append(time.process_time() - started)
    match = re.search(rb"/Type\s*/Pages\s*/Count\s+(\d+)", pdf)
    return statistics.median(times), int(match.group(1)) if match else 0


@click.command()
@click.option(
    "--rows",
    "row_counts",
    default="50,150,165",
    show_default=True,
    help="Rows per document, comma-separated (150 targets make ~165 rows with topics).",
)
@click.option("--repeat", default=12, show_default=True, help="Documents per measurement.")
@click.option("--students", default=10_000, show_default=True, help="For the extrapolation.")
@click.option("--cores", default=2, show_default=True, help="For the extrapolation.")
def main(row_counts: str, repeat: int, students: int, cores: int) -> None:
    counts = [int(n) for n in row_counts.split(",")]
    print(f"CPU per document (median of {repeat}); {students:,} documents on {cores} cores")
    fork = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory(prefix="proficio-floor-") as tmp:
        for index, (name, body) in enumerate(SHAPES.items()):
            source = Path(tmp) / f"shape{index}.typ"
            source.write_text(PREAMBLE + body + "\n", encoding="utf-8")
            for n in counts:
                for tagged in (True, False):
                    with ProcessPoolExecutor(1, mp_context=fork) as pool:
                        seconds, pages = pool.submit(
                            measure, str(source), n, repeat, tagged
                        ).result()
                    total = seconds * students / cores
                    print(
                        f"  {name:36s} {n:4d} rows, {'tagged PDF/UA' if tagged else 'untagged':13s}"
                        f" {pages:2d} pages: {seconds * 1000:6.1f} ms"
                        f" -> {total:6.0f} s = {total / 60:4.1f} min"
                    )


if __name__ == "__main__":
    main()
