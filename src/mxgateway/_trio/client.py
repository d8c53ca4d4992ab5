"""Trio front end: nursery-scoped client, sessions and event streams.

``open_client`` owns the asyncio side (see ``bridge``); sessions and event
streams are async context managers that always clean up: leaving the block
normally, by exception or by cancellation resets the event stream's HTTP/2
stream and closes the session under a shielded, bounded cancel scope.

Cancel scopes and deadlines abort the client-side wait at once; the
remaining Trio deadline is sent to the gateway as the gRPC timeout.
The event reader is an asyncio task that never waits for the consumer; the
consumer takes events across the bridge one chunk at a time.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import trio

from mxgateway._core import requests
from mxgateway._core.event_cursor import EMPTY, DeliveryQueue
from mxgateway._core.events import Event
from mxgateway._core.replies import SessionInfo, acknowledged, check_protocol_status
from mxgateway._core.statuses import MxStatus
from mxgateway._errors import ClientClosedError, DeadlineExceededError
from mxgateway._options import ClientOptions, coerce_options
from mxgateway._session_api import SessionBase
from mxgateway._transport import (
    GatewayTransport,
    OverflowPolicy,
    PumpStatistics,
    StreamPump,
    TransportStatistics,
    alarm_pipeline,
    event_pipeline,
)
from mxgateway._trio.bridge import AsyncioBridge, BridgeKind, open_bridge
from mxgateway.generated import mxaccess_gateway_pb2 as pb

log = logging.getLogger("mxgateway")

# Bounds the shielded cleanup when a session or client block exits.
CLOSE_TIMEOUT = 5.0

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


@contextlib.asynccontextmanager
async def open_client(
    options: ClientOptions | None = None, /, *, bridge: BridgeKind | str = "auto", **kwargs: Any
) -> AsyncIterator[TrioGatewayClient]:
    """Connect to a gateway for the duration of the block.

    Takes a ``ClientOptions`` or its keywords. ``bridge`` picks how Trio
    reaches grpclib's asyncio: ``"hosted"`` (a native asyncio loop run by a
    task of this block, in Trio's thread), ``"trio-asyncio"`` (trio-asyncio's
    loop, the caller's own if there is one) or ``"thread"`` (a loop on a
    helper thread). ``"auto"`` (the default) takes ``MXGATEWAY_TRIO_BRIDGE``
    if set, else the first of those three that this platform allows.
    """
    resolved = coerce_options(options, kwargs)
    with _single_exception():
        async with open_bridge(bridge) as asyncio_side:
            transport = GatewayTransport(resolved)
            try:
                await asyncio_side.run(transport.connect)
                client = TrioGatewayClient(asyncio_side, transport)
                try:
                    yield client
                finally:
                    await client._close_sessions()
            finally:
                with trio.CancelScope(shield=True):
                    await asyncio_side.run(_close_transport, transport)


async def _close_transport(transport: GatewayTransport) -> None:
    await transport.aclose()


class TrioGatewayClient:
    """Made by ``open_client``; opens sessions and raw calls."""

    def __init__(self, bridge: AsyncioBridge, transport: GatewayTransport) -> None:
        self._bridge = bridge
        self._transport = transport
        self._correlation = requests.CorrelationIds()
        self._sessions: set[TrioSession] = set()

    def __repr__(self) -> str:
        return f"<TrioGatewayClient endpoint={self.options.endpoint!r} bridge={self._bridge.name}>"

    @property
    def options(self) -> ClientOptions:
        return self._transport.options

    @property
    def bridge_name(self) -> str:
        return self._bridge.name

    def _timeout(self, timeout: float | None) -> float | None:
        """The gRPC timeout: explicit or default, capped by the Trio deadline."""
        chosen = self.options.call_timeout if timeout is None else timeout
        deadline = trio.current_effective_deadline()
        if math.isinf(deadline):
            return chosen
        remaining = max(deadline - trio.current_time(), 0.0)
        return remaining if chosen is None else min(chosen, remaining)

    async def _unary(self, method: str, request: Any, timeout: float | None) -> Any:
        try:
            return await self._bridge.run(self._transport.unary, method, request, self._timeout(timeout))
        except DeadlineExceededError:
            # The gRPC timeout was the Trio deadline: report it the Trio way.
            if trio.current_time() >= trio.current_effective_deadline():
                await trio.lowlevel.checkpoint()
            raise

    async def _close_sessions(self) -> None:
        for session in list(self._sessions):
            try:
                await session._close_shielded()
            except Exception as close_error:
                log.warning("closing session %s failed: %s", session.session_id, close_error)

    # -------------------------------------------------------------- sessions

    @contextlib.asynccontextmanager
    async def open_session(self, client_session_name: str = "") -> AsyncIterator[TrioSession]:
        """A session for the duration of the block, closed on every exit path."""
        reply = await self.open_session_raw(client_session_name)
        check_protocol_status(reply)
        session = TrioSession(self, reply.session_id, SessionInfo.from_proto(reply))
        self._sessions.add(session)
        with _single_exception():
            try:
                yield session
            except BaseException:
                # The block's own exception (or Cancelled) must win over a
                # failed close, or cancel scopes would stop catching it.
                try:
                    await session._close_shielded()
                except Exception as close_error:
                    log.warning("closing session %s failed: %s", session.session_id, close_error)
                raise
            await session._close_shielded()

    def attach_session(self, session_id: str) -> TrioSession:
        """A session object for an existing id; not closed automatically."""
        requests.close_session(session_id)
        return TrioSession(self, session_id, None)

    # ------------------------------------------------------------ raw calls

    async def open_session_raw(
        self, client_session_name: str | pb.OpenSessionRequest = "", *, timeout: float | None = None
    ) -> pb.OpenSessionReply:
        reply: pb.OpenSessionReply = await self._unary(
            "OpenSession", requests.open_session(client_session_name), timeout
        )
        return reply

    async def close_session_raw(
        self, session_id: str, *, timeout: float | None = None
    ) -> pb.CloseSessionReply:
        reply: pb.CloseSessionReply = await self._unary(
            "CloseSession", requests.close_session(session_id), timeout
        )
        return reply

    async def invoke_raw(
        self, session_id: str, command: pb.MxCommand | pb.MxCommandRequest, *, timeout: float | None = None
    ) -> pb.MxCommandReply:
        return await self._send_command(session_id, command, timeout)

    def _send_command(
        self, session_id: str, command: pb.MxCommand | pb.MxCommandRequest, timeout: float | None
    ) -> Awaitable[pb.MxCommandReply]:
        # What invoke_raw does, handing back the coroutine (see the asyncio client).
        request = requests.invoke(session_id, command, self._correlation.next())
        reply: Awaitable[pb.MxCommandReply] = self._unary("Invoke", request, timeout)
        return reply

    def stream_events_raw(
        self,
        session_id: str,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> TrioEventStream[pb.MxEvent]:
        request = requests.stream_events(session_id, after_worker_sequence)
        return TrioEventStream(
            self,
            event_pipeline(
                self._transport, request, buffer_size=buffer_size, overflow=overflow, decode=False
            ),
        )

    # ---------------------------------------------------------------- alarms

    async def acknowledge_alarm(
        self,
        alarm_full_reference: str,
        *,
        comment: str = "",
        operator_user: str = "",
        timeout: float | None = None,
    ) -> MxStatus:
        """Acknowledge an alarm (session-less); raises like a failed command."""
        request = requests.acknowledge_alarm(alarm_full_reference, comment, operator_user)
        return acknowledged(await self._unary("AcknowledgeAlarm", request, timeout))

    async def query_active_alarms(
        self, prefix: str = "", *, timeout: float | None = None
    ) -> list[pb.ActiveAlarmSnapshot]:
        """The active alarms whose reference starts with ``prefix`` (session-less)."""
        request = requests.query_active_alarms(prefix, self._correlation.next())
        alarms: list[pb.ActiveAlarmSnapshot] = await self._bridge.run(
            _collect, self._transport, "QueryActiveAlarms", request, self._timeout(timeout)
        )
        return alarms

    def stream_alarms(
        self,
        prefix: str = "",
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> TrioEventStream[pb.AlarmFeedMessage]:
        """The alarm feed: each active alarm, ``snapshot_complete``, then transitions."""
        request = requests.stream_alarms(prefix, self._correlation.next())
        return TrioEventStream(
            self, alarm_pipeline(self._transport, request, buffer_size=buffer_size, overflow=overflow)
        )

    async def statistics(self) -> TransportStatistics:
        return await self._bridge.run(_transport_statistics, self._transport)


async def _collect(
    transport: GatewayTransport, method: str, request: Any, timeout: float | None
) -> list[Any]:
    return await transport.collect(method, request, timeout=timeout)


async def _transport_statistics(transport: GatewayTransport) -> TransportStatistics:
    return transport.statistics()


class TrioSession(SessionBase):
    """One gateway session; every MXAccess command is a method (SessionCommands)."""

    def __init__(self, client: TrioGatewayClient, session_id: str, info: SessionInfo | None) -> None:
        super().__init__(client, session_id, info, trio.Lock())
        self._trio_client = client

    def events(
        self,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> TrioEventStream[Event]:
        """``async with session.events() as events: async for event in events``."""
        request = requests.stream_events(self.session_id, after_worker_sequence)
        return TrioEventStream(
            self._trio_client,
            event_pipeline(
                self._trio_client._transport, request, buffer_size=buffer_size, overflow=overflow, decode=True
            ),
        )

    async def _close_shielded(self) -> None:
        """Close even while the caller is being cancelled, bounded in time.

        A close that fails raises (it is not swallowed); one that cannot finish
        within CLOSE_TIMEOUT raises DeadlineExceededError instead of hanging.
        """
        with trio.CancelScope(shield=True):
            await self.close(timeout=CLOSE_TIMEOUT)


@dataclass(frozen=True)
class _StreamFailure:
    error: BaseException


class TrioEventStream(Generic[ItemT]):
    """A session's event stream (async context manager and async iterator).

    The reader is an asyncio task of the transport (``StreamPump``) that
    never waits for the consumer. The consumer takes what it has buffered
    one chunk (``chunk_size`` events) at a time, each a checkpoint:

    - over a bridge that runs asyncio in Trio's own thread (hosted,
      trio-asyncio) directly, since a chunk already buffered comes back
      without waiting;
    - over the thread bridge through a task in the block's nursery, which
      fetches the next chunk while the consumer works through the current
      one, so the consumer rarely waits for a thread crossing. That task
      holds at most one chunk on top of the reader's ``buffer_size``.

    The overflow policy applies when the reader's buffer is full. Leaving
    the block ends the fetch task and resets the gRPC stream.
    """

    def __init__(
        self,
        client: TrioGatewayClient,
        pipeline: tuple[StreamPump[Any], DeliveryQueue],
        *,
        chunk_size: int = requests.DEFAULT_EVENT_CHUNK,
    ) -> None:
        self._client = client
        self._pump, self._queue = pipeline
        self._chunk_size = chunk_size
        self._nursery_manager: AbstractAsyncContextManager[trio.Nursery] | None = None
        self._nursery: trio.Nursery | None = None
        self._chunks: trio.MemoryReceiveChannel[list[Any] | _StreamFailure] | None = None
        self._opened = False
        self._closed = False

    @property
    def last_worker_sequence(self) -> int:
        return self._queue.last_worker_sequence

    async def __aenter__(self) -> Self:
        if self._closed or self._opened:
            raise ClientClosedError("an event stream can be opened once")
        bridge = self._client._bridge
        await bridge.run(self._pump.start)
        self._opened = True
        if not bridge.shares_thread:
            # Unbuffered: the fetch task hands over the chunk it holds when asked.
            send, self._chunks = trio.open_memory_channel[list[Any] | _StreamFailure](0)
            self._nursery_manager = trio.open_nursery()
            self._nursery = await self._nursery_manager.__aenter__()
            self._nursery.start_soon(self._fetch_chunks, send)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _fetch_chunks(self, send: trio.MemorySendChannel[list[Any] | _StreamFailure]) -> None:
        async with send:
            while True:
                try:
                    chunk = await self._client._bridge.run(self._pump.next_chunk, self._chunk_size)
                except Exception as error:  # handed to the consumer, never to the nursery
                    await send.send(_StreamFailure(error))
                    return
                if not chunk:
                    return  # the gateway ended the stream
                await send.send(chunk)

    async def _next_chunk(self) -> list[Any]:
        """The next chunk of messages; ``[]`` when the gateway ended the stream."""
        if self._chunks is None:
            chunk: list[Any] = await self._client._bridge.run(self._pump.next_chunk, self._chunk_size)
            return chunk
        try:
            fetched = await self._chunks.receive()
        except trio.EndOfChannel:
            return []
        if isinstance(fetched, _StreamFailure):
            raise fetched.error
        return fetched

    async def aclose(self) -> None:
        """Stop the fetch task, reset the gRPC stream and wait for its reader (shielded)."""
        self._closed = True
        try:
            if self._nursery is not None and self._nursery_manager is not None:
                manager, self._nursery_manager = self._nursery_manager, None
                self._nursery.cancel_scope.cancel()
                # Exited before any other scope is entered (scopes nest). The
                # fetch task never raises, so the nursery adds nothing to what
                # the block itself raises; it may re-raise a pending Cancelled.
                await manager.__aexit__(None, None, None)
        finally:
            with trio.CancelScope(shield=True):
                await self._client._bridge.run(self._pump.aclose)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ItemT:
        item: ItemT = self._queue.take()
        if item is EMPTY:
            if not self._opened:
                raise ClientClosedError("use 'async with' to open the event stream")
            if self._closed:
                raise StopAsyncIteration
            chunk = await self._next_chunk()
            if not chunk:
                raise StopAsyncIteration
            self._queue.extend(chunk)
            item = self._queue.take()
        return item

    async def statistics(self) -> PumpStatistics:
        return await self._client._bridge.run(_pump_statistics, self._pump)


async def _pump_statistics(pump: StreamPump[pb.MxEvent]) -> PumpStatistics:
    return pump.statistics()
