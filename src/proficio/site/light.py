"""A lighter site: one copy of the theme's files for every language, and no source maps.

Each language is a full MkDocs build (``plugin.py``), so by default each got its own copy of
Material's ``assets/`` (2.4 MiB, 1.3 MiB of it source maps), and a reader switching language
downloaded the same CSS and JavaScript again under another address. Here the build of every
other language leaves the theme's files out and points its pages at the root's copy
(``../assets/...``), so a language switch costs the new page and its search index only.

Also here, for the same reason of keeping the plugin thin: the search index's code suffixes
(``FO.1`` and ``L2.FO.1`` find ``MA.L2.FO.1``).
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from ..content.model import School, anchor
from ..support.files import write_text

SOURCE_MAP_COMMENT = re.compile(rb"\s*/[/*]# sourceMappingURL=[^\n]*\s*$")
"""The last-line comment that makes a browser's developer tools fetch a ``.map`` file."""


def lighten(files: Files, config: MkDocsConfig, *, nested: bool, own: Iterable[str]) -> set[str]:
    """Drop the theme's source maps and their comments; in another language's build, drop every
    theme file under ``assets/`` (and ``own``, the plugin's generated assets) and return their
    addresses, which :func:`share_assets` points at the root's copy."""
    theme_dirs = {os.path.realpath(d) for d in config.theme.dirs}
    own = set(own)
    shared: set[str] = set()
    for f in list(files):
        if f.is_documentation_page():
            continue
        from_theme = f.src_dir is not None and os.path.realpath(f.src_dir) in theme_dirs
        if from_theme and f.src_uri.endswith(".map"):
            files.remove(f)
        elif nested and f.src_uri.startswith("assets/") and (from_theme or f.src_uri in own):
            files.remove(f)
            shared.add(f.src_uri)
        elif from_theme and f.src_uri.endswith((".js", ".css")) and f.abs_src_path:
            stripped = _without_source_map(f.abs_src_path, *_stamp(f.abs_src_path))
            if stripped is not None:
                files.remove(f)
                files.append(File.generated(config, f.src_uri, content=stripped))
    return shared


def _stamp(path: str) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_mtime_ns, st.st_size


@cache
def _without_source_map(path: str, mtime_ns: int, size: int) -> bytes | None:
    """The file without its ``sourceMappingURL`` comment; ``None`` when it has none (read once
    per version of the file: every language's build and every ``mkdocs serve`` rebuild asks)."""
    data = Path(path).read_bytes()
    stripped = SOURCE_MAP_COMMENT.sub(b"\n", data)
    return stripped if stripped != data else None


def share_assets(env: jinja2.Environment, shared: set[str]) -> None:
    """Make the theme's ``url`` filter send ``shared`` addresses one folder up, to the root's
    copy: ``assets/x.css`` on ``es/mathematics/`` becomes ``../../assets/x.css``."""
    if not shared:
        return
    original = env.filters["url"]
    names = frozenset(shared)

    @jinja2.pass_context
    def url(context: Any, value: Any) -> str:
        text = str(value)
        if text not in names:
            return str(original(context, value))
        out = str(original(context, "../" + text))
        # The 404 page has no page: MkDocs joins the address to the language's absolute root.
        return posixpath.normpath(out) if out.startswith("/") else out

    env.filters["url"] = url


def code_suffixes(school: School) -> dict[str, list[str]]:
    """Per topic and target anchor, the shorter forms of its code a reader may type: every
    dotted suffix but a bare number (``MA.L2.FO.1`` -> ``L2.FO.1``, ``FO.1``)."""
    out: dict[str, list[str]] = {}
    for subject in school.subjects:
        for level in subject.levels:
            for topic in level.topics:
                out[anchor(topic.code)] = _suffixes(topic.code)
                for target in topic.targets:
                    out[target.anchor] = _suffixes(target.code)
    return {k: v for k, v in out.items() if v}


def _suffixes(code: str) -> list[str]:
    parts = code.split(".")
    tails = (".".join(parts[i:]) for i in range(1, len(parts)))
    return [t for t in tails if not t.isdigit()]


_suffixes_of: list[tuple[School, dict[str, list[str]]]] = []


def school_suffixes(school: School) -> dict[str, list[str]]:
    """:func:`code_suffixes` of ``school``, worked out once for all its languages' builds."""
    if not _suffixes_of or _suffixes_of[0][0] is not school:
        _suffixes_of[:] = [(school, code_suffixes(school))]
    return _suffixes_of[0][1]


def tag_entries(config: MkDocsConfig, suffixes: dict[str, list[str]]) -> bool:
    """Give the search plugin's sections their code suffixes as ``tags`` before it writes its
    index (:func:`index_suffixes` says why), in memory: reading the written index back and
    writing it again cost more than the rest of the plugin's hooks on a large school. ``False``
    when the search plugin is not Material's (the written file is then edited instead)."""
    search = config.plugins.get("material/search") or config.plugins.get("search")
    entries = getattr(getattr(search, "search_index", None), "entries", None)
    if not isinstance(entries, list):
        return False
    if not suffixes:
        return True
    for entry in entries:
        if not isinstance(entry, dict):
            return False
        _, _, fragment = str(entry.get("location", "")).partition("#")
        tails = suffixes.get(fragment)
        if tails:
            entry["tags"] = [*entry.get("tags", []), *tails]
    return True


def index_suffixes(site_dir: str, suffixes: dict[str, list[str]]) -> None:
    """Add each section's code suffixes to the search index as its ``tags``.

    Material's search matches what a reader types against the start of each indexed word, and a
    code is one word (dots do not separate words), so ``FO.1`` cannot find ``MA.L2.FO.1`` by
    itself. Tags are the one extra field Material's search worker queries (weighted highest,
    which puts a code's section first); ``site.css`` hides them in the results, where the
    section's title already shows the code.
    """
    path = Path(site_dir) / "search" / "search_index.json"
    if not suffixes or not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    changed = False
    for doc in data.get("docs", []):
        _, _, fragment = str(doc.get("location", "")).partition("#")
        tails = suffixes.get(fragment)
        if tails:
            doc["tags"] = [*doc.get("tags", []), *tails]
            changed = True
    if changed:  # as Material writes it: compact, ASCII
        write_text(path, json.dumps(data, separators=(",", ":")), private=False)
