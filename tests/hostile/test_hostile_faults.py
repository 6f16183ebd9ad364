"""Faults in runs that write many files: a killed parent, Ctrl-C at the first moments, two runs
into one folder, a student ID too long for a file name, a read-only or full output folder.

Every case drives the real command in a real process (signals, locks and mounts are the point),
and checks what it prints, its exit code and the files it leaves: only complete files, no
temporary file, no worker left running, the earlier run's output as it was. Moments are chosen by
events (a file appears, a file is open, a process exists), never by sleeping; timeouts only guard
against hangs.
"""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
ISSUED = "2026-06-12"
GUARD = 180.0
"""Seconds any wait may take before the test fails as hung (never an assertion on speed)."""
LONG = 600
"""Students of the long runs: far more than a test ever lets finish."""
EARLIER = [f"S{i:06d}" for i in range(1, 7)]
"""The students of the earlier, complete run found in the folder (the long run's first six)."""

STOPPED = (
    "Error: Stopped by Ctrl-C. No file is left half-written (each is written whole or not at "
    "all, so an earlier one is as it was); run the command again."
)
STOPPED_RENDERING = (
    "Error: Stopped by Ctrl-C. The PDFs already written are complete; the earlier "
    "run's manifest.json is kept as it was (verify-manifests names every PDF that no longer "
    "matches it). Run again to finish."
)
STRAY = (
    ": not in the manifest (left from an earlier run, or written by a later one that was "
    "stopped?). Run again to finish, or remove it."
)


# -- data and processes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    roster: Path
    evidence: Path
    small_roster: Path
    small_evidence: Path
    issues: Path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Data:
    """A synthetic school year: LONG students, and its first 12 as a small roster."""
    folder = tmp_path_factory.mktemp("data")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "proficio.dev.synthetic",
            "students",
            "--content",
            str(CONTENT),
            "--students",
            str(LONG),
            "--seed",
            "7",
            "--out",
            str(folder),
        ],
        check=True,
        capture_output=True,
    )
    rows = list(csv.reader((folder / "roster.csv").open(encoding="utf-8", newline="")))
    keep = {r[0] for r in rows[1:13]}
    _write_csv(folder / "small-roster.csv", rows[:13])
    evidence = list(csv.reader((folder / "evidence.csv").open(encoding="utf-8", newline="")))
    _write_csv(folder / "small-evidence.csv", [evidence[0], *(r for r in evidence if r[0] in keep)])
    return Data(
        folder / "roster.csv",
        folder / "evidence.csv",
        folder / "small-roster.csv",
        folder / "small-evidence.csv",
        folder / "reports" / "issues.csv",
    )


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)


def args_for(command: str, data: Data, out: Path, *, small: bool = True, jobs: int = 2) -> list:
    """The command line of ``command`` writing into ``out`` (every date pinned: reruns give the
    same bytes)."""
    roster, evidence = (
        (data.small_roster, data.small_evidence) if small else (data.roster, data.evidence)
    )
    inputs = ["--content", str(CONTENT), "--roster", str(roster), "--evidence", str(evidence)]
    inputs += ["--issues", str(data.issues)]
    return {
        "transcripts": ["transcripts", *inputs, "--issue-date", ISSUED, "--jobs", str(jobs)],
        "score": ["score", *inputs, "--as-of", ISSUED],
        "export-clr": [
            "export-clr",
            *inputs,
            "--issued",
            f"{ISSUED}T15:00:00Z",
            "--validate",
            "none",
        ],
        "export-case": ["export-case", "--content", str(CONTENT)],
    }[command] + ["--out", str(out)]


def run(args: list, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "proficio", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=GUARD,
    )


LOADER = """
import runpy, sys

class Marker:  # says "loaded" when proficio/__main__.py starts importing the commands
    def find_spec(self, name, path=None, target=None):
        if name == "proficio.cli":
            sys.meta_path.remove(self)
            print("loaded", file=sys.stderr, flush=True)

sys.meta_path.insert(0, Marker())
runpy.run_module("proficio", run_name="__main__", alter_sys=True)
"""


