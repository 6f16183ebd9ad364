"""Many students at once: worker processes, sharding, atomic files, progress, the manifest.

Students stream through: the caller's iterator of scored students is consumed a few batches
ahead of the workers, so memory stays flat however long the roster. Each worker owns one
:class:`Renderer` (one Typst compiler) and writes its PDFs itself, each to a hidden temporary file
renamed into place, so a killed run leaves only complete PDFs. The manifest, written last,
lists every student of the run: the file and its hash, or why it was not issued. Workers end
with the run, even when it is killed (``kill -9``): nothing keeps writing into the folder.
"""

from __future__ import annotations

import concurrent.futures as cf
import errno
import hashlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from ..content.model import School
from ..errors import DocumentError, Interrupted
from ..scoring.results import StudentResult
from ..support.files import cannot_write, remove_partials, write_bytes, write_problem
from ..support.forking import die_with
from .document import Explain, Options
from .fonts import Coverage
from .render import Renderer, prepare_root
from .signing import Identity

BATCH = 4
"""Students per task: enough to hide the cost of a task, small enough to balance the workers."""

RECYCLE = 300
"""Documents a worker process renders before a fresh one takes its place. Typst keeps what it
laid out in memory for the life of the process (about 100 MiB per 300 transcripts); replacing
the process keeps each worker's memory flat whatever the roster's size, for about half a
second of CPU per replacement (starting Python, loading the fonts)."""

WINDOW = 3
"""Batches queued per worker, so a worker never waits for the next."""


def shard_of(student_id: str, count: int) -> int:
    """The shard (1..count) a student belongs to: a stable hash, the same on every machine."""
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; shards count from 1 as CI matrices do."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise ValueError(f"--shard takes I/N such as 2/3, not {text!r}.") from None
    if not (n >= 1 and 1 <= i <= n):
        raise ValueError(
            f"--shard {text}: I must be between 1 and N (N at least 1), e.g. 1/{max(n, 1)}."
        )
    return i, n


def roster_digest(student_ids: Iterable[str]) -> str:
    """One hash of the set of students a run covers across all its shards."""
    h = hashlib.sha256()
    for sid in sorted(student_ids):
        h.update(sid.encode("utf-8", "surrogatepass") + b"\n")
    return h.hexdigest()


@dataclass
class Outcome:
    """What happened to one student."""

    student_id: str
    file: str | None = None
    sha256: str | None = None
    pages: int | None = None
    bytes: int | None = None
    reason: str | None = None
    document_id: str | None = None
    content_sha256: str | None = None
    signed: bool = False

    @property
    def ok(self) -> bool:
        return self.reason is None


# -- the worker side ------------------------------------------------------------------------

_worker: dict[str, Any] = {}


def _start_worker(
    owner: int,
    school: School,
    options: Options,
    font_dirs: list[Path],
    coverage: Coverage,
    explain: Explain | None,
    root: Path,
    out: Path,
    token: str,
    identity: Identity | None = None,
) -> None:
    # Ctrl-C reaches the whole process group: the parent decides, workers finish or are stopped.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(owner)  # a worker whose run was killed would write into the folder for ever
    _worker["renderer"] = Renderer(school, options, font_dirs, coverage, explain, root, identity)
    _worker["out"] = out
    _worker["token"] = token


def _render_one(
    renderer: Renderer, out: Path, token: str, result: StudentResult, name: str
) -> Outcome:
    sid = result.student.id
    try:
        rendered = renderer.render(result)
    except DocumentError as exc:
        (out / name).unlink(missing_ok=True)  # never leave an older copy looking current
        return Outcome(sid, reason=str(exc))
    except (KeyboardInterrupt, SystemExit, Interrupted):
        raise
    except (
        BaseException
    ) as exc:  # one student's bad data (even a Typst panic) must not stop the rest
        (out / name).unlink(missing_ok=True)
        return Outcome(sid, reason=f"unexpected error: {type(exc).__name__}: {exc}")
    try:
        write_bytes(out / name, rendered.pdf, private=True, tag=token)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:  # a filesystem with shorter names than most
            return Outcome(
                sid,
                reason=f"its file name {name!r} is too long for the file system of {out}. "
                "Shorten the student ID in the roster, or choose another --out.",
            )
        # A full disk or a read-only folder: no later PDF could be written either.
        reason, fix = write_problem(out, exc, file=out / name)
        raise Interrupted(reason, exit_code=1, fix=f"{fix}, then run again.") from None
    return Outcome(
        sid,
        name,
        hashlib.sha256(rendered.pdf).hexdigest(),
        rendered.pages,
        len(rendered.pdf),
        document_id=rendered.document_id,
        content_sha256=rendered.content_sha256,
        signed=rendered.signed,
    )


