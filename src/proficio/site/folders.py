"""The folders the public site is made of, so that no command writes student data into them.

MkDocs publishes every file of ``docs_dir`` (a score file there is on the web after the next
build), and ``site_dir`` is what gets uploaded. The folders come from the project's
``mkdocs.yml`` (read the way MkDocs reads it: paths relative to the file, ``!ENV`` values,
``INHERIT``), plus ``build/site``, where ``proficio build`` writes the site with or without one.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CONFIG_NAMES", "SITE_OUT", "PublicFolder", "project_config", "public_folders"]

SITE_OUT = Path("build") / "site"
"""Where ``proficio build`` writes the site, relative to the folder it runs in."""

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml")
"""The names MkDocs looks for, in its order."""


@dataclass(frozen=True)
class PublicFolder:
    role: str
    """``docs_dir`` or ``site_dir``."""
    path: Path
    """Absolute, links resolved."""


def project_config(project: Path) -> Path | None:
    """The project's MkDocs configuration file, as ``mkdocs build`` run there finds it."""
    for name in CONFIG_NAMES:
        if (project / name).is_file():
            return project / name
    return None


def public_folders(projects: Iterable[Path]) -> list[PublicFolder]:
    """Every project's ``docs_dir`` and ``site_dir`` (defaults ``docs`` and ``site``, as in
    MkDocs) and its ``build/site``: the ``docs_dir`` ones first, each folder once."""
    docs: dict[Path, PublicFolder] = {}
    sites: dict[Path, PublicFolder] = {}
    for project in projects:
        config = project_config(project)
        if config is not None:
            settings = _settings(config)
            for role, default, found in (("docs_dir", "docs", docs), ("site_dir", "site", sites)):
                folder = _real(config.parent / settings.get(role, default))
                found.setdefault(folder, PublicFolder(role, folder))
        built = _real(project / SITE_OUT)
        sites.setdefault(built, PublicFolder("site_dir", built))
    return [*docs.values(), *(f for p, f in sites.items() if p not in docs)]


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _settings(config: Path, depth: int = 0) -> dict[str, str]:
    """``docs_dir`` and ``site_dir`` as ``config`` sets them, following ``INHERIT`` (whose
    values MkDocs, too, reads relative to the first file); an unreadable file counts as one
    without them (MkDocs' defaults)."""
    try:
        data = yaml.load(config.read_text(encoding="utf-8-sig"), Loader=_Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
    found = {
        key: value
        for key in ("docs_dir", "site_dir")
        if isinstance(value := data.get(key), str) and value
    }
    parent = data.get("INHERIT")
    if isinstance(parent, str) and depth < 10:
        return {**_settings(config.parent / parent, depth + 1), **found}
    return found


class _Loader(yaml.SafeLoader):
    """Safe YAML that accepts MkDocs' tags: ``!ENV`` is read, any other tag (such as
    ``!!python/name:`` in a Markdown extension's settings) becomes ``None``."""


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """MkDocs' ``!ENV NAME`` and ``!ENV [NAME, OTHER, default]``."""
    if isinstance(node, yaml.ScalarNode):
        return os.environ.get(str(loader.construct_scalar(node)))
    if not isinstance(node, yaml.SequenceNode):
        return None
    items = loader.construct_sequence(node)
    for item in items:
        if isinstance(item, str) and item in os.environ:
            return os.environ[item]
    return items[-1] if len(items) > 1 else None


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_Loader.add_constructor("!ENV", _env)
_Loader.add_multi_constructor("", _any_tag)
