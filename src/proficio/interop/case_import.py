"""Import a 1EdTech CASE 1.0/1.1 CFPackage (a local file; nothing is fetched) as Proficio YAML.

The framework tree comes from ``isChildOf`` associations (origin = child, destination = parent),
ordered by ``sequenceNumber`` (numbers or numeric strings), then ``listEnumeration``, then
``humanCodingScheme``. Each CFItem gets a role - level, topic, target, rubric, skip - from the
user's mapping of CFItemTypes (or of depths), from sensible defaults for common type names, or,
for a package without any CFItemTypes, from the shape of the tree. Every CFItem ends up either
placed (with its CASE identifier and URI as ``case:`` provenance) or listed in the report with
the reason, so nothing is dropped silently. The YAML written is deterministic: importing the same
package again gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from ..content.loader import load
from ..content.model import School
from ..errors import ProficioError
from ..support.files import write_text
from ..support.numbers import decimal_text, json_number

ROLES = ("level", "topic", "target", "rubric", "skip", "auto")

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


@dataclass
class Item:
    """A CFItem with its place in the tree."""

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
class Report:
    """What an import did with every CFItem."""

    read: int = 0
    placed: list[str] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    """(item label, reason) for every CFItem not placed."""
    notes: list[str] = field(default_factory=list)
    """Things changed on the way in (codes derived or repaired, ignored associations, ...)."""

    def place(self, item: Item) -> None:
        self.placed.append(item.identifier)

    def skip(self, item: Item, reason: str) -> None:
        self.unplaced.append((item.label, reason))

    @property
    def reported(self) -> int:
        return len(self.unplaced)


@dataclass
class Package:
    document: dict[str, Any]
    items: dict[str, Item]
    roots: list[Item]
    rubrics: list[dict[str, Any]]
    typed: bool
    """Whether any item has a CFItemType (if none has, roles come from the tree's shape)."""


def read_package(path: Path, report: Report) -> Package:
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
    report.read = len(raw_items)
    for index, entry in enumerate(raw_items):
        if not isinstance(entry, dict):
            report.unplaced.append((f"CFItems[{index}]", "not a CFItem object"))
            continue
        identifier, uri = _node_id(entry)
        if not identifier:
            report.unplaced.append(
                (
                    f'CFItems[{index}] "{_clean(entry.get("fullStatement"))[:60]}"',
                    "it has no identifier",
                )
            )
            continue
        if identifier in items:
            report.unplaced.append(
                (
                    f"CFItems[{index}] [{identifier}]",
                    f"duplicate identifier (also CFItems[{items[identifier].index}]); the first one is used",
                )
            )
            continue
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
            report.notes.append(
                f"{child.label} is also a child of {parent_id}: placed only under its first parent ({child.parent})."
            )
            continue
        if parent_id == doc_id:
            child.parent = doc_id
            roots.append((key, child))
        elif parent_id in items:
            if trees.top(parent_id) == child.identifier:
                report.notes.append(
                    f"isChildOf from {child.label} to {parent_id} would make a cycle: ignored."
                )
                continue
            child.parent = parent_id
            trees.join(child.identifier, parent_id)
            items[parent_id].children.append((key, child))
        else:
            report.notes.append(
                f"{child.label} is a child of {parent_id}, which is neither the CFDocument nor a CFItem of this package: placed at the top."
            )
            child.parent = doc_id
            roots.append((key, child))
    for item in items.values():
        if item.parent is None:
            report.notes.append(
                f"{item.label} has no isChildOf association: placed at the top of the framework."
            )
            item.parent = doc_id
            roots.append(((True, 0, _natural(None), _natural(item.code), 10**9 + item.index), item))
    for kind, n in sorted(ignored.items()):
        report.notes.append(
            f"{n} {kind} association{'s' if n != 1 else ''} not used (Proficio keeps only the isChildOf tree)."
        )
    _check_depth(path, [item for _, item in roots], items, report)
    return Package(
        document=document,
        items=items,
        roots=[item for _, item in sorted(roots, key=lambda pair: pair[0])],
        rubrics=[r for r in data.get("CFRubrics") or [] if isinstance(r, dict)],
        typed=any(item.type for item in items.values()),
    )


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
                    f"by commas, e.g. 'Cluster=topic,Standard=target', with ROLE one of: {', '.join(ROLES)}."
                )
            mapping[key.strip().casefold()] = role
    return mapping


@dataclass
class Draft:
    """The tree being built (plain dicts, in the order they will be written)."""

    subject: dict[str, Any]
    levels: list[dict[str, Any]] = field(default_factory=list)
    """Each: {'data': level yaml dict, 'items': [Item], 'added': reason or None}."""


