"""client.galaxy against the simulator, on both front ends (asyncio, and Trio on every bridge).

Each test body is written once against the ``GalaxyBrowser`` API and run on
every front end; the simulator serves the PLANT galaxy of the repository
tests (two areas, tanks containing a transmitter, templates, categories
and attributes with every kind of metadata).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import trio

import mxgateway
from mxgateway import (
    ArgumentError,
    ClientClosedError,
    DeadlineExceededError,
    DeployEvent,
    GalaxyAttribute,
    GalaxyNode,
    GalaxyObject,
    GalaxyObjectNotFoundError,
    GatewayClient,
    InvalidRequestError,
    ReconnectPolicy,
)
from mxgateway.generated import galaxy_repository_pb2 as gpb
from mxgateway.testing import SimulatorSettings, ThreadedSimulator, parse_galaxy, run_simulator_in_thread
from tests.support.loops import run_asyncio
from tests.testing.browse import PLANT

WAIT = 10.0
WALL = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
FRONT_ENDS = ["asyncio", "hosted", "trio-asyncio", "thread"]
FAST_RECONNECT = ReconnectPolicy(initial_backoff=0.01, max_backoff=0.05, jitter=0.0)


@dataclass
class Front:
    """What a test body gets: the client, its browser, and a way to block without blocking the loop."""

    client: Any
    galaxy: Any
    in_thread: Callable[..., Awaitable[Any]]


Body = Callable[[Front], Awaitable[None]]


def run_on(front: str, sim: ThreadedSimulator, body: Body, **options: Any) -> None:
    """``body`` on a client of ``front`` connected to ``sim``, bounded by WAIT."""
    if front == "asyncio":

        async def main() -> None:
            async with await GatewayClient.connect(
                endpoint=sim.endpoint, plaintext=True, **options
            ) as client:
                await body(Front(client, client.galaxy, asyncio.to_thread))

        run_asyncio(main, WAIT)
        return

    async def trio_main() -> None:
        with trio.fail_after(WAIT):
            async with mxgateway.open_client(
                endpoint=sim.endpoint, plaintext=True, bridge=front, **options
            ) as client:
                await body(Front(client, client.galaxy, trio.to_thread.run_sync))

    trio.run(trio_main)


@pytest.fixture(params=FRONT_ENDS)
def front(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def plant_simulator() -> Any:
    return run_simulator_in_thread(
        galaxy=parse_galaxy(PLANT),
        settings=SimulatorSettings(tick_interval=3600.0),
        clock=lambda: 0.0,
        wall_clock=lambda: WALL,
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    """Read-only tests share one simulator (nothing here redeploys it)."""
    with plant_simulator() as simulator:
        yield simulator


@pytest.fixture
def own_sim() -> Iterator[ThreadedSimulator]:
    """For tests that redeploy or drop connections."""
    with plant_simulator() as simulator:
        yield simulator


def calls(sim: ThreadedSimulator, method: str) -> int:
    count: int = sim.statistics()["calls"].get(method, 0)
    return count


def tags(objects: Any) -> list[str]:
    return [o.tag_name for o in objects]


# ------------------------------------------------------------ unary calls


def test_connection_and_last_deploy_time(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        assert await f.galaxy.test_connection() is True
        assert await f.galaxy.last_deploy_time() == WALL

    run_on(front, sim, body)
    assert sim.last_authorization("TestConnection") is None  # no key configured, none sent


# ---------------------------------------------------------------- hierarchy


def test_hierarchy_over_several_pages(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        before = calls(sim, "DiscoverHierarchy")
        listing = f.galaxy.hierarchy(page_size=3)
        objects = [obj async for obj in listing]
        assert listing.pages_received == 3  # 8 objects, 3 per page
        assert calls(sim, "DiscoverHierarchy") - before == 3
        # Parents before children, siblings by contained name.
        assert tags(objects) == ["Loose", "Site", "North", "Mixer", "TankA", "TankA_LT", "TankB", "Spare"]
        tank_a = objects[4]
        assert isinstance(tank_a, GalaxyObject)
        assert (tank_a.gobject_id, tank_a.contained_path, tank_a.parent_gobject_id) == (
            4,
            "Site/North/TankA",
            2,
        )
        assert (tank_a.template_chain, tank_a.category_id, tank_a.is_area) == (
            ("$Tank", "$Vessel"),
            20,
            False,
        )
        assert tank_a.browse_name == "Tank A" and tank_a.has_children is None  # the hierarchy does not say
        assert tank_a.attributes == (
            GalaxyAttribute("Level", "TankA.Level", "DOUBLE", False, 0, "FREE_ACCESS", True, True),
            GalaxyAttribute("Name", "TankA.Name", "STRING", False, 0, "FREE_ACCESS", False, False),
            GalaxyAttribute("Trend", "TankA.Trend[]", "INTEGER", True, 3, "FREE_ACCESS", True, False),
            GalaxyAttribute("Limit", "TankA.Limit", "DOUBLE", False, 0, "SECURED_WRITE", False, False),
        )
        assert objects[1].is_area and objects[1].template_chain == ("$Area",)
        pages = [tags(page) async for page in f.galaxy.hierarchy(page_size=5).pages()]
        assert pages == [tags(objects[:5]), tags(objects[5:])]
        everything = await f.galaxy.hierarchy().collect()  # the gateway's default page: one page
        assert everything == tuple(objects)

    run_on(front, sim, body)


def test_a_failed_page_is_asked_for_again(own_sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        listing = f.galaxy.hierarchy(page_size=4, timeout=0.2)
        own_sim.set_reply_delay(1.0)
        with pytest.raises(DeadlineExceededError):
            await anext(listing)
        own_sim.set_reply_delay(0.0)
        objects = [obj async for obj in listing]  # the same listing goes on where it failed
        assert len(objects) == 8 and len(set(objects)) == 8

    run_on(front, own_sim, body)


def test_a_stale_page_token_after_a_redeploy_is_a_typed_error(own_sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        async with f.galaxy.hierarchy(page_size=2) as listing:
            first = await listing.next_page()
            assert first is not None and tags(first) == ["Loose", "Site"]
            # Tokens issued before a redeploy are stale. Page 2 was asked for
            # ahead and may be in already; page 3's token is stale in any case.
            await f.in_thread(own_sim.redeploy)
            later: list[str] = []
            with pytest.raises(InvalidRequestError, match="stale") as caught:
                async for obj in listing:
                    later.append(obj.tag_name)
            assert later in ([], ["North", "Mixer"])
        assert caught.value.status == "INVALID_ARGUMENT"
        assert caught.value.method == "GalaxyRepository/DiscoverHierarchy"
        with pytest.raises(ClientClosedError):
            await anext(listing)

    run_on(front, own_sim, body)


def test_a_forged_page_token_is_refused_as_invalid(sim: ThreadedSimulator, front: str) -> None:
    # The library never hands out page tokens: send one through its transport's generic call.
    async def body(f: Front) -> None:
        transport = f.client._transport
        request = gpb.BrowseChildrenRequest(page_size=1, page_token="not-a-token")
        with pytest.raises(InvalidRequestError, match="not one this gateway issued"):
            await f.client._runner.run(transport.unary, "GalaxyRepository/BrowseChildren", request, WAIT)

    run_on(front, sim, body)


# ------------------------------------------------------------------ browse


def test_browse_by_every_kind_of_parent(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        roots = await f.galaxy.browse().collect()
        assert tags(roots) == ["Loose", "Site"]
        assert [r.has_children for r in roots] == [False, True]
        site = roots[1]
        assert tags(await f.galaxy.browse(site).collect()) == ["North", "Spare"]
        assert tags(await f.galaxy.browse("north").collect()) == ["Mixer", "TankA", "TankB"]  # any case
        assert tags(await f.galaxy.browse(4).collect()) == ["TankA_LT"]
        below = await f.galaxy.browse(contained_path="Site/North/TankA").collect()
        assert tags(below) == ["TankA_LT"] and below[0].contained_name == "LT"
        assert below[0].has_children is False

    run_on(front, sim, body)


def test_browse_pages_under_the_hood(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        before = calls(sim, "BrowseChildren")
        listing = f.galaxy.browse("North", page_size=1)
        assert tags([obj async for obj in listing]) == ["Mixer", "TankA", "TankB"]
        assert listing.pages_received == 3 and calls(sim, "BrowseChildren") - before == 3

    run_on(front, sim, body)


def test_browse_filters(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        async def browse(parent: str, **filters: Any) -> tuple[GalaxyObject, ...]:
            result: tuple[GalaxyObject, ...] = await f.galaxy.browse(parent, **filters).collect()
            return result

        assert tags(await browse("Site", category_ids=[13])) == ["North"]
        assert tags(await browse("North", category_ids=[20, 23])) == ["Mixer", "TankA", "TankB"]
        assert tags(await browse("North", category_ids=[23])) == []
        assert tags(await browse("North", template_chain_contains=["$Tank"])) == ["TankA", "TankB"]
        assert tags(await browse("North", template_chain_contains=["$VESSEL"])) == ["Mixer", "TankA", "TankB"]
        assert tags(await browse("North", tag_name_glob="tank?")) == ["TankA", "TankB"]
        assert tags(await browse("North", tag_name_glob="M*")) == ["Mixer"]

        alarms = await browse("North", alarm_bearing_only=True)
        assert {o.tag_name: [a.name for a in o.attributes] for o in alarms} == {
            "Mixer": ["Level"],
            "TankA": ["Level"],
            "TankB": ["Level"],
        }
        assert all(a.is_alarm for o in alarms for a in o.attributes)
        historized = await browse("North", historized_only=True)
        assert {o.tag_name: [a.name for a in o.attributes] for o in historized} == {
            "Mixer": ["Level"],
            "TankA": ["Level", "Trend"],
            "TankB": ["Level", "Trend"],
        }
        assert tags(await browse("Site", alarm_bearing_only=True)) == []  # areas have no attributes

        bare = await browse("North", include_attributes=False)
        assert tags(bare) == ["Mixer", "TankA", "TankB"] and all(o.attributes == () for o in bare)
        full = await browse("North")
        assert [len(o.attributes) for o in full] == [2, 4, 4]
        assert [o.has_children for o in full] == [False, True, False]  # whatever the filters
        assert [o.has_children for o in await browse("North", tag_name_glob="TankA")] == [True]

    run_on(front, sim, body)


def test_a_parent_that_does_not_exist_is_named_in_the_error(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        for parent, contained_path, said in (
            ("Nope", None, "tag name 'Nope'"),
            (999, None, "gobject id 999"),
            (None, "Site/Nope", "contained path 'Site/Nope'"),
        ):
            listing = f.galaxy.browse(parent, contained_path=contained_path)
            with pytest.raises(GalaxyObjectNotFoundError) as caught:
                await listing.collect()
            error = caught.value
            assert error.parent == said and error.status == "NOT_FOUND"
            assert str(error).startswith(
                f"NOT_FOUND in GalaxyRepository/BrowseChildren: no galaxy object with {said}"
            )

    run_on(front, sim, body)


def test_bad_arguments_are_refused_before_sending(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        before = calls(sim, "BrowseChildren") + calls(sim, "DiscoverHierarchy")
        bad_calls: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
            (f.galaxy.hierarchy, {"page_size": 0}, "page_size must be an integer from 1 to 5000"),
            (f.galaxy.hierarchy, {"page_size": 5001}, "page_size"),
            (f.galaxy.hierarchy, {"page_size": True}, "page_size"),
            (f.galaxy.hierarchy, {"timeout": -1.0}, "timeout"),
            (f.galaxy.browse, {"parent": ""}, "tag_name must be a non-empty string"),
            (f.galaxy.browse, {"parent": "  "}, "tag_name"),
            (f.galaxy.browse, {"parent": 0}, "gobject_id must be a positive"),
            (f.galaxy.browse, {"parent": -3}, "gobject_id"),
            (f.galaxy.browse, {"parent": 2.5}, "parent must be a gobject id"),
            (f.galaxy.browse, {"contained_path": ""}, "contained_path"),
            (f.galaxy.browse, {"parent": "Site", "contained_path": "Site"}, "not both"),
            (f.galaxy.browse, {"category_ids": [-1]}, "category ids are non-negative"),
            (f.galaxy.browse, {"category_ids": [True]}, "category_ids"),
            (f.galaxy.browse, {"template_chain_contains": "$Tank"}, "not one string"),
            (f.galaxy.browse, {"template_chain_contains": ["$Tank", ""]}, "template_chain_contains"),
            (f.galaxy.browse, {"tag_name_glob": 5}, "tag_name_glob must be a string"),
            (f.galaxy.browse, {"alarm_bearing_only": 1}, "alarm_bearing_only must be True or False"),
            (f.galaxy.browse, {"include_attributes": None}, "include_attributes"),
            (f.galaxy.browse, {"page_size": -1}, "page_size"),
            (f.galaxy.tree, {"parent": ""}, "tag_name"),
            (f.galaxy.tree, {"historized_only": "yes"}, "historized_only"),
        ]
        for call, arguments, message in bad_calls:
            with pytest.raises(ArgumentError, match=message):
                call(**arguments)
        with pytest.raises(ArgumentError, match="max_depth"):
            await anext(f.galaxy.tree().walk(-1))
        assert calls(sim, "BrowseChildren") + calls(sim, "DiscoverHierarchy") == before

    run_on(front, sim, body)


# -------------------------------------------------------------------- tree


def test_the_lazy_tree_asks_only_for_nodes_with_children(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        start = f.galaxy.tree()
        assert isinstance(start, GalaxyNode) and start.object is None and not start.loaded
        before = calls(sim, "BrowseChildren")
        roots = await start.children()
        assert calls(sim, "BrowseChildren") - before == 1
        loose, site = roots
        assert loose.loaded and await loose.children() == ()  # a leaf: no request
        assert calls(sim, "BrowseChildren") - before == 1
        assert await start.children() is roots  # remembered
        assert calls(sim, "BrowseChildren") - before == 1

        walked = [(node.depth, node.object.tag_name) async for node in start.walk()]
        assert walked == [
            (1, "Loose"),
            (1, "Site"),
            (2, "North"),
            (3, "Mixer"),
            (3, "TankA"),
            (4, "TankA_LT"),
            (3, "TankB"),
            (2, "Spare"),
        ]
        # Site, North and TankA have children; the five leaves were never asked for.
        assert calls(sim, "BrowseChildren") - before == 4
        assert [node.object.tag_name async for node in site.walk(max_depth=1)] == ["North", "Spare"]
        assert calls(sim, "BrowseChildren") - before == 4  # all remembered

    run_on(front, sim, body)


def test_a_filtered_tree_below_a_parent(sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        start = f.galaxy.tree("North", historized_only=True, include_attributes=False)
        nodes = [node async for node in start.walk(max_depth=2)]
        assert [(n.depth, n.object.tag_name) for n in nodes] == [
            (1, "Mixer"),
            (1, "TankA"),
            (2, "TankA_LT"),
            (1, "TankB"),
        ]
        assert all(n.object.attributes == () for n in nodes)
        tank_b = f.galaxy.tree(contained_path="Site/North/TankB")
        assert await tank_b.children() == ()  # asked: the start node has no hint
        missing = f.galaxy.tree("Nope")
        with pytest.raises(GalaxyObjectNotFoundError):
            await missing.children()

    run_on(front, sim, body)


# ---------------------------------------------------------------- deploys


def test_deploy_events_on_redeploy(own_sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        async with f.galaxy.watch_deploys() as deploys:
            assert await f.in_thread(own_sim.wait_for_deploy_watchers, 1, WAIT)
            assert await f.in_thread(own_sim.redeploy) == 2
            assert await f.in_thread(own_sim.redeploy) == 3
            received = [await anext(deploys), await anext(deploys)]
        assert received == [DeployEvent(2, WALL), DeployEvent(3, WALL)]
        assert await f.in_thread(own_sim.wait_for_deploy_watchers, 0, WAIT)  # the stream was reset

    run_on(front, own_sim, body)
    assert own_sim.statistics()["deploy_streams_open"] == 0


def test_deploy_events_come_again_after_a_lost_connection(own_sim: ThreadedSimulator, front: str) -> None:
    async def body(f: Front) -> None:
        async with f.galaxy.watch_deploys() as deploys:
            assert await f.in_thread(own_sim.wait_for_deploy_watchers, 1, WAIT)
            await f.in_thread(own_sim.drop_connections)
            assert await f.in_thread(own_sim.wait_for_deploy_watchers, 1, WAIT)  # re-attached
            sequence = await f.in_thread(own_sim.redeploy)
            event = await anext(deploys)
            assert event == DeployEvent(sequence, WALL)
            statistics = deploys.statistics()
            if not isinstance(statistics, mxgateway.PumpStatistics):
                statistics = await statistics
            assert statistics.reconnects == 1

    run_on(front, own_sim, body, reconnect=FAST_RECONNECT)


# ------------------------------------------------------------ cancellation


def test_leaving_a_listing_early_drops_the_page_asked_for_ahead(
    own_sim: ThreadedSimulator, front: str
) -> None:
    async def body(f: Front) -> None:
        async with f.galaxy.hierarchy(page_size=2) as listing:
            assert await anext_page(listing) == ["Loose", "Site"]
            # Page 2 went out ahead; if it is not answered yet, it never will be in time.
            own_sim.set_reply_delay(3 * WAIT)
        statistics = f.client.statistics()
        if not isinstance(statistics, mxgateway.TransportStatistics):
            statistics = await statistics
        assert statistics.open_http2_streams == 0  # answered or reset: nothing left open
        own_sim.set_reply_delay(0.0)

    run_on(front, own_sim, body)


async def anext_page(listing: Any) -> list[str]:
    page = await listing.next_page()
    assert page is not None
    return tags(page)


@pytest.mark.parametrize("bridge", ["hosted", "trio-asyncio", "thread"])
async def test_a_cancelled_page_wait_on_trio_is_asked_for_again(
    own_sim: ThreadedSimulator, bridge: str
) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=own_sim.endpoint, plaintext=True, bridge=bridge) as client:
            listing = client.galaxy.hierarchy(page_size=3)
            own_sim.set_reply_delay(3 * WAIT)
            with trio.move_on_after(0.2) as scope:
                await anext(listing)
            assert scope.cancelled_caught
            own_sim.set_reply_delay(0.0)
            objects = [obj async for obj in listing]
            assert tags(objects) == ["Loose", "Site", "North", "Mixer", "TankA", "TankA_LT", "TankB", "Spare"]
            assert (await client.statistics()).open_http2_streams == 0


class PagesInMemory:
    """A transport stand-in: DiscoverHierarchy over three pages, answered at once."""

    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def unary(self, method: str, request: Any, timeout: float | None) -> gpb.DiscoverHierarchyReply:
        self.tokens.append(request.page_token)
        page = int(request.page_token or "0")
        reply = gpb.DiscoverHierarchyReply(next_page_token=str(page + 1) if page < 2 else "")
        reply.objects.add(gobject_id=page + 1)
        return reply


def test_a_page_received_by_a_cancelled_take_is_not_lost() -> None:
    from mxgateway._client.galaxy import _PageFetcher

    transport = PagesInMemory()
    fetcher = _PageFetcher(
        transport, "GalaxyRepository/DiscoverHierarchy", lambda t: gpb.DiscoverHierarchyRequest(page_token=t)
    )  # type: ignore[arg-type]

    async def main() -> list[int]:
        first = asyncio.get_running_loop().create_task(fetcher.take(None, True))
        turns = 0
        while fetcher._held is None:  # step the loop until page 1 is in and the take yields
            await asyncio.sleep(0)
            turns += 1
            assert turns < 100
        assert not first.done()
        first.cancel()  # cancelled while it lets the request for page 2 go out
        with pytest.raises(asyncio.CancelledError):
            await first
        pages = []
        while not fetcher.done:
            reply = await fetcher.take(None, True)
            pages.append(reply.objects[0].gobject_id)
        return pages

    assert run_asyncio(main) == [1, 2, 3]
    assert transport.tokens == ["", "1", "2"]  # each page asked for once
