"""StreamPump: overflow policies and re-attaching, with scripted streams (no network)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from mxgateway import (
    AuthenticationError,
    ClientConfigError,
    EventOverflowError,
    GatewayUnavailableError,
    ReconnectFailedError,
    ReconnectPolicy,
    SessionLostError,
)
from mxgateway._client.sources import EventSource
from mxgateway._transport.streams import StreamPump
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.loops import run_asyncio

FAST = ReconnectPolicy(initial_backoff=0.001, max_backoff=0.001, jitter=0.0)


def event(sequence: int) -> bytes:
    return pb.MxEvent(worker_sequence=sequence, session_id="s").SerializeToString()


def gap(requested_after: int, oldest: int) -> bytes:
    marker = pb.MxEvent(session_id="s")
    marker.replay_gap.requested_after_sequence = requested_after
    marker.replay_gap.oldest_available_sequence = oldest
    return marker.SerializeToString()


class ScriptedStream:
    """Sends its messages, then fails with ``end`` or idles like a quiet gateway."""

    def __init__(self, messages: list[bytes], end: BaseException | None = None) -> None:
        self._messages = list(messages)
        self._end = end
        self.exhausted = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.request: Any = None

    async def send_message(self, message: Any, end: bool = False) -> None:
        self.request = message

    async def recv_message(self) -> bytes | None:
        if self._messages:
            return self._messages.pop(0)
        self.exhausted.set()
        if self._end is not None:
            raise self._end
        await asyncio.Event().wait()
        return None

    async def cancel(self) -> None:
        self.cancelled.set()


class ScriptedTransport:
    """Each (re)open takes the next scripted stream; an exception in the script fails the connect."""

    secrets: tuple[str | None, ...] = ()

    def __init__(self, *script: ScriptedStream | BaseException) -> None:
        self.script = list(script)
        self.opened: list[ScriptedStream] = []

    def require_stub(self) -> None:
        return None

    @contextlib.contextmanager
    def call(self, method: str) -> Iterator[None]:
        yield

    async def ensure_connected(self) -> None:
        if isinstance(self.script[0], BaseException):
            raise self.script.pop(0) if len(self.script) > 1 else self.script[0]

    def open_stream(self, method: str, *, timeout: float | None = None, wire_bytes: bool = False) -> Any:
        stream = self.script.pop(0)
        assert isinstance(stream, ScriptedStream)
        self.opened.append(stream)

        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[ScriptedStream]:
            yield stream

        return opened()


def make_pump(
    transport: ScriptedTransport,
    capacity: int = 100,
    overflow: str = "backpressure",
    reconnect: ReconnectPolicy | None = FAST,
    resume_after: int = 0,
) -> StreamPump[bytes]:
    return StreamPump(
        transport,  # type: ignore[arg-type]
        "StreamEvents",
        EventSource("session-" + "e" * 32),
        capacity=capacity,
        overflow=overflow,  # type: ignore[arg-type]
        reconnect=reconnect,
        resume_after=resume_after,
        wire_bytes=True,
    )


async def take_all(pump: StreamPump[bytes], count: int) -> list[int]:
    taken: list[int] = []
    while len(taken) < count:
        taken.extend(pb.MxEvent.FromString(m).worker_sequence for m in await pump.next_chunk(512))
    return taken


def lost() -> GatewayUnavailableError:
    return GatewayUnavailableError("connection lost", method="StreamEvents")


# ------------------------------------------------------------ overflow


def test_error_policy_drops_the_buffer_and_fails_at_once() -> None:
    async def main() -> None:
        stream = ScriptedStream([event(n) for n in range(1, 11)])
        pump = make_pump(ScriptedTransport(stream), capacity=3, overflow="error")
        await pump.start()
        await stream.cancelled.wait()  # the reader reset the stream on overflow
        assert pump.overflowed
        with pytest.raises(EventOverflowError):
            await pump.next_chunk(2)  # nothing buffered is handed out first
        stats = pump.statistics()
        assert (stats.received, stats.delivered, stats.dropped, stats.buffered) == (4, 0, 3, 0)

    run_asyncio(main)


def test_drop_oldest_policy_keeps_newest_and_counts_drops() -> None:
    async def main() -> tuple[list[int], int]:
        stream = ScriptedStream([event(n) for n in range(1, 11)])
        pump = make_pump(ScriptedTransport(stream), capacity=3, overflow="drop_oldest")
        await pump.start()
        await stream.exhausted.wait()
        chunk = await pump.next_chunk(100)
        dropped = pump.statistics().dropped
        await pump.aclose()
        return [pb.MxEvent.FromString(m).worker_sequence for m in chunk], dropped

    assert run_asyncio(main) == ([8, 9, 10], 7)


def test_backpressure_stops_reading_until_the_consumer_takes() -> None:
    async def main() -> None:
        stream = ScriptedStream([event(n) for n in range(1, 11)])
        pump = make_pump(ScriptedTransport(stream), capacity=3)
        await pump.start()
        for _ in range(20):  # the reader has every chance to run on
            await asyncio.sleep(0)
        assert not stream.exhausted.is_set() and pump.statistics().buffered == 3
        assert await take_all(pump, 10) == list(range(1, 11))
        stats = pump.statistics()
        assert stats.dropped == 0 and stats.received == 10
        await pump.aclose()

    run_asyncio(main)


def test_chunks_are_bounded() -> None:
    async def main() -> list[int]:
        stream = ScriptedStream([event(n) for n in range(1, 6)])
        pump = make_pump(ScriptedTransport(stream))
        await pump.start()
        await stream.exhausted.wait()  # all read although nobody consumed yet
        sizes = [len(await pump.next_chunk(2)) for _ in range(3)]
        await pump.aclose()
        assert pump.statistics().finished
        return sizes

    assert run_asyncio(main) == [2, 2, 1]


def test_invalid_buffer_settings_are_rejected() -> None:
    transport = ScriptedTransport()
    with pytest.raises(ClientConfigError):
        make_pump(transport, capacity=0)
    with pytest.raises(ClientConfigError, match="overflow"):
        make_pump(transport, overflow="block")


# ------------------------------------------------------------ re-attaching


def test_a_lost_connection_re_attaches_after_the_last_event_received() -> None:
    async def main() -> None:
        first = ScriptedStream([event(1), event(2), event(3)], end=lost())
        second = ScriptedStream([event(4), event(5)])
        transport = ScriptedTransport(first, lost(), second)  # one failed connect between
        pump = make_pump(transport, resume_after=0)
        await pump.start()
        assert await take_all(pump, 5) == [1, 2, 3, 4, 5]  # none lost, none repeated
        assert first.request.after_worker_sequence == 0
        assert second.request.after_worker_sequence == 3
        stats = pump.statistics()
        assert (stats.state, stats.reconnects, stats.reconnect_attempts) == ("streaming", 1, 2)
        assert "connection lost" in (stats.last_error or "")
        await pump.aclose()

    run_asyncio(main)


def test_a_replay_gap_on_re_attaching_is_delivered_and_counted() -> None:
    async def main() -> None:
        first = ScriptedStream([event(1), event(2)], end=lost())
        second = ScriptedStream([gap(2, 40), event(40), event(41)])
        pump = make_pump(ScriptedTransport(first, second))
        await pump.start()
        chunk: list[pb.MxEvent] = []
        while len(chunk) < 5:
            chunk.extend(pb.MxEvent.FromString(m) for m in await pump.next_chunk(512))
        assert [m.worker_sequence for m in chunk] == [1, 2, 0, 40, 41]
        assert chunk[2].replay_gap.oldest_available_sequence == 40
        assert pump.statistics().gaps == 1
        await pump.aclose()

    run_asyncio(main)


def test_giving_up_is_a_typed_error_with_the_resume_point() -> None:
    async def main() -> ReconnectFailedError:
        first = ScriptedStream([event(7)], end=lost())
        policy = ReconnectPolicy(initial_backoff=0.001, max_backoff=0.001, jitter=0.0, max_attempts=3)
        pump = make_pump(ScriptedTransport(first, lost()), reconnect=policy)
        await pump.start()
        assert await take_all(pump, 1) == [7]
        with pytest.raises(ReconnectFailedError) as caught:
            await pump.next_chunk(1)
        return caught.value

    error = run_asyncio(main)
    assert error.last_worker_sequence == 7 and error.attempts == 3
    assert isinstance(error, GatewayUnavailableError) and isinstance(
        error.last_error, GatewayUnavailableError
    )
    assert "resume after sequence 7" in str(error)


def test_without_reconnect_a_lost_connection_ends_the_stream() -> None:
    async def main() -> None:
        pump = make_pump(ScriptedTransport(ScriptedStream([event(1)], end=lost())), reconnect=None)
        await pump.start()
        assert await take_all(pump, 1) == [1]
        with pytest.raises(GatewayUnavailableError):
            await pump.next_chunk(1)

    run_asyncio(main)


def test_errors_that_reconnecting_cannot_mend_end_the_stream_at_once() -> None:
    async def main() -> None:
        refused = AuthenticationError("invalid API key", method="StreamEvents")
        transport = ScriptedTransport(ScriptedStream([], end=refused), ScriptedStream([event(1)]))
        pump = make_pump(transport)
        await pump.start()
        with pytest.raises(AuthenticationError):
            await pump.next_chunk(1)
        assert len(transport.opened) == 1  # never retried

    run_asyncio(main)


def test_a_lost_session_ends_a_raw_stream_with_its_resume_point() -> None:
    async def main() -> SessionLostError:
        from mxgateway import SessionNotFoundError

        first = ScriptedStream([event(4)], end=lost())
        second = ScriptedStream([], end=SessionNotFoundError("SessionNotFound", method="StreamEvents"))
        pump = make_pump(ScriptedTransport(first, second))
        await pump.start()
        assert await take_all(pump, 1) == [4]
        with pytest.raises(SessionLostError) as caught:
            await pump.next_chunk(1)
        return caught.value

    error = run_asyncio(main)
    assert error.last_worker_sequence == 4 and not error.recovered