@dataclass
class _Place:
    level: dict[str, Any] | None = None
    topic: dict[str, Any] | None = None
    target: dict[str, Any] | None = None


class _Placer:
    def __init__(
        self,
        package: Package,
        mapping: dict[str, str],
        subject_code: str,
        taken_codes: set[str],
        scale_points: list[Decimal],
        generic: dict[Decimal, str],
        report: Report,
    ) -> None:
        self.pkg = package
        self.mapping = mapping
        self.subject_code = subject_code
        self.taken = {c.casefold() for c in taken_codes}
        self.points = scale_points
        self.doc_title = _clean(package.document.get("title")) or subject_code
        self.generic = generic
        self.report = report
        self.levels: list[dict[str, Any]] = []
        self.targets_by_id: dict[str, dict[str, Any]] = {}
        self.heights: dict[str, int] = {}
        self.level_items: dict[int, Item] = {}

    # roles

    def role(self, item: Item, depth: int) -> str:
        if item.type and item.type.casefold() in self.mapping:
            return self.mapping[item.type.casefold()]
        if not item.type and self.pkg.typed and UNTYPED in self.mapping:
            return self.mapping[UNTYPED]
        if f"depth:{depth}" in self.mapping:
            return self.mapping[f"depth:{depth}"]
        if item.type:
            return DEFAULT_TYPE_ROLES.get(item.type.casefold(), "unmapped")
        return "auto" if not self.pkg.typed else "unmapped"

    def height(self, item: Item) -> int:
        if item.identifier not in self.heights:
            kids = item.ordered_children()
            self.heights[item.identifier] = 1 + max(map(self.height, kids)) if kids else 0
        return self.heights[item.identifier]

    # codes

    def claim(
        self, item: Item | None, *, required: bool, fallback: str | None = None
    ) -> str | None:
        raw = item.code if item else None
        code = None
        if raw:
            assert item is not None  # raw is only set from an item
            code = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-._")[:64]
            if code and not CODE_RE.match(code):
                code = None
            if code and code != raw:
                self.report.notes.append(
                    f"code '{raw}' of {item.label} became '{code}' (codes use letters, digits, '.', '-' and '_')."
                )
            if code and code.casefold() in self.taken:
                self.report.notes.append(
                    f"code '{code}' of {item.label} is already used; a code derived from its identifier is used instead."
                )
                code = None
        if code is None and not required:
            return None
        if code is None:
            seed = item.identifier if item else (fallback or "")
            digest = hashlib.sha1(seed.encode()).hexdigest().upper()
            for n in range(8, 41):
                code = f"{self.subject_code}.{digest[:n]}"
                if code.casefold() not in self.taken:
                    break
            if item and raw is None:
                self.report.notes.append(
                    f"{item.label} has no humanCodingScheme: code {code} derived from its identifier."
                )
        assert code is not None  # the loop above runs at least once
        self.taken.add(code.casefold())
        return code

    # building

    def new_level(self, item: Item | None) -> dict[str, Any]:
        level: dict[str, Any] = {"level": len(self.levels) + 1}
        code = self.claim(item, required=False)
        if code:
            level["code"] = code
        if item:
            title = item.short or item.full
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
                required=True,
                fallback=f"topic/{parent.identifier if parent else 'top'}/{level['level']}",
            )
            title = (parent.short or parent.full) if parent else self.doc_title
            topic: dict[str, Any] = {"code": code, "title": title}
        else:
            title = item.short or item.full or item.code or item.identifier
            topic = {"code": self.claim(item, required=True), "title": title}
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
        role = self.role(item, depth)
        kids = item.ordered_children()
        if role == "auto":
            role = self.infer(item, place)
        if role == "skip":
            self.skip_tree(item, "its CFItemType is mapped to skip")
            return
        if role == "unmapped":
            what = f"CFItemType '{item.type}'" if item.type else "an item without a CFItemType"
            key = item.type or UNTYPED
            self.report.skip(
                item,
                f"{what} has no Proficio tier. Map it with --map-types '{key}=target' (or level/topic/rubric), or '{key}=skip' to leave it out knowingly.",
            )
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
            self.report.place(item)
            self.walk(kids, _Place(level=level), depth + 1, item)
            return
        if role == "topic":
            level = place.level or self.implicit_level()
            topic: dict[str, Any] | None = self.new_topic(level, item, None)
            self.report.place(item)
            self.walk(kids, _Place(level=level, topic=topic), depth + 1, item)
            return
        # target
        level = place.level or self.implicit_level()
        topic = place.topic
        if topic is None:
            topic = self.implicit_topic(level, parent)
        target = self.target(item)
        topic["targets"].append(target)
        self.report.place(item)
        if place.target is not None:
            self.report.notes.append(
                f"{item.label} sits under learning target {place.target['code']}: placed as a learning target of the same measurement topic."
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

    def target(self, item: Item) -> dict[str, Any]:
        title = item.full or item.short or item.code or item.identifier
        if not item.full:
            self.report.notes.append(f"{item.label} has no fullStatement: its title is '{title}'.")
        target: dict[str, Any] = {"code": self.claim(item, required=True), "title": title}
        notes = _clean(item.data.get("notes"))
        if notes:
            target["description"] = notes
        target["case"] = _case(item)
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
        self.report.place(item)

    def skip_tree(self, item: Item, reason: str) -> None:
        self.report.skip(item, reason)
        for kid in item.ordered_children():
            self.skip_tree(kid, "it sits under an item that was left out")


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

    def files(self) -> dict[Path, str]:
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
        """The tree it would write, for ``--dry-run``."""
        lines = [f'subject {self.subject["code"]} "{self.subject["title"]}" -> {self.slug}/']
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
                    lines.append(
                        f'      target {target["code"]} "{_short(target["title"])}"{rubric}'
                    )
        return "\n".join(lines)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def plan_import(
    package_path: Path,
    content: Path,
    *,
    subject_code: str,
    slug: str | None = None,
    title: str | None = None,
    scale_id: str | None = None,
    mapping: dict[str, str] | None = None,
) -> Plan:
    """Read the package and decide everything the import writes (nothing is written here)."""
    if not CODE_RE.match(subject_code):
        raise ProficioError(
            f"subject code '{subject_code}' is not valid: use letters, digits, '.', '-' or '_' (e.g. MA)."
        )
    report = Report()
    package = read_package(package_path, report)
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
    existing = school.subjects if school else []
    other_codes: set[str] = set()
    for s in existing:
        if s.slug == folder_slug:
            continue
        other_codes.add(s.code)
        for level in s.levels:
            if level.code:
                other_codes.add(level.code)
            for topic in level.topics:
                other_codes.add(topic.code)
                other_codes.update(t.code for t in topic.targets)
    if subject_code.casefold() in {c.casefold() for c in other_codes}:
        raise ProficioError(
            f"subject code '{subject_code}' is already used in {content}. Choose another with --subject."
        )
    placer = _Placer(
        package, mapping or {}, subject_code, other_codes | {subject_code}, points, generic, report
    )
    subject_item = None
    roots = package.roots
    if len(roots) == 1 and (roots[0].type or "").casefold() == "subject":
        subject_item = roots[0]
        report.place(subject_item)
        roots = subject_item.ordered_children()
    placer.walk(roots, _Place(), 1 if subject_item is None else 2, None)
    _apply_rubrics(package, placer, report)
    levels = _prune(placer.levels, report)
    if not levels:
        raise ProficioError(
            f"no learning targets found in {package_path.name}: {report.reported} of {report.read} items "
            "could not be placed. Run with --dry-run and map the item types with --map-types "
            "(e.g. 'Standard=target')."
        )
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
    if len(report.placed) + report.reported != report.read:  # a bug, never bad input
        raise AssertionError("an item was neither placed nor reported")
    return Plan(content, folder_slug, subject, levels, scale_yaml, school_yaml, report, added)


_ORDER = (
    "level",
    "code",
    "title",
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
            for key in ("title", "description"):
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


def _prune(levels: list[dict[str, Any]], report: Report) -> list[dict[str, Any]]:
    """Drop topics and levels left without targets (reporting their items), number levels 1..n,
    and put rubric keys highest first."""
    kept_levels = []
    for level in levels:
        topics = []
        for topic in level["topics"]:
            item = topic.pop("_item")
            topic.pop("_parent", None)
            if topic["targets"]:
                topics.append(topic)
                _case_last(topic)
                for target in topic["targets"]:
                    if "rubric" in target:
                        target["rubric"] = dict(sorted(target["rubric"].items(), reverse=True))
                    _case_last(target)
            elif item is not None:
                report.placed.remove(item.identifier)
                report.skip(
                    item, "no learning targets under it (a measurement topic needs at least one)"
                )
        item = level.pop("_item")
        if topics:
            level["topics"] = topics
            _case_last(level)
            kept_levels.append(level)
        elif item is not None:
            report.placed.remove(item.identifier)
            report.skip(
                item, "no learning targets under it (a level needs at least one measurement topic)"
            )
    for number, level in enumerate(kept_levels, 1):
        level["level"] = number
        if level.get("title") == f"Level {number}":
            del level["title"]
    return kept_levels


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
