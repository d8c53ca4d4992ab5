"""Tags by name on the asyncio front end (the scenarios are in tag_scenarios)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from mxgateway import GatewayClient
from mxgateway.testing import run_simulator_in_thread
from tests.client.tag_scenarios import SCENARIOS, Scenario, World, galaxy
from tests.support.loops import ManualClock, run_asyncio

WAIT = 20.0


async def together(*functions: Callable[[], Awaitable[None]]) -> None:
    await asyncio.gather(*(function() for function in functions))


def run(scenario: Scenario) -> None:
    clock = ManualClock()
    with run_simulator_in_thread(galaxy=galaxy(), settings=scenario.settings, clock=clock) as sim:

        async def main() -> None:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                async with await client.open_session("tags", recover=scenario.recover) as session:
                    await scenario.run(World(session, sim, clock, asyncio.to_thread, together))

        run_asyncio(main, WAIT)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_tags_by_name(name: str) -> None:
    run(SCENARIOS[name])


def test_cancelling_the_task_cleans_up() -> None:
    async def cancelled_while_waiting(w: World) -> None:
        started = asyncio.Event()

        async def body() -> None:
            async with w.session.subscribe(["Line.Counter", "Line.Setpoint"]) as sub:
                await anext(sub)
                await anext(sub)
                started.set()
                await anext(sub)  # nothing more comes: only the cancellation ends this

        task = asyncio.get_running_loop().create_task(body())
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert w.advised() == 0 and w.registrations() == 0
        assert await w.offload(lambda: w.sim.wait_for_event_streams_open(0))

    run(Scenario(cancelled_while_waiting))


def test_a_cancellation_that_comes_while_leaving_still_cleans_up() -> None:
    async def cancelled_while_leaving(w: World) -> None:
        w.sim.set_reply_delay(0.2)
        left = asyncio.Event()

        async def body() -> None:
            async with w.session.subscribe("Line.Counter") as sub:
                await anext(sub)
                left.set()  # the block ends now: the cancellation comes during its cleanup

        task = asyncio.get_running_loop().create_task(body())
        await left.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        w.sim.set_reply_delay(0)
        assert w.advised() == 0 and w.registrations() == 0

    run(Scenario(cancelled_while_leaving))