def _render_batch(batch: list[tuple[StudentResult, str]]) -> tuple[int, list[Outcome]]:
    r, out, token = _worker["renderer"], _worker["out"], _worker["token"]
    return os.getpid(), [_render_one(r, out, token, result, name) for result, name in batch]


# -- progress -------------------------------------------------------------------------------


class Progress:
    """A bar on a terminal; in a CI log, one line every ``every`` seconds and at the end."""

    def __init__(self, total: int, what: str, stream: TextIO | None = None, every: float = 10.0):
        self.total, self.what, self.every = total, what, every
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.done = 0
        self.started = self.last = time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.tty:
            if now - self.last >= 0.1 or self.done == self.total:
                self.last = now
                self._bar(now)
        elif now - self.last >= self.every:
            self.last = now
            self.stream.write(self._line(now) + "\n")
            self.stream.flush()

    def _rate(self, now: float) -> float:
        return self.done / max(now - self.started, 1e-9)

    def _eta(self, now: float) -> str:
        rate = self._rate(now)
        left = (self.total - self.done) / rate if rate else 0
        return f"{int(left // 60)}:{int(left % 60):02d}"

    def _line(self, now: float) -> str:
        pct = 100 * self.done / self.total if self.total else 100
        return (
            f"{self.what}: {self.done}/{self.total} ({pct:.0f}%), "
            f"{self._rate(now):.1f}/s, about {self._eta(now)} left"
        )

    def _bar(self, now: float) -> None:
        width = 30
        filled = int(width * self.done / self.total) if self.total else width
        self.stream.write(
            f"\r{self.what} [{'#' * filled}{'-' * (width - filled)}] {self.done}/{self.total} "
            f"{self._rate(now):.1f}/s ETA {self._eta(now)} "
        )
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()


# -- the run --------------------------------------------------------------------------------


