"""How long `proficio validate` takes: the example school and synthetic schools of any size.

python benchmarks/bench_validate.py                 # example school + 10x synthetic copy
python benchmarks/bench_validate.py --targets 5000  # add a synthetic school of that size
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import click

from proficio import load
from proficio.dev.synthetic import write_school

ROOT = Path(__file__).resolve().parents[1]


def measure(path: Path, repeat: int) -> tuple[float, int, int]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = load(path)
        times.append(time.perf_counter() - started)
    assert result.school is not None and not result.errors, result.errors[:3]
    files = len(result.school.files)
    targets = sum(1 for _ in result.school.iter_targets())
    return statistics.median(times), files, targets


@click.command()
@click.option(
    "--targets",
    "sizes",
    type=int,
    multiple=True,
    help="Also time a synthetic school of this many targets.",
)
@click.option("--repeat", default=3, show_default=True)
def main(sizes: tuple[int, ...], repeat: int) -> None:
    load(ROOT / "content")  # warm imports and compiled schemas
    seconds, files, targets = measure(ROOT / "content", repeat)
    print(f"example school: {files} files, {targets} targets: {seconds:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (targets * 10, *sizes):
            dest = Path(tmp) / f"school-{n}"
            write_school(dest, targets=n, seed=1)
            seconds, files, got = measure(dest, repeat)
            print(
                f"synthetic school: {files} files, {got} targets: {seconds:.3f} s ({got / seconds:,.0f} targets/s)"
            )


if __name__ == "__main__":
    main()
