"""Subscriptions, reads and writes by tag name, written once for both front ends.

A session has one event subscriber, so a ``TagSubscription`` owns the
session's event stream while it is open (``EventStreamClaim`` says who has
it: ``session.events()`` or a subscription, never both). It registers once,
adds and advises its tags with bulk commands, and runs a reader of its own
(a task in the subscription block: a Trio nursery or an asyncio task, from
the front end's ``Concurrency``) that routes each event with a ``TagRouter``:
tag values to the subscription's bounded queue, write completions to the
writes waiting for them. A consumer that stops iterating does not stop the
reader until the queue is full; what happens then is the ``overflow``
policy (see ``TagSubscription``).

``session.write(tag, ...)`` writes through the open subscription (adding the
tag for the write if it is not one of its tags), or through a subscription
of its own for the length of the write; ``session.read(tags)`` is one
ReadBulk.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, TypeVar

from mxgateway._client.core import check_call_timeout
from mxgateway._core import requests
from mxgateway._core.statuses import StatusCategory, first_error
from mxgateway._core.tags import TagChange, TagEntry, TagReading, TagRouter, tag_names
from mxgateway._core.values import MxType
from mxgateway._errors import (
    ArgumentError,
    ClientClosedError,
    DeadlineExceededError,
    EventOverflowError,
    EventStreamBusyError,
    GatewayUnavailableError,
    MxAccessError,
    ProtocolStatusError,
    SessionLostError,
    TagError,
)

if TYPE_CHECKING:
    from mxgateway._client.session import SessionBase
    from mxgateway._core.events import WriteComplete
    from mxgateway._core.replies import SubscribeResult

log = logging.getLogger("mxgateway")
T = TypeVar("T")

TagOverflow = Literal["backpressure", "drop_oldest", "error"]
TAG_OVERFLOW_POLICIES: tuple[str, ...] = ("backpressure", "drop_oldest", "error")
User = int | tuple[str, str] | None
TypeArg = MxType | str | None

CLIENT_NAME = "mxgateway-tags"  # the registration's client name for tag operations
DEFAULT_FIRST_VALUE_TIMEOUT = 30.0  # a real galaxy takes 3-8 s for a first value
CLEANUP_TIMEOUT = 5.0  # leaving a subscription is bounded like closing a session
_READ_REPLY_MARGIN = 1.0  # a read's reply may come this long after its per-tag timeout
_CHECKPOINT_EVERY = 256  # a consumer that never waits still lets other tasks run
_MAX_TIMEOUT_MS = 2**31 - 1


# ---------------------------------------------------------- the loop's side


class LoopEvent(Protocol):
    def set(self) -> None: ...

    def is_set(self) -> bool: ...

    async def wait(self) -> Any: ...


class TaskStarter(Protocol):
    def start(self, fn: Callable[[], Awaitable[None]]) -> None: ...


class Concurrency(Protocol):
    """What tag operations need from the caller's event loop (each front end has one)."""

    def event(self) -> LoopEvent:
        """A new one-shot event."""
        ...

    def tasks(self) -> AbstractAsyncContextManager[TaskStarter]:
        """A scope for background tasks; leaving it cancels what is still running and waits for it."""
        ...

    async def wait(self, event: LoopEvent, timeout: float | None) -> bool:
        """Wait for ``event``, at most ``timeout`` seconds; whether it was set."""
        ...

    async def checkpoint(self) -> None: ...

    async def shielded(self, fn: Callable[[], Awaitable[T]]) -> T:
        """``await fn()`` to its end even if the caller is cancelled meanwhile (``fn`` bounds itself).

        A cancellation that came meanwhile is delivered after it.
        """
        ...


# ------------------------------------------------------ who has the stream


class EventStreamClaim:
    """Who has a session's one event stream: ``session.events()``, a subscription, or nobody."""

    def __init__(self) -> None:
        self._holder: object | None = None
        self._role = ""

    @property
    def role(self) -> str:
        return self._role

    def take(self, holder: object, role: str) -> None:
        if self._holder is not None and self._holder is not holder:
            raise EventStreamBusyError(
                f"{role} needs this session's event stream, but {self._role} has it open: a session has "
                "one event stream (the gateway refuses a second subscriber). Leave that block first; "
                "while a subscription is open, write by name through it and read with session.read()"
            )
        self._holder, self._role = holder, role

    def release(self, holder: object) -> None:
        if self._holder is holder:
            self._holder, self._role = None, ""


