"""One simulated MXAccess worker: handles, items, commands and events.

It follows MXAccess's own rules, quirks included: AddItem accepts unknown
items and reports the problem on the data change; an array attribute named
without ``[]`` reports CONFIGURATION_ERROR detail 1003; writing to an item
that is not advised fails with E_INVALIDARG; a write's outcome arrives later
as OnWriteComplete.
"""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mxgateway._core.values import MxType, decode_value, encode_value
from mxgateway._errors import ValueConversionError
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing._galaxy import Attribute, Galaxy

E_INVALIDARG = -2147024809  # 0x80070057
E_FAIL = -2147467259  # 0x80004005
MX_E_FAILURE = -2147220992  # 0x80040200, what MXAccess reports for a failed write

QUALITY_GOOD = 192
QUALITY_BAD_CONFIGURATION = 4  # bad, substatus configuration error
QUALITY_BAD_WAITING = 32  # bad, waiting for initial data

# Detail codes the simulator uses in its status entries.
DETAIL_UNKNOWN_ITEM = 1001
DETAIL_ARRAY_SUFFIX = 1003
DETAIL_READ_ONLY = 1012
DETAIL_TYPE_MISMATCH = 1016
DETAIL_SECURED = 321
DETAIL_NOT_ADVISED = 902

# COM numbers carried in raw_category / raw_detected_by.
_RAW_CATEGORY: dict[int, int] = {
    pb.MX_STATUS_CATEGORY_OK: 0,
    pb.MX_STATUS_CATEGORY_PENDING: 1,
    pb.MX_STATUS_CATEGORY_WARNING: 2,
    pb.MX_STATUS_CATEGORY_COMMUNICATION_ERROR: 3,
    pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR: 4,
    pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR: 5,
    pb.MX_STATUS_CATEGORY_SECURITY_ERROR: 6,
    pb.MX_STATUS_CATEGORY_SOFTWARE_ERROR: 7,
    pb.MX_STATUS_CATEGORY_OTHER_ERROR: 8,
}
_RAW_SOURCE: dict[int, int] = {
    pb.MX_STATUS_SOURCE_REQUESTING_LMX: 0,
    pb.MX_STATUS_SOURCE_RESPONDING_LMX: 1,
    pb.MX_STATUS_SOURCE_REQUESTING_NMX: 2,
    pb.MX_STATUS_SOURCE_RESPONDING_NMX: 3,
    pb.MX_STATUS_SOURCE_REQUESTING_AUTOMATION_OBJECT: 4,
    pb.MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT: 5,
}


def status(
    category: int = pb.MX_STATUS_CATEGORY_OK,
    detail: int = 0,
    source: int = pb.MX_STATUS_SOURCE_RESPONDING_LMX,
    text: str = "",
) -> pb.MxStatusProxy:
    return pb.MxStatusProxy(
        success=1 if category == pb.MX_STATUS_CATEGORY_OK else 0,
        category=category,  # type: ignore[arg-type]
        detected_by=source,  # type: ignore[arg-type]
        detail=detail,
        raw_category=_RAW_CATEGORY.get(category, -1),
        raw_detected_by=_RAW_SOURCE.get(source, -1),
        diagnostic_text=text,
    )


class CommandFailed(Exception):
    """An MXAccess-level failure: becomes a MXACCESS_FAILURE reply."""

    def __init__(self, hresult: int, entry: pb.MxStatusProxy, message: str) -> None:
        super().__init__(message)
        self.hresult = hresult
        self.entry = entry


def _invalid(message: str) -> CommandFailed:
    return CommandFailed(
        E_INVALIDARG,
        status(
            pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR,
            DETAIL_NOT_ADVISED,
            pb.MX_STATUS_SOURCE_REQUESTING_LMX,
            message,
        ),
        message,
    )


@dataclass
class Item:
    handle: int
    definition: str
    attribute: Attribute | None
    missing_array_suffix: bool
    buffered: bool = False
    advised: bool = False
    suspended: bool = False
    last_value: object = None
    last_sent: bool = False

    @property
    def resolves(self) -> bool:
        """Whether the definition names an attribute exactly (array suffix included)."""
        return self.attribute is not None and not self.missing_array_suffix


