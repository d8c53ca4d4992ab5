"""What a client does, written once for both front ends.

``ClientCore`` holds the transport, the session registry, the raw calls,
the timeout policy, the alarm calls and the stream pipelines. The asyncio
``GatewayClient`` and the Trio ``TrioGatewayClient`` derive from it and
add only what truly differs: how they open and close (``connect`` and
``async with`` against a nursery-scoped ``open_client``), and the classes
of the sessions and streams they hand out. All grpclib work goes through
the front end's ``Runner``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, TypeVar

from google.protobuf.message import Message

from mxgateway._client.link import SessionLink
from mxgateway._client.runner import Runner
from mxgateway._client.sources import EventSource, ReopenedSource
from mxgateway._core import requests
from mxgateway._core.event_cursor import DeliveryQueue
from mxgateway._core.replies import SessionInfo, acknowledged, check_protocol_status, session_state_name
from mxgateway._core.statuses import MxStatus
from mxgateway._errors import ArgumentError, SessionNotFoundError
from mxgateway._options import ClientOptions, is_positive_seconds
from mxgateway._transport.channel import GatewayTransport, TransportStatistics
from mxgateway._transport.streams import OverflowPolicy, StreamPump
from mxgateway.generated import mxaccess_gateway_pb2 as pb

if TYPE_CHECKING:
    from mxgateway._client.session import SessionBase

T = TypeVar("T")
log = logging.getLogger("mxgateway")

Pipeline = tuple[StreamPump[Any], DeliveryQueue]


def check_call_timeout(timeout: float | None) -> float | None:
    """A per-call timeout: None (the client's default) or a positive, finite number of seconds."""
    if timeout is None:
        return None
    if not is_positive_seconds(timeout):
        raise ArgumentError(f"timeout must be a positive, finite number of seconds, got {timeout!r}")
    return float(timeout)


class ClientCore:
    """The client behaviour both front ends share (see the module docstring)."""

    def __init__(self, runner: Runner, transport: GatewayTransport) -> None:
        self._runner = runner
        self._transport = transport
        self._correlation = requests.CorrelationIds()
        self._sessions: set[SessionBase] = set()

    @property
    def options(self) -> ClientOptions:
        return self._transport.options

    # ------------------------------------------------------------- policy

    def call_timeout(self, timeout: float | None) -> float | None:
        """The gRPC timeout of one call: explicit or the client's default, capped by the caller's deadline."""
        explicit = check_call_timeout(timeout)
        chosen = self.options.call_timeout if explicit is None else explicit
        left = self._runner.time_left()
        if left is None:
            return chosen
        return left if chosen is None else min(chosen, left)

    def new_lock(self) -> AbstractAsyncContextManager[Any]:
        return self._runner.lock()

    async def shielded(self, fn: Callable[[], Awaitable[T]]) -> T:
        return await self._runner.shielded(fn)

    async def _unary(self, method: str, request: Message, timeout: float | None) -> Any:
        return await self._runner.run(self._transport.unary, method, request, self.call_timeout(timeout))

    # ------------------------------------------------------------ raw calls

    async def open_session_raw(
        self, client_session_name: str | pb.OpenSessionRequest = "", *, timeout: float | None = None
    ) -> pb.OpenSessionReply:
        """The OpenSession reply exactly as received."""
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
        self,
        session_id: str,
        command: pb.MxCommand | pb.MxCommandRequest,
        *,
        timeout: float | None = None,
    ) -> pb.MxCommandReply:
        """Send one command; the reply is returned untouched, MXAccess failures included."""
        request = requests.invoke(session_id, command, self._correlation.next())
        reply: pb.MxCommandReply = await self._unary("Invoke", request, timeout)
        return reply

    # --------------------------------------------------------------- alarms

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
        alarms: list[pb.ActiveAlarmSnapshot] = await self._runner.run(
            self._transport.collect, "QueryActiveAlarms", request, self.call_timeout(timeout)
        )
        return alarms

    # ------------------------------------------------------------- sessions

    async def _open_session(
        self, client_session_name: str, timeout: float | None, recover: bool
    ) -> tuple[SessionInfo, SessionLink]:
        if not isinstance(recover, bool):
            raise ArgumentError("recover must be True or False")
        reply = await self.open_session_raw(client_session_name, timeout=timeout)
        check_protocol_status(reply)
        info = SessionInfo.from_proto(reply)
        link = SessionLink(
            self._transport,
            self._correlation,
            info.session_id,
            client_session_name,
            recover=recover,
            live=True,
        )
        return info, link

    def _attached_link(self, session_id: str) -> SessionLink:
        """The link of a session opened elsewhere (not recovered: this client set nothing up)."""
        requests.close_session(session_id)  # validates the id
        return SessionLink(self._transport, self._correlation, session_id, "", recover=False, live=False)

    async def _invoke_on(
        self, link: SessionLink, command: pb.MxCommand, timeout: float | None
    ) -> pb.MxCommandReply:
        reply: pb.MxCommandReply = await self._runner.run(link.invoke, command, self.call_timeout(timeout))
        return reply

    def _track(self, session: SessionBase) -> None:
        """Remember a session this client opened, so that leaving the client closes it."""
        self._sessions.add(session)

    async def _close_session(self, session: SessionBase, timeout: float | None) -> str:
        """CloseSession for ``session``; returns the final state and forgets the session.

        A session the gateway lost (and that was not recovered) ends as
        ``"LOST"``: there is nothing left to close.
        """
        link = session._link
        try:
            reply = await self.close_session_raw(link.session_id, timeout=timeout)
        except SessionNotFoundError:
            if not link.live:
                raise
            state = "LOST"
        else:
            check_protocol_status(reply)
            state = session_state_name(reply.final_state)
        self._sessions.discard(session)
        return state

    async def _close_tracked_sessions(self) -> Exception | None:
        """Close every session still open (shielded, each bounded); the first failure, if any."""
        first_error: Exception | None = None
        for session in list(self._sessions):
            try:
                await session._close_bounded()
            except Exception as error:
                log.warning("closing session %s failed: %s", session.session_id, error)
                first_error = first_error or error
        return first_error

    # -------------------------------------------------------------- streams

    def _event_pipeline(
        self,
        session_id: str,
        after_worker_sequence: int,
        *,
        buffer_size: int,
        overflow: OverflowPolicy,
        decode: bool,
        link: SessionLink | None = None,
    ) -> Pipeline:
        """The reader and the delivery queue of one StreamEvents call."""
        requests.stream_events(session_id, after_worker_sequence)  # validates both
        pump: StreamPump[Any] = StreamPump(
            self._transport,
            "StreamEvents",
            EventSource(session_id, link),
            capacity=buffer_size,
            overflow=overflow,
            reconnect=self.options.reconnect,
            resume_after=after_worker_sequence,
            wire_bytes=True,
        )
        parse = pb.MxEvent.FromString if link is None else _parse_for(link)
        return pump, DeliveryQueue(after_worker_sequence, decode=decode, parse=parse)

    def _alarm_pipeline(self, prefix: str, *, buffer_size: int, overflow: OverflowPolicy) -> Pipeline:
        """The reader and the delivery queue of one StreamAlarms call (raw messages)."""
        request = requests.stream_alarms(prefix, self._correlation.next())
        pump: StreamPump[Any] = StreamPump(
            self._transport,
            "StreamAlarms",
            ReopenedSource("alarm feed", request),
            capacity=buffer_size,
            overflow=overflow,
            reconnect=self.options.reconnect,
        )
        return pump, DeliveryQueue(decode=False, track=False)

    def _statistics(self) -> TransportStatistics:
        return self._transport.statistics()


def _parse_for(link: SessionLink) -> Callable[[Any], Any]:
    """Wire bytes to MxEvent, in the caller's handles once the session was recovered."""
    from_string = pb.MxEvent.FromString

    def parse(item: Any) -> Any:
        if item.__class__ is not bytes:
            return item  # a SessionRecovered marker
        event = from_string(item)
        handles = link.handles
        if handles is not None:
            handles.event_to_caller(event)
        return event

    return parse
