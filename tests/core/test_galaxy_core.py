"""The Galaxy repository's no-I/O core: typed results and request building."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from mxgateway import ArgumentError, DeployEvent, GalaxyAttribute, GalaxyObject
from mxgateway._core import galaxy
from mxgateway.generated import galaxy_repository_pb2 as gpb


def tank(**changes: object) -> gpb.GalaxyObject:
    message = gpb.GalaxyObject(
        gobject_id=42,
        tag_name="Tank1",
        contained_name="Tank1",
        contained_path="Plant/TankFarm/Tank1",
        browse_name="Tank 1",
        template_chain=["$Tank", "$Vessel"],
        category_id=20,
        parent_gobject_id=7,
    )
    message.attributes.add(
        name="Level",
        full_reference="Tank1.Level",
        data_type=5,
        security_classification=2,
        is_historized=True,
        is_alarm=True,
    )
    message.attributes.add(
        name="Trend", full_reference="Tank1.Trend[]", data_type=3, is_array=True, array_dimension=4
    )
    for name, value in changes.items():
        setattr(message, name, value)
    return message


def test_an_object_reads_its_message() -> None:
    obj = GalaxyObject(tank(), has_children=True)
    assert (obj.gobject_id, obj.tag_name, obj.contained_name) == (42, "Tank1", "Tank1")
    assert (obj.contained_path, obj.browse_name, obj.template_chain) == (
        "Plant/TankFarm/Tank1",
        "Tank 1",
        ("$Tank", "$Vessel"),
    )
    assert (obj.category_id, obj.is_area, obj.parent_gobject_id, obj.has_children) == (20, False, 7, True)
    assert obj.attributes == (
        GalaxyAttribute("Level", "Tank1.Level", "DOUBLE", False, 0, "SECURED_WRITE", True, True),
        GalaxyAttribute("Trend", "Tank1.Trend[]", "INTEGER", True, 4, "FREE_ACCESS", False, False),
    )
    assert obj.attributes is obj.attributes  # decoded once
    assert (
        repr(obj)
        == "GalaxyObject(gobject_id=42, tag_name='Tank1', contained_path='Plant/TankFarm/Tank1', attributes=2)"
    )


def test_numbers_without_a_name_are_given_as_digits() -> None:
    message = gpb.GalaxyAttribute(name="X", data_type=99, security_classification=42)
    attribute = GalaxyAttribute.from_proto(message)
    assert (attribute.data_type, attribute.security_classification) == ("99", "42")
    names = [
        GalaxyAttribute.from_proto(gpb.GalaxyAttribute(security_classification=n)).security_classification
        for n in range(7)
    ]
    assert names == [
        "FREE_ACCESS",
        "OPERATE",
        "SECURED_WRITE",
        "VERIFIED_WRITE",
        "TUNE",
        "CONFIGURE",
        "VIEW_ONLY",
    ]


def test_results_are_read_only_and_compare_by_value() -> None:
    obj = GalaxyObject(tank())
    for name in ("tag_name", "has_children", "raw", "attributes"):
        with pytest.raises(AttributeError):
            setattr(obj, name, None)
    with pytest.raises(AttributeError):
        obj.note = "x"  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.attributes[0].name = "Other"  # type: ignore[misc]
    assert obj.tag_name == "Tank1" and obj.has_children is None
    same = GalaxyObject(tank())
    assert obj == same and hash(obj) == hash(same) and len({obj, same}) == 1
    assert obj != GalaxyObject(tank(), has_children=False)
    assert obj != GalaxyObject(tank(browse_name="Other"))
    assert obj != "Tank1"


def test_a_page_with_fewer_hints_than_objects_leaves_the_rest_unknown() -> None:
    messages = [tank(gobject_id=n) for n in (1, 2, 3)]
    assert list(galaxy.hints_for(messages, [True, False, True])) == [True, False, True]
    assert list(galaxy.hints_for(messages, [True])) == [True, None, None]
    assert list(galaxy.hints_for(messages, [True] * 5)) == [True, True, True]
    assert list(galaxy.hints_for(messages, [])) == [None, None, None]


def test_deploy_events() -> None:
    message = gpb.DeployEvent(sequence=2**40)
    assert DeployEvent.from_proto(message) == DeployEvent(2**40, None)
    message.deploy_time.FromDatetime(datetime(2026, 1, 2, 3, 4, 5, 600000))
    assert DeployEvent.from_proto(message).deploy_time == datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)


def test_browse_requests() -> None:
    roots = galaxy.browse_children(galaxy.parent_of(None, None), galaxy.BrowseFilter(), 0)
    assert (
        roots.WhichOneof("parent") is None
        and roots.HasField("include_attributes")
        and roots.include_attributes
    )
    filters = galaxy.BrowseFilter.checked(
        category_ids=[13, 20],
        template_chain_contains=["$Tank"],
        tag_name_glob="T*",
        alarm_bearing_only=True,
        historized_only=True,
        include_attributes=False,
    )
    request = galaxy.browse_children(galaxy.parent_of("Tank1", None), filters, 50, "token")
    assert request.WhichOneof("parent") == "parent_tag_name" and request.parent_tag_name == "Tank1"
    assert (request.page_size, request.page_token) == (50, "token")
    assert list(request.category_ids) == [13, 20] and list(request.template_chain_contains) == ["$Tank"]
    assert (request.tag_name_glob, request.alarm_bearing_only, request.historized_only) == ("T*", True, True)
    assert request.HasField("include_attributes") and not request.include_attributes
    by_id = galaxy.browse_children(galaxy.parent_of(GalaxyObject(tank()), None), filters, 0)
    assert by_id.WhichOneof("parent") == "parent_gobject_id" and by_id.parent_gobject_id == 42
    by_path = galaxy.browse_children(galaxy.parent_of(None, "Plant/TankFarm"), filters, 0)
    assert by_path.WhichOneof("parent") == "parent_contained_path"
    assert galaxy.discover_hierarchy(7, "t") == gpb.DiscoverHierarchyRequest(page_size=7, page_token="t")


def test_parent_descriptions() -> None:
    assert galaxy.parent_of(None, None).description == "the roots"
    assert galaxy.parent_of(3, None).description == "gobject id 3"
    assert galaxy.parent_of("Tank1", None).description == "tag name 'Tank1'"
    assert galaxy.parent_of(None, "A/B").description == "contained path 'A/B'"


@pytest.mark.parametrize("size", [None, 1, 500, 5000])
def test_page_sizes_accepted(size: int | None) -> None:
    assert galaxy.page_size(size) == (size or 0)


@pytest.mark.parametrize("size", [0, -1, 5001, 2**70, True, 1.0, "10"])
def test_page_sizes_refused(size: object) -> None:
    with pytest.raises(ArgumentError, match="page_size"):
        galaxy.page_size(size)


def test_a_huge_category_id_is_refused_before_protobuf_sees_it() -> None:
    with pytest.raises(ArgumentError, match="category ids are non-negative integers"):
        galaxy.BrowseFilter.checked(category_ids=[2**31])
    with pytest.raises(ArgumentError, match="gobject_id"):
        galaxy.parent_of(2**31, None)
    with pytest.raises(ArgumentError, match="sequence of integers"):
        galaxy.BrowseFilter.checked(category_ids=5)  # type: ignore[arg-type]