class SessionTags:
    """A session's tag state: its event stream claim, its open subscription, its registration for reads."""

    def __init__(self) -> None:
        self.claim = EventStreamClaim()
        self.subscription: TagSubscription | None = None
        self.server_handle: int | None = None  # registered on the first read
        self._lock: AbstractAsyncContextManager[Any] | None = None
        self._write_lock: AbstractAsyncContextManager[Any] | None = None

    def write_lock(self, session: SessionBase) -> AbstractAsyncContextManager[Any]:
        """Held by a write by name that runs a subscription of its own, and while one is opened."""
        if self._write_lock is None:
            self._write_lock = session._client.new_lock()
        return self._write_lock

    async def registration(self, session: SessionBase) -> int:
        if self._lock is None:
            self._lock = session._client.new_lock()
        async with self._lock:
            if self.server_handle is None:
                self.server_handle = await session.register(CLIENT_NAME)
            return self.server_handle


# ------------------------------------------------------------ subscriptions


class _FirstValues:
    """Tags an ``add`` (or a write) waits to see the first value of."""

    def __init__(self, names: Iterable[str], event: LoopEvent) -> None:
        self.pending = set(names)
        self.event = event


class _WriteWaiter:
    __slots__ = ("event", "outcome")

    def __init__(self, event: LoopEvent) -> None:
        self.event = event
        self.outcome: WriteComplete | BaseException | None = None


def _tag_error(tag: str, error: MxAccessError) -> TagError:
    return TagError(
        tag,
        message=f"{tag}: {error.protocol_message}",
        hresult=error.hresult,
        statuses=error.statuses,
        reply=error.reply,
        code=error.code,
    )


def _refused(result: SubscribeResult, what: str) -> TagError:
    return TagError(result.tag_address, message=f"{result.tag_address}: {what}: {result.error_message}")


def _interval_ms(buffered: float | None) -> int:
    if buffered is None:
        return 0
    if isinstance(buffered, bool) or not isinstance(buffered, int | float) or not 0 < buffered < 2**31 / 1000:
        raise ArgumentError(
            f"buffered must be an update interval in seconds (positive), got {buffered!r:.60}"
        )
    return max(round(buffered * 1000), 1)


