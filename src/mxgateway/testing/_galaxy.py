"""The simulated galaxy: its objects, their attributes and change patterns, users.

A galaxy file is TOML. Users for AuthenticateUser / ArchestrAUserToId::

    [users.operator]
    password = "operator-pass"
    id = 101                 # optional; default 100 + position in name order

Each attribute is a table under ``attributes`` named ``Object.Attribute``
(``Object.Attribute[]`` for an array)::

    [attributes."Tank1.Level"]
    type = "double"          # bool int32 int64 float double string time elapsed_time
    initial = 50.0           # required; a list for an array; time: ISO 8601 text
                             # or a TOML date-time (UTC if naive); elapsed_time: seconds
    pattern = "random_walk"  # constant (default) | ramp | random_walk | toggle
    step = 0.5               # ramp: added every period; random_walk: +/- per period
    period_ms = 250          # default 1000
    min = 0.0                # ramp wraps within min..max, random_walk is clamped to it
    max = 100.0
    writable = true          # default true; false: writes fail (read-only)
    security = "free"        # free (default) | secured | verified
    alarm_above = 95.0       # optional: alarm "<name>.HiAlarm" while the value is above
    historized = false       # repository metadata: the attribute is historized
    security_classification = "free_access"
                             # repository metadata, see SECURITY_CLASSIFICATIONS

``toggle`` flips a bool every period; array attributes keep their value
until written. Values move on the simulator's clock, so tests can drive
time; a write restarts the pattern from the written value.
``security_classification`` defaults from ``security`` (free: free_access,
secured: secured_write, verified: verified_write) and, given alone, sets
it; the two must agree, and ``view_only`` needs ``writable = false``.

The object hierarchy that GalaxyRepository browses::

    [categories]                 # category name = category_id
    Area = 13
    Tank = 20

    [templates."$Tank"]
    derived_from = "$Vessel"     # optional; the template chain is $Tank, $Vessel, ...
    category = "Tank"            # optional; the category of the instances
    [templates."$Tank".attributes.Level]   # every instance gets <tag>.Level
    type = "double"
    initial = 50.0

    [areas.Plant]                # an area, tag name Plant, a root
    [areas.TankFarm]
    parent = "Plant"             # areas nest in areas

    [objects.Tank1]
    template = "$Tank"
    parent = "TankFarm"          # an area or an object that contains this one
    contained_name = "Tank1"     # default: the tag name
    browse_name = "Tank 1"       # default: the contained name
    category = "Tank"            # default: the nearest template's that has one
    id = 42                      # gobject id; default: the next free one in file order
    [objects.Tank1.attributes.Level]       # fields over the template's Level,
    initial = 30.0                         # or a new attribute of this object

Areas take the same fields as objects. Attribute tables on templates and
objects take the attribute fields above; a derived template or an object
overrides its template's attribute field by field. An ``[attributes]``
entry belongs to the object named before its first dot; an object not
declared under ``[areas]`` or ``[objects]`` becomes a root object of its
own (so a file with only ``[attributes]`` still browses). The contained
path is the contained names from the root down, joined by ``/``.
Unknown fields, types, patterns, security values, and references to
templates, categories or parents that do not exist raise ``GalaxyError``
naming the attribute, object or template.
"""

from __future__ import annotations

import dataclasses
import random
import tomllib
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from mxgateway._core.values import MxType, encode_value, parse_text_value
from mxgateway._errors import ValueConversionError
from mxgateway.generated import mxaccess_gateway_pb2 as pb

