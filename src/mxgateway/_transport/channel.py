"""The one transport: grpclib over asyncio.

Both front ends (asyncio and Trio) sit on this module. Every gRPC call's
whole life (open, send, receive, exit) runs inside one asyncio coroutine
here: a grpclib stream whose context manager is driven from another event
loop leaks its HTTP/2 stream when cancelled. Server streams are read by an
asyncio task (``StreamPump``) into a bounded buffer that consumers take in
chunks, so a slow consumer never stalls the network reader and the Trio
front end crosses loops once per chunk, not once per message.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Literal, NoReturn, TypeVar

from google.protobuf.message import Message
from grpclib.client import Channel, UnaryStreamMethod
from grpclib.config import Configuration
from grpclib.const import Status
from grpclib.encoding.proto import ProtoCodec
from grpclib.exceptions import GRPCError, ProtocolError, StreamTerminatedError

from mxgateway._core.event_cursor import DeliveryQueue
from mxgateway._core.rpc_errors import error_from_status, redact
from mxgateway._errors import (
    ClientClosedError,
    ClientConfigError,
    DeadlineExceededError,
    EventOverflowError,
    GatewayUnavailableError,
    MxGatewayError,
)
from mxgateway._options import ClientOptions
from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb

MessageT = TypeVar("MessageT", bound=Message)
OverflowPolicy = Literal["error", "drop_oldest"]
OVERFLOW_POLICIES: tuple[str, ...] = ("error", "drop_oldest")


class WireBytes:
    """Reply type of a stream whose messages stay serialized (see ``open_stream``).

    The event stream is read this way: the reader buffers each event as the
    bytes that came off the wire and the consumer parses it when it takes
    it. A burst of events is then parsed one at a time, each right before
    it is used and freed right after, instead of hundreds of protobuf
    objects at once, which the benchmarks showed costs several times the
    parse itself in allocation and cache misses.
    """


class _SizeLimitedCodec(ProtoCodec):
    """ProtoCodec that enforces the gateway's message size limit both ways."""

    def __init__(self, max_bytes: int) -> None:
        self._max_bytes = max_bytes

    def encode(self, message: Any, message_type: Any) -> bytes:
        data = super().encode(message, message_type)
        if len(data) > self._max_bytes:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"request of {len(data)} bytes exceeds the {self._max_bytes}-byte message limit",
            )
        return data

    def decode(self, data: bytes, message_type: Any) -> Any:
        if len(data) > self._max_bytes:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"reply of {len(data)} bytes exceeds the {self._max_bytes}-byte message limit",
            )
        if message_type is WireBytes:
            return data
        return message_type.FromString(data)


def translate_error(
    exc: BaseException, *, method: str, endpoint: str, secrets: tuple[str | None, ...]
) -> BaseException:
    """Turn grpclib, asyncio and socket failures into library errors."""
    if isinstance(exc, MxGatewayError):
        return exc
    if isinstance(exc, GRPCError):
        return error_from_status(exc.status, exc.message, method=method, secrets=secrets)
    if isinstance(exc, TimeoutError):  # grpclib's local deadline
        return DeadlineExceededError("the call's deadline passed before the gateway replied", method=method)
    if isinstance(exc, StreamTerminatedError | ProtocolError | ConnectionError | OSError | EOFError):
        detail = redact(str(exc) or type(exc).__name__, secrets)
        return GatewayUnavailableError(
            f"connection to the gateway at {endpoint} failed: {detail}", method=method
        )
    return exc


@dataclass(frozen=True)
class TransportStatistics:
    connected: bool
    open_http2_streams: int
    calls_started: int
    calls_succeeded: int
    calls_failed: int


