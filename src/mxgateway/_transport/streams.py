"""Server streams read by an asyncio task into a bounded buffer (``StreamPump``).

A slow consumer never stalls the network reader unless it asks for
backpressure, and consumers take messages in chunks, so the Trio front end
crosses loops once per chunk, not once per message.

The reader also keeps the stream alive: when the connection fails it
re-attaches with gRPC's connection backoff, resuming after the last message
it received (the gateway replays what was missed, or says with a replay-gap
marker that it cannot); when the gateway no longer has the session it asks
its ``StreamSource`` whether the session can be recovered.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from google.protobuf.message import Message

from mxgateway._core.backoff import Backoff
from mxgateway._core.redaction import redact
from mxgateway._errors import (
    ClientClosedError,
    ClientConfigError,
    EventOverflowError,
    FailedPreconditionError,
    GatewayUnavailableError,
    MxGatewayError,
    ReconnectFailedError,
    ResourceExhaustedError,
    SessionNotFoundError,
)
from mxgateway._options import ReconnectPolicy
from mxgateway._transport.channel import GatewayTransport

MessageT = TypeVar("MessageT")
OverflowPolicy = Literal["backpressure", "error", "drop_oldest"]
OVERFLOW_POLICIES: tuple[str, ...] = ("backpressure", "error", "drop_oldest")
DEFAULT_OVERFLOW: OverflowPolicy = "backpressure"

log = logging.getLogger("mxgateway")


class StreamSource(Protocol):
    """What a pump needs to know about the stream it reads (events or alarms)."""

    @property
    def description(self) -> str: ...

    def request(self, resume_after: int) -> Message:
        """The request that (re)opens the stream after ``resume_after`` (0: from now)."""
        ...

    def resume_point(self, last: Any, previous: int) -> int:
        """Where to resume, given the last message received (``previous``: the one before)."""
        ...

    def gateway_time(self, message: Any) -> float | None:
        """When the gateway received the event (POSIX seconds), or None."""
        ...

    def is_replay_gap(self, message: Any) -> bool: ...

    async def session_lost(self, error: MxGatewayError, resume_after: int) -> Any:
        """The gateway no longer has the session: a marker to deliver if it was
        recovered (the stream then goes on from the new session's start), else raise."""
        ...


@dataclass(frozen=True)
class PumpStatistics:
    """One stream's reader: what it received and handed out, and its connection.

    ``state`` is ``"starting"``, ``"streaming"``, ``"reconnecting"`` or
    ``"finished"``. ``reconnects`` counts re-attachments, ``reconnect_attempts``
    every try; ``replayed`` counts events the gateway had kept and sent after
    a re-attachment, ``gaps`` the replay-gap markers (events it no longer
    had), ``recoveries`` sessions replaced after the gateway lost one.
    """

    received: int
    delivered: int
    dropped: int
    buffered: int
    capacity: int
    overflow: str
    finished: bool
    state: str = "starting"
    reconnects: int = 0
    reconnect_attempts: int = 0
    last_error: str | None = None
    replayed: int = 0
    gaps: int = 0
    recoveries: int = 0


class _Overflowed(Exception):
    """The buffer overflowed under the "error" policy (the failure is set)."""


class StreamPump(Generic[MessageT]):
    """Reads one server stream into a bounded buffer from an asyncio task.

    When the buffer is full the ``overflow`` policy decides:

    - ``"backpressure"`` (default): the reader stops reading until the
      consumer takes; HTTP/2 flow control then holds the rest in the
      gateway's own queue. Nothing is lost unless that queue overflows too
      (the gateway then faults or disconnects, which shows as an error).
    - ``"error"``: the stream is reset and the consumer gets
      ``EventOverflowError`` on its next take; what was buffered is dropped,
      and the error carries the last sequence the consumer took.
    - ``"drop_oldest"``: the oldest buffered message is dropped and counted
      in ``statistics().dropped``; the reader goes on.
    """

    def __init__(
        self,
        transport: GatewayTransport,
        method: str,
        source: StreamSource,
        *,
        capacity: int,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
        reconnect: ReconnectPolicy | None = None,
        resume_after: int = 0,
        wire_bytes: bool = False,
    ) -> None:
        if isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1:
            raise ClientConfigError("buffer capacity must be a positive integer")
        if overflow not in OVERFLOW_POLICIES:
            raise ClientConfigError(f"overflow must be one of {', '.join(OVERFLOW_POLICIES)}")
        self._transport = transport
        self._method = method
        self._source = source
        self._capacity = capacity
        self._overflow = overflow
        self._policy = reconnect
        self._wire_bytes = wire_bytes
        self._buffer: collections.deque[Any] = collections.deque()
        self._ready = asyncio.Event()
        self._space = asyncio.Event()
        self._failure: BaseException | None = None
        self._finished = False
        self.overflowed = False
        self._task: asyncio.Task[None] | None = None
        # Where a re-attachment resumes: after ``_resume_base``, or after the
        # last message received, parsed only when it is needed.
        self._resume_base = resume_after
        self._last: Any = None
        self._last_arrived = 0.0
        # The gateway's clock minus ours, from the last event before a loss;
        # after re-attaching, events it stamped before then were kept for us
        # and replayed (``_catching_up``, on its clock).
        self._clock_offset: float | None = None
        self._catching_up: float | None = None
        self._resuming = False  # the first messages after a re-attachment are looked at
        self._state = "starting"
        self._received = 0
        self._delivered = 0
        self._dropped = 0
        self._reconnects = 0
        self._attempts = 0
        self._last_error: str | None = None
        self._replayed = 0
        self._gaps = 0
        self._recoveries = 0

    async def start(self) -> None:
        """Start the reader task (awaitable so that bridges can call it)."""
        self._transport.require_stub()
        self._task = asyncio.get_running_loop().create_task(self._read())

    # --------------------------------------------------------------- reading

    async def _read(self) -> None:
        backoff = Backoff(self._policy) if self._policy is not None else None
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    await self._stream_once(backoff)
                    return  # the gateway ended the stream
                except _Overflowed:
                    return
                except MxGatewayError as error:
                    kind = _classify(error)
                    if kind == "session":
                        await self._session_lost(error)
                        continue
                    if kind != "connection" or backoff is None:
                        raise
                    await self._wait_to_reconnect(error, backoff, loop)
        except asyncio.CancelledError:
            self._failure = self._failure or ClientClosedError("the stream was closed")
            raise
        except BaseException as exc:
            self._failure = exc
        finally:
            self._state = "finished"
            self._finished = True
            self._ready.set()

    async def _stream_once(self, backoff: Backoff | None) -> None:
        transport = self._transport
        with transport.call(self._method):
            await transport.ensure_connected()
            request = self._source.request(self._resume_after())
            async with transport.open_stream(self._method, wire_bytes=self._wire_bytes) as stream:
                await stream.send_message(request, end=True)
                self._attached(backoff)
                buffer, ready, capacity = self._buffer, self._ready, self._capacity
                loop = asyncio.get_running_loop()
                while (message := await stream.recv_message()) is not None:
                    self._received += 1
                    self._last = message
                    self._last_arrived = loop.time()
                    if self._resuming:
                        self._note_replayed(message)
                    if len(buffer) >= capacity and not await self._make_room():
                        await stream.cancel()
                        raise _Overflowed
                    buffer.append(message)
                    ready.set()

    def _attached(self, backoff: Backoff | None) -> None:
        """The (re)opened stream's request is out: the stream is attached again."""
        if self._state == "reconnecting":
            self._reconnects += 1
            self._resuming = True
            if self._clock_offset is not None:
                self._catching_up = asyncio.get_running_loop().time() + self._clock_offset
                self._clock_offset = None
            log.info(
                "%s re-attached after %d attempt(s), resuming after sequence %d",
                self._source.description,
                backoff.attempts if backoff else 0,
                self._resume_base,
            )
        if backoff is not None:
            backoff.reset()
        self._state = "streaming"

    def _resume_after(self) -> int:
        if self._last is not None:
            self._resume_base = self._source.resume_point(self._last, self._resume_base)
            self._last = None
        return self._resume_base

    async def _wait_to_reconnect(
        self, error: MxGatewayError, backoff: Backoff, loop: asyncio.AbstractEventLoop
    ) -> None:
        self._last_error = redact(str(error), self._transport.secrets)
        if self._state != "reconnecting" and self._last is not None:
            stamp = self._source.gateway_time(self._last)
            self._clock_offset = None if stamp is None else stamp - self._last_arrived
        resume_after = self._resume_after()
        wait = backoff.next_wait(loop.time())
        if wait is None:
            raise ReconnectFailedError(
                f"{self._source.description}: gave up re-attaching after {backoff.attempts} attempt(s); "
                f"resume after sequence {resume_after}; last error: {self._last_error}",
                last_worker_sequence=resume_after,
                attempts=backoff.attempts,
                last_error=error,
            ) from None
        if self._state != "reconnecting":
            self._state = "reconnecting"
            log.warning(
                "%s lost (%s); reconnecting, resuming after sequence %d",
                self._source.description,
                self._last_error,
                resume_after,
            )
        else:
            log.debug(
                "%s: attempt %d failed: %s", self._source.description, backoff.attempts, self._last_error
            )
        self._attempts += 1
        await asyncio.sleep(wait)

    def _note_replayed(self, message: Any) -> None:
        """Count the replay-gap marker (it comes first) and the events the gateway kept for us."""
        if self._catching_up is None:
            self._resuming = False
            if self._source.is_replay_gap(message):
                self._gaps += 1
            return
        if self._source.is_replay_gap(message):
            self._gaps += 1
            return
        stamp = self._source.gateway_time(message)
        if stamp is not None and stamp < self._catching_up:
            self._replayed += 1
        else:
            self._catching_up = None  # a live event: caught up
            self._resuming = False

    async def _session_lost(self, error: MxGatewayError) -> None:
        self._last_error = redact(str(error), self._transport.secrets)
        marker = await self._source.session_lost(error, self._resume_after())  # raises unless recovered
        self._recoveries += 1
        self._resume_base, self._last, self._catching_up, self._resuming = 0, None, None, False
        self._buffer.append(marker)
        self._ready.set()

    async def _make_room(self) -> bool:
        """Room for one more message, by the overflow policy; False: overflowed ("error")."""
        if self._overflow == "backpressure":
            while len(self._buffer) >= self._capacity:
                self._space.clear()
                await self._space.wait()
            return True
        if self._overflow == "drop_oldest":
            self._buffer.popleft()
            self._dropped += 1
            return True
        self.overflowed = True
        self._dropped += len(self._buffer)
        self._buffer.clear()
        self._failure = EventOverflowError(
            f"the client-side buffer of {self._capacity} messages overflowed because the consumer "
            "fell behind",
            last_worker_sequence=0,  # the consumer's own resume point replaces it
            capacity=self._capacity,
        )
        return False

    # ------------------------------------------------------------- consuming

    async def next_chunk(self, max_items: int) -> list[Any]:
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
        self._space.set()
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
            state=self._state,
            reconnects=self._reconnects,
            reconnect_attempts=self._attempts,
            last_error=self._last_error,
            replayed=self._replayed,
            gaps=self._gaps,
            recoveries=self._recoveries,
        )


def _classify(error: MxGatewayError) -> str:
    """``"connection"`` (re-attach), ``"session"`` (the gateway lost it) or ``"other"`` (raise)."""
    if isinstance(error, SessionNotFoundError):
        return "session"
    if isinstance(error, FailedPreconditionError):
        text = str(error).lower()
        return "session" if "faulted" in text or "closed" in text else "connection"
    if isinstance(error, GatewayUnavailableError):
        return "connection"
    if isinstance(error, ResourceExhaustedError) and "EventQueueOverflow" in str(error):
        return "connection"  # the gateway disconnected a slow subscriber: resume
    return "other"