PATTERNS = ("constant", "ramp", "random_walk", "toggle")
SECURITY = ("free", "secured", "verified")
# ArchestrA's security classification numbers (MxSecurityClassification).
SECURITY_CLASSIFICATIONS = {
    "free_access": 0,
    "operate": 1,
    "secured_write": 2,
    "verified_write": 3,
    "tune": 4,
    "configure": 5,
    "view_only": 6,
}
_CLASSIFICATION_OF_SECURITY = {
    "free": "free_access",
    "secured": "secured_write",
    "verified": "verified_write",
}
# GalaxyAttribute.data_type: the MxDataType number the attribute's values carry in MxValue.data_type.
DATA_TYPES = {
    MxType.BOOL: pb.MX_DATA_TYPE_BOOLEAN,
    MxType.INT32: pb.MX_DATA_TYPE_INTEGER,
    MxType.INT64: pb.MX_DATA_TYPE_INTEGER,
    MxType.FLOAT: pb.MX_DATA_TYPE_FLOAT,
    MxType.DOUBLE: pb.MX_DATA_TYPE_DOUBLE,
    MxType.STRING: pb.MX_DATA_TYPE_STRING,
    MxType.TIME: pb.MX_DATA_TYPE_TIME,
    MxType.ELAPSED_TIME: pb.MX_DATA_TYPE_ELAPSED_TIME,
}
PATH_SEPARATOR = "/"

_ATTRIBUTE_FIELDS = frozenset(
    {
        "type",
        "initial",
        "pattern",
        "step",
        "period_ms",
        "min",
        "max",
        "writable",
        "security",
        "alarm_above",
        "historized",
        "security_classification",
    }
)
_OBJECT_FIELDS = frozenset(
    {"id", "template", "parent", "contained_name", "browse_name", "category", "attributes"}
)
_TEMPLATE_FIELDS = frozenset({"derived_from", "category", "attributes"})
# Characters a tag or contained name cannot hold: they separate references and paths.
_NAME_BREAKERS = frozenset(". /[]") | {"\t", "\n", "\r"}


class GalaxyError(ValueError):
    """The galaxy file is invalid; the message names the attribute, object or template."""