def _batches(
    results: Iterable[StudentResult], files: dict[str, str]
) -> Iterator[list[tuple[StudentResult, str]]]:
    batch: list[tuple[StudentResult, str]] = []
    for result in results:
        name = files.get(result.student.id)
        if name is None:
            continue  # already reported (unsafe or colliding ID)
        batch.append((result, name))
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def render_all(
    school: School,
    options: Options,
    results: Iterable[StudentResult],
    files: dict[str, str],
    out: Path,
    *,
    jobs: int,
    font_dirs: list[Path],
    coverage: Coverage,
    explain: Explain | None = None,
    on_done: Callable[[int], None] | None = None,
    identity: Identity | None = None,
    recycle: int | None = None,
    workers: list[int] | None = None,
) -> list[Outcome]:
    """Render every result whose student has a file name; return one outcome per student.

    ``jobs == 1`` renders in this process (no pool to start); more use worker processes fed a
    bounded number of batches ahead, each replaced by a fresh one after ``recycle`` documents
    (:data:`RECYCLE`); ``workers``, when given, receives the process ID of each worker that
    rendered. SIGTERM and Ctrl-C stop the workers, remove temporary files and raise
    :class:`Interrupted`; PDFs already renamed into place stay.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
        remove_partials(out)
    except OSError as exc:
        raise cannot_write(out, exc) from None
    token = f"{os.getpid()}-{time.monotonic_ns()}"
    outcomes: list[Outcome] = []
    tick = on_done or (lambda n: None)
    root = prepare_root(school)

    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: object) -> None:
        raise Interrupted(f"by signal {signal.Signals(signum).name}")

    in_main = multiprocessing.current_process().name == "MainProcess"
    try:
        if in_main:
            signal.signal(signal.SIGTERM, on_term)
    except ValueError:  # not the main thread: the caller handles signals
        in_main = False

    try:
        if jobs <= 1:
            renderer = Renderer(school, options, font_dirs, coverage, explain, root, identity)
            try:
                for batch in _batches(results, files):
                    for result, name in batch:
                        outcomes.append(_render_one(renderer, out, token, result, name))
                        tick(1)
            finally:
                renderer.close()
        else:
            outcomes += _pool_run(
                school,
                options,
                results,
                files,
                out,
                jobs,
                font_dirs,
                coverage,
                explain,
                root,
                token,
                tick,
                identity,
                RECYCLE if recycle is None else recycle,
                workers if workers is not None else [],
            )
    except KeyboardInterrupt as exc:
        remove_partials(out, token)
        raise Interrupted("by Ctrl-C") from exc
    except Interrupted:
        remove_partials(out, token)
        raise
    finally:
        shutil.rmtree(root, ignore_errors=True)
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    return outcomes


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Hold Ctrl-C back until the block ends (it is then raised as usual). Starting a worker
    sends it its data over a pipe, and a Ctrl-C half-way would leave the worker a truncated
    message and a traceback. The block also keeps Ctrl-C from processes started in it (the
    fork server, its workers), which inherit the blocked signal: a terminal's Ctrl-C reaches the
    whole process group, and would stop them before they can ignore it (the parent decides)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    except Exception:
        if signal.SIGINT not in signal.sigpending():
            raise
        # The Ctrl-C reached a starting worker too (before it was blocked in it), which ended
        # before it read its data (a broken pipe): the run stops for the Ctrl-C, raised below.
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a pending Ctrl-C is raised here


def _pool_run(
    school: School,
    options: Options,
    results: Iterable[StudentResult],
    files: dict[str, str],
    out: Path,
    jobs: int,
    font_dirs: list[Path],
    coverage: Coverage,
    explain: Explain | None,
    root: Path,
    token: str,
    tick: Callable[[int], None],
    identity: Identity | None,
    recycle: int,
    workers: list[int],
) -> list[Outcome]:
    """``jobs`` worker processes, each a one-process pool of its own: a worker that has been
    given ``recycle`` documents gets no more, and once its last batch is back it ends and a fresh
    one takes its slot, while the others keep working. (``ProcessPoolExecutor``'s own
    ``max_tasks_per_child`` can leave a pool without workers on Python 3.11.)"""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    initargs = (os.getpid(), school, options, font_dirs, coverage, explain, root, out, token)
    limit = max(1, -(-recycle // BATCH))  # batches a worker is given before it is replaced
    pools: list[cf.ProcessPoolExecutor | None] = [None] * jobs
    given = [0] * jobs  # batches given to the slot's current worker
    busy = [0] * jobs  # of them, not back yet
    pending: dict[cf.Future[tuple[int, list[Outcome]]], int] = {}
    outcomes: list[Outcome] = []
    seen: set[int] = set()
    ok = False

    def collect(future: cf.Future[tuple[int, list[Outcome]]]) -> None:
        slot = pending.pop(future)
        busy[slot] -= 1
        try:
            pid, got = future.result()
        except cf.process.BrokenProcessPool:
            raise Interrupted(
                "a worker process died (out of memory, or killed)", exit_code=1
            ) from None
        if pid not in seen:
            seen.add(pid)
            workers.append(pid)
        outcomes.extend(got)
        tick(len(got))
        pool = pools[slot]
        if pool is not None and given[slot] >= limit and busy[slot] == 0:
            pools[slot], given[slot] = None, 0  # its worker has done its share: a fresh one follows
            pool.shutdown(wait=True)

    def free_slot() -> int:
        """The slot to give the next batch to, waiting for a worker to finish one if need be."""
        while True:
            open_slots = [k for k in range(jobs) if given[k] < limit and busy[k] < WINDOW]
            if open_slots:
                return min(open_slots, key=lambda k: busy[k])
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for f in done:
                collect(f)

    try:
        for batch in _batches(results, files):
            slot = free_slot()
            pool = pools[slot]
            if pool is None:
                # Made outside the block: making it may start multiprocessing's resource
                # tracker, which unblocks Ctrl-C on its way out.
                pool = pools[slot] = cf.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=context,
                    initializer=_start_worker,
                    initargs=(*initargs, identity),
                )
                with _ctrl_c_after():  # starts the slot's worker
                    future = pool.submit(_render_batch, batch)
            else:
                future = pool.submit(_render_batch, batch)
            given[slot] += 1
            busy[slot] += 1
            pending[future] = slot
        while pending:
            collect(next(iter(pending)))
        ok = True
    finally:
        live = [pool for pool in pools if pool is not None]
        if ok:
            for pool in live:
                pool.shutdown(wait=True)
        else:
            for f in pending:
                f.cancel()
            procs = [p for pool in live for p in getattr(pool, "_processes", {}).values()]
            for p in procs:
                p.terminate()
            for pool in live:
                pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                p.join(5)
    return outcomes
