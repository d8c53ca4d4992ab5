"""The Galaxy repository (``galaxy_repository.v1.GalaxyRepository``), written once for both front ends.

``client.galaxy`` is a ``GalaxyBrowser``: test the connection, the last
deploy time, the whole hierarchy and browses as listings that page under
the hood, a lazy tree, and deploy events as a stream. Every call goes
through the client's runner, like the rest of the core; the front ends
only say which stream class the deploy events come in.

A listing keeps the next page's request in flight while the caller works
through the current one (one page ahead, never more), so the gateway
builds page N+1 while the caller reads page N.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar

from google.protobuf.message import Message

from mxgateway._client.core import check_call_timeout
from mxgateway._client.sources import ReopenedSource
from mxgateway._core import galaxy as core_galaxy
from mxgateway._core.event_cursor import DeliveryQueue
from mxgateway._core.galaxy import BrowseFilter, DeployEvent, GalaxyObject, Parent, hints_for
from mxgateway._errors import (
    ArgumentError,
    ClientClosedError,
    GalaxyObjectNotFoundError,
    MxGatewayError,
    SessionNotFoundError,
)
from mxgateway._transport.channel import GALAXY_SERVICE, GatewayTransport
from mxgateway._transport.streams import DEFAULT_OVERFLOW, OverflowPolicy, StreamPump
from mxgateway.generated import galaxy_repository_pb2 as gpb

if TYPE_CHECKING:
    from mxgateway._client.core import ClientCore, Pipeline

StreamT = TypeVar("StreamT")

# One page as received: the objects' messages and, for a browse, child_has_children.
Page = tuple[Sequence[gpb.GalaxyObject], Sequence[bool] | None]

DEFAULT_DEPLOY_BUFFER = 256  # deploys are rare; a consumer this far behind is gone


def _method(name: str) -> str:
    return f"{GALAXY_SERVICE}/{name}"


# ----------------------------------------------------------------- paging


class _PageFetcher:
    """The grpclib side of a listing: the page in flight. Its methods run in grpclib's loop only."""

    def __init__(self, transport: GatewayTransport, method: str, request: Callable[[str], Message]) -> None:
        self._transport = transport
        self._method = method
        self._request = request
        self._token = ""
        self._task: asyncio.Task[Any] | None = None
        self._held: Any = None  # a reply received, not handed out yet
        self._finished = False  # the last page was received

    @property
    def done(self) -> bool:
        """Every page was handed out."""
        return self._finished and self._held is None

    async def _fetch(self, token: str, timeout: float | None) -> Any:
        return await self._transport.unary(self._method, self._request(token), timeout)

    async def take(self, timeout: float | None, ahead: bool) -> Any:
        """The next page's reply; with ``ahead``, the request for the one after it goes out at once.

        A page that failed (or whose wait was cancelled) is asked for again
        by the next ``take``, with the same page token; a page received by
        a ``take`` cancelled afterwards is handed out by the next one.
        """
        held = self._held
        if held is None:
            loop = asyncio.get_running_loop()
            task = self._task
            if task is None:
                task = self._task = loop.create_task(self._fetch(self._token, timeout))
            try:
                held = await task
            finally:
                self._task = None
            self._held = held
            self._token = held.next_page_token
            self._finished = not self._token
            if ahead and not self._finished:
                self._task = loop.create_task(self._fetch(self._token, timeout))
                self._task.add_done_callback(_retrieve)
                # One loop turn, so that the request is on the wire before the
                # caller goes through this page without yielding to the loop.
                await asyncio.sleep(0)
        self._held = None
        return held

    async def cancel(self) -> None:
        """Drop the page in flight (its HTTP/2 stream is reset) and wait until it is gone."""
        self._finished, self._held = True, None
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.wait([task])


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a page's failure as seen: a listing left early must not log it at garbage collection."""
    if not task.cancelled():
        task.exception()


