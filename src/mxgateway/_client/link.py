"""A session's life on the gateway: its current id, its loss and, if asked for, its recovery.

A ``SessionLink`` is used on the asyncio side only (every method runs in
grpclib's loop, so its state is never touched from two threads). It sends a
session's commands and notices when the gateway no longer has the session
(it restarted: NOT_FOUND; or the worker faulted). From then on, calls and
the event stream raise ``SessionLostError``, unless the session was opened
with ``recover=True``: then the link opens a new session, sets up again
what the client had set up (registrations, items, advises, supervisory
advises, suspensions, buffered update intervals), and from then on
translates handles, so that the handles the caller holds stay valid.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mxgateway._core import commands as build
from mxgateway._core import replies as parse
from mxgateway._core import requests
from mxgateway._core.events import SessionRecovered
from mxgateway._errors import (
    ArgumentError,
    CommandError,
    FailedPreconditionError,
    MxGatewayError,
    SessionLostError,
    SessionNotFoundError,
)
from mxgateway._transport.channel import GatewayTransport
from mxgateway.generated import mxaccess_gateway_pb2 as pb

log = logging.getLogger("mxgateway")

_SESSION_NOT_READY = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
_SESSION_NOT_FOUND = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_FOUND


def is_session_gone(error: MxGatewayError) -> bool:
    """Whether an error says the gateway no longer has the session (or it can never work again)."""
    if isinstance(error, SessionNotFoundError):
        return True
    if isinstance(error, FailedPreconditionError):
        text = str(error).lower()
        return "faulted" in text or "closed" in text
    return False


def _reply_says_gone(reply: pb.MxCommandReply) -> bool:
    status = reply.protocol_status
    if status.code == _SESSION_NOT_FOUND:
        return True
    return status.code == _SESSION_NOT_READY and "faulted" in status.message.lower()


# ------------------------------------------------------------------ handles


class HandleMap:
    """The caller's handles and the new session's, once a session was recovered.

    The first session's handles are the caller's; after a recovery each of
    them maps to the handle the new session gave the same registration or
    item. A handle the new session gives later keeps its number unless the
    caller already holds that number.
    """

    def __init__(self) -> None:
        self.servers: dict[int, int] = {}  # caller's server handle -> wire
        self.servers_back: dict[int, int] = {}
        self.items: dict[tuple[int, int], int] = {}  # (caller's server, caller's item) -> wire item
        self.items_back: dict[tuple[int, int], tuple[int, int]] = {}  # (wire server, wire item) -> caller's

    def add_server(self, mine: int, wire: int) -> None:
        self.servers[mine] = wire
        self.servers_back[wire] = mine

    def add_item(self, server: int, mine: int, wire_server: int, wire: int) -> None:
        self.items[server, mine] = wire
        self.items_back[wire_server, wire] = (server, mine)

    def drop_item(self, server: int, mine: int) -> None:
        wire = self.items.pop((server, mine), None)
        if wire is not None:
            self.items_back.pop((self.servers.get(server, server), wire), None)

    def server_to_wire(self, mine: int) -> int:
        try:
            return self.servers[mine]
        except KeyError:
            raise ArgumentError(
                f"server handle {mine} was not set up again in the recovered session"
            ) from None

    def item_to_wire(self, server: int, mine: int) -> int:
        try:
            return self.items[server, mine]
        except KeyError:
            raise ArgumentError(
                f"item handle {mine} (server handle {server}) was not set up again in the recovered session"
            ) from None

    def new_server(self, wire: int) -> int:
        mine = wire if wire not in self.servers else max(self.servers) + 1
        self.add_server(mine, wire)
        return mine

    def new_item(self, server: int, wire_server: int, wire: int) -> int:
        taken = {item for (owner, item) in self.items if owner == server}
        mine = wire if wire not in taken else max(taken) + 1
        self.add_item(server, mine, wire_server, wire)
        return mine

    def event_to_caller(self, event: pb.MxEvent) -> None:
        """Rewrite an event's handles, in place, to the caller's."""
        mine = self.items_back.get((event.server_handle, event.item_handle))
        if mine is not None:
            event.server_handle, event.item_handle = mine
        elif event.server_handle in self.servers_back:
            event.server_handle = self.servers_back[event.server_handle]


def _translate_command(command: pb.MxCommand, handles: HandleMap) -> pb.MxCommand:
    """A copy of ``command`` with the caller's handles replaced by the new session's."""
    member = command.WhichOneof("payload")
    if member is None:
        return command
    wire = pb.MxCommand()
    wire.CopyFrom(command)
    payload = getattr(wire, member)
    fields = payload.DESCRIPTOR.fields_by_name
    if "server_handle" not in fields:
        return wire
    server = payload.server_handle
    payload.server_handle = handles.server_to_wire(server)
    if "item_handle" in fields:
        payload.item_handle = handles.item_to_wire(server, payload.item_handle)
    if "item_handles" in fields:
        payload.item_handles[:] = [handles.item_to_wire(server, h) for h in payload.item_handles]
    if "entries" in fields:
        for entry in payload.entries:
            entry.item_handle = handles.item_to_wire(server, entry.item_handle)
    return wire


def _translate_reply(command: pb.MxCommand, reply: pb.MxCommandReply, handles: HandleMap) -> None:
    """Rewrite, in place, the handles a reply carries to the caller's (new ones get a number)."""
    member = command.WhichOneof("payload")
    payload = getattr(command, member) if member else None
    server = getattr(payload, "server_handle", 0) if payload is not None else 0
    wire_server = handles.servers.get(server, 0)
    kind = reply.WhichOneof("payload")
    if kind == "register":
        reply.register.server_handle = handles.new_server(reply.register.server_handle)
    elif kind in ("add_item", "add_item2", "add_buffered_item"):
        body = getattr(reply, kind)
        body.item_handle = handles.new_item(server, wire_server, body.item_handle)
    elif kind == "bulk_subscribe":
        adding = member in ("add_item_bulk_command", "subscribe_bulk_command")
        for result in reply.bulk_subscribe.results:
            result.server_handle = server
            if not result.was_successful:
                continue
            if adding:
                result.item_handle = handles.new_item(server, wire_server, result.item_handle)
            else:
                mine = handles.items_back.get((wire_server, result.item_handle))
                if mine is not None:
                    result.item_handle = mine[1]
    elif kind == "bulk_write":
        for written in reply.bulk_write.results:
            mine = handles.items_back.get((wire_server, written.item_handle))
            if mine is not None:
                written.item_handle = mine[1]
    elif kind == "drain_events":
        for event in reply.drain_events.events:
            handles.event_to_caller(event)


