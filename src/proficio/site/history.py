"""When the curriculum changed, read from the content folder's git history.

Two things come from here, both from commit times (never the clock), so the same commit builds
the same bytes: the day each content file last changed (a page says when its content did), and
the list of curriculum changes by day (targets added, reworded, renamed, retired) for the site's
"what changed" page. Each of the last ``limit`` commits that touched the content folder is
loaded with the ordinary content loader from a ``git archive`` of that commit, and its targets
are compared with the commit before; each commit's targets are kept in a small JSON file named
by its hash (in ``.git/proficio/history``), so a later build loads only the commits it has not
seen.

Only ``git`` on the PATH is needed (no library). Outside a git checkout, or without git, the
history is empty and :attr:`History.notes` says why in one line; in a shallow clone (CI's
default ``fetch-depth: 1``) only the commits present are read, and a file whose last change
lies beyond them has no date. This module does not know MkDocs: the caller logs the notes.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from ..content.loader import load
from ..content.model import School, Text
from ..errors import ProficioError
from ..support.files import write_json

DEFAULT_LIMIT = 50
"""Commits of the content folder compared by default (each is one load of the content)."""

SNAPSHOT_FORMAT = 1
"""Bumped when a cached snapshot's fields change: older files are then read again from git."""

ChangeKind = Literal["added", "reworded", "renamed", "retired"]


@dataclass(frozen=True)
class TargetChange:
    """One target's change between two versions of the content."""

    kind: ChangeKind
    code: str
    """The target's code now (``retired``: its last code)."""
    title: Text
    """Its title now (``retired``: its last title)."""
    subject: Text
    level: Text
    """The level's title (may be empty: the site then says "Level 2")."""
    level_number: int
    old_code: str | None = None
    """``renamed``: the code it had before."""
    old_title: Text | None = None
    """``reworded``: the title before, when the title is what changed."""
    fields: tuple[str, ...] = ()
    """``reworded``: which texts changed (``title``, ``description``, ``rubric``)."""


@dataclass(frozen=True)
class Version:
    """A commit that changed the curriculum's targets."""

    commit: str
    day: date
    """The commit's day (committer time, UTC)."""
    changes: tuple[TargetChange, ...]
    first: int | None = None
    """For the content's very first commit: how many targets it started with (no changes)."""


@dataclass
class History:
    """What the git history says about the content; empty outside a git checkout."""

    file_days: dict[Path, date] = field(default_factory=dict)
    """Resolved path of each content file -> the day it last changed."""
    versions: list[Version] = field(default_factory=list)
    """Newest first; only the commits that changed a target."""
    notes: list[str] = field(default_factory=list)
    """Lines for the build log (no git, a shallow clone, versions that did not load)."""
    shallow: bool = False
    commits: int = 0
    """How many commits of the content folder were compared."""
    seconds: float = 0.0

    def last_changed(self, files: Iterable[Path]) -> date | None:
        """The latest day any of ``files`` changed; ``None`` when none has a known day."""
        days = [d for d in (self.file_days.get(_key(f)) for f in files) if d is not None]
        return max(days) if days else None

    @property
    def latest(self) -> date | None:
        return max(self.file_days.values()) if self.file_days else None


def _key(path: Path) -> Path:
    """``path`` resolved, once per absolute path (every page's date asks for its files' days)."""
    return _resolved(path if path.is_absolute() else Path.cwd() / path)


@functools.lru_cache(maxsize=1 << 16)
def _resolved(path: Path) -> Path:
    return path.resolve()


def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess[Any]:
    return subprocess.run(
        ["git", "-c", "core.quotePath=false", *args],
        cwd=root,
        capture_output=True,
        text=not binary,
        timeout=300,
        check=False,
    )


