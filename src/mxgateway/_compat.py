"""Every private hook into CPython's asyncio and grpclib, in one place, each checked once.

A few things this client does have no public API: running an asyncio loop
one iteration at a time from Trio (the hosted bridge), connecting a grpclib
channel eagerly, counting the HTTP/2 streams still open, waiting until a
closed socket is gone, and pointing grpclib at trio-asyncio's
``current_task``. Each hook lives here and nowhere else. The first time a
group of hooks is needed it is checked for *behaviour* (not just for the
names being there); when that check fails, ``CompatError`` says what
changed and which versions this code was written for, and the caller
falls back (the hosted bridge, the statistics) or reports it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import sys
import threading
from collections.abc import Callable
from typing import Any

import grpclib

WRITTEN_FOR = "CPython 3.11-3.13 asyncio and grpclib 0.4.7-0.4.9"


class CompatError(RuntimeError):
    """A private internal of asyncio or grpclib is missing or behaves differently."""

    def __init__(self, what: str) -> None:
        self.what = what
        running = f"CPython {sys.version.split()[0]}, grpclib {grpclib.__version__}"
        super().__init__(f"{what} (this code was written for {WRITTEN_FOR}; running {running})")


# ------------------------------------------------- asyncio event loop internals

try:  # the running loop as asyncio's C code sees it (trio-asyncio patches the Python names)
    from _asyncio import _get_running_loop as _c_get_running_loop
    from _asyncio import _set_running_loop as _c_set_running_loop
except ImportError:  # pragma: no cover - CPython always has _asyncio
    from asyncio.events import _get_running_loop as _c_get_running_loop
    from asyncio.events import _set_running_loop as _c_set_running_loop

get_running_loop_or_none: Callable[[], asyncio.AbstractEventLoop | None] = _c_get_running_loop
set_running_loop: Callable[[asyncio.AbstractEventLoop | None], None] = _c_set_running_loop


def run_once(loop: asyncio.AbstractEventLoop) -> None:
    """One iteration of the loop: poll I/O (as its selector decides), run what is ready."""
    loop._run_once()  # type: ignore[attr-defined]


def has_ready_callbacks(loop: asyncio.AbstractEventLoop) -> bool:
    return bool(loop._ready)  # type: ignore[attr-defined]


def earliest_timer(loop: asyncio.AbstractEventLoop) -> float | None:
    """The loop time of the earliest scheduled callback, if any."""
    scheduled = loop._scheduled  # type: ignore[attr-defined]
    return float(scheduled[0].when()) if scheduled else None


def mark_running_in_this_thread(loop: asyncio.AbstractEventLoop, running: bool) -> None:
    """What ``run_forever`` sets so that ``is_running()`` and thread checks hold inside."""
    loop._thread_id = threading.get_ident() if running else None  # type: ignore[attr-defined]


def asyncgen_hooks(loop: asyncio.AbstractEventLoop) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The loop's async-generator hooks, which ``run_forever`` installs for its duration."""
    return (
        loop._asyncgen_firstiter_hook,  # type: ignore[attr-defined]
        loop._asyncgen_finalizer_hook,  # type: ignore[attr-defined]
    )


@functools.cache
def check_event_loop_internals() -> None:
    """Check, on a throwaway loop, that the hooks above still do what they did.

    Raises CompatError naming the first one that does not.
    """
    loop = asyncio.SelectorEventLoop()
    previous = get_running_loop_or_none()
    try:
        try:
            for name in ("_run_once", "_ready", "_scheduled", "_thread_id"):
                getattr(loop, name)
            asyncgen_hooks(loop)
        except AttributeError as missing:
            raise CompatError(f"asyncio's event loop lacks {missing.name or missing}") from None
        ran: list[str] = []
        loop.call_soon(ran.append, "soon")
        if not has_ready_callbacks(loop):
            raise CompatError("asyncio's loop no longer keeps call_soon callbacks in _ready")
        handle = loop.call_later(60.0, ran.append, "later")
        when = earliest_timer(loop)
        if when is None or abs(when - handle.when()) > 1e-6:
            raise CompatError("asyncio's loop no longer keeps timers in the _scheduled heap")
        handle.cancel()
        set_running_loop(loop)
        mark_running_in_this_thread(loop, True)
        if not loop.is_running():
            raise CompatError("asyncio's loop no longer reports is_running() from _thread_id")
        run_once(loop)
        if ran != ["soon"]:
            raise CompatError("asyncio's loop no longer runs ready callbacks in _run_once")
        _check_tasks_run(loop)
    finally:
        mark_running_in_this_thread(loop, False)
        set_running_loop(previous)
        loop.close()