class TagSubscription:
    """Tags advised for as long as a ``session.subscribe(...)`` block is open; iterate it for ``TagChange``s.

    The first value of each tag comes first: until every tag it was opened
    with has reported once (or ``first_value_timeout`` passed), later
    changes of tags that already reported are held back, then handed out in
    order. A tag the galaxy does not know, or that the gateway refuses,
    gets a ``TagChange`` whose ``error`` is a ``TagError``; the others go
    on. ``add`` and ``remove`` change the tags while it is open.

    Its reader routes every event as it arrives, into a queue of at most
    ``buffer_size`` changes. When the consumer falls that far behind,
    ``overflow`` decides: ``"backpressure"`` (default) stops reading until
    the consumer takes (the gateway then holds the rest, up to its own
    queue); ``"drop_oldest"`` drops the oldest change (counted in
    ``dropped``); ``"error"`` ends the subscription with
    ``EventOverflowError`` on the next take. While an ``add`` or a
    confirmed write waits for its event, the reader goes on reading past
    the limit instead (for at most their timeout), so that a consumer that
    writes between iterations never waits for itself.

    After a session recovery (``recover=True``) or a replay gap, each tag's
    next change has ``first`` and ``after_gap`` set; after a gap the tags
    are advised again, so that a value of each comes in stream order;
    writes still waiting for their OnWriteComplete fail (their outcome is
    unknown). Leaving the block unadvises and removes the tags and
    unregisters, shielded and bounded; ``cleanup_error`` keeps a failure it
    did not raise.
    """

    def __init__(
        self,
        session: SessionBase,
        concurrency: Concurrency,
        *,
        supervisory: bool,
        buffered_ms: int,
        buffer_size: int,
        overflow: TagOverflow,
        first_value_timeout: float,
    ) -> None:
        if not isinstance(supervisory, bool):
            raise ArgumentError("supervisory must be True or False")
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, int) or buffer_size < 1:
            raise ArgumentError(f"buffer_size must be a positive integer, got {buffer_size!r:.60}")
        if overflow not in TAG_OVERFLOW_POLICIES:
            raise ArgumentError(f"overflow must be one of {', '.join(TAG_OVERFLOW_POLICIES)}")
        first_limit = check_call_timeout(first_value_timeout)
        if first_limit is None:
            raise ArgumentError("first_value_timeout must be a positive number of seconds")
        if supervisory and buffered_ms:
            raise ArgumentError("a subscription is supervisory or buffered, not both")
        self._session = session
        self._loop = concurrency
        self._supervisory = supervisory
        self._buffered_ms = buffered_ms
        self._capacity = buffer_size
        self._low_water = buffer_size // 2
        self._overflow = overflow
        self._first_value_timeout = first_limit
        self._server = 0
        self._router = TagRouter(0)
        self._changing = session._client.new_lock()
        self._consumer: LoopEvent | None = None  # set when the consumer waits
        self._space: LoopEvent | None = None  # set when the reader waits for room
        self._first_waiters: list[_FirstValues] = []
        self._settle_deadline = 0.0
        self._taken = 0
        self._dropped = 0
        self._done = False
        self._failure: BaseException | None = None
        self._closing = False
        self._for_write = False  # a write by name's own: it ends with that write
        self.cleanup_error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<TagSubscription {len(self.tags)} tag(s) session={self._session.session_id}>"

    # ------------------------------------------------------------ what it has

    @property
    def tags(self) -> tuple[str, ...]:
        """The subscription's tags, in the order they were added."""
        return tuple(name for name, entry in self._router.by_name.items() if not entry.hidden)

    @property
    def server_handle(self) -> int:
        """The subscription's own registration (its events carry it)."""
        return self._server

    @property
    def latest(self) -> dict[str, TagChange]:
        """The last change handed to the reader for each tag that has reported."""
        return {
            name: entry.last
            for name, entry in self._router.by_name.items()
            if not entry.hidden and entry.last is not None
        }

    @property
    def errors(self) -> dict[str, TagError]:
        """The tags whose last report is an error, with that error."""
        found: dict[str, TagError] = {}
        for name, change in self.latest.items():
            error = change.error
            if error is not None:
                found[name] = error
        return found

    @property
    def dropped(self) -> int:
        """Changes dropped under the ``"drop_oldest"`` policy."""
        return self._dropped

    # ----------------------------------------------------------- changing it

    async def add(self, tags: str | Iterable[str], *, timeout: float | None = None) -> None:
        """Add and advise more tags; returns once each has its first value.

        Raises ``TagError`` (its ``failed`` names every tag that failed) when
        a tag is refused or its first value reports an error; the other tags
        stay subscribed, and the failed ones are in the stream too.
        ``timeout`` (default ``first_value_timeout``) bounds the wait for the
        first values: ``DeadlineExceededError`` then, the tags stay.
        """
        self._check_open()
        names = tag_names(tags)
        limit = check_call_timeout(timeout) or self._first_value_timeout
        router = self._router
        waiting = [n for n in names if (e := router.entry(n)) is None or e.hidden or e.first_pending]
        first_values = self._expect_first_values(waiting)
        try:
            await self._add_entries(names, hidden=False)
            await self._wait_first(first_values, limit)
        finally:
            self._first_waiters.remove(first_values)
        failed: dict[str, TagError] = {}
        for name in names:
            entry = router.entry(name)
            error = entry.last.error if entry is not None and entry.last is not None else None
            if error is not None:
                failed[name] = error
        if failed:
            first = next(iter(failed.values()))
            if len(failed) > 1:
                first = TagError(
                    first.tag,
                    message=f"{first} (and {len(failed) - 1} more: {', '.join(list(failed)[1:])})",
                    hresult=first.hresult,
                    statuses=first.statuses,
                    reply=first.reply,
                    code=first.code,
                )
            first.failed = failed
            raise first

    async def remove(self, tags: str | Iterable[str], *, timeout: float | None = None) -> None:
        """Unadvise and remove tags (unknown names are an ``ArgumentError``, checked first)."""
        self._check_open()
        names = tag_names(tags)
        entries = []
        for name in names:
            entry = self._router.entry(name)
            if entry is None or entry.hidden:
                raise ArgumentError(f"{name!r} is not a tag of this subscription")
            entries.append(entry)
        await self._drop(entries, check_call_timeout(timeout))

    # ------------------------------------------------------------ iteration

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> TagChange:
        self._taken += 1
        if not self._taken % _CHECKPOINT_EVERY:
            await self._loop.checkpoint()
        router = self._router
        ready = router.ready
        while not ready:
            await self._wait_for_changes()
        change = ready.popleft()
        space = self._space
        if space is not None and len(ready) + len(router.held) <= self._low_water:
            self._space = None
            space.set()
        return change

    async def _wait_for_changes(self) -> None:
        if self._failure is not None:
            raise self._failure
        if self._done or self._closing:
            raise StopAsyncIteration
        router = self._router
        timeout = None
        if router.holding:
            timeout = self._settle_deadline - time.monotonic()
            if timeout <= 0:
                router.stop_holding()  # some tag is slow: hand out what waited for it
                return
        if self._consumer is None:
            self._consumer = self._loop.event()
        await self._loop.wait(self._consumer, timeout)

    # ------------------------------------------------------------- opening

    async def _open(self, names: list[str], tasks: TaskStarter) -> None:
        session = self._session
        self._server = await session.register(CLIENT_NAME)
        if self._buffered_ms:
            await session.set_buffered_update_interval(self._server, self._buffered_ms)
        self._router = TagRouter(self._server, names)
        self._settle_deadline = time.monotonic() + self._first_value_timeout
        tasks.start(self._read)
        if names:
            await self._add_entries(names, hidden=False)

    async def _add_entries(self, names: list[str], *, hidden: bool) -> None:
        router = self._router
        fresh: list[TagEntry] = []
        for name in names:
            entry = router.entry(name)
            if entry is None:
                fresh.append(router.new_entry(name, hidden=hidden, supervisory=self._supervisory))
            elif entry.hidden and not hidden:
                entry.hidden = False  # added for a write, now one of the caller's tags
                if entry.last is not None:
                    router.ready.append(entry.last)
        if not fresh:
            return
        router.adding += 1
        try:
            try:
                async with self._changing:
                    # Shielded: once the worker has the items, their handles must be known
                    # here, or leaving the block could not remove them.
                    added = await self._loop.shielded(
                        functools.partial(self._subscribe_items, [entry.name for entry in fresh])
                    )
            except BaseException:
                for entry in fresh:
                    router.detach(entry, ClientClosedError(f"adding {entry.name} failed"))
                raise
            for entry, (handle, error) in zip(fresh, added, strict=True):
                if handle:
                    router.attach(entry, handle)
                if error is not None:
                    router.refused(entry, error)
        finally:
            router.adds_done()
        self._deliver_signals()
        self._wake_consumer()

    async def _subscribe_items(self, names: list[str]) -> list[tuple[int, TagError | None]]:
        """Add and advise ``names``: (item handle or 0, the tag's error or None) for each."""
        session, server = self._session, self._server
        if not self._supervisory and not self._buffered_ms:
            results = await session.subscribe_bulk(server, names)
            self._check_count(results, names)
            return [
                (r.item_handle, None) if r.was_successful else (0, _refused(r, "subscribing failed"))
                for r in results
            ]
        added: list[tuple[int, TagError | None]] = []
        if self._buffered_ms:
            for name in names:
                try:
                    added.append((await session.add_buffered_item(server, name), None))
                except MxAccessError as error:
                    added.append((0, _tag_error(name, error)))
        else:
            results = await session.add_item_bulk(server, names)
            self._check_count(results, names)
            added = [
                (r.item_handle, None) if r.was_successful else (0, _refused(r, "adding failed"))
                for r in results
            ]
        return await self._advise(names, added)

    async def _advise(
        self, names: list[str], added: list[tuple[int, TagError | None]]
    ) -> list[tuple[int, TagError | None]]:
        session, server = self._session, self._server
        if self._supervisory:
            advised: list[tuple[int, TagError | None]] = []
            for name, (handle, error) in zip(names, added, strict=True):
                if handle:
                    try:
                        await session.advise_supervisory(server, handle)
                    except MxAccessError as failure:
                        error = _tag_error(name, failure)
                advised.append((handle, error))
            return advised
        handles = [handle for handle, _ in added if handle]
        if not handles:
            return added
        results = iter(await session.advise_item_bulk(server, handles))
        advised = []
        for name, (handle, error) in zip(names, added, strict=True):
            if handle:
                result = next(results)
                if not result.was_successful:
                    error = TagError(name, message=f"{name}: advising failed: {result.error_message}")
            advised.append((handle, error))
        return advised

    @staticmethod
    def _check_count(results: list[Any], names: list[str]) -> None:
        if len(results) != len(names):
            raise ProtocolStatusError(
                "PROTOCOL_VIOLATION", f"{len(results)} bulk results for {len(names)} tags", reply=None
            )

    async def _drop(self, entries: list[TagEntry], timeout: float | None) -> None:
        handles = [entry.handle for entry in entries if entry.handle and entry.alive]
        if handles:
            async with self._changing:
                await self._loop.shielded(
                    functools.partial(self._session.unsubscribe_bulk, self._server, handles, timeout=timeout)
                )
        for entry in entries:
            self._router.detach(entry, ClientClosedError(f"{entry.name} was removed from the subscription"))
        self._deliver_signals()

    # --------------------------------------------------------------- reader

    async def _read(self) -> None:
        """The reader task: every event of the session's stream, routed as it arrives."""
        failure: BaseException | None = None
        router = self._router
        ready, held, on_event = router.ready, router.held, router.on_event
        capacity = self._capacity
        try:
            stream = self._session.events()  # type: ignore[attr-defined]
            stream._claim = None  # this subscription holds the session's claim for it
            async with stream as events:
                async for event in events:
                    on_event(event)
                    if router.signalled:
                        readvise = router.needs_readvise
                        self._deliver_signals()
                        if readvise:
                            await self._readvise()
                    if self._consumer is not None and ready:
                        self._wake_consumer()
                    if len(ready) + len(held) >= capacity and not await self._make_room():
                        break
        except Exception as error:  # handed to the consumer and the waiters, never to the task scope
            failure = error
        self._finish(failure)

    async def _make_room(self) -> bool:
        """Room for the next change by the overflow policy; False: the subscription overflowed."""
        router = self._router
        while len(router.ready) + len(router.held) >= self._capacity:
            if self._first_waiters or router.writes_waiting:
                return True  # someone waits for an event further on: read past the limit
            if self._overflow == "drop_oldest":
                if router.ready:
                    router.ready.popleft()
                else:
                    router.held.pop(0)
                self._dropped += 1
                continue
            if self._overflow == "error":
                router.ready.clear()
                router.held.clear()
                self._failure = EventOverflowError(
                    f"the subscription's buffer of {self._capacity} changes overflowed because the "
                    "consumer fell behind",
                    last_worker_sequence=0,
                    capacity=self._capacity,
                )
                return False
            self._wake_consumer()
            self._space = space = self._loop.event()
            await space.wait()
        return True

    async def _readvise(self) -> None:
        """After a replay gap: advise every tag again, so that a value of each follows the gap."""
        router, session, server = self._router, self._session, self._server
        entries = [entry for entry in router.by_name.values() if entry.alive and entry.handle]
        if not entries:
            return
        handles = [entry.handle for entry in entries]
        try:
            async with self._changing:
                await session.unadvise_item_bulk(server, handles)
                if self._supervisory:
                    for handle in handles:
                        await session.advise_supervisory(server, handle)
                else:
                    await session.advise_item_bulk(server, handles)
        except (MxAccessError, ProtocolStatusError, GatewayUnavailableError, DeadlineExceededError) as error:
            # The tags keep after_gap on their next changes; the stream goes on.
            log.warning("advising the subscription's tags again after a replay gap failed: %s", error)

    def _finish(self, failure: BaseException | None) -> None:
        self._done = True
        if failure is not None and self._failure is None:
            self._failure = failure
        ended = self._failure or ClientClosedError("the subscription's event stream has ended")
        self._router.fail_writes(ended)
        self._deliver_signals()
        for waiter in self._first_waiters:
            waiter.event.set()
        self._wake_consumer()
        if self._space is not None:
            self._space.set()

    def _deliver_signals(self) -> None:
        router = self._router
        for waiter, outcome in router.resolved:
            waiter.outcome = outcome
            waiter.event.set()
        if router.reported and self._first_waiters:
            for entry in router.reported:
                for first_values in self._first_waiters:
                    pending = first_values.pending
                    if entry.name in pending:
                        pending.discard(entry.name)
                        if not pending:
                            first_values.event.set()
        router.clear_signals()

    def _wake_consumer(self) -> None:
        consumer = self._consumer
        if consumer is not None:
            self._consumer = None
            consumer.set()

    def _wake_reader(self) -> None:
        space = self._space
        if space is not None:
            self._space = None
            space.set()

    def _expect_first_values(self, names: Iterable[str]) -> _FirstValues:
        waiter = _FirstValues(names, self._loop.event())
        self._first_waiters.append(waiter)
        if not waiter.pending:
            waiter.event.set()
        self._wake_reader()
        return waiter

    async def _wait_first(self, waiter: _FirstValues, limit: float) -> None:
        deadline = time.monotonic() + limit
        while waiter.pending:
            if self._done:
                raise self._failure or ClientClosedError("the subscription's event stream has ended")
            left = deadline - time.monotonic()
            if left <= 0 or not await self._loop.wait(waiter.event, left):
                names = ", ".join(sorted(waiter.pending))
                raise DeadlineExceededError(
                    f"no first value within {limit:g} s for {names} (still subscribed: "
                    "their values come when they come)"
                )

    def _check_open(self) -> None:
        if self._closing:
            raise ClientClosedError("the subscription is closed")
        if self._done and self._failure is not None:
            raise self._failure

    # --------------------------------------------------------------- writes

    async def _write(
        self,
        tag: str,
        value: object,
        *,
        confirm: bool,
        user: User,
        verifier: User,
        mx_type: MxType | None,
        timeout: float | None,
    ) -> None:
        self._check_open()
        router = self._router
        entry = router.entry(tag)
        temporary = entry is None
        if entry is None:
            first_values = self._expect_first_values([tag] if mx_type is None else [])
            try:
                await self._add_entries([tag], hidden=True)
                await self._wait_first(first_values, timeout or self._first_value_timeout)
            finally:
                self._first_waiters.remove(first_values)
            entry = router.entry(tag)
            assert entry is not None
        try:
            await self._write_entry(entry, value, confirm, user, verifier, mx_type, timeout)
        finally:
            if temporary and entry.hidden and router.entry(tag) is entry:
                await self._loop.shielded(functools.partial(self._drop, [entry], CLEANUP_TIMEOUT))

    async def _write_entry(
        self,
        entry: TagEntry,
        value: object,
        confirm: bool,
        user: User,
        verifier: User,
        mx_type: MxType | None,
        timeout: float | None,
    ) -> None:
        tag, last = entry.name, entry.last
        error = last.error if last is not None else None
        if not entry.handle or not entry.alive:
            raise error or TagError(tag, message=f"{tag} is not set up in the session")
        if error is not None and any(
            s.category == StatusCategory.CONFIGURATION_ERROR for s in error.statuses
        ):
            raise error  # a name the galaxy does not have: writing it cannot work
        if mx_type is None and last is not None:
            mx_type = last.mx_type
        session, server, handle = self._session, self._server, entry.handle
        user_id = None if user is None else await self._user_id(user, "user")
        verifier_id = 0 if verifier is None else await self._user_id(verifier, "verifier")
        waiter = _WriteWaiter(self._loop.event()) if confirm else None
        if waiter is not None:
            self._router.expect_write(handle, waiter)
            self._wake_reader()
        try:
            if user_id is None:
                await session.write(server, handle, value, type=mx_type, timeout=timeout)
            else:
                await session.write_secured(
                    server,
                    handle,
                    value,
                    current_user_id=user_id,
                    verifier_user_id=verifier_id,
                    type=mx_type,
                    timeout=timeout,
                )
            if waiter is not None:
                await self._confirmed(tag, handle, waiter, timeout)
        except MxAccessError as failure:
            if isinstance(failure, TagError):
                raise
            raise _tag_error(tag, failure) from failure
        finally:
            if waiter is not None and not waiter.event.is_set():
                self._router.forget_write(handle, waiter)

    async def _confirmed(self, tag: str, handle: int, waiter: _WriteWaiter, timeout: float | None) -> None:
        limit = timeout if timeout is not None else self._session._client.options.call_timeout
        if not waiter.event.is_set() and not await self._loop.wait(waiter.event, limit):
            raise DeadlineExceededError(
                f"{tag}: the write was sent, but its OnWriteComplete did not come within {limit:g} s: "
                "its outcome is unknown"
            )
        outcome = waiter.outcome
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        failure = first_error(outcome.statuses)
        if failure is not None:
            hresult = outcome.hresult or 0
            raise TagError(
                tag,
                message=f"{tag}: the write failed: OnWriteComplete reports HRESULT "
                f"0x{hresult & 0xFFFFFFFF:08X} ({failure.describe()})",
                hresult=hresult,
                statuses=outcome.statuses,
                reply=outcome.raw,
            )

    async def _user_id(self, who: User, role: str) -> int:
        if isinstance(who, int) and not isinstance(who, bool):
            return who
        if isinstance(who, tuple) and len(who) == 2 and all(isinstance(part, str) for part in who):
            # Authenticated for this write, on this subscription's registration; never cached.
            return await self._session.authenticate_user(self._server, who[0], who[1])
        raise ArgumentError(f"{role} must be a user id (int) or a (user_name, password) pair")

    # -------------------------------------------------------------- leaving

    async def _close(self, body_error: BaseException | None) -> None:
        """Unadvise, remove and unregister (shielded, bounded); the block's own error wins."""
        if self._closing:
            return
        self._closing = True
        self._wake_consumer()
        session = self._session
        if session.closed or not self._server:
            return
        try:
            await self._loop.shielded(self._cleanup)
        except Exception as error:
            self.cleanup_error = error
            gone = isinstance(
                error, GatewayUnavailableError | DeadlineExceededError | SessionLostError | ClientClosedError
            )
            if body_error is None and not gone:
                raise
            log.warning("leaving the subscription of session %s: %s", session.session_id, error)

    async def _cleanup(self) -> None:
        deadline = time.monotonic() + CLEANUP_TIMEOUT
        session, server = self._session, self._server

        def left() -> float:
            return max(deadline - time.monotonic(), 0.001)

        async def unsubscribe() -> None:
            handles = [e.handle for e in self._router.by_name.values() if e.handle and e.alive]
            if handles:
                await session.unsubscribe_bulk(server, handles, timeout=left())

        async def unregister() -> None:
            await session.unregister(server, timeout=left())

        for step in (unsubscribe, unregister):
            try:
                await step()
            except SessionLostError as lost:
                if not lost.recovered:
                    raise
                await step()  # it was not run on the lost session: run it on the one replacing it


