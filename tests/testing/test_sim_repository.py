"""GalaxyRepository on the simulator, over the raw stub: each RPC, filter, paging, tokens, auth."""

from __future__ import annotations

import base64
from datetime import UTC

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from mxgateway.generated import galaxy_repository_pb2 as gr
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import Attribute, Galaxy, generate_api_key, load_galaxy
from mxgateway.testing._galaxy import MxType
from tests.support.loops import run_asyncio
from tests.testing.browse import (
    RepoStub,
    browse,
    browse_all,
    hierarchy,
    plant_simulator,
    repository_for,
    tags,
)
from tests.testing.raw import FIXED_TIME, add_advised, bearer, open_session, register, simulator, stub_for


async def _status_of(call: object) -> GRPCError:
    with pytest.raises(GRPCError) as failed:
        await call  # type: ignore[misc]
    return failed.value


def test_test_connection_and_the_start_is_the_last_deploy() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            assert (await repo.TestConnection(gr.TestConnectionRequest())).ok is True
            reply = await repo.GetLastDeployTime(gr.GetLastDeployTimeRequest())
            assert reply.deploy_time.ToDatetime(tzinfo=UTC) == FIXED_TIME
            assert sim.statistics()["calls"]["TestConnection"] == 1

    run_asyncio(main)


def test_browse_roots_then_children_by_id_tag_name_and_contained_path() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            roots = await browse(repo)
            # Siblings in contained-name order; an undeclared [attributes] object is a root of its own.
            assert tags(roots) == ["Loose", "Site"]
            assert list(roots.child_has_children) == [False, True]
            assert roots.next_page_token == ""
            site = roots.children[1]
            assert (site.is_area, site.parent_gobject_id, site.contained_path) == (True, 0, "Site")
            assert list(site.template_chain) == ["$Area"] and site.category_id == 13
            north_by_id = await browse(
                repo, parent_gobject_id=(await browse(repo, parent_tag_name="Site")).children[0].gobject_id
            )
            north_by_tag = await browse(repo, parent_tag_name="north")  # tag names are case-insensitive
            north_by_path = await browse(repo, parent_contained_path="Site/North")
            assert north_by_id == north_by_tag == north_by_path
            assert tags(north_by_tag) == ["Mixer", "TankA", "TankB"]
            assert list(north_by_tag.child_has_children) == [False, True, False]
            tank_a = north_by_tag.children[1]
            assert tank_a.browse_name == "Tank A" and tank_a.contained_name == "TankA"
            assert list(tank_a.template_chain) == ["$Tank", "$Vessel"] and tank_a.category_id == 20
            (transmitter,) = (await browse(repo, parent_gobject_id=tank_a.gobject_id)).children
            assert (transmitter.tag_name, transmitter.contained_name) == ("TankA_LT", "LT")
            assert transmitter.contained_path == "Site/North/TankA/LT"
            assert transmitter.parent_gobject_id == tank_a.gobject_id and not transmitter.is_area
            assert list(transmitter.template_chain) == ["$LevelTransmitter", "$Transmitter"]
            assert (await browse(repo, parent_gobject_id=0)) == roots  # id 0 is the roots' parent
            leaf = await browse(repo, parent_tag_name="TankA_LT")
            assert (list(leaf.children), leaf.next_page_token) == ([], "")

    run_asyncio(main)


def test_attributes_carry_their_metadata_and_subscribe_by_full_reference() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo, stub_for(sim) as gateway:
            reply = await browse(repo, parent_tag_name="North", tag_name_glob="TankB")
            attributes = {a.name: a for a in reply.children[0].attributes}
            assert list(attributes) == ["Level", "Name", "Trend", "Limit"]
            level, trend, limit = attributes["Level"], attributes["Trend"], attributes["Limit"]
            assert (level.full_reference, level.data_type) == ("TankB.Level", pb.MX_DATA_TYPE_DOUBLE)
            assert (level.is_alarm, level.is_historized, level.is_array) == (True, True, False)
            assert (trend.full_reference, trend.is_array, trend.array_dimension) == ("TankB.Trend[]", True, 3)
            assert trend.data_type == pb.MX_DATA_TYPE_INTEGER and trend.security_classification == 0
            assert limit.security_classification == 2  # secured_write
            assert attributes["Name"].data_type == pb.MX_DATA_TYPE_STRING
            transmitter = (await browse(repo, parent_tag_name="TankA")).children[0]
            assert [a.security_classification for a in transmitter.attributes] == [0, 5]  # free, configure
            # The reference a browse gives is an item the simulator resolves, with values of the reported type.
            session = await open_session(gateway)
            server = await register(gateway, session)
            by_handle = {
                await add_advised(gateway, session, server, a.full_reference): a for a in attributes.values()
            }
            async with gateway.StreamEvents.open() as events:
                await events.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                changes = [await events.recv_message() for _ in by_handle]
                await events.cancel()
            for event in changes:
                assert event is not None
                attribute = by_handle[event.item_handle]
                assert event.on_data_change.statuses[0].category == pb.MX_STATUS_CATEGORY_OK
                value = event.on_data_change.value
                kind = value.array_value.element_data_type if attribute.is_array else value.data_type
                assert kind == attribute.data_type, attribute.name

    run_asyncio(main)


