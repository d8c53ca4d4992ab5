"""The Galaxy repository without I/O: typed results, request building, paging limits.

``GalaxyObject`` is a read-only view of one repository message, made per
message of every page: its fields are read from the message when asked
for and its attributes (``GalaxyAttribute``, frozen) decoded on first
access, because a hierarchy of thousands of objects is usually scanned for
a few of them, and copying everything up front measured ten times the
parse.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

from mxgateway._core.commands import handle, text
from mxgateway._core.values import _enum_name, short_repr
from mxgateway._errors import ArgumentError
from mxgateway.generated import galaxy_repository_pb2 as gpb
from mxgateway.generated import mxaccess_gateway_pb2 as pb

MAX_PAGE_SIZE = 5_000  # the contract's cap; the server's default is 500
_INT32_MAX = 2**31 - 1

# ArchestrA's security classification numbers (MxSecurityClassification);
# the contract carries them as a bare int32.
SECURITY_CLASSIFICATIONS: dict[int, str] = {
    0: "FREE_ACCESS",
    1: "OPERATE",
    2: "SECURED_WRITE",
    3: "VERIFIED_WRITE",
    4: "TUNE",
    5: "CONFIGURE",
    6: "VIEW_ONLY",
}


def _name_of(number: int, names: dict[int, str]) -> str:
    found = names.get(number)
    return str(number) if found is None else found


@dataclass(frozen=True)
class GalaxyAttribute:
    """One attribute of a galaxy object.

    ``full_reference`` is what to add and advise (``Tank1.Level``, with
    ``[]`` for an array); ``data_type`` is the MxDataType name without its
    prefix (``"DOUBLE"``, ``"INTEGER"``, ...) and ``security_classification``
    ArchestrA's (``"FREE_ACCESS"``, ``"SECURED_WRITE"``, ...); a number
    this client has no name for is given as its digits.
    """

    name: str
    full_reference: str
    data_type: str
    is_array: bool
    array_dimension: int
    security_classification: str
    is_historized: bool
    is_alarm: bool

    @classmethod
    def from_proto(cls, message: gpb.GalaxyAttribute) -> Self:
        return cls(
            name=message.name,
            full_reference=message.full_reference,
            data_type=_enum_name(pb.MxDataType, message.data_type, "MX_DATA_TYPE_"),
            is_array=message.is_array,
            array_dimension=message.array_dimension,
            security_classification=_name_of(message.security_classification, SECURITY_CLASSIFICATIONS),
            is_historized=message.is_historized,
            is_alarm=message.is_alarm,
        )


class GalaxyObject:
    """One deployed object (or area) of the galaxy, as the repository describes it: read-only.

    ``parent_gobject_id`` is 0 for a root. ``has_children`` comes from a
    browse (whether the object has children at all, whatever the filters);
    it is None for objects of the whole hierarchy, where the repository
    does not say. ``attributes`` is empty when the browse left them out.
    ``raw`` is the message as received (do not change it).

    The fields are read from ``raw`` when asked for: a hierarchy of
    thousands of objects is made of one of these per message, and copying
    every field into each measured several times the parse. Every field is
    a property without a setter, so assigning one raises AttributeError.
    """

    __slots__ = ("_decoded", "_hint", "_raw")

    _raw: gpb.GalaxyObject
    _hint: bool | None
    _decoded: tuple[GalaxyAttribute, ...]

    def __init__(self, raw: gpb.GalaxyObject, has_children: bool | None = None) -> None:
        self._raw = raw
        self._hint = has_children

    @property
    def raw(self) -> gpb.GalaxyObject:
        return self._raw

    @property
    def has_children(self) -> bool | None:
        return self._hint

    @property
    def gobject_id(self) -> int:
        return self._raw.gobject_id

    @property
    def tag_name(self) -> str:
        return self._raw.tag_name

    @property
    def contained_name(self) -> str:
        return self._raw.contained_name

    @property
    def contained_path(self) -> str:
        return self._raw.contained_path

    @property
    def browse_name(self) -> str:
        return self._raw.browse_name

    @property
    def template_chain(self) -> tuple[str, ...]:
        """The object's template, then the one it derives from, and so on."""
        return tuple(self._raw.template_chain)

    @property
    def category_id(self) -> int:
        return self._raw.category_id

    @property
    def is_area(self) -> bool:
        return self._raw.is_area

    @property
    def parent_gobject_id(self) -> int:
        return self._raw.parent_gobject_id

    @property
    def attributes(self) -> tuple[GalaxyAttribute, ...]:
        """Decoded on first access, then kept."""
        try:
            return self._decoded
        except AttributeError:  # the first access: the slot is still empty
            self._decoded = tuple(GalaxyAttribute.from_proto(a) for a in self._raw.attributes)
            return self._decoded

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GalaxyObject):
            return NotImplemented
        return self._hint == other._hint and self._raw == other._raw

    def __hash__(self) -> int:
        raw = self._raw
        return hash((raw.gobject_id, raw.tag_name, raw.contained_path))

    def __repr__(self) -> str:
        return (
            f"GalaxyObject(gobject_id={self.gobject_id}, tag_name={self.tag_name!r}, "
            f"contained_path={self.contained_path!r}, attributes={len(self._raw.attributes)})"
        )


@dataclass(frozen=True)
class DeployEvent:
    """The galaxy was deployed: ``sequence`` rises per deploy (per gateway start)."""

    sequence: int
    deploy_time: datetime | None

    @classmethod
    def from_proto(cls, message: gpb.DeployEvent) -> Self:
        return cls(sequence=message.sequence, deploy_time=timestamp_of(message, "deploy_time"))


