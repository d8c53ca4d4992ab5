"""The Trio API end to end against the simulator, on every bridge."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

import mxgateway
from mxgateway import DataChange, GatewayUnavailableError, MxAccessError, WriteComplete
from mxgateway.testing import (
    SimulatorSettings,
    ThreadedSimulator,
    generate_api_key,
    make_test_certificates,
    run_simulator_in_thread,
)

WAIT = 10.0
KEY = generate_api_key("trio")


@pytest.fixture(params=["hosted", "trio-asyncio", "thread"])
def bridge(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread(api_keys=[KEY], settings=SimulatorSettings(tick_interval=3600)) as simulator:
        yield simulator


async def test_readme_flow_with_events_and_write_complete(sim: ThreadedSimulator, bridge: str) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(
            endpoint=sim.endpoint, api_key=KEY, plaintext=True, bridge=bridge
        ) as client:
            async with client.open_session("python-client") as session:
                server = await session.register("python-client")
                item = await session.add_item(server, "Object.Attribute")
                async with session.events() as events:
                    await session.advise(server, item)
                    first = await anext(events)
                    assert isinstance(first, DataChange) and first.quality.is_good
                    target = int(first.value) + 1  # type: ignore[call-overload]  # a change, so a data change follows
                    await session.write(server, item, target, type="int32")
                    seen = [await anext(events), await anext(events)]
                    assert isinstance(seen[0], WriteComplete) and seen[0].succeeded
                    assert isinstance(seen[1], DataChange) and seen[1].value == target
                    assert events.last_worker_sequence == seen[1].worker_sequence
                with pytest.raises(MxAccessError):
                    await session.write(server, 999, 1)
    assert sim.last_authorization("StreamEvents") == f"Bearer {KEY}"


async def test_gateway_gone_mid_stream_is_a_typed_error_without_reconnect(bridge: str) -> None:
    with run_simulator_in_thread() as sim, trio.fail_after(WAIT):
        async with mxgateway.open_client(
            endpoint=sim.endpoint, plaintext=True, bridge=bridge, reconnect=None
        ) as client:
            session = client.attach_session((await client.open_session_raw("s")).session_id)
            server = await session.register("c")
            await session.advise(server, await session.add_item(server, "Tank1.Setpoint"))
            async with session.events() as events:
                await anext(events)
                await trio.to_thread.run_sync(sim.drop_connections)
                with pytest.raises(GatewayUnavailableError):
                    await anext(events)


async def test_tls_with_server_name_override(tmp_path: Path, bridge: str) -> None:
    certs = make_test_certificates(tmp_path, "gateway.test")
    with (
        run_simulator_in_thread(tls_cert=certs.cert_file, tls_key=certs.key_file) as sim,
        trio.fail_after(WAIT),
    ):
        async with mxgateway.open_client(
            endpoint=sim.endpoint,
            ca_file=str(certs.ca_file),
            server_name_override="gateway.test",
            bridge=bridge,
        ) as client:
            async with client.open_session("tls") as session:
                assert await session.register("c") == 1


async def test_alarm_api_of_the_trio_client(bridge: str) -> None:
    with run_simulator_in_thread() as sim, trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=sim.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.stream_alarms() as feed:
                first = await anext(feed)
                assert first.WhichOneof("payload") in ("active_alarm", "snapshot_complete")
            alarms = await client.query_active_alarms("No.Such.Prefix")
            assert alarms == []
            with pytest.raises(MxAccessError, match="no active alarm"):
                await client.acknowledge_alarm("Nope.HiAlarm")


async def test_cancel_scope_resets_the_stream_at_the_simulator(bridge: str) -> None:
    with run_simulator_in_thread() as sim, trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=sim.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                server = await session.register("c")
                await session.advise(server, await session.add_item(server, "Tank1.Setpoint"))
                with trio.CancelScope() as scope:
                    async with session.events() as events:
                        await anext(events)  # constant value: nothing more comes
                        scope.cancel()
                        await anext(events)
                assert scope.cancelled_caught
                assert await trio.to_thread.run_sync(sim.wait_for_stream_cancel)
                assert (await client.statistics()).open_http2_streams == 0
                await session.ping()  # the session stays usable
        assert sim.statistics()["event_streams_cancelled"] == 1
