"""More simulator behaviour: limits, drain, suspend, buffered items, stall, policies, alarms."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from mxgateway import (
    BufferedDataChange,
    DataChange,
    GatewayClient,
    MxAccessError,
    ReconnectPolicy,
    ResourceExhaustedError,
)
from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import SimulatorSettings, parse_galaxy, serve_simulator
from tests.support.loops import ManualClock, run_asyncio

WAIT = 10.0
GALAXY = """
[attributes."Tank.Level"]
type = "double"
initial = 10.0
pattern = "ramp"
step = 1.0
period_ms = 1000
alarm_above = 11.5

[attributes."Tank.Count"]
type = "int32"
initial = 5
"""


def simulator(clock: ManualClock | None = None, **settings: Any) -> Any:
    settings.setdefault("tick_interval", 3600)
    return serve_simulator(galaxy=parse_galaxy(GALAXY), settings=SimulatorSettings(**settings), clock=clock)


def test_pending_command_limit() -> None:
    async def main() -> None:
        async with simulator(max_pending_commands=2) as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("s")
                sim.set_reply_delay(0.5)
                results = await asyncio.gather(*(session.ping() for _ in range(3)), return_exceptions=True)
                errors = [r for r in results if isinstance(r, BaseException)]
                assert len(errors) == 1 and isinstance(errors[0], ResourceExhaustedError)

    run_asyncio(main)


def test_drain_suspend_activate_and_buffered_items() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with (
            simulator(clock) as sim,
            await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client,
        ):
            session = await client.open_session("s")
            server = await session.register("c")
            level = await session.add_item(server, "Tank.Level")
            await session.advise(server, level)
            drained = await session.drain_events(10)  # no subscriber: the event waits in the queue
            assert [type(e) for e in drained] == [DataChange]
            await session.suspend(server, level)
            clock.now += 5
            sim.tick()
            assert await session.drain_events(10) == []
            await session.activate(server, level)
            assert [e.value for e in await session.drain_events(10)] == [15.0]  # type: ignore[union-attr]
            buffered = await session.add_buffered_item(server, "Tank.Count")
            await session.set_buffered_update_interval(server, 100)
            await session.advise(server, buffered)
            events = await session.drain_events(10)
            assert isinstance(events[0], BufferedDataChange) and [v.value for v in events[0].values] == [5]
            assert (await session.get_session_state()).state == "READY"
            assert await session.add_item2(server, "Tank.Count", "context") > 0

    run_asyncio(main)


def test_stall_holds_events_and_disconnect_policy_ends_only_the_stream_which_resumes() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock, event_queue_capacity=2, overflow_policy="disconnect_subscriber") as sim:
            async with await GatewayClient.connect(
                endpoint=sim.endpoint, plaintext=True, reconnect=ReconnectPolicy(initial_backoff=0.05)
            ) as client:
                session = await client.open_session("s")
                server = await session.register("c")
                level = await session.add_item(server, "Tank.Level")
                async with session.events() as events:
                    await session.advise(server, level)
                    first = await anext(events)
                    sim.stall_events()
                    for _ in range(4):
                        clock.now += 1
                        sim.tick()
                    await session.ping()  # the session itself stays Ready under this policy
                    sim.resume_events()  # the slow subscriber was dropped by the tick that overflowed
                    later = [await anext(events) for _ in range(4)]  # re-attached: replayed, in order
                    stats = events.statistics()
                assert [e.worker_sequence for e in later] == list(range(first.worker_sequence + 1, first.worker_sequence + 5))
                assert stats.reconnects == 1 and "EventQueueOverflow" in (stats.last_error or "")

    run_asyncio(main)


def test_alarm_rpcs_over_the_raw_stub() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock) as sim:
            host, port = sim.endpoint.rsplit(":", 1)
            channel = Channel(host, int(port))
            try:
                stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
                async with stub.StreamAlarms.open() as stream:
                    await stream.send_message(pb.StreamAlarmsRequest(alarm_filter_prefix="Tank"), end=True)
                    first = await stream.recv_message()
                    assert first is not None and first.WhichOneof("payload") == "snapshot_complete"
                    clock.now += 2  # 12.0 > 11.5: the alarm raises
                    sim.tick()
                    raised = await stream.recv_message()
                    assert (
                        raised is not None
                        and raised.transition.transition_kind == pb.ALARM_TRANSITION_KIND_RAISE
                    )
                    reference = raised.transition.alarm_full_reference
                    active = await stub.QueryActiveAlarms(
                        pb.QueryActiveAlarmsRequest(alarm_filter_prefix="Tank")
                    )
                    assert [a.condition_state for a in active] == [pb.ALARM_CONDITION_STATE_ACTIVE_UNACKED]
                    reply = await stub.AcknowledgeAlarm(
                        pb.AcknowledgeAlarmRequest(alarm_full_reference=reference, operator_user="op")
                    )
                    assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
                    acked = await stream.recv_message()
                    assert (
                        acked is not None
                        and acked.transition.transition_kind == pb.ALARM_TRANSITION_KIND_ACKNOWLEDGE
                    )
                    await stream.cancel()
                missing = await stub.AcknowledgeAlarm(pb.AcknowledgeAlarmRequest(alarm_full_reference="Nope"))
                assert missing.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
                with pytest.raises(GRPCError) as unknown:
                    await stub.CloseSession(pb.CloseSessionRequest(session_id="session-x"))
                assert unknown.value.status == Status.NOT_FOUND
            finally:
                channel.close()

    run_asyncio(main)


def test_alarm_api_of_the_asyncio_client() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with (
            simulator(clock) as sim,
            await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client,
        ):
            async with client.stream_alarms("Tank") as feed:
                assert (await anext(feed)).WhichOneof("payload") == "snapshot_complete"
                clock.now += 2
                sim.tick()
                raised = await anext(feed)
                reference = raised.transition.alarm_full_reference
                active = await client.query_active_alarms("Tank")
                assert [a.alarm_full_reference for a in active] == [reference]
                status = await client.acknowledge_alarm(reference, comment="seen", operator_user="op")
                assert status.category_name == "OK"
                acked = await anext(feed)
                assert acked.transition.operator_comment == "seen"
            with pytest.raises(MxAccessError, match="no active alarm"):
                await client.acknowledge_alarm("Nope.HiAlarm")

    run_asyncio(main)