def _check_tasks_run(loop: asyncio.AbstractEventLoop) -> None:
    """A task made while the loop is current runs to its end in a few iterations."""

    async def probe() -> bool:
        await asyncio.sleep(0)
        # The C-level lookups: trio-asyncio, once imported, patches the Python ones.
        return get_running_loop_or_none() is loop and asyncio.current_task(loop) is not None

    task = loop.create_task(probe())
    for _ in range(10):
        run_once(loop)
        if task.done():
            break
    if not task.done():
        task.cancel()
        for _ in range(10):
            run_once(loop)
            if task.done():
                break
        raise CompatError("asyncio's loop no longer runs tasks in _run_once")
    if not task.result():
        raise CompatError("a task on the loop does not see it as the running loop")


# ------------------------------------------------------------ grpclib internals


async def connect_channel(channel: Any) -> None:
    """Open the channel's connection now (grpclib otherwise connects on the first call)."""
    connect = getattr(channel, "__connect__", None)
    if connect is None:
        raise CompatError("grpclib's Channel has no __connect__ to open a connection eagerly")
    await connect()


def _h2_connection(channel: Any) -> Any:
    protocol = getattr(channel, "_protocol", None)
    return getattr(getattr(protocol, "connection", None), "_connection", None)


def open_http2_streams(channel: Any) -> int | None:
    """HTTP/2 streams the channel's connection has open, or None if grpclib hides them.

    grpclib has no public counter; h2's ``open_outbound_streams`` is one.
    ``None`` (rather than 0) says that the number is unknown.
    """
    if getattr(channel, "_protocol", None) is None:
        return 0  # never connected, or closed: nothing can be open
    connection = _h2_connection(channel)
    count = getattr(connection, "open_outbound_streams", None)
    return count if isinstance(count, int) else None


def connection_closed(channel: Any) -> asyncio.Future[None] | None:
    """A future that completes once the channel's socket is closed, or None if unknown.

    grpclib offers no close-completion hook: this wraps its protocol's
    ``connection_lost``. TLS needs some loop turns to shut down, and a loop
    closed before that leaks the socket.
    """
    protocol = getattr(channel, "_protocol", None)
    if protocol is None or getattr(protocol, "connection_lost", None) is None:
        return None
    return _when_lost(protocol)


def channel_configuration(
    *, keepalive_interval: float | None, keepalive_timeout: float, server_name_override: str | None
) -> Any:
    """grpclib's channel Configuration with HTTP/2 keepalive, when it is on.

    grpclib's keepalive settings are underscore-named fields of its
    Configuration. Pings go out every ``keepalive_interval`` on streams and
    idle connections alike, with no cap on pings without data (grpclib's
    defaults would stop after two and wait five minutes between them); a
    ping not answered within ``keepalive_timeout`` closes the connection.
    """
    from grpclib.config import Configuration

    windows: dict[str, Any] = {
        # Backpressure holds an event stream's unread data in the gateway:
        # one stream may fill its own window, never the connection's.
        "http2_stream_window_size": STREAM_WINDOW,
        "http2_connection_window_size": CONNECTION_WINDOW,
    }
    if keepalive_interval is None:
        return Configuration(ssl_target_name_override=server_name_override, **windows)
    keepalive: dict[str, Any] = {
        "_keepalive_time": keepalive_interval,
        "_keepalive_timeout": keepalive_timeout,
        "_keepalive_permit_without_calls": True,
        "_http2_max_pings_without_data": 0,
        "_http2_min_sent_ping_interval_without_data": keepalive_interval,
    }
    try:
        return Configuration(ssl_target_name_override=server_name_override, **windows, **keepalive)
    except TypeError:
        raise CompatError("grpclib's Configuration no longer takes the keepalive settings") from None