class GalaxyListing:
    """The objects of the hierarchy or of a browse, page after page: an async iterator.

    ``async for obj in listing`` hands out ``GalaxyObject`` one at a time;
    ``listing.pages()`` the same as one tuple per page; ``await
    listing.collect()`` all of them. Page tokens stay inside. A failed page
    (gateway gone, deadline, a page token gone stale because the galaxy was
    redeployed: ``InvalidRequestError``) raises from the iteration, and
    iterating again asks for that page again. Leaving early is fine; ``async
    with`` (or ``aclose()``) also drops the page requested ahead at once.
    """

    def __init__(
        self,
        core: ClientCore,
        method: str,
        request: Callable[[str], Message],
        page_of: Callable[[Any], Page],
        timeout: float | None,
        parent: Parent | None = None,
    ) -> None:
        self._core = core
        self._method = method
        self._fetcher = _PageFetcher(core._transport, method, request)
        self._page_of = page_of
        self._timeout = timeout
        self._parent = parent
        # The rest of the current page: each object is made as it is handed
        # out, so that one the caller drops is freed at once (no page of
        # objects for the garbage collector to go through).
        self._rest: Iterator[GalaxyObject] = iter(())
        self._closed = False
        self.pages_received = 0

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> GalaxyObject:
        found = next(self._rest, None)
        if found is None:
            if not await self._fetch_page():
                raise StopAsyncIteration
            found = next(self._rest)
        return found

    async def next_page(self) -> tuple[GalaxyObject, ...] | None:
        """The rest of the current page, or the next page; None after the last."""
        rest = tuple(self._rest)
        if rest:
            return rest
        if not await self._fetch_page():
            return None
        return tuple(self._rest)

    async def pages(self) -> AsyncIterator[tuple[GalaxyObject, ...]]:
        """One tuple of objects per page (an empty page is skipped)."""
        while (page := await self.next_page()) is not None:
            yield page

    async def collect(self) -> tuple[GalaxyObject, ...]:
        """Every object that is left, all pages."""
        found: list[GalaxyObject] = []
        while (page := await self.next_page()) is not None:
            found.extend(page)
        return tuple(found)

    async def _fetch_page(self) -> bool:
        """The next non-empty page made current; False at the end."""
        while True:
            if self._closed:
                raise ClientClosedError("the listing is closed")
            if self._fetcher.done:
                return False
            core = self._core
            timeout = core.call_timeout(self._timeout)
            try:
                reply = await core._runner.run(self._fetcher.take, timeout, True)
            except SessionNotFoundError as error:
                raise self._not_found(error) from None
            self.pages_received += 1
            messages, hints = self._page_of(reply)
            if messages:
                if hints is None:
                    self._rest = map(GalaxyObject, messages)
                else:
                    self._rest = map(GalaxyObject, messages, hints_for(messages, hints))
                return True

    def _not_found(self, error: SessionNotFoundError) -> MxGatewayError:
        parent = self._parent
        if parent is None or parent.kind is None:
            return error
        said = f" (the gateway said: {error.details})" if error.details else ""
        return GalaxyObjectNotFoundError(
            f"no galaxy object with {parent.description}{said}",
            parent=parent.description,
            method=error.method,
        )

    async def aclose(self) -> None:
        """Stop: the page requested ahead, if any, is dropped. Safe while being cancelled."""
        if self._closed:
            return
        self._closed = True
        self._rest = iter(())
        runner = self._core._runner
        await runner.shielded(runner.run, self._fetcher.cancel)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


# ------------------------------------------------------------------- tree


