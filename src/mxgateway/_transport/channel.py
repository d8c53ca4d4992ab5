"""The one channel to a gateway: grpclib over asyncio, auth metadata, error mapping.

Both front ends sit on this module (the Trio one through its bridge). Every
gRPC call's whole life (open, send, receive, exit) runs inside one asyncio
coroutine here: a grpclib stream whose context manager is driven from
another event loop leaks its HTTP/2 stream when cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NoReturn

from google.protobuf.message import Message
from grpclib.client import Channel, UnaryStreamMethod
from grpclib.const import Status
from grpclib.encoding.proto import ProtoCodec
from grpclib.exceptions import GRPCError, ProtocolError, StreamTerminatedError

from mxgateway import _compat
from mxgateway._core.redaction import redact
from mxgateway._core.rpc_errors import error_from_status
from mxgateway._errors import (
    ClientClosedError,
    ClientConfigError,
    DeadlineExceededError,
    GatewayUnavailableError,
    MxGatewayError,
)
from mxgateway._options import ClientOptions
from mxgateway.generated import galaxy_repository_grpc, mxaccess_gateway_grpc

log = logging.getLogger("mxgateway")

# A method named "GalaxyRepository/<Rpc>" is one of the GalaxyRepository service
# (same channel); a bare name is one of MxAccessGateway.
GALAXY_SERVICE = "GalaxyRepository"


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


# What grpclib says when the reply is plain HTTP, not gRPC (e.g. a web server's 404).
_NOT_GRPC = re.compile(r"Received :status = |Missing content-type header|Invalid content-type")


def translate_error(
    exc: BaseException, *, method: str, endpoint: str, secrets: tuple[str | None, ...]
) -> BaseException:
    """Turn grpclib, asyncio and socket failures into library errors."""
    if isinstance(exc, MxGatewayError):
        return exc
    if isinstance(exc, GRPCError):
        if exc.status is Status.UNIMPLEMENTED and _NOT_GRPC.match(exc.message or ""):
            return GatewayUnavailableError(
                f"the endpoint {endpoint} is not an MXAccess Gateway: it answered with "
                f"{redact(exc.message or '', secrets)} instead of gRPC",
                method=method,
            )
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
    """The channel's state and its calls so far (unary and streaming alike).

    ``open_http2_streams`` is None when the installed grpclib does not let
    it be read (see ``_compat``), never a made-up zero. ``state`` is
    ``"connected"``, ``"disconnected"`` (the connection was lost; the next
    call or stream re-opens it) or ``"closed"``; ``connections`` counts the
    connections opened so far (more than one: the client reconnected) and
    ``last_error`` is the last connection failure, with any key removed.
    """

    connected: bool
    open_http2_streams: int | None
    calls_started: int
    calls_succeeded: int
    calls_failed: int
    state: str = "connected"
    connections: int = 0
    last_error: str | None = None


class GatewayTransport:
    """A grpclib channel to one gateway, with auth metadata and error mapping.

    Must be used from inside a running asyncio loop (grpclib binds to it).
    """

    def __init__(self, options: ClientOptions) -> None:
        self.options = options
        self._channel: Channel | None = None
        self._stub: mxaccess_gateway_grpc.MxAccessGatewayStub | None = None
        self._galaxy_stub: galaxy_repository_grpc.GalaxyRepositoryStub | None = None
        self._closed = False
        self._metadata: dict[str, str] = {}
        if options.api_key is not None:
            self._metadata["authorization"] = f"Bearer {options.api_key}"
        self._calls_started = 0
        self._calls_succeeded = 0
        self._calls_failed = 0
        self._connections = 0
        self._last_error: str | None = None
        # Calls that find the connection lost at the same moment open one new
        # connection between them, counted and logged once.
        self._connecting = asyncio.Lock()

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
        try:
            config = _compat.channel_configuration(
                keepalive_interval=options.keepalive_interval,
                keepalive_timeout=options.keepalive_timeout,
                server_name_override=options.server_name_override,
            )
        except _compat.CompatError as error:
            log.warning("HTTP/2 keepalive is off: %s", error)
            config = _compat.channel_configuration(
                keepalive_interval=None,
                keepalive_timeout=1.0,
                server_name_override=options.server_name_override,
            )
        channel = Channel(
            host,
            port,
            ssl=self._ssl_context() if options.tls else None,
            config=config,
            codec=_SizeLimitedCodec(options.max_message_bytes),
        )
        _compat.watch_peer_settings(channel)
        self._channel = channel
        try:
            await self.ensure_connected()
        except BaseException:
            self._channel = None
            channel.close()
            raise
        self._stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        self._galaxy_stub = galaxy_repository_grpc.GalaxyRepositoryStub(channel)

    async def ensure_connected(self) -> None:
        """(Re)open the channel's connection if it has none, bounded by connect_timeout.

        grpclib would reconnect lazily on the next call, with no bound on the
        connect and no check of the peer. Here the peer must also answer as
        an HTTP/2 server (its SETTINGS frame) within the same time, so that a
        frozen gateway or a port that is not a gateway fails clearly.
        """
        channel = self._channel
        if channel is None:
            raise ClientClosedError("the client is not connected")
        if _compat.channel_connected(channel):
            return
        async with self._connecting:
            if _compat.channel_connected(channel):
                return  # another call connected while this one waited
            try:
                await self._open_connection(channel)
            except GatewayUnavailableError as error:
                self._last_error = redact(str(error), self.secrets)
                raise
            if self._connections:
                log.info("reconnected to the gateway at %s", self.options.endpoint)
            self._connections += 1
            lost = _compat.connection_closed(channel)
            if lost is not None:
                lost.add_done_callback(self._connection_lost)

    def _slow_down_pings(self) -> None:
        """The gateway refused our pings as too many: ping half as often from the next connection."""
        interval = None if self._channel is None else _compat.slow_down_keepalive(self._channel)
        if interval is not None:
            log.warning(
                "the gateway at %s refused pings as too frequent (GOAWAY ENHANCE_YOUR_CALM): "
                "keepalive every %g s from now on; let the gateway permit client pings every "
                "keepalive_interval, or raise it",
                self.options.endpoint,
                interval,
            )

    def _connection_lost(self, _: object) -> None:
        if not self._closed:
            log.warning("lost the connection to the gateway at %s", self.options.endpoint)

    async def _open_connection(self, channel: Channel) -> None:
        options = self.options
        where = options.endpoint
        loop = asyncio.get_running_loop()
        deadline = loop.time() + options.connect_timeout
        try:
            async with asyncio.timeout(options.connect_timeout):
                await _compat.connect_channel(channel)
        except TimeoutError:
            raise GatewayUnavailableError(
                f"could not connect to the gateway at {where} within {options.connect_timeout:g} s",
                method="connect",
            ) from None
        except ssl.SSLError as exc:
            # asyncio finishes closing a socket whose TLS handshake failed in a
            # later loop iteration; give it that turn so no socket is leaked.
            await asyncio.sleep(0)
            raise GatewayUnavailableError(
                f"TLS handshake with the gateway at {where} failed: {exc.reason or exc}", method="connect"
            ) from None
        except OSError as exc:
            raise GatewayUnavailableError(
                f"cannot connect to the gateway at {where}: {exc.strerror or exc}", method="connect"
            ) from None
        problem = await _compat.wait_for_peer_settings(channel, max(deadline - loop.time(), 0.0))
        if problem is not None:
            channel.close()
            what = (
                "closed the connection without speaking HTTP/2: it is not an MXAccess Gateway"
                if problem == "closed"
                else "accepted the connection but sent no HTTP/2 settings "
                f"within {options.connect_timeout:g} s: it is not responding, or not an MXAccess Gateway"
            )
            raise GatewayUnavailableError(
                f"the endpoint {where} {what} (or plaintext/TLS does not match the gateway)",
                method="connect",
            )
        try:
            _compat.protect_authorization(channel)
        except _compat.CompatError as error:
            log.warning("the authorization header is sent indexed: %s", error)

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
        lost = None if self._closed or self._channel is None else _compat.connection_closed(self._channel)
        self.close()
        if lost is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(linger):
                    await lost

    def require_stub(self) -> mxaccess_gateway_grpc.MxAccessGatewayStub:
        if self._closed:
            raise ClientClosedError("the client is closed")
        if self._stub is None:
            raise ClientClosedError("the client is not connected")
        return self._stub

    def _stub_method(self, method: str) -> Any:
        """The stub's callable for ``method`` (``"Invoke"``, or ``"GalaxyRepository/BrowseChildren"``)."""
        service, _, name = method.rpartition("/")
        if not service:
            return getattr(self.require_stub(), method)
        if service != GALAXY_SERVICE:
            raise ValueError(f"unknown service in method name {method!r}")
        self.require_stub()  # the same closed/not-connected checks
        return getattr(self._galaxy_stub, name)

    @contextlib.contextmanager
    def call(self, method: str) -> Iterator[None]:
        """One RPC's life: counted, and its failures turned into library errors."""
        self._calls_started += 1
        try:
            yield
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            self._calls_failed += 1
            raise
        except BaseException as exc:
            self._calls_failed += 1
            self._raise_translated(exc, method)
        self._calls_succeeded += 1

    def _raise_translated(self, exc: BaseException, method: str) -> NoReturn:
        if isinstance(exc, StreamTerminatedError) and _compat.TOO_MANY_PINGS in str(exc):
            self._slow_down_pings()
        translated = translate_error(exc, method=method, endpoint=self.options.endpoint, secrets=self.secrets)
        if translated is exc:
            raise exc
        raise translated from None

    async def unary(self, method: str, request: Message, timeout: float | None) -> Any:
        """One unary RPC (``method``: ``"Invoke"``, ``"GalaxyRepository/BrowseChildren"``, ...)."""
        stub_method = self._stub_method(method)
        # ``call`` written out, and the connection checked before awaiting
        # ``ensure_connected``: this runs once per command.
        self._calls_started += 1
        try:
            if not _compat.channel_connected(self._channel):
                await self.ensure_connected()
            reply = await stub_method(request, timeout=timeout, metadata=self._metadata)
        except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
            self._calls_failed += 1
            raise
        except BaseException as exc:
            self._calls_failed += 1
            self._raise_translated(exc, method)
        self._calls_succeeded += 1
        return reply

    async def collect(self, method: str, request: Message, timeout: float | None) -> list[Any]:
        """Every message of a short server stream (e.g. QueryActiveAlarms)."""
        messages: list[Any] = []
        with self.call(method):
            await self.ensure_connected()
            async with self.open_stream(method, timeout=timeout) as stream:
                await stream.send_message(request, end=True)
                while (message := await stream.recv_message()) is not None:
                    messages.append(message)
        return messages

    def open_stream(self, method: str, *, timeout: float | None = None, wire_bytes: bool = False) -> Any:
        """The grpclib stream context manager of a server-streaming RPC.

        With ``wire_bytes`` its messages arrive as the serialized bytes.
        """
        stub_method = self._stub_method(method)
        if wire_bytes:
            stub_method = UnaryStreamMethod(
                stub_method.channel, stub_method.name, stub_method.request_type, WireBytes
            )
        return stub_method.open(timeout=timeout, metadata=self._metadata)

    def statistics(self) -> TransportStatistics:
        channel = self._channel
        live = channel is not None and _compat.channel_connected(channel)
        state = "closed" if self._closed or channel is None else "connected" if live else "disconnected"
        return TransportStatistics(
            connected=channel is not None and not self._closed,
            open_http2_streams=0 if channel is None else _compat.open_http2_streams(channel),
            calls_started=self._calls_started,
            calls_succeeded=self._calls_succeeded,
            calls_failed=self._calls_failed,
            state=state,
            connections=self._connections,
            last_error=self._last_error,
        )
