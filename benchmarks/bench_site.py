"""How long the curriculum site takes to build, how much of it is Proficio's own work, and how
heavy its pages are for a family on a phone.

    python benchmarks/bench_site.py                  # example school, 10x copy, 5,000 targets
    python benchmarks/bench_site.py --targets 20000  # another synthetic size instead of 5,000
    python benchmarks/bench_site.py --only synthetic --repeat 3  # just the 5,000, three builds
    python benchmarks/bench_site.py --only synthetic --no-rebuild  # first builds only

Each build runs in its own process (no warm caches, its own peak memory), with the repository's
mkdocs.yml, as ``proficio build`` runs it. "Proficio" is the plugin's own work in that same
run: loading and validating content/ once, generating every language's pages, its MkDocs hooks.
"MkDocs" is everything else: Markdown/Jinja rendering, search indexing, writing files. The
family summaries (one PDF per level and language, Typst) are counted apart: the time the build
spent making or waiting for them. Each first build is followed by a rebuild of the same content
into the same folder, as CI's next run or a second ``proficio build`` does: its summaries come
from the store beside the site (``.cache/summaries``), none is typeset again.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
SCHOOLS = ("example", "10x", "synthetic")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def one_build(content: Path, out: Path) -> dict:
    """Build once in this process and describe the result (run in a child process)."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from proficio import load_school
    from proficio.site import build_site, plugin
    from proficio.site.pages import generate

    started = time.perf_counter()
    site = build_site(content, out, config_file=ROOT / "mkdocs.yml")
    total = time.perf_counter() - started
    school = load_school(content)
    default = school.default_language
    levels = [p.url for p in generate(school, default).pages if p.kind == "level"]
    info: dict = {
        "targets": sum(1 for _ in school.iter_targets()),
        "languages": school.languages,
        "pages": site.pages,
        "seconds": total,
        "load": plugin.TIMINGS.load,
        "generate": plugin.TIMINGS.generate,
        "hooks": plugin.TIMINGS.hooks,
        "history": plugin.TIMINGS.history,
        "summaries": plugin.TIMINGS.summaries,
        "ahead": list(plugin.SUMMARIES_AHEAD),
        "made": dict(plugin.SUMMARIES_MADE),
        "pdfs": [f.stat().st_size for f in out.rglob("*-family-summary-*.pdf")],
        "site_bytes": sum(f.stat().st_size for f in out.rglob("*") if f.is_file()),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "search": {},
    }
    shared = b""
    for asset in ("assets/stylesheets", "assets/javascripts", "assets/proficio"):
        for f in sorted((out / asset).glob("*.*")):
            if f.suffix in (".css", ".js"):
                shared += f.read_bytes()
    for f in sorted((out / "assets" / "javascripts" / "workers").glob("search.*.js")):
        shared += f.read_bytes()
    for lang in school.languages:
        root = out if lang == default else out / lang
        index = (root / "search" / "search_index.json").read_bytes()
        info["search"][lang] = {"raw": len(index), "gzip": gz(index)}
    largest = max(levels, key=lambda u: (out / u / "index.html").stat().st_size)
    html = (out / largest / "index.html").read_bytes()
    index = (out / "search" / "search_index.json").read_bytes()
    info["largest_level"] = {
        "url": largest,
        "raw": len(html),
        "gzip": gz(html),
        "nav_share": _nav_share(html),
        "first_visit_gzip": gz(html) + gz(shared) + gz(index),
        "assets_gzip": gz(shared),
    }
    return info


def _nav_share(html: bytes) -> float:
    """Fraction of the page that is the navigation sidebar (Material's primary nav)."""
    text = html.decode("utf-8")
    start = text.find('<nav class="md-nav md-nav--primary"')
    if start < 0:
        return 0.0
    end = text.find('<div class="md-sidebar md-sidebar--secondary"', start)
    return (end - start) / len(text) if end > start else 0.0


