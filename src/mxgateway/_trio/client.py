"""Trio front end: nursery-scoped client, sessions and event streams.

The behaviour is the shared client core's (``mxgateway._client``); this
module adds the Trio lifecycle. ``open_client`` owns the asyncio side (see
``bridge``); sessions and event streams are async context managers that
always clean up: leaving the block normally, by exception or by
cancellation resets the event stream's HTTP/2 stream and closes the
session under a shielded, bounded cancel scope.

Cancel scopes and deadlines abort the client-side wait at once; the
remaining Trio deadline is sent to the gateway as the gRPC timeout.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import trio

from mxgateway._client.core import ClientCore, Pipeline
from mxgateway._client.galaxy import GalaxyBrowser
from mxgateway._client.session import SessionBase
from mxgateway._client.streams import EventStreamBase
from mxgateway._core import requests
from mxgateway._core.events import Event
from mxgateway._core.galaxy import DeployEvent
from mxgateway._errors import ClientClosedError, DeadlineExceededError
from mxgateway._options import ClientOptions, coerce_options
from mxgateway._transport.channel import GatewayTransport, TransportStatistics
from mxgateway._transport.streams import DEFAULT_OVERFLOW, OverflowPolicy, PumpStatistics
from mxgateway._trio.bridge import AsyncioBridge, BridgeKind, open_bridge
from mxgateway._trio.concurrency import TrioConcurrency
from mxgateway.generated import mxaccess_gateway_pb2 as pb

T = TypeVar("T")
ItemT = TypeVar("ItemT")


@contextlib.contextmanager
def _single_exception() -> Iterator[None]:
    """Users see the one exception, not a group wrapping it (trio-websocket style)."""
    try:
        yield
    except BaseExceptionGroup as group:
        leaves = _leaves(group)
        if len(leaves) == 1:
            raise leaves[0] from None
        raise


def _leaves(group: BaseExceptionGroup[BaseException]) -> list[BaseException]:
    found: list[BaseException] = []
    for exc in group.exceptions:
        found.extend(_leaves(exc) if isinstance(exc, BaseExceptionGroup) else [exc])
    return found


class TrioRunner:
    """The Runner of the Trio front end: grpclib's loop is across the bridge."""

    def __init__(self, bridge: AsyncioBridge) -> None:
        self.bridge = bridge

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        try:
            return await self.bridge.run(fn, *args)
        except DeadlineExceededError:
            # The gRPC timeout was the Trio deadline: report it the Trio way
            # (trio.Cancelled, caught by the scope that set the deadline).
            if trio.current_time() >= trio.current_effective_deadline():
                await trio.lowlevel.checkpoint()
            raise

    async def shielded(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        with trio.CancelScope(shield=True):
            result = await fn(*args)
        return result

    def time_left(self) -> float | None:
        deadline = trio.current_effective_deadline()
        if math.isinf(deadline):
            return None
        return max(deadline - trio.current_time(), 0.0)

    def lock(self) -> AbstractAsyncContextManager[Any]:
        return trio.Lock()


@contextlib.asynccontextmanager
async def open_client(
    options: ClientOptions | None = None, /, *, bridge: BridgeKind | str = "auto", **kwargs: Any
) -> AsyncIterator[TrioGatewayClient]:
    """Connect to a gateway for the duration of the block.

    Takes a ``ClientOptions``, its keywords, or both. ``bridge`` picks how
    Trio reaches grpclib's asyncio: ``"hosted"`` (a native asyncio loop run
    by a task of this block, in Trio's thread), ``"trio-asyncio"``
    (trio-asyncio's loop, the caller's own if there is one) or ``"thread"``
    (a loop on a helper thread). ``"auto"`` (the default) takes
    ``MXGATEWAY_TRIO_BRIDGE`` if set, else the first of those three that
    works here (a hosted loop that fails its self-test is skipped, with a
    WARNING).
    """
    resolved = coerce_options(options, kwargs)
    with _single_exception():
        async with open_bridge(bridge) as asyncio_side:
            transport = GatewayTransport(resolved)
            try:
                await asyncio_side.run(transport.connect)
                client = TrioGatewayClient(TrioRunner(asyncio_side), transport)
                try:
                    yield client
                finally:
                    await client._close_tracked_sessions()
            finally:
                with trio.CancelScope(shield=True):
                    await asyncio_side.run(transport.aclose)


class TrioGatewayClient(ClientCore):
    """Made by ``open_client``; opens sessions and streams, and makes raw calls."""

    _runner: TrioRunner

    def __repr__(self) -> str:
        return f"<TrioGatewayClient endpoint={self.options.endpoint!r} bridge={self.bridge_name}>"

    @property
    def bridge_name(self) -> str:
        return self._runner.bridge.name

    @contextlib.asynccontextmanager
    async def open_session(
        self, client_session_name: str = "", *, timeout: float | None = None, recover: bool = False
    ) -> AsyncIterator[TrioSession]:
        """A session for the duration of the block, closed on every exit path.

        ``recover=True``: if the gateway loses the session, a new one replaces
        it, set up again with the same handles (see the README).
        """
        info, link = await self._open_session(client_session_name, timeout, recover)
        session = TrioSession(self, link, info)
        self._track(session)
        with _single_exception():
            try:
                yield session
            except BaseException as body_error:  # Cancelled included: closed, then re-raised
                await session._close_on_exit(body_error)
                raise
            await session._close_on_exit(None)

    def attach_session(self, session_id: str) -> TrioSession:
        """A session object for an existing id; not closed automatically."""
        return TrioSession(self, self._attached_link(session_id), None)

    def stream_events_raw(
        self,
        session_id: str,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> TrioEventStream[pb.MxEvent]:
        """The session's MxEvent messages untouched: ``async with ... as stream: async for``."""
        pipeline = self._event_pipeline(
            session_id, after_worker_sequence, buffer_size=buffer_size, overflow=overflow, decode=False
        )
        return TrioEventStream(self._runner, pipeline)

    def stream_alarms(
        self,
        prefix: str = "",
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> TrioEventStream[pb.AlarmFeedMessage]:
        """The alarm feed: each active alarm, ``snapshot_complete``, then transitions."""
        return TrioEventStream(
            self._runner, self._alarm_pipeline(prefix, buffer_size=buffer_size, overflow=overflow)
        )

    async def statistics(self) -> TransportStatistics:
        return await self._runner.run(_as_coroutine, self._statistics)

    @functools.cached_property
    def galaxy(self) -> GalaxyBrowser[TrioEventStream[DeployEvent]]:
        """The Galaxy repository: browse the deployed objects, watch deploys (``GalaxyBrowser``)."""
        return GalaxyBrowser(self, lambda pipeline: TrioEventStream(self._runner, pipeline))


async def _as_coroutine(fn: Callable[[], T]) -> T:
    return fn()


class TrioSession(SessionBase):
    """One gateway session; every MXAccess command is a method (SessionCommands)."""

    _client: TrioGatewayClient
    _concurrency = TrioConcurrency()  # subscribe() is nursery-scoped: its reader is a task of its block

    def events(
        self,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> TrioEventStream[Event]:
        """``async with session.events() as events: async for event in events``."""
        return self._typed_events(TrioEventStream[Event], after_worker_sequence, buffer_size, overflow)


@dataclass(frozen=True)
class _StreamFailure:
    error: BaseException


class TrioEventStream(EventStreamBase[ItemT]):
    """A session's event stream (async context manager and async iterator).

    The reader is an asyncio task of the transport (``StreamPump``) that
    never waits for the consumer. The consumer takes what it has buffered
    one chunk (``chunk_size`` events) at a time, each a checkpoint:

    - over a bridge that runs asyncio in Trio's own thread (hosted,
      trio-asyncio) directly, since a chunk already buffered comes back
      without waiting;
    - over the thread bridge through a task in the block's own nursery,
      which fetches the next chunk while the consumer works through the
      current one, so the consumer rarely waits for a thread crossing. That
      task holds at most one chunk on top of the reader's ``buffer_size``.

    Leaving the block ends the fetch task and resets the gRPC stream;
    ``aclose()`` may be called from any task and ends the iteration.
    """

    _runner: TrioRunner

    def __init__(self, runner: TrioRunner, pipeline: Pipeline) -> None:
        super().__init__(runner, pipeline)
        self._entered = False
        self._lifetime: AbstractAsyncContextManager[None] | None = None
        self._chunks: trio.MemoryReceiveChannel[list[Any] | _StreamFailure] | None = None
        self._fetching: trio.CancelScope | None = None

    async def __aenter__(self) -> Self:
        if self._entered or self._closed:
            raise ClientClosedError("an event stream can be opened once")
        self._entered = True
        self._lifetime = self._live()
        await self._lifetime.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> bool | None:
        assert self._lifetime is not None
        return await self._lifetime.__aexit__(*exc_info)

    @contextlib.asynccontextmanager
    async def _live(self) -> AsyncIterator[None]:
        """The stream's whole life, entered and left by this block's own task."""
        try:
            await self._open()
            if self._runner.bridge.shares_thread:
                yield
            else:
                with _single_exception():
                    async with trio.open_nursery() as nursery:
                        # Unbuffered: the fetch task hands over the chunk it holds when asked.
                        send, self._chunks = trio.open_memory_channel[list[Any] | _StreamFailure](0)
                        self._fetching = trio.CancelScope()
                        nursery.start_soon(self._fetch_chunks, send, self._fetching)
                        try:
                            yield
                        finally:
                            self._fetching.cancel()
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        if self._fetching is not None:
            self._fetching.cancel()  # from any task: the fetch task ends, the consumer sees the end
        await super().aclose()

    async def _fetch_chunks(
        self, send: trio.MemorySendChannel[list[Any] | _StreamFailure], scope: trio.CancelScope
    ) -> None:
        with scope:
            async with send:
                while True:
                    try:
                        chunk = await self._runner.run(self._pump.next_chunk, self._chunk_size)
                    except Exception as error:  # handed to the consumer, never to the nursery
                        await send.send(_StreamFailure(error))
                        return
                    if not chunk:
                        return  # the gateway ended the stream
                    await send.send(chunk)

    async def _next_chunk(self) -> list[Any]:
        if not self._opened:
            raise ClientClosedError("use 'async with' to open the event stream")
        if self._chunks is None:
            return await super()._next_chunk()
        try:
            fetched = await self._chunks.receive()
        except trio.EndOfChannel:
            if self._closed:
                raise ClientClosedError("the event stream was closed") from None
            return []
        if isinstance(fetched, _StreamFailure):
            raise fetched.error
        return fetched

    async def statistics(self) -> PumpStatistics:
        return await self._runner.run(self._pump_statistics)
