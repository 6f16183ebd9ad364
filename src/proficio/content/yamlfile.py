"""Safe YAML reading that remembers where every node was written.

PyYAML alone accepts duplicate keys, expands aliases without limit and forgets positions once it
has built Python objects. We compose the node graph ourselves so that each value keeps its line
and column, duplicates and alias bombs are refused, and YAML 1.1 surprises (``no`` read as
``False``, dates turned into objects, ``010`` read as 8) do not reach the content: a language
code ``no`` stays a string.

Whatever a file holds, reading it ends in a value or in a :class:`Diagnostic`, never in a hang or
a traceback: only regular files are opened (a named pipe would block), a symbolic link may not
lead out of the content folder, control characters and noncharacters are refused with their line
and column, and nesting is checked before libyaml's recursive composer could run out of stack.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import yaml

from ..support.files import display_path
from .diagnostics import Diagnostic

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ALIASES = 20
MAX_NODES = 200_000
MAX_DEPTH = 50
"""Values nested deeper than this are refused (a level file needs 7)."""
MAX_NUMBER_DIGITS = 30
"""A longer number is refused as it is read (no setting needs it; Python stops at 4,300)."""

SAFE_DEPTH = 1500
"""libyaml's composer recurses in C once per nesting level: an upper bound of the nesting below
this is safe on any thread's stack. A file whose cheap bound is higher has its nesting counted
event by event first (which costs as much as parsing it once more)."""
_BLOCK_RUN = 200
"""A block collection starts after the indentation and indicators (``- ``, ``? ``, ``: ``) that
open its line, so without a run this long of those characters block nesting stays under
2 x (_BLOCK_RUN + 1)."""
_RUNS = bytes(0x78 if c in b" \t?:-" else 0x0A for c in range(256))

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
    """Safe loading with YAML 1.2-like scalars: only true/false are booleans, integers are
    decimal, no timestamps."""

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


def _may_nest_deep(data: bytes) -> bool:
    """Whether the nesting of ``data`` could reach :data:`SAFE_DEPTH` (a cheap upper bound).

    Each flow collection needs its own ``[`` or ``{``; block collections are bounded by the
    longest run of indentation and indicators (see :data:`_BLOCK_RUN`).
    """
    if b"x" * _BLOCK_RUN in data.translate(_RUNS):
        return True
    return data.count(b"[") + data.count(b"{") + 2 * (_BLOCK_RUN + 1) >= SAFE_DEPTH


_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _check_events(data: bytes) -> None:
    """Refuse alias bombs, recursive aliases and deep nesting before anything is composed.

    Only files with an anchor (``&``) or a nesting bound above :data:`SAFE_DEPTH` pay for this
    second pass; the nesting of the others is checked as their values are built.
    """
    if b"&" not in data and not _may_nest_deep(data):
        return
    count = 0
    open_anchors: list[str | None] = []
    for event in yaml.parse(data, Loader=_Loader):
        if isinstance(event, _OPEN):
            open_anchors.append(event.anchor)
            if len(open_anchors) > MAX_DEPTH:
                raise _too_deep(event.start_mark)
        elif isinstance(event, _CLOSE):
            open_anchors.pop()
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor in open_anchors:
                raise _Refused(
                    event.start_mark,
                    f"the alias *{event.anchor} is used inside the value it names "
                    f"(&{event.anchor}), so that value would contain itself without end. "
                    "Write the values out instead of the alias.",
                    "recursive-alias",
                )
            count += 1
            if count > MAX_ALIASES:
                raise _Refused(
                    event.start_mark,
                    f"more than {MAX_ALIASES} YAML aliases (*name). Content files should not "
                    "need them; write the values out instead.",
                    "too-many-aliases",
                )


def _too_deep(mark: yaml.Mark | _CMark | None) -> _Refused:
    return _Refused(
        mark,
        f"values are nested more than {MAX_DEPTH} levels deep here (lists inside lists, or "
        "brackets [ { opened and never closed?). Close the brackets or flatten the content.",
        "too-deep",
    )


_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
# YAML 1.2 integers: decimal digits only (YAML 1.1 reads 010 as 8, 0x10 as 16 and 1:30 as 90).
for _first in list(_Loader.yaml_implicit_resolvers):
    _Loader.yaml_implicit_resolvers[_first] = [
        (tag, regexp) for tag, regexp in _Loader.yaml_implicit_resolvers[_first] if tag != _INT
    ]
_Loader.add_implicit_resolver(_INT, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
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


def shown_path(path: Path) -> str:
    """``path`` as messages show it: its folder relative to the working directory, and its own
    name even when it is a symbolic link (the name the user sees in the folder)."""
    return str(Path(display_path(path.parent)) / path.name)


def file_problem(path: Path, inside: Path | None = None) -> Diagnostic | Path:
    """Why ``path`` cannot be read as a content file, found without opening it; else the path
    to open (a link's target, so that what was checked is what is read).

    A symbolic link must lead to a file inside ``inside`` (the content folder): a link out of it
    is refused before anything of its target is read, so no message can show what is there.
    A folder, a named pipe (which would block a read forever), a socket or a device is refused.
    """

    def problem(message: str, code: str) -> Diagnostic:
        return Diagnostic(shown_path(path), 0, 0, message, "error", code)

    try:
        info = path.lstat()
    except FileNotFoundError:
        return problem("the file does not exist. Create it, or fix the name.", "missing-file")
    except OSError as exc:
        return problem(f"cannot read the file: {exc.strerror}.", "unreadable")
    target = path
    if stat.S_ISLNK(info.st_mode):
        try:
            target = path.resolve(strict=True)
            info = target.stat()
        except (OSError, RuntimeError):  # RuntimeError: a loop of links (Python 3.11, 3.12)
            try:
                to = f" to '{os.readlink(path)}'"
            except OSError:
                to = ""
            return problem(
                f"this is a symbolic link{to}, which leads to no file. Point the link at the "
                "file, or replace the link with the file itself.",
                "broken-link",
            )
        if inside is not None and not target.is_relative_to(inside.resolve()):
            return problem(
                f"this is a symbolic link to a file outside the content folder "
                f"({display_path(inside)}), where links may not lead. Copy the file into the "
                "folder instead of linking to it.",
                "link-outside",
            )
    if stat.S_ISDIR(info.st_mode):
        return problem(
            "this is a folder, but a YAML file is expected under this name. Rename or remove "
            "the folder.",
            "not-a-file",
        )
    if not stat.S_ISREG(info.st_mode):
        return problem(
            "this is not a regular file (a named pipe, socket or device). Replace it with a "
            "YAML file.",
            "not-a-file",
        )
    return target


def _read_bytes(path: Path) -> bytes | tuple[str, str]:
    """The file's bytes, or ``(message, code)``. Opened without blocking and checked again once
    open, so a file swapped for a named pipe after :func:`file_problem` cannot hang the read."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}.", "unreadable"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return "this is not a regular file. Replace it with a YAML file.", "not-a-file"
        chunks: list[bytes] = []
        left = MAX_FILE_BYTES + 1  # one byte more tells a file over the limit
        while left > 0 and (chunk := os.read(fd, min(left, max(info.st_size, 1 << 16)))):
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        return f"cannot read the file: {exc.strerror}.", "unreadable"
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > MAX_FILE_BYTES:
        return (
            f"file is {max(info.st_size, len(raw)):,} bytes, over the {MAX_FILE_BYTES:,}-byte "
            "limit for one content file. Split it (one file per level).",
            "file-too-large",
        )
    return raw


_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_SAVE_AS_UTF8 = "Save it as UTF-8 in your editor (in Excel or Notepad: 'Save as' > 'UTF-8')."
_BAD_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""What no text may hold: control characters (but tab and line breaks), noncharacters and
lone surrogates. libyaml refuses them written as they are; this finds them written as escapes
in double quotes (``"\0"``, ``"\x07"``), and the next-line character U+0085 it accepts."""


def _character_problem(char: str, *, escaped: bool = False) -> str:
    """What is wrong with ``char`` and what to do, for a registrar who cannot see it."""
    code = f"U+{ord(char):04X}"
    where = "this text has a \\ escape that stands for" if escaped else "the file contains"
    delete = "Delete the escape." if escaped else "Delete it."
    if char == "\0":
        what = f"{where} a NUL character ({code}), which no text file holds"
        if escaped:
            return f"{what}. {delete}"
        return (
            f"{what}. If the file was saved as UTF-16, save it as UTF-8 in your editor (in "
            "Notepad: 'Save as' > 'UTF-8'); otherwise delete the character."
        )
    if char in ("\ufffe", "\uffff"):
        return (
            f"{where} {code}, which is not a character (a sign of text saved as UTF-16 and "
            f"read back wrongly). {delete}"
        )
    if "\ud800" <= char <= "\udfff":
        return (
            f"{where} {code}, half of a UTF-16 surrogate pair, which is not a character on its "
            "own. Write the character itself instead of the \\u escape."
        )
    if escaped:
        return f"{where} the invisible control character {code}. {delete}"
    return (
        f"{where} the invisible control character {code} (often pasted from a PDF or a word "
        "processor). Delete it; retype the text around it if you cannot see it."
    )


def _offset_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of byte ``offset`` of UTF-8 ``raw``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, len(raw[start:offset].decode("utf-8", "replace")) + 1


def _escaped_characters(node: yaml.Node, shown: str) -> list[Diagnostic]:
    """Every double-quoted scalar (the only place escapes work) holding a character that
    :data:`_BAD_CHARACTER` refuses; the node graph may share nodes through aliases."""
    found: list[Diagnostic] = []
    seen: set[int] = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, _Scalar):
            if n.style == '"' and (bad := _BAD_CHARACTER.search(n.value)):
                mark = n.start_mark
                found.append(
                    Diagnostic(
                        shown,
                        mark.line + 1,
                        mark.column + 1,
                        _character_problem(bad.group(), escaped=True),
                        "error",
                        "bad-character",
                    )
                )
        elif isinstance(n, _Sequence):
            todo.extend(n.value)
        elif isinstance(n, _Mapping):
            todo.extend(item for pair in n.value for item in pair)
    return sorted(found)


def read_yaml(
    path: Path, *, inside: Path | None = None
) -> tuple[YamlDocument | None, list[Diagnostic]]:
    """Read one YAML file. Returns the document, or ``None`` and the reasons it was refused.

    ``inside`` is the folder a symbolic link may not lead out of (the content folder).
    """
    target = file_problem(path, inside)
    if isinstance(target, Diagnostic):
        return None, [target]
    shown = display_path(path) if target is path else shown_path(path)

    def refuse(line: int, column: int, message: str, code: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(shown, line, column, message, "error", code)]

    raw = _read_bytes(target)
    if isinstance(raw, tuple):
        return refuse(0, 0, *raw)

    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return refuse(
                1, 1, f"the file is saved as {encoding}, not UTF-8. {_SAVE_AS_UTF8}", "not-utf8"
            )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return refuse(
            line,
            column,
            f"the file is not UTF-8 (byte 0x{raw[exc.start]:02X} cannot be read). {_SAVE_AS_UTF8}",
            "not-utf8",
        )
    # The same UTF-8 bytes libyaml would get from ``text``, without encoding it again.
    data = raw.removeprefix(codecs.BOM_UTF8)
    if "\x85" in text:  # U+0085, which libyaml accepts and takes for a line break
        offset = len(text[: text.index("\x85")].encode("utf-8"))
        return refuse(*_offset_position(data, offset), _character_problem("\x85"), "bad-character")

    loader: _Loader | None = None
    try:
        _check_events(data)
        loader = _Loader(data)
        node = loader.get_single_node()
    except _Refused as exc:
        mark = exc.mark
        return refuse(
            mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, exc.message, exc.code
        )
    except yaml.reader.ReaderError as exc:  # a control character or noncharacter as it is
        # libyaml counts bytes; the pure-Python reader counts characters.
        if _Base is yaml.SafeLoader:
            offset = len(text[: exc.position].encode("utf-8"))
        else:
            offset = exc.position
        char = chr(exc.character) if isinstance(exc.character, int) else "\0"
        return refuse(*_offset_position(data, offset), _character_problem(char), "bad-character")
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
    except RecursionError:  # the pure-Python composer (no libyaml) on deep nesting
        return refuse(1, 1, _too_deep(None).message, "too-deep")
    except yaml.YAMLError as exc:
        return refuse(1, 1, f"the file cannot be read as YAML ({exc}). Fix it.", "yaml-syntax")
    finally:
        if loader is not None:
            loader.dispose()

    if node is None:
        return refuse(1, 1, "the file is empty. Fill it in, or delete it.", "empty-file")
    if b"\\" in data and b'"' in data:
        escaped = _escaped_characters(node, shown)
        if escaped:
            return None, escaped

    doc = YamlDocument(path, Path(shown), root=node)
    try:
        doc.data = _Builder(loader).build(node)
    except _Refused as exc:
        mark = exc.mark
        return refuse(
            mark.line + 1 if mark else 0, mark.column + 1 if mark else 0, exc.message, exc.code
        )
    except RecursionError:  # merge keys (<<) nested in merge keys, beyond Python's stack
        return refuse(*doc.where(()), _too_deep(None).message, "too-deep")
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
    if "escape" in problem:
        return (
            "In double quotes a \\ escape must stand for a character (such as \\u00e9 for "
            "\u00e9): fix it, or put the text in single quotes to keep the backslash as it is."
        )
    return "Check the indentation and quotes on this line and the one above."


_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_TEXT = frozenset(("tag:yaml.org,2002:str", _MERGE))
"""Tags kept as text: a ``<<`` that is a value, not a merge key, is just the text ``<<``."""


class _Builder:
    """Turns composed nodes into plain values, refusing duplicate keys and alias bombs."""

    def __init__(self, loader: _Loader) -> None:
        self.loader = loader
        self.count = 0
        self.depth = 0

    def build(self, node: yaml.Node) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.too_many(node)
        if isinstance(node, _Mapping):
            self.depth += 1  # not restored when something is refused: the build stops there
            if self.depth > MAX_DEPTH:
                raise _too_deep(node.start_mark)
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
            self.depth -= 1
            return result
        if isinstance(node, _Sequence):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _too_deep(node.start_mark)
            items = [self.build(item) for item in node.value]
            self.depth -= 1
            return items
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
        if node.tag in (_INT, _FLOAT) and len(node.value.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise _Refused(
                node.start_mark,
                f"this number has more than {MAX_NUMBER_DIGITS} digits; no setting in a "
                "content file needs one that long. Fix the number (or put text in quotes).",
                "bad-number",
            )
        if node.tag == _INT:  # decimal, as the resolver matched it (never octal)
            return int(node.value)
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