def read_history(
    root: Path,
    *,
    limit: int = DEFAULT_LIMIT,
    cache: Path | Literal["git"] | None = "git",
    current: School | None = None,
) -> History:
    """The history of the content folder ``root``: file days and the target changes of the last
    ``limit`` commits that touched ``school.yaml`` or ``subjects/`` (the others, such as a
    scale's or a logo's, change no target; ``limit`` 0: file days only). ``cache``: where
    snapshots by commit are kept (``"git"``: ``.git/proficio/history``, out of the working tree,
    the site and ``build/``; ``None``: nowhere). ``current``: the school as already loaded from ``root``,
    used for the newest commit when the content has no uncommitted change (one load fewer)."""
    started = time.perf_counter()
    history = History()
    try:
        found = _git(
            root,
            "rev-parse",
            "--is-shallow-repository",
            "--git-path",
            "shallow",
            "--git-path",
            "proficio/history",
        )
    except (OSError, subprocess.SubprocessError):
        history.notes.append(
            "git is not available: pages show no 'last changed' date and the site has no "
            "'what changed' page."
        )
        return history
    if found.returncode != 0:
        said = (found.stderr.strip().splitlines() or [""])[0]
        why = "" if "not a git repository" in said or not said else f" (git says: {said})"
        history.notes.append(
            f"{root} is not in a git checkout{why}: pages show no 'last changed' date and the "
            "site has no 'what changed' page."
        )
        return history
    shallow_flag, shallow_path, git_cache = [*found.stdout.splitlines(), "", "", ""][:3]
    if cache == "git":
        cache = root / git_cache.strip() if git_cache.strip() else None
    history.shallow = shallow_flag.strip() == "true"
    boundary: set[str] = set()
    if history.shallow:
        try:
            boundary = set((root / shallow_path.strip()).read_text(encoding="ascii").split())
        except OSError:
            boundary = set()
    commits = _file_days(root, history, boundary)
    if not commits:
        history.notes.append(
            f"{root} has no committed history yet: pages show no 'last changed' date and the "
            "site has no 'what changed' page."
        )
        return history
    relevant = [(c, when) for c, when, names in commits if any(map(_holds_targets, names))]
    chosen = relevant[: limit + 1] if limit > 0 else []
    if chosen and current is not None and _clean(root):
        _remember(cache, chosen[0][0], _targets(current))
    _versions(root, history, chosen, boundary, cache)
    if history.shallow:
        history.notes.append(
            "This is a shallow git clone: only its "
            f"{len(commits)} commit(s) of the content are known, so dates older than them are "
            "missing and the 'what changed' page is short. In GitHub Actions, give "
            "actions/checkout 'fetch-depth: 0'."
        )
    history.seconds = time.perf_counter() - started
    return history


def _holds_targets(name: str) -> bool:
    """Whether a file, relative to the content folder, can change a target's snapshot."""
    return name == "school.yaml" or name.startswith("subjects/")


def _clean(root: Path) -> bool:
    """Whether the content folder is exactly its last commit (nothing changed or untracked)."""
    out = _git(root, "status", "--porcelain", "--untracked-files=all", "--", ".")
    return out.returncode == 0 and not out.stdout.strip()


_memory: dict[tuple[Path | None, str], Snapshot] = {}
"""Snapshots made from the school already loaded, for a build without a cache folder."""


def _remember(cache: Path | None, commit: str, snap: Snapshot) -> None:
    _memory.clear()  # one school's newest commit is all a later build may ask for
    _memory[(cache, commit)] = snap
    if cache is not None and not (cache / f"{commit}.json").is_file():
        _write_snapshot(cache / f"{commit}.json", snap)


def _write_snapshot(path: Path, snap: Snapshot | None) -> None:
    # a cache that cannot be written only costs the next build a load
    with contextlib.suppress(OSError, ProficioError):
        write_json(path, {"format": SNAPSHOT_FORMAT, "targets": snap}, private=False)


def _file_days(
    root: Path, history: History, boundary: set[str]
) -> list[tuple[str, int, list[str]]]:
    """Fill ``history.file_days``; return the content's commits, newest first, with their
    times. A file whose newest commit is a shallow clone's boundary has no known day (the
    boundary commit shows every file as new)."""
    out = _git(
        root,
        "log",
        "--first-parent",
        "-z",
        "--format=%x01%H %ct",
        "--name-only",
        "--relative",
        "--",
        ".",
    )
    if out.returncode != 0:
        return []
    commits: list[tuple[str, int, list[str]]] = []
    seen: set[str] = set()
    for record in out.stdout.split("\x01")[1:]:
        header, _, names = record.partition("\0")
        commit, _, stamp = header.partition(" ")
        if not stamp.strip().isdigit():
            continue
        when = int(stamp)
        files = [name for name in names.lstrip("\n").split("\0") if name]
        commits.append((commit, when, files))
        day = datetime.fromtimestamp(when, UTC).date()
        for name in files:
            if name in seen:
                continue
            seen.add(name)
            if commit not in boundary:
                history.file_days[_key(root / name)] = day
    return commits


def _versions(
    root: Path,
    history: History,
    commits: list[tuple[str, int]],
    boundary: set[str],
    cache: Path | None,
) -> None:
    """Compare each commit's targets with the commit before it (newest first)."""
    history.commits = len(commits)
    snapshots = [_snapshot(root, commit, cache) for commit, _ in commits]
    unloaded = sum(1 for s in snapshots if s is None)
    if unloaded:
        history.notes.append(
            f"{unloaded} of the last {len(commits)} commit(s) of the content did not load with "
            "this version of Proficio; their changes are counted with the next commit that does."
        )
    loaded = [(c, s) for c, s in zip(commits, snapshots, strict=True) if s is not None]
    for i, ((commit, when), snap) in enumerate(loaded):
        day = datetime.fromtimestamp(when, UTC).date()
        if i + 1 < len(loaded):
            changes = _compare(loaded[i + 1][1], snap)
            if changes:
                history.versions.append(Version(commit, day, tuple(changes)))
        elif commit == commits[-1][0] and commit not in boundary and _is_root(root, commit):
            history.versions.append(Version(commit, day, (), first=len(snap)))