@contextlib.asynccontextmanager
async def open_subscription(
    session: SessionBase,
    concurrency: Concurrency,
    tags: str | Iterable[str],
    *,
    supervisory: bool = False,
    buffered: float | None = None,
    buffer_size: int = requests.DEFAULT_EVENT_BUFFER,
    overflow: TagOverflow = "backpressure",
    first_value_timeout: float = DEFAULT_FIRST_VALUE_TIMEOUT,
    role: str = "session.subscribe()",
    for_write: bool = False,
) -> AsyncIterator[TagSubscription]:
    """The subscription's whole life (see ``TagSubscription``), in one block of the caller's task.

    ``for_write``: a write by name's own subscription (its caller holds the
    session's write lock already).
    """
    names = tag_names(tags)
    subscription = TagSubscription(
        session,
        concurrency,
        supervisory=supervisory,
        buffered_ms=_interval_ms(buffered),
        buffer_size=buffer_size,
        overflow=overflow,
        first_value_timeout=first_value_timeout,
    )
    if session.closed:
        raise ClientClosedError(f"session {session.session_id} is closed")
    state = session._tags
    subscription._for_write = for_write
    if for_write:
        state.claim.take(subscription, role)
    else:
        async with state.write_lock(session):  # a write by name with a subscription of its own ends first
            state.claim.take(subscription, role)
    state.subscription = subscription
    try:
        async with concurrency.tasks() as tasks:
            try:
                await subscription._open(names, tasks)
                yield subscription
            except BaseException as error:  # cancellation included: cleaned up, then re-raised
                await subscription._close(error)
                raise
            await subscription._close(None)
    finally:
        if state.subscription is subscription:
            state.subscription = None
        state.claim.release(subscription)


