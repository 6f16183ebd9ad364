"""Hostile table, class "bidi": no student string can turn the document's own text around it.

A roster string may hold explicit direction controls (U+202E RIGHT-TO-LEFT OVERRIDE, an RLE or
RLI never closed, a PDI that would close our own isolate) or be written right to left. Printed
next to the template's words, such a string used to reverse them ("Issued June 12, 2026" came
out as "6202 ,21 enuJ deussI"). Every case here is read back from the PDF Typst made: the pixels
(``pdftoppm``), the words in the order they stand on the page (``pdftotext -bbox-layout``), the
text and the metadata (pypdf), compared with the same document for a plain student.

Names lose their explicit controls and are printed in a box of their own (Typst's isolate);
an ID holding an invisible character is refused (it would print like another student's ID);
terminal messages escape control characters; file names never hold one.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from transcript_helpers import ISSUED, result, school, scorer, simple_explain

from proficio.cli import main
from proficio.cli.transcripts import report
from proficio.errors import DocumentError
from proficio.evidence.records import Student
from proficio.interop.clr import ClrBuilder
from proficio.transcripts import Options, Renderer
from proficio.transcripts.document import Catalog
from proficio.transcripts.filenames import safe_stem
from proficio.transcripts.fonts import Coverage, font_dirs
from proficio.transcripts.run import issue

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("pdftotext")),
    reason="poppler-utils not installed (scripts/install.sh installs it)",
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "riverbend"
OPTIONS = Options(kind="transcript", issued=ISSUED)
LEVELS = {"MA": 1, "ELA": 1, "SC": 1, "WLD": 1}
SID = "B-1"
PLAIN = ("Ana", "Doe", "Lu")
SCHOOL_NAME = "Riverbend Competency Academy"
FSI, PDI = "\u2068", "\u2069"
EXPLICIT = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Written out here, not imported: the test must not trust the code's own list."""
MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c"))
DPI = 40


# -- reading a PDF back -------------------------------------------------------------------------


def bitmaps(pdf: bytes) -> list[bytes]:
    """Every page as a grey bitmap (PGM, header included), at a low resolution."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", str(DPI), "-gray", str(path), str(Path(tmp) / "p")],
            check=True,
            timeout=60,
        )
        return [p.read_bytes() for p in sorted(Path(tmp).glob("p-*.pgm"))]


def pixel_rows(pgm: bytes) -> list[bytes]:
    magic, size, _, pixels = pgm.split(b"\n", 3)
    assert magic == b"P5"
    width, height = map(int, size.split())
    return [pixels[y * width : (y + 1) * width] for y in range(height)]


@dataclass(frozen=True)
class Word:
    text: str
    x: float
    top: float
    bottom: float


def lines_on_pages(pdf: bytes) -> list[list[list[Word]]]:
    """Per page, per line (as poppler groups them), the words from left to right: the order a
    reader sees, whatever order the text is stored in."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pages = []
    for page in out.split("<page ")[1:]:
        lines = []
        for line in re.findall(r"<line .*?</line>", page, re.S):
            found = re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</word>',
                line,
            )
            words = [Word(html.unescape(t), float(x), float(a), float(b)) for x, a, b, t in found]
            lines.append(sorted(words, key=lambda w: w.x))
        pages.append(lines)
    return pages


def footer(page: list[list[Word]]) -> list[str]:
    """The page's last line, left to right."""
    return [w.text for w in max(page, key=lambda ln: ln[0].top)]


def plain_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def footer_words(page: int, pages: int, sid: str = SID) -> list[str]:
    return f"Page {page} of {pages} · Student ID {sid} · Issued June 12, 2026".split()


def title_of(pdf: bytes) -> str:
    title = PdfReader(io.BytesIO(pdf)).metadata.title
    assert isinstance(title, str)
    return title


# -- one renderer per kind, one plain student per kind --------------------------------------------


@pytest.fixture(scope="module")
def renderers():
    dirs = font_dirs()
    coverage = Coverage.of_dirs(dirs)
    # Without the printed content hash (it differs whenever the data does, as it must; it is
    # tested in tests/test_pdf_signing.py): every other pixel must match the plain student's.
    made = {
        kind: Renderer(
            school(),
            replace(OPTIONS, kind=kind),
            dirs,
            coverage,
            simple_explain,
            verification=False,
        )
        for kind in ("transcript", "progress")
    }
    yield made
    for r in made.values():
        r.close()


def render(renderers, kind: str, student: Student) -> bytes:
    return renderers[kind].render(result(student, current=LEVELS)).pdf


