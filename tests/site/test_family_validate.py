"""``content/family/<language>.yaml`` (the school's words for the family pages) is checked by
``proficio validate`` like every other content file, FILE:LINE:COLUMN, with the schema in
``schemas/family.schema.json``; the build stops on the same message."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, copy_mini

from proficio import load
from proficio.site import family

ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}


def school_with(tmp_path: Path, files: dict[str, str]) -> Path:
    content = copy_mini(tmp_path / "content")
    (content / "family").mkdir()
    for name, text in files.items():
        (content / "family" / name).write_text(text, encoding="utf-8")
    return content


def validate(content: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "proficio", "validate", str(content), *args],
        cwd=content.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=ENV,
    )


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "glossary:\n  tems: []\n",
            "content/family/en.yaml:2:3: unknown field 'tems' in 'glossary'. Did you mean 'terms'?",
        ),
        (
            "faq:\n  title: Questions\n  items: Ask the teacher\n",
            "content/family/en.yaml:3:10: 'items' should be a list, not the text 'Ask the teacher'.",
        ),
        (
            "faq:\n  items:\n    - q: Is 3 good?\n",
            "content/family/en.yaml:3:7: missing required field 'a'",
        ),
        ("menu: [For families\n", "content/family/en.yaml:2:1: YAML syntax error"),
    ],
)
def test_validate_names_a_broken_family_file_by_line(tmp_path: Path, text: str, line: str) -> None:
    content = school_with(tmp_path, {"en.yaml": text})
    result = validate(content)
    assert result.returncode == 1, result.stdout + result.stderr
    assert line in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_good_family_file_validates(tmp_path: Path) -> None:
    content = school_with(
        tmp_path, {"es.yaml": "menu: Para las familias\nfaq:\n  title: Preguntas\n"}
    )
    result = validate(content, "--strict")
    assert result.returncode == 0, result.stdout
    assert load(content).diagnostics == []


def test_a_family_file_the_site_would_not_read_is_a_warning(tmp_path: Path) -> None:
    content = school_with(tmp_path, {"fr.yaml": "menu: Pour les familles\n", "en.yml": "menu: x\n"})
    result = validate(content)
    assert result.returncode == 0, result.stdout
    assert "content/family/fr.yaml: warning: the school does not offer 'fr'" in result.stdout
    assert "content/family/en.yml: warning: the site reads only 'en.yaml'" in result.stdout
    assert validate(content, "--strict").returncode == 1


def test_mkdocs_build_stops_on_a_broken_family_file_with_its_line(tmp_path: Path) -> None:
    school_with(tmp_path, {"en.yaml": "glossary:\n  tems: []\n"})
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Test\ntheme:\n  name: material\nplugins:\n  - search\n  - proficio\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=ENV,
    )
    assert result.returncode == 1
    assert "family/en.yaml:2:3: unknown field 'tems' in 'glossary'" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists(), "nothing is published"


def _keys(node: Any) -> Any:
    """The shape of a default file: its mappings' keys, recursively (lists by their first item)."""
    if isinstance(node, dict):
        return {k: _keys(v) for k, v in node.items()}
    if isinstance(node, list) and node and isinstance(node[0], dict):
        return [_keys(node[0])]
    return None


def _schema_keys(node: dict[str, Any]) -> Any:
    if node.get("type") == "object":
        return {k: _schema_keys(v) for k, v in node["properties"].items()}
    if node.get("type") == "array" and node["items"].get("type") == "object":
        return [_schema_keys(node["items"])]
    return None


@pytest.mark.parametrize("lang", ["en", "es", "vi"])
def test_the_schema_describes_every_key_of_the_default_texts(lang: str) -> None:
    """Editors read the schema file itself: a key added to the defaults fails here until the
    schema has it too."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    schema = json.loads((REPO / "schemas" / "family.schema.json").read_text(encoding="utf-8"))
    defaults = yaml.safe_load((family.DEFAULTS_DIR / f"{lang}.yaml").read_text(encoding="utf-8"))
    assert [e.message for e in Draft202012Validator(schema).iter_errors(defaults)] == []
    assert _keys(defaults) == _schema_keys(schema)