def timestamp_of(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    moment: datetime = getattr(message, name).ToDatetime(tzinfo=UTC)
    return moment


def hints_for(messages: Sequence[gpb.GalaxyObject], hints: Sequence[bool | None]) -> Sequence[bool | None]:
    """A browse's ``child_has_children``, one per child: a hint the reply left out is None (not known)."""
    if len(hints) == len(messages):
        return hints
    known: list[bool | None] = [*hints[: len(messages)]]
    return [*known, *([None] * (len(messages) - len(known)))]


# ---------------------------------------------------------------- requests


def page_size(value: object) -> int:
    """A page size: None (the server's default, sent as 0) or 1..MAX_PAGE_SIZE."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_PAGE_SIZE:
        raise ArgumentError(
            f"page_size must be an integer from 1 to {MAX_PAGE_SIZE} (the gateway's cap) or None "
            f"for the gateway's default, got {short_repr(value)}"
        )
    return value


def discover_hierarchy(size: int, token: str = "") -> gpb.DiscoverHierarchyRequest:
    return gpb.DiscoverHierarchyRequest(page_size=size, page_token=token)


@dataclass(frozen=True)
class Parent:
    """Whose children a browse asks for: ``kind`` is the request's oneof member, or None for the roots."""

    kind: str | None
    value: int | str | None

    @property
    def description(self) -> str:
        """The parent in words, for errors: ``tag name 'Tank1'``."""
        words = {"parent_gobject_id": "gobject id", "parent_tag_name": "tag name"}
        if self.kind is None:
            return "the roots"
        shown = self.value if isinstance(self.value, int) else repr(self.value)
        return f"{words.get(self.kind, 'contained path')} {shown}"


def parent_of(parent: object, contained_path: object) -> Parent:
    """Whose children to browse: ``parent`` (an id, a tag name, an object) or ``contained_path``."""
    if contained_path is not None:
        if parent is not None:
            raise ArgumentError("give a parent or a contained_path, not both")
        return Parent("parent_contained_path", text("contained_path", contained_path))
    if parent is None:
        return Parent(None, None)
    if isinstance(parent, GalaxyObject):
        return Parent("parent_gobject_id", handle("gobject_id", parent.gobject_id))
    if isinstance(parent, str):
        return Parent("parent_tag_name", text("tag_name", parent))
    if isinstance(parent, int) and not isinstance(parent, bool):
        return Parent("parent_gobject_id", handle("gobject_id", parent))
    raise ArgumentError(
        "parent must be a gobject id (int), a tag name (str), a GalaxyObject, or None for the roots, "
        f"got {short_repr(parent)}"
    )


@dataclass(frozen=True)
class BrowseFilter:
    """The contract's filters of a browse; each one left empty lets everything through.

    ``category_ids``: any of them; ``template_chain_contains``: any of the
    names anywhere in the object's template chain; ``tag_name_glob``:
    ``*``, ``?`` and ``[...]`` over the whole tag name; ``alarm_bearing_only``
    and ``historized_only``: objects with at least one such attribute (and
    only those attributes); ``include_attributes`` False leaves the
    attributes out.
    """

    category_ids: tuple[int, ...] = ()
    template_chain_contains: tuple[str, ...] = ()
    tag_name_glob: str = ""
    alarm_bearing_only: bool = False
    historized_only: bool = False
    include_attributes: bool = True

    @classmethod
    def checked(
        cls,
        *,
        category_ids: Iterable[int] = (),
        template_chain_contains: Iterable[str] = (),
        tag_name_glob: str = "",
        alarm_bearing_only: bool = False,
        historized_only: bool = False,
        include_attributes: bool = True,
    ) -> BrowseFilter:
        """The filter, every argument checked (``ArgumentError``) before anything is sent."""
        categories = tuple(_category(c) for c in _sequence("category_ids", category_ids, "integers"))
        templates = tuple(
            text("template_chain_contains", t)
            for t in _sequence("template_chain_contains", template_chain_contains, "strings")
        )
        if not isinstance(tag_name_glob, str):
            raise ArgumentError(f"tag_name_glob must be a string, got {short_repr(tag_name_glob)}")
        if tag_name_glob:
            text("tag_name_glob", tag_name_glob)
        for name, flag in (
            ("alarm_bearing_only", alarm_bearing_only),
            ("historized_only", historized_only),
            ("include_attributes", include_attributes),
        ):
            if not isinstance(flag, bool):
                raise ArgumentError(f"{name} must be True or False, got {short_repr(flag)}")
        return cls(
            categories, templates, tag_name_glob, alarm_bearing_only, historized_only, include_attributes
        )


def _sequence(name: str, values: object, what: str) -> list[object]:
    """A list argument's elements (may be empty): one string is not a list of strings."""
    if isinstance(values, str | bytes | bytearray | memoryview):
        raise ArgumentError(f"{name} must be a sequence of {what}, not one string: wrap it in a list")
    if not isinstance(values, Iterable):
        raise ArgumentError(f"{name} must be a sequence of {what}, got {short_repr(values)}")
    return list(values)


def _category(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _INT32_MAX:
        raise ArgumentError(f"category_ids holds {short_repr(value)}: category ids are non-negative integers")
    return value


def browse_children(
    parent: Parent, filters: BrowseFilter, size: int, token: str = ""
) -> gpb.BrowseChildrenRequest:
    request = gpb.BrowseChildrenRequest(
        page_size=size,
        page_token=token,
        category_ids=filters.category_ids,
        template_chain_contains=filters.template_chain_contains,
        tag_name_glob=filters.tag_name_glob,
        alarm_bearing_only=filters.alarm_bearing_only,
        historized_only=filters.historized_only,
        include_attributes=filters.include_attributes,
    )
    if parent.kind is not None:
        setattr(request, parent.kind, parent.value)
    return request