@pytest.fixture(scope="module")
def plain(renderers):
    """The plain student's document of each kind: what every hostile one is compared with."""
    return {
        kind: render(renderers, kind, Student(SID, *PLAIN[:2], preferred_name=PLAIN[2]))
        for kind in renderers
    }


# -- names holding direction controls: the document looks exactly as for a plain name ------------

CONTROLS = [
    # (case, given, family, preferred): the visible letters are always "Ana", "Doe", "Lu"
    ("RLO in given name", "Ana\u202e", "Doe", "Lu"),
    ("RLE in given name, never closed", "Ana\u202b", "Doe", "Lu"),
    ("RLI inside family name, never closed", "Ana", "D\u2067oe", "Lu"),
    ("LRO at family name start", "Ana", "\u202dDoe", "Lu"),
    ("FSI at given name start", "\u2068Ana", "Doe", "Lu"),
    ("stray PDI then RLO: tries to leave our isolate", "Ana\u2069\u202e", "Doe", "Lu"),
    ("stray PDFs: try to pop our embedding", "\u202cAna\u202c", "Doe", "Lu"),
    ("RLO inside preferred name", "Ana", "Doe", "L\u202eu"),
    ("RLM after given name", "Ana\u200f", "Doe", "Lu"),
    ("RLM before given name (first strong is RTL)", "\u200fAna", "Doe", "Lu"),
    ("ALM after family name", "Ana", "Doe\u061c", "Lu"),
    ("LRM and RLO together", "\u200eAna\u202e", "\u202eDoe", "Lu"),
    ("byte order mark after preferred name", "Ana", "Doe", "Lu\ufeff"),
    ("byte order mark inside family name", "Ana", "Do\ufeffe", "Lu"),
]


@pytest.mark.parametrize(
    ("given", "family", "preferred"), [c[1:] for c in CONTROLS], ids=[c[0] for c in CONTROLS]
)
@pytest.mark.parametrize("kind", ["transcript", "progress"])
def test_direction_controls_in_names_change_nothing_on_the_page(
    renderers, plain, kind, given, family, preferred
):
    pdf = render(renderers, kind, Student(SID, given, family, preferred_name=preferred))
    base = plain[kind]
    # Pixel for pixel the plain student's document: no word of ours moved or turned round,
    # and the name itself shows its letters in their stored order.
    assert bitmaps(pdf) == bitmaps(base)
    # The text layer too; the marks a name holds (LRM, RLM, ALM) are the roster's text, kept.
    assert plain_text(pdf).translate(MARKS) == plain_text(base)
    pages = lines_on_pages(pdf)
    for i, page in enumerate(pages, 1):
        assert footer(page) == footer_words(i, len(pages))
    # The metadata title: the name (explicit controls gone, marks kept) isolated once.
    shown = "".join(c for c in f"{given} {family}" if c not in EXPLICIT | {"\ufeff"})
    heading = "Official transcript" if kind == "transcript" else "Progress report"
    assert title_of(pdf) == f"{heading}: {FSI}{shown}{PDI} ({SCHOOL_NAME})"


# -- names written right to left: they stay in their own place -----------------------------------

RTL_NAMES = [
    ("Arabic", "محمد", "علي"),
    ("Hebrew", "נועה", "כהן"),
    ("Arabic with an RLO", "محمد\u202e", "علي"),
    ("Hebrew with digits", "נועה", "כהן 12"),
]


