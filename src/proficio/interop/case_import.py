"""Import a 1EdTech CASE 1.0/1.1 CFPackage (a local file; nothing is fetched) as Proficio YAML.

The framework tree comes from ``isChildOf`` associations (origin = child, destination = parent),
ordered by ``sequenceNumber`` (numbers or numeric strings), then ``listEnumeration``, then
``humanCodingScheme``. Each CFItem gets a role - level, topic, target, rubric, flatten, skip -
from the user's mapping of CFItemTypes (or of depths), from sensible defaults for common type
names, or, for a package without any CFItemTypes, from the shape of the tree.

A curriculum director has to be able to trust the result, so every CFItem ends up in exactly one
row of the report: placed (with its CASE identifier and URI as ``case:`` provenance, and the code
it was written with), already in the school (the same CASE identifier in another subject: not
imported twice), or not placed, with the reason and what to do. Nothing is invented silently: an
item outside the framework's tree (an orphan) or outside every level of the framework is
reported, never put in a level of Proficio's making; every code written differently from the
package's ``humanCodingScheme`` is listed with the reason. The YAML written is deterministic:
importing the same package again gives the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..content.loader import load
from ..content.model import School, anchor
from ..errors import ProficioError, UsageError
from ..evidence.report import neutralise
from ..support.files import write_text
from ..support.numbers import decimal_text, json_number

ROLES = ("level", "topic", "target", "rubric", "flatten", "skip", "auto")
"""What ``--map-types`` can make of a CFItemType: ``flatten`` leaves the item's own tier out and
places the items under it as if they hung from its parent; ``skip`` leaves out the item and
everything under it."""

ORPHAN_RULES = ("report", "top", "by-code", "under:CODE")
"""``--orphans``: what becomes of an item without any isChildOf association (outside the tree)."""

REPEAT_RULES = ("once", "each")
"""``--repeats``: a standard listed again under another parent (another CFItem with the same code
and statement) is placed once (the repeats reported), or under each parent with a code of its
own (the parent's code before its own)."""

DEFAULT_TYPE_ROLES: dict[str, str] = {
    **dict.fromkeys(
        ("level", "grade", "grade level", "grade band", "band", "course", "stage"), "level"
    ),
    **dict.fromkeys(
        (
            "measurement topic",
            "topic",
            "domain",
            "cluster",
            "strand",
            "claim",
            "standard group",
            "category",
            "big idea",
            "unit",
        ),
        "topic",
    ),
    **dict.fromkeys(
        (
            "learning target",
            "target",
            "standard",
            "competency",
            "skill",
            "measured skill",
            "expectation",
            "objective",
            "learning objective",
            "indicator",
            "benchmark",
            "component",
            "element",
            "performance expectation",
        ),
        "target",
    ),
    "rubric": "rubric",
}
"""CFItemType title (lower case) -> role, used when the user's mapping does not name the type.
Types not listed here (Example, Task Model, Clarification, ...) are reported, not guessed."""

UNTYPED = "untyped"
"""Mapping key for items without a CFItemType, in a package where other items have one."""

PLACED = ("subject", "level", "topic", "target", "rubric")
"""Outcomes of a placed item (the tier it was written as)."""
SHARED = "already in the school"
NOT_PLACED = "not placed"

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

BUILTIN_SCALES: dict[str, dict[str, Any]] = {
    "marzano-4": {
        "id": "marzano-4",
        "title": "Proficiency scale 0–4",
        "description": "Marzano's 0–4 scale with half points. 3.0 is the learning target itself.",
        "threshold": 3,
        "points": [
            {
                "value": 4,
                "label": "Advanced",
                "descriptor": "In-depth inferences and applications that go beyond what was taught.",
            },
            {
                "value": 3.5,
                "label": "Proficient+",
                "descriptor": "Proficient, with partial success at the advanced level.",
            },
            {
                "value": 3,
                "label": "Proficient",
                "descriptor": "Meets the learning target itself, with no major errors.",
            },
            {
                "value": 2.5,
                "label": "Developing+",
                "descriptor": "The simpler details and processes, with partial success at the target.",
            },
            {
                "value": 2,
                "label": "Developing",
                "descriptor": "The simpler details and processes (foundational vocabulary and skills), without major errors.",
            },
            {
                "value": 1.5,
                "label": "Beginning+",
                "descriptor": "Partial success at the simpler details, and partial success at the target with help.",
            },
            {
                "value": 1,
                "label": "Beginning",
                "descriptor": "With help, partial success at the simpler details and at the target.",
            },
            {
                "value": 0.5,
                "label": "Emerging",
                "descriptor": "With help, partial success at the simpler details only.",
            },
            {"value": 0, "label": "No evidence", "descriptor": "Even with help, no success yet."},
        ],
    },
    "four-point": {
        "id": "four-point",
        "title": "Proficiency scale 1–4",
        "threshold": 3,
        "points": [
            {
                "value": 4,
                "label": "Extending",
                "descriptor": "Applies the target in new situations that go beyond what was taught.",
            },
            {
                "value": 3,
                "label": "Proficient",
                "descriptor": "Meets the learning target with no major errors.",
            },
            {
                "value": 2,
                "label": "Developing",
                "descriptor": "Knows the basic vocabulary and steps, with major errors on the target itself.",
            },
            {
                "value": 1,
                "label": "Beginning",
                "descriptor": "With help, shows partial understanding.",
            },
        ],
    },
}
"""Scales ``--scale`` can create when the content folder does not have them yet."""


# -- reading the package ---------------------------------------------------------------------

_Natural = tuple[int | tuple[int, int, str], ...]
"""A natural sort key of a text (see :func:`_natural`)."""
_ChildKey = tuple[bool, Decimal | int, _Natural, _Natural, int]
"""How the children of a node are ordered: sequenceNumber, listEnumeration, code, position."""


@dataclass(eq=False)
class Item:
    """A CFItem with its place in the tree (compared by identity: items hold their subtrees)."""

    identifier: str
    uri: str | None
    data: dict[str, Any]
    index: int
    """Position in CFItems (the last tie-break of the order)."""
    children: list[tuple[_ChildKey, Item]] = field(default_factory=list)
    parent: str | None = None

    @property
    def type(self) -> str | None:
        value = self.data.get("CFItemType")
        if not value and isinstance(self.data.get("CFItemTypeURI"), dict):
            value = self.data["CFItemTypeURI"].get("title")
        return str(value).strip() if value else None

    @property
    def code(self) -> str | None:
        value = self.data.get("humanCodingScheme")
        return str(value).strip() if value not in (None, "") else None

    @property
    def full(self) -> str:
        return _clean(self.data.get("fullStatement"))

    @property
    def short(self) -> str:
        return _clean(self.data.get("abbreviatedStatement")) or _clean(
            self.data.get("alternativeLabel")
        )

    @property
    def label(self) -> str:
        """How the item is named in the report."""
        name = self.short or self.full
        name = name if len(name) <= 60 else name[:57] + "..."
        kind = self.type or "untyped item"
        return f'{kind} {self.code + " " if self.code else ""}"{name}" [{self.identifier}]'

    def ordered_children(self) -> list[Item]:
        return [child for _, child in sorted(self.children, key=lambda pair: pair[0])]


def _clean(value: Any) -> str:
    return str(value).strip() if value not in (None, "") else ""


def _natural(text: str | None) -> _Natural:
    if not text:
        return (1,)
    return (
        0,
        *[
            (0, int(p), "") if p.isdigit() else (1, 0, p.casefold())
            for p in re.split(r"(\d+)", text)
            if p
        ],
    )


def _sequence(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def _node_id(node: Any) -> tuple[str | None, str | None]:
    if isinstance(node, dict):
        return (
            _clean(node.get("identifier")) or None,
            _clean(node.get("uri")) or None,
        )
    if isinstance(node, str):  # some exporters write the URI as a bare string
        return None, node
    return None, None


@dataclass
class Entry:
    """One row of the report: what became of one CFItems entry."""

    index: int
    identifier: str
    type: str
    code: str
    """The package's humanCodingScheme."""
    statement: str
    label: str
    outcome: str = ""
    """A tier of :data:`PLACED`, :data:`SHARED` or :data:`NOT_PLACED` ('' until decided)."""
    written_as: str = ""
    """The code Proficio wrote (or, for an item already in the school, the code it has there)."""
    reason: str = ""
    """Why it was not placed; for a placed item, anything changed on the way in."""
    renamed: str = ""
    """Why the code written differs from the package's (empty when it does not)."""
    role: str = ""
    """The role the item was given and where that came from, e.g. 'topic (default)'."""
    seq: int = 0
    """Order of the decision (the report lists items in the order of the tree)."""

    @property
    def placed(self) -> bool:
        return self.outcome in PLACED


def _entry(index: int, raw: Any, identifier: str = "") -> Entry:
    data = raw if isinstance(raw, dict) else {}
    item = Item(identifier, None, data, index)
    return Entry(
        index,
        identifier,
        item.type or "",
        item.code or "",
        item.full or item.short,
        item.label if identifier else f"CFItems[{index}]",
    )


@dataclass
class Report:
    """What an import did with every CFItem: one :class:`Entry` per CFItems entry."""

    entries: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Things changed on the way in (ignored associations, reshaped tiers, ...)."""
    _seq: int = 0

    @property
    def read(self) -> int:
        return len(self.entries)

    def _decide(self, item: Item, outcome: str, reason: str) -> Entry:
        entry = self.entries[item.index]
        if not entry.seq:
            self._seq += 1
            entry.seq = self._seq
        entry.outcome, entry.reason = outcome, reason
        return entry

    def place(self, item: Item, tier: str, code: str = "") -> Entry:
        entry = self._decide(item, tier, self.entries[item.index].reason)
        entry.written_as = code
        return entry

    def skip(self, item: Item, reason: str) -> None:
        entry = self._decide(item, NOT_PLACED, reason)
        entry.written_as = entry.renamed = ""

    def share(self, item: Item, code: str, reason: str) -> None:
        entry = self._decide(item, SHARED, reason)
        entry.written_as, entry.renamed = code, ""

    def reject(self, index: int, reason: str, label: str | None = None) -> None:
        """A CFItems entry that is not a usable CFItem (no identifier, a duplicate, ...)."""
        entry = self.entries[index]
        self._seq += 1
        entry.seq, entry.outcome, entry.reason = self._seq, NOT_PLACED, reason
        if label:
            entry.label = label

    def remark(self, item: Item, text: str) -> None:
        """Add to a placed item's reason column (what changed on the way in)."""
        entry = self.entries[item.index]
        entry.reason = f"{entry.reason} {text}".strip()

    def ordered(self) -> list[Entry]:
        return sorted(self.entries, key=lambda e: (e.seq == 0, e.seq, e.index))

    @property
    def placed(self) -> list[str]:
        return [e.identifier for e in self.ordered() if e.placed]

    @property
    def shared(self) -> list[Entry]:
        return [e for e in self.ordered() if e.outcome == SHARED]

    @property
    def unplaced(self) -> list[tuple[str, str]]:
        """(item label, reason) for every CFItem not placed, in the order of the tree."""
        return [(e.label, e.reason) for e in self.ordered() if e.outcome == NOT_PLACED]

    @property
    def reported(self) -> int:
        return sum(1 for e in self.entries if e.outcome == NOT_PLACED)

    @property
    def renamed(self) -> list[Entry]:
        """Placed items written with another code than the package's humanCodingScheme."""
        return [e for e in self.ordered() if e.placed and e.renamed]

    def csv(self) -> str:
        """The report file: one row per CFItems entry, so its rows are exactly the items read.
        A curriculum director opens it in a spreadsheet, so package text that would run as a
        formula there is neutralised, as in the evidence issues report."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(
            [
                "index",
                "identifier",
                "type",
                "code",
                "statement",
                "outcome",
                "written as",
                "reason",
            ]
        )
        for e in self.ordered():
            reason = "; ".join(r for r in (e.renamed and f"renamed: {e.renamed}", e.reason) if r)
            row = (e.identifier, e.type, e.code, e.statement, e.outcome, e.written_as, reason)
            writer.writerow((e.index, *map(neutralise, row)))
        return buffer.getvalue()


@dataclass
class Package:
    document: dict[str, Any]
    items: dict[str, Item]
    roots: list[Item]
    rubrics: list[dict[str, Any]]
    typed: bool
    """Whether any item has a CFItemType (if none has, roles come from the tree's shape)."""


def read_package(path: Path, report: Report, orphan_rule: str = "report") -> Package:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProficioError(f"{path}: cannot read the file ({exc.strerror}).") from exc
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = (
            f" (line {exc.lineno}, column {exc.colno})"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        raise ProficioError(
            f"{path}: not a JSON file{where}. Give the CFPackage JSON exported from a CASE "
            "provider (for example /ims/case/v1p0/CFPackages/<id>)."
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("CFDocument"), dict):
        raise ProficioError(
            f"{path}: no CFDocument found. This does not look like a CASE CFPackage "
            "(it needs CFDocument, CFItems and CFAssociations)."
        )
    document = data["CFDocument"]
    doc_id, doc_uri = _node_id(document)
    if not doc_id:
        raise ProficioError(f"{path}: the CFDocument has no identifier.")
    items: dict[str, Item] = {}
    by_uri: dict[str, str] = {}
    raw_items = data.get("CFItems") or []
    if not isinstance(raw_items, list):
        raise ProficioError(f"{path}: CFItems is not a list of CFItem objects.")
    for index, entry in enumerate(raw_items):
        identifier, uri = _node_id(entry) if isinstance(entry, dict) else (None, None)
        report.entries.append(_entry(index, entry, identifier or ""))
        if not isinstance(entry, dict):
            report.reject(index, "not a CFItem object")
        elif not identifier:
            report.reject(
                index,
                "it has no identifier",
                f'CFItems[{index}] "{_clean(entry.get("fullStatement"))[:60]}"',
            )
        elif identifier in items:
            report.reject(
                index,
                f"duplicate identifier (also CFItems[{items[identifier].index}]); the first one is used",
                f"CFItems[{index}] [{identifier}]",
            )
        else:
            items[identifier] = Item(identifier, uri, entry, index)
            if uri:
                by_uri[uri] = identifier

    def resolve(node: Any) -> str | None:
        identifier, uri = _node_id(node)
        if identifier and (identifier in items or identifier == doc_id):
            return identifier
        if uri and uri in by_uri:
            return by_uri[uri]
        if uri and (uri == doc_uri or uri.rstrip("/").endswith(doc_id)):
            return doc_id
        return identifier

    ignored: dict[str, int] = {}
    roots: list[tuple[_ChildKey, Item]] = []
    trees = _Trees()
    linked: set[str] = set()
    """Items that are the child in some isChildOf association (used or not)."""
    astray: dict[str, str] = {}
    """Items whose only parent is outside the package -> that parent."""
    many: dict[str, list[str]] = {}
    """Items with more than one parent -> the parents not used."""
    for ai, assoc in enumerate(data.get("CFAssociations") or []):
        if not isinstance(assoc, dict):
            continue
        kind = _clean(assoc.get("associationType")) or "(no type)"
        if kind != "isChildOf":
            ignored[kind] = ignored.get(kind, 0) + 1
            continue
        child_id, parent_id = (
            resolve(assoc.get("originNodeURI")),
            resolve(assoc.get("destinationNodeURI")),
        )
        child = items.get(child_id or "")
        if child is None:
            report.notes.append(
                f"isChildOf association {assoc.get('identifier')} starts at {child_id}, which is not a CFItem of this package: ignored."
            )
            continue
        linked.add(child.identifier)
        seq_raw = assoc.get("sequenceNumber")
        seq = _sequence(seq_raw)
        if seq_raw is not None and seq is None:
            report.notes.append(
                f"sequenceNumber {seq_raw!r} of association {assoc.get('identifier')} is not a number: ordered as if missing."
            )
        key = (
            seq is None,
            seq or 0,
            _natural(_clean(child.data.get("listEnumeration"))),
            _natural(child.code),
            ai,
        )
        if child.parent is not None:
            many.setdefault(child.identifier, []).append(str(parent_id))
            continue
        if parent_id == doc_id:
            child.parent = doc_id
            roots.append((key, child))
            astray.pop(child.identifier, None)
        elif parent_id in items:
            if trees.top(parent_id) == child.identifier:
                report.notes.append(
                    f"isChildOf from {child.label} to {parent_id} would make a cycle: ignored."
                )
                continue
            child.parent = parent_id
            trees.join(child.identifier, parent_id)
            items[parent_id].children.append((key, child))
            astray.pop(child.identifier, None)
        else:
            astray.setdefault(child.identifier, str(parent_id))
    if many:
        listed = [
            f"{items[i].code or i} (also under {', '.join(_named(items, p, doc_id) for p in ps)})"
            for i, ps in many.items()
        ]
        report.notes.append(
            f"{len(many)} item{'s are' if len(many) != 1 else ' is'} the child of more than one "
            "parent: each is placed once, under its first parent: "
            + _some(listed)
            + " (the report says which)."
        )
        for i, ps in many.items():
            report.entries[items[i].index].reason = (
                f"also a child of {', '.join(_named(items, p, doc_id) for p in ps)}: placed only "
                f"under its first parent ({_named(items, items[i].parent or '', doc_id)})."
            )

    def at_top(item: Item) -> None:
        item.parent = doc_id
        roots.append(((True, 0, _natural(None), _natural(item.code), 10**9 + item.index), item))

    outside = [item for item in items.values() if item.parent is None]
    for item in outside:
        if item.identifier in linked and item.identifier not in astray:
            report.notes.append(
                f"{item.label} is left without a parent once the cycle is broken: placed at the top of the framework."
            )
            at_top(item)
    outside = [item for item in outside if item.parent is None]
    if outside and not roots:
        report.notes.append(
            f"no item is a child of the CFDocument: the {len(outside)} items without a parent "
            "in the package are read as the top of the framework."
        )
        for item in outside:
            at_top(item)
        outside = []
    for item in _Orphans(orphan_rule).settle(
        outside, [item for _, item in roots], items, astray, report
    ):
        at_top(item)
    _check_depth(
        path, [item for _, item in roots] + [i for i in outside if i.parent is None], items, report
    )
    for kind, n in sorted(ignored.items()):
        report.notes.append(
            f"{n} {kind} association{'s' if n != 1 else ''} not used (Proficio keeps only the isChildOf tree)."
        )
    return Package(
        document=document,
        items=items,
        roots=[item for _, item in sorted(roots, key=lambda pair: pair[0])],
        rubrics=[r for r in data.get("CFRubrics") or [] if isinstance(r, dict)],
        typed=any(item.type for item in items.values()),
    )


def _named(items: dict[str, Item], identifier: str, doc_id: str) -> str:
    """An item by its code (or identifier) in a message; the document as such."""
    item = items.get(identifier)
    if item is None:
        return "the CFDocument" if identifier == doc_id else f"[{identifier}]"
    return item.code or f"[{identifier}]"


def _n(n: int, noun: str) -> str:
    """``3 items``, ``1 item``."""
    return f"{n} {noun}{'s' if n != 1 else ''}"


def _some(texts: list[str], n: int = 5) -> str:
    """The first ``n`` of a list for a one-line summary (the report has them all)."""
    shown = ", ".join(texts[:n])
    return shown + (f" and {len(texts) - n} more" if len(texts) > n else "")


def _descendants(item: Item) -> list[Item]:
    """Every item under ``item`` (without recursion)."""
    out: list[Item] = []
    stack = [child for _, child in item.children]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(child for _, child in node.children)
    return out


class _Orphans:
    """What becomes of the items outside the tree: those without any isChildOf association, and
    those whose parent is not in the package. By default they are reported; ``by-code`` hangs
    each under the item whose code begins its own (``3.OA.A.1`` under ``3.OA.A``), ``under:CODE``
    under one item the user names. They are never put in a tier Proficio makes up."""

    def __init__(self, rule: str) -> None:
        rule = rule.strip()
        if rule not in ("report", "top", "by-code") and not (
            rule.startswith("under:") and rule[6:].strip()
        ):
            raise UsageError(
                f"--orphans '{rule}' is not a rule: use report (the default: list them), top "
                "(at the top of the framework, by their types), by-code (under the item whose "
                "code begins theirs) or under:CODE (under the item with that code or "
                "identifier)."
            )
        self.rule = rule

    def settle(
        self,
        orphans: list[Item],
        roots: list[Item],
        items: dict[str, Item],
        astray: dict[str, str],
        report: Report,
    ) -> list[Item]:
        """Attach each orphan by the rule, or report it with the items under it; the orphans
        to place at the top of the framework (``top``)."""
        if not orphans:
            return []
        in_tree: dict[str, Item] = {}
        tree_ids: set[str] = set()
        for root in roots:
            for node in (root, *_descendants(root)):
                tree_ids.add(node.identifier)
                if node.code:
                    in_tree.setdefault(node.code.casefold(), node)
        parent_of: dict[str, Item] = {}
        if self.rule.startswith("under:"):
            wanted = self.rule[6:].strip()
            chosen = in_tree.get(wanted.casefold()) or (
                items[wanted] if wanted in tree_ids else None
            )
            if chosen is None:
                raise UsageError(
                    f"--orphans {self.rule}: no item in the package's tree has the code or "
                    f"identifier '{wanted}'. Name a level, topic or target of the framework."
                )
            parent_of = {o.identifier: chosen for o in orphans}
        elif self.rule == "by-code":
            for orphan in sorted(orphans, key=lambda o: (len(o.code or ""), o.index)):
                parent = _by_code(orphan.code, in_tree)
                if parent is not None:
                    parent_of[orphan.identifier] = parent
                    for node in (orphan, *_descendants(orphan)):
                        if node.code:
                            in_tree.setdefault(node.code.casefold(), node)
        placed: list[str] = []
        top: list[Item] = []
        for orphan in orphans:
            why = (
                f"its isChildOf parent {astray[orphan.identifier]} is neither the CFDocument nor a CFItem of this package"
                if orphan.identifier in astray
                else "it has no isChildOf association"
            )
            if self.rule == "top":
                top.append(orphan)
                placed.append(f"{orphan.code or orphan.identifier} at the top")
                report.entries[
                    orphan.index
                ].reason = f"{why}: read at the top of the framework by --orphans top."
                continue
            parent = parent_of.get(orphan.identifier)
            if parent is not None:
                key = (True, 0, _natural(None), _natural(orphan.code), 10**9 + orphan.index)
                orphan.parent = parent.identifier
                parent.children.append((key, orphan))
                placed.append(
                    f"{orphan.code or orphan.identifier} under {parent.code or parent.identifier}"
                )
                report.entries[
                    orphan.index
                ].reason = f"{why}: hung under {parent.label} by --orphans {self.rule}."
                continue
            hint = (
                "no item's code begins its code"
                if self.rule == "by-code"
                else "it is outside the framework's tree"
            )
            below = _descendants(orphan)
            report.skip(
                orphan,
                f"{why}, so {hint}; Proficio does not invent a level for it. Place it with "
                + (
                    f"--orphans top (it has {_n(len(below), 'item')} under it: perhaps a top "
                    "item whose link to the CFDocument is missing), "
                    if below
                    else ""
                )
                + "--orphans by-code (under the item whose code begins its own) or --orphans "
                "under:CODE, or fix the package's isChildOf associations.",
            )
            for node in below:
                report.skip(
                    node, f"it sits under {orphan.label}, which is outside the framework's tree"
                )
        reported = len(orphans) - len(placed)
        report.notes.append(
            f"{len(orphans)} item{'s' if len(orphans) != 1 else ''} outside the framework's tree "
            "(no isChildOf to an item of the package): "
            + (f"{len(placed)} hung by --orphans {self.rule} ({_some(placed)})" if placed else "")
            + ("; " if placed and reported else "")
            + (f"{reported} reported with the items under them" if reported else "")
            + "."
        )
        return top


def _by_code(code: str | None, in_tree: dict[str, Item]) -> Item | None:
    """The item whose code is the longest beginning of ``code`` that ends at a separator, or
    before a component's letters (``6.RP.A.3a`` under ``6.RP.A.3``)."""
    if not code:
        return None
    for cut in range(len(code) - 1, 0, -1):
        boundary = code[cut] in ".-_/ " or (code[cut - 1].isdigit() and code[cut:].isalpha())
        if boundary and code[:cut].casefold() in in_tree:
            return in_tree[code[:cut].casefold()]
    return None


MAX_DEPTH = 64
"""The most tiers an imported tree may have. Real frameworks have a handful (subject, grade,
domain, cluster, standard, component); a deeper isChildOf chain is a broken or hostile export,
and placing it would walk the tree deeper than Python's recursion allows."""


def _check_depth(path: Path, roots: list[Item], items: dict[str, Item], report: Report) -> None:
    """Refuse a tree deeper than :data:`MAX_DEPTH`, naming where its deepest chain starts
    (measured without recursion; the tree has no cycles, :func:`read_package` drops them)."""
    deepest: tuple[int, Item | None] = (0, None)
    stack = [(1, item) for item in roots]
    seen: set[str] = set()
    while stack:
        depth, item = stack.pop()
        if item.identifier in seen:
            continue
        seen.add(item.identifier)
        if depth > deepest[0]:
            deepest = (depth, item)
        stack.extend((depth + 1, child) for _, child in item.children)
    depth, node = deepest
    if depth <= MAX_DEPTH:
        return
    chain: list[Item] = []
    while node is not None and len(chain) < depth:
        chain.append(node)
        node = items.get(node.parent or "")
    first = [item.code or item.identifier for item in reversed(chain)][:5]
    cycles = [note for note in report.notes if "would make a cycle" in note]
    raise ProficioError(
        f"{path}: the isChildOf tree is {depth:,} items deep, and Proficio imports at most "
        f"{MAX_DEPTH} tiers (a framework has a handful: subject, level, topic, target). The "
        f"deepest chain starts {' > '.join(first)} > ... Check the package's isChildOf "
        "associations (each item should name its own parent, not the item before it) and "
        "export it again. Nothing was imported.",
        details=[f"note: {note}" for note in cycles[:10]],
    )


class _Trees:
    """Which tree each item is in so far, and that tree's top item (a union-find): a new
    isChildOf link makes a cycle exactly when the parent's tree tops out at the child. Walking
    up the parents instead costs the chain's length per link, which never ends on a chain of
    100,000 items."""

    def __init__(self) -> None:
        self._up: dict[str, str] = {}
        self._top: dict[str, str] = {}

    def _find(self, node: str) -> str:
        root = node
        while self._up.get(root, root) != root:
            root = self._up[root]
        while node != root:
            self._up[node], node = root, self._up[node]
        return root

    def top(self, node: str) -> str:
        return self._top.get(self._find(node), node)

    def join(self, child: str, parent: str) -> None:
        """``child`` (the top of its tree) now hangs under ``parent``."""
        below, above = self._find(child), self._find(parent)
        self._top[above] = self.top(parent)
        self._up[below] = above


# -- placing items ---------------------------------------------------------------------------


def parse_mapping(specs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``"Cluster=topic,Standard=target"`` (repeatable) -> {"cluster": "topic", ...}.
    A key ``depth:N`` maps every item N levels under the document (1 = top)."""
    mapping: dict[str, str] = {}
    for spec in specs:
        for part in spec.split(","):
            if not part.strip():
                continue
            key, sep, role = part.partition("=")
            role = role.strip().lower()
            if not sep or not key.strip() or role not in ROLES:
                raise ProficioError(
                    f"cannot read the type mapping '{part.strip()}'. Write TYPE=ROLE pairs separated "
                    f"by commas, e.g. 'Cluster=topic,Standard=target', with ROLE one of: {', '.join(ROLES)} "
                    "(flatten leaves the tier out and keeps the items under it; skip leaves out "
                    "the items under it too)."
                )
            mapping[key.strip().casefold()] = role
    return mapping


TIER_WORDS = {
    "subject": "subject",
    "level": "level",
    "topic": "measurement topic",
    "target": "learning target",
}


@dataclass(frozen=True)
class _Holder:
    """Who has a code already: named in messages, and it tells an item the school already has
    (the same CASE identifier) from a clash of codes."""

    what: str
    code: str
    tier: str
    identifier: str | None = None
    """The holder's CASE identifier."""
    item: Item | None = None
    """The item of this package that holds the code (None for a node of another subject)."""
    under: str = ""
    """The code of the node it was written under."""


@dataclass
class _Place:
    level: dict[str, Any] | None = None
    topic: dict[str, Any] | None = None
    target: dict[str, Any] | None = None


def _as_code(raw: str) -> str | None:
    code = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-._")[:64]
    return code if code and CODE_RE.match(code) else None


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


_BARE_LEVEL = re.compile(r"(?i)pk|tk|k|hs|\d{1,2}")
_LEVEL_WORDS = {
    "pk": "Pre-Kindergarten",
    "tk": "Transitional Kindergarten",
    "k": "Kindergarten",
    "hs": "High School",
}


def _readable_level(item: Item) -> tuple[str, str]:
    """A level's title from the framework (its statement, 'Grade 3', 'High School'), not a bare
    code like '3' or 'HS'; and the note to make when the title was made from such a code."""

    def bare(text: str) -> bool:
        return bool(_BARE_LEVEL.fullmatch(text))

    for text in (item.short, item.full):
        if text and not bare(text) and text != item.code and len(text) <= 80:
            return text, ""
    for text in (item.short, item.full, item.code or ""):
        if text and bare(text):
            value = text.casefold().strip()
            title = _LEVEL_WORDS.get(value) or f"Grade {int(value)}"
            return title, f"level title '{title}' made from the bare code '{text}' of {item.label}."
    return item.short or item.full, ""


class _Placer:
    def __init__(
        self,
        package: Package,
        mapping: dict[str, str],
        subject_code: str,
        taken: dict[str, _Holder],
        shared: dict[str, _Holder],
        scale_points: list[Decimal],
        generic: dict[Decimal, str],
        report: Report,
        repeats: str = "once",
    ) -> None:
        self.pkg = package
        self.mapping = mapping
        self.subject_code = subject_code
        self.taken = dict(taken)
        """Code anchor -> who holds it (the school's other subjects, then this import)."""
        self.shared = shared
        """CASE identifier -> the node of another subject that has it."""
        self.points = scale_points
        self.doc_title = _clean(package.document.get("title")) or subject_code
        self.generic = generic
        self.report = report
        self.repeats = repeats
        self.levels: list[dict[str, Any]] = []
        self.targets_by_id: dict[str, dict[str, Any]] = {}
        self.heights: dict[str, int] = {}
        self.unmapped: list[tuple[Item, str]] = []
        self.nested: list[str] = []
        self.derived: list[tuple[Item, str]] = []
        self.repeated: list[str] = []
        self.untitled: list[str] = []

    # roles

    def role(self, item: Item, depth: int) -> tuple[str, str]:
        """The item's role and where it comes from (the report says both)."""
        if item.type and item.type.casefold() in self.mapping:
            return self.mapping[item.type.casefold()], "--map-types"
        if not item.type and self.pkg.typed and UNTYPED in self.mapping:
            return self.mapping[UNTYPED], "--map-types"
        if f"depth:{depth}" in self.mapping:
            return self.mapping[f"depth:{depth}"], f"--map-types depth:{depth}"
        if item.type:
            default = DEFAULT_TYPE_ROLES.get(item.type.casefold())
            return (default, "default") if default else ("unmapped", "")
        return ("auto", "by the tree's shape") if not self.pkg.typed else ("unmapped", "")

    def height(self, item: Item) -> int:
        if item.identifier not in self.heights:
            kids = item.ordered_children()
            self.heights[item.identifier] = 1 + max(map(self.height, kids)) if kids else 0
        return self.heights[item.identifier]

    # codes

    def holder(self, item: Item, tier: str, code: str, under: str) -> _Holder:
        what = f"{TIER_WORDS.get(tier, tier)} {code} ({item.type or 'untyped item'} [{item.identifier}] of this package)"
        return _Holder(what, code, tier, item.identifier, item, under)

    def alternatives(self, code: str, under: str | None, elsewhere: bool) -> list[str]:
        """Readable codes for an item whose own code is taken: under its parent's code
        (``M.G3.TA.3.OA.A.3``), under the subject's (for a clash with another subject), then
        numbered (``3.OA.A.3.2``)."""
        prefixes = [under, self.subject_code] if not elsewhere else [self.subject_code, under]
        found = [
            f"{p}.{code}"
            for p in prefixes
            if p and not code.casefold().startswith(p.casefold() + ".")
        ]
        found += [f"{code}.{n}" for n in range(2, 100)]
        return [c for c in found if CODE_RE.match(c)]

    def claim(
        self,
        item: Item | None,
        tier: str,
        *,
        required: bool,
        under: str | None = None,
        fallback: str | None = None,
    ) -> str | None:
        raw = item.code if item else None
        code = _as_code(raw) if raw else None
        why = ""
        if raw and code is None:
            why = f"'{raw}' cannot be made into a code"
        elif raw and code != raw:
            why = f"'{raw}' is not a code (codes use letters, digits, '.', '-' and '_')"
        if code is not None and anchor(code) in self.taken:
            holder = self.taken[anchor(code)]
            same = item is not None and holder.identifier == item.identifier and holder.item is None
            why = (
                f"{code} is the code of {holder.what}, the same CASE item, which keeps it"
                if same
                else f"{code} is already the code of {holder.what}"
            )
            code = next(
                (
                    c
                    for c in self.alternatives(code, under, holder.item is None)
                    if anchor(c) not in self.taken
                ),
                None,
            )
        if code is None and raw is None and not required:
            return None
        if code is None:
            seed = item.identifier if item else (fallback or "")
            digest = hashlib.sha1(seed.encode()).hexdigest().upper()
            for n in range(8, 41):
                code = f"{self.subject_code}.{digest[:n]}"
                if anchor(code) not in self.taken:
                    break
            if item and raw is None:
                self.derived.append((item, code or ""))
                self.report.remark(
                    item, f"no humanCodingScheme: code {code} derived from its identifier."
                )
        assert code is not None  # the loop above runs at least once
        if item is not None:
            self.taken[anchor(code)] = self.holder(item, tier, code, under or "")
            if raw and code != raw:
                self.report.entries[item.index].renamed = why
        else:
            self.taken[anchor(code)] = _Holder(
                f"{TIER_WORDS[tier]} {code} (added by the import)", code, tier
            )
        return code

    # building

    def new_level(self, item: Item | None) -> dict[str, Any]:
        level: dict[str, Any] = {"level": len(self.levels) + 1}
        code = self.claim(item, "level", required=False)
        if code:
            level["code"] = code
        if item:
            title, note = _readable_level(item)
            if note:
                self.report.notes.append(note)
            if title and title != f"Level {level['level']}":
                level["title"] = title
            if item.full and item.full != title and item.full != f"Level {level['level']}":
                level["description"] = item.full
            level["case"] = _case(item)
        level["topics"] = []
        level["_item"] = item
        self.levels.append(level)
        return level

    def new_topic(
        self, level: dict[str, Any], item: Item | None, parent: Item | None
    ) -> dict[str, Any]:
        if item is None:
            code = self.claim(
                None,
                "topic",
                required=True,
                fallback=f"topic/{parent.identifier if parent else 'top'}/{level['level']}",
            )
            title = (parent.short or parent.full) if parent else self.doc_title
            topic: dict[str, Any] = {"code": code, "title": title}
        else:
            title = item.short or item.full or item.code or item.identifier
            topic = {
                "code": self.claim(item, "topic", required=True, under=level.get("code")),
                "title": title,
            }
            if item.full and item.full != title:
                topic["description"] = item.full
            topic["case"] = _case(item)
        topic["targets"] = []
        topic["_item"] = item
        level["topics"].append(topic)
        return topic

    def walk(self, items: list[Item], place: _Place, depth: int, parent: Item | None) -> None:
        for item in items:
            self.visit(item, place, depth, parent)

    def visit(self, item: Item, place: _Place, depth: int, parent: Item | None) -> None:
        role, source = self.role(item, depth)
        kids = item.ordered_children()
        if role == "auto":
            role = self.infer(item, place)
        entry = self.report.entries[item.index]
        entry.role = "no tier" if role == "unmapped" else f"{role} ({source})"
        key = item.type or (UNTYPED if self.pkg.typed else f"depth:{depth}")
        if role == "skip":
            below = len(_descendants(item))
            self.skip_tree(
                item,
                f"its CFItemType is mapped to skip ({source})"
                + (
                    f", with the {_n(below, 'item')} under it ('{key}=flatten' would leave out only "
                    "this tier and keep them)."
                    if below
                    else "."
                ),
            )
            return
        if role == "flatten":
            self.report.skip(
                item,
                f"mapped to flatten ({source}): its own tier is left out, and the "
                f"{_n(len(_descendants(item)), 'item')} under it are placed as if they hung from "
                + (parent.label if parent else "the top of the framework")
                + ".",
            )
            self.walk(kids, place, depth + 1, parent)
            return
        if role == "unmapped":
            self.report.skip(item, "")  # the reason is written once the tree is placed
            self.unmapped.append((item, key))
            self.walk(kids, place, depth + 1, item)
            return
        if role == "grouping":
            self.report.skip(
                item,
                "a heading that groups other items, with no Proficio tier at its depth (the "
                f"targets under it are placed). Map it with --map-types 'depth:{depth}=level' (or "
                f"'depth:{depth}=topic') to keep it.",
            )
            self.walk(kids, place, depth + 1, item)
            return
        if role == "rubric":
            self.rubric_item(item, place)
            for kid in kids:
                self.skip_tree(kid, "it sits under a rubric item")
            return
        if role == "level":
            level = self.new_level(item)
            self.report.place(item, "level", level.get("code", ""))
            self.walk(kids, _Place(level=level), depth + 1, item)
            return
        if role == "topic":
            level = place.level or self.implicit_level()
            topic: dict[str, Any] | None = self.new_topic(level, item, None)
            assert topic is not None  # new_topic always makes one
            self.report.place(item, "topic", topic["code"])
            self.walk(kids, _Place(level=level, topic=topic), depth + 1, item)
            return
        self.target_item(item, place, depth, parent, kids)

    def target_item(
        self, item: Item, place: _Place, depth: int, parent: Item | None, kids: list[Item]
    ) -> None:
        there = self.shared.get(item.identifier)
        if there is not None and there.tier == "target":
            self.report.share(
                item,
                there.code,
                f"{there.what} has the same CASE identifier, so it is not imported twice.",
            )
            self.walk(kids, _Place(level=place.level, topic=place.topic), depth + 1, item)
            return
        code = _as_code(item.code) if item.code else None
        first = self.taken.get(anchor(code)) if code else None
        if (
            first is not None
            and first.item is not None
            and first.tier == "target"
            and _same_text(first.item.full, item.full)
            and self.repeats == "once"
        ):
            self.repeated.append(
                f"{code} (also under {parent.code or parent.identifier if parent else 'the top'})"
            )
            self.report.skip(
                item,
                f"the same standard as {first.item.label} (same code and statement), which is "
                f"placed under {first.under}: placed once. --repeats each places it under every "
                "parent, with the parent's code before its own.",
            )
            self.walk(kids, place, depth + 1, parent)
            return
        level = place.level or self.implicit_level()
        topic = place.topic
        if topic is None:
            topic = self.implicit_topic(level, parent)
        under = place.target["code"] if place.target is not None else topic["code"]
        target = self.target(item, under)
        topic["targets"].append(target)
        self.report.place(item, "target", target["code"])
        if place.target is not None:
            self.nested.append(f"{item.code or item.identifier} under {place.target['code']}")
            self.report.remark(
                item,
                f"it sits under learning target {place.target['code']}: placed as a learning "
                "target of the same measurement topic.",
            )
        self.walk(kids, _Place(level=level, topic=topic, target=target), depth + 1, item)

    def infer(self, item: Item, place: _Place) -> str:
        """Roles from the tree's shape (packages without CFItemTypes): leaves are learning
        targets, parents of leaves are measurement topics, the top grouping is a level; other
        headings are groupings (reported; the targets under them are placed)."""
        height = self.height(item)
        if height == 0:
            return "target"
        if place.topic is not None:
            return "grouping"
        if height == 1:
            return "topic"
        return "level" if place.level is None else "grouping"

    def implicit_level(self) -> dict[str, Any]:
        for level in self.levels:
            if level["_item"] is None:
                return level
        return self.new_level(None)

    def implicit_topic(self, level: dict[str, Any], parent: Item | None) -> dict[str, Any]:
        topic: dict[str, Any]  # the topics of a level are the dicts new_topic builds
        for topic in level["topics"]:
            if topic["_item"] is None and topic.get("_parent") == (
                parent.identifier if parent else None
            ):
                return topic
        topic = self.new_topic(level, None, parent)
        topic["_parent"] = parent.identifier if parent else None
        return topic

    def target(self, item: Item, under: str) -> dict[str, Any]:
        title = item.full or item.short or item.code or item.identifier
        if not item.full:
            self.untitled.append(item.code or item.identifier)
            self.report.remark(item, f"no fullStatement: its title is '{title}'.")
        target: dict[str, Any] = {
            "code": self.claim(item, "target", required=True, under=under),
            "title": title,
        }
        if item.short and item.short != title:
            target["short_title"] = item.short
        notes = _clean(item.data.get("notes"))
        if notes:
            target["description"] = notes
        target["case"] = _case(item)
        target["_item"] = item
        target["_rubrics"] = []
        self.targets_by_id[item.identifier] = target
        return target

    def rubric_item(self, item: Item, place: _Place) -> None:
        if place.target is None:
            self.report.skip(
                item,
                "a rubric item that is not under a placed learning target, so there is no target to attach its descriptors to",
            )
            return
        pairs = _score_rules(item.full)
        unknown = [v for v, _ in pairs if v not in self.points]
        if not pairs or unknown:
            why = (
                f"score {', '.join(decimal_text(v) for v in unknown)} is not a point of the scale"
                if unknown
                else "its text does not name score points (e.g. '2 points: ...')"
            )
            self.report.skip(item, f"rubric text could not be turned into descriptors: {why}")
            return
        rubric = place.target.setdefault("rubric", {})
        for value, text in pairs:
            rubric[json_number(value)] = text
        place.target["_rubrics"].append(item)
        self.report.place(item, "rubric", place.target["code"])

    def skip_tree(self, item: Item, reason: str) -> None:
        self.report.skip(item, reason)
        for kid in item.ordered_children():
            self.report.entries[kid.index].role = "left out with the item above it"
            self.skip_tree(kid, "it sits under an item that was left out")

    # after the walk

    def outside_levels(self) -> None:
        """Targets outside every level of a framework that has levels are reported, never put
        in a level of Proficio's making after the real ones (which would change when a student
        completes the subject)."""
        real = [lv for lv in self.levels if lv["_item"] is not None]
        made = [lv for lv in self.levels if lv["_item"] is None]
        if not real or not made:
            return
        names = _some([str(lv.get("title") or lv.get("code") or lv["level"]) for lv in real], 3)
        for level in made:
            for topic in level["topics"]:
                for target in topic["targets"]:
                    self.report.skip(
                        target["_item"],
                        f"it is not under any of the framework's levels ({names}), and Proficio "
                        "does not add a level of its own after them (that would change when a "
                        "student completes the subject). Map the type of the item above it to "
                        "level, or fix the package's isChildOf associations.",
                    )
                    for rubric in target["_rubrics"]:
                        self.report.skip(
                            rubric, "its learning target is outside the framework's levels"
                        )
                    self.targets_by_id.pop(target["_item"].identifier, None)
                if topic["_item"] is not None:
                    self.report.skip(
                        topic["_item"],
                        f"it is not under any of the framework's levels ({names}); Proficio does "
                        "not add a level of its own. Map the type of the item above it to level.",
                    )
            self.levels.remove(level)

    def finish(self) -> None:
        """Write the reasons that depend on the whole placed tree, and the summary notes."""
        entries = self.report.entries
        kinds: dict[str, list[Item]] = {}
        for item, key in self.unmapped:
            kinds.setdefault(key, []).append(item)
        for key, same in kinds.items():
            own = {i.identifier for i in same}
            under = {d.identifier: d for i in same for d in _descendants(i)}
            lost = [d for d in under.values() if d.identifier not in own]
            placed_lost = sum(1 for d in lost if entries[d.index].placed)
            if not lost:
                skip = f"'{key}=skip' to leave it out knowingly"
            elif len(same) == 1:
                skip = (
                    f"'{key}=skip' to leave it out together with the {_n(len(lost), 'item')} "
                    f"under it ({placed_lost} of them placed now)"
                )
            else:
                skip = (
                    f"'{key}=skip' to leave out the {len(same)} items of this type together "
                    f"with the {_n(len(lost), 'item')} under them ({placed_lost} of them placed "
                    "now)"
                )
            for item in same:
                below = _descendants(item)
                placed = sum(1 for d in below if entries[d.index].placed)
                what = f"CFItemType '{item.type}'" if item.type else "an item without a CFItemType"
                if below:
                    reason = (
                        f"{what} has no Proficio tier: the item is left out; the "
                        f"{_n(len(below), 'item')} under it {'is' if len(below) == 1 else 'are'} "
                        "still placed by their own types "
                        f"({placed} of them placed). Map it with --map-types '{key}=flatten' to "
                        f"leave it out knowingly (the same result), '{key}=target' (or "
                        f"level/topic) to keep it, or {skip}."
                    )
                elif lost:
                    reason = (
                        f"{what} has no Proficio tier. Map it with --map-types '{key}=target' (or "
                        f"level/topic/rubric), or '{key}=flatten' to leave it out knowingly "
                        f"('{key}=skip' would also leave out the {_n(len(lost), 'item')} under "
                        f"the other items of this type, {placed_lost} of them placed now)."
                    )
                else:
                    reason = (
                        f"{what} has no Proficio tier. Map it with --map-types '{key}=target' (or "
                        f"level/topic/rubric), or {skip}."
                    )
                if entries[item.index].outcome == NOT_PLACED and not entries[item.index].reason:
                    entries[item.index].reason = reason
        notes = self.report.notes
        if self.nested:
            notes.append(
                f"{len(self.nested)} learning target{'s sit' if len(self.nested) != 1 else ' sits'} "
                "under another learning target, each placed in the same measurement topic after "
                f"it: {_some(self.nested)}."
            )
        derived = [f"{i.label} -> {code}" for i, code in self.derived if entries[i.index].placed]
        if derived:
            notes.append(
                f"{len(derived)} item{'s have' if len(derived) != 1 else ' has'} no "
                f"humanCodingScheme: codes derived from their identifiers ({_some(derived, 3)})."
            )
        if self.untitled:
            notes.append(
                f"{len(self.untitled)} learning target{'s have' if len(self.untitled) != 1 else ' has'} "
                f"no fullStatement, titled by their short statement or code: {_some(self.untitled)}."
            )
        if self.repeated:
            notes.append(
                f"{len(self.repeated)} standard{'s are' if len(self.repeated) != 1 else ' is'} "
                "listed again under another parent (same code and statement): each is placed "
                f"once, the repeats are reported ({_some(self.repeated)}); --repeats each "
                "places them under every parent."
            )


_RULE_AFTER = re.compile(
    r"^(?P<text>.+?)\s*[:=-]\s*(?P<n>\d+(?:\.\d+)?)\s*points?\.?$", re.I | re.S
)
_RULE_BEFORE = re.compile(
    r"^(?:score\s*)?(?P<n>\d+(?:\.\d+)?)\s*(?:points?)?\s*[:=-]\s*(?P<text>.+)$", re.I | re.S
)


def _score_rules(text: str) -> list[tuple[Decimal, str]]:
    """'Correct response: 1 point; Incorrect response: 0 points' -> [(1, ...), (0, ...)]."""
    pairs = []
    for part in re.split(r"\s*[;\n]\s*", text):
        if not part.strip():
            continue
        m = _RULE_AFTER.match(part.strip()) or _RULE_BEFORE.match(part.strip())
        if not m:
            return []
        pairs.append((Decimal(m.group("n")), m.group("text").strip()))
    return pairs


def _case(item: Item) -> dict[str, str]:
    ref = {"identifier": item.identifier}
    if item.uri:
        ref["uri"] = item.uri
    return ref


# -- the import ------------------------------------------------------------------------------


@dataclass
class Plan:
    """What an import would write, and the report of every item."""

    content: Path
    slug: str
    subject: dict[str, Any]
    levels: list[dict[str, Any]]
    scale: dict[str, Any] | None
    """A scale file to create (``None`` when the content already has the scale)."""
    school: dict[str, Any] | None
    """A school.yaml to create (``None`` when the content has one)."""
    report: Report
    added: list[str] = field(default_factory=list)
    """Tiers Proficio had to add because the framework has none (implicit level/topic)."""
    name: str = ""
    """The package's file name, for messages."""
    suggestion: str = ""
    """A type of the package that could hold the learning targets (when none were found)."""

    def files(self) -> dict[Path, str]:
        if not self.levels:
            raise ProficioError(self.nothing_placed())
        out: dict[Path, str] = {}
        if self.school is not None:
            out[self.content / "school.yaml"] = _dump(self.school)
        if self.scale is not None:
            out[self.content / "scales" / f"{self.scale['id']}.yaml"] = _dump(self.scale)
        folder = self.content / "subjects" / self.slug
        out[folder / "subject.yaml"] = _dump(self.subject)
        for level in self.levels:
            out[folder / f"level-{level['level']}.yaml"] = _dump(level)
        return out

    def tree(self) -> str:
        """The tree it would write, for ``--dry-run`` (also when it is empty)."""
        lines = [f'subject {self.subject["code"]} "{self.subject["title"]}" -> {self.slug}/']
        if not self.levels:
            lines.append("  (nothing placed: no learning target found; see the item types below)")
        for level in self.levels:
            added = "" if "case" in level else "  (added: the framework has no level here)"
            title = level.get("title", f"Level {level['level']}")
            lines.append(f'  level {level["level"]} "{_short(title)}"{added}')
            for topic in level["topics"]:
                added = "" if "case" in topic else "  (added: targets without a topic)"
                lines.append(f'    topic {topic["code"]} "{_short(topic["title"])}"{added}')
                for target in topic["targets"]:
                    rubric = (
                        f"  rubric {', '.join(str(k) for k in target['rubric'])}"
                        if "rubric" in target
                        else ""
                    )
                    short = f" [{target['short_title']}]" if "short_title" in target else ""
                    lines.append(
                        f'      target {target["code"]}{short} "{_short(target["title"])}"{rubric}'
                    )
        return "\n".join(lines)

    def types(self) -> list[tuple[str, int, str]]:
        """The package's own item types: (type, items, what became of them), most items first."""
        groups: dict[str, list[Entry]] = {}
        for e in self.report.entries:
            if e.identifier:
                groups.setdefault(e.type or UNTYPED, []).append(e)
        rows = []
        for kind, entries in groups.items():
            outcomes = Counter(e.outcome for e in entries)
            parts = [
                f"{outcomes[o]} {o if o in (SHARED, NOT_PLACED) else _plural(o, outcomes[o])}"
                for o in (*PLACED, SHARED, NOT_PLACED)
                if outcomes[o]
            ]
            roles = sorted({e.role for e in entries if e.role})
            rows.append(
                (kind, len(entries), ", ".join(parts) + f" [role: {'; '.join(roles) or '-'}]")
            )
        return sorted(rows, key=lambda row: (-row[1], row[0].casefold()))

    def type_lines(self) -> list[str]:
        rows = self.types()
        if not rows:
            return ["item types: the package has no CFItems"]
        width = max(len(kind) for kind, *_ in rows)
        return ["item types in the package (items: what became of them):"] + [
            f"  {kind:<{width}}  {n:>5}: {what}" for kind, n, what in rows
        ]

    def summary(self) -> str:
        """The final line's counts: items read = placed + already in the school + not placed."""
        r = self.report
        topics = sum(len(lv["topics"]) for lv in self.levels)
        targets = sum(len(t["targets"]) for lv in self.levels for t in lv["topics"])
        text = (
            f"{self.name}: {r.read} items read, {len(r.placed)} placed ({len(self.levels)} "
            f"levels, {topics} topics, {targets} targets), {r.reported} not placed"
        )
        if r.shared:
            text += f", {len(r.shared)} already in the school (matched by CASE identifier)"
        renamed = r.renamed
        if renamed:
            text += (
                f"; {len(renamed)} code{'s' if len(renamed) != 1 else ''} renamed ("
                + _some([f"{e.code} -> {e.written_as}" for e in renamed], 3)
                + ")"
            )
        return text

    def nothing_placed(self, listed: str = "") -> str:
        """Why nothing can be imported, in the package's own terms; ``listed`` says where every
        item's reason is shown (the command's output or the report file)."""
        r = self.report
        kinds = ", ".join(f"{kind} {n}" for kind, n, _ in self.types()) or "none"
        under_skip = sum(
            1 for e in r.entries if e.reason == "it sits under an item that was left out"
        )
        skipped = sorted({e.type or UNTYPED for e in r.entries if e.role.startswith("skip")})
        orphans = sum(1 for e in r.entries if "outside the framework's tree" in e.reason)
        advice = []
        if under_skip:
            instead = " and ".join(f"'{k}=flatten'" for k in skipped)
            advice.append(
                f"the skip mapping of {', '.join(skipped)} left out the {_n(under_skip, 'item')} under "
                f"them: map {instead} instead to keep them"
            )
        if self.suggestion:
            advice.append(
                f"say which type holds the learning targets with --map-types, e.g. "
                f"'{self.suggestion}=target'"
            )
        if orphans:
            advice.append(
                f"{orphans} item{'s are' if orphans != 1 else ' is'} outside the framework's tree (see --orphans)"
            )
        if not advice:
            advice.append(
                "say which type holds the learning targets with --map-types 'TYPE=target'"
            )
        text = "; ".join(advice)
        return (
            f"no learning targets found in {self.name}: none of its {r.read} items could be "
            f"placed as a learning target. Its item types: {kinds}. {text[0].upper()}{text[1:]}. "
            + (
                f"The tree, the types and every item's reason are {listed}."
                if listed
                else "Run with --dry-run --report FILE to see the tree, the types and every "
                "item's reason."
            )
        )


def _plural(tier: str, n: int) -> str:
    return tier + ("s" if n != 1 else "")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _school_nodes(
    school: School | None, slug: str
) -> tuple[dict[str, _Holder], dict[str, _Holder]]:
    """The codes other subjects hold (anchor -> holder) and their CASE identifiers."""
    taken: dict[str, _Holder] = {}
    shared: dict[str, _Holder] = {}

    def add(tier: str, code: str | None, identifier: str | None, subject: str) -> None:
        what = (
            f"{TIER_WORDS[tier]} {code} of subject {subject}"
            if code
            else f"a {tier} of subject {subject}"
        )
        holder = _Holder(what, code or "", tier, identifier)
        if code:
            taken.setdefault(anchor(code), holder)
        if identifier:
            shared.setdefault(identifier, holder)

    for s in school.subjects if school else []:
        if s.slug == slug:
            continue
        add("subject", s.code, s.case.identifier if s.case else None, s.code)
        for level in s.levels:
            add("level", level.code, level.case.identifier if level.case else None, s.code)
            for topic in level.topics:
                add("topic", topic.code, topic.case.identifier if topic.case else None, s.code)
                for t in topic.targets:
                    add("target", t.code, t.case.identifier if t.case else None, s.code)
    return taken, shared


def plan_import(
    package_path: Path,
    content: Path,
    *,
    subject_code: str,
    slug: str | None = None,
    title: str | None = None,
    scale_id: str | None = None,
    mapping: dict[str, str] | None = None,
    orphans: str = "report",
    repeats: str = "once",
) -> Plan:
    """Read the package and decide everything the import writes (nothing is written here).

    A package in which nothing can be placed still gives a plan (with no levels), so a dry run
    can show the types and every item's reason; :meth:`Plan.files` refuses to write it."""
    if not CODE_RE.match(subject_code):
        raise ProficioError(
            f"subject code '{subject_code}' is not valid: use letters, digits, '.', '-' or '_' (e.g. MA)."
        )
    if repeats not in REPEAT_RULES:
        raise UsageError(
            f"--repeats '{repeats}' is not a rule: use once (place a repeated standard once) or "
            "each (under every parent, with the parent's code before its own)."
        )
    _Orphans(orphans)  # a wrong rule is a usage error before the package is read
    report = Report()
    package = read_package(package_path, report, orphans)
    doc = package.document
    school = _existing_school(content)
    school_yaml = None
    if school is None:
        if (content / "school.yaml").exists():
            raise ProficioError(
                f"{content / 'school.yaml'} has errors; run `proficio validate {content}` and fix them first."
            )
        language = _clean(doc.get("language")) or "en"
        language = language if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", language) else "en"
        school_yaml = {
            "name": _clean(doc.get("publisher")) or _clean(doc.get("creator")) or "My School",
            "languages": [language],
        }
    else:
        language = _clean(doc.get("language"))
        if language and language.split("-")[0] != school.default_language.split("-")[0]:
            report.notes.append(
                f"the framework is in '{language}' but the school's default language is "
                f"'{school.default_language}': texts are written as the default language."
            )
    scale_id, scale_yaml, points, generic = _choose_scale(school, content, scale_id)
    if slug is not None and not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise ProficioError(
            f"--slug '{slug}' becomes the page address: use lowercase letters, digits and dashes."
        )
    folder_slug = slug or _slugify(title or _clean(doc.get("title")) or subject_code)
    taken, shared = _school_nodes(school, folder_slug)
    if anchor(subject_code) in taken:
        raise ProficioError(
            f"subject code '{subject_code}' is already used in {content} (by the "
            f"{taken[anchor(subject_code)].what}). Choose another with --subject."
        )
    taken[anchor(subject_code)] = _Holder(
        f"subject {subject_code} (this import)", subject_code, "subject"
    )
    placer = _Placer(
        package, mapping or {}, subject_code, taken, shared, points, generic, report, repeats
    )
    subject_item = None
    roots = package.roots
    if len(roots) == 1 and (roots[0].type or "").casefold() == "subject":
        subject_item = roots[0]
        report.place(subject_item, "subject", subject_code)
        report.entries[subject_item.index].role = "subject (the framework's top item)"
        roots = subject_item.ordered_children()
    placer.walk(roots, _Place(), 1 if subject_item is None else 2, None)
    placer.outside_levels()
    _apply_rubrics(package, placer, report)
    levels = _prune(placer, report)
    placer.finish()
    doc_title = (
        title
        or (subject_item and (subject_item.short or subject_item.full))
        or _clean(doc.get("title"))
        or subject_code
    )
    subject: dict[str, Any] = {"code": subject_code, "title": doc_title, "scale": scale_id}
    description = _clean(doc.get("description"))
    if description:
        subject["description"] = description
    doc_id, doc_uri = _node_id(doc)
    subject["case"] = {"identifier": doc_id, **({"uri": doc_uri} if doc_uri else {})}
    if school is not None:
        _carry_over(content / "subjects" / folder_slug, subject, levels, school.default_language)
    added = [f"level {lv['level']}" for lv in levels if "case" not in lv] + [
        f"topic {t['code']}" for lv in levels for t in lv["topics"] if "case" not in t
    ]
    undecided = [e for e in report.entries if not e.outcome]
    if undecided:  # a bug, never bad input
        raise AssertionError(f"items neither placed nor reported: {undecided[:3]}")
    return Plan(
        content,
        folder_slug,
        subject,
        levels,
        scale_yaml,
        school_yaml,
        report,
        added,
        package_path.name,
        _suggest(package, report, mapping or {}) if not levels else "",
    )


def _suggest(package: Package, report: Report, mapping: dict[str, str]) -> str:
    """The package's type most likely to hold learning targets: the one with the most leaves
    among the types none of whose items was placed, and not already meant as targets."""
    leaves: Counter[str] = Counter()
    placed: set[str] = set()
    for item in package.items.values():
        kind = item.type or UNTYPED
        role = mapping.get(kind.casefold(), DEFAULT_TYPE_ROLES.get(kind.casefold()))
        if report.entries[item.index].placed or role == "target":
            placed.add(kind)
        elif not item.children:
            leaves[kind] += 1
    ranked = [
        k for k, _ in sorted(leaves.items(), key=lambda kv: (-kv[1], kv[0])) if k not in placed
    ]
    return ranked[0] if ranked else ""


_ORDER = (
    "level",
    "code",
    "title",
    "short_title",
    "description",
    "order",
    "scale",
    "calculation",
    "completion",
    "rubric",
    "topics",
    "targets",
    "case",
)


def _ordered(node: dict[str, Any]) -> None:
    items = sorted(node.items(), key=lambda kv: _ORDER.index(kv[0]) if kv[0] in _ORDER else 99)
    node.clear()
    node.update(items)


def _merge_text(new: Any, old: Any, default: str) -> Any:
    """Keep the school's translations of a text the framework did not change."""
    if isinstance(old, dict) and isinstance(new, str) and old.get(default) == new:
        return old
    return new


def _carry_over(
    folder: Path, subject: dict[str, Any], levels: list[dict[str, Any]], default: str
) -> None:
    """Re-importing a framework keeps what the school added to it: translations of unchanged
    texts, extra rubric descriptors, and settings CASE does not carry (order, scale,
    calculation, completion)."""
    from ..content.yamlfile import read_yaml

    doc, _ = (
        read_yaml(folder / "subject.yaml") if (folder / "subject.yaml").is_file() else (None, [])
    )
    previous = doc.data if doc is not None and isinstance(doc.data, dict) else None
    if (
        not previous
        or (previous.get("case") or {}).get("identifier") != subject["case"]["identifier"]
    ):
        return
    for key in ("order", "calculation", "completion"):
        if key in previous:
            subject[key] = previous[key]
    for key in ("title", "description"):
        if key in subject:
            subject[key] = _merge_text(subject[key], previous.get(key), default)
    _ordered(subject)
    old: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("level-*.y*ml")):
        level_doc, _ = read_yaml(path)
        data = level_doc.data if level_doc is not None else None
        if not isinstance(data, dict):
            continue
        nodes = [data] + [t for t in data.get("topics") or [] if isinstance(t, dict)]
        nodes += [g for t in nodes[1:] for g in t.get("targets") or [] if isinstance(g, dict)]
        for node in nodes:
            ref = node.get("case")
            if isinstance(ref, dict) and ref.get("identifier"):
                old[ref["identifier"]] = node
    carried = {"level": ("completion",), "topic": (), "target": ("scale", "calculation")}
    for level in levels:
        kinds = [("level", level)] + [("topic", t) for t in level["topics"]]
        kinds += [("target", g) for t in level["topics"] for g in t["targets"]]
        for kind, node in kinds:
            before = old.get((node.get("case") or {}).get("identifier", ""))
            if before is None:
                continue
            for key in carried[kind]:
                if key in before:
                    node[key] = before[key]
            for key in ("title", "short_title", "description"):
                if key in node:
                    node[key] = _merge_text(node[key], before.get(key), default)
            if kind == "target" and isinstance(before.get("rubric"), dict):
                rubric = {Decimal(str(k)): v for k, v in (node.get("rubric") or {}).items()}
                for key, text in before["rubric"].items():
                    try:
                        point = Decimal(str(key))
                    except InvalidOperation:
                        continue
                    rubric[point] = (
                        _merge_text(rubric[point], text, default) if point in rubric else text
                    )
                node["rubric"] = {
                    json_number(k): v for k, v in sorted(rubric.items(), reverse=True)
                }
            _ordered(node)


def _existing_school(content: Path) -> School | None:
    if not (content / "school.yaml").is_file():
        return None
    result = load(content)
    return result.school if result.school is not None else None


def _choose_scale(
    school: School | None, content: Path, scale_id: str | None
) -> tuple[str, dict[str, Any] | None, list[Decimal], dict[Decimal, str]]:
    scales = school.scales if school else {}
    if scale_id is None:
        if len(scales) == 1:
            scale_id = next(iter(scales))
        elif not scales:
            scale_id = "marzano-4"
        else:
            raise ProficioError(
                f"the school has several scales ({', '.join(sorted(scales))}): say which one the "
                "imported targets use with --scale."
            )
    if scale_id in scales:
        assert school is not None  # without a school there are no scales
        scale = scales[scale_id]
        generic = {
            p.value: school.text(p.descriptor, school.default_language) for p in scale.points
        }
        return scale_id, None, [p.value for p in scale.points], generic
    if (content / "scales").is_dir() and any((content / "scales").glob(f"{scale_id}.y*ml")):
        raise ProficioError(
            f"the scale file for '{scale_id}' has errors; run `proficio validate {content}`."
        )
    if scale_id not in BUILTIN_SCALES:
        raise ProficioError(
            f"unknown scale '{scale_id}': the content has {', '.join(sorted(scales)) or 'no scales'}, and "
            f"the scales the import can create are {', '.join(BUILTIN_SCALES)}."
        )
    data = BUILTIN_SCALES[scale_id]
    points = [Decimal(str(p["value"])) for p in data["points"]]
    return (
        scale_id,
        data,
        points,
        {v: p["descriptor"] for v, p in zip(points, data["points"], strict=True)},
    )


def _slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60].strip("-")
    return slug or "imported"


def _apply_rubrics(package: Package, placer: _Placer, report: Report) -> None:
    """CFRubrics: each criterion's levels become descriptors of the target its CFItemURI names."""
    for rubric in package.rubrics:
        for criterion in rubric.get("CFRubricCriteria") or []:
            if not isinstance(criterion, dict):
                continue
            target_id, _ = _node_id(criterion.get("CFItemURI"))
            target = placer.targets_by_id.get(target_id or "")
            name = f"CFRubricCriterion {criterion.get('identifier')}"
            if target is None:
                report.notes.append(
                    f"{name} refers to {target_id}, which is not a placed learning target: its levels are not used."
                )
                continue
            for level in criterion.get("CFRubricCriterionLevels") or []:
                score = _sequence(level.get("score")) if isinstance(level, dict) else None
                text = _clean(level.get("description")) if isinstance(level, dict) else ""
                if score is None or not text:
                    continue
                if score not in placer.points:
                    report.notes.append(
                        f"{name}: level score {decimal_text(score)} is not a point of the scale; not used."
                    )
                    continue
                if placer.generic.get(score) == text:
                    continue  # the scale's own descriptor, repeated by the export: nothing to add
                target.setdefault("rubric", {})[json_number(score)] = text


def _prune(placer: _Placer, report: Report) -> list[dict[str, Any]]:
    """Drop topics and levels left without targets (reporting their items), number levels 1..n,
    put rubric keys highest first, and take out the import's working keys."""
    kept_levels = []
    for level in placer.levels:
        topics = []
        for topic in level["topics"]:
            item = topic.pop("_item")
            topic.pop("_parent", None)
            if topic["targets"]:
                topics.append(topic)
                _case_last(topic)
                for target in topic["targets"]:
                    target.pop("_item")
                    target.pop("_rubrics")
                    if "rubric" in target:
                        target["rubric"] = dict(sorted(target["rubric"].items(), reverse=True))
                    _case_last(target)
            elif item is not None:
                _empty(
                    placer, report, item, "a measurement topic needs at least one learning target"
                )
        item = level.pop("_item")
        if topics:
            level["topics"] = topics
            _case_last(level)
            kept_levels.append(level)
        elif item is not None:
            _empty(placer, report, item, "a level needs at least one measurement topic")
    for number, level in enumerate(kept_levels, 1):
        level["level"] = number
        if level.get("title") == f"Level {number}":
            del level["title"]
    return kept_levels


def _empty(placer: _Placer, report: Report, item: Item, need: str) -> None:
    """A topic or level with nothing under it: already in the school, or reported."""
    there = placer.shared.get(item.identifier)
    if there is not None:
        report.share(
            item,
            there.code,
            f"{there.what} has the same CASE identifier, and nothing under it is new.",
        )
        return
    key = item.type or UNTYPED
    below = _descendants(item)
    kept = [d for d in below if report.entries[d.index].placed]
    repeats = [d for d in below if report.entries[d.index].reason.startswith("the same standard")]
    why = f"no learning targets under it ({need})"
    if repeats:
        why += (
            f": {'its' if len(repeats) != 1 else 'the'} {_n(len(repeats), 'standard')} under it "
            f"{'repeat standards' if len(repeats) != 1 else 'repeats a standard'} placed "
            "elsewhere (--repeats each places them here too)"
        )
    if kept:
        why += (
            f"; the {_n(len(kept), 'item')} placed under it are kept. Map '{key}=flatten' to leave "
            "this tier out knowingly"
        )
    report.skip(item, why + ".")


def _case_last(node: dict[str, Any]) -> None:
    """Provenance goes after what a teacher edits, so the YAML reads well."""
    if "case" in node:
        node["case"] = node.pop("case")


# -- writing ---------------------------------------------------------------------------------


def write_plan(plan: Plan, *, replace: bool = False) -> list[Path]:
    """Write the plan: other files atomically, the subject folder swapped in whole, then the
    content is validated; on any error the previous subject folder is put back."""
    content = plan.content
    folder = content / "subjects" / plan.slug
    subject_file = folder / "subject.yaml"
    if subject_file.exists() and not replace:
        from ..content.yamlfile import read_yaml

        current, _ = read_yaml(subject_file)
        data = current.data if current is not None and isinstance(current.data, dict) else {}
        ours = (
            (data.get("case") or {}).get("identifier")
            if isinstance(data.get("case"), dict)
            else None
        )
        if ours != plan.subject["case"]["identifier"]:
            raise ProficioError(
                f"{folder} already holds a subject that was not imported from this framework. "
                "Choose another folder with --slug, or pass --replace to overwrite it."
            )
    files = plan.files()
    created = []
    for path, text in files.items():
        if path.parent != folder:
            if path.exists():
                continue
            write_text(path, text, private=False)
            created.append(path)
    # Outside subjects/ (the loader must not see them), on the same file system (rename).
    staging = content / f".import-{plan.slug}.new"
    backup = content / f".import-{plan.slug}.previous"
    for tmp in (staging, backup):
        if tmp.exists():
            shutil.rmtree(tmp)
    staging.mkdir(parents=True)
    for path, text in files.items():
        if path.parent == folder:
            (staging / path.name).write_text(text, encoding="utf-8")
    folder.parent.mkdir(parents=True, exist_ok=True)
    had_old = folder.exists()
    if had_old:
        folder.rename(backup)
    staging.rename(folder)
    result = load(content)
    if result.errors:
        shutil.rmtree(folder)
        if had_old:
            backup.rename(folder)
        for path in created:
            path.unlink(missing_ok=True)
        raise ProficioError(
            "the imported content does not validate, so nothing was kept:\n"
            + "\n".join(str(d) for d in result.errors[:20])
        )
    if had_old:
        shutil.rmtree(backup)
    return sorted(files)
