"""A long-lived Typst compiler's memory stays flat from one document to the next.

typst-py keeps the memoized layout of the last ten compiles; at 150 targets that is 15-20 MiB
a transcript a worker carries for nothing (no student's layout is reused by the next one), and
at 400 targets a worker grew to 700 MiB. ``support.typesetting.forget_layouts`` ages them after
each document. This renders real 150-target transcripts of a synthetic school in a fresh
process (so no other test's documents are in Typst's cache) and reads the process's resident
memory after each one, and the SHA-256 of each PDF.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

SCRIPT = textwrap.dedent(
    """
    import hashlib, json, sys
    from datetime import date
    from pathlib import Path
    from proficio import load_school, open_gradebook
    from proficio.dev.synthetic import write_evidence, write_roster, write_school
    from proficio.transcripts.document import Options
    from proficio.transcripts.fonts import Coverage, font_dirs
    from proficio.transcripts.render import Renderer
    import proficio.support.typesetting as typesetting
    import proficio.transcripts.render as render

    folder, keep = Path(sys.argv[1]), sys.argv[2] == "keep"
    if keep:  # what typst-py does on its own
        render.forget_layouts = lambda: None
    write_school(folder / "content", targets=240, seed=3)
    school = load_school(folder / "content")
    roster = write_roster(folder / "roster.csv", 14, seed=3, languages=school.languages)
    write_evidence(folder / "evidence.csv", school, roster, targets_per_student=150,
                   rows_per_student=200, seed=3)
    book = open_gradebook(school, [roster], [folder / "evidence.csv"], as_of=date(2026, 6, 12))
    dirs = font_dirs()
    renderer = Renderer(book.school, Options(issued=date(2026, 6, 12)), dirs, Coverage.of_dirs(dirs))

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

    memory, digests = [], []
    for result in book.results(book.students):
        digests.append(hashlib.sha256(renderer.render(result).pdf).hexdigest())
        memory.append(rss())
    renderer.close()
    print(json.dumps({"memory": memory, "sha256": digests}))
    """
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, list[Any]]]:
    """Each mode's memory after each document and each PDF's SHA-256, one process per mode."""
    out = {}
    for mode in ("forget", "keep"):
        folder = tmp_path_factory.mktemp(mode)
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(folder), mode],
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        out[mode] = json.loads(done.stdout.splitlines()[-1])
    return out


def test_a_renderer_s_memory_stays_flat_after_its_first_documents(runs):
    memory = runs["forget"]["memory"]
    assert len(memory) == 14
    # After the fonts and the template are loaded (document 3), ten more transcripts of 150
    # targets add under 40 MiB (measured: 6); typst-py alone adds 15-20 MiB each (next test).
    assert memory[-1] - memory[3] < 40, memory


def test_without_forgetting_typst_keeps_ten_layouts(runs):
    """The measurement above can fail: without ``forget_layouts`` the same documents grow the
    process by well over 40 MiB."""
    memory = runs["keep"]["memory"]
    assert memory[-1] - memory[3] > 80, memory


def test_forgetting_changes_no_byte_of_any_pdf(runs):
    """Only a cache is dropped: every PDF is the one typst-py alone makes."""
    assert len(set(runs["forget"]["sha256"])) == 14
    assert runs["forget"]["sha256"] == runs["keep"]["sha256"]