def run_child(content: Path, out: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(content), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_builds(content: Path, rebuild: bool) -> list[tuple[str, dict]]:
    """A first build into an empty folder and, with ``rebuild``, the same build again there."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as tmp:
        out = Path(tmp) / "site"
        runs = [("first build", run_child(content, out))]
        if rebuild:
            runs.append(("rebuild", run_child(content, out)))
        return runs


def kb(n: float) -> str:
    return f"{n / 1024:,.1f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:,.2f} MB"


def report(name: str, info: dict, run: str = "first build") -> None:
    own = info["load"] + info["generate"] + info["hooks"] + info["history"]
    total = info["seconds"]
    pages = sum(info["pages"].values())
    per_lang = ", ".join(f"{lang} {n}" for lang, n in info["pages"].items())
    print(
        f"\n== {name} ({run}): {info['targets']:,} targets, "
        f"languages {', '.join(info['languages'])}"
    )
    print(f"  pages per language: {per_lang} ({pages} in all)")
    print(
        f"  build: {total:.1f} s, {pages / total:.0f} pages/s, peak memory {info['peak_mb']:.0f} MB"
    )
    pages_only = total - info["summaries"]  # the build as it was before the summaries
    print(
        f"  Proficio's own work: {own:.2f} s = {own / pages_only:.1%} of the build without the "
        f"summaries (load+validate {info['load']:.2f} s, generate {info['generate']:.2f} s, "
        f"hooks {info['hooks']:.2f} s, git history {info['history']:.2f} s); "
        f"MkDocs: {pages_only - own:.1f} s"
    )
    pdfs = info["pdfs"]
    print(
        f"  family summaries (PDF): {len(pdfs)} in {info['summaries']:.2f} s of this build's "
        f"time = {info['summaries'] / total:.1%}"
        + (
            f" (made during the build by a second process, {info['ahead'][0]}, and at its end "
            f"by the build's own, {info['ahead'][1]})"
            if info["ahead"]
            else ""
        )
        + f", {kb(sum(pdfs))} ({kb(sum(pdfs) / max(len(pdfs), 1))} each); "
        f"site {kb(info['site_bytes'])}"
    )
    made = info.get("made") or {}
    if made:
        print(
            f"  summaries typeset: {made['compiled']}, unchanged and taken from the store: "
            f"{made['reused']}, old entries removed: {made['removed']}"
        )
    for lang, s in info["search"].items():
        print(f"  search index {lang}: {kb(s['raw'])} ({kb(s['gzip'])} gzip)")
    lv = info["largest_level"]
    print(
        f"  largest level page {lv['url']}: {kb(lv['raw'])} ({kb(lv['gzip'])} gzip), "
        f"navigation {lv['nav_share']:.0%} of it; first visit with CSS/JS and the search index: "
        f"{kb(lv['first_visit_gzip'])} gzip (CSS/JS {kb(lv['assets_gzip'])})"
    )


@click.command()
@click.option("--targets", default=5000, show_default=True, help="Size of the synthetic school.")
@click.option("--seed", default=1, show_default=True)
@click.option(
    "--only",
    "schools",
    multiple=True,
    type=click.Choice(SCHOOLS),
    help="Build only these schools (repeatable); all three by default.",
)
@click.option(
    "--repeat",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Builds per school (the machine is shared: look at the spread).",
)
@click.option(
    "--rebuild/--no-rebuild",
    default=True,
    show_default=True,
    help="After each first build, build the same content again into the same folder.",
)
@click.option("--child", nargs=2, type=click.Path(path_type=Path), hidden=True)
def main(
    targets: int,
    seed: int,
    schools: tuple[str, ...],
    repeat: int,
    rebuild: bool,
    child: tuple[Path, Path] | None,
) -> None:
    if child:
        print(json.dumps(one_build(*child)))
        return
    from proficio import load_school
    from proficio.dev.synthetic import write_school

    schools = schools or SCHOOLS
    example = ROOT / "content"
    with tempfile.TemporaryDirectory(prefix="bench-school-") as tmp:
        for school in SCHOOLS:
            if school not in schools:
                continue
            if school == "example":
                name, content = "example school", example
            elif school == "10x":
                example_targets = sum(1 for _ in load_school(example).iter_targets())
                name = "synthetic school 10x the example"
                content = write_school(Path(tmp) / "ten", targets=10 * example_targets, seed=seed)
            else:
                name = f"synthetic school of {targets:,} targets"
                content = write_school(
                    Path(tmp) / "big", targets=targets, languages=("en", "es", "vi"), seed=seed
                )
            for _ in range(repeat):
                for run, info in run_builds(content, rebuild):
                    report(name, info, run)


if __name__ == "__main__":
    main()