@pytest.mark.parametrize(
    ("given", "family"), [c[1:] for c in RTL_NAMES], ids=[c[0] for c in RTL_NAMES]
)
def test_right_to_left_names_keep_to_their_own_place(renderers, plain, given, family):
    student = Student(SID, given, family, preferred_name=given)
    transcript = render(renderers, "transcript", student)
    ours, theirs = bitmaps(transcript), bitmaps(plain["transcript"])
    assert len(ours) == len(theirs)
    assert ours[1:] == theirs[1:]
    # On page 1 only the name's own row and the preferred name's row may differ.
    page = lines_on_pages(transcript)[0]
    label = next(ln for ln in page if ln[0].text == "Student")
    pref = next(ln for ln in page if [w.text for w in ln[:2]] == ["Preferred", "name"])
    allowed = set()
    for ln in (label, pref):
        top, bottom = ln[0].top * DPI / 72, ln[0].bottom * DPI / 72
        allowed |= set(range(int(top) - 3, int(bottom) + 4))
    changed = {
        y for y, (a, b) in enumerate(zip(pixel_rows(ours[0]), pixel_rows(theirs[0]), strict=True))
        if a != b
    }  # fmt: skip
    assert changed and changed <= allowed, sorted(changed - allowed)
    # The name shares its row with "Student ID B-1": that still reads left to right, after the
    # name.
    label = next(ln for ln in page if ln[0].text == "Student")[0]
    row = sorted((w for ln in page for w in ln if abs(w.top - label.top) < 2), key=lambda w: w.x)
    words = [w.text for w in row]
    assert words[0] == "Student" and words[-3:] == ["Student", "ID", SID]
    for i, pg in enumerate(lines_on_pages(transcript), 1):
        assert footer(pg) == footer_words(i, len(ours))

    # The progress report names the student inside a sentence of ours: the sentence's words
    # keep their order, the name stands where it belongs, between "where" and "is".
    progress = render(renderers, "progress", student)
    line = next(
        ln
        for ln in lines_on_pages(progress)[0]
        if [w.text for w in ln[:4]] == ["This", "report", "shows", "where"]
    )
    words = [w.text for w in line]
    at = words.index("is")
    # read left to right, the name's letters run backwards: it is drawn right to left
    assert " ".join(words[4:at]) == given.replace("\u202e", "")[::-1], words
    assert words[at : at + 6] == ["is", "in", "each", "subject,", "what", "is"]
    pages = lines_on_pages(progress)
    for i, pg in enumerate(pages, 1):
        assert footer(pg) == footer_words(i, len(pages))


# -- IDs: one holding an invisible character is refused, before any PDF is made -------------------

