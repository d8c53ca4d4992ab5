"""Events over the raw stub: ordering, sequences, subscribers, resume, replay gap, overflow."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from mxgateway._core.values import decode_value, encode_value
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import parse_galaxy
from mxgateway.testing._worker import Worker
from tests.support.loops import ManualClock, run_asyncio
from tests.testing.raw import (
    FIXED_TIME,
    GALAXY,
    Stub,
    add_advised,
    command,
    invoke,
    open_session,
    register,
    simulator,
    stub_for,
)

EventStream = Any  # grpclib's client Stream for StreamEvents


@asynccontextmanager
async def events(stub: Stub, session: str, after: int = 0) -> AsyncIterator[EventStream]:
    async with stub.StreamEvents.open() as stream:
        await stream.send_message(
            pb.StreamEventsRequest(session_id=session, after_worker_sequence=after), end=True
        )
        yield stream
        await stream.cancel()  # leaving the block resets the stream, as a client that stops reading


async def receive(stream: EventStream, count: int) -> list[pb.MxEvent]:
    received = []
    for _ in range(count):
        event = await stream.recv_message()
        assert event is not None
        received.append(event)
    return received


def test_the_first_data_change_waits_for_the_advise_reply() -> None:
    emitted: list[pb.MxEvent] = []
    scheduled: list[tuple[float, Callable[[], None]]] = []
    galaxy = parse_galaxy(GALAXY)
    galaxy.reset(0.0)

    def schedule(delay: float, action: Callable[[], None]) -> None:
        scheduled.append((delay, action))

    for delay in (0.0, 2.5):
        emitted.clear()
        worker = Worker(
            galaxy,
            emitted.append,
            lambda: 0.0,
            lambda: FIXED_TIME,
            first_data_change_delay=delay,
            schedule=schedule,
        )
        server = worker.execute(command("register", client_name="c"))[0].register.server_handle
        item = worker.execute(command("add_item", server_handle=server, item_definition="Tank.Count"))[0]
        reply, after_reply = worker.execute(
            command("advise", server_handle=server, item_handle=item.add_item.item_handle)
        )
        assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
        assert emitted == []  # nothing before the reply is sent
        for action in after_reply:
            action()
        if delay:
            assert emitted == [] and [d for d, _ in scheduled] == [2.5]
            scheduled.pop()[1]()
        assert [decode_value(e.on_data_change.value) for e in emitted] == [5]


def test_data_changes_write_completions_sequences_and_timestamps() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            async with events(stub, session) as stream:
                await sim.wait_for_event_streams_open(1)
                level = await add_advised(stub, session, server, "Tank.Level")
                (first,) = await receive(stream, 1)
                clock.now += 2
                sim.tick()
                (moved,) = await receive(stream, 1)
                reply = await invoke(
                    stub, session, "write", server_handle=server, item_handle=level, value=encode_value(50.0)
                )
                assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
                complete, written = await receive(stream, 2)
            assert [e.worker_sequence for e in (first, moved, complete, written)] == [1, 2, 3, 4]
            assert [e.family for e in (first, moved, complete, written)] == [
                pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
                pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
                pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE,
                pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
            ]
            values = [decode_value(e.on_data_change.value) for e in (first, moved, written)]
            assert values == [10.0, 12.0, 50.0]
            assert complete.on_write_complete.statuses[0].category == pb.MX_STATUS_CATEGORY_OK
            for event in (first, moved, complete, written):
                assert (event.session_id, event.server_handle, event.item_handle) == (session, server, level)
                assert event.gateway_receive_timestamp.ToDatetime(tzinfo=UTC) == FIXED_TIME
            assert first.on_data_change.timestamp.ToDatetime(tzinfo=UTC) == FIXED_TIME
            assert first.on_data_change.quality == 192
            assert sim.statistics()["events_sent"] == 4

    run_asyncio(main)


def test_one_subscriber_by_default_and_more_when_configured() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            async with events(stub, session):
                await sim.wait_for_event_streams_open(1)
                with pytest.raises(GRPCError) as second:
                    async with events(stub, session) as extra:
                        await extra.recv_message()
                assert second.value.status == Status.ALREADY_EXISTS
        async with simulator(settings={"max_event_subscribers": 2}) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            async with events(stub, session) as one, events(stub, session) as two:
                await sim.wait_for_event_streams_open(2)
                await add_advised(stub, session, server, "Tank.Count")
                assert [e.worker_sequence for e in await receive(one, 1)] == [1]
                assert [e.worker_sequence for e in await receive(two, 1)] == [1]

    run_asyncio(main)


def test_events_queue_without_a_subscriber_and_undelivered_ones_wait_for_the_next() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            await add_advised(stub, session, server, "Tank.Level")  # event 1 queues
            async with events(stub, session) as stream:
                assert [e.worker_sequence for e in await receive(stream, 1)] == [1]
                sim.stall_events()
                clock.now += 1
                sim.tick()  # event 2 waits in the stalled stream's queue
                assert len(sim.service.sessions[session].subscribers[0].queue) == 1
            await sim.wait_for_stream_cancels(1)
            sim.resume_events()
            async with events(stub, session) as stream:
                (event,) = await receive(stream, 1)
            assert (event.worker_sequence, decode_value(event.on_data_change.value)) == (2, 11.0)
            await sim.wait_for_stream_cancels(2)

    run_asyncio(main)


def test_resume_replays_from_the_ring_and_marks_a_gap() -> None:
    clock = ManualClock()
    settings = {"replay_events": 3, "replay_seconds": 60.0}

    async def main() -> None:
        async with simulator(clock=clock, settings=settings) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            await add_advised(stub, session, server, "Tank.Level")
            for _ in range(5):
                clock.now += 1
                sim.tick()
            async with events(stub, session) as stream:
                assert [e.worker_sequence for e in await receive(stream, 6)] == [1, 2, 3, 4, 5, 6]
            async with events(stub, session, after=4) as resumed:  # inside the ring: no gap
                assert [e.worker_sequence for e in await receive(resumed, 2)] == [5, 6]
            async with events(stub, session, after=1) as gapped:
                marker, *replayed = await receive(gapped, 4)
            assert (marker.worker_sequence, marker.family) == (0, pb.MX_EVENT_FAMILY_UNSPECIFIED)
            assert marker.WhichOneof("body") is None and marker.HasField("replay_gap")
            gap = marker.replay_gap
            assert (gap.requested_after_sequence, gap.oldest_available_sequence) == (1, 4)
            assert [e.worker_sequence for e in replayed] == [4, 5, 6]
            clock.now += 61  # everything is older than the replay window now
            async with events(stub, session, after=5) as late:
                (marker,) = await receive(late, 1)
            assert marker.replay_gap.oldest_available_sequence == 7

    run_asyncio(main)


def test_overflow_without_a_subscriber_faults_the_session() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock, settings={"event_queue_capacity": 3}) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            await add_advised(stub, session, server, "Tank.Level")
            for _ in range(3):
                clock.now += 1
                sim.tick()
            assert sim.session_state(session) == "FAULTED"
            with pytest.raises(GRPCError) as refused:
                async with events(stub, session) as stream:
                    await stream.recv_message()
            assert refused.value.status == Status.FAILED_PRECONDITION
            assert "EventQueueOverflow" in str(refused.value.message)

    run_asyncio(main)


def test_overflow_of_a_stalled_subscriber_faults_its_stream_and_session() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock, settings={"event_queue_capacity": 2}) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            with pytest.raises(GRPCError) as ended:
                async with events(stub, session) as stream:
                    await sim.wait_for_event_streams_open(1)
                    sim.stall_events()
                    await add_advised(stub, session, server, "Tank.Level")
                    for _ in range(2):
                        clock.now += 1
                        sim.tick()
                    await stream.recv_message()
            assert ended.value.status == Status.UNAVAILABLE
            assert sim.session_state(session) == "FAULTED"

    run_asyncio(main)


def test_the_disconnect_policy_ends_only_the_stream_and_the_ring_still_resumes() -> None:
    clock = ManualClock()
    settings = {"event_queue_capacity": 2, "overflow_policy": "disconnect_subscriber"}

    async def main() -> None:
        async with simulator(clock=clock, settings=settings) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            with pytest.raises(GRPCError) as ended:
                async with events(stub, session) as stream:
                    await sim.wait_for_event_streams_open(1)
                    sim.stall_events()
                    await add_advised(stub, session, server, "Tank.Level")
                    for _ in range(2):
                        clock.now += 1
                        sim.tick()
                    await stream.recv_message()
            assert ended.value.status == Status.RESOURCE_EXHAUSTED
            assert "EventQueueOverflow" in str(ended.value.message)
            sim.resume_events()
            clock.now += 1
            sim.tick()  # with the slow subscriber gone, this queues without faulting
            assert sim.session_state(session) == "READY"
            async with events(stub, session, after=1) as resumed:
                assert [e.worker_sequence for e in await receive(resumed, 3)] == [2, 3, 4]

    run_asyncio(main)