@dataclass
class Attribute:
    name: str
    mx_type: MxType
    initial: object
    pattern: str = "constant"
    step: float = 1.0
    period_ms: int = 1000
    minimum: float | None = None
    maximum: float | None = None
    writable: bool = True
    security: str = "free"
    alarm_above: float | None = None
    historized: bool = False
    security_classification: int = 0
    # Runtime state: the value last written or computed, and from when.
    _base_value: object = None
    _base_time: float = 0.0
    _walk: random.Random = field(default_factory=lambda: random.Random(0))
    _walk_steps: int = 0
    _walk_value: object = None

    @property
    def is_array(self) -> bool:
        return self.name.endswith("[]")

    @property
    def object_name(self) -> str:
        """The tag name of the object the attribute belongs to."""
        return self.name.partition(".")[0]

    @property
    def attribute_name(self) -> str:
        """The name within its object, without the array suffix (``History`` for ``Tank1.History[]``)."""
        return self.name.partition(".")[2].removesuffix("[]")

    @property
    def array_dimension(self) -> int:
        """The element count of an array attribute (its initial value's length); 0 for a scalar."""
        return len(self.initial) if self.is_array and isinstance(self.initial, list) else 0

    @property
    def is_alarm(self) -> bool:
        return self.alarm_above is not None

    @property
    def data_type(self) -> int:
        """The ``MxDataType`` number of its values (int32 and int64 are both INTEGER)."""
        return DATA_TYPES[self.mx_type]

    def definition(self) -> tuple[object, ...]:
        """Everything the galaxy file said about it (not its runtime state)."""
        return tuple(getattr(self, f.name) for f in dataclasses.fields(self) if not f.name.startswith("_"))

    def reset(self, now: float) -> None:
        self._base_value = self.initial
        self._base_time = now
        # crc32, not hash(): string hashes change between processes.
        self._walk = random.Random(zlib.crc32(self.name.encode()))
        self._walk_steps = 0
        self._walk_value = self.initial

    def value_at(self, now: float) -> object:
        """The value at simulator time ``now`` (seconds)."""
        if self.pattern == "constant" or self.is_array:
            return self._base_value
        ticks = max(int((now - self._base_time) * 1000 // max(self.period_ms, 1)), 0)
        if self.pattern == "toggle":
            return (
                bool(self._base_value) ^ (ticks % 2 == 1) if self.mx_type is MxType.BOOL else self._base_value
            )
        if self.pattern == "ramp":
            return self._bounded_number(self._base_value, self.step * ticks)
        while self._walk_steps < ticks:  # random_walk: reproducible per attribute
            self._walk_steps += 1
            delta = self._walk.choice((-self.step, self.step))
            self._walk_value = self._bounded_number(self._walk_value, delta)
        return self._walk_value

    def _bounded_number(self, base: object, delta: float) -> object:
        if self.mx_type is MxType.ELAPSED_TIME:
            assert isinstance(base, timedelta)
            return base + timedelta(seconds=delta)
        if not isinstance(base, int | float) or isinstance(base, bool):
            return base
        value = base + delta
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and high > low:
            span = high - low
            value = low + (value - low) % span if self.pattern == "ramp" else min(max(value, low), high)
        if self.mx_type in (MxType.INT32, MxType.INT64):
            return int(value)
        return float(value)

    def write(self, value: object, now: float) -> None:
        self._base_value = value
        self._base_time = now
        self._walk_value = value
        self._walk_steps = 0


@dataclass(frozen=True)
class DeployedObject:
    """One object (or area) of the galaxy as the repository describes it."""

    gobject_id: int
    tag_name: str
    contained_name: str
    contained_path: str
    browse_name: str
    template_chain: tuple[str, ...]
    category_id: int
    is_area: bool
    parent_gobject_id: int  # 0: a root
    attributes: tuple[str, ...]  # full names, keys of Galaxy.attributes, in definition order


@dataclass
class Galaxy:
    attributes: dict[str, Attribute]
    users: dict[str, tuple[str, int]]  # user name -> (password, user id)
    # The hierarchy; a Galaxy built without one gets a root object per attribute's object.
    objects: list[DeployedObject] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.objects and self.attributes:
            self.objects = _implicit_objects(self.attributes.values(), set(), {})

    def reset(self, now: float) -> None:
        for attribute in self.attributes.values():
            attribute.reset(now)

    def find(self, item: str) -> tuple[Attribute | None, bool]:
        """The attribute an item names, and whether the array suffix was missing."""
        attribute = self.attributes.get(item)
        if attribute is not None:
            return attribute, False
        array = self.attributes.get(item + "[]")
        return (array, True) if array is not None else (None, False)

    def replace_with(self, new: Galaxy, now: float) -> None:
        """Become ``new`` (a redeploy), in place so every session sees it.

        An attribute whose definition did not change keeps running (its value
        and subscriptions carry on); changed and new ones start from their
        initial value. Items added before keep the attribute they resolved to.
        """
        merged: dict[str, Attribute] = {}
        for name, attribute in new.attributes.items():
            old = self.attributes.get(name)
            if old is not None and old.definition() == attribute.definition():
                merged[name] = old
            else:
                attribute.reset(now)
                merged[name] = attribute
        self.attributes = merged
        self.users = new.users
        self.objects = new.objects


# ------------------------------------------------------------------ attributes


def _convert(name: str, mx_type: MxType, raw: object) -> object:
    if isinstance(raw, list):
        return [_convert(name, mx_type, item) for item in raw]
    if mx_type is MxType.TIME:
        if isinstance(raw, datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
        return parse_text_value(str(raw), mx_type)
    if mx_type is MxType.ELAPSED_TIME:
        return timedelta(seconds=float(raw))  # type: ignore[arg-type]
    if mx_type in (MxType.FLOAT, MxType.DOUBLE) and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if mx_type is MxType.BOOL and not isinstance(raw, bool):
        raise GalaxyError(f"attribute {name!r}: initial must be true or false")
    return raw


def _flag(name: str, spec: Mapping[str, Any], key: str, default: bool) -> bool:
    value = spec.get(key, default)
    if not isinstance(value, bool):
        raise GalaxyError(f"attribute {name!r}: {key} must be true or false")
    return value


def _security(name: str, spec: Mapping[str, Any], writable: bool) -> tuple[str, int]:
    """The runtime security and the repository's classification number, each defaulting from the other."""
    security = spec.get("security")
    classification = spec.get("security_classification")
    if security is not None and security not in SECURITY:
        raise GalaxyError(f"attribute {name!r}: security must be one of {', '.join(SECURITY)}")
    if classification is not None and classification not in SECURITY_CLASSIFICATIONS:
        choices = ", ".join(SECURITY_CLASSIFICATIONS)
        raise GalaxyError(f"attribute {name!r}: security_classification must be one of {choices}")
    if classification is None:
        classification = _CLASSIFICATION_OF_SECURITY[security or "free"]
    implied = {"secured_write": "secured", "verified_write": "verified"}.get(classification, "free")
    if security is None:
        security = implied
    elif security != implied:
        raise GalaxyError(
            f"attribute {name!r}: security {security!r} does not agree with "
            f"security_classification {classification!r}"
        )
    if classification == "view_only" and writable:
        raise GalaxyError(f"attribute {name!r}: security_classification view_only needs writable = false")
    return security, SECURITY_CLASSIFICATIONS[classification]


def _number(name: str, spec: Mapping[str, Any], key: str, default: float) -> float:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GalaxyError(f"attribute {name!r}: {key} must be a number")
    return float(value)


def _optional_number(name: str, spec: Mapping[str, Any], key: str) -> Any:
    """A number as the file gave it (an int stays an int), or None."""
    if spec.get(key) is None:
        return None
    _number(name, spec, key, 0.0)
    return spec[key]


def _attribute(name: str, spec: Mapping[str, Any]) -> Attribute:
    unknown = set(spec) - _ATTRIBUTE_FIELDS
    if unknown:
        raise GalaxyError(f"attribute {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        mx_type = MxType.parse(spec.get("type", "double"))
    except ValueError as exc:
        raise GalaxyError(f"attribute {name!r}: {exc}") from None
    pattern = spec.get("pattern", "constant")
    if pattern not in PATTERNS:
        raise GalaxyError(f"attribute {name!r}: pattern must be one of {', '.join(PATTERNS)}")
    writable = _flag(name, spec, "writable", True)
    security, classification = _security(name, spec, writable)
    if "initial" not in spec:
        raise GalaxyError(f"attribute {name!r}: initial value missing")
    if name.endswith("[]") != isinstance(spec["initial"], list):
        raise GalaxyError(f"attribute {name!r}: array attributes end in [] and have a list as initial value")
    period = int(_number(name, spec, "period_ms", 1000))
    if period <= 0:
        raise GalaxyError(f"attribute {name!r}: period_ms must be positive")
    try:
        initial = _convert(name, mx_type, spec["initial"])
        encode_value(initial, mx_type)  # what a data change will send must be sendable
    except (TypeError, ValueError, ValueConversionError) as exc:
        raise GalaxyError(f"attribute {name!r}: bad initial value: {exc}") from None
    return Attribute(
        name=name,
        mx_type=mx_type,
        initial=initial,
        pattern=pattern,
        step=_number(name, spec, "step", 1.0),
        period_ms=period,
        minimum=_optional_number(name, spec, "min"),
        maximum=_optional_number(name, spec, "max"),
        writable=writable,
        security=security,
        alarm_above=_optional_number(name, spec, "alarm_above"),
        historized=_flag(name, spec, "historized", False),
        security_classification=classification,
    )


# ------------------------------------------------------------------ hierarchy


def _table(owner: str, value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise GalaxyError(f"{owner}: {what} must be a table")
    return value


def _text(owner: str, spec: Mapping[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise GalaxyError(f"{owner}: {key} must be a string")
    return value


def _check_name(owner: str, what: str, name: str) -> None:
    if not name or any(char in _NAME_BREAKERS for char in name):
        raise GalaxyError(
            f"{owner}: {what} {name!r} must be non-empty, without dots, slashes, brackets or spaces"
        )


def _categories(document: Mapping[str, Any]) -> dict[str, int]:
    categories: dict[str, int] = {}
    for name, value in _table("galaxy file", document.get("categories", {}), "[categories]").items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise GalaxyError(f"category {name!r}: its id must be a non-negative integer")
        categories[name] = value
    return categories


def _category(owner: str, spec: Mapping[str, Any], categories: Mapping[str, int]) -> int | None:
    name = _text(owner, spec, "category")
    if name is None:
        return None
    if name not in categories:
        raise GalaxyError(f"{owner}: category {name!r} is not defined under [categories]")
    return categories[name]


def _attribute_specs(owner: str, spec: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    specs = _table(owner, spec.get("attributes", {}), "attributes")
    for attribute, fields in specs.items():
        unknown = set(_table(f"{owner} attribute {attribute!r}", fields, "an attribute")) - _ATTRIBUTE_FIELDS
        if unknown:
            raise GalaxyError(
                f"{owner} attribute {attribute!r}: unknown field(s) {', '.join(sorted(unknown))}"
            )
        if not attribute.removesuffix("[]") or attribute.startswith("."):
            raise GalaxyError(f"{owner}: attribute name {attribute!r} is not valid")
    return specs


def _merge(
    base: Mapping[str, dict[str, Any]], extra: Mapping[str, dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Attribute specs of ``base`` with ``extra``'s fields laid over them, field by field."""
    merged = {name: dict(fields) for name, fields in base.items()}
    for name, fields in extra.items():
        merged.setdefault(name, {}).update(fields)
    return merged


@dataclass
class _Template:
    chain: tuple[str, ...]
    category_id: int | None
    attributes: dict[str, dict[str, Any]]


def _templates(document: Mapping[str, Any], categories: Mapping[str, int]) -> dict[str, _Template]:
    raw = _table("galaxy file", document.get("templates", {}), "[templates]")
    resolved: dict[str, _Template] = {}

    def resolve(name: str, seen: tuple[str, ...]) -> _Template:
        if name in resolved:
            return resolved[name]
        owner = f"template {name!r}"
        if name in seen:
            raise GalaxyError(f"{owner}: derived_from loops back to itself ({' -> '.join((*seen, name))})")
        spec = _table(owner, raw[name], "a template")
        unknown = set(spec) - _TEMPLATE_FIELDS
        if unknown:
            raise GalaxyError(f"{owner}: unknown field(s) {', '.join(sorted(unknown))}")
        own = _attribute_specs(owner, spec)
        category = _category(owner, spec, categories)
        base_name = _text(owner, spec, "derived_from")
        if base_name is None:
            template = _Template((name,), category, own)
        else:
            if base_name not in raw:
                raise GalaxyError(f"{owner}: derived_from {base_name!r} is not a template")
            base = resolve(base_name, (*seen, name))
            template = _Template(
                (name, *base.chain),
                category if category is not None else base.category_id,
                _merge(base.attributes, own),
            )
        resolved[name] = template
        return template

    for name in raw:
        resolve(name, ())
    return resolved


@dataclass
class _Declared:
    """An area or object as the file declares it, before ids and paths are known."""

    tag: str
    is_area: bool
    owner: str
    gobject_id: int | None
    parent: str | None
    contained_name: str
    browse_name: str | None
    template: _Template | None
    category_id: int
    attributes: dict[str, dict[str, Any]]


def _declared(
    document: Mapping[str, Any], templates: Mapping[str, _Template], categories: Mapping[str, int]
) -> list[_Declared]:
    declared: list[_Declared] = []
    for section, is_area in (("areas", True), ("objects", False)):
        kind = "area" if is_area else "object"
        for tag, raw in _table("galaxy file", document.get(section, {}), f"[{section}]").items():
            owner = f"{kind} {tag!r}"
            _check_name(owner, "tag name", tag)
            spec = _table(owner, raw, f"an {kind}")
            unknown = set(spec) - _OBJECT_FIELDS
            if unknown:
                raise GalaxyError(f"{owner}: unknown field(s) {', '.join(sorted(unknown))}")
            gobject_id = spec.get("id")
            if gobject_id is not None and (
                isinstance(gobject_id, bool) or not isinstance(gobject_id, int) or gobject_id <= 0
            ):
                raise GalaxyError(f"{owner}: id must be a positive integer")
            template_name = _text(owner, spec, "template")
            template = None
            if template_name is not None:
                template = templates.get(template_name)
                if template is None:
                    raise GalaxyError(f"{owner}: template {template_name!r} is not defined under [templates]")
            category = _category(owner, spec, categories)
            if category is None:
                category = template.category_id if template and template.category_id is not None else 0
            contained_name = _text(owner, spec, "contained_name")
            contained_name = tag if contained_name is None else contained_name
            _check_name(owner, "contained name", contained_name)
            own = _attribute_specs(owner, spec)
            declared.append(
                _Declared(
                    tag=tag,
                    is_area=is_area,
                    owner=owner,
                    gobject_id=gobject_id,
                    parent=_text(owner, spec, "parent"),
                    contained_name=contained_name,
                    browse_name=_text(owner, spec, "browse_name"),
                    template=template,
                    category_id=category,
                    attributes=_merge(template.attributes, own) if template else own,
                )
            )
    return declared


class _Ids:
    """Gobject ids: explicit ones as given, the rest the next free number in file order."""

    def __init__(self, taken: Iterable[int]) -> None:
        self._taken = set(taken)
        self._next = 1

    def next(self) -> int:
        while self._next in self._taken:
            self._next += 1
        self._taken.add(self._next)
        return self._next


def _implicit_objects(
    attributes: Iterable[Attribute], taken_ids: set[int], known: Mapping[str, DeployedObject]
) -> list[DeployedObject]:
    """A root object for every attribute owner the file did not declare (``known`` is by casefolded tag)."""
    ids = _Ids(taken_ids | {o.gobject_id for o in known.values()})
    owners: dict[str, tuple[str, list[str]]] = {}  # casefolded tag -> (tag as first spelled, members)
    for attribute in attributes:
        key = attribute.object_name.casefold()
        if key not in known:
            owners.setdefault(key, (attribute.object_name, []))[1].append(attribute.name)
    return [
        DeployedObject(
            gobject_id=ids.next(),
            tag_name=tag,
            contained_name=tag,
            contained_path=tag,
            browse_name=tag,
            template_chain=(),
            category_id=0,
            is_area=False,
            parent_gobject_id=0,
            attributes=tuple(members),
        )
        for tag, members in owners.values()
    ]


def _hierarchy(
    declared: list[_Declared], loose: Mapping[str, Attribute]
) -> tuple[list[DeployedObject], dict[str, Attribute]]:
    """Every object with its id, parent, path and attributes; and every attribute by full name."""
    by_tag: dict[str, _Declared] = {}
    explicit: dict[int, str] = {}
    for item in declared:
        key = item.tag.casefold()
        if key in by_tag:
            raise GalaxyError(f"{item.owner}: the tag name is already used by {by_tag[key].owner}")
        by_tag[key] = item
        if item.gobject_id is not None:
            if item.gobject_id in explicit:
                raise GalaxyError(
                    f"{item.owner}: id {item.gobject_id} is already used by {explicit[item.gobject_id]}"
                )
            explicit[item.gobject_id] = item.owner
    ids = _Ids(explicit)
    gobject_ids = {
        item.tag: item.gobject_id if item.gobject_id is not None else ids.next() for item in declared
    }

    parents: dict[str, _Declared | None] = {}
    for item in declared:
        parent = None
        if item.parent is not None:
            parent = by_tag.get(item.parent.casefold())
            if parent is None:
                raise GalaxyError(f"{item.owner}: parent {item.parent!r} is not a declared area or object")
            if item.is_area and not parent.is_area:
                raise GalaxyError(f"{item.owner}: an area's parent must be an area, not {parent.owner}")
        parents[item.tag] = parent

    paths: dict[str, str] = {}

    def path_of(item: _Declared, seen: tuple[str, ...]) -> str:
        if item.tag in paths:
            return paths[item.tag]
        if item.tag in seen:
            raise GalaxyError(f"{item.owner}: its parents loop back to it ({' -> '.join((*seen, item.tag))})")
        parent = parents[item.tag]
        prefix = path_of(parent, (*seen, item.tag)) + PATH_SEPARATOR if parent else ""
        paths[item.tag] = prefix + item.contained_name
        return paths[item.tag]

    siblings: dict[str, str] = {}
    for item in declared:
        key = path_of(item, ()).casefold()
        if key in siblings:
            raise GalaxyError(
                f"{item.owner}: contained path {paths[item.tag]!r} is already used by {siblings[key]}"
            )
        siblings[key] = item.owner

    attributes: dict[str, Attribute] = {}
    members: dict[str, list[str]] = {item.tag: [] for item in declared}
    for item in declared:
        for attribute_name, spec in item.attributes.items():
            attribute = _attribute(f"{item.tag}.{attribute_name}", spec)
            attributes[attribute.name] = attribute
            members[item.tag].append(attribute.name)
    for name, attribute in loose.items():
        if "." not in name or not attribute.attribute_name:
            raise GalaxyError(f"attribute {name!r}: name it Object.Attribute")
        _check_name(f"attribute {name!r}", "object name", attribute.object_name)
        owner = by_tag.get(attribute.object_name.casefold())
        clash = name if name in attributes else (name + "[]" if name + "[]" in attributes else None)
        if clash is None and name.endswith("[]") and name[:-2] in attributes:
            clash = name[:-2]
        if clash is not None:
            raise GalaxyError(f"attribute {name!r}: {clash!r} is also defined by its object or template")
        attributes[name] = attribute
        if owner is not None:
            members[owner.tag].append(name)

    objects: list[DeployedObject] = []
    for item in declared:
        parent = parents[item.tag]
        objects.append(
            DeployedObject(
                gobject_id=gobject_ids[item.tag],
                tag_name=item.tag,
                contained_name=item.contained_name,
                contained_path=paths[item.tag],
                browse_name=item.browse_name or item.contained_name,
                template_chain=item.template.chain if item.template else (),
                category_id=item.category_id,
                is_area=item.is_area,
                parent_gobject_id=gobject_ids[parent.tag] if parent else 0,
                attributes=tuple(members[item.tag]),
            )
        )
    known = {o.tag_name.casefold(): o for o in objects}
    for implicit in _implicit_objects(loose.values(), set(explicit), known):
        if implicit.contained_path.casefold() in siblings:
            used_by = siblings[implicit.contained_path.casefold()]
            raise GalaxyError(
                f"attribute {implicit.attributes[0]!r}: its object {implicit.tag_name!r} is not declared, "
                f"and the root path {implicit.contained_path!r} is already used by {used_by}"
            )
        objects.append(implicit)
    return sorted(objects, key=lambda o: o.gobject_id), attributes


# ------------------------------------------------------------------ loading


def parse_galaxy(text: str) -> Galaxy:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GalaxyError(f"galaxy file is not valid TOML: {exc}") from None
    categories = _categories(document)
    templates = _templates(document, categories)
    declared = _declared(document, templates, categories)
    loose_specs = _table("galaxy file", document.get("attributes", {}), "[attributes]")
    loose = {
        name: _attribute(name, _table(f"attribute {name!r}", spec, "an attribute"))
        for name, spec in loose_specs.items()
    }
    objects, declared_first = _hierarchy(declared, loose)
    # [attributes] entries keep the file's order, first: sessions and alarms iterate in it.
    attributes = {**loose, **{n: a for n, a in declared_first.items() if n not in loose}}
    if not attributes:
        raise GalaxyError("galaxy file defines no [attributes] (directly, or through objects and templates)")
    users: dict[str, tuple[str, int]] = {}
    for index, (user, raw) in enumerate(
        sorted(_table("galaxy file", document.get("users", {}), "[users]").items()), 1
    ):
        spec = _table(f"user {user!r}", raw, "a user")
        if "password" not in spec:
            raise GalaxyError(f"user {user!r}: password missing")
        user_id = spec.get("id", 100 + index)
        if isinstance(user_id, bool) or not isinstance(user_id, int):
            raise GalaxyError(f"user {user!r}: id must be an integer")
        users[user] = (str(spec["password"]), user_id)
    return Galaxy(attributes=attributes, users=users, objects=objects)


def read_galaxy_text(path: str | Path | None = None) -> str:
    """The text of a galaxy file, or of the default galaxy shipped with the package."""
    if path is None:
        return resources.files("mxgateway.testing").joinpath("default_galaxy.toml").read_text("utf-8")
    try:
        return Path(path).read_text("utf-8")
    except OSError as exc:
        raise GalaxyError(f"cannot read galaxy file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise GalaxyError(f"galaxy file {path} is not UTF-8 text: {exc}") from None


def load_galaxy(path: str | Path | None = None) -> Galaxy:
    """Load a galaxy file, or the default galaxy shipped with the package."""
    return parse_galaxy(read_galaxy_text(path))