def slow_down_keepalive(channel: Any) -> float | None:
    """Double the channel's keepalive interval for its next connection; the new interval.

    What grpc-core clients do when a server says GOAWAY ENHANCE_YOUR_CALM
    ("too many pings"). None when keepalive is off or cannot be changed.
    """
    config: Any = getattr(channel, "_config", None)
    interval = getattr(config, "_keepalive_time", None)
    if config is None or interval is None:
        return None
    doubled = interval * 2
    channel._config = dataclasses.replace(
        config, _keepalive_time=doubled, _http2_min_sent_ping_interval_without_data=doubled
    )
    return float(doubled)


# grpclib's reason when the peer sent GOAWAY with ENHANCE_YOUR_CALM (h2's error code 11).
TOO_MANY_PINGS = "Received GOAWAY frame, closing connection; error_code: 11"


# Per-stream and per-connection HTTP/2 receive windows (see channel_configuration).
STREAM_WINDOW = 1 << 20
CONNECTION_WINDOW = 1 << 25


def channel_connected(channel: Any) -> bool:
    """Whether the channel has a live connection (grpclib reconnects lazily otherwise)."""
    connected = getattr(channel, "_connected", None)
    return True if connected is None else bool(connected)


def watch_peer_settings(channel: Any) -> None:
    """Make every connection the channel opens note when the peer's HTTP/2 SETTINGS arrive.

    Installed from ``connection_made``, before any data can arrive (a hook
    added after connecting can miss a fast peer). Without the grpclib
    internals to watch, nothing is installed and ``wait_for_peer_settings``
    skips its check.
    """
    from h2.events import RemoteSettingsChanged

    make_protocol = getattr(channel, "_protocol_factory", None)
    if make_protocol is None:
        return

    def protocol_factory() -> Any:
        protocol = make_protocol()
        connection_made = protocol.connection_made
        loop = asyncio.get_running_loop()

        def made(transport: Any) -> None:
            # grpclib's connection_made starts the keepalive timer through
            # asyncio.get_event_loop(), which inside trio-asyncio's loop finds
            # no loop when a TLS handshake completes: start it here instead,
            # on the loop the connection was made in.
            config = protocol.config
            keepalive = getattr(config, "_keepalive_time", None)
            if keepalive is not None:
                protocol.config = dataclasses.replace(config, _keepalive_time=None)
            connection_made(transport)
            if keepalive is not None:
                protocol.config = config
                connection = protocol.connection
                connection._config = config
                connection._ping_handle = loop.call_later(keepalive, connection._ping)
            processors = getattr(getattr(protocol, "processor", None), "processors", None)
            if not isinstance(processors, dict) or RemoteSettingsChanged not in processors:
                return
            seen: asyncio.Future[None] = loop.create_future()
            original = processors[RemoteSettingsChanged]

            def settings_changed(event: Any) -> None:
                if not seen.done():
                    seen.set_result(None)
                original(event)

            processors[RemoteSettingsChanged] = settings_changed
            protocol._mxgateway_settings = seen

        protocol.connection_made = made
        return protocol

    channel._protocol_factory = protocol_factory


async def wait_for_peer_settings(channel: Any, timeout: float) -> str | None:
    """After connecting: wait until the peer's HTTP/2 SETTINGS arrived (it speaks HTTP/2).

    Returns None when they did, else why not: "closed" (the peer hung up,
    or sent something that is not HTTP/2) or "silent" (nothing within
    ``timeout``).
    """
    protocol = getattr(channel, "_protocol", None)
    seen: asyncio.Future[None] | None = getattr(protocol, "_mxgateway_settings", None)
    if seen is None:
        return None  # not watched (see watch_peer_settings)
    if seen.done():
        return None
    lost = _when_lost(protocol)
    try:
        async with asyncio.timeout(timeout):
            await asyncio.wait([seen, lost], return_when=asyncio.FIRST_COMPLETED)
    except TimeoutError:
        return "silent"
    return None if seen.done() else "closed"


def protect_authorization(channel: Any) -> None:
    """Send the authorization header never-indexed (RFC 7541 section 7.1.3) on this connection.

    grpclib turns h2's header normalisation (which would do this) off, so
    the channel's current connection gets its HPACK encoder wrapped: the
    key stays out of the compression tables, and hpack's debug log shows it
    redacted. Checked on first use: encoding a header with the wrapper must
    leave the encoder's table without it.
    """
    from hpack import NeverIndexedHeaderTuple

    connection = _h2_connection(channel)
    encoder = getattr(connection, "encoder", None)
    if encoder is None or getattr(encoder, "_mxgateway_protected", False):
        return
    encode = encoder.encode

    def encode_protected(headers: Any, huffman: bool = True) -> bytes:
        marked = [
            NeverIndexedHeaderTuple(*header) if header[0] in _SECRET_HEADERS else header
            for header in headers
        ]
        result: bytes = encode(marked, huffman)
        return result

    encoder.encode = encode_protected
    encoder._mxgateway_protected = True
    _check_authorization_protected()


