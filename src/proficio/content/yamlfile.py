"""Safe YAML reading that remembers where every node was written.

PyYAML alone accepts duplicate keys, expands aliases without limit and forgets positions once it
has built Python objects. We compose the node graph ourselves so that each value keeps its line
and column, duplicates and alias bombs are refused, and YAML 1.1 surprises (``no`` read as
``False``, dates turned into objects) do not reach the content: a language code ``no`` stays a
string.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from ..support.files import display_path
from .diagnostics import Diagnostic

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 20
MAX_NODES = 200_000

PathKey = tuple[str | int, ...]


_Scalar, _Sequence, _Mapping = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_Resolvers = dict[str, list[tuple[str, re.Pattern[str]]]]

if TYPE_CHECKING:  # both loaders offer the same API; the pure-Python one always exists
    from yaml._yaml import Mark as _CMark

    _Base = yaml.SafeLoader
else:
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml is ~10x faster


class _Loader(_Base):
    """Safe loading with YAML 1.2-like scalars: only true/false are booleans, no timestamps."""

    # types-PyYAML declares this class-level table as an instance variable of BaseResolver.
    yaml_implicit_resolvers: ClassVar[_Resolvers] = {  # type: ignore[misc]
        first: [
            (tag, regexp)
            for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
        ]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    # Tag resolution runs once per node; content files use no path resolvers, so a direct
    # lookup replaces PyYAML's generic walk (a third of a large school's parse time).
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is _Scalar:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is _Sequence else _MAP


def _check_aliases(text: str) -> None:
    """Refuse an alias bomb before anything expands it; only files with anchors pay for it."""
    if "&" not in text:
        return
    count = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            count += 1
            if count > MAX_ALIASES:
                raise _Refused(
                    event.start_mark,
                    f"more than {MAX_ALIASES} YAML aliases (*name). Content files should not "
                    "need them; write the values out instead.",
                    "too-many-aliases",
                )


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_IMPLICIT: _Resolvers = _Loader.yaml_implicit_resolvers
"""Resolvers by a plain scalar's first character ("" for an empty scalar)."""


