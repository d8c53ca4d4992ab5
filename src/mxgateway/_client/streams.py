"""Event streams, shared by both front ends: the delivery state and the iteration.

The network reader is a ``StreamPump`` on the asyncio side; this class takes
its buffer one chunk at a time through the front end's runner and hands out
one message (or typed event) at a time, keeping the resume point
(``last_worker_sequence``) on what was handed out. The front ends add their
lifecycle: ``async with`` for both, and on Trio's thread bridge a nursery
with a task that fetches the next chunk ahead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from mxgateway._client.core import Pipeline
from mxgateway._client.runner import Runner
from mxgateway._core import requests
from mxgateway._core.event_cursor import EMPTY
from mxgateway._errors import ClientClosedError, EventOverflowError
from mxgateway._transport.streams import PumpStatistics

if TYPE_CHECKING:
    from mxgateway._client.tags import EventStreamClaim

ItemT = TypeVar("ItemT")


class EventStreamBase(Generic[ItemT]):
    """An async iterator over one server stream; see the front ends for ``async with``."""

    # A session's stream takes the session's one event stream while it reads
    # (a tag subscription may have it instead); set by ``session.events()``.
    _claim: EventStreamClaim | None = None

    def __init__(
        self,
        runner: Runner,
        pipeline: Pipeline,
        *,
        chunk_size: int = requests.DEFAULT_EVENT_CHUNK,
    ) -> None:
        self._runner = runner
        self._pump, self._queue = pipeline
        self._chunk_size = chunk_size
        self._opened = False
        self._closed = False

    @property
    def last_worker_sequence(self) -> int:
        """The last sequence delivered (pass it as ``after_worker_sequence`` to resume)."""
        return self._queue.last_worker_sequence

    async def _open(self) -> None:
        """Start the reader (once); a closed stream cannot be reopened."""
        if self._closed:
            raise ClientClosedError("the event stream is closed")
        if not self._opened:
            if self._claim is not None:
                self._claim.take(self, "session.events()")
            self._opened = True
            await self._runner.run(self._pump.start)

    async def aclose(self) -> None:
        """Stop reading and wait for the reader; the gRPC stream is reset (the gateway sees a cancel).

        Safe from any task, and while the caller is being cancelled.
        """
        self._closed = True
        try:
            await self._runner.shielded(self._close_pump)
        finally:
            if self._claim is not None:
                self._claim.release(self)

    async def _close_pump(self) -> None:
        await self._runner.run(self._pump.aclose)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ItemT:
        if self._pump.overflowed:
            raise self._overflow_error()
        item: ItemT = self._queue.take()
        if item is EMPTY:
            if self._closed:
                raise StopAsyncIteration
            try:
                chunk = await self._next_chunk()
            except ClientClosedError:
                if self._closed:  # closed by another task while this one waited
                    raise StopAsyncIteration from None
                raise
            except EventOverflowError:
                raise self._overflow_error() from None
            if not chunk:
                raise StopAsyncIteration
            self._queue.extend(chunk)
            item = self._queue.take()
        return item

    def _overflow_error(self) -> EventOverflowError:
        """The reader overflowed ("error" policy): raised on the next take, resuming after the last taken."""
        self._queue.clear()  # what this side still held is dropped too
        last = self._queue.last_worker_sequence
        return EventOverflowError(
            f"the client-side event buffer overflowed because the consumer fell behind; "
            f"resume after sequence {last}",
            last_worker_sequence=last,
            capacity=self._pump.statistics().capacity,
        )

    async def _next_chunk(self) -> list[Any]:
        """The next chunk of buffered messages; ``[]`` when the gateway ended the stream."""
        chunk: list[Any] = await self._runner.run(self._pump.next_chunk, self._chunk_size)
        return chunk

    async def _pump_statistics(self) -> PumpStatistics:
        return self._pump.statistics()
