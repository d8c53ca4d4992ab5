"""Tags by name on the Trio front end, on every bridge (the scenarios are in tag_scenarios)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
import trio

import mxgateway
from mxgateway.testing import SimulatorSettings, run_simulator_in_thread
from tests.client.tag_scenarios import SCENARIOS, Scenario, World, galaxy
from tests.support.loops import ManualClock

WAIT = 20.0


@pytest.fixture(params=["hosted", "trio-asyncio", "thread"])
def bridge(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def together(*functions: Callable[[], Awaitable[None]]) -> None:
    async with trio.open_nursery() as nursery:
        for function in functions:
            nursery.start_soon(function)


async def run(scenario: Scenario, bridge: str) -> None:
    clock = ManualClock()
    with run_simulator_in_thread(galaxy=galaxy(), settings=scenario.settings, clock=clock) as sim:
        with trio.fail_after(WAIT):
            async with mxgateway.open_client(endpoint=sim.endpoint, plaintext=True, bridge=bridge) as client:
                async with client.open_session("tags", recover=scenario.recover) as session:
                    await scenario.run(World(session, sim, clock, trio.to_thread.run_sync, together))


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_tags_by_name(name: str, bridge: str) -> None:
    await run(SCENARIOS[name], bridge)


async def test_cancelling_the_block_cleans_up(bridge: str) -> None:
    async def cancelled_while_waiting(w: World) -> None:
        with trio.CancelScope() as scope:
            async with w.session.subscribe(["Line.Counter", "Line.Setpoint"]) as sub:
                await anext(sub)
                scope.cancel()
                await anext(sub)  # nothing more comes: only the cancellation ends this
        assert scope.cancelled_caught
        assert w.advised() == 0 and w.registrations() == 0
        assert await w.offload(lambda: w.sim.wait_for_event_streams_open(0))

    await run(Scenario(cancelled_while_waiting), bridge)


async def test_a_deadline_that_ends_while_the_tags_are_added_still_cleans_up(bridge: str) -> None:
    async def deadline_during_the_add(w: World) -> None:
        w.sim.set_reply_delay(0.3)
        with trio.move_on_after(0.5) as scope:  # register takes 0.3 s: the add is under way at 0.5
            async with w.session.subscribe(["Line.Counter", "Line.Setpoint"]) as sub:
                await anext(sub)
        assert scope.cancelled_caught
        w.sim.set_reply_delay(0)
        assert w.advised() == 0 and w.registrations() == 0

    await run(Scenario(deadline_during_the_add), bridge)


async def test_the_reader_is_a_task_of_the_block_and_the_consumer_may_be_another(bridge: str) -> None:
    async def two_tasks(w: World) -> None:
        seen: list[object] = []
        async with w.session.subscribe("Line.Counter") as sub:
            async with trio.open_nursery() as nursery:

                async def consume() -> None:
                    async for change in sub:
                        seen.append(change.value)
                        if len(seen) == 3:
                            return

                nursery.start_soon(consume)
                for value in (5, 6):
                    await w.session.write("Line.Counter", value)
        assert seen == [0, 5, 6]

    await run(Scenario(two_tasks), bridge)


def test_scenarios_use_a_fresh_simulator_each() -> None:
    assert all(isinstance(s.settings, SimulatorSettings) for s in SCENARIOS.values())
