"""``proficio new``: a project a school can push as it is, whose workflows' commands really run.

The workflows are read as YAML and their ``run:`` steps are executed here (with GitHub's
``${{ ... }}`` expressions filled in), so a renamed option or command fails this file.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
ENV.pop("SITE_URL", None)

FILES = [
    ".github/workflows/site.yml",
    ".github/workflows/transcripts.yml",
    ".gitignore",
    "README.md",
    "content/scales/four-point.yaml",
    "content/school.yaml",
    "content/subjects/mathematics/level-1.yaml",
    "content/subjects/mathematics/level-2.yaml",
    "content/subjects/mathematics/subject.yaml",
    "docs/robots.txt",
    "mkdocs.yml",
    "requirements.txt",
    "schemas/common.schema.json",
    "schemas/family.schema.json",
    "schemas/level.schema.json",
    "schemas/scale.schema.json",
    "schemas/school.schema.json",
    "schemas/subject.schema.json",
]

ROSTER = "student_id,given_name,family_name\nS1,Zelda,Quirinus\nS2,Yorick,Pemberton\nS3,Xanthe,Oddlestone\n"
EVIDENCE = (
    "student_id,target,score,date\n"
    "S1,MA.L1.WN.1,3,2025-09-17\nS2,MA.L1.WN.1,2,2025-09-18\nS3,MA.L1.WN.2,4,2025-09-18\n"
)


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        args,
        cwd=cwd,
        env=env or ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, done.stdout + done.stderr


def files_in(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("new") / "school"
    code, out = run([sys.executable, "-m", "proficio", "new", str(root)], Path.cwd())
    assert code == 0, out
    assert out.count("  created ") == len(FILES)
    return root


def workflow(project: Path, name: str) -> dict[Any, Any]:
    data = yaml.safe_load((project / ".github" / "workflows" / name).read_text())
    assert isinstance(data, dict)
    return data


def step(job: dict[str, Any], name_start: str) -> dict[str, Any]:
    found = [s for s in job["steps"] if str(s.get("name", "")).startswith(name_start)]
    assert len(found) == 1, [s.get("name") for s in job["steps"]]
    return found[0]


def fill(script: str, values: dict[str, str]) -> str:
    """GitHub's expressions replaced as a runner would (every one must be known)."""
    out = re.sub(r"\$\{\{\s*([^}]+?)\s*\}\}", lambda m: values[m.group(1)], script)
    assert "${{" not in out
    return out


def test_new_writes_the_whole_project(project: Path) -> None:
    assert files_in(project) == FILES
    requirement = (project / "requirements.txt").read_text()
    assert re.fullmatch(r"proficio(==\d+\.\d+\.\d+\S*)?\n", requirement), requirement
    readme = (project / "README.md").read_text()
    assert readme.startswith("# Example Competency School: curriculum\n")
    for needed in ("SIS_EXPORT_URL", "SIS_EXPORT_TOKEN", "private", "mkdocs serve"):
        assert needed in readme


def test_new_refuses_a_folder_with_any_of_its_files_and_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "school"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: Ours\n")
    (root / "docs" / "robots.txt").write_text("ours\n")
    code, out = run([sys.executable, "-m", "proficio", "new", str(root)], tmp_path)
    assert code == 1, out
    assert "Traceback" not in out
    assert out == (
        "Error: A file of the new project already exists: school/mkdocs.yml, "
        "school/docs/robots.txt; nothing was written. Choose an empty folder.\n"
    )
    assert files_in(root) == ["docs/robots.txt", "mkdocs.yml"]
    assert (root / "mkdocs.yml").read_text() == "site_name: Ours\n"


def test_plain_mkdocs_build_builds_every_language(project: Path, tmp_path: Path) -> None:
    code, out = run([sys.executable, "-m", "mkdocs", "build"], project)
    assert code == 0, out
    site = project / "build" / "site"
    for page in (
        "index.html",
        "mathematics/level-1/index.html",
        "es/mathematics/level-1/index.html",
    ):
        assert (site / page).is_file(), page
    assert "MA.L1.WN.1" in (site / "mathematics/level-1/index.html").read_text()
    assert "<loc>" not in (site / "sitemap.xml").read_text()  # no address yet: no made-up one


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("https://school.github.io/curriculum/", "https://school.github.io/curriculum/"),
        ("https://curriculum.example.org", "https://curriculum.example.org/"),
    ],
)
def test_the_site_workflow_validates_and_builds_with_the_pages_address(
    project: Path, tmp_path: Path, shown: str, expected: str
) -> None:
    """The Pages workflow's own steps, run: validate, then mkdocs build with SITE_URL."""
    data = workflow(project, "site.yml")
    build = data["jobs"]["build"]
    checkout = build["steps"][0]
    assert checkout["uses"] == "actions/checkout@v4" and checkout["with"]["fetch-depth"] == 0
    copy = tmp_path / "school"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    check = step(build, "Check the content")["run"]
    assert check == "proficio validate content"
    code, out = run([sys.executable, "-m", "proficio", *check.split()[1:]], copy)
    assert code == 0, out
    assert out.startswith(
        "content: 5 files, 1 subjects, 2 levels, 2 topics, 4 targets, 1 scales, "
        "languages en, es: 0 errors, 0 warnings ("
    ), out
    build_step = step(build, "Build the site")
    assert build_step["run"] == "mkdocs build"
    assert "steps.pages.outputs.base_url" in build_step["env"]["SITE_URL"]
    code, out = run(
        ["bash", "-ec", f"{sys.executable} -m mkdocs build"], copy, {**ENV, "SITE_URL": shown}
    )
    assert code == 0, out
    assert (
        f"<loc>{expected}mathematics/level-1/</loc>"
        in (copy / "build/site/sitemap.xml").read_text()
    )
    upload = step(build, "Hand the site to Pages")
    assert upload["uses"] == "actions/upload-pages-artifact@v3"
    assert upload["with"]["path"] == "build/site"
    deploy = data["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["permissions"] == {
        "pages": "write",
        "id-token": "write",
    }
    assert deploy["steps"][0]["uses"] == "actions/deploy-pages@v4"
    assert deploy["environment"]["name"] == "github-pages"
    assert data["permissions"] == {"contents": "read"}