# ------------------------------------------------------------- by name


async def write_tag(
    session: SessionBase,
    concurrency: Concurrency,
    tag: str,
    value: object,
    *,
    confirm: bool,
    user: User,
    verifier: User,
    type: TypeArg,
    timeout: float | None,
) -> None:
    """``session.write(tag, value, ...)`` (see ``SessionCommands.write``)."""
    (name,) = tag_names(tag, "tag")
    if not isinstance(confirm, bool):
        raise ArgumentError("confirm must be True or False")
    if verifier is not None and user is None:
        raise ArgumentError("a verifier needs a user: pass user= too")
    limit = check_call_timeout(timeout)
    mx_type = None if type is None else MxType.parse(type)
    state = session._tags
    options: dict[str, Any] = {
        "confirm": confirm,
        "user": user,
        "verifier": verifier,
        "mx_type": mx_type,
        "timeout": limit,
    }
    current = state.subscription
    if current is not None and not current._closing and not current._for_write:
        await current._write(name, value, **options)
        return
    async with state.write_lock(session):  # one write by name with a subscription of its own at a time
        current = state.subscription
        if current is not None and not current._closing:
            await current._write(name, value, **options)
            return
        role = "a write by tag name (session.write(tag, ...))"
        async with open_subscription(session, concurrency, (), role=role, for_write=True) as own:
            await own._write(name, value, **options)