class GatewayTransport:
    """A grpclib channel to one gateway, with auth metadata and error mapping.

    Must be used from inside a running asyncio loop (grpclib binds to it).
    """

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self._channel: Channel | None = None
        self._stub: mxaccess_gateway_grpc.MxAccessGatewayStub | None = None
        self._closed = False
        self._metadata: dict[str, str] = {}
        if options.api_key is not None:
            self._metadata["authorization"] = f"Bearer {options.api_key}"

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._channel else "new"
        return f"<GatewayTransport {self.options.endpoint} {state}>"

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (self.options.api_key,)

    @property
    def closed(self) -> bool:
        return self._closed

    async def connect(self) -> None:
        """Create the channel and open the connection (bounded by connect_timeout)."""
        if self._channel is not None:
            return
        options = self.options
        host, port = options.host_and_port()
        channel = Channel(
            host,
            port,
            ssl=self._ssl_context() if options.tls else None,
            config=Configuration(ssl_target_name_override=options.server_name_override),
            codec=_SizeLimitedCodec(options.max_message_bytes),
        )
        try:
            async with asyncio.timeout(options.connect_timeout):
                await channel.__connect__()
        except TimeoutError:
            channel.close()
            raise GatewayUnavailableError(
                f"could not connect to the gateway at {options.endpoint} "
                f"within {options.connect_timeout:g} s",
                method="connect",
            ) from None
        except ssl.SSLError as exc:
            channel.close()
            # asyncio finishes closing a socket whose TLS handshake failed in a
            # later loop iteration; give it that turn so no socket is leaked.
            await asyncio.sleep(0)
            raise GatewayUnavailableError(
                f"TLS handshake with the gateway at {options.endpoint} failed: {exc.reason or exc}",
                method="connect",
            ) from None
        except OSError as exc:
            channel.close()
            raise GatewayUnavailableError(
                f"cannot connect to the gateway at {options.endpoint}: {exc.strerror or exc}",
                method="connect",
            ) from None
        self._channel = channel
        self._stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)

    def _ssl_context(self) -> ssl.SSLContext:
        try:
            context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=self.options.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ClientConfigError(f"cannot load ca_file {self.options.ca_file}: {exc}") from None
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.set_alpn_protocols(["h2"])
        return context

    def close(self) -> None:
        """Close the channel now; pending calls fail with GatewayUnavailableError."""
        self._closed = True
        if self._channel is not None:
            self._channel.close()

    async def aclose(self, linger: float = 1.0) -> None:
        """Close the channel and wait (at most ``linger`` s) until the socket is closed.

        A TLS connection needs a few more loop turns to shut down; a caller that
        closes its event loop right after ``close()`` would leak the socket.
        """
        protocol = getattr(self._channel, "_protocol", None) if self._channel is not None else None
        if protocol is None or self._closed:
            self.close()
            return
        lost = asyncio.get_running_loop().create_future()
        notify = protocol.connection_lost

        def connection_lost(exc: BaseException | None) -> None:
            notify(exc)
            if not lost.done():
                lost.set_result(None)

        protocol.connection_lost = connection_lost  # grpclib offers no close-completion hook
        self.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(linger):
                await lost

    def _require_stub(self) -> mxaccess_gateway_grpc.MxAccessGatewayStub:
        if self._closed:
            raise ClientClosedError("the client is closed")
        if self._stub is None:
            raise ClientClosedError("the client is not connected")
        return self._stub

    @contextlib.contextmanager
    def translating(self, method: str) -> Iterator[None]:
        try:
            yield
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            self._raise_translated(exc, method)

    def _raise_translated(self, exc: BaseException, method: str) -> NoReturn:
        translated = translate_error(exc, method=method, endpoint=self.options.endpoint, secrets=self.secrets)
        if translated is exc:
            raise exc
        raise translated from None

    async def unary(self, method: str, request: Message, timeout: float | None) -> Any:
        """One unary RPC (``method`` is the RPC name, e.g. ``"Invoke"``)."""
        stub = self._require_stub()
        # ``translating`` written out: this runs once per call.
        try:
            return await getattr(stub, method)(request, timeout=timeout, metadata=self._metadata)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            self._raise_translated(exc, method)

    async def collect(self, method: str, request: Message, *, timeout: float | None) -> list[Any]:
        """Every message of a short server stream (e.g. QueryActiveAlarms)."""
        messages: list[Any] = []
        with self.translating(method):
            async with self.open_stream(method, timeout=timeout) as stream:
                await stream.send_message(request, end=True)
                while (message := await stream.recv_message()) is not None:
                    messages.append(message)
        return messages

    def open_stream(self, method: str, *, timeout: float | None = None, wire_bytes: bool = False) -> Any:
        """The grpclib stream context manager of a server-streaming RPC.

        With ``wire_bytes`` its messages arrive as the serialized bytes.
        """
        stub_method = getattr(self._require_stub(), method)
        if wire_bytes:
            stub_method = UnaryStreamMethod(
                stub_method.channel, stub_method.name, stub_method.request_type, WireBytes
            )
        return stub_method.open(timeout=timeout, metadata=self._metadata)

    def statistics(self) -> TransportStatistics:
        channel = self._channel
        open_streams = 0
        if channel is not None:
            # grpclib has no public counter of live HTTP/2 streams; h2 does.
            protocol = getattr(channel, "_protocol", None)
            h2_connection = getattr(getattr(protocol, "connection", None), "_connection", None)
            open_streams = int(getattr(h2_connection, "open_outbound_streams", 0))
        return TransportStatistics(
            connected=channel is not None and not self._closed,
            open_http2_streams=open_streams,
            calls_started=getattr(channel, "_calls_started", 0),
            calls_succeeded=getattr(channel, "_calls_succeeded", 0),
            calls_failed=getattr(channel, "_calls_failed", 0),
        )


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
        self._transport._require_stub()
        self._task = asyncio.get_running_loop().create_task(self._read())

    async def _read(self) -> None:
        try:
            with self._transport.translating(self._method):
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


def event_pipeline(
    transport: GatewayTransport,
    request: Message,
    *,
    buffer_size: int,
    overflow: OverflowPolicy,
    decode: bool,
) -> tuple[StreamPump[Any], DeliveryQueue]:
    """The reader and the delivery queue of one StreamEvents call."""
    pump = StreamPump.for_events(transport, request, buffer_size=buffer_size, overflow=overflow)
    queue = DeliveryQueue(
        getattr(request, "after_worker_sequence", 0), decode=decode, parse=pb.MxEvent.FromString
    )
    return pump, queue


def alarm_pipeline(
    transport: GatewayTransport, request: Message, *, buffer_size: int, overflow: OverflowPolicy
) -> tuple[StreamPump[Any], DeliveryQueue]:
    """The reader and the delivery queue of one StreamAlarms call (raw messages)."""
    pump = StreamPump.for_alarms(transport, request, buffer_size=buffer_size, overflow=overflow)
    return pump, DeliveryQueue(decode=False, track=False)
