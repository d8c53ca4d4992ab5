"""A scriptable in-process gateway for client tests (real grpclib over loopback).

It runs its own asyncio loop on a thread so that asyncio tests, Trio tests
and both Trio bridges all talk to it the same way. It records every call
(request and metadata) and every server-stream cancellation, and replies
through handlers a test may replace.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from mxgateway import _compat
from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb

InvokeHandler = Callable[[pb.MxCommandRequest], Awaitable[pb.MxCommandReply]]


@dataclass
class RecordedCall:
    method: str
    request: Any
    metadata: dict[str, str]
    # Seconds left on the call's gRPC deadline when it arrived (None: no deadline).
    deadline_remaining: float | None = None


def ok_reply(request: pb.MxCommandRequest) -> pb.MxCommandReply:
    """A successful reply carrying a plausible payload for the command kind."""
    command = request.command
    reply = pb.MxCommandReply(
        session_id=request.session_id,
        correlation_id=request.client_correlation_id,
        kind=command.kind,
        protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
    )
    member = command.WhichOneof("payload")
    if member == "register_command":
        reply.register.server_handle = 1
    elif member in ("add_item_command", "add_item2_command", "add_buffered_item_command"):
        getattr(reply, member.removesuffix("_command")).item_handle = 2
    elif member in ("authenticate_user_command", "archestra_user_to_id_command"):
        getattr(reply, member.removesuffix("_command")).user_id = 5
    elif member in ("add_item_bulk_command", "subscribe_bulk_command"):
        payload = getattr(command, member)
        for index, tag in enumerate(payload.tag_addresses):
            reply.bulk_subscribe.results.add(
                server_handle=payload.server_handle,
                tag_address=tag,
                item_handle=10 + index,
                was_successful=True,
            )
    elif (member and member.endswith("item_bulk_command")) or member == "unsubscribe_bulk_command":
        payload = getattr(command, member)
        for handle in payload.item_handles:
            reply.bulk_subscribe.results.add(
                server_handle=payload.server_handle, item_handle=handle, was_successful=True
            )
    elif member and member.startswith("write") and member.endswith("bulk_command"):
        for entry in getattr(command, member).entries:
            reply.bulk_write.results.add(item_handle=entry.item_handle, was_successful=True)
    elif member == "read_bulk_command":
        for tag in command.read_bulk_command.tag_addresses:
            result = reply.bulk_read.results.add(tag_address=tag, was_successful=True, quality=192)
            result.value.data_type = pb.MX_DATA_TYPE_INTEGER
            result.value.variant_type = pb.VT_I4
            result.value.int32_value = 42
    elif member == "get_session_state_command":
        reply.get_session_state.state = pb.SESSION_STATE_READY
        reply.get_session_state.worker_state = "Ready"
    elif member == "drain_events_command":
        reply.drain_events.SetInParent()
    return reply


@dataclass
class FakeState:
    calls: list[RecordedCall] = field(default_factory=list)
    stream_started: threading.Event = field(default_factory=threading.Event)
    stream_cancelled: threading.Event = field(default_factory=threading.Event)
    streams_cancelled: int = 0
    invoke_started: threading.Event = field(default_factory=threading.Event)
    invoke_cancelled: threading.Event = field(default_factory=threading.Event)
    close_started: threading.Event = field(default_factory=threading.Event)


class FakeGatewayService(mxaccess_gateway_grpc.MxAccessGatewayBase):
    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.invoke_handler: InvokeHandler | None = None
        self.unary_errors: dict[str, GRPCError] = {}
        self.events: list[pb.MxEvent] = []
        self.end_stream_after_events = False
        self.stream_error: GRPCError | None = None
        self.close_state = pb.SESSION_STATE_CLOSED
        self.close_hangs = False

    async def _record(self, method: str, stream: Stream[Any, Any]) -> Any:
        request = await stream.recv_message()
        metadata = {k: v for k, v in (stream.metadata or {}).items() if isinstance(v, str)}
        remaining = stream.deadline.time_remaining() if stream.deadline is not None else None
        self.state.calls.append(RecordedCall(method, request, metadata, remaining))
        if method in self.unary_errors:
            raise self.unary_errors[method]
        return request

    async def OpenSession(self, stream: Stream[pb.OpenSessionRequest, pb.OpenSessionReply]) -> None:
        await self._record("OpenSession", stream)
        await stream.send_message(
            pb.OpenSessionReply(
                session_id="session-" + "a" * 32,
                backend_name="mxaccess-worker",
                gateway_protocol_version=3,
                worker_protocol_version=1,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
                capabilities=["unary-acknowledge-alarm"],
            )
        )

    async def CloseSession(self, stream: Stream[pb.CloseSessionRequest, pb.CloseSessionReply]) -> None:
        request = await self._record("CloseSession", stream)
        self.state.close_started.set()
        if self.close_hangs:
            await asyncio.Event().wait()
        await stream.send_message(
            pb.CloseSessionReply(
                session_id=request.session_id,
                final_state=self.close_state,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
            )
        )

    async def Invoke(self, stream: Stream[pb.MxCommandRequest, pb.MxCommandReply]) -> None:
        request = await self._record("Invoke", stream)
        self.state.invoke_started.set()
        try:
            if self.invoke_handler is not None:
                reply = await self.invoke_handler(request)
            else:
                reply = ok_reply(request)
        except asyncio.CancelledError:
            self.state.invoke_cancelled.set()
            raise
        await stream.send_message(reply)

    async def StreamEvents(self, stream: Stream[pb.StreamEventsRequest, pb.MxEvent]) -> None:
        await self._record("StreamEvents", stream)
        self.state.stream_started.set()
        try:
            if self.stream_error is not None:
                raise self.stream_error
            for event in self.events:
                await stream.send_message(event)
            if not self.end_stream_after_events:
                await asyncio.Event().wait()  # idle like the real gateway: no heartbeat
        except asyncio.CancelledError:
            self.state.streams_cancelled += 1
            self.state.stream_cancelled.set()
            raise

    async def AcknowledgeAlarm(self, stream: Stream[Any, Any]) -> None:
        raise GRPCError(Status.UNIMPLEMENTED)

    async def StreamAlarms(self, stream: Stream[Any, Any]) -> None:
        raise GRPCError(Status.UNIMPLEMENTED)

    async def QueryActiveAlarms(self, stream: Stream[Any, Any]) -> None:
        raise GRPCError(Status.UNIMPLEMENTED)


class FakeGateway:
    """Handle on a running fake gateway; attributes are safe to set between calls."""

    def __init__(self, loop: asyncio.AbstractEventLoop, service: FakeGatewayService, port: int) -> None:
        self.loop = loop
        self.service = service
        self.state = service.state
        self.port = port
        self.endpoint = f"127.0.0.1:{port}"

    def calls(self, method: str | None = None) -> list[RecordedCall]:
        return [c for c in self.state.calls if method is None or c.method == method]

    def last_request(self, method: str) -> Any:
        return self.calls(method)[-1].request

    def event(self, sequence: int, *, value: int = 0) -> pb.MxEvent:
        event = pb.MxEvent(
            worker_sequence=sequence,
            family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
            session_id="session-" + "a" * 32,
            server_handle=1,
            item_handle=2,
            quality=192,
        )
        event.on_data_change.value.data_type = pb.MX_DATA_TYPE_INTEGER
        event.on_data_change.value.variant_type = pb.VT_I4
        event.on_data_change.value.int32_value = value
        event.on_data_change.quality = 192
        return event


@contextlib.contextmanager
def run_fake_gateway(ssl: Any = None) -> Iterator[FakeGateway]:
    """Start the fake gateway on 127.0.0.1, port 0, in a helper thread."""
    loop = asyncio.SelectorEventLoop()  # a plain loop even when trio-asyncio is imported
    service = FakeGatewayService(FakeState())
    started: dict[str, Any] = {}
    ready = threading.Event()

    async def start() -> None:
        server = _compat.tracking_server([service])
        await server.start("127.0.0.1", 0, ssl=ssl)
        started["server"] = server
        started["port"] = _compat.listening_port(server)

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as exc:  # reported to the test thread
            started["error"] = exc
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="fake-gateway", daemon=True)
    thread.start()
    assert ready.wait(10), "fake gateway did not start"
    if "error" in started:
        raise started["error"]
    try:
        yield FakeGateway(loop, service, started["port"])
    finally:

        async def stop() -> None:
            await started["server"].shutdown()  # no accepted socket outlives the fake

        asyncio.run_coroutine_threadsafe(stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()
