"""The hosted bridge on its own: a native asyncio loop run by a Trio task.

Nothing here touches the network except the executor test (no sockets at
all); the gRPC behaviour over this bridge is covered by the Trio client and
end-to-end tests, which run on every bridge.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest
import sniffio
import trio
import trio.testing

from mxgateway import ClientClosedError
from mxgateway._trio import hosted_loop
from mxgateway._trio.hosted_loop import HostedEventLoop, HostedLoopBridge, open_hosted_loop

WAIT = 10.0

pytestmark = pytest.mark.skipif(not hosted_loop.supported(), reason="no selector with a descriptor here")


async def _where_am_i() -> tuple[asyncio.AbstractEventLoop, str, bool]:
    await asyncio.sleep(0)
    return asyncio.get_running_loop(), sniffio.current_async_library(), asyncio.current_task() is not None


async def test_coroutines_run_on_the_hosted_loop_as_asyncio() -> None:
    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            loop, library, in_task = await bridge.run(_where_am_i)
            assert loop is bridge.loop
            assert library == "asyncio" and in_task
            assert sniffio.current_async_library() == "trio"  # restored outside
            with pytest.raises(RuntimeError):
                asyncio.get_running_loop()  # no asyncio loop runs between iterations


async def _fail() -> None:
    await asyncio.sleep(0)
    raise KeyError("from asyncio")


async def test_values_and_errors_cross_unchanged() -> None:
    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            assert await bridge.run(asyncio.sleep, 0, "value") == "value"
            with pytest.raises(KeyError, match="from asyncio"):
                await bridge.run(_fail)


async def test_asyncio_timers_fire_while_trio_waits() -> None:
    # Nothing but the timer can wake the loop here: the driver must sleep until it.
    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            started = trio.current_time()
            assert await bridge.run(asyncio.sleep, 0.05, "slept") == "slept"
            assert trio.current_time() - started >= 0.05
            with pytest.raises(TimeoutError):
                await bridge.run(asyncio.wait_for, asyncio.Event().wait(), 0.05)


async def test_a_later_timer_set_inline_does_not_delay_an_earlier_one() -> None:
    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge, trio.open_nursery() as nursery:
            nursery.start_soon(bridge.run, asyncio.sleep, 30)  # the driver now sleeps up to 30 s
            await trio.testing.wait_all_tasks_blocked()
            assert await bridge.run(asyncio.sleep, 0.05, "on time") == "on time"
            nursery.cancel_scope.cancel()


async def _via_executor() -> int:
    # The executor thread reports back with call_soon_threadsafe (the self-pipe).
    return await asyncio.get_running_loop().run_in_executor(None, lambda: threading.get_ident())


async def test_wakeups_from_other_threads_reach_the_loop() -> None:
    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            assert await bridge.run(_via_executor) != threading.get_ident()


async def test_cancel_scope_cancels_the_asyncio_task_and_waits_for_its_cleanup() -> None:
    cleaned: list[str] = []

    async def slow() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            await asyncio.sleep(0)  # cleanup that itself needs the loop
            cleaned.append("done")

    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            with trio.move_on_after(0.05) as scope:
                await bridge.run(slow)
            assert scope.cancelled_caught
            assert cleaned == ["done"]  # finished before run() gave control back


async def test_a_call_cancelled_before_its_body_started_returns_at_once() -> None:
    # No driver: nothing ever runs the loop, so the body cannot start; the
    # cancellation must not wait for it.
    bridge = HostedLoopBridge(HostedEventLoop())
    assert bridge._idle is None  # as while the driver runs: the caller leaves the first step to it
    try:
        with trio.fail_after(WAIT):
            with trio.move_on_after(0.05) as scope:
                await bridge.run(asyncio.sleep, 3600)
            assert scope.cancelled_caught
        for task in asyncio.all_tasks(bridge.loop):
            assert task.cancelling() or task.cancelled()
    finally:
        bridge.loop.run_ready(4)  # lets the cancelled task end, so no coroutine is left unawaited
        bridge.loop.close()


async def test_leftover_tasks_are_cancelled_when_the_bridge_closes() -> None:
    cleaned: list[str] = []

    async def background() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            cleaned.append("cancelled")

    async def spawn() -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(background())

    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            task = await bridge.run(spawn)
            await bridge.run(asyncio.sleep, 0)
        assert cleaned == ["cancelled"] and task.cancelled()
        assert bridge.loop.is_closed()


async def test_a_task_the_asyncio_side_cancels_ends_the_call_with_a_library_error() -> None:
    outcome: list[BaseException] = []

    async def call(bridge: HostedLoopBridge) -> None:
        try:
            await bridge.run(asyncio.sleep, 3600)
        except ClientClosedError as error:
            outcome.append(error)

    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(call, bridge)
                await trio.testing.wait_all_tasks_blocked()
                (task,) = asyncio.all_tasks(bridge.loop)
                task.cancel()  # not Trio's doing: e.g. the loop shutting down
                bridge._wake_driver()
    assert len(outcome) == 1


async def test_trio_asyncio_imported_elsewhere_does_not_confuse_the_loop() -> None:
    import trio_asyncio

    with trio.fail_after(WAIT):
        async with open_hosted_loop() as bridge:
            loop, library, _ = await bridge.run(_where_am_i)
            assert loop is bridge.loop and library == "asyncio"
            async with trio_asyncio.open_loop() as theirs:
                loop, _, _ = await bridge.run(_where_am_i)
                assert loop is bridge.loop
                assert trio_asyncio.current_loop.get() is theirs  # theirs again outside the call


def test_the_default_bridge_never_imports_trio_asyncio() -> None:
    import os

    environment = {k: v for k, v in os.environ.items() if k != "MXGATEWAY_TRIO_BRIDGE"}  # the default
    script = """
import sys, trio, mxgateway
from mxgateway.testing import run_simulator_in_thread

async def main():
    with trio.fail_after(10):
        async with mxgateway.open_client(endpoint=sim.endpoint, plaintext=True) as client:
            async with client.open_session("s") as session:
                server = await session.register("x")
                item = await session.add_item(server, "Object.Attribute")
                async with session.events() as events:
                    await session.advise(server, item)
                    async for event in events:
                        break
            print(client.bridge_name, "trio_asyncio" in sys.modules)

with run_simulator_in_thread() as sim:
    trio.run(main)
"""
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hosted", "False"]


async def test_two_hosted_loops_in_one_trio_run_keep_to_themselves() -> None:
    seen: dict[str, asyncio.AbstractEventLoop] = {}

    async def use(name: str, bridge: HostedLoopBridge) -> None:
        for _ in range(20):
            loop, _, _ = await bridge.run(_where_am_i)
            assert loop is bridge.loop
        seen[name] = loop

    with trio.fail_after(WAIT):
        async with open_hosted_loop() as first, open_hosted_loop() as second, trio.open_nursery() as nursery:
            nursery.start_soon(use, "first", first)
            nursery.start_soon(use, "second", second)
    assert seen["first"] is not seen["second"]


def test_self_test_passes_after_trio_asyncio_was_imported() -> None:
    import trio_asyncio  # noqa: F401  # patches asyncio's running-loop lookups process-wide

    from mxgateway import _compat

    _compat.check_event_loop_internals.cache_clear()
    hosted_loop._self_test_failure.cache_clear()
    hosted_loop.self_test()  # raises CompatError on failure
