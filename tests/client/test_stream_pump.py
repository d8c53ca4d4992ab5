"""StreamPump's buffer and overflow policies, with a scripted stream (no network)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from mxgateway import ClientConfigError, EventOverflowError
from mxgateway._transport.streams import StreamPump
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.loops import run_asyncio


class ScriptedStream:
    """Sends the scripted messages, then idles like a quiet gateway."""

    def __init__(self, messages: list[pb.MxEvent]) -> None:
        self._messages = list(messages)
        self.exhausted = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.sent: list[Any] = []

    async def send_message(self, message: Any, end: bool = False) -> None:
        self.sent.append(message)

    async def recv_message(self) -> pb.MxEvent | None:
        if self._messages:
            return self._messages.pop(0)
        self.exhausted.set()
        await asyncio.Event().wait()
        return None

    async def cancel(self) -> None:
        self.cancelled.set()


class ScriptedTransport:
    def __init__(self, stream: ScriptedStream) -> None:
        self.stream = stream

    def require_stub(self) -> None:
        return None

    @contextlib.contextmanager
    def call(self, method: str) -> Iterator[None]:
        yield

    def open_stream(self, method: str, *, timeout: float | None = None, wire_bytes: bool = False) -> Any:
        @contextlib.asynccontextmanager
        async def opened() -> AsyncIterator[ScriptedStream]:
            yield self.stream

        return opened()


def events(count: int) -> list[pb.MxEvent]:
    return [pb.MxEvent(worker_sequence=n) for n in range(1, count + 1)]


def make_pump(stream: ScriptedStream, capacity: int, overflow: str) -> StreamPump[pb.MxEvent]:
    return StreamPump(
        ScriptedTransport(stream),  # type: ignore[arg-type]
        "StreamEvents",
        pb.StreamEventsRequest(session_id="s"),
        capacity=capacity,
        overflow=overflow,  # type: ignore[arg-type]
        sequence_of=lambda e: e.worker_sequence,
    )


def test_error_policy_delivers_everything_buffered_then_raises() -> None:
    async def main() -> tuple[list[int], EventOverflowError]:
        stream = ScriptedStream(events(10))
        pump = make_pump(stream, capacity=3, overflow="error")
        await pump.start()
        await stream.cancelled.wait()  # the reader reset the stream on overflow
        delivered: list[int] = []
        with pytest.raises(EventOverflowError) as caught:
            while True:
                delivered.extend(e.worker_sequence for e in await pump.next_chunk(2))
        stats = pump.statistics()
        assert (stats.received, stats.delivered, stats.dropped) == (4, 3, 0)
        return delivered, caught.value

    delivered, error = run_asyncio(main)
    assert delivered == [1, 2, 3]
    assert error.last_worker_sequence == 3 and error.capacity == 3
    assert "resume after sequence 3" in str(error)


def test_drop_oldest_policy_keeps_newest_and_counts_drops() -> None:
    async def main() -> tuple[list[int], int]:
        stream = ScriptedStream(events(10))
        pump = make_pump(stream, capacity=3, overflow="drop_oldest")
        await pump.start()
        await stream.exhausted.wait()
        chunk = await pump.next_chunk(100)
        dropped = pump.statistics().dropped
        await pump.aclose()
        return [e.worker_sequence for e in chunk], dropped

    assert run_asyncio(main) == ([8, 9, 10], 7)


def test_chunks_are_bounded_and_reader_does_not_wait_for_consumer() -> None:
    async def main() -> list[int]:
        stream = ScriptedStream(events(5))
        pump = make_pump(stream, capacity=100, overflow="error")
        await pump.start()
        await stream.exhausted.wait()  # all read although nobody consumed yet
        sizes = [len(await pump.next_chunk(2)) for _ in range(3)]
        await pump.aclose()
        assert pump.statistics().finished
        return sizes

    assert run_asyncio(main) == [2, 2, 1]


def test_invalid_buffer_settings_are_rejected() -> None:
    stream = ScriptedStream([])
    with pytest.raises(ClientConfigError):
        make_pump(stream, capacity=0, overflow="error")
    with pytest.raises(ClientConfigError, match="overflow"):
        make_pump(stream, capacity=10, overflow="block")
