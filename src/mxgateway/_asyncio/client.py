"""asyncio front end: GatewayClient, Session and EventStream.

The behaviour is the shared client core's (``mxgateway._client``); this
module adds the asyncio lifecycle (``await GatewayClient.connect(...)``,
``async with``) and runs the core's grpclib work directly in the caller's
loop. It never imports trio or trio-asyncio.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Self, TypeVar

from mxgateway._asyncio.concurrency import AsyncioConcurrency
from mxgateway._client.core import ClientCore, Pipeline
from mxgateway._client.galaxy import GalaxyBrowser
from mxgateway._client.session import SessionBase
from mxgateway._client.streams import EventStreamBase
from mxgateway._core import requests
from mxgateway._core.events import Event
from mxgateway._core.galaxy import DeployEvent
from mxgateway._errors import DeadlineExceededError, GatewayUnavailableError, SessionLostError
from mxgateway._options import ClientOptions, coerce_options
from mxgateway._transport.channel import GatewayTransport, TransportStatistics
from mxgateway._transport.streams import DEFAULT_OVERFLOW, OverflowPolicy, PumpStatistics
from mxgateway.generated import mxaccess_gateway_pb2 as pb

T = TypeVar("T")
ItemT = TypeVar("ItemT")


class AsyncioRunner:
    """The Runner of the asyncio front end: grpclib's loop is the caller's loop."""

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        return await fn(*args)

    async def shielded(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        # An asyncio cancellation is delivered once: cleanup awaited after it runs.
        return await fn(*args)

    def time_left(self) -> float | None:
        return None  # asyncio has no ambient deadline a library can read

    def lock(self) -> AbstractAsyncContextManager[Any]:
        return asyncio.Lock()


class GatewayClient(ClientCore):
    """An asyncio client for one MXAccess Gateway.

    ``async with await GatewayClient.connect(endpoint=..., plaintext=True) as client:``
    Leaving the block closes sessions this client opened and still holds,
    then the channel, even when a session close fails.
    """

    _runner: AsyncioRunner

    def __init__(self, transport: GatewayTransport) -> None:
        super().__init__(AsyncioRunner(), transport)

    @classmethod
    async def connect(cls, options: ClientOptions | None = None, /, **kwargs: Any) -> GatewayClient:
        """Connect (bounded by ``connect_timeout``); takes ClientOptions, its keywords, or both."""
        transport = GatewayTransport(coerce_options(options, kwargs))
        await transport.connect()
        return cls(transport)

    def __repr__(self) -> str:
        return f"<GatewayClient endpoint={self.options.endpoint!r} closed={self._transport.closed}>"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            first_error = await self._close_tracked_sessions()
        finally:
            await self._transport.aclose()  # even when a session's close was cancelled
        if first_error is not None and exc is None and not _gateway_gone(first_error):
            raise first_error

    async def aclose(self) -> None:
        """Close open sessions (bounded), then the channel, which closes regardless."""
        await self.__aexit__(None, None, None)

    close = aclose

    async def open_session(
        self, client_session_name: str = "", *, timeout: float | None = None, recover: bool = False
    ) -> Session:
        """Open a gateway session (one MXAccess worker); ``async with`` it or call ``close()``.

        ``recover=True``: if the gateway loses the session (it restarted, or
        the worker faulted), open a new one and set up again what this
        session had set up, keeping its handles valid (see the README).
        """
        info, link = await self._open_session(client_session_name, timeout, recover)
        session = Session(self, link, info)
        self._track(session)
        return session

    def attach_session(self, session_id: str) -> Session:
        """A Session object for an existing session id (e.g. from another process); not closed for you."""
        return Session(self, self._attached_link(session_id), None)

    def stream_events_raw(
        self,
        session_id: str,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> EventStream[pb.MxEvent]:
        """The session's MxEvent messages untouched: ``async with ... as stream: async for``."""
        pipeline = self._event_pipeline(
            session_id, after_worker_sequence, buffer_size=buffer_size, overflow=overflow, decode=False
        )
        return EventStream(self._runner, pipeline)

    def stream_alarms(
        self,
        prefix: str = "",
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> EventStream[pb.AlarmFeedMessage]:
        """The alarm feed: each active alarm, ``snapshot_complete``, then transitions."""
        return EventStream(
            self._runner, self._alarm_pipeline(prefix, buffer_size=buffer_size, overflow=overflow)
        )

    def statistics(self) -> TransportStatistics:
        return self._statistics()

    @functools.cached_property
    def galaxy(self) -> GalaxyBrowser[EventStream[DeployEvent]]:
        """The Galaxy repository: browse the deployed objects, watch deploys (``GalaxyBrowser``)."""
        return GalaxyBrowser(self, lambda pipeline: EventStream(self._runner, pipeline))


def _gateway_gone(error: BaseException) -> bool:
    return isinstance(error, GatewayUnavailableError | DeadlineExceededError | SessionLostError)


class Session(SessionBase):
    """One gateway session. Every MXAccess command is a method (see SessionCommands)."""

    _client: GatewayClient
    _concurrency = AsyncioConcurrency()  # for subscribe() and write by tag name

    def events(
        self,
        after_worker_sequence: int = 0,
        *,
        buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
        overflow: OverflowPolicy = DEFAULT_OVERFLOW,
    ) -> EventStream[Event]:
        """This session's typed events: ``async with session.events() as events: async for e in events``."""
        return self._typed_events(EventStream[Event], after_worker_sequence, buffer_size, overflow)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close_on_exit(exc)


class EventStream(EventStreamBase[ItemT]):
    """A session's event stream: an async context manager and async iterator.

    A background task reads the gRPC stream into a bounded buffer (see
    ``StreamPump`` for the overflow policy); iteration ends when the gateway
    ends the stream. ``last_worker_sequence`` is the resume point. Iterating
    without ``async with`` starts the reader on the first take.
    """

    def __init__(self, runner: AsyncioRunner, pipeline: Pipeline) -> None:
        super().__init__(runner, pipeline)

    async def __aenter__(self) -> Self:
        await self._open()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def _next_chunk(self) -> list[Any]:
        await self._open()
        # One loop turn per chunk: the reader and every other task get to run
        # between chunks even when the buffer never empties.
        await asyncio.sleep(0)
        return await super()._next_chunk()

    def statistics(self) -> PumpStatistics:
        return self._pump.statistics()