def test_include_attributes_defaults_to_true_and_false_leaves_them_out() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            unset = await browse(repo, parent_tag_name="North")
            assert [len(c.attributes) for c in unset.children] == [2, 4, 4]
            assert unset == await browse(repo, parent_tag_name="North", include_attributes=True)
            bare = await browse(repo, parent_tag_name="North", include_attributes=False)
            assert tags(bare) == tags(unset) and all(not c.attributes for c in bare.children)
            assert list(bare.child_has_children) == list(unset.child_has_children)

    run_asyncio(main)


def test_category_template_and_tag_name_filters() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            north = {"parent_tag_name": "North"}
            assert tags(await browse(repo, **north, category_ids=[20])) == ["Mixer", "TankA", "TankB"]
            assert tags(await browse(repo, **north, category_ids=[23, 99])) == []
            assert tags(await browse(repo, parent_tag_name="Site", category_ids=[13, 20])) == ["North"]
            # Any listed template anywhere in the chain; case-insensitive.
            assert tags(await browse(repo, **north, template_chain_contains=["$tank"])) == ["TankA", "TankB"]
            assert tags(await browse(repo, **north, template_chain_contains=["$Vessel"])) == [
                "Mixer",
                "TankA",
                "TankB",
            ]
            either = await browse(repo, **north, template_chain_contains=["$Nothing", "$Tank"])
            assert tags(either) == ["TankA", "TankB"]
            assert tags(await browse(repo, **north, tag_name_glob="tank?")) == ["TankA", "TankB"]
            assert tags(await browse(repo, **north, tag_name_glob="*[BX]*")) == ["Mixer", "TankB"]
            assert tags(await browse(repo, **north, tag_name_glob="Tank")) == []  # the whole name must match
            assert tags(await browse(repo, tag_name_glob="S*")) == ["Site"]
            combined = await browse(
                repo, **north, category_ids=[20], tag_name_glob="*B", template_chain_contains=["$Tank"]
            )
            assert tags(combined) == ["TankB"]

    run_asyncio(main)


def test_alarm_and_historized_filters_pick_objects_and_their_attributes() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            alarms = await browse(repo, parent_tag_name="North", alarm_bearing_only=True)
            assert tags(alarms) == ["Mixer", "TankA", "TankB"]
            assert {a.name for c in alarms.children for a in c.attributes} == {"Level"}
            historized = await browse(repo, parent_tag_name="North", historized_only=True)
            assert [[a.name for a in c.attributes] for c in historized.children] == [
                ["Level"],
                ["Level", "Trend"],
                ["Level", "Trend"],
            ]
            transmitter = await browse(repo, parent_tag_name="TankA", alarm_bearing_only=True)
            assert tags(transmitter) == []  # its PV is historized but raises no alarm
            both = await browse(repo, parent_tag_name="TankA", historized_only=True, alarm_bearing_only=False)
            assert [a.name for a in both.children[0].attributes] == ["PV"]
            assert (
                tags(await browse(repo, parent_tag_name="Site", alarm_bearing_only=True)) == []
            )  # areas: none
            bare = await browse(repo, parent_tag_name="North", historized_only=True, include_attributes=False)
            assert tags(bare) == tags(historized) and all(not c.attributes for c in bare.children)

    run_asyncio(main)


def test_bad_requests_are_invalid_argument_and_missing_parents_not_found() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            for fields, text in (
                ({"page_size": -1}, "page_size must not be negative"),
                ({"category_ids": [-2]}, "category_ids"),
                ({"template_chain_contains": ["$Tank", " "]}, "empty template name"),
                ({"parent_tag_name": ""}, "parent tag name is empty"),
                ({"parent_contained_path": ""}, "parent contained path is empty"),
            ):
                failed = await _status_of(browse(repo, **fields))
                assert failed.status == Status.INVALID_ARGUMENT and text in str(failed.message), fields
            negative = await _status_of(repo.DiscoverHierarchy(gr.DiscoverHierarchyRequest(page_size=-5)))
            assert negative.status == Status.INVALID_ARGUMENT and "-5" in str(negative.message)
            for fields, text in (
                ({"parent_gobject_id": 9999}, "gobject id 9999"),
                ({"parent_gobject_id": -3}, "gobject id -3"),
                ({"parent_tag_name": "NoSuchTank"}, "tag name 'NoSuchTank'"),
                ({"parent_contained_path": "Site/South"}, "contained path 'Site/South'"),
                ({"parent_contained_path": "North"}, "contained path 'North'"),  # paths start at a root
            ):
                failed = await _status_of(browse(repo, **fields))
                assert failed.status == Status.NOT_FOUND and text in str(failed.message), fields

    run_asyncio(main)


