"""Server streams read by an asyncio task into a bounded buffer (``StreamPump``).

A slow consumer never stalls the network reader, and consumers take
messages in chunks, so the Trio front end crosses loops once per chunk,
not once per message.
"""

from __future__ import annotations

import asyncio
import collections
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from google.protobuf.message import Message

from mxgateway._errors import ClientClosedError, ClientConfigError, EventOverflowError
from mxgateway._transport.channel import GatewayTransport
from mxgateway.generated import mxaccess_gateway_pb2 as pb

MessageT = TypeVar("MessageT", bound=Message)
OverflowPolicy = Literal["error", "drop_oldest"]
OVERFLOW_POLICIES: tuple[str, ...] = ("error", "drop_oldest")


@dataclass(frozen=True)
class PumpStatistics:
    received: int
    delivered: int
    dropped: int
    buffered: int
    capacity: int
    overflow: str
    finished: bool


class StreamPump(Generic[MessageT]):
    """Reads one server stream into a bounded buffer from an asyncio task.

    The reader never waits for the consumer. When the buffer is full the
    ``overflow`` policy decides: ``"error"`` (default) stops reading, resets
    the stream and raises ``EventOverflowError`` to the consumer after every
    buffered message was delivered; ``"drop_oldest"`` drops the oldest
    buffered message and counts it in ``statistics().dropped``.
    """

    def __init__(
        self,
        transport: GatewayTransport,
        method: str,
        request: Message,
        *,
        capacity: int,
        overflow: OverflowPolicy = "error",
        timeout: float | None = None,
        sequence_of: Any = None,
        wire_bytes: bool = False,
    ) -> None:
        if capacity < 1:
            raise ClientConfigError("buffer capacity must be at least 1")
        if overflow not in OVERFLOW_POLICIES:
            raise ClientConfigError(f"overflow must be one of {', '.join(OVERFLOW_POLICIES)}")
        self._transport = transport
        self._method = method
        self._request = request
        self._capacity = capacity
        self._overflow = overflow
        self._timeout = timeout
        self._sequence_of = sequence_of
        self._wire_bytes = wire_bytes
        self._buffer: collections.deque[MessageT] = collections.deque()
        self._ready = asyncio.Event()
        self._failure: BaseException | None = None
        self._finished = False
        self._task: asyncio.Task[None] | None = None
        self._received = 0
        self._delivered = 0
        self._dropped = 0

    @classmethod
    def for_events(
        cls, transport: GatewayTransport, request: Message, *, buffer_size: int, overflow: OverflowPolicy
    ) -> StreamPump[Any]:
        """The pump of a StreamEvents call: events stay wire bytes (``WireBytes``)
        until the consumer takes them; overflow errors name the resume point."""
        return cls(
            transport,
            "StreamEvents",
            request,
            capacity=buffer_size,
            overflow=overflow,
            sequence_of=lambda data: pb.MxEvent.FromString(data).worker_sequence,
            wire_bytes=True,
        )

    @classmethod
    def for_alarms(
        cls, transport: GatewayTransport, request: Message, *, buffer_size: int, overflow: OverflowPolicy
    ) -> StreamPump[Any]:
        return cls(transport, "StreamAlarms", request, capacity=buffer_size, overflow=overflow)

    async def start(self) -> None:
        """Start the reader task (awaitable so that bridges can call it)."""
        self._transport.require_stub()
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            with self._transport.call(self._method):
                async with self._transport.open_stream(
                    self._method, timeout=self._timeout, wire_bytes=self._wire_bytes
                ) as stream:
                    await stream.send_message(self._request, end=True)
                    buffer, capacity, ready = self._buffer, self._capacity, self._ready
                    while (message := await stream.recv_message()) is not None:
                        self._received += 1
                        if len(buffer) >= capacity and not self._make_room():
                            await stream.cancel()
                            return
                        buffer.append(message)
                        ready.set()
        except asyncio.CancelledError:
            self._failure = self._failure or ClientClosedError("the stream was closed")
            raise
        except BaseException as exc:
            self._failure = exc
        finally:
            self._finished = True
            self._ready.set()

    def _make_room(self) -> bool:
        if self._overflow == "drop_oldest":
            self._buffer.popleft()
            self._dropped += 1
            return True
        last = self._buffer[-1] if self._buffer else None
        last_sequence = int(self._sequence_of(last)) if last is not None and self._sequence_of else 0
        self._failure = EventOverflowError(
            f"the client-side buffer of {self._capacity} messages overflowed because the consumer "
            f"fell behind; resume after sequence {last_sequence}",
            last_worker_sequence=last_sequence,
            capacity=self._capacity,
        )
        return False

    async def next_chunk(self, max_items: int) -> list[MessageT]:
        """Up to ``max_items`` buffered messages, waiting for at least one.

        Returns ``[]`` at the end of the stream; raises the stream's failure
        once everything before it was delivered.
        """
        while not self._buffer:
            if self._finished:
                if self._failure is not None:
                    raise self._failure
                return []
            self._ready.clear()
            await self._ready.wait()
        buffer = self._buffer
        if len(buffer) <= max_items:  # the usual case: everything, at C speed
            chunk = list(buffer)
            buffer.clear()
        else:
            chunk = [buffer.popleft() for _ in range(max_items)]
        self._delivered += len(chunk)
        return chunk

    async def aclose(self) -> None:
        """Cancel the reader (the HTTP/2 stream is reset) and wait for it."""
        task = self._task
        if task is None or task.done():
            self._finished = True
            return
        task.cancel()
        # asyncio.wait, not ``await task``: a cancellation of the caller must
        # still propagate, only the reader's own CancelledError is expected.
        await asyncio.wait([task])

    def statistics(self) -> PumpStatistics:
        return PumpStatistics(
            received=self._received,
            delivered=self._delivered,
            dropped=self._dropped,
            buffered=len(self._buffer),
            capacity=self._capacity,
            overflow=self._overflow,
            finished=self._finished,
        )
