"""``proficio transcripts`` and ``verify-manifests`` end to end on the example school's files."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from proficio.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "riverbend"
CONTENT = ROOT / "content"
PICK = "S000004,S000013,S000036"  # Spanish-speaking family, Arabic name, Chinese name


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def base(out: Path, roster: Path = EXAMPLE / "roster.csv") -> list[str]:
    return [
        "transcripts", "--content", str(CONTENT), "--roster", str(roster),
        "--evidence", str(EXAMPLE / "evidence.csv"), "--out", str(out),
        "--issue-date", "2026-06-12", "--jobs", "1",
    ]  # fmt: skip


def test_transcripts_and_progress_reports_from_the_example_exports(tmp_path):
    code, output = run(*base(tmp_path / "t"), "--students", PICK)
    assert code == 0, output
    assert "4,541 evidence rows read" in output and "Issued 3 transcripts" in output
    assert sorted(p.name for p in (tmp_path / "t").glob("*.pdf")) == [
        "S000004.pdf", "S000013.pdf", "S000036.pdf",
    ]  # fmt: skip
    text = PdfReader(tmp_path / "t" / "S000036.pdf").pages[0].extract_text()
    assert "高一鸣" in text and "GAO Yiming" in text and "Official transcript" in text

    code, output = run(*base(tmp_path / "p"), "--students", PICK, "--kind", "progress")
    assert code == 0, output
    spanish = PdfReader(tmp_path / "p" / "S000004.pdf")
    assert spanish.trailer["/Root"]["/Lang"] == "es"
    assert "Informe de progreso" in spanish.pages[0].extract_text()
    manifest = json.loads((tmp_path / "p" / "manifest.json").read_text())
    assert {d["kind"] for d in manifest["documents"]} == {"progress"}


def test_bad_roster_rows_are_reported_and_the_run_fails_after_the_others(tmp_path):
    roster = tmp_path / "roster.csv"
    rows = list(csv.reader((EXAMPLE / "roster.csv").open(encoding="utf-8")))
    header, body = rows[0], rows[1:4]
    body[1][1] = "Zoë\u0007"  # a control character no font can draw
    with roster.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *body])
    code, output = run(*base(tmp_path / "out", roster))
    assert code == 1
    assert (
        f"'{body[1][0]}': the roster row was rejected ({roster}:3: given_name (column 2) holds"
        in output
    )
    assert "Issued 2 transcripts" in output
    code, output = run("verify-manifests", str(tmp_path / "out"))
    assert code == 1 and "was not issued" in output


def small_roster(tmp_path: Path, n: int) -> Path:
    lines = (EXAMPLE / "roster.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    path = tmp_path / "roster.csv"
    path.write_text("".join(lines[: n + 1]), encoding="utf-8")
    return path


def test_verify_manifests_against_the_roster(tmp_path):
    roster = small_roster(tmp_path, 6)
    out = tmp_path / "shard"
    code, output = run(*base(out, roster), "--shard", "1/2")
    assert code == 0, output
    code, output = run(
        "verify-manifests", str(out), "--roster", str(roster), "--content", str(CONTENT),
    )  # fmt: skip
    assert code == 1
    assert "shard 2 of 2 missing" in output and "roster students have no entry" in output
    code, output = run(*base(tmp_path / "two", roster), "--shard", "2/2")
    assert code == 0
    code, output = run(
        "verify-manifests", str(out), str(tmp_path / "two"), "--roster", str(roster),
        "--content", str(CONTENT),
    )  # fmt: skip
    assert code == 0, output
    assert "OK: 2 shard(s), 6 students, 6 PDFs" in output


def test_usage_errors_are_clear(tmp_path):
    code, output = run(*base(tmp_path), "--shard", "3/2")
    assert code == 2 and "I must be between 1 and N" in output
    code, output = run(*base(tmp_path), "--students", "S000001,NOPE")
    assert code == 2 and "not on the roster: NOPE" in output
    assert not list(tmp_path.glob("*.pdf"))
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_the_github_actions_example_shards_and_verifies():
    import yaml

    flow = yaml.safe_load((ROOT / "examples" / "github-actions" / "transcripts.yml").read_text())
    render, verify = flow["jobs"]["render"], flow["jobs"]["verify"]
    shards = render["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, int(flow["env"]["SHARDS"]) + 1))
    steps = " ".join(str(s.get("run", "")) for s in render["steps"])
    assert '--shard "${{ matrix.shard }}/${{ env.SHARDS }}"' in steps
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in render["steps"])
    assert verify["needs"] == "render"
    assert any("proficio verify-manifests" in str(s.get("run", "")) for s in verify["steps"])


def test_every_target_link_lands_on_its_rubric_on_the_built_site(tmp_path, monkeypatch):
    """The PDFs and the site share one URL scheme: each link's page exists and has the anchor."""
    from urllib.parse import urlsplit

    from proficio.site import build_site

    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    site = tmp_path / "site"
    build_site(CONTENT, site)
    code, output = run(*base(tmp_path / "t"), "--students", "S000004", "--kind", "progress")
    assert code == 0, output
    links = set()
    for page in PdfReader(tmp_path / "t" / "S000004.pdf").pages:
        for annot in page.get("/Annots", []):
            action = annot.get_object().get("/A")
            if action and "/URI" in action:
                links.add(str(action["/URI"]))
    assert links and all(
        u.startswith("https://curriculum.riverbend.example.org/es/") for u in links
    )
    for url in sorted(links):
        parts = urlsplit(url)
        html = site / parts.path.lstrip("/") / "index.html"
        assert html.is_file(), url
        if parts.fragment or parts.path != "/es/":  # the closing link to the site's home has none
            assert f'id="{parts.fragment}"' in html.read_text(encoding="utf-8"), url
