"""Subscriptions that run unattended: re-attaching, session loss and recovery, silent gateways.

The simulator runs on a thread (``run_simulator_in_thread``) or as its own
process (``SimulatorProcess``), which is killed, restarted on the same port
and frozen (SIGSTOP). Every wait is bounded.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import trio

import mxgateway
from mxgateway import (
    DataChange,
    GatewayClient,
    GatewayUnavailableError,
    ReconnectPolicy,
    SessionLostError,
    SessionRecovered,
    WriteComplete,
)
from mxgateway.testing import generate_api_key, run_simulator_in_thread
from tests.support.logwait import waiting_for_log
from tests.support.loops import run_asyncio
from tests.support.sim_process import SimulatorProcess

WAIT = 15.0
FAST = ReconnectPolicy(initial_backoff=0.05, max_backoff=0.2, jitter=0.0)


@pytest.fixture(params=["hosted", "trio-asyncio", "thread"])
def bridge(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def next_of(events: Any, kind: type, **where: Any) -> Any:
    """The next event of ``kind`` (whose attributes match ``where``), skipping others."""
    async for event in events:
        if isinstance(event, kind) and all(getattr(event, k) == v for k, v in where.items()):
            return event
    raise AssertionError("the stream ended")


# ---------------------------------------------------------------- recovery


async def test_recovery_keeps_the_callers_handles_and_marks_the_stream(bridge: str) -> None:
    with run_simulator_in_thread() as sim, trio.fail_after(WAIT):
        async with mxgateway.open_client(
            endpoint=sim.endpoint, plaintext=True, bridge=bridge, reconnect=FAST
        ) as client:
            async with client.open_session("s", recover=True) as session:
                old = session.session_id
                server = await session.register("c")
                setpoint = await session.add_item(server, "Tank1.Setpoint")
                missing = await session.add_item(server, "No.Such")  # re-added as well (MXAccess accepts it)
                async with session.events() as events:
                    await session.advise(server, setpoint)
                    first = await next_of(events, DataChange, item_handle=setpoint)
                    await trio.to_thread.run_sync(sim.fault_session, old)
                    marker = await next_of(events, SessionRecovered)
                    again = await next_of(events, DataChange)  # re-advised on the new session
                    assert session.session_id == marker.new_session_id != old
                    await session.write(server, setpoint, 61.5)  # the old handles still work
                    written = await next_of(events, WriteComplete)
                    changed = await next_of(events, DataChange, value=61.5)
                    stats = await events.statistics()
        states = (sim.session_state(old), sim.session_state(marker.new_session_id))
    assert (marker.old_session_id, marker.lost_after_sequence, marker.failed) == (old, first.worker_sequence, ())
    assert (again.server_handle, again.item_handle, again.value) == (server, setpoint, 60.0)
    assert again.worker_sequence == 1  # the new session's sequences
    assert (written.item_handle, changed.item_handle) == (setpoint, setpoint) and written.succeeded
    assert missing != setpoint and stats.recoveries == 1
    assert states == ("CLOSED", "CLOSED")  # the faulted one closed by the recovery, the new one by the block


def test_without_recovery_the_stream_and_later_calls_raise_session_lost() -> None:
    async def main() -> tuple[SessionLostError, SessionLostError, int]:
        with run_simulator_in_thread() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True, reconnect=FAST) as client:
                session = await client.open_session("s")
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    first = await next_of(events, DataChange)
                    sim.fault_session(session.session_id)
                    with pytest.raises(SessionLostError) as on_stream:
                        await anext(events)
                with pytest.raises(SessionLostError) as on_call:
                    await session.ping()
                return on_stream.value, on_call.value, first.worker_sequence

    on_stream, on_call, last = run_asyncio(main, 30)
    assert on_stream.last_worker_sequence == last and not on_stream.recovered
    assert on_call is on_stream  # the same loss, known to the session


def test_a_call_that_finds_its_session_gone_recovers_it_first() -> None:
    async def main() -> None:
        with run_simulator_in_thread() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("s", recover=True)
                server = await session.register("c")
                level = await session.add_item(server, "Tank1.Level")
                await session.advise(server, level)
                old = session.session_id
                sim.fault_session(old)
                with pytest.raises(SessionLostError) as lost:
                    await session.ping()
                assert lost.value.recovered and lost.value.new_session_id == session.session_id != old
                await session.ping()  # the next call goes to the new session
                other = await session.add_item(server, "Tank1.Setpoint")  # new handles do not collide
                assert other != level
                await session.unadvise(server, level)  # the old handle maps to the re-added item
                await session.close()

    run_asyncio(main, 30)


# ------------------------------------------------- a gateway in its own process


async def test_a_killed_gateway_restarted_on_the_same_port_is_a_recovered_session() -> None:
    with SimulatorProcess() as gateway, trio.fail_after(30):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, reconnect=FAST) as client:
            async with client.open_session("s", recover=True) as session:
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    await next_of(events, DataChange)
                    await trio.to_thread.run_sync(gateway.restart)  # every session gone
                    marker = await next_of(events, SessionRecovered)
                    again = await next_of(events, DataChange)
                    stats = await events.statistics()
    assert (again.server_handle, again.item_handle) == (server, item)
    assert marker.new_session_id != marker.old_session_id and stats.recoveries == 1


async def test_a_killed_gateway_restarted_later_is_re_attached_to_after_backoff() -> None:
    # Killed and up again while the stream retries: without recovery the new
    # gateway does not know the session, which is then lost, with its resume point.
    with SimulatorProcess() as gateway, trio.fail_after(30):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, reconnect=FAST) as client:
            async with client.open_session("s") as session:
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    first = await next_of(events, DataChange)
                    with waiting_for_log("attempt 2 failed") as retrying:
                        await trio.to_thread.run_sync(gateway.kill)
                        assert await trio.to_thread.run_sync(retrying.seen.wait, 10)
                    await trio.to_thread.run_sync(gateway.start)
                    with pytest.raises(SessionLostError) as lost:
                        await anext(events)
    assert lost.value.last_worker_sequence == first.worker_sequence
    assert session.final_state == "LOST" and session.close_error is None  # nothing left to close


async def test_a_frozen_gateway_is_noticed_by_keepalive_and_re_attached_when_it_thaws() -> None:
    with SimulatorProcess() as gateway, trio.fail_after(30):
        async with mxgateway.open_client(
            endpoint=gateway.endpoint,
            plaintext=True,
            keepalive_interval=0.3,
            keepalive_timeout=0.3,
            connect_timeout=0.5,
            reconnect=FAST,
        ) as client:
            async with client.open_session("s") as session:
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    first = await next_of(events, DataChange)
                    with waiting_for_log("reconnecting") as noticed:
                        gateway.freeze()
                        frozen_at = trio.current_time()
                        assert await trio.to_thread.run_sync(noticed.seen.wait, 10)
                    noticed_after = trio.current_time() - frozen_at
                    gateway.thaw()
                    await session.write(server, item, 99.0)
                    changed = await next_of(events, DataChange, value=99.0)
                    stats = await events.statistics()
    assert noticed_after < 0.3 + 0.3 + 1.0  # interval + timeout, with room for this busy machine
    assert changed.worker_sequence > first.worker_sequence and stats.reconnects >= 1


async def test_a_frozen_gateway_without_reconnect_ends_the_stream_within_interval_and_timeout() -> None:
    with SimulatorProcess() as gateway, trio.fail_after(30):
        async with mxgateway.open_client(
            endpoint=gateway.endpoint,
            plaintext=True,
            keepalive_interval=0.3,
            keepalive_timeout=0.3,
            reconnect=None,
        ) as client:
            session = client.attach_session((await client.open_session_raw("s")).session_id)
            server = await session.register("c")
            item = await session.add_item(server, "Tank1.Setpoint")
            async with session.events() as events:
                await session.advise(server, item)
                await next_of(events, DataChange)
                gateway.freeze()
                started = trio.current_time()
                with pytest.raises(GatewayUnavailableError):
                    await anext(events)
                elapsed = trio.current_time() - started
    assert elapsed < 0.3 + 0.3 + 1.0


# ------------------------------------------------- not (or not responding as) a gateway


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, list[socket.socket]]]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    accepted: list[socket.socket] = []
    yield server, accepted
    for conn in accepted:
        conn.close()
    server.close()


def serve_once(server: socket.socket, accepted: list[socket.socket], reply: bytes | None) -> threading.Thread:
    def run() -> None:
        conn, _ = server.accept()
        accepted.append(conn)
        if reply is not None:
            conn.recv(65536)
            conn.sendall(reply)
            conn.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_listener_that_never_answers_fails_within_connect_timeout(
    listener: tuple[socket.socket, list[socket.socket]],
) -> None:
    server, accepted = listener
    serve_once(server, accepted, None)
    endpoint = f"127.0.0.1:{server.getsockname()[1]}"

    async def main() -> None:
        await GatewayClient.connect(endpoint=endpoint, plaintext=True, connect_timeout=0.5)

    with pytest.raises(GatewayUnavailableError, match=r"sent no HTTP/2 settings within 0\.5 s"):
        run_asyncio(main)


def test_a_plain_http_server_is_not_a_gateway(listener: tuple[socket.socket, list[socket.socket]]) -> None:
    server, accepted = listener
    serve_once(server, accepted, b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    endpoint = f"127.0.0.1:{server.getsockname()[1]}"

    async def main() -> None:
        await GatewayClient.connect(endpoint=endpoint, plaintext=True, connect_timeout=5.0)

    with pytest.raises(GatewayUnavailableError, match=r"without speaking HTTP/2.*not .*an MXAccess Gateway"):
        run_asyncio(main)


# ------------------------------------------------------------------ logging


def test_one_log_line_per_transition_and_never_the_key(caplog: pytest.LogCaptureFixture) -> None:
    key = generate_api_key("logs")

    async def main() -> None:
        with SimulatorProcess("--api-key", key) as gateway:  # its own process: only our logs here
            async with await GatewayClient.connect(
                endpoint=gateway.endpoint, plaintext=True, api_key=key, reconnect=FAST
            ) as client:
                session = await client.open_session("s")
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    await next_of(events, DataChange)
                    gateway.restart()  # the restarted gateway requires the same key
                    with pytest.raises(SessionLostError):
                        await anext(events)
                await session.close()

    with caplog.at_level(logging.DEBUG):  # the root logger: every logger, hpack's and grpclib's included
        run_asyncio(main, 40)
    ours = [
        (r.levelname, r.getMessage().split(" ")[0:3])
        for r in caplog.records
        if r.name == "mxgateway" and r.levelno >= logging.INFO
    ]
    transitions = [(level, " ".join(words)) for level, words in ours]
    assert sorted(transitions) == [  # one line each, for the connection and for the stream
        ("INFO", "event stream of"),
        ("INFO", "reconnected to the"),
        ("WARNING", "event stream of"),
        ("WARNING", "lost the connection"),
    ], transitions
    assert any(r.name.startswith("hpack") for r in caplog.records)  # DEBUG really was on
    for record in caplog.records:
        assert key not in record.getMessage() and key.split("_")[-1] not in record.getMessage()


def test_an_outage_longer_than_the_replay_ring_is_a_typed_gap_and_the_stream_goes_on() -> None:
    from mxgateway import ReplayGap
    from mxgateway.testing import SimulatorSettings

    async def main() -> tuple[Any, list[Any], Any]:
        settings = SimulatorSettings(replay_events=2)  # the gateway keeps only the last 2 events
        with run_simulator_in_thread(settings=settings) as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True, reconnect=FAST) as client:
                session = await client.open_session("s")
                server = await session.register("c")
                item = await session.add_item(server, "Tank1.Setpoint")
                async with session.events() as events:
                    await session.advise(server, item)
                    first = await next_of(events, DataChange)
                    sim.stall_events()  # the stream is attached but nothing reaches us
                    for value in range(1, 6):
                        await session.write(server, item, float(value))  # 10 events: change + completion each
                    sim.drop_connections()
                    sim.resume_events()
                    gap = await anext(events)
                    after = [await anext(events) for _ in range(2)]
                    return first, [gap, *after], events.statistics()

    first, (gap, *after), stats = run_asyncio(main, 30)
    assert isinstance(gap, ReplayGap) and gap.requested_after_sequence == first.worker_sequence
    assert list(gap.missing) == list(range(first.worker_sequence + 1, gap.oldest_available_sequence))
    assert [e.worker_sequence for e in after] == [gap.oldest_available_sequence, gap.oldest_available_sequence + 1]
    assert stats.gaps == 1 and stats.reconnects == 1


def test_an_http2_server_that_answers_404_is_not_a_gateway(
    listener: tuple[socket.socket, list[socket.socket]],
) -> None:
    import h2.config
    import h2.connection
    import h2.events
    import h2.exceptions

    server, accepted = listener

    def serve() -> None:  # HTTP/2 without gRPC: every request gets 404
        conn, _ = server.accept()
        accepted.append(conn)
        h2c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False))
        h2c.initiate_connection()
        try:
            conn.sendall(h2c.data_to_send())
            while data := conn.recv(65536):
                for event in h2c.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        h2c.send_headers(event.stream_id, [(":status", "404")], end_stream=True)
                conn.sendall(h2c.data_to_send())
        except (OSError, h2.exceptions.ProtocolError):
            pass  # the client hung up first: nothing more to answer

    threading.Thread(target=serve, daemon=True).start()
    endpoint = f"127.0.0.1:{server.getsockname()[1]}"

    async def main() -> None:
        async with await GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:
            await client.open_session_raw("s")

    with pytest.raises(GatewayUnavailableError, match=r"is not an MXAccess Gateway: it answered with .*404"):
        run_asyncio(main)


def test_a_stream_of_an_id_the_gateway_never_had_is_not_found_not_lost() -> None:
    from mxgateway import SessionNotFoundError

    async def main() -> None:
        with run_simulator_in_thread() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                unknown = "session-" + "0" * 32
                for stream in (client.stream_events_raw(unknown), client.attach_session(unknown).events()):
                    with pytest.raises(SessionNotFoundError) as caught:
                        async with stream:
                            await anext(stream)
                    assert not isinstance(caught.value, SessionLostError)

    run_asyncio(main, 30)