def start(args: list, cwd: Path, *, loader: bool = False) -> subprocess.Popen[str]:
    """The command in its own session (its process group is its pid, as a terminal's job is):
    every process it starts can be found, and signalled, by that group. With ``loader``, it is
    ``python -m proficio`` exactly (its ``__main__``) saying ``loaded`` on stderr as that starts
    importing the commands (Python itself and the ``proficio`` package are loaded by then)."""
    if loader:
        command = [sys.executable, "-c", LOADER, *map(str, args)]
    else:
        command = [sys.executable, "-m", "proficio", *map(str, args)]
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_until(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + GUARD
    while not ready():
        if proc.poll() is not None:
            pytest.fail(f"the run ended before {what}: {proc.communicate()}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {GUARD} s")
        time.sleep(0.005)


def group(pgid: int) -> list[tuple[int, str]]:
    """The live processes of process group ``pgid`` (zombies are dead): (pid, command line)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            state, _, pgrp = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[:3]
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        if int(pgrp) == pgid and state not in "ZX":
            found.append((int(entry), cmdline))
    return found


def wait_for_no_group(pgid: int) -> None:
    """Every process of the run ends (the parent was reaped by the test already)."""
    deadline = time.monotonic() + GUARD
    while group(pgid):
        assert time.monotonic() < deadline, f"still running after the run ended: {group(pgid)}"
        time.sleep(0.02)


def open_files(pid: int) -> list[str]:
    try:
        return [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return []


def listing(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file under ``folder`` (hidden ones too): (inode, size, mtime)."""
    return {
        str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def contents(folder: Path) -> dict[str, str]:
    """Every file under ``folder``: its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


def one_error_line(stderr: str) -> list[str]:
    """What the run printed on stderr, less the loader's marker and CI progress lines."""
    return [
        line
        for line in stderr.splitlines()
        if line.strip() and line != "loaded" and not line.startswith("transcripts: ")
    ]


@pytest.fixture(scope="module")
def earlier(data: Data, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete earlier run in a folder: the long roster's first six students (the same bytes
    as the long run writes for them), with its manifest."""
    out = tmp_path_factory.mktemp("earlier") / "transcripts"
    done = run(
        [*args_for("transcripts", data, out, small=False, jobs=1), "--students", ",".join(EARLIER)],
        out.parent,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        *(f"{s}.pdf" for s in EARLIER),
        "manifest.json",
    ]
    return out


def folder_with_earlier_run(earlier: Path, tmp_path: Path) -> Path:
    out = tmp_path / "transcripts"
    shutil.copytree(earlier, out)
    return out


def new_pdf(out: Path, before: dict[str, tuple[int, int, int]]) -> Callable[[], bool]:
    """True once a PDF was renamed into place by the new run (a new file or a new inode)."""

    def ready() -> bool:
        try:
            now = {p.name: p.stat().st_ino for p in out.glob("*.pdf")}
        except FileNotFoundError:  # renamed away between glob and stat
            return False
        return any(before.get(name, (None,))[0] != ino for name, ino in now.items())

    return ready


def assert_earlier_run_verifiable(out: Path, earlier: Path, cwd: Path) -> None:
    """The earlier manifest and PDFs are as they were, and verify-manifests names exactly the
    PDFs the stopped run added (it rewrote the earlier six with the same bytes)."""
    now = contents(out)
    was = contents(earlier)
    assert {name: now.get(name) for name in was} == was
    added = sorted(set(now) - set(was) - {".proficio.lock"})
    assert all(name.endswith(".pdf") or name.endswith(".part") for name in added), added
    checked = run(["verify-manifests", out], cwd)
    pdfs = [name for name in added if name.endswith(".pdf")]
    if not pdfs:
        assert checked.returncode == 0, checked.stderr
        assert checked.stdout.startswith("OK: 1 shard(s), 6 students, 6 PDFs match")
        return
    assert checked.returncode == 1
    shown = os.path.relpath(out, cwd)
    assert checked.stderr.splitlines() == [
        *(f"{Path(shown) / name}{STRAY}" for name in pdfs),
        f"Error: {len(pdfs)} problem(s) found.",
    ]


# -- kill -9 of the parent ----------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_kill_9_of_the_parent_leaves_no_worker_and_nothing_writing(
    data: Data, earlier: Path, tmp_path: Path, jobs: int
) -> None:
    out = folder_with_earlier_run(earlier, tmp_path)
    before = listing(out)
    proc = start(args_for("transcripts", data, out, small=False, jobs=jobs), tmp_path)
    wait_until("a new PDF", new_pdf(out, before), proc)
    if jobs > 1:
        workers = [pid for pid, cmd in group(proc.pid) if "forkserver" in cmd]
        assert len(workers) >= 2, group(proc.pid)  # the fork server and its workers
    proc.kill()
    proc.communicate(timeout=GUARD)
    wait_for_no_group(proc.pid)
    settled = listing(out)
    time.sleep(1.0)  # a window to see a survivor write (no worker is left to do so)
    assert listing(out) == settled
    # Only complete PDFs; a hard kill may leave temporary files and the lock's file, which the
    # next run clears.
    assert all(n.endswith(".part") or n == ".proficio.lock" for n in hidden(out)), hidden(out)
    assert_earlier_run_verifiable(out, earlier, tmp_path)
    again = run(
        [*args_for("transcripts", data, out, small=False, jobs=1), "--students", ",".join(EARLIER)],
        tmp_path,
    )
    assert again.returncode == 0, again.stderr
    assert hidden(out) == []


def test_a_forked_helper_dies_with_its_parent(tmp_path: Path) -> None:
    """support.forking's child (a build's second core) never outlives a killed parent."""
    code = (
        "import time; from proficio.support.forking import Forked; "
        "f = Forked(time.sleep, 600); print(f._child.pid, flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    assert group(proc.pid) and child in [pid for pid, _ in group(proc.pid)]
    proc.kill()
    proc.wait(GUARD)
    wait_for_no_group(proc.pid)


# -- Ctrl-C at the first moments ----------------------------------------------------------------


def _loaded(proc: subprocess.Popen[str]) -> None:
    assert proc.stderr is not None
    assert proc.stderr.readline() == "loaded\n"


@pytest.mark.parametrize("whom", ["the parent", "the process group"])
@pytest.mark.parametrize(
    ("moment", "jobs", "message"),
    [
        ("loading the commands", 2, STOPPED),
        ("importing the evidence", 2, STOPPED),
        ("starting the workers", 2, STOPPED_RENDERING),
        ("the first PDF, one process", 1, STOPPED_RENDERING),
        ("the first PDF, two workers", 2, STOPPED_RENDERING),
    ],
)
def test_ctrl_c_early_stops_with_one_line_and_leaves_the_earlier_run(
    data: Data, earlier: Path, tmp_path: Path, moment: str, jobs: int, message: str, whom: str
) -> None:
    out = folder_with_earlier_run(earlier, tmp_path)
    before = listing(out)
    args = args_for("transcripts", data, out, small=False, jobs=jobs)
    proc = start(args, tmp_path, loader=moment == "loading the commands")
    if moment == "loading the commands":
        _loaded(proc)
    elif moment == "importing the evidence":
        evidence = str(data.evidence)
        wait_until("the evidence open", lambda: evidence in open_files(proc.pid), proc)
    elif moment == "starting the workers":
        wait_until(
            "a fork server", lambda: any("forkserver" in c for _, c in group(proc.pid)), proc
        )
    else:
        wait_until("a new PDF", new_pdf(out, before), proc)
    if whom == "the parent":
        os.kill(proc.pid, signal.SIGINT)
    else:  # what a terminal does on Ctrl-C
        os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=GUARD)
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert one_error_line(stderr) == [message]
    wait_for_no_group(proc.pid)
    assert hidden(out) == []  # no temporary file, no lock left
    assert_earlier_run_verifiable(out, earlier, tmp_path)


# -- two runs into one folder -------------------------------------------------------------------

HOLDER = (
    "import sys; from pathlib import Path; from proficio.support.files import folder_lock\n"
    "with folder_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True); sys.stdin.read()\n"
)


@pytest.mark.parametrize(
    "second", ["transcripts", "verify-manifests", "score", "export-clr", "export-case"]
)
def test_a_second_run_into_a_folder_in_use_is_refused_at_once(
    data: Data, earlier: Path, tmp_path: Path, second: str
) -> None:
    out = folder_with_earlier_run(earlier, tmp_path)
    locked = out / "scores" if second == "score" else out
    if second in ("transcripts", "verify-manifests"):
        holder = start(args_for("transcripts", data, out, small=False, jobs=1), tmp_path)
        wait_until("a new PDF", new_pdf(out, listing(out)), holder)
    else:
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(locked)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    try:
        shown = os.path.relpath(locked, tmp_path)
        if second == "verify-manifests":
            checked = run(["verify-manifests", out], tmp_path)
            assert checked.returncode == 1
            assert (
                f"{out}: a proficio run is writing here now (pid {holder.pid}): check again "
                "when it has finished."
            ) in checked.stderr.splitlines()
        else:
            seen = contents(locked)
            refused = run(args_for(second, data, out), tmp_path)
            assert refused.returncode == 1
            assert "Traceback" not in refused.stderr
            assert refused.stderr.splitlines() == [
                f"Error: Another proficio run is writing to {shown} (pid {holder.pid}). Wait "
                "for it or choose another --out."
            ]
            if second != "transcripts":
                assert contents(locked) == seen  # the refused run wrote nothing
    finally:
        if second in ("transcripts", "verify-manifests"):
            os.killpg(holder.pid, signal.SIGINT)
        else:
            assert holder.stdin is not None
            holder.stdin.close()
        holder.wait(GUARD)
    assert not (locked / ".proficio.lock").exists()
    if second != "verify-manifests":
        after = run(args_for(second, data, out), tmp_path)
        assert after.returncode == 0, after.stderr
        assert hidden(out) == []


def test_a_lock_left_by_a_killed_run_does_not_stop_the_next(data: Data, tmp_path: Path) -> None:
    out = tmp_path / "scores-out"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(out / "scores")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    holder.kill()
    holder.wait(GUARD)
    assert (out / "scores" / ".proficio.lock").read_text() == f"{holder.pid}\n"
    done = run(args_for("score", data, out), tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (out / "scores").iterdir()) == [
        "scores.jsonl",
        "subjects.csv",
        "targets.csv",
    ]


# -- student IDs too long for a file name --------------------------------------------------------

LONG_NAME = (
    "the student ID makes a file name of {} bytes once its characters are encoded (at most "
    "250; any character but A-Z, a-z, 0-9, _ - . takes 3 to 12). Use a shorter ID in the roster."
)
ODD_IDS = [
    # (student ID, its file stem, or the length it would have had)
    ("学" * 27, "%E5%AD%A6" * 27),  # 243 bytes: fits (so must its temporary file)
    ("学" * 28, 252),
    ("𝐀" * 20, "%F0%9D%90%80" * 20),  # 240 bytes
    ("𝐀" * 21, 252),
    ("É" * 50, 300),
    ("a/b", "a%2Fb"),
]


@pytest.fixture(scope="module")
def odd_runs(data: Data, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """transcripts and export-clr over the small roster plus the odd IDs, once each."""
    folder = tmp_path_factory.mktemp("odd")
    rows = list(csv.reader(data.small_roster.open(encoding="utf-8", newline="")))
    pad = [""] * (len(rows[0]) - 7)  # the roster's optional name columns, empty
    rows += [[sid, "Long", "Name", "", "2030", "2012-01-01", "en", *pad] for sid, _ in ODD_IDS]
    roster = folder / "roster.csv"
    _write_csv(roster, rows)
    odd = Data(roster, data.small_evidence, roster, data.small_evidence, data.issues)
    runs = {}
    for command, suffix in (("transcripts", ".pdf"), ("export-clr", ".json")):
        out = folder / command
        runs[command] = (run(args_for(command, odd, out), folder), out, suffix)
    return runs


@pytest.mark.parametrize(
    ("student", "stem"), ODD_IDS, ids=["27 CJK", "28 CJK", "20 astral", "21 astral", "50 É", "a/b"]
)
@pytest.mark.parametrize("command", ["transcripts", "export-clr"])
def test_an_id_too_long_for_a_file_name_is_reported_and_the_others_finish(
    odd_runs: dict, command: str, student: str, stem: str | int
) -> None:
    done, out, suffix = odd_runs[command]
    refused = [sid for sid, s in ODD_IDS if isinstance(s, int)]
    what = "documents" if command == "transcripts" else "records"
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"Error: {len(refused)} of {12 + len(ODD_IDS)} {what} could not be made (listed above, "
        f"with the reason); everyone else's {'PDF' if command == 'transcripts' else 'record'} "
        "is written."
    )
    written = sorted(p.name for p in out.iterdir() if p.suffix == suffix)
    assert len(written) == 12 + len(ODD_IDS) - len(refused)  # rows read = written + reported
    assert hidden(out) == []
    if isinstance(stem, int):
        assert f"  {student!r}: {LONG_NAME.format(stem)}" in done.stdout.splitlines()
    else:
        assert f"{stem}{suffix}" in written
        assert not any(line.startswith(f"  {student!r}:") for line in done.stdout.splitlines())


# -- read-only and full output folders ------------------------------------------------------------


@pytest.fixture
def mounts(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """``mount(folder, options)``: a tmpfs there, unmounted at the end (skips where mounting is
    not allowed)."""
    mounted: list[Path] = []

    def mount(folder: Path, options: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture(scope="module")
def references(data: Data, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each command's output on an ordinary disk: what any complete file must equal."""
    folder = tmp_path_factory.mktemp("reference")
    outs = {}
    for command in ("transcripts", "score", "export-clr", "export-case"):
        outs[command] = folder / command
        done = run(args_for(command, data, outs[command]), folder)
        assert done.returncode == 0, done.stderr
    return outs


def _kib(folder: Path) -> int:
    """Pages the files take on a tmpfs, in KiB."""
    return sum(-(-p.stat().st_size // 4096) * 4 for p in folder.rglob("*") if p.is_file())


FAULTS = ["read-only", "read-only, earlier output", "full", "full, earlier output"]


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("command", ["transcripts", "score", "export-clr", "export-case"])
def test_an_output_folder_that_cannot_be_written_is_one_clear_error(
    data: Data,
    references: dict[str, Path],
    mounts: Callable[[Path, str], Path],
    tmp_path: Path,
    command: str,
    fault: str,
) -> None:
    reference = references[command]
    disk = tmp_path / "disk"
    out = disk / "out"
    earlier = "earlier" in fault
    if fault == "read-only":
        mounts(disk, "ro,size=1m")
    elif fault == "full":  # room for some of the files, not all
        mounts(disk, f"size={max(_kib(reference) * 2 // 5, 64)}k")
    else:
        size = _kib(reference) + 64 if fault.startswith("full") else _kib(reference) + 1024
        mounts(disk, f"size={size}k")
        shutil.copytree(reference, out)
        if fault.startswith("read-only"):
            subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    before = contents(disk)
    # --force: a run into the earlier output would otherwise keep every unchanged file (and fit)
    again = ["--force"] if earlier and command in ("transcripts", "export-clr") else []
    done = run([*args_for(command, data, out), *again], tmp_path)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    folder = out / "scores" if command == "score" else out
    shown = os.path.relpath(folder, tmp_path)
    if fault.startswith("read-only"):
        message = (
            f"Cannot write {shown}: it is on a read-only file system (EROFS). Choose another --out."
        )
    elif command == "transcripts":
        manifest = (
            "the earlier run's manifest.json is kept as it was (verify-manifests names every PDF "
            "that no longer matches it)"
            if earlier
            else "no manifest was written"
        )
        message = (
            f"Stopped: cannot write {shown}: the disk is full (ENOSPC). The PDFs already written "
            f"are complete; {manifest}. Free space or choose another --out, then run again."
        )
    else:
        message = (
            f"Cannot write {shown}: the disk is full (ENOSPC). Free space or choose another --out."
        )
    assert done.stderr.splitlines()[-1] == f"Error: {message}"
    after = contents(disk)
    assert hidden(disk) == []  # no temporary file, no lock
    if earlier:
        assert after == before  # the earlier output as it was (a rewrite gives the same bytes)
    else:
        # Whatever was written is complete: each file equals the ordinary run's.
        expected = {f"out/{name}": sha for name, sha in contents(reference).items()}
        assert {name: expected.get(name) for name in after} == after
        assert "out/manifest.json" not in after
        if command == "score":  # the three files go together or not at all
            assert after == {}
    if command == "transcripts" and earlier:
        checked = run(["verify-manifests", out], tmp_path)
        assert checked.returncode == 0, checked.stderr