class GalaxyNode:
    """A node of the lazy tree: its children are browsed when asked for, once.

    ``object`` is the galaxy object, None for the node a tree starts from
    (its children are the roots, or the children of the parent it was
    made for). A node whose object the repository says has no children
    answers ``children()`` with ``()`` without a request; every browse of
    a tree carries the tree's filters. ``depth`` is 0 for the start.
    """

    def __init__(self, tree: _Tree, obj: GalaxyObject | None, parent: Parent, depth: int) -> None:
        self._tree = tree
        self.object = obj
        self._parent = parent
        self.depth = depth
        self._children: tuple[GalaxyNode, ...] | None = None

    def __repr__(self) -> str:
        what = "start" if self.object is None else repr(self.object.tag_name)
        return f"<GalaxyNode {what} depth={self.depth} loaded={self.loaded}>"

    @property
    def has_children(self) -> bool | None:
        """The repository's hint; None: not known (the start node, or a reply without the hint)."""
        return None if self.object is None else self.object.has_children

    @property
    def loaded(self) -> bool:
        """Whether ``children()`` has its answer already (no request needed)."""
        return self._children is not None or self.has_children is False

    async def children(self) -> tuple[GalaxyNode, ...]:
        """The child nodes: browsed (all pages) on the first call, then remembered.

        Two tasks asking at once for the first time may both browse; the
        answer is the same.
        """
        if self._children is not None:
            return self._children
        if self.has_children is False:
            self._children = ()
            return ()
        tree = self._tree
        found = await tree.browser._listing(self._parent, tree.filters, tree.size, tree.timeout).collect()
        depth = self.depth + 1
        self._children = tuple(
            GalaxyNode(self._tree, obj, Parent("parent_gobject_id", obj.gobject_id), depth) for obj in found
        )
        return self._children

    async def walk(self, max_depth: int | None = None) -> AsyncIterator[GalaxyNode]:
        """The nodes below this one, depth first (each before its children), down to ``max_depth``.

        ``max_depth`` counts from this node (1: its children only; None: all
        the way down). Children are browsed as the walk reaches them.
        """
        if max_depth is not None and (
            isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0
        ):
            raise ArgumentError(f"max_depth must be a non-negative integer or None, got {max_depth!r}")
        limit = None if max_depth is None else self.depth + max_depth
        pending = [self]
        while pending:
            node = pending.pop()
            if node is not self:
                yield node
            if limit is not None and node.depth >= limit:
                continue
            pending.extend(reversed(await node.children()))


class _Tree:
    """What every node of one tree shares."""

    def __init__(
        self, browser: GalaxyBrowser[Any], filters: BrowseFilter, size: int, timeout: float | None
    ) -> None:
        self.browser = browser
        self.filters = filters
        self.size = size
        self.timeout = timeout


# ---------------------------------------------------------------- browser