@dataclass
class Registration:
    client_name: str
    items: dict[int, Item] = field(default_factory=dict)
    buffered_interval_ms: int = 0


EventSink = Callable[[pb.MxEvent], None]
Scheduler = Callable[[float, Callable[[], None]], object]


class Worker:
    """MXAccess for one session. ``emit`` receives every event it raises."""

    def __init__(
        self,
        galaxy: Galaxy,
        emit: EventSink,
        clock: Callable[[], float],
        wall_clock: Callable[[], datetime],
        *,
        first_data_change_delay: float = 0.0,
        schedule: Scheduler | None = None,
    ) -> None:
        self._galaxy = galaxy
        self._first_data_change_delay = first_data_change_delay
        self._schedule = schedule
        self._emit = emit
        self._clock = clock
        self._wall_clock = wall_clock
        self._servers: dict[int, Registration] = {}
        self._server_ids = itertools.count(1)
        self._item_ids = itertools.count(1)
        self._users: dict[int, str] = {}
        self._after_reply: collections.deque[Callable[[], None]] = collections.deque()
        self._fresh_reads_timed_out = False

    def close(self) -> None:
        """The gateway's cleanup on CloseSession: UnAdvise, RemoveItem, Unregister."""
        for registration in self._servers.values():
            for item in registration.items.values():
                item.advised = False
            registration.items.clear()
        self._servers.clear()
        self._users.clear()

    # ----------------------------------------------------------- dispatch

    def execute(
        self, command: pb.MxCommand, *, fresh_reads_timed_out: bool = False
    ) -> tuple[pb.MxCommandReply, list[Callable[[], None]]]:
        """Run one command; returns the reply and what to do once it was sent.

        ``fresh_reads_timed_out``: ReadBulk entries that need a fresh read found
        no first data change within their timeout (the session waited already).
        """
        self._fresh_reads_timed_out = fresh_reads_timed_out
        reply = pb.MxCommandReply(kind=command.kind)
        member = command.WhichOneof("payload")
        handler = getattr(self, f"_do_{member}", None) if member else None
        try:
            if handler is None:
                raise CommandFailed(
                    E_INVALIDARG, status(pb.MX_STATUS_CATEGORY_SOFTWARE_ERROR), "unsupported command"
                )
            handler(getattr(command, str(member)), reply)
            reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_OK
            if not reply.statuses:
                reply.statuses.append(status())
        except CommandFailed as failure:
            reply.ClearField("payload")
            reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
            reply.protocol_status.message = str(failure)
            reply.hresult = failure.hresult
            reply.diagnostic_message = str(failure)
            reply.return_value.CopyFrom(pb.MxValue(data_type=pb.MX_DATA_TYPE_NO_DATA, is_null=True))
            del reply.statuses[:]
            reply.statuses.append(failure.entry)
            if not failure.entry.diagnostic_text:
                reply.statuses[0].diagnostic_text = str(failure)
            self._after_reply.clear()
        later = list(self._after_reply)
        self._after_reply.clear()
        return reply, later

    # ------------------------------------------------------------ helpers

    def _server(self, handle: int) -> Registration:
        registration = self._servers.get(handle)
        if registration is None:
            raise _invalid(f"invalid server handle {handle}")
        return registration

    def _item(self, server_handle: int, item_handle: int) -> Item:
        item = self._server(server_handle).items.get(item_handle)
        if item is None:
            raise _invalid(f"invalid item handle {item_handle} for server handle {server_handle}")
        return item

    def _new_item(self, server_handle: int, definition: str, *, buffered: bool = False) -> Item:
        registration = self._server(server_handle)
        if not definition.strip():
            raise _invalid("item definition is empty")
        attribute, missing_suffix = self._galaxy.find(definition)
        item = Item(next(self._item_ids), definition, attribute, missing_suffix, buffered=buffered)
        registration.items[item.handle] = item
        return item

    def _advise(self, server_handle: int, item: Item) -> None:
        item.advised = True
        item.last_sent = False
        self._after_reply.append(lambda: self._first_data_change(server_handle, item))

    def _first_data_change(self, server_handle: int, item: Item) -> None:
        """Runs once the reply went out: the first data change never overtakes it."""
        delay = self._first_data_change_delay
        if delay > 0 and self._schedule is not None:
            self._schedule(delay, lambda: self._data_change(server_handle, item, initial=True))
        else:
            self._data_change(server_handle, item, initial=True)

    def _user(self, user_id: int, role: str) -> str:
        name = self._users.get(user_id)
        if name is None:
            raise CommandFailed(
                MX_E_FAILURE,
                status(
                    pb.MX_STATUS_CATEGORY_SECURITY_ERROR, DETAIL_SECURED, pb.MX_STATUS_SOURCE_RESPONDING_NMX
                ),
                f"{role} user id {user_id} is not authenticated",
            )
        return name

    # ------------------------------------------------------------- events

    def _event(self, server_handle: int, item: Item, family: int) -> pb.MxEvent:
        event = pb.MxEvent(
            family=family,  # type: ignore[arg-type]
            server_handle=server_handle,
            item_handle=item.handle,
        )
        return event

    def _data_change(
        self, server_handle: int, item: Item, *, initial: bool = False, stamp: datetime | None = None
    ) -> None:
        if not item.advised or item.suspended:
            return
        now = stamp or self._wall_clock()
        event = self._event(server_handle, item, pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
        body = event.on_data_change
        body.timestamp.FromDatetime(now)
        attribute = item.attribute
        if attribute is None or not item.resolves:
            if not initial or item.last_sent:
                return
            detail = DETAIL_ARRAY_SUFFIX if item.missing_array_suffix else DETAIL_UNKNOWN_ITEM
            reason = (
                f"{item.definition} is an array attribute: name it with the [] suffix"
                if item.missing_array_suffix
                else f"{item.definition} does not exist in the galaxy"
            )
            body.value.CopyFrom(pb.MxValue(data_type=pb.MX_DATA_TYPE_NO_DATA, is_null=True))
            body.quality = QUALITY_BAD_CONFIGURATION
            body.statuses.append(
                status(
                    pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR,
                    detail,
                    pb.MX_STATUS_SOURCE_RESPONDING_LMX,
                    reason,
                )
            )
        else:
            value = attribute.value_at(self._clock())
            if item.last_sent and value == item.last_value:
                return
            item.last_value = value
            body.value.CopyFrom(encode_value(value, attribute.mx_type))
            body.quality = QUALITY_GOOD
            body.statuses.append(status())
        item.last_sent = True
        if item.buffered:
            buffered = pb.MxEvent(
                family=pb.MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE,
                server_handle=server_handle,
                item_handle=item.handle,
            )
            target = buffered.on_buffered_data_change
            target.data_type = body.value.data_type
            target.values.append(body.value)
            target.qualities.append(body.quality)
            target.timestamps.append(body.timestamp)
            target.statuses.extend(body.statuses)
            self._emit(buffered)
            return
        self._emit(event)

    def tick(self) -> None:
        """Emit a data change for every advised item whose value moved."""
        for server_handle, registration in self._servers.items():
            for item in list(registration.items.values()):
                if item.advised and item.last_sent:
                    self._data_change(server_handle, item)

    def advised_items(self) -> int:
        return sum(1 for r in self._servers.values() for i in r.items.values() if i.advised)

    def _items_of(self, attribute: Attribute) -> list[tuple[int, Item]]:
        return [
            (server_handle, item)
            for server_handle, registration in self._servers.items()
            for item in registration.items.values()
            if item.attribute is attribute and item.resolves
        ]

    def _cached(self, tag: str) -> Item | None:
        """An item for ``tag`` that is added and advised and has reported a value."""
        for registration in self._servers.values():
            for item in registration.items.values():
                if item.definition == tag and item.advised and item.last_sent and item.resolves:
                    return item
        return None

    def needs_fresh_read(self, command: pb.ReadBulkCommand) -> bool:
        """Whether ReadBulk has to wait for a first data change for some entry."""
        return any(self._cached(tag) is None for tag in command.tag_addresses)

    # ----------------------------------------------------------- commands

    def _do_register_command(self, command: pb.RegisterCommand, reply: pb.MxCommandReply) -> None:
        if not command.client_name.strip():
            raise _invalid("client name is empty")
        handle = next(self._server_ids)
        self._servers[handle] = Registration(command.client_name)
        reply.register.server_handle = handle
        reply.return_value.CopyFrom(encode_value(handle, MxType.INT32))

    def _do_unregister_command(self, command: pb.UnregisterCommand, reply: pb.MxCommandReply) -> None:
        self._server(command.server_handle)
        del self._servers[command.server_handle]

    def _do_add_item_command(self, command: pb.AddItemCommand, reply: pb.MxCommandReply) -> None:
        item = self._new_item(command.server_handle, command.item_definition)
        reply.add_item.item_handle = item.handle
        reply.return_value.CopyFrom(encode_value(item.handle, MxType.INT32))

    def _do_add_item2_command(self, command: pb.AddItem2Command, reply: pb.MxCommandReply) -> None:
        item = self._new_item(command.server_handle, command.item_definition)
        reply.add_item2.item_handle = item.handle
        reply.return_value.CopyFrom(encode_value(item.handle, MxType.INT32))

    def _do_add_buffered_item_command(
        self, command: pb.AddBufferedItemCommand, reply: pb.MxCommandReply
    ) -> None:
        item = self._new_item(command.server_handle, command.item_definition, buffered=True)
        reply.add_buffered_item.item_handle = item.handle
        reply.return_value.CopyFrom(encode_value(item.handle, MxType.INT32))

    def _do_set_buffered_update_interval_command(
        self, command: pb.SetBufferedUpdateIntervalCommand, reply: pb.MxCommandReply
    ) -> None:
        if command.interval_ms <= 0:
            raise _invalid("interval must be positive")
        self._server(command.server_handle).buffered_interval_ms = command.interval_ms

    def _do_remove_item_command(self, command: pb.RemoveItemCommand, reply: pb.MxCommandReply) -> None:
        self._item(command.server_handle, command.item_handle)
        del self._servers[command.server_handle].items[command.item_handle]

    def _do_advise_command(self, command: pb.AdviseCommand, reply: pb.MxCommandReply) -> None:
        self._advise(command.server_handle, self._item(command.server_handle, command.item_handle))

    def _do_advise_supervisory_command(
        self, command: pb.AdviseSupervisoryCommand, reply: pb.MxCommandReply
    ) -> None:
        self._advise(command.server_handle, self._item(command.server_handle, command.item_handle))

    def _do_un_advise_command(self, command: pb.UnAdviseCommand, reply: pb.MxCommandReply) -> None:
        self._item(command.server_handle, command.item_handle).advised = False

    def _do_suspend_command(self, command: pb.SuspendCommand, reply: pb.MxCommandReply) -> None:
        self._item(command.server_handle, command.item_handle).suspended = True

    def _do_activate_command(self, command: pb.ActivateCommand, reply: pb.MxCommandReply) -> None:
        item = self._item(command.server_handle, command.item_handle)
        item.suspended = False
        item.last_sent = False
        self._after_reply.append(lambda: self._first_data_change(command.server_handle, item))

    def _write(
        self,
        server_handle: int,
        item_handle: int,
        value: pb.MxValue,
        *,
        current_user: int = 0,
        verifier_user: int = 0,
        secured: bool = False,
        timestamp: pb.MxValue | None = None,
    ) -> None:
        """Write2 and WriteSecured2 pass ``timestamp``: the value's new timestamp."""
        item = self._item(server_handle, item_handle)
        if not item.advised:
            raise _invalid(f"item {item_handle} is added but not advised: MXAccess rejects the write")
        attribute = item.attribute
        if attribute is None or not item.resolves:
            raise CommandFailed(
                MX_E_FAILURE,
                status(pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, DETAIL_UNKNOWN_ITEM),
                f"{item.definition} cannot be written: it does not resolve to an attribute",
            )
        if not attribute.writable:
            raise CommandFailed(
                MX_E_FAILURE,
                status(
                    pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR,
                    DETAIL_READ_ONLY,
                    pb.MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT,
                ),
                f"{attribute.name} is read-only",
            )
        if attribute.security != "free":
            if not secured:
                raise CommandFailed(
                    MX_E_FAILURE,
                    status(
                        pb.MX_STATUS_CATEGORY_SECURITY_ERROR,
                        DETAIL_SECURED,
                        pb.MX_STATUS_SOURCE_REQUESTING_NMX,
                    ),
                    f"{attribute.name} is {attribute.security}: use WriteSecured with an authenticated user",
                )
            self._user(current_user, "current")
            if attribute.security == "verified":
                self._user(verifier_user, "verifier")
                if verifier_user == current_user:
                    raise CommandFailed(
                        MX_E_FAILURE,
                        status(
                            pb.MX_STATUS_CATEGORY_SECURITY_ERROR,
                            DETAIL_SECURED,
                            pb.MX_STATUS_SOURCE_REQUESTING_NMX,
                        ),
                        f"{attribute.name} needs a verifier other than the current user",
                    )
        python_value = decode_value(value)
        try:
            if isinstance(python_value, list) != attribute.is_array:
                shape = "an array" if attribute.is_array else "a single value"
                raise ValueConversionError(f"the attribute holds {shape}")
            encode_value(python_value, attribute.mx_type)
        except ValueConversionError as exc:
            raise CommandFailed(
                MX_E_FAILURE,
                status(pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, DETAIL_TYPE_MISMATCH),
                f"type mismatch writing {attribute.name} ({attribute.mx_type.value}): {exc}",
            ) from None
        if attribute.mx_type in (MxType.FLOAT, MxType.DOUBLE) and isinstance(python_value, int):
            python_value = float(python_value)
        stamp = _timestamp(timestamp)
        attribute.write(python_value, self._clock())

        def complete() -> None:
            event = self._event(server_handle, item, pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE)
            event.on_write_complete.statuses.append(status())
            self._emit(event)
            self._data_change(server_handle, item, stamp=stamp)
            # Other items on the same attribute see the new value too (other
            # sessions see it on their next tick).
            for other_server, other in self._items_of(attribute):
                if other is not item and other.last_sent:
                    self._data_change(other_server, other, stamp=stamp)

        self._after_reply.append(complete)

    def _do_write_command(self, command: pb.WriteCommand, reply: pb.MxCommandReply) -> None:
        self._write(command.server_handle, command.item_handle, command.value)

    def _do_write2_command(self, command: pb.Write2Command, reply: pb.MxCommandReply) -> None:
        self._write(
            command.server_handle,
            command.item_handle,
            command.value,
            timestamp=command.timestamp_value if command.HasField("timestamp_value") else None,
        )

    def _do_write_secured_command(self, command: pb.WriteSecuredCommand, reply: pb.MxCommandReply) -> None:
        self._write(
            command.server_handle,
            command.item_handle,
            command.value,
            current_user=command.current_user_id,
            verifier_user=command.verifier_user_id,
            secured=True,
        )

    def _do_write_secured2_command(self, command: pb.WriteSecured2Command, reply: pb.MxCommandReply) -> None:
        self._write(
            command.server_handle,
            command.item_handle,
            command.value,
            current_user=command.current_user_id,
            verifier_user=command.verifier_user_id,
            secured=True,
            timestamp=command.timestamp_value if command.HasField("timestamp_value") else None,
        )

    def _do_authenticate_user_command(
        self, command: pb.AuthenticateUserCommand, reply: pb.MxCommandReply
    ) -> None:
        self._server(command.server_handle)
        known = self._galaxy.users.get(command.user_name)
        if known is None or known[0] != command.password:
            raise CommandFailed(
                MX_E_FAILURE,
                status(pb.MX_STATUS_CATEGORY_SECURITY_ERROR, 322, pb.MX_STATUS_SOURCE_RESPONDING_NMX),
                "authentication failed: unknown user or wrong password",
            )
        self._users[known[1]] = command.user_name
        reply.authenticate_user.user_id = known[1]

    def _do_archestra_user_to_id_command(
        self, command: pb.ArchestrAUserToIdCommand, reply: pb.MxCommandReply
    ) -> None:
        self._server(command.server_handle)
        known = self._galaxy.users.get(command.user_name)
        if known is None:
            raise CommandFailed(
                MX_E_FAILURE,
                status(pb.MX_STATUS_CATEGORY_SECURITY_ERROR, 323),
                f"unknown user {command.user_name!r}",
            )
        reply.archestra_user_to_id.user_id = known[1]

    def _do_drain_events_command(self, command: pb.DrainEventsCommand, reply: pb.MxCommandReply) -> None:
        raise _invalid("DrainEvents is answered by the session")  # see Service

    def _do_ping_command(self, command: pb.PingCommand, reply: pb.MxCommandReply) -> None:
        return None

    def _do_get_session_state_command(
        self, command: pb.GetSessionStateCommand, reply: pb.MxCommandReply
    ) -> None:
        reply.get_session_state.state = pb.SESSION_STATE_READY
        reply.get_session_state.worker_state = "Running"

    # ----------------------------------------------------------------- bulk

    def _entry_result(self, action: Callable[[], Any]) -> tuple[bool, str]:
        try:
            action()
        except CommandFailed as failure:
            return False, str(failure)
        return True, ""

    def _subscribe_results(
        self, server_handle: int, tags: Any, *, advise: bool, reply: pb.MxCommandReply
    ) -> None:
        self._server(server_handle)
        for tag in tags:
            result = reply.bulk_subscribe.results.add(server_handle=server_handle, tag_address=tag)
            try:
                item = self._new_item(server_handle, tag)
                if advise:
                    self._advise(server_handle, item)
            except CommandFailed as failure:
                result.error_message = str(failure)
                continue
            result.item_handle = item.handle
            result.was_successful = True

    def _do_add_item_bulk_command(self, command: pb.AddItemBulkCommand, reply: pb.MxCommandReply) -> None:
        self._subscribe_results(command.server_handle, command.tag_addresses, advise=False, reply=reply)

    def _do_subscribe_bulk_command(self, command: pb.SubscribeBulkCommand, reply: pb.MxCommandReply) -> None:
        self._subscribe_results(command.server_handle, command.tag_addresses, advise=True, reply=reply)

    def _handle_results(
        self, server_handle: int, handles: Any, action: Callable[[Item], None], reply: pb.MxCommandReply
    ) -> None:
        registration = self._server(server_handle)
        for handle in handles:
            item = registration.items.get(handle)
            result = reply.bulk_subscribe.results.add(server_handle=server_handle, item_handle=handle)
            if item is None:
                result.error_message = f"invalid item handle {handle}"
                continue
            result.tag_address = item.definition
            action(item)
            result.was_successful = True

    def _do_advise_item_bulk_command(
        self, command: pb.AdviseItemBulkCommand, reply: pb.MxCommandReply
    ) -> None:
        server = command.server_handle
        self._handle_results(server, command.item_handles, lambda item: self._advise(server, item), reply)

    def _do_un_advise_item_bulk_command(
        self, command: pb.UnAdviseItemBulkCommand, reply: pb.MxCommandReply
    ) -> None:
        self._handle_results(
            command.server_handle, command.item_handles, lambda item: setattr(item, "advised", False), reply
        )

    def _do_remove_item_bulk_command(
        self, command: pb.RemoveItemBulkCommand, reply: pb.MxCommandReply
    ) -> None:
        items = self._server(command.server_handle).items

        def remove(item: Item) -> None:
            del items[item.handle]

        self._handle_results(command.server_handle, command.item_handles, remove, reply)

    def _do_unsubscribe_bulk_command(
        self, command: pb.UnsubscribeBulkCommand, reply: pb.MxCommandReply
    ) -> None:
        items = self._server(command.server_handle).items

        def unsubscribe(item: Item) -> None:
            item.advised = False
            items.pop(item.handle)

        self._handle_results(command.server_handle, command.item_handles, unsubscribe, reply)

    def _bulk_write(self, server_handle: int, entries: Any, reply: pb.MxCommandReply, **secured: Any) -> None:
        self._server(server_handle)
        for entry in entries:
            ok, error = self._entry_result(
                lambda entry=entry: self._write(  # type: ignore[misc]
                    server_handle,
                    entry.item_handle,
                    entry.value,
                    current_user=getattr(entry, "current_user_id", 0),
                    verifier_user=getattr(entry, "verifier_user_id", 0),
                    timestamp=entry.timestamp_value if hasattr(entry, "timestamp_value") else None,
                    **secured,
                )
            )
            reply.bulk_write.results.add(
                item_handle=entry.item_handle, was_successful=ok, error_message=error
            )

    def _do_write_bulk_command(self, command: pb.WriteBulkCommand, reply: pb.MxCommandReply) -> None:
        self._bulk_write(command.server_handle, command.entries, reply)

    def _do_write2_bulk_command(self, command: pb.Write2BulkCommand, reply: pb.MxCommandReply) -> None:
        self._bulk_write(command.server_handle, command.entries, reply)

    def _do_write_secured_bulk_command(
        self, command: pb.WriteSecuredBulkCommand, reply: pb.MxCommandReply
    ) -> None:
        self._bulk_write(command.server_handle, command.entries, reply, secured=True)

    def _do_write_secured2_bulk_command(
        self, command: pb.WriteSecured2BulkCommand, reply: pb.MxCommandReply
    ) -> None:
        self._bulk_write(command.server_handle, command.entries, reply, secured=True)

    def _do_read_bulk_command(self, command: pb.ReadBulkCommand, reply: pb.MxCommandReply) -> None:
        self._server(command.server_handle)
        now = self._wall_clock()
        for tag in command.tag_addresses:
            result = reply.bulk_read.results.add(tag_address=tag)
            cached = self._cached(tag)
            if cached is None and self._fresh_reads_timed_out:
                result.error_message = f"{tag}: no data change arrived within the read timeout"
                result.statuses.append(
                    status(pb.MX_STATUS_CATEGORY_COMMUNICATION_ERROR, 0, pb.MX_STATUS_SOURCE_REQUESTING_LMX)
                )
                continue
            attribute, missing_suffix = self._galaxy.find(tag)
            if attribute is None or missing_suffix:
                result.error_message = (
                    f"{tag} is an array attribute: name it with the [] suffix"
                    if missing_suffix
                    else f"{tag} does not exist in the galaxy"
                )
                result.quality = QUALITY_BAD_CONFIGURATION
                result.statuses.append(status(pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, DETAIL_UNKNOWN_ITEM))
                continue
            value = cached.last_value if cached is not None else attribute.value_at(self._clock())
            result.was_cached = cached is not None
            result.was_successful = True
            result.value.CopyFrom(encode_value(value, attribute.mx_type))
            result.quality = QUALITY_GOOD
            result.timestamp.FromDatetime(now)
            result.statuses.append(status())

    def _do_acknowledge_alarm_by_name_command(
        self, command: pb.AcknowledgeAlarmByNameCommand, reply: pb.MxCommandReply
    ) -> None:
        raise _invalid("AcknowledgeAlarmByName is answered by the gateway")  # see Service


def _timestamp(value: pb.MxValue | None) -> datetime | None:
    """The datetime a Write2 timestamp carries (None when absent or not a time)."""
    if value is None or not value.HasField("timestamp_value"):
        return None
    return value.timestamp_value.ToDatetime(tzinfo=UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)
