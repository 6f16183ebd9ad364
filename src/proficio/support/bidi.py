"""Student text that cannot turn the text around it: right-to-left names, and bidi controls.

A roster string may hold explicit direction controls (U+202E RIGHT-TO-LEFT OVERRIDE and its
kin). Printed next to our own words, an unterminated one reverses them ("Issued June 12" comes
out as "21 enuJ deussI"). Every output that shows a roster string among its own text therefore
(1) drops the explicit controls from it: :func:`plain`, and (2) isolates it: :func:`isolate` for
plain-text fields (PDF metadata, CLR names), a box in the direction of :func:`direction` in the
PDF templates.

Why drop rather than balance the controls: an isolate already gives a name its own direction
(from its first letter, as Unicode's first-strong rule does), so the controls add nothing a
name needs; an override can make a name show letters in an order other than the stored one;
and Typst copies every control into the PDF's text layer, where a registrar copying an ID or a
screen reader would meet it. The implicit marks (U+200E, U+200F, U+061C) and the joiners
(U+200C, U+200D) stay: they have no reach beyond the isolate, and Persian and Indic names need
the joiners to be spelt right.
"""

from __future__ import annotations

import unicodedata

EXPLICIT = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides, their terminator, isolates and theirs: the controls with a reach."""

BOM = "\ufeff"
"""A byte order mark glued inside a cell (two exports pasted together): invisible, and text that
holds one is not allowed in a PDF/A document, so Typst would refuse the whole document."""

FSI, PDI = "\u2068", "\u2069"

_DROP = dict.fromkeys(map(ord, EXPLICIT | {BOM}))
_HIDDEN = ("Cc", "Cf", "Zl", "Zp")


def plain(text: str) -> str:
    """``text`` without the explicit direction controls (:data:`EXPLICIT`) and :data:`BOM`."""
    return text.translate(_DROP)


def direction(text: str) -> str:
    """``"rtl"`` if the first strong letter of ``text`` is Hebrew, Arabic..., else ``"ltr"``.

    Unicode's first-strong rule (what an FSI does), for engines that take a direction instead."""
    for ch in plain(text):
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return "ltr"


def isolate(text: str) -> str:
    """``text`` without controls, between FSI and PDI: one neutral unit in the text around it."""
    return FSI + plain(text) + PDI


def invisible(text: str) -> list[str]:
    """Characters of ``text`` that print as nothing (controls, format characters, line and
    paragraph separators), each once: an ID holding one prints like another ID."""
    out: list[str] = []
    for ch in text:
        if unicodedata.category(ch) in _HIDDEN and ch not in out:
            out.append(ch)
    return out