async def read_tags(
    session: SessionBase, tags: str | Iterable[str], *, fresh: bool, timeout: float | None
) -> dict[str, TagReading]:
    """``session.read(tags, ...)`` (see ``SessionBase.read``)."""
    names = tag_names(tags)
    if not isinstance(fresh, bool):
        raise ArgumentError("fresh must be True or False")
    limit = check_call_timeout(timeout)
    found: dict[str, TagReading] = {}
    current = session._tags.subscription
    if not fresh and current is not None and not current._closing:
        for name in names:
            entry = current._router.entry(name)
            if entry is None or entry.hidden or not entry.alive or entry.first_pending:
                continue
            last = entry.last
            if last is not None and last.error is None:
                found[name] = TagReading.from_change(last)
    missing = [name for name in names if name not in found]
    if missing:
        server = await session._tags.registration(session)
        timeout_ms = 0 if limit is None else min(max(round(limit * 1000), 1), _MAX_TIMEOUT_MS)
        call_timeout = None if limit is None else limit + _READ_REPLY_MARGIN
        results = await session.read_bulk(server, missing, timeout_ms=timeout_ms, timeout=call_timeout)
        if len(results) != len(missing):
            raise ProtocolStatusError(
                "PROTOCOL_VIOLATION", f"{len(results)} read results for {len(missing)} tags", reply=None
            )
        for name, result in zip(missing, results, strict=True):
            found[name] = TagReading.from_result(name, result)
    return {name: found[name] for name in names}
