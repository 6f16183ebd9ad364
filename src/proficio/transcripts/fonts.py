"""Which fonts the PDFs use, and which characters they can draw.

Typst gets exactly the Debian font folders below (``ignore_system_fonts``), so a PDF looks the same
on a registrar's laptop and in CI. Before a student's document is rendered, every character in it
is checked against the union of those fonts' cmap tables: a name no font can draw is reported with
the student and the character, never printed as a missing-glyph box on an official document.
Reading ~270 fonts' cmaps takes seconds, so the coverage is cached per font file (size + mtime).
"""

from __future__ import annotations

import bisect
import json
import os
import unicodedata
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from ..support.files import write_text
from ..support.typesetting import FONT_DIRS, font_dirs

__all__ = ["FONT_DIRS", "FONT_STACK", "Coverage", "describe", "font_dirs"]

FONT_EXTENSIONS = (".ttf", ".otf", ".ttc", ".otc")

FONT_STACK = (
    "Noto Sans",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans CJK SC",
)
"""The template's font list (mirrored in ``common.typ``); Typst falls back to any other font in
the folders for scripts not listed here."""

_NOT_DRAWN = {0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF, *range(0xFE00, 0xFE10)}
"""Format characters shaping consumes (joiners, direction marks, variation selectors)."""


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "proficio" / "font-coverage.json"


def _ranges(codepoints: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for cp in sorted(codepoints):
        if out and out[-1][1] == cp - 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return out


def _read_cmap(path: Path) -> list[list[int]]:
    from fontTools.ttLib import TTCollection, TTFont

    cps: set[int] = set()
    if path.suffix.lower() in (".ttc", ".otc"):
        for font in TTCollection(str(path), lazy=True).fonts:
            cps.update((font.getBestCmap() or {}).keys())
    else:
        cps.update((TTFont(str(path), lazy=True).getBestCmap() or {}).keys())
    return _ranges(cps)


@dataclass
class Coverage:
    """The characters at least one font can draw, as sorted inclusive ranges."""

    starts: list[int]
    ends: list[int]
    _memo: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def of_dirs(cls, dirs: list[Path]) -> Coverage:
        cache_path = _cache_file()
        # key -> {"ranges": [[first, last], ...]}, as this method writes it below
        cache: dict[str, dict[str, list[list[int]]]]
        try:
            cache = json.loads(cache_path.read_text("utf-8"))
        except (OSError, ValueError):
            cache = {}
        fresh: dict[str, dict[str, list[list[int]]]] = {}
        union: set[tuple[int, int]] = set()
        for d in dirs:
            for path in sorted(d.rglob("*")):
                if path.suffix.lower() not in FONT_EXTENSIONS or not path.is_file():
                    continue
                st = path.stat()
                key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
                entry = cache.get(key)
                if entry is None:
                    try:
                        entry = {"ranges": _read_cmap(path)}
                    except Exception:  # a broken font file is skipped, like Typst skips it
                        entry = {"ranges": []}
                fresh[key] = entry
                union.update((a, b) for a, b in entry["ranges"])
        if fresh.keys() != cache.keys():
            with suppress(OSError):  # a read-only home only costs the next run a few seconds
                write_text(cache_path, json.dumps(fresh), private=False)
        merged: list[list[int]] = []
        for a, b in sorted(union):
            if merged and a <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        return cls([a for a, _ in merged], [b for _, b in merged])

    def covers(self, ch: str) -> bool:
        hit = self._memo.get(ch)
        if hit is None:
            cp = ord(ch)
            if cp in _NOT_DRAWN:
                hit = True
            elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"):
                hit = False
            else:
                i = bisect.bisect_right(self.starts, cp) - 1
                hit = i >= 0 and cp <= self.ends[i]
            self._memo[ch] = hit
        return hit

    def missing(self, text: str) -> list[str]:
        """Characters of ``text`` no font draws, each once, in order of appearance."""
        out: list[str] = []
        for ch in text:
            if not self.covers(ch) and ch not in out:
                out.append(ch)
        return out


def describe(ch: str) -> str:
    """``U+0007 (BELL)``: how a report names a character a registrar cannot see."""
    name = unicodedata.name(ch, "") or unicodedata.category(ch)
    return f"U+{ord(ch):04X} ({name})"