def _big_galaxy(count: int) -> Galaxy:
    """``count`` root objects, one attribute each (built directly: quicker than TOML)."""
    return Galaxy(
        attributes={
            f"Obj{n:05d}.Value": Attribute(f"Obj{n:05d}.Value", MxType.INT32, n) for n in range(count)
        },
        users={},
    )


def test_paging_over_several_pages_matches_one_big_page() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            whole = await browse(repo, parent_tag_name="North", page_size=100)
            pages = await browse_all(repo, 2, parent_tag_name="North")
            assert [len(p.children) for p in pages] == [2, 1]
            assert [c for p in pages for c in p.children] == list(whole.children)
            assert [h for p in pages for h in p.child_has_children] == list(whole.child_has_children)
            assert pages[0].next_page_token and pages[-1].next_page_token == ""
            # Filters page too, over the filtered list.
            filtered = await browse_all(repo, 1, parent_tag_name="North", template_chain_contains=["$Tank"])
            assert [tags(p) for p in filtered] == [["TankA"], ["TankB"]]
            # Repeating a request gives the same answer: the order is deterministic.
            assert await browse_all(repo, 2, parent_tag_name="North") == pages

    run_asyncio(main)


def test_discover_hierarchy_pages_every_object_parents_first() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            pages = await hierarchy(repo, page_size=3)
            assert [len(p.objects) for p in pages] == [3, 3, 2]
            objects = [o for p in pages for o in p.objects]
            assert [o.tag_name for o in objects] == [
                "Loose",
                "Site",
                "North",
                "Mixer",
                "TankA",
                "TankA_LT",
                "TankB",
                "Spare",
            ]
            seen: set[int] = set()
            for item in objects:
                assert item.parent_gobject_id == 0 or item.parent_gobject_id in seen, item.tag_name
                seen.add(item.gobject_id)
            assert sum(o.is_area for o in objects) == 2
            assert [a.full_reference for a in objects[0].attributes] == ["Loose.Count"]  # attributes always
            (single,) = await hierarchy(repo)
            assert list(single.objects) == objects and single.next_page_token == ""

    run_asyncio(main)


def test_the_default_page_size_is_500_and_the_cap_5000() -> None:
    async def main() -> None:
        async with simulator(galaxy=_big_galaxy(5_001)) as sim, repository_for(sim) as repo:
            default = await hierarchy(repo, page_size=0)
            assert [len(p.objects) for p in default] == [500] * 10 + [1]
            capped = await hierarchy(repo, page_size=1_000_000)
            assert [len(p.objects) for p in capped] == [5_000, 1]
            assert [o.gobject_id for p in capped for o in p.objects] == [
                o.gobject_id for p in default for o in p.objects
            ]
            roots = await browse(repo, page_size=0, include_attributes=False)
            assert len(roots.children) == 500 and roots.next_page_token
            assert len((await browse(repo, page_size=5_001)).children) == 5_000

    run_asyncio(main, seconds=60)


