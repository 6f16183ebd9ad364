"""Every command fails the same way: a ProficioError becomes its message and exit code, printed
once, never a traceback; a bad SOURCE_DATE_EPOCH is one clear error in every command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from proficio.cli import main

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
ROSTER = ROOT / "examples" / "riverbend" / "roster.csv"
EVIDENCE = ROOT / "examples" / "riverbend" / "evidence.csv"
CASE_PACKAGE = ROOT / "tests" / "fixtures" / "case" / "opensalt_test_Ordering.json"
COMMANDS = sorted(main.commands)


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, args, env=env or {"SOURCE_DATE_EPOCH": "1782777600"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: uncaught {result.exception!r}\n{result.output}")
    return result.exit_code, result.output


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the example content with one error in a level file."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    level = content / "subjects" / "mathematics" / "level-1.yaml"
    level.write_text(level.read_text(encoding="utf-8").replace("level: 1", "level: one", 1))
    return content


def evidence_args(tmp_path: Path, content: Path = CONTENT) -> list[str]:
    return [
        "--content", str(content), "--roster", str(ROSTER), "--evidence", str(EVIDENCE),
        "--issues", str(tmp_path / "issues.csv"),
    ]  # fmt: skip


def cases(tmp_path: Path, broken: Path) -> list[tuple[list[str], int, str]]:
    """(arguments, exit code, words the message must hold), one or more per command."""
    ev = evidence_args(tmp_path)
    bad_ev = evidence_args(tmp_path, broken)
    missing = ["--content", str(CONTENT), "--roster", str(ROSTER)]
    missing += ["--evidence", str(tmp_path / "nowhere.csv"), "--issues", str(tmp_path / "i.csv")]
    out = ["--out", str(tmp_path / "out")]
    existing = tmp_path / "school"
    (existing / "content").mkdir(parents=True)
    (existing / "content" / "school.yaml").write_text("name: x\n")
    not_json = tmp_path / "record.json"
    not_json.write_text("{not json")
    return [
        (["validate", str(broken)], 1, "'level' should be a whole number"),
        (["validate", str(broken), "--content", str(CONTENT)], 2, "two content folders"),
        (["build", "--content", str(broken)], 1, "1 error in"),
        (["new", str(existing)], 1, "already exists"),
        (["score", *bad_ev, *out], 1, "1 error in"),
        (["score", *missing, *out], 1, "No scores written: 1 file could not be read"),
        (["transcripts", *bad_ev, *out], 1, "1 error in"),
        (["transcripts", *ev, *out, "--language", "xx"], 2, "the school offers"),
        (["transcripts", *ev, *out, "--students", "NOBODY"], 2, "not on the roster: NOBODY"),
        (["transcripts", *ev, *out, "--shard", "3/2"], 2, "--shard"),
        (["transcripts", *missing, *out], 1, "No documents written"),
        (["verify-manifests", str(tmp_path)], 1, "problem"),
        (["verify-pdf", str(not_json), "--cert", str(not_json)], 2, "not a certificate"),
        (["export-clr", *ev, *out, "--language", "xx"], 2, "the school offers"),
        (["export-clr", *bad_ev, *out], 1, "1 error in"),
        (["export-case", "--content", str(broken), *out], 1, "1 error in"),
        (["export-case", "--content", str(CONTENT), "--language", "xx", *out], 2, "offers"),
        (["import-case", str(not_json), "--subject", "X", "--content", str(tmp_path)], 1, "JSON"),
        (["verify", str(not_json)], 1, "NOT VALID"),
    ]


def test_every_command_is_in_the_table(tmp_path: Path, broken: Path) -> None:
    covered = {args[0] for args, _, _ in cases(tmp_path, broken)}
    assert covered == set(COMMANDS)


def test_each_error_is_its_message_and_exit_code_once(tmp_path: Path, broken: Path) -> None:
    for args, code, words in cases(tmp_path, broken):
        exit_code, output = run(args)
        assert exit_code == code, (args, output)
        assert words in output, (args, output)
        assert "Traceback" not in output, (args, output)
        errors = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(errors) <= 1, (args, output)


def well_formed(command: str, tmp_path: Path) -> list[str]:
    """Arguments each command accepts (so only the environment is wrong)."""
    record = tmp_path / "record.json"
    record.write_text("{}")
    content = ["--content", str(CONTENT)]
    ev = [*content, "--roster", str(ROSTER), "--evidence", str(EVIDENCE)]
    ev += ["--issues", str(tmp_path / "issues.csv")]
    return {
        "new": [str(tmp_path / "new-school")],
        "import-case": [str(CASE_PACKAGE), "--subject", "X", "--dry-run", *content],
        "verify": [str(record)],
        "verify-manifests": [str(tmp_path), *content],
        "verify-pdf": [str(record), "--cert", str(record)],
        "score": ev,
        "transcripts": ev,
        "export-clr": ev,
    }.get(command, content)


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "99999999999999999", "１２３"])
@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_source_date_epoch_is_one_clear_error(
    command: str, value: str, tmp_path: Path
) -> None:
    args = [command, *well_formed(command, tmp_path)]
    exit_code, output = run(args, {"SOURCE_DATE_EPOCH": value})
    assert exit_code == 2, output
    assert output.count("SOURCE_DATE_EPOCH is") == 1, output
    assert "whole seconds since 1970-01-01 UTC" in output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_still_shows_with_a_bad_source_date_epoch(command: str) -> None:
    exit_code, output = run([command, "--help"], {"SOURCE_DATE_EPOCH": "abc"})
    assert exit_code == 0 and "Usage:" in output, output


def test_an_empty_source_date_epoch_means_unset() -> None:
    exit_code, output = run(["validate", str(CONTENT)], {"SOURCE_DATE_EPOCH": ""})
    assert exit_code == 0, output


def test_python_m_proficio_cli_has_every_command() -> None:
    """Both entry points register every command (``python -m proficio.cli`` used to stop before
    the score and interop commands were added)."""
    for module in ("proficio", "proficio.cli"):
        done = subprocess.run(
            [sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True
        )
        listed = {line.split()[0] for line in done.stdout.split("Commands:")[1].splitlines()[1:]}
        assert listed >= set(COMMANDS), (module, done.stdout)


def test_mypy_strict_fails_on_a_type_error(tmp_path: Path) -> None:
    """CI runs README's test command, which runs mypy with the project's strict settings: a
    planted type error fails it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "ruff check . && mypy && python3 -m pytest" in readme
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: int) -> str:\n    return x\n")
    config = str(ROOT / "pyproject.toml")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", config, str(bad)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1 and "Incompatible return value type" in done.stdout, done.stdout
