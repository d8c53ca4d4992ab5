"""Sessions over the raw stub: ids, replies, limits, idempotent close, faults, leases."""

from __future__ import annotations

import asyncio
import re

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.loops import ManualClock, run_asyncio
from tests.testing.raw import add_advised, invoke, open_session, register, simulator, stub_for


def test_open_session_reply_describes_the_gateway() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            first = await stub.OpenSession(pb.OpenSessionRequest(client_session_name="a"))
            second = await stub.OpenSession(pb.OpenSessionRequest(client_session_name="b"))
            assert re.fullmatch(r"session-[0-9a-f]{32}", first.session_id)
            assert first.session_id != second.session_id
            assert first.backend_name == "mxaccess-worker"
            assert (first.gateway_protocol_version, first.worker_protocol_version) == (3, 1)
            assert first.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
            assert list(first.capabilities) == ["unary-acknowledge-alarm", "server-stream-active-alarms"]
            assert sim.session_ids() == [first.session_id, second.session_id]
            assert sim.statistics()["sessions"] == {"READY": 2}

    run_asyncio(main)


def test_close_is_idempotent_cleans_up_and_the_closed_session_stays_known() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            await add_advised(stub, session, server, "Tank.Count")
            worker = sim.service.sessions[session].worker
            assert worker.advised_items() == 1
            for _ in range(2):  # closing a closed session succeeds and reports the final state
                reply = await stub.CloseSession(pb.CloseSessionRequest(session_id=session))
                assert (reply.session_id, reply.final_state) == (session, pb.SESSION_STATE_CLOSED)
                assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
            assert worker.advised_items() == 0  # UnAdvise, RemoveItem, Unregister ran
            assert sim.session_state(session) == "CLOSED"
            ping = await invoke(stub, session, "ping", correlation_id="p")
            assert ping.protocol_status.code == pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
            assert "session state Closed" in ping.protocol_status.message
            assert ping.correlation_id == "p" and ping.kind == pb.MX_COMMAND_KIND_PING
            with pytest.raises(GRPCError) as stream_error:
                async with stub.StreamEvents.open() as stream:
                    await stream.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                    await stream.recv_message()
            assert stream_error.value.status == Status.FAILED_PRECONDITION
            assert "Closed" in str(stream_error.value.message)
            sim.fault_session(session)  # Closed is terminal
            assert sim.session_state(session) == "CLOSED"

    run_asyncio(main)


def test_unknown_sessions_are_not_found_on_every_rpc() -> None:
    missing = "session-" + "0" * 32

    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            with pytest.raises(GRPCError) as on_invoke:
                await invoke(stub, missing, "ping")
            with pytest.raises(GRPCError) as on_close:
                await stub.CloseSession(pb.CloseSessionRequest(session_id=missing))
            with pytest.raises(GRPCError) as on_stream:
                async with stub.StreamEvents.open() as stream:
                    await stream.send_message(pb.StreamEventsRequest(session_id=missing), end=True)
                    await stream.recv_message()
            for error in (on_invoke, on_close, on_stream):
                assert error.value.status == Status.NOT_FOUND
                assert missing in str(error.value.message)

    run_asyncio(main)


def test_session_limit_counts_live_sessions_only() -> None:
    async def main() -> None:
        async with simulator(settings={"max_sessions": 2}) as sim, stub_for(sim) as stub:
            first = await open_session(stub)
            await open_session(stub)
            with pytest.raises(GRPCError) as full:
                await open_session(stub)
            assert full.value.status == Status.RESOURCE_EXHAUSTED
            assert "SessionLimitExceeded" in str(full.value.message)
            await stub.CloseSession(pb.CloseSessionRequest(session_id=first))
            await open_session(stub)  # a closed session frees its slot

    run_asyncio(main)


def test_a_faulted_session_refuses_commands_and_streams_until_closed() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            sim.fault_session(session, "worker crashed")
            reply = await invoke(stub, session, "register", client_name="c")
            assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
            message = reply.protocol_status.message
            assert "session state Faulted" in message and "worker state Exited" in message
            assert "worker crashed" in message
            with pytest.raises(GRPCError) as stream_error:
                async with stub.StreamEvents.open() as stream:
                    await stream.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                    await stream.recv_message()
            assert stream_error.value.status == Status.FAILED_PRECONDITION
            assert "Faulted" in str(stream_error.value.message)
            closed = await stub.CloseSession(pb.CloseSessionRequest(session_id=session))
            assert closed.final_state == pb.SESSION_STATE_CLOSED
            assert sim.statistics()["sessions"] == {"CLOSED": 1}

    run_asyncio(main)


def test_the_lease_ends_idle_sessions_and_an_attached_stream_keeps_them() -> None:
    clock = ManualClock()
    settings = {"session_lease_seconds": 10.0, "subscriber_grace_seconds": 5.0}

    async def main() -> None:
        async with simulator(clock=clock, settings=settings) as sim, stub_for(sim) as stub:
            idle = await open_session(stub)
            watched = await open_session(stub)
            clock.now += 6
            await invoke(stub, idle, "ping")  # a unary call extends the lease to t=16
            async with stub.StreamEvents.open() as stream:
                await stream.send_message(pb.StreamEventsRequest(session_id=watched), end=True)
                await sim.wait_for_event_streams_open(1)
                clock.now += 9  # t=15: past the first leases, but the ping and the attach moved both to t=16
                sim.tick()
                assert (sim.session_state(idle), sim.session_state(watched)) == ("READY", "READY")
                clock.now += 2
                sim.tick()
                assert sim.session_state(idle) == "CLOSED"
                assert sim.session_state(watched) == "READY"  # the stream keeps it alive
                await stream.cancel()
            await sim.wait_for_event_streams_open(0)
            clock.now += 4  # inside the grace period after the subscriber left
            sim.tick()
            assert sim.session_state(watched) == "READY"
            clock.now += 2
            sim.tick()
            assert sim.session_state(watched) == "CLOSED"

    run_asyncio(main)


def test_pending_command_limit_fails_fast() -> None:
    async def main() -> None:
        async with simulator(settings={"max_pending_commands": 2}) as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            sim.set_reply_delay(0.3)
            results = await asyncio.gather(
                *(invoke(stub, session, "ping") for _ in range(3)), return_exceptions=True
            )
            errors = [r for r in results if isinstance(r, GRPCError)]
            assert len(errors) == 1 and errors[0].status == Status.RESOURCE_EXHAUSTED
            assert "128" not in str(errors[0].message) and "2" in str(errors[0].message)
            assert sim.statistics()["pending_commands"] == 0

    run_asyncio(main)