class _Refused(Exception):
    # The C loader (CSafeLoader) hands out its own Mark class, with the same line/column.
    def __init__(self, mark: yaml.Mark | _CMark | None, message: str, code: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message
        self.code = code


@dataclass(eq=False)
class YamlDocument:
    """A parsed file: its data as plain JSON-like values, and its composed nodes for positions.

    Positions are looked up in the node tree only when something asks for one (a diagnostic, a
    model object's source): recording every node's position up front was a fifth of a large
    school's load, for lookups that touch a few nodes per target.
    """

    path: Path
    shown: Path
    """The path as messages show it (computed once per file: resolving paths is slow)."""
    data: Any = None
    root: yaml.Node | None = field(default=None, repr=False)
    """The composed node of the file (the same node graph ``data`` was built from)."""

    def where(self, path: PathKey, *, key: bool = False) -> tuple[int, int]:
        """The position (1-based line, column) of the value at ``path``, or of its key.

        A path that does not exist in the file is placed at its closest existing parent, so a
        message about a missing field points at the mapping that lacks it.
        """
        node = self.root
        if node is None:
            raise RuntimeError(f"positions in {self.shown} asked for after release()")
        mark = node.start_mark
        for step in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == step:
                        node = value_node
                        mark = key_node.start_mark if key else node.start_mark
                        break
                else:
                    break
            elif (
                isinstance(node, yaml.SequenceNode)
                and type(step) is int
                and 0 <= step < len(node.value)
            ):
                node = node.value[step]
                mark = node.start_mark
            else:
                break
        return (mark.line + 1, mark.column + 1)

    def release(self) -> None:
        """Drop the nodes (most of a file's memory) once no position will be asked for."""
        self.root = None

    def diagnostic(
        self, path: PathKey, message: str, code: str, *, key: bool = False, severity: str = "error"
    ) -> Diagnostic:
        line, column = self.where(path, key=key)
        return Diagnostic(str(self.shown), line, column, message, severity, code)


def read_yaml(path: Path) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read one YAML file. Returns the document, or ``None`` and the reasons it was refused."""
    shown = display_path(path)

    def refuse(line: int, column: int, message: str, code: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(shown, line, column, message, "error", code)]

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return refuse(
                0,
                0,
                f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for one content "
                "file. Split it (one file per level).",
                "file-too-large",
            )
        raw = path.read_bytes()
    except OSError as exc:
        return refuse(0, 0, f"cannot read the file: {exc.strerror}.", "unreadable")

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return refuse(
            line,
            column,
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02X} cannot be read). Save it as "
            "UTF-8 in your editor (in Excel or Notepad: 'Save as' > 'UTF-8').",
            "not-utf8",
        )

    # The same UTF-8 bytes libyaml would get from ``text``, without encoding it again.
    loader = _Loader(raw.removeprefix(codecs.BOM_UTF8))
    try:
        _check_aliases(text)
        node = loader.get_single_node()
    except _Refused as exc:
        mark = exc.mark
        return refuse(
            mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, exc.message, exc.code
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        hint = _yaml_hint(problem, text, mark)
        return refuse(
            mark.line + 1 if mark else 0,
            mark.column + 1 if mark else 0,
            f"YAML syntax error: {problem}{(exc.context and f' ({exc.context})') or ''}. {hint}",
            "yaml-syntax",
        )
    finally:
        loader.dispose()

    if node is None:
        return refuse(1, 1, "the file is empty. Fill it in, or delete it.", "empty-file")

    doc = YamlDocument(path, Path(shown), root=node)
    try:
        doc.data = _Builder(loader).build(node)
    except _Refused as exc:
        mark = exc.mark
        return refuse(
            mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, exc.message, exc.code
        )
    except yaml.MarkedYAMLError as exc:  # e.g. a !!python/object tag the safe loader refuses
        mark = exc.problem_mark or exc.context_mark
        return refuse(
            mark.line + 1 if mark else 0,
            mark.column + 1 if mark else 0,
            f"YAML value not allowed: {exc.problem}. Content files hold plain text, numbers and "
            "lists only; remove the '!!' tag.",
            "yaml-tag",
        )
    return doc, []


def _yaml_hint(problem: str, text: str, mark: yaml.Mark | None) -> str:
    lines = text.splitlines()
    line = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\\t" in problem or "\t" in line[: (mark.column + 1) if mark else 0]:
        return "YAML indentation must use spaces, not tabs: replace the tab with spaces."
    if "mapping values are not allowed" in problem:
        return "A text containing ': ' must be put in quotes."
    return "Check the indentation and quotes on this line and the one above."


_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TEXT = frozenset(("tag:yaml.org,2002:str", _MERGE))
"""Tags kept as text: a ``<<`` that is a value, not a merge key, is just the text ``<<``."""


class _Builder:
    """Turns composed nodes into plain values, refusing duplicate keys and alias bombs."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.count = 0

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(node)
        if isinstance(node, _Mapping):
            if any(k.tag == _MERGE for k, _ in node.value):
                self.loader.flatten_mapping(node)
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not _Scalar:
                    raise _Refused(key_node.start_mark, "a key must be plain text.", "bad-key")
                key = key_node.value
                if key in result:
                    raise self.duplicate(node, key_node)
                # Plain text, most values, is taken inline: a call per node is measurable.
                if value_node.__class__ is _Scalar and value_node.tag in _PLAIN_TEXT:
                    self.count += 1
                    if self.count > MAX_NODES:
                        raise self.too_many(value_node)
                    result[key] = value_node.value
                else:
                    result[key] = self.build(value_node)
            return result
        if isinstance(node, _Sequence):
            return [self.build(item) for item in node.value]
        return self.scalar(node)

    @staticmethod
    def too_many(node: yaml.Node) -> _Refused:
        return _Refused(
            node.start_mark,
            f"the file expands to more than {MAX_NODES:,} values (YAML aliases repeating "
            "other aliases?). Write the content out without aliases.",
            "too-many-nodes",
        )

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag in _PLAIN_TEXT:
            return node.value
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, float) and value != value:  # .nan
            return str(node.value)
        if isinstance(value, bytes):
            raise _Refused(node.start_mark, "binary values are not allowed here.", "bad-value")
        return value

    @staticmethod
    def duplicate(mapping: yaml.MappingNode, key_node: yaml.ScalarNode) -> _Refused:
        first = next(k for k, _ in mapping.value if k.value == key_node.value)
        earlier = first.start_mark.line + 1
        return _Refused(
            key_node.start_mark,
            f"duplicate key '{key_node.value}' (first given on line {earlier}). YAML would "
            "silently keep only the last one: remove or rename one of them.",
            "duplicate-key",
        )