_SECRET_HEADERS = ("authorization", b"authorization")


@functools.cache
def _check_authorization_protected() -> None:
    from hpack import Encoder, NeverIndexedHeaderTuple

    encoder = Encoder()
    encoder.encode([NeverIndexedHeaderTuple("authorization", "Bearer probe")])
    if any(b"probe" in value for _, value in encoder.header_table.dynamic_entries):
        raise CompatError("hpack adds never-indexed headers to its table")


def let_grpclib_see_trio_asyncio() -> None:
    """Point grpclib's saved ``asyncio.current_task`` at the one trio-asyncio installs.

    grpclib keeps ``asyncio.current_task`` from its own import time. From
    Python 3.12 that is C code reading the thread's running loop, which
    trio-asyncio's loop never sets, so every grpclib call inside it fails
    with "no running event loop". trio-asyncio's replacement (installed when
    it is imported) answers for its loops and defers to the original
    everywhere else, the hosted loop included.
    """
    import grpclib.utils

    if not callable(getattr(grpclib.utils, "_current_task", None)):
        raise CompatError("grpclib.utils no longer keeps asyncio.current_task as _current_task")
    if grpclib.utils._current_task is not asyncio.current_task:
        grpclib.utils._current_task = asyncio.current_task


# ---------------------------------------------- grpclib server internals (the simulator)


def tracking_server(handlers: list[Any]) -> Any:
    """A grpclib Server that remembers its connections, so that they can be cut or closed.

    grpclib has no public list of a server's connections: this overrides its
    protocol factory. ``await server.abort_connections()`` aborts every
    connection and waits until its socket is closed (a crashed gateway: an
    aborted transport closes its socket one loop turn later).
    ``await server.shutdown()`` stops the server leaving no socket behind.
    """
    from grpclib.server import Server

    if not callable(getattr(Server, "_protocol_factory", None)):
        raise CompatError("grpclib's Server has no _protocol_factory to track its connections")

    class TrackingServer(Server):
        def __init__(self, handlers: list[Any]) -> None:
            super().__init__(handlers)
            self.protocols: list[Any] = []

        def _protocol_factory(self) -> Any:
            protocol = super()._protocol_factory()
            self.protocols.append(protocol)
            return protocol

        async def abort_connections(self) -> None:
            closing: list[asyncio.Future[None]] = []
            for protocol in self.protocols:
                transport = getattr(getattr(protocol, "connection", None), "_transport", None)
                if transport is not None and not transport.is_closing():
                    closing.append(_when_lost(protocol))
                    transport.abort()
            self.protocols.clear()
            if closing:
                await asyncio.wait(closing, timeout=5.0)

        async def shutdown(self) -> None:
            # A connection asyncio has accepted but not set up yet (that takes
            # a few loop turns, run in order) must be set up before the server
            # closes: CPython 3.11 otherwise asserts inside the new transport
            # and leaks its socket. Then close, cut what is left, and wait.
            for _ in range(4):
                await asyncio.sleep(0)
            self.close()
            await self.abort_connections()
            await self.wait_closed()

    return TrackingServer(handlers)


def _when_lost(protocol: Any) -> asyncio.Future[None]:
    """A future set once ``protocol.connection_lost`` has run (its socket is closed then)."""
    lost: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    notify = protocol.connection_lost

    def connection_lost(exc: BaseException | None) -> None:
        notify(exc)
        if not lost.done():
            lost.set_result(None)

    protocol.connection_lost = connection_lost
    return lost


def listening_port(server: Any) -> int:
    """The port a started grpclib Server listens on (port 0 asks the OS for one)."""
    listening = getattr(server, "_server", None)
    sockets = getattr(listening, "sockets", None)
    if not sockets:
        raise CompatError("grpclib's Server no longer exposes its asyncio server as _server")
    return int(sockets[0].getsockname()[1])
