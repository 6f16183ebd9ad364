"""The family summaries (PDF) are kept between builds beside the site, never in it: a rebuild
typesets only the levels whose content changed, a damaged entry is made again (never copied into
the site), entries no longer used are removed, and the site has the same bytes either way."""

from __future__ import annotations

import hashlib
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import build, build_ahead, copy_mini

from proficio.site import plugin, summary

LEVEL_1 = "subjects/math/level-1.yaml"


def files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def pdfs(site: Path) -> dict[str, bytes]:
    return {k: v for k, v in files(site).items() if k.endswith(".pdf")}


def store(tmp_path: Path) -> Path:
    return tmp_path / "out" / ".cache" / "summaries"


def entries(tmp_path: Path) -> list[Path]:
    return sorted(store(tmp_path).glob("*.pdf"))


def test_a_rebuild_typesets_nothing_and_gives_the_same_bytes(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    site = tmp_path / "out" / "site"
    build(content, site)
    assert plugin.SUMMARIES_MADE == {"compiled": 4, "reused": 0, "removed": 0}  # 2 levels x 2
    cold = files(site)
    assert len(pdfs(site)) == 4
    kept = entries(tmp_path)
    assert len(kept) == 4
    for entry in kept:  # named by its inputs and by its own bytes
        assert entry.name.split("-")[1] == hashlib.sha256(entry.read_bytes()).hexdigest() + ".pdf"
    assert not any(".cache" in name for name in cold), "the store is never published"

    build(content, site)
    assert plugin.SUMMARIES_MADE == {"compiled": 0, "reused": 4, "removed": 0}
    assert files(site) == cold
    assert entries(tmp_path) == kept


def test_a_changed_target_title_typesets_only_its_level_in_every_language(
    tmp_path: Path,
) -> None:
    content = copy_mini(tmp_path / "content")
    site = tmp_path / "out" / "site"
    build(content, site)
    before = pdfs(site)
    level = content / LEVEL_1
    text = level.read_text(encoding="utf-8")
    changed = text.replace("I can add whole numbers.", "I can add two whole numbers.").replace(
        "Puedo sumar números enteros.", "Puedo sumar dos números enteros."
    )
    assert changed != text
    level.write_text(changed, encoding="utf-8")

    build(content, site)
    assert plugin.SUMMARIES_MADE == {"compiled": 2, "reused": 2, "removed": 2}
    after = pdfs(site)
    assert after.keys() == before.keys()
    differ = sorted(k for k in after if after[k] != before[k])
    assert len(differ) == 2 and all("level-1" in k for k in differ), differ
    assert len(entries(tmp_path)) == 4, "the old level 1 entries are removed"

    fresh = tmp_path / "fresh" / "site"  # the same content with an empty store
    build(content, fresh)
    assert plugin.SUMMARIES_MADE["compiled"] == 4
    assert pdfs(fresh) == after


def test_a_damaged_entry_is_made_again_and_never_copied_into_the_site(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    site = tmp_path / "out" / "site"
    build(content, site)
    cold = pdfs(site)
    truncated, flipped, *_ = entries(tmp_path)
    good = truncated.read_bytes()
    truncated.write_bytes(good[: len(good) // 2])
    data = bytearray(flipped.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, the size and %%EOF unchanged
    flipped.write_bytes(bytes(data))
    (store(tmp_path) / "unrelated-leftover.pdf").write_bytes(b"%PDF-")

    build(content, site)
    assert plugin.SUMMARIES_MADE == {"compiled": 2, "reused": 2, "removed": 1}
    assert pdfs(site) == cold
    assert truncated.read_bytes() == good, "the entry is written again, whole"
    assert hashlib.sha256(flipped.read_bytes()).hexdigest() in flipped.name
    assert not (store(tmp_path) / "unrelated-leftover.pdf").exists()


def test_the_key_changes_with_the_template_date_and_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    data = {"title": "Level 1", "topics": []}
    key = summary.level_key(data, "en", date(2026, 12, 1))
    assert key == summary.level_key(dict(data), "en", date(2026, 12, 1))
    assert key != summary.level_key(data, "es", date(2026, 12, 1))
    assert key != summary.level_key(data, "en", date(2026, 12, 2))
    assert key != summary.level_key({**data, "title": "Level 2"}, "en", date(2026, 12, 1))
    environment = summary._environment()
    template = tmp_path / "templates" / "summary.typ"
    template.parent.mkdir()
    shutil.copyfile(summary.TEMPLATE, template)
    monkeypatch.setattr(summary, "TEMPLATE", template)
    summary._environment.cache_clear()
    try:
        assert summary._environment() == environment  # the same template bytes and fonts
        template.write_bytes(template.read_bytes() + b"\n")
        summary._environment.cache_clear()
        changed = summary._environment()
        assert changed != environment
    finally:
        summary._environment.cache_clear()


def test_the_second_process_of_a_large_school_uses_the_store_too(tmp_path: Path) -> None:
    content = copy_mini(tmp_path / "content")
    site = tmp_path / "out" / "site"

    made, ahead = build_ahead(content, site)
    assert made == {"compiled": 4, "reused": 0, "removed": 0}, (made, ahead)
    cold = files(site)
    made, ahead = build_ahead(content, site)
    assert made == {"compiled": 0, "reused": 4, "removed": 0}, (made, ahead)
    if len(os.sched_getaffinity(0)) > 1:  # the second process took them from the store
        assert ahead and ahead[0] > 0, ahead
    assert files(site) == cold
    assert len(entries(tmp_path)) == 4
