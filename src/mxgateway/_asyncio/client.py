"""asyncio front end: GatewayClient, Session and EventStream.

This module never imports trio or trio-asyncio.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from mxgateway._core import requests
from mxgateway._core.event_cursor import EMPTY, DeliveryQueue
from mxgateway._core.events import Event
from mxgateway._core.replies import SessionInfo, acknowledged, check_protocol_status
from mxgateway._core.statuses import MxStatus
from mxgateway._errors import ClientClosedError
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
from mxgateway.generated import mxaccess_gateway_pb2 as pb

log = logging.getLogger("mxgateway")

# Bounds the implicit session closes of GatewayClient.aclose().
SESSION_CLOSE_TIMEOUT = 5.0

ItemT = TypeVar("ItemT")


async def _close_after_block(
    close: Callable[[], Awaitable[object]], exc: BaseException | None, what: str
) -> None:
    """Close after an ``async with`` block; the block's own exception wins over a failed close."""
    if exc is None:
        await close()
        return
    try:
        await close()
    except Exception as close_error:
        log.warning("closing %s failed: %s", what, close_error)


class GatewayClient:
    """An asyncio client for one MXAccess Gateway.

    ``async with await GatewayClient.connect(endpoint=..., plaintext=True) as client:``
    Leaving the block closes sessions this client opened and still holds,
    then the channel, even when a session close fails.
    """

    def __init__(self, transport: GatewayTransport) -> None:
        self._transport = transport
        self._correlation = requests.CorrelationIds()
        self._sessions: set[Session] = set()

    @classmethod
    async def connect(cls, options: ClientOptions | None = None, /, **kwargs: Any) -> GatewayClient:
        """Connect (bounded by ``connect_timeout``); takes ClientOptions or its keywords."""
        transport = GatewayTransport(coerce_options(options, kwargs))
        await transport.connect()
        return cls(transport)

    @property
    def options(self) -> ClientOptions:
        return self._transport.options

    def __repr__(self) -> str:
        return f"<GatewayClient endpoint={self.options.endpoint!r} closed={self._transport.closed}>"

    def _timeout(self, timeout: float | None) -> float | None:
        return self.options.call_timeout if timeout is None else timeout

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await _close_after_block(self.aclose, exc, "the gateway client")

    async def aclose(self) -> None:
        """Close open sessions (bounded), then the channel, which closes regardless."""
        first_error: BaseException | None = None
        try:
            for session in list(self._sessions):
                try:
                    await session.close(timeout=SESSION_CLOSE_TIMEOUT)
                except Exception as exc:
                    first_error = first_error or exc
        finally:
            await self._transport.aclose()
        if first_error is not None:
            raise first_error

    close = aclose

    # -------------------------------------------------------------- sessions

    async def open_session(self, client_session_name: str = "", *, timeout: float | None = None) -> Session:
        """Open a gateway session (one MXAccess worker)."""
        reply = await self.open_session_raw(client_session_name, timeout=timeout)
        check_protocol_status(reply)
        session = Session(self, reply.session_id, SessionInfo.from_proto(reply))
        self._sessions.add(session)
        return session

    def attach_session(self, session_id: str) -> Session:
        """A Session object for an existing session id (e.g. from another process)."""
        requests.close_session(session_id)  # validates the id
        return Session(self, session_id, None)

    # ------------------------------------------------------------ raw calls

    async def open_session_raw(
        self, client_session_name: str | pb.OpenSessionRequest = "", *, timeout: float | None = None
    ) -> pb.OpenSessionReply:
        """The OpenSession reply exactly as received."""
        request = requests.open_session(client_session_name)
        reply: pb.OpenSessionReply = await self._transport.unary(
            "OpenSession", request, timeout=self._timeout(timeout)
        )
        return reply

    async def close_session_raw(
        self, session_id: str, *, timeout: float | None = None
    ) -> pb.CloseSessionReply:
        reply: pb.CloseSessionReply = await self._transport.unary(
            "CloseSession", requests.close_session(session_id), timeout=self._timeout(timeout)
        )
        return reply

    async def invoke_raw(
        self,
        session_id: str,
        command: pb.MxCommand | pb.MxCommandRequest,
        *,
        timeout: float | None = None,
    ) -> pb.MxCommandReply:
        """Send one command; the reply is returned untouched, MXAccess failures included."""
        return await self._send_command(session_id, command, timeout)

    def _send_command(
        self, session_id: str, command: pb.MxCommand | pb.MxCommandRequest, timeout: float | None
    ) -> Awaitable[pb.MxCommandReply]:
        # What invoke_raw does, handing back the transport's coroutine: the
        # typed helpers call this, one frame less for every suspension to pass.
        request = requests.invoke(session_id, command, self._correlation.next())
        reply: Awaitable[pb.MxCommandReply] = self._transport.unary("Invoke", request, self._timeout(timeout))
        return reply

    def stream_events_raw(
        self,
        session_id: str,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> EventStream[pb.MxEvent]:
        """The session's MxEvent messages untouched: ``async with ... as stream: async for``."""
        request = requests.stream_events(session_id, after_worker_sequence)
        return EventStream(
            event_pipeline(self._transport, request, buffer_size=buffer_size, overflow=overflow, decode=False)
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
        reply = await self._transport.unary("AcknowledgeAlarm", request, timeout=self._timeout(timeout))
        return acknowledged(reply)

    async def query_active_alarms(
        self, prefix: str = "", *, timeout: float | None = None
    ) -> list[pb.ActiveAlarmSnapshot]:
        """The active alarms whose reference starts with ``prefix`` (session-less)."""
        request = requests.query_active_alarms(prefix, self._correlation.next())
        return await self._transport.collect("QueryActiveAlarms", request, timeout=self._timeout(timeout))

    def stream_alarms(
        self,
        prefix: str = "",
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> EventStream[pb.AlarmFeedMessage]:
        """The alarm feed: each active alarm, ``snapshot_complete``, then transitions."""
        request = requests.stream_alarms(prefix, self._correlation.next())
        return EventStream(
            alarm_pipeline(self._transport, request, buffer_size=buffer_size, overflow=overflow)
        )

    def statistics(self) -> TransportStatistics:
        return self._transport.statistics()


class Session(SessionBase):
    """One gateway session. Every MXAccess command is a method (see SessionCommands)."""

    def __init__(self, client: GatewayClient, session_id: str, info: SessionInfo | None) -> None:
        super().__init__(client, session_id, info, asyncio.Lock())
        self._transport = client._transport

    def events(
        self,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = "error",
    ) -> EventStream[Event]:
        """This session's typed events: ``async with session.events() as events: async for e in events``."""
        request = requests.stream_events(self.session_id, after_worker_sequence)
        return EventStream(
            event_pipeline(self._transport, request, buffer_size=buffer_size, overflow=overflow, decode=True)
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await _close_after_block(self.close, exc, f"session {self.session_id}")


class EventStream(Generic[ItemT]):
    """A session's event stream: an async context manager and async iterator.

    A background task reads the gRPC stream into a bounded buffer (see
    ``StreamPump`` for the overflow policy); iteration ends when the gateway
    ends the stream. ``last_worker_sequence`` is the resume point.
    """

    def __init__(
        self,
        pipeline: tuple[StreamPump[Any], DeliveryQueue],
        *,
        chunk_size: int = requests.DEFAULT_EVENT_CHUNK,
    ) -> None:
        self._pump, self._queue = pipeline
        self._chunk_size = chunk_size
        self._started = False
        self._closed = False

    @property
    def last_worker_sequence(self) -> int:
        """The last sequence delivered (pass it as ``after_worker_sequence`` to resume)."""
        return self._queue.last_worker_sequence

    async def __aenter__(self) -> Self:
        await self._start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _start(self) -> None:
        if self._closed:
            raise ClientClosedError("the event stream is closed")
        if not self._started:
            self._started = True
            await self._pump.start()

    async def aclose(self) -> None:
        """Stop reading; the gRPC stream is reset (the gateway sees a cancel)."""
        self._closed = True
        await self._pump.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> ItemT:
        item: ItemT = self._queue.take()
        if item is EMPTY:
            if self._closed:
                raise StopAsyncIteration
            await self._start()
            # One loop turn per chunk: the reader and every other task get to
            # run between chunks even when the buffer never empties (no
            # throughput cost measured either way).
            await asyncio.sleep(0)
            chunk = await self._pump.next_chunk(self._chunk_size)
            if not chunk:
                raise StopAsyncIteration
            self._queue.extend(chunk)
            item = self._queue.take()
        return item

    def statistics(self) -> PumpStatistics:
        return self._pump.statistics()
