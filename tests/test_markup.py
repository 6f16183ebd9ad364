"""The Markdown subset of content texts: what each output makes of a text, and what validation
reports (at the line and column of the refused text) (issue #16, item 8)."""

from __future__ import annotations

import copy
import html
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from proficio import load
from proficio.cli import main
from proficio.content.markup import (
    allowed_hosts,
    findings,
    math_text,
    needs_markdown,
    to_html,
    to_plain,
)

FIXTURE = Path(__file__).parent / "fixtures" / "mini-school"
LEVEL1 = "subjects/math/level-1.yaml"
HOSTS = allowed_hosts("https://curriculum.example.org/", ["smarterbalanced.org"])

STATEMENT = (
    "The **item stem** makes an *inference*:\n"
    "\n"
    "- select the evidence\n"
    "- explain it\n"
    "\n"
    "| **Chore** | Time |\n"
    "|:---------:|-----:|\n"
    "| Walk dog  | 20 minutes |\n"
    "\n"
    "Between $\\frac{1}{2}$ and $\\frac{3}{4}$ of an hour. <script>alert(1)</script>"
)


# -- the HTML the site shows -------------------------------------------------------------------

HTML_CASES = [
    # (text, mode, exact HTML)
    ("Adds whole numbers.", "inline", "Adds whole numbers."),
    ('Says "yes".', "inline", "Says &quot;yes&quot;."),
    ('Says "yes" & means it.', "inline", 'Says "yes" &amp; means it.'),
    (
        "First.\n\nSecond  line\nsame paragraph.",
        "block",
        "<p>First.</p><p>Second line same paragraph.</p>",
    ),
    ("Only one.", "cell", "Only one."),
    (
        "I can add **whole** *numbers*.",
        "inline",
        "I can add <strong>whole</strong> <em>numbers</em>.",
    ),
    ("Uses `a * b` here.", "inline", "Uses <code>a * b</code> here."),
    ("1. Numbers stay a title", "inline", "1. Numbers stay a title"),
    ("# Not a heading in a title", "inline", "# Not a heading in a title"),
    ("- one\n- two", "cell", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("- one\n- two", "block", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("Adds *well*.", "cell", "Adds <em>well</em>."),
    ("# Heading\nText", "block", "<p><strong>Heading</strong></p>\n<p>Text</p>"),
    ("line one  \nline two", "block", "<p>line one<br>\nline two</p>"),
    (
        "Level 1 </title><script>alert(1)</script>",
        "inline",
        "Level 1 &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
    ),
    ("<script>\nalert(1)\n</script>", "block", "<p>&lt;script&gt;\nalert(1)\n&lt;/script&gt;</p>"),
    ('<img src=x onerror="alert(1)">', "cell", '&lt;img src=x onerror="alert(1)"&gt;'),
    ("x <!-- hidden -->", "inline", "x &lt;!-- hidden --&gt;"),
    ("&copy; AT&T", "inline", "&copy; AT&amp;T"),
    ("[x](javascript:alert(1))", "inline", "<span>x (javascript:alert(1))</span>"),
    ("[x](javascript:alert(1))", "block", "<p><span>x (javascript:alert(1))</span></p>"),
    (
        "[guide](https://portal.smarterbalanced.org/a.pdf)",
        "cell",
        '<a href="https://portal.smarterbalanced.org/a.pdf">guide</a>',
    ),
    (
        "[page](https://curriculum.example.org/x/)",
        "cell",
        '<a href="https://curriculum.example.org/x/">page</a>',
    ),
    ("[guide](https://portal.smarterbalanced.org/a.pdf)", "inline", "<span>guide</span>"),
    (
        "[video](https://www.youtube.com/watch?v=1)",
        "cell",
        "<span>video (https://www.youtube.com/watch?v=1)</span>",
    ),
    (
        "[site](https://evil-smarterbalanced.org/)",
        "cell",
        "<span>site (https://evil-smarterbalanced.org/)</span>",
    ),
    ("<https://www.youtube.com/x>", "cell", "<span>https://www.youtube.com/x</span>"),
    ("[page](../level-2/)", "cell", "<span>page (../level-2/)</span>"),
    ("[data](data:text/html,hi)", "cell", "<span>data (data:text/html,hi)</span>"),
    (
        "![Number line](https://images.smarterbalanced.org/i/line.jpg)",
        "cell",
        '<a href="https://images.smarterbalanced.org/i/line.jpg">Number line</a>',
    ),
    (
        "![](https://images.smarterbalanced.org/i/image007.jpg)",
        "cell",
        '<a href="https://images.smarterbalanced.org/i/image007.jpg">image007.jpg</a>',
    ),
    (
        "![Pic](https://tracker.example.com/p.png)",
        "cell",
        "<span>Pic (https://tracker.example.com/p.png)</span>",
    ),
    ("Costs $5 and $10.", "inline", "Costs $5 and $10."),
    ("Half is $\\frac{1}{2}$.", "inline", 'Half is <span class="pf-math">1/2</span>.'),
    ("Area $a_1 * b_2$ m", "inline", 'Area <span class="pf-math">a₁ * b₂</span> m'),
    (
        "| a | b |\n|---|:-:|\n| 1 | 2 |",
        "cell",
        '<table>\n<thead>\n<tr>\n<th>a</th>\n<th style="text-align: center;">b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td style="text-align: center;">2</td>\n</tr>\n</tbody>\n</table>',
    ),
    ("3. third\n4. fourth", "block", '<ol start="3">\n<li>third</li>\n<li>fourth</li>\n</ol>'),
]


@pytest.mark.parametrize(("text", "mode", "expected"), HTML_CASES)
def test_html_for_the_site(text: str, mode: str, expected: str) -> None:
    assert to_html(text, mode, HOSTS) == expected  # type: ignore[arg-type]


PLAIN_CASES = [
    # (text, exact plain text for the table of contents, search and PDFs)
    ("Adds whole numbers.", "Adds whole numbers."),
    ("I can add **whole** *numbers*.", "I can add whole numbers."),
    (
        STATEMENT,
        "The item stem makes an inference:\n• select the evidence\n• explain it\n"
        "Chore | Time\nWalk dog | 20 minutes\n"
        "Between 1/2 and 3/4 of an hour. <script>alert(1)</script>",
    ),
    ("1. first\n2. second", "1. first\n2. second"),
    ("&copy; 2024 AT&T", "© 2024 AT&T"),
    ("[video](https://www.youtube.com/x)", "video (https://www.youtube.com/x)"),
    ("[guide](https://portal.smarterbalanced.org/a.pdf)", "guide"),
    ("`x_1 * y`", "x_1 * y"),
]


@pytest.mark.parametrize(("text", "expected"), PLAIN_CASES)
def test_plain_text_for_toc_search_and_pdf(text: str, expected: str) -> None:
    assert to_plain(text, HOSTS) == expected
    assert "**" not in to_plain(text, HOSTS)


@pytest.mark.parametrize(
    ("tex", "expected"),
    [
        ("\\frac{1}{2}", "1/2"),
        ("4\\frac{3}{4}", "4 3/4"),
        ("\\frac{20}{x + 20}", "20/(x + 20)"),
        ("t = \\frac{\\sqrt{v}}{3}", "t = (√v)/3"),
        ("\\sqrt{ax + b}", "√(ax + b)"),
        ("t^{2} - 5 = 4", "t² - 5 = 4"),
        ("cm^3", "cm³"),
        ("x^{a+b}", "x^(a+b)"),
        ("3 \\times 4 \\div 2 \\le 6", "3 × 4 ÷ 2 ≤ 6"),
        ("\\ t = 3\\ \\text{and}\\ t = -3", "t = 3 and t = -3"),
        ("\\left( x \\right)^{2}", "( x )²"),
        ("\\unknown{x}", "\\unknownx"),
    ],
)
def test_inline_math_as_text(tex: str, expected: str) -> None:
    assert math_text(tex) == expected


def test_plain_texts_skip_the_parser() -> None:
    assert not needs_markdown("I can add whole numbers, 3-5 at a time (50% of them).")
    assert needs_markdown("I can add *whole* numbers")
    assert needs_markdown("- a list")


# -- validation: every refusal at its line and column ------------------------------------------

HEAD = (
    "level: 1\n"
    "title: {en: Level 1, es: Nivel 1}\n"
    "topics:\n"
    "  - code: MA.L1.WN\n"
    "    title: {en: Whole numbers, es: Números enteros}\n"
    "    targets:\n"
    "      - code: MA.L1.WN.1\n"
    "        title: {en: I can add whole numbers., es: Puedo sumar números enteros.}\n"
)
"""Line 9 starts ``        description: `` (the value at column 22)."""

POSITION_CASES = {
    # (the description as written, exact line and column of the "<" in the file)
    "plain": ("description: Adds <script>x</script>.\n", 9, 27),
    "double quoted": ('description: "Adds <script>x</script>."\n', 9, 28),
    "single quoted": ("description: 'Adds <script>x</script>.'\n", 9, 28),
    "literal block": (
        "description: |\n          First line.\n          Then <script>x</script>.\n",
        11,
        16,
    ),
    "folded block": (
        "description: >\n          First line,\n          then <script>x</script>.\n",
        11,
        16,
    ),
    "plain, second line": ("description: First line\n          then <script>x</script>.\n", 10, 16),
    "per language": (
        "description:\n          en: Adds well.\n          es: Suma <script>x</script>.\n",
        11,
        20,
    ),
    "after a code span": ("description: 'Adds `<b>` then <script>x</script>.'\n", 9, 39),
    "written as an escape": ('description: "Adds \\u003cscript>x</script>."\n', 9, 22),
}


@pytest.fixture
def school(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    monkeypatch.chdir(tmp_path)
    return root


def markup_warnings(root: Path) -> list[str]:
    result = load(root)
    assert result.errors == []
    return [
        str(d)
        for d in result.diagnostics
        if d.code in ("raw-html", "link-not-allowed", "markup-too-complex")
    ]


@pytest.mark.parametrize(("written", "line", "column"), POSITION_CASES.values(), ids=POSITION_CASES)
def test_raw_html_is_reported_at_its_line_and_column(
    school: Path, written: str, line: int, column: int
) -> None:
    (school / LEVEL1).write_text(HEAD + "        " + written, encoding="utf-8")
    source = (school / LEVEL1).read_text(encoding="utf-8").splitlines()
    if "\\u003c" not in written:  # the position is the "<" itself
        assert source[line - 1][column - 1 :].startswith("<script")
    assert markup_warnings(school) == [
        f"content/{LEVEL1}:{line}:{column}: warning: this text holds the HTML tag <script>, "
        "which content texts cannot use: the site shows it as text, not as formatting. "
        "Scripts in content are never run. Or remove the tag."
    ]


def test_each_refusal_is_told_once_per_file_with_its_count(school: Path) -> None:
    (school / LEVEL1).write_text(
        HEAD + "        description: 'Fraction <sup>1</sup>/<sub>2</sub>, again <sup>2</sup>.'\n"
        "        rubric:\n"
        "          3: {en: 'Adds<br>well.', es: 'Suma<br>bien.'}\n"
        "          2: 'See [video](https://www.youtube.com/watch?v=1) or ![map](http://maps.example.com/m.png)'\n",
        encoding="utf-8",
    )
    assert markup_warnings(school) == [
        f"content/{LEVEL1}:9:32: warning: this text holds the HTML tag <sup>, which content "
        "texts cannot use: the site shows it as text, not as formatting. Write the power as "
        "inline math ($x^{2}$) or as text (1/2). Or remove the tag.",
        f"content/{LEVEL1}:9:45: warning: this text holds the HTML tag <sub>, which content "
        "texts cannot use: the site shows it as text, not as formatting. Write it as inline "
        "math ($x_{1}$) or as text. Or remove the tag.",
        f"content/{LEVEL1}:11:24: warning: 2 texts in this file hold the HTML tag <br> (the "
        "first is here), which content texts cannot use: the site shows it as text, not as "
        "formatting. For a line break end the line with two spaces; for a new paragraph leave "
        "a blank line. Or remove the tag.",
        f"content/{LEVEL1}:12:27: warning: this text holds a link to www.youtube.com, a site "
        "school.yaml does not allow: it is shown as text, not as a link. If readers may "
        "follow it, add 'www.youtube.com' to allowed_link_hosts in school.yaml; otherwise "
        "remove the link.",
        f"content/{LEVEL1}:12:72: warning: this text holds an image from maps.example.com, a "
        "site school.yaml does not allow: it is shown as text, not as a link. If readers may "
        "follow it, add 'maps.example.com' to allowed_link_hosts in school.yaml; otherwise "
        "remove the link.",
    ]


@pytest.mark.parametrize(
    ("allowed", "website", "link", "warned"),
    [
        ([], None, "https://portal.smarterbalanced.org/a.pdf", True),
        (["smarterbalanced.org"], None, "https://portal.smarterbalanced.org/a.pdf", False),
        (["portal.smarterbalanced.org"], None, "https://portal.smarterbalanced.org/a.pdf", False),
        (["portal.smarterbalanced.org"], None, "https://images.smarterbalanced.org/a.png", True),
        (["smarterbalanced.org"], None, "https://notsmarterbalanced.org/a.pdf", True),
        ([], "https://curriculum.example.org/", "https://curriculum.example.org/math/", False),
        ([], "https://curriculum.example.org/", "http://Curriculum.Example.org/x", False),
        ([], None, "mailto:office@example.org", False),
        (["example.org"], None, "javascript:alert(1)", True),
        (["example.org"], None, "//example.org/x", True),
    ],
)
def test_links_only_to_the_school_and_the_hosts_it_allows(
    school: Path, allowed: list[str], website: str | None, link: str, warned: bool
) -> None:
    yaml_text = (school / "school.yaml").read_text(encoding="utf-8")
    if allowed:
        yaml_text += f"allowed_link_hosts: [{', '.join(allowed)}]\n"
    if website:
        yaml_text += f"website: {website}\n"
    (school / "school.yaml").write_text(yaml_text, encoding="utf-8")
    (school / LEVEL1).write_text(
        HEAD + f"        description: 'Read [the guide]({link}).'\n", encoding="utf-8"
    )
    found = markup_warnings(school)
    assert len(found) == (1 if warned else 0), found
    if warned:
        assert found[0].startswith(f"content/{LEVEL1}:9:40: warning: this text holds a link to ")


def test_allowed_link_hosts_must_be_host_names(school: Path) -> None:
    with (school / "school.yaml").open("a", encoding="utf-8") as f:
        f.write("allowed_link_hosts: ['https://example.org/']\n")
    errors = [str(d) for d in load(school).errors]
    assert len(errors) == 1 and errors[0].startswith("content/school.yaml:5:"), errors


def test_validate_prints_the_warning_and_strict_fails(school: Path) -> None:
    (school / LEVEL1).write_text(
        HEAD + "        description: Adds <script>alert(1)</script>.\n", encoding="utf-8"
    )
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(school)])
    assert ok.exit_code == 0, ok.output
    assert f"content/{LEVEL1}:9:27: warning: this text holds the HTML tag <script>" in ok.output
    strict = runner.invoke(main, ["validate", "--strict", str(school)])
    assert strict.exit_code == 1, strict.output


def test_the_statement_is_read_once_for_all_three_outputs() -> None:
    """The warnings are about the very parse the site renders."""
    found = findings(STATEMENT, HOSTS)
    assert [(f.code, f.key) for f in found] == [("raw-html", "<script>")]
    html = to_html(STATEMENT, "block", HOSTS)
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- the PDFs ----------------------------------------------------------------------------------


def test_transcripts_print_formatted_texts_as_plain_text() -> None:
    from transcript_helpers import renderer as new_renderer
    from transcript_helpers import result
    from transcript_helpers import school as example_school

    from proficio.evidence.records import Student

    sch = copy.deepcopy(example_school())
    subject = sch.subjects[0]
    target = subject.levels[0].topics[0].targets[0]
    target.title = {lang: "I can **order** *whole* numbers" for lang in sch.languages}
    subject.levels[0].topics[0].title = {lang: "Place `value` <b>x</b>" for lang in sch.languages}
    renderer = new_renderer(sch)
    try:
        out = renderer.render(result(Student("S-1", "Ada", "Byron"), current={subject.code: 2}))
    finally:
        renderer.close()
    text = " ".join(
        " ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(out.pdf)).pages
    )
    assert "I can order whole numbers" in text
    assert "Place value <b>x</b>" in text
    assert "**" not in text and "`" not in text


# -- hostile texts: shown as text, told, and never slow or a crash -----------------------------

HOSTILE = {
    # (the text, the finding, the reason in the message)
    "5,001 characters": ("*a* " * 1250 + "x", "it is longer than 5,000 characters"),
    "unclosed brackets": ("[" * 4000, "it holds more than 200 [ or < characters"),
    "nested brackets": ("[" * 1000 + "x" + "]" * 1000, "it holds more than 200 [ or < characters"),
    "tag openers": ("<a " * 1000, "it holds more than 200 [ or < characters"),
    "list markers on one line": (
        "- " * 500 + "x",
        "its lists or quotes are nested more than 20 levels deep",
    ),
    "quotes on one line": (
        ">" * 2000 + " x",
        "its lists or quotes are nested more than 20 levels deep",
    ),
    "indented lists": (
        "".join("    " * i + "- x\n" for i in range(30)),
        "its lists or quotes are nested more than 20 levels deep",
    ),
}


@pytest.mark.parametrize(("text", "reason"), HOSTILE.values(), ids=HOSTILE)
def test_a_text_too_complex_to_format_is_shown_as_text(
    school: Path, text: str, reason: str
) -> None:
    (school / LEVEL1).write_text(
        HEAD + "        description: " + json.dumps(text) + "\n", encoding="utf-8"
    )
    # at the text's first character, inside its quotes
    assert markup_warnings(school) == [
        f"content/{LEVEL1}:9:23: warning: this text is not read as formatting: {reason}, so "
        "the site shows it as plain text, its Markdown as written. Shorten it or split it (one "
        "statement per target)."
    ]
    assert to_plain(text) == text
    assert to_html(text, "inline") == html.escape(text)


@pytest.mark.parametrize(
    "text",
    [
        "$" + "{" * 5000 + "x$",
        "$" + "\\frac" * 2000 + "$",
        "$" + "\\sqrt{" * 1000 + "$",
        "$" + "^{" * 1000 + "$",
        "- a\n" * 1000,
        "| a |\n|---|\n" + "| 1 |\n" * 1000,
        "*" * 4000,
        "`" * 4000,
    ],
    ids=["braces", "fracs", "roots", "powers", "long list", "long table", "stars", "backticks"],
)
def test_deep_or_long_markdown_is_no_crash(text: str) -> None:
    shown = to_html(text, "block")
    assert "<script" not in shown
    assert isinstance(to_plain(text), str)