class GalaxyBrowser(Generic[StreamT]):
    """``client.galaxy``: the gateway's Galaxy repository (deployed objects, metadata only).

    Every call needs a key with the gateway's ``admin`` scope. ``timeout``
    is per call (per page for listings), as for every other call.
    """

    def __init__(self, core: ClientCore, open_stream: Callable[[Pipeline], StreamT]) -> None:
        self._core = core
        self._open_stream = open_stream

    def __repr__(self) -> str:
        return f"<GalaxyBrowser endpoint={self._core.options.endpoint!r}>"

    async def _unary(self, name: str, request: Message, timeout: float | None) -> Any:
        core = self._core
        return await core._runner.run(
            core._transport.unary, _method(name), request, core.call_timeout(timeout)
        )

    async def test_connection(self, *, timeout: float | None = None) -> bool:
        """Whether the gateway reaches its Galaxy repository (TestConnection)."""
        reply: gpb.TestConnectionReply = await self._unary(
            "TestConnection", gpb.TestConnectionRequest(), timeout
        )
        return reply.ok

    async def last_deploy_time(self, *, timeout: float | None = None) -> datetime | None:
        """When the galaxy was last deployed (aware, UTC); None if the gateway does not say."""
        reply: gpb.GetLastDeployTimeReply = await self._unary(
            "GetLastDeployTime", gpb.GetLastDeployTimeRequest(), timeout
        )
        return core_galaxy.timestamp_of(reply, "deploy_time")

    def hierarchy(self, *, page_size: int | None = None, timeout: float | None = None) -> GalaxyListing:
        """Every deployed object, areas included, with its attributes (DiscoverHierarchy, all pages).

        ``page_size``: objects per page, 1..5,000; None: the gateway's
        default (500).
        """
        size = core_galaxy.page_size(page_size)
        check_call_timeout(timeout)

        def request(token: str) -> Message:
            return core_galaxy.discover_hierarchy(size, token)

        def page_of(reply: Any) -> Page:
            return reply.objects, None

        return GalaxyListing(self._core, _method("DiscoverHierarchy"), request, page_of, timeout)

    def browse(
        self,
        parent: int | str | GalaxyObject | None = None,
        *,
        contained_path: str | None = None,
        category_ids: Iterable[int] = (),
        template_chain_contains: Iterable[str] = (),
        tag_name_glob: str = "",
        alarm_bearing_only: bool = False,
        historized_only: bool = False,
        include_attributes: bool = True,
        page_size: int | None = None,
        timeout: float | None = None,
    ) -> GalaxyListing:
        """The children of ``parent`` (BrowseChildren, all pages), each with ``has_children``.

        ``parent``: a gobject id, a tag name or a ``GalaxyObject``; or give
        ``contained_path`` (``"Plant/TankFarm"``); neither: the roots.
        The filters are the contract's (see ``BrowseFilter``); they apply
        to the children themselves. A parent the galaxy does not have
        raises ``GalaxyObjectNotFoundError`` on the first iteration; a
        filter the gateway refuses, ``InvalidRequestError``. Arguments are
        checked here (``ArgumentError``), before anything is sent.
        """
        where = core_galaxy.parent_of(parent, contained_path)
        filters = BrowseFilter.checked(
            category_ids=category_ids,
            template_chain_contains=template_chain_contains,
            tag_name_glob=tag_name_glob,
            alarm_bearing_only=alarm_bearing_only,
            historized_only=historized_only,
            include_attributes=include_attributes,
        )
        check_call_timeout(timeout)
        return self._listing(where, filters, core_galaxy.page_size(page_size), timeout)

    def _listing(
        self, parent: Parent, filters: BrowseFilter, size: int, timeout: float | None
    ) -> GalaxyListing:
        def request(token: str) -> Message:
            return core_galaxy.browse_children(parent, filters, size, token)

        def page_of(reply: Any) -> Page:
            return reply.children, reply.child_has_children

        return GalaxyListing(self._core, _method("BrowseChildren"), request, page_of, timeout, parent)

    def tree(
        self,
        parent: int | str | GalaxyObject | None = None,
        *,
        contained_path: str | None = None,
        category_ids: Iterable[int] = (),
        template_chain_contains: Iterable[str] = (),
        tag_name_glob: str = "",
        alarm_bearing_only: bool = False,
        historized_only: bool = False,
        include_attributes: bool = True,
        page_size: int | None = None,
        timeout: float | None = None,
    ) -> GalaxyNode:
        """The start node of a lazy tree below ``parent`` (the roots by default); nothing is sent yet.

        Takes the arguments of ``browse``; the filters apply at every level,
        so a filter that an area does not pass (``alarm_bearing_only``, say)
        stops the tree at it.
        """
        where = core_galaxy.parent_of(parent, contained_path)
        filters = BrowseFilter.checked(
            category_ids=category_ids,
            template_chain_contains=template_chain_contains,
            tag_name_glob=tag_name_glob,
            alarm_bearing_only=alarm_bearing_only,
            historized_only=historized_only,
            include_attributes=include_attributes,
        )
        check_call_timeout(timeout)
        tree = _Tree(self, filters, core_galaxy.page_size(page_size), timeout)
        return GalaxyNode(tree, None, where, 0)

    def watch_deploys(
        self, *, buffer_size: int = DEFAULT_DEPLOY_BUFFER, overflow: OverflowPolicy = DEFAULT_OVERFLOW
    ) -> StreamT:
        """Deploy events as they happen: ``async with client.galaxy.watch_deploys() as deploys``.

        Nothing comes until the galaxy is deployed; then one ``DeployEvent``
        per deploy. After a lost connection the stream re-attaches (the
        client's ``reconnect`` policy); a deploy made meanwhile is not
        delivered.
        """
        core = self._core
        pump: StreamPump[Any] = StreamPump(
            core._transport,
            _method("WatchDeployEvents"),
            ReopenedSource("deploy event stream", gpb.WatchDeployEventsRequest()),
            capacity=buffer_size,
            overflow=overflow,
            reconnect=core.options.reconnect,
        )
        queue = DeliveryQueue(decode=False, track=False, parse=DeployEvent.from_proto)
        return self._open_stream((pump, queue))