# ------------------------------------------------------------------ journal


@dataclass
class _Item:
    definition: str
    how: str  # "add_item", "add_item2" or "add_buffered_item"
    context: str = ""
    advise: str | None = None  # "advise" or "advise_supervisory"
    suspended: bool = False


@dataclass
class _Registration:
    client_name: str
    interval_ms: int = 0
    items: dict[int, _Item] = field(default_factory=dict)


class Journal:
    """What the caller set up in the session, in the caller's handles (for a recovery)."""

    def __init__(self) -> None:
        self.registrations: dict[int, _Registration] = {}

    def record(self, command: pb.MxCommand, reply: pb.MxCommandReply) -> None:
        """Note a command that succeeded (the reply already carries the caller's handles)."""
        member = command.WhichOneof("payload")
        if member is None:
            return
        payload: Any = getattr(command, member)
        if member == "register_command":
            self.registrations[reply.register.server_handle] = _Registration(payload.client_name)
            return
        registration = self.registrations.get(getattr(payload, "server_handle", 0))
        if registration is None:
            return
        items = registration.items
        if member == "unregister_command":
            self.registrations.pop(payload.server_handle, None)
        elif member in ("add_item_command", "add_item2_command", "add_buffered_item_command"):
            how = member.removesuffix("_command")
            context = payload.item_context if member == "add_item2_command" else ""
            items[getattr(reply, how).item_handle] = _Item(payload.item_definition, how, context)
        elif member == "set_buffered_update_interval_command":
            registration.interval_ms = payload.interval_ms
        elif member in _ITEM_EFFECTS:
            self._apply(items, payload.item_handle, member)
        elif member in ("add_item_bulk_command", "subscribe_bulk_command"):
            for result in reply.bulk_subscribe.results:
                if result.was_successful:
                    advised = "advise" if member == "subscribe_bulk_command" else None
                    items[result.item_handle] = _Item(result.tag_address, "add_item", advise=advised)
        elif member in _BULK_EFFECTS:
            for result in reply.bulk_subscribe.results:
                if result.was_successful:
                    self._apply(items, result.item_handle, _BULK_EFFECTS[member])

    @staticmethod
    def _apply(items: dict[int, _Item], handle: int, member: str) -> None:
        item = items.get(handle)
        if item is None:
            return
        if member == "remove_item_command":
            del items[handle]
        else:
            _ITEM_EFFECTS[member](item)


