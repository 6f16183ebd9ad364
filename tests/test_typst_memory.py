"""A long-lived Typst compiler's memory stays flat from one document to the next.

typst-py keeps the memoized layout of the last ten compiles; at 150 targets that is 15-20 MiB
a transcript a worker carries for nothing (no student's layout is reused by the next one), and
at 400 targets a worker grew to 700 MiB. ``support.typesetting.forget_layouts`` ages them after
each document. This renders real 150-target transcripts of a synthetic school in a fresh
process (so no other test's documents are in Typst's cache) and reads the process's resident
memory after each one.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import json, sys
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

    memory = []
    for result in book.results(book.students):
        renderer.render(result)
        memory.append(rss())
    renderer.close()
    print(json.dumps(memory))
    """
)


def resident(tmp_path: Path, mode: str) -> list[float]:
    folder = tmp_path / mode
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return list(json.loads(done.stdout.splitlines()[-1]))


def test_a_renderer_s_memory_stays_flat_after_its_first_documents(tmp_path):
    memory = resident(tmp_path, "forget")
    assert len(memory) == 14
    # After the fonts and the template are loaded (document 3), ten more transcripts of 150
    # targets add under 40 MiB (measured: 6); typst-py alone adds 15-20 MiB each (next test).
    assert memory[-1] - memory[3] < 40, memory


def test_without_forgetting_typst_keeps_ten_layouts(tmp_path):
    """The measurement above can fail: without ``forget_layouts`` the same documents grow the
    process by well over 40 MiB."""
    memory = resident(tmp_path, "keep")
    assert memory[-1] - memory[3] > 80, memory