def _forge(token: str, offset: int) -> str:
    """The token with its offset changed but its signature kept."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    deploy, _, rest = raw[:-16].split(b":", 2)
    payload = b":".join((deploy, str(offset).encode(), rest))
    return base64.urlsafe_b64encode(payload + raw[-16:]).rstrip(b"=").decode()


def test_bad_forged_foreign_and_stale_page_tokens_are_invalid_argument() -> None:
    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo:
            first = await browse(repo, parent_tag_name="North", page_size=1)
            token = first.next_page_token
            assert (await browse(repo, parent_tag_name="North", page_size=1, page_token=token)).children
            cases = {
                "not a token": "not one this gateway issued",
                "": None,  # no token: the first page
                token[:-4]: "not one this gateway issued",
                _forge(token, 0): "not one this gateway issued",
                "@@@@": "not one this gateway issued",
            }
            for bad, text in cases.items():
                if text is None:
                    assert (await browse(repo, parent_tag_name="North", page_size=1, page_token=bad)) == first
                    continue
                failed = await _status_of(browse(repo, parent_tag_name="North", page_size=1, page_token=bad))
                assert failed.status == Status.INVALID_ARGUMENT and text in str(failed.message), bad
            # A token pages the request it came from: another parent, filter or RPC is refused ...
            for other in ({"parent_tag_name": "Site"}, {"parent_tag_name": "North", "tag_name_glob": "*"}):
                failed = await _status_of(browse(repo, page_size=1, page_token=token, **other))
                assert failed.status == Status.INVALID_ARGUMENT and "different request" in str(failed.message)
            foreign = await _status_of(repo.DiscoverHierarchy(gr.DiscoverHierarchyRequest(page_token=token)))
            assert foreign.status == Status.INVALID_ARGUMENT and "different request" in str(foreign.message)
            # ... but the page size may change between pages.
            assert tags(await browse(repo, parent_tag_name="North", page_size=10, page_token=token)) == [
                "TankA",
                "TankB",
            ]
            sim.redeploy()
            stale = await _status_of(browse(repo, parent_tag_name="North", page_size=1, page_token=token))
            assert stale.status == Status.INVALID_ARGUMENT and "stale" in str(stale.message)
        async with plant_simulator() as other_run, repository_for(other_run) as repo:
            failed = await _status_of(browse(repo, parent_tag_name="North", page_size=1, page_token=token))
            assert failed.status == Status.INVALID_ARGUMENT and "earlier run" in str(failed.message)

    run_asyncio(main)


def test_every_repository_call_needs_the_admin_scope() -> None:
    admin = generate_api_key("admin")
    reader = generate_api_key("reader")
    keys = {admin: ["admin"], reader: ["invoke:read", "events:read", "session:open"]}

    async def watch(repo: RepoStub, metadata: dict[str, str]) -> None:
        async with repo.WatchDeployEvents.open(metadata=metadata) as stream:
            await stream.send_message(gr.WatchDeployEventsRequest(), end=True)
            await stream.recv_initial_metadata()

    async def main() -> None:
        async with plant_simulator(api_keys=keys) as sim, repository_for(sim) as repo:
            calls = {
                "TestConnection": lambda m: repo.TestConnection(gr.TestConnectionRequest(), metadata=m),
                "GetLastDeployTime": lambda m: repo.GetLastDeployTime(
                    gr.GetLastDeployTimeRequest(), metadata=m
                ),
                "DiscoverHierarchy": lambda m: repo.DiscoverHierarchy(
                    gr.DiscoverHierarchyRequest(), metadata=m
                ),
                "BrowseChildren": lambda m: browse(repo, metadata=m),
                "WatchDeployEvents": lambda m: watch(repo, m),
            }
            for name, call in calls.items():
                missing = await _status_of(call({}))
                assert missing.status == Status.UNAUTHENTICATED, name
                wrong = await _status_of(call(bearer(generate_api_key("stranger"))))
                assert wrong.status == Status.UNAUTHENTICATED, name
                denied = await _status_of(call(bearer(reader)))
                assert denied.status == Status.PERMISSION_DENIED and "'admin'" in str(denied.message), name
                assert reader not in str(denied.message)
                if name != "WatchDeployEvents":  # an accepted watch waits for a deploy: below
                    await call(bearer(admin))
                    assert sim.last_authorization(name) == f"Bearer {admin}"
            async with repo.WatchDeployEvents.open(metadata=bearer(admin)) as stream:
                await stream.send_message(gr.WatchDeployEventsRequest(), end=True)
                await sim.wait_for_deploy_watchers(1)
                sim.redeploy()
                event = await stream.recv_message()
                assert event is not None and event.sequence == 2
                await stream.cancel()

    run_asyncio(main)


def test_the_default_galaxy_browses_as_a_plant() -> None:
    async def main() -> None:
        async with simulator(galaxy=load_galaxy()) as sim, repository_for(sim) as repo:
            objects = [o for p in await hierarchy(repo) for o in p.objects]
            areas = [o.tag_name for o in objects if o.is_area]
            assert len(areas) >= 3 and objects[0].tag_name == "Plant"
            assert 20 <= len(objects) - len(areas) <= 100
            attributes = [a for o in objects for a in o.attributes]
            assert 200 <= len(attributes) <= 500
            for flag in ("is_alarm", "is_historized", "is_array"):
                assert 0 < sum(getattr(a, flag) for a in attributes) < len(attributes), flag
            assert {a.security_classification for a in attributes} >= {0, 1, 2, 3, 4, 5, 6}
            tank1 = next(o for o in objects if o.tag_name == "Tank1")
            names = {a.full_reference for a in tank1.attributes}
            assert {"Tank1.Level", "Tank1.Setpoint", "Tank1.History[]"} <= names
            pumps = await browse(
                repo, parent_contained_path="Plant/Pumping", template_chain_contains=["$Pump"]
            )
            assert tags(pumps) == ["Pump1", "Pump2", "Pump3"]
            arrays = {a.full_reference: a.array_dimension for a in attributes if a.is_array}
            assert arrays["Tank1.History[]"] == 3 and all(arrays.values())

    run_asyncio(main)
