"""Sessions, shared by both front ends: every MXAccess command as a typed helper, and close.

Coroutines are loop-agnostic, so the helpers are written once
(``SessionCommands``) over one primitive, ``_invoke(command, timeout)``,
which ``SessionBase`` sends through the client core. Helpers check the
reply (``MxAccessError``/``ProtocolStatusError`` keep the raw reply) and
return plain Python results.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, overload

from mxgateway._client import tags as by_name
from mxgateway._core import commands as build
from mxgateway._core import replies as parse
from mxgateway._core.events import Event
from mxgateway._core.replies import (
    ReadResult,
    SessionInfo,
    SessionStateInfo,
    SubscribeResult,
    WriteResult,
)
from mxgateway._core.requests import DEFAULT_EVENT_BUFFER
from mxgateway._core.statuses import MxStatus
from mxgateway._core.values import MxType
from mxgateway._errors import (
    ClientClosedError,
    DeadlineExceededError,
    GatewayUnavailableError,
    SessionLostError,
)
from mxgateway.generated import mxaccess_gateway_pb2 as pb

if TYPE_CHECKING:
    from mxgateway._client.core import ClientCore
    from mxgateway._client.link import SessionLink
    from mxgateway._client.streams import EventStreamBase
    from mxgateway._core.tags import TagReading

TypeArg = MxType | str | None
log = logging.getLogger("mxgateway")
StreamT = TypeVar("StreamT", bound="EventStreamBase[Any]")
_UNSET: Any = object()  # an argument of the handle form of write() that was left out
# Bounds the implicit close when a session block or its client is left.
CLOSE_TIMEOUT = 5.0


class SessionCommands:
    """Every MXAccess command of the contract as an awaitable method.

    ``timeout`` (seconds) bounds the client-side wait of one call; ``None``
    uses the client's default (the Trio front end also honours the caller's
    cancel scopes). Cancelling a call stops only the wait: the MXAccess call
    in the worker runs on.
    """

    async def _invoke(self, command: pb.MxCommand, timeout: float | None) -> pb.MxCommandReply:
        raise NotImplementedError

    async def _run(self, command: pb.MxCommand, timeout: float | None) -> pb.MxCommandReply:
        return parse.check_reply(await self._invoke(command, timeout))

    # ------------------------------------------------------------ registration

    async def register(self, client_name: str, *, timeout: float | None = None) -> int:
        """Register with MXAccess; returns the server handle."""
        return parse.server_handle(await self._run(build.register(client_name), timeout))

    async def unregister(self, server_handle: int, *, timeout: float | None = None) -> None:
        await self._run(build.unregister(server_handle), timeout)

    # ------------------------------------------------------------------ items

    async def add_item(self, server_handle: int, item: str, *, timeout: float | None = None) -> int:
        """Add an item (e.g. ``"Tank1.Level"``); returns its item handle.

        MXAccess accepts unknown items here and reports the problem later on
        the item's data change (category CONFIGURATION_ERROR).
        """
        return parse.item_handle(await self._run(build.add_item(server_handle, item), timeout))

    async def add_item2(
        self, server_handle: int, item: str, item_context: str, *, timeout: float | None = None
    ) -> int:
        return parse.item_handle(
            await self._run(build.add_item2(server_handle, item, item_context), timeout), "add_item2"
        )

    async def add_buffered_item(self, server_handle: int, item: str, *, timeout: float | None = None) -> int:
        return parse.item_handle(
            await self._run(build.add_buffered_item(server_handle, item), timeout), "add_buffered_item"
        )

    async def remove_item(
        self, server_handle: int, item_handle: int, *, timeout: float | None = None
    ) -> None:
        await self._run(build.item_command("remove_item", server_handle, item_handle), timeout)

    async def advise(self, server_handle: int, item_handle: int, *, timeout: float | None = None) -> None:
        """Subscribe to data changes of an item (delivered on the event stream)."""
        await self._run(build.item_command("advise", server_handle, item_handle), timeout)

    async def advise_supervisory(
        self, server_handle: int, item_handle: int, *, timeout: float | None = None
    ) -> None:
        await self._run(build.item_command("advise_supervisory", server_handle, item_handle), timeout)

    async def unadvise(self, server_handle: int, item_handle: int, *, timeout: float | None = None) -> None:
        await self._run(build.item_command("unadvise", server_handle, item_handle), timeout)

    async def suspend(self, server_handle: int, item_handle: int, *, timeout: float | None = None) -> None:
        await self._run(build.item_command("suspend", server_handle, item_handle), timeout)

    async def activate(self, server_handle: int, item_handle: int, *, timeout: float | None = None) -> None:
        await self._run(build.item_command("activate", server_handle, item_handle), timeout)

    async def set_buffered_update_interval(
        self, server_handle: int, interval_ms: int, *, timeout: float | None = None
    ) -> None:
        await self._run(build.set_buffered_update_interval(server_handle, interval_ms), timeout)

    # ----------------------------------------------------------------- writes

    @overload
    async def write(
        self,
        tag: str,
        value: object,
        /,
        *,
        confirm: bool = True,
        user: int | tuple[str, str] | None = None,
        verifier: int | tuple[str, str] | None = None,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> None: ...

    @overload
    async def write(
        self,
        server_handle: int,
        item_handle: int,
        value: object,
        *,
        type: TypeArg = None,
        user_id: int = 0,
        timeout: float | None = None,
    ) -> None: ...

    async def write(
        self,
        server_handle: int | str,
        item_handle: Any = _UNSET,
        value: object = _UNSET,
        *,
        type: TypeArg = None,
        user_id: int = 0,
        timeout: float | None = None,
        confirm: bool = True,
        user: int | tuple[str, str] | None = None,
        verifier: int | tuple[str, str] | None = None,
    ) -> None:
        """Write a value: by tag name, or to an item by its handles.

        ``write("Tank1.Setpoint", 42.0)``: by name. The MXAccess type comes
        from the values the gateway reported for the tag, or from ``type``.
        With ``confirm`` (default) it waits for the OnWriteComplete and
        raises ``TagError`` (an ``MxAccessError``, with the HRESULT and the
        statuses) when the write failed; ``user`` (a user id, or a
        ``(user_name, password)`` pair authenticated for this write) makes
        it a secured write, ``verifier`` too a verified one. It uses the
        session's open subscription, or runs one of its own for the write.

        ``write(server_handle, item_handle, value)``: the MXAccess Write of an
        added and advised item; its outcome arrives later as a WriteComplete
        event. ``type`` picks the MXAccess type when Python's is ambiguous
        (``"int32"``, ``"float"``, ...). Writes are never retried.
        """
        if isinstance(server_handle, str):
            if item_handle is _UNSET:  # write(tag, value=...)
                item_handle, value = value, _UNSET
            if value is not _UNSET or item_handle is _UNSET:
                raise TypeError("write(tag, value, ...) takes the tag name and the value")
            if user_id:
                raise TypeError("write by tag name takes user=, not user_id=")
            await self._write_tag(
                server_handle,
                item_handle,
                confirm=confirm,
                user=user,
                verifier=verifier,
                type=type,
                timeout=timeout,
            )
            return
        if item_handle is _UNSET or value is _UNSET:
            raise TypeError("write(server_handle, item_handle, value, ...) needs all three")
        if confirm is not True or user is not None or verifier is not None:
            raise TypeError("confirm=, user= and verifier= are for write by tag name")
        await self._run(build.write(server_handle, item_handle, value, mx_type=type, user=user_id), timeout)

    async def _write_tag(
        self,
        tag: str,
        value: object,
        *,
        confirm: bool,
        user: int | tuple[str, str] | None,
        verifier: int | tuple[str, str] | None,
        type: TypeArg,
        timeout: float | None,
    ) -> None:
        raise NotImplementedError("write by tag name needs a session of a client")

    async def write2(
        self,
        server_handle: int,
        item_handle: int,
        value: object,
        timestamp: datetime,
        *,
        type: TypeArg = None,
        user_id: int = 0,
        timeout: float | None = None,
    ) -> None:
        """Write a value with its timestamp (MXAccess Write2)."""
        stamp = build.timestamp(timestamp)
        command = build.write(server_handle, item_handle, value, mx_type=type, timestamp=stamp, user=user_id)
        await self._run(command, timeout)

    async def write_secured(
        self,
        server_handle: int,
        item_handle: int,
        value: object,
        *,
        current_user_id: int,
        verifier_user_id: int = 0,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> None:
        """Write as an authenticated user (and a verifier for verified attributes)."""
        command = build.write(
            server_handle,
            item_handle,
            value,
            mx_type=type,
            current_user_id=current_user_id,
            verifier_user_id=verifier_user_id,
        )
        await self._run(command, timeout)

    async def write_secured2(
        self,
        server_handle: int,
        item_handle: int,
        value: object,
        timestamp: datetime,
        *,
        current_user_id: int,
        verifier_user_id: int = 0,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> None:
        """A secured write with its timestamp (MXAccess WriteSecured2)."""
        command = build.write(
            server_handle,
            item_handle,
            value,
            mx_type=type,
            timestamp=build.timestamp(timestamp),
            current_user_id=current_user_id,
            verifier_user_id=verifier_user_id,
        )
        await self._run(command, timeout)

    # ------------------------------------------------------------------ users

    async def authenticate_user(
        self, server_handle: int, user_name: str, password: str, *, timeout: float | None = None
    ) -> int:
        """Returns the user id to pass to the secured writes."""
        reply = await self._run(build.authenticate_user(server_handle, user_name, password), timeout)
        return parse.user_id(reply, "authenticate_user")

    async def archestra_user_to_id(
        self, server_handle: int, user_name: str, *, timeout: float | None = None
    ) -> int:
        reply = await self._run(build.archestra_user_to_id(server_handle, user_name), timeout)
        return parse.user_id(reply, "archestra_user_to_id")

    # ------------------------------------------------------------------- bulk

    async def add_item_bulk(
        self, server_handle: int, items: Sequence[str], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        """Per-item results in input order; one failure does not fail the call."""
        return parse.subscribe_results(
            await self._run(build.tag_bulk("add_item_bulk", server_handle, items), timeout)
        )

    async def subscribe_bulk(
        self, server_handle: int, items: Sequence[str], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        """Add and advise every item in one call."""
        return parse.subscribe_results(
            await self._run(build.tag_bulk("subscribe_bulk", server_handle, items), timeout)
        )

    async def advise_item_bulk(
        self, server_handle: int, item_handles: Sequence[int], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        return await self._handle_bulk("advise_item_bulk", server_handle, item_handles, timeout)

    async def remove_item_bulk(
        self, server_handle: int, item_handles: Sequence[int], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        return await self._handle_bulk("remove_item_bulk", server_handle, item_handles, timeout)

    async def unadvise_item_bulk(
        self, server_handle: int, item_handles: Sequence[int], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        return await self._handle_bulk("unadvise_item_bulk", server_handle, item_handles, timeout)

    async def unsubscribe_bulk(
        self, server_handle: int, item_handles: Sequence[int], *, timeout: float | None = None
    ) -> list[SubscribeResult]:
        """Unadvise and remove every item in one call."""
        return await self._handle_bulk("unsubscribe_bulk", server_handle, item_handles, timeout)

    async def _handle_bulk(
        self, name: str, server_handle: int, item_handles: Sequence[int], timeout: float | None
    ) -> list[SubscribeResult]:
        return parse.subscribe_results(
            await self._run(build.handle_bulk(name, server_handle, item_handles), timeout)
        )

    async def write_bulk(
        self,
        server_handle: int,
        entries: Iterable[tuple[int, object]],
        *,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> list[WriteResult]:
        """``entries``: ``(item_handle, value)`` pairs; results in input order."""
        return await self._bulk_write(build.write_bulk(server_handle, entries, mx_type=type), timeout)

    async def write2_bulk(
        self,
        server_handle: int,
        entries: Iterable[tuple[int, object, datetime]],
        *,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> list[WriteResult]:
        """``entries``: ``(item_handle, value, timestamp)``."""
        command = build.write_bulk(server_handle, entries, timestamped=True, mx_type=type)
        return await self._bulk_write(command, timeout)

    async def write_secured_bulk(
        self,
        server_handle: int,
        entries: Iterable[tuple[int, object]],
        *,
        current_user_id: int,
        verifier_user_id: int = 0,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> list[WriteResult]:
        command = build.write_bulk(
            server_handle,
            entries,
            mx_type=type,
            current_user_id=current_user_id,
            verifier_user_id=verifier_user_id,
        )
        return await self._bulk_write(command, timeout)

    async def write_secured2_bulk(
        self,
        server_handle: int,
        entries: Iterable[tuple[int, object, datetime]],
        *,
        current_user_id: int,
        verifier_user_id: int = 0,
        type: TypeArg = None,
        timeout: float | None = None,
    ) -> list[WriteResult]:
        command = build.write_bulk(
            server_handle,
            entries,
            timestamped=True,
            mx_type=type,
            current_user_id=current_user_id,
            verifier_user_id=verifier_user_id,
        )
        return await self._bulk_write(command, timeout)

    async def _bulk_write(self, command: pb.MxCommand, timeout: float | None) -> list[WriteResult]:
        return parse.write_results(await self._run(command, timeout))

    async def read_bulk(
        self, server_handle: int, items: Sequence[str], *, timeout_ms: int = 0, timeout: float | None = None
    ) -> list[ReadResult]:
        """Read current values; cached (``was_cached``) when already advised.

        ``timeout_ms`` is the worker's wait for a first value (0 = its default).
        """
        return parse.read_results(await self._run(build.read_bulk(server_handle, items, timeout_ms), timeout))

    # ---------------------------------------------------------------- session

    async def drain_events(self, max_events: int, *, timeout: float | None = None) -> list[Event]:
        return parse.drained_events(await self._run(build.drain_events(max_events), timeout))

    async def ping(self, *, timeout: float | None = None) -> None:
        await self._run(build.ping(), timeout)

    async def get_session_state(self, *, timeout: float | None = None) -> SessionStateInfo:
        return parse.session_state(await self._run(build.get_session_state(), timeout))

    async def acknowledge_alarm_by_name(
        self,
        alarm_full_reference: str,
        *,
        comment: str = "",
        operator_user: str = "",
        timeout: float | None = None,
    ) -> MxStatus | None:
        reply = await self._run(
            build.acknowledge_alarm_by_name(alarm_full_reference, comment, operator_user), timeout
        )
        return parse.acknowledge_status(reply)


class SessionBase(SessionCommands):
    """A session's identity, its calls through the client core, and its idempotent close.

    ``session_id`` is the gateway's current id: after a recovery
    (``recover=True``), the new session's.
    """

    def __init__(self, client: ClientCore, link: SessionLink, info: SessionInfo | None) -> None:
        self._client = client
        self._link = link
        self.info = info
        self.final_state: str | None = None
        self.close_error: BaseException | None = None
        self._close_lock = client.new_lock()
        self._tags = by_name.SessionTags()

    @property
    def session_id(self) -> str:
        return self._link.session_id

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.session_id} closed={self.closed}>"

    @property
    def closed(self) -> bool:
        return self.final_state is not None

    async def _invoke(self, command: pb.MxCommand, timeout: float | None) -> pb.MxCommandReply:
        if self.closed:
            raise ClientClosedError(f"session {self.session_id} is closed")
        return await self._client._invoke_on(self._link, command, timeout)

    # ----------------------------------------------------------- by tag name

    _concurrency: by_name.Concurrency  # the front end's: its tasks, events and timeouts

    def subscribe(
        self,
        tags: str | Iterable[str],
        *,
        supervisory: bool = False,
        buffered: float | None = None,
        buffer_size: int = DEFAULT_EVENT_BUFFER,
        overflow: by_name.TagOverflow = "backpressure",
        first_value_timeout: float = by_name.DEFAULT_FIRST_VALUE_TIMEOUT,
    ) -> AbstractAsyncContextManager[by_name.TagSubscription]:
        """Subscribe to tags by name: ``async with session.subscribe(["A.B", "C.D"]) as tags:``.

        Registers once, adds and advises the tags (bulk commands), and yields
        a ``TagSubscription``: iterate it for ``TagChange``s, the first value
        of each tag first; ``add``/``remove`` change the tags. Leaving the
        block unadvises and removes them and unregisters (shielded, bounded),
        on every exit path. ``supervisory``: AdviseSupervisory; ``buffered``:
        buffered items with this update interval (seconds). It owns the
        session's one event stream while open: ``events()`` at the same time
        is an ``EventStreamBusyError``. See ``TagSubscription``.
        """
        return by_name.open_subscription(
            self,
            self._concurrency,
            tags,
            supervisory=supervisory,
            buffered=buffered,
            buffer_size=buffer_size,
            overflow=overflow,
            first_value_timeout=first_value_timeout,
        )

    async def read(
        self, tags: str | Iterable[str], *, fresh: bool = False, timeout: float | None = None
    ) -> dict[str, TagReading]:
        """Read tags by name: ``{tag: TagReading}`` (value, quality, timestamp, error), in input order.

        One ReadBulk; a tag that fails has its ``TagError`` in its reading,
        the others are read. Unless ``fresh``, a tag of the open subscription
        that has a good value is answered from it, without a call.
        ``timeout`` bounds each tag's read (the reply may take a second
        more); the worker reads an item it does not have advised by adding
        and advising it and waiting for its first value.
        """
        return await by_name.read_tags(self, tags, fresh=fresh, timeout=timeout)

    async def _write_tag(
        self,
        tag: str,
        value: object,
        *,
        confirm: bool,
        user: int | tuple[str, str] | None,
        verifier: int | tuple[str, str] | None,
        type: TypeArg,
        timeout: float | None,
    ) -> None:
        await by_name.write_tag(
            self,
            self._concurrency,
            tag,
            value,
            confirm=confirm,
            user=user,
            verifier=verifier,
            type=type,
            timeout=timeout,
        )

    def _typed_events(
        self,
        stream_type: Callable[..., StreamT],
        after_worker_sequence: int,
        buffer_size: int,
        overflow: Any,
    ) -> StreamT:
        """This session's typed event stream, of the front end's class (``events()``)."""
        pipeline = self._client._event_pipeline(
            self.session_id,
            after_worker_sequence,
            buffer_size=buffer_size,
            overflow=overflow,
            decode=True,
            link=self._link,
        )
        stream = stream_type(self._client._runner, pipeline)
        stream._claim = self._tags.claim  # the session's one event stream, taken while it reads
        return stream

    async def close(self, *, timeout: float | None = None) -> str:
        """Close the session; idempotent and safe to call concurrently.

        Returns the final state name (e.g. ``"CLOSED"``).
        """
        async with self._close_lock:
            if self.final_state is None:
                self.final_state = await self._client._close_session(self, timeout)
        return self.final_state

    async def _close_bounded(self) -> str:
        """``close()`` that survives the caller's cancellation and gives up after CLOSE_TIMEOUT."""
        return await self._client.shielded(functools.partial(self.close, timeout=CLOSE_TIMEOUT))

    async def _close_on_exit(self, body_error: BaseException | None) -> None:
        """Close on the way out of a session block: shielded, bounded, the block's error first.

        A close that fails raises, unless the block itself is already
        raising (or being cancelled: its exception must win, or cancel scopes
        would stop catching it) or the gateway is gone (unreachable or
        silent: the gateway's lease expires the session). Then the failure
        is logged as a WARNING and kept in ``close_error``.
        """
        try:
            await self._close_bounded()
        except Exception as close_error:
            gone = isinstance(close_error, GatewayUnavailableError | DeadlineExceededError | SessionLostError)
            if body_error is None and not gone:
                raise
            # The gateway is gone (its lease ends the session) or the block is
            # already failing: say so, remember it, and let the block's outcome stand.
            self.close_error = close_error
            self._client._sessions.discard(self)
            log.warning("closing session %s failed: %s", self.session_id, close_error)