def _is_root(root: Path, commit: str) -> bool:
    """Whether ``commit`` has no parent: the content's history starts there (not cut short)."""
    out = _git(root, "rev-list", "--parents", "-n", "1", commit)
    return out.returncode == 0 and len(out.stdout.split()) == 1


Snapshot = dict[str, dict[str, Any]]
"""A version's targets by code: titles, the default language's wording, subject and level."""


def _snapshot(root: Path, commit: str, cache: Path | None) -> Snapshot | None:
    """The targets of the content at ``commit`` (``None``: that version does not load)."""
    remembered = _memory.get((cache, commit))
    if remembered is not None:
        return remembered
    cached = cache / f"{commit}.json" if cache is not None else None
    if cached is not None and cached.is_file():
        try:
            data = json.loads(cached.read_text(encoding="utf-8"))
            if data.get("format") == SNAPSHOT_FORMAT:
                targets: Snapshot | None = data["targets"]
                return targets
        except (OSError, ValueError, KeyError, AttributeError):
            pass
    archive = _git(root, "archive", "--format=tar", commit, "--", ".", binary=True)
    if archive.returncode != 0:
        return None
    with tempfile.TemporaryDirectory(prefix="proficio-history-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            _extract(tar, Path(tmp))
        result = load(Path(tmp))  # git archive in a subfolder holds that folder's files
        snap = _targets(result.school) if result.school is not None and not result.errors else None
    if cached is not None:
        _write_snapshot(cached, snap)
    return snap


def _extract(tar: tarfile.TarFile, folder: Path) -> None:
    """Unpack regular files and folders only, never outside ``folder`` (a commit's tree may
    hold links); the ``data`` filter where this Python has it (3.11.4 and later)."""
    members = [
        m
        for m in tar.getmembers()
        if (m.isfile() or m.isdir())
        and not m.name.startswith("/")
        and ".." not in Path(m.name).parts
    ]
    if hasattr(tarfile, "data_filter"):
        tar.extractall(folder, members=members, filter="data")
    else:  # pragma: no cover - Python 3.11.0 to 3.11.3
        tar.extractall(folder, members=members)


def _targets(school: School) -> Snapshot:
    default = school.default_language
    out: Snapshot = {}
    for subject, level, _topic, target in school.iter_targets():
        out[target.code] = {
            "subject": dict(subject.title),
            "subject_slug": subject.slug,
            "level": dict(level.title),
            "level_number": level.number,
            "title": dict(target.title),
            "wording": {
                "title": target.title.get(default, ""),
                "description": target.description.get(default, ""),
                "rubric": {str(k): v.get(default, "") for k, v in sorted(target.rubric.items())},
            },
        }
    return out


def _change(kind: ChangeKind, code: str, record: dict[str, Any], **more: Any) -> TargetChange:
    return TargetChange(
        kind,
        code,
        record["title"],
        record["subject"],
        record["level"],
        record["level_number"],
        **more,
    )


def _compare(old: Snapshot, new: Snapshot) -> list[TargetChange]:
    """What happened to the targets from ``old`` to ``new``, in code order.

    A retired and an added target in the same level with the same title (in the default
    language) are one target whose code changed: ``renamed``."""
    added = sorted(set(new) - set(old))
    retired = sorted(set(old) - set(new))
    changes: list[TargetChange] = []
    for code in sorted(set(old) & set(new)):
        before, after = old[code]["wording"], new[code]["wording"]
        fields = tuple(k for k in ("title", "description", "rubric") if before[k] != after[k])
        if fields:
            old_title = old[code]["title"] if "title" in fields else None
            changes.append(_change("reworded", code, new[code], old_title=old_title, fields=fields))
    for code in list(added):
        match = next((r for r in retired if _same_place_and_title(old[r], new[code])), None)
        if match is not None:
            retired.remove(match)
            added.remove(code)
            changes.append(_change("renamed", code, new[code], old_code=match))
    changes.extend(_change("added", code, new[code]) for code in added)
    changes.extend(_change("retired", code, old[code]) for code in retired)
    order = {"added": 0, "renamed": 1, "reworded": 2, "retired": 3}
    changes.sort(key=lambda ch: (order[ch.kind], ch.code))
    return changes


def _same_place_and_title(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return bool(
        old["subject_slug"] == new["subject_slug"]
        and old["level_number"] == new["level_number"]
        and old["wording"]["title"] == new["wording"]["title"]
    )


def by_day(versions: Iterable[Version]) -> Iterator[tuple[date, list[Version]]]:
    """Versions grouped by day, newest first (several commits on one day read as one day)."""
    current: date | None = None
    group: list[Version] = []
    for version in versions:
        if version.day != current and group:
            assert current is not None
            yield current, group
            group = []
        current = version.day
        group.append(version)
    if group and current is not None:
        yield current, group