def test_the_transcripts_workflow_runs_its_shards_and_verifies_them(
    project: Path, tmp_path: Path
) -> None:
    """Every shard's command as written, then the final check over the merged artifacts."""
    data = workflow(project, "transcripts.yml")
    shards = data["jobs"]["render"]["strategy"]["matrix"]["shard"]
    assert shards == list(range(1, data["env"]["SHARDS"] + 1))
    guard = data["jobs"]["render"]["steps"][0]
    assert guard["if"] == "${{ !github.event.repository.private }}" and "exit 1" in guard["run"]
    copy = tmp_path / "school"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("build"))
    (copy / "private").mkdir()
    (copy / "private" / "roster.csv").write_text(ROSTER)
    (copy / "private" / "evidence.csv").write_text(EVIDENCE)
    render = step(data["jobs"]["render"], "Render shard")["run"]
    assert '--shard "${{ matrix.shard }}/${{ env.SHARDS }}"' in render
    issued = 0
    for shard in shards:
        values = {
            "matrix.shard": str(shard),
            "env.SHARDS": str(len(shards)),
            "inputs.kind": "transcript",
            "inputs.issue_date": "2026-06-01",
        }
        script = fill(render, values).replace("proficio ", f"{sys.executable} -m proficio ", 1)
        code, out = run(["bash", "-ec", script], copy)
        assert code == 0, out
        assert "3 evidence rows read from 1 file, 3 used, 0 rejected; roster: 3 students." in out
        issued += len(list((copy / "out" / f"shard-{shard}").glob("*.pdf")))
    assert issued == 3
    # The school profile a new project starts with is printed for the admissions reader.
    from pypdf import PdfReader

    first = next((copy / "out").rglob("*.pdf"))
    text = " ".join((p.extract_text() or "") for p in PdfReader(first).pages)
    text = " ".join(text.split())
    assert "A diploma needs Level 2 of Mathematics complete." in text, text
    assert "there are no letter grades or credits" in text
    shutil.copytree(copy / "out", copy / "shards")  # download-artifact with merge-multiple
    verify = step(data["jobs"]["verify"], "Every student exactly once")["run"]
    code, out = run(
        ["bash", "-ec", verify.replace("proficio ", f"{sys.executable} -m proficio ", 1)], copy
    )
    assert code == 0, out
    assert f"OK: {len(shards)} shard(s), 3 students, 3 PDFs match their manifest." in out
    # The site built next to the private files holds none of them.
    code, out = run([sys.executable, "-m", "mkdocs", "build"], copy)
    assert code == 0, out
    for f in (copy / "build" / "site").rglob("*"):
        if f.is_file() and f.suffix in (".html", ".json", ".xml", ".txt"):
            text = f.read_text(errors="replace")
            assert "Quirinus" not in text and "S000" not in text, f


@pytest.mark.parametrize(
    ("path", "ignored"),
    [
        ("build/site/index.html", True),
        ("private/roster.csv", True),
        ("roster.csv", True),
        ("exports/fall-roster.csv", True),
        ("evidence.csv", True),
        ("gradebook-evidence-2026.csv", True),
        ("users.csv", True),
        ("out/shard-1/S1.pdf", True),
        ("shards/shard-1/manifest.json", True),
        ("transcript.pdf", True),
        ("school.p12", True),
        ("content/school.yaml", False),
        ("content/subjects/mathematics/level-1.yaml", False),
        ("docs/about.md", False),
        ("docs/handbook.pdf", False),
        ("mkdocs.yml", False),
        (".github/workflows/site.yml", False),
        ("requirements.txt", False),
    ],
)
def test_gitignore_keeps_builds_rosters_and_evidence_out(
    project: Path, path: str, ignored: bool
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (project / ".git").exists():
        code, out = run(["git", "init", "-q"], project)
        assert code == 0, out
    code, out = run(["git", "check-ignore", "-q", "--no-index", path], project)
    assert code == (0 if ignored else 1), (path, out)