def _set(attribute: str, value: object) -> Callable[[_Item], None]:
    return lambda item: setattr(item, attribute, value)


_ITEM_EFFECTS: dict[str, Callable[[_Item], None]] = {
    "remove_item_command": lambda item: None,  # handled by Journal._apply
    "advise_command": _set("advise", "advise"),
    "advise_supervisory_command": _set("advise", "advise_supervisory"),
    "un_advise_command": _set("advise", None),
    "suspend_command": _set("suspended", True),
    "activate_command": _set("suspended", False),
}
_BULK_EFFECTS = {
    "advise_item_bulk_command": "advise_command",
    "un_advise_item_bulk_command": "un_advise_command",
    "remove_item_bulk_command": "remove_item_command",
    "unsubscribe_bulk_command": "remove_item_command",
}


# --------------------------------------------------------------------- link


class SessionLink:
    """One session as the gateway sees it (see the module docstring); asyncio side only."""

    def __init__(
        self,
        transport: GatewayTransport,
        correlation: requests.CorrelationIds,
        session_id: str,
        client_session_name: str,
        *,
        recover: bool,
        live: bool,
    ) -> None:
        self._transport = transport
        self._correlation = correlation
        self.session_id = session_id
        self._name = client_session_name
        self.recover = recover
        self.live = live  # known to have existed, so a NOT_FOUND means it was lost
        self.lost: SessionLostError | None = None
        self.generation = 0  # recoveries so far
        self.handles: HandleMap | None = None  # set by the first recovery
        self.journal = Journal() if recover else None
        self.last_sequence = 0  # of the last event its stream received, for the errors
        self._recovering: asyncio.Future[None] | None = None
        self._markers: list[SessionRecovered] = []

    async def invoke(self, command: pb.MxCommand, timeout: float | None) -> pb.MxCommandReply:
        """Send one command of this session; translates handles after a recovery."""
        if self.lost is not None and not self.recover:
            raise self.lost
        if self._recovering is not None:
            await asyncio.shield(self._recovering)
        handles = self.handles
        wire = command if handles is None else _translate_command(command, handles)
        request = requests.invoke(self.session_id, wire, self._correlation.next())
        generation = self.generation
        try:
            reply: pb.MxCommandReply = await self._transport.unary("Invoke", request, timeout)
        except SessionNotFoundError as error:
            gone = await self._gone(error, generation)
            if gone is error:
                raise
            raise gone  # noqa: B904  # its cause is set: the gateway's error
        if _reply_says_gone(reply):
            try:
                parse.check_reply(reply)
            except CommandError as said:  # a ProtocolStatusError naming the state
                raise await self._gone(said, generation) from said
        self.live = True
        if handles is not None:
            _translate_reply(command, reply, handles)
        if self.journal is not None and _succeeded(reply):
            self.journal.record(command, reply)
        return reply

    async def _gone(self, error: MxGatewayError, generation: int) -> MxGatewayError:
        """What a call that found the session gone raises (recovering it first when asked to)."""
        if not self.live:
            return error  # never seen alive (an attached id): plain NOT_FOUND
        old = self.session_id
        if not self.recover:
            self.lost = self.lost or self._lost_error(error)
            return self.lost
        await self._recover_once(error, generation)
        recovered = SessionLostError(
            f"session {old} was lost ({error}); recovered as {self.session_id}: this call was not run",
            session_id=old,
            last_worker_sequence=self.last_sequence,
            recovered=True,
            new_session_id=self.session_id,
        )
        recovered.__cause__ = error
        return recovered

    def _lost_error(self, error: MxGatewayError) -> SessionLostError:
        lost = SessionLostError(
            f"session {self.session_id} was lost: {error}; resume point {self.last_sequence} "
            "(open a new session and set it up again, or open it with recover=True)",
            session_id=self.session_id,
            last_worker_sequence=self.last_sequence,
        )
        lost.__cause__ = error  # what the gateway said
        return lost

    async def stream_lost(
        self, error: MxGatewayError, generation: int, resume_after: int
    ) -> SessionRecovered:
        """The event stream of ``generation`` found the session gone: the marker to deliver, or raise."""
        self.last_sequence = resume_after
        if not self.recover:
            self.lost = self.lost or self._lost_error(error)
            raise self.lost
        await self._recover_once(error, generation)
        return self._markers[generation]

    async def _recover_once(self, error: MxGatewayError, generation: int) -> None:
        """Recover the session unless that already happened since ``generation``."""
        while self.generation == generation:
            if self._recovering is None:
                self._recovering = asyncio.get_running_loop().create_future()
                try:
                    await self._recover(error)
                except BaseException as failure:
                    self._recovering.set_exception(failure)
                    self._recovering.exception()  # retrieved: each waiter raises its own
                    raise
                finally:
                    done, self._recovering = self._recovering, None
                    if not done.done():
                        done.set_result(None)
            else:
                await asyncio.shield(self._recovering)

    async def _recover(self, cause: MxGatewayError) -> None:
        assert self.journal is not None
        old = self.session_id
        opened = await self._transport.unary("OpenSession", requests.open_session(self._name), None)
        parse.check_protocol_status(opened)
        new = opened.session_id
        handles = HandleMap()
        failed: list[tuple[str, str]] = []
        for mine, registration in list(self.journal.registrations.items()):
            await self._set_up(new, mine, registration, handles, failed)
        await self._close_quietly(old)
        self._markers.append(
            SessionRecovered(
                old_session_id=old,
                new_session_id=new,
                lost_after_sequence=self.last_sequence,
                failed=tuple(failed),
            )
        )
        self.session_id, self.handles, self.lost = new, handles, None
        self.generation += 1
        log.warning(
            "session %s lost (%s); recovered as %s: %d registration(s) set up again, %d item(s) failed",
            old,
            cause,
            new,
            len(self.journal.registrations),
            len(failed),
        )

    async def _set_up(
        self,
        session_id: str,
        mine: int,
        registration: _Registration,
        handles: HandleMap,
        failed: list[tuple[str, str]],
    ) -> None:
        """Register again and re-add, re-advise and re-suspend the registration's items."""
        send = self._send_to(session_id)
        wire_server = parse.server_handle(await send(build.register(registration.client_name)))
        handles.add_server(mine, wire_server)
        if registration.interval_ms:
            await send(build.set_buffered_update_interval(wire_server, registration.interval_ms))
        plain = [(h, item) for h, item in registration.items.items() if item.how == "add_item"]
        if plain:
            definitions = [item.definition for _, item in plain]
            results = parse.subscribe_results(
                await send(build.tag_bulk("add_item_bulk", wire_server, definitions))
            )
            for (h, item), result in zip(plain, results, strict=True):
                if result.was_successful:
                    handles.add_item(mine, h, wire_server, result.item_handle)
                else:
                    failed.append((item.definition, result.error_message or "AddItem failed"))
        for h, item in registration.items.items():
            try:
                if item.how != "add_item":
                    if item.how == "add_item2":
                        command = build.add_item2(wire_server, item.definition, item.context)
                    else:
                        command = build.add_buffered_item(wire_server, item.definition)
                    handles.add_item(mine, h, wire_server, parse.item_handle(await send(command), item.how))
                if (mine, h) not in handles.items:
                    continue
                wire_item = handles.items[mine, h]
                if item.advise is not None:
                    await send(build.item_command(item.advise, wire_server, wire_item))
                if item.suspended:
                    await send(build.item_command("suspend", wire_server, wire_item))
            except CommandError as error:
                failed.append((item.definition, str(error)))
                handles.drop_item(mine, h)

    def _send_to(self, session_id: str) -> Callable[[pb.MxCommand], Any]:
        async def send(command: pb.MxCommand) -> pb.MxCommandReply:
            request = requests.invoke(session_id, command, self._correlation.next())
            return parse.check_reply(await self._transport.unary("Invoke", request, None))

        return send

    async def _close_quietly(self, session_id: str) -> None:
        """Close the lost session if the gateway still has it (a faulted worker's session)."""
        try:
            await self._transport.unary("CloseSession", requests.close_session(session_id), 5.0)
        except MxGatewayError as error:
            log.debug("closing the lost session %s: %s", session_id, error)


def _succeeded(reply: pb.MxCommandReply) -> bool:
    try:
        parse.check_reply(reply)
    except CommandError:
        return False
    return True