HIDDEN_IN_IDS = [
    ("\u202e", "RIGHT-TO-LEFT OVERRIDE"),
    ("\u202b", "RIGHT-TO-LEFT EMBEDDING"),
    ("\u2067", "RIGHT-TO-LEFT ISOLATE"),
    ("\u2069", "POP DIRECTIONAL ISOLATE"),
    ("\u200f", "RIGHT-TO-LEFT MARK"),
    ("\u061c", "ARABIC LETTER MARK"),
    ("\u200d", "ZERO WIDTH JOINER"),
    ("\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    ("\u2028", "LINE SEPARATOR"),
]


@pytest.mark.parametrize(("ch", "name"), HIDDEN_IN_IDS, ids=[n for _, n in HIDDEN_IN_IDS])
def test_an_id_holding_an_invisible_character_is_refused(renderers, ch, name):
    sid = f"S-{ch}1"
    for kind in renderers:
        with pytest.raises(DocumentError) as caught:
            render(renderers, kind, Student(sid, "Ana", "Doe"))
        assert str(caught.value) == (
            f"student_id {sid!r} contains U+{ord(ch):04X} ({name}), an invisible control "
            "character: the printed ID would not match the roster's, so the document was not "
            "issued. Correct the ID in the roster."
        )
        assert ch not in str(caught.value)  # the message escapes it: a terminal stays upright
    # nor can it reach a file name
    assert re.fullmatch(r"[A-Za-z0-9_.%-]+", safe_stem(sid))


RTL_IDS = ["א-12", "٤٢١", "ب7"]


@pytest.mark.parametrize("sid", RTL_IDS)
def test_a_right_to_left_id_is_one_unit_in_the_footer(renderers, sid):
    pdf = render(renderers, "transcript", Student(sid, "Ana", "Doe"))
    pages = lines_on_pages(pdf)
    for i, page in enumerate(pages, 1):
        words = footer(page)
        before = f"Page {i} of {len(pages)} · Student ID".split()
        after = ["·", "Issued", "June", "12,", "2026"]
        assert words[:7] == before and words[-5:] == after, words
        assert sorted("".join(words[7:-5])) == sorted(sid), words  # the ID, and only it, between


# -- the data path: no template can print a roster string without isolating it -----------------


def _bare_strings(value: Any, needle: str, where: str = "") -> list[str]:
    """Where ``needle`` sits in a plain JSON string rather than in a person object."""
    if isinstance(value, str):
        return [where] if needle in value else []
    if isinstance(value, dict):
        if "student" in value:
            return []
        return [p for k, v in value.items() for p in _bare_strings(v, needle, f"{where}.{k}")]
    if isinstance(value, list):
        return [p for v in value for p in _bare_strings(v, needle, f"{where}[]")]
    return []


@pytest.mark.parametrize("kind", ["transcript", "progress"])
def test_every_roster_string_reaches_the_template_as_a_person(kind):
    catalog = Catalog(school(), replace(OPTIONS, kind=kind))
    st = Student("Qzx-7", "Qzxgiven", "Qzxfamily", preferred_name="Qzxpref")
    doc = catalog.student(result(st, current=LEVELS), simple_explain)
    common = catalog.common(catalog.language_for(result(st, current=LEVELS)))
    for needle in ("Qzx-7", "Qzxgiven", "Qzxfamily", "Qzxpref"):
        # The metadata title is the one plain string, and it is isolated (checked above).
        assert _bare_strings({**doc, "title": ""}, needle) == [], needle
        assert _bare_strings(common, needle) == [], needle
    persons = [f["value"] for f in doc["facts"] if isinstance(f["value"], dict)]
    assert [p["student"] for p in persons] == ["Qzxgiven Qzxfamily", "Qzx-7", "Qzxpref"]
    assert {p["dir"] for p in persons} == {"ltr"}


JOINERS = [
    ("Persian, ZWNJ", "مهر\u200cناز", "rtl"),
    ("Devanagari, ZWJ", "क्\u200dष", "ltr"),
    ("Malayalam, ZWJ and ZWNJ", "ന്\u200d\u200cമ", "ltr"),
]


@pytest.mark.parametrize(
    ("given", "direction"), [c[1:] for c in JOINERS], ids=[c[0] for c in JOINERS]
)
def test_joiners_stay_in_names(given, direction):
    """ZWJ and ZWNJ shape Persian and Indic names: they are kept, unlike the bidi controls."""
    catalog = Catalog(school(), OPTIONS)
    doc = catalog.student(result(Student(SID, given + "\u202e", "Doe"), current=LEVELS))
    name = doc["facts"][0]["value"]
    shown = {k: v for k, v in name.items() if k != "lang"}  # its language: test_transcript_names
    assert shown == {"student": f"{given} Doe", "dir": direction, "hint": None}
    assert doc["title"] == f"Official transcript: {FSI}{given} Doe{PDI} ({SCHOOL_NAME})"
    assert all(unicodedata.category(c) != "Cf" or c in "\u200c\u200d" for c in name["student"])


# -- elsewhere a student string is shown: CLR sentences, terminal messages, file names -----------

CLR_NAMES = [("Ana\u202e", "Doe", "Ana Doe"), ("محمد\u2067", "علي", "محمد علي")]


@pytest.mark.parametrize(("given", "family", "shown"), CLR_NAMES, ids=["RLO", "RLI in Arabic"])
def test_clr_sentences_isolate_the_name_and_keep_the_data(given, family, shown):
    record = ClrBuilder(school()).build(
        result(Student(SID, given, family), current=LEVELS), datetime(2026, 6, 12, tzinfo=UTC)
    )
    assert record["name"] == f"Comprehensive Learner Record: {FSI}{shown}{PDI}"
    assert record["description"].startswith(
        f"Learning targets, levels and subjects {FSI}{shown}{PDI} has been scored on at "
    )
    names = [
        i["identityHash"]
        for i in record["credentialSubject"]["identifier"]
        if i["identityType"] == "name"
    ]
    assert names == [f"{given} {family}"]  # the identity is data: the roster's own text


def test_a_run_prints_hostile_ids_escaped_and_names_no_file_after_them(tmp_path):
    hostile = ["S-\u202e1", "S-\u20672", "S-\u200d3"]
    students = [Student(SID, "Ana", "Doe"), *(Student(s, "Ana", "Doe") for s in hostile)]
    run = issue(school(), students, scorer, OPTIONS, tmp_path / "out", jobs=1)
    assert [o.student_id for o in run.issued] == [SID]
    assert sorted(o.student_id for o in run.failed) == sorted(hostile)
    printed: list[str] = []
    report(run, "transcript", printed.append)
    text = "\n".join(printed)
    assert not set(text) & (EXPLICIT | {"\u200d"}), ascii(text)
    for sid in hostile:
        assert f"  {sid!r}: student_id {sid!r} contains U+" in text
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["B-1.pdf", "manifest.json"]
    failed = json.loads((tmp_path / "out" / "manifest.json").read_text())["failed"]
    assert sorted(f["student_id"] for f in failed) == sorted(hostile)  # data: kept exactly


def test_students_option_escapes_a_control_character_in_the_message(tmp_path):
    args = [
        "transcripts", "--content", str(ROOT / "content"),
        "--roster", str(EXAMPLE / "roster.csv"), "--evidence", str(EXAMPLE / "evidence.csv"),
        "--issues", str(tmp_path / "issues.csv"), "--out", str(tmp_path / "out"),
        "--issue-date", "2026-06-12", "--students", "S000004,X\u202e1",
    ]  # fmt: skip
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 2, outcome.output
    assert "Error: --students: not on the roster: 'X\\u202e1'." in outcome.output
    assert "\u202e" not in outcome.output
