"""Build MxCommand messages for every command kind (no I/O).

``make_command`` finds the oneof member and the MxCommandKind for a payload
by name from the descriptor, so no code here depends on a field number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf.message import Message

from mxgateway._core.values import MxType, encode_value, lone_surrogate, short_repr
from mxgateway._errors import ArgumentError
from mxgateway.generated import mxaccess_gateway_pb2 as pb

_INT32_MAX = 2**31 - 1

# payload message full name -> oneof member name in MxCommand.payload
_MEMBER_BY_PAYLOAD: dict[str, str] = {
    member.message_type.full_name: member.name
    for member in pb.MxCommand.DESCRIPTOR.oneofs_by_name["payload"].fields
    if member.message_type is not None
}


def kind_for_member(member: str) -> str:
    """``"add_item_command"`` -> ``"MX_COMMAND_KIND_ADD_ITEM"`` (the enum value's name)."""
    return "MX_COMMAND_KIND_" + member.removesuffix("_command").upper()


# payload message full name -> (oneof member, MxCommandKind name), made once
_TARGET_BY_PAYLOAD: dict[str, tuple[str, str]] = {
    full_name: (member, kind_for_member(member)) for full_name, member in _MEMBER_BY_PAYLOAD.items()
}


def make_command(payload: Message) -> pb.MxCommand:
    """Wrap a ``<Kind>Command`` payload in an MxCommand with its kind set."""
    target = _TARGET_BY_PAYLOAD.get(payload.DESCRIPTOR.full_name)
    if target is None:
        raise ArgumentError(f"{payload.DESCRIPTOR.full_name} is not an MxCommand payload")
    member, kind = target
    command = pb.MxCommand(kind=kind)
    getattr(command, member).CopyFrom(payload)
    return command


def make_request(session_id: str, command: pb.MxCommand, correlation_id: str = "") -> pb.MxCommandRequest:
    return pb.MxCommandRequest(session_id=session_id, client_correlation_id=correlation_id, command=command)


# ----------------------------------------------------------------- validation

# The longest text the client sends in each field, in characters. Checked
# before anything is sent: a gateway answers an unknown id with an error that
# quotes it in a gRPC header, and an id near 64 KB overflows HTTP/2's header
# limit, so the answer arrives as a lost connection. Generous on purpose
# (docs/errors.md, "Limits"): gateway session ids are "session-" + 32 hex
# digits (40); a Galaxy object name is at most 128 characters and object,
# attribute and extensions together at most 329.
MAX_ID = 256
MAX_NAME = 256
MAX_REFERENCE = 1024
MAX_COMMENT = 2048
TEXT_LIMITS: dict[str, int] = {
    "session_id": MAX_ID,
    "client_correlation_id": MAX_ID,
    "client_name": MAX_NAME,
    "client_session_name": MAX_NAME,
    "user_name": MAX_NAME,
    "operator_user": MAX_NAME,
    "item_definition": MAX_REFERENCE,
    "item_context": MAX_REFERENCE,
    "tag_addresses": MAX_REFERENCE,
    "alarm_full_reference": MAX_REFERENCE,
    "prefix": MAX_REFERENCE,
    "comment": MAX_COMMENT,
}


def _integer(value: object) -> int | None:
    """``value`` if it is an int (bools and numbers of other types are not)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def handle(name: str, value: object) -> int:
    """MXAccess handles and user ids are positive int32 values."""
    number = _integer(value)
    if number is None or not 0 < number <= _INT32_MAX:
        raise ArgumentError(f"{name} must be a positive 32-bit integer, got {short_repr(value)}")
    return number


def user_id(name: str, value: object) -> int:
    """User ids may be 0 (the client itself) or a positive int32."""
    if _integer(value) == 0:
        return 0
    return handle(name, value)


def text(name: str, value: object, *, allow_empty: bool = False) -> str:
    """A string for field ``name``: at most ``TEXT_LIMITS[name]`` characters, valid UTF-8."""
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        kind = "a string" if allow_empty else "a non-empty string"
        raise ArgumentError(f"{name} must be {kind}, got {short_repr(value)}")
    limit = TEXT_LIMITS.get(name, MAX_REFERENCE)
    if len(value) > limit:
        raise ArgumentError(
            f"{name} is too long: {len(value)} characters, at most {limit} (docs/errors.md, 'Limits')"
        )
    index = lone_surrogate(value)
    if index is not None:
        raise ArgumentError(
            f"{name} holds a lone surrogate (U+{ord(value[index]):04X} at index {index}), "
            "which cannot be sent as UTF-8"
        )
    return value


def non_negative(name: str, value: object) -> int:
    number = _integer(value)
    if number is None or not 0 <= number <= _INT32_MAX:
        raise ArgumentError(f"{name} must be a non-negative 32-bit integer, got {short_repr(value)}")
    return number


def _elements(name: str, values: object, what: str) -> list[object]:
    """The elements of a list-like argument: one string or bytes is not a list of them."""
    if isinstance(values, str | bytes | bytearray | memoryview):
        one = "string" if isinstance(values, str) else "byte string"
        raise ArgumentError(f"{name} must be a sequence of {what}, not one {one}")
    if not isinstance(values, Iterable):
        raise ArgumentError(f"{name} must be a sequence of {what}, got {short_repr(values)}")
    try:
        elements: list[object] = list(values)
    except TypeError:
        raise ArgumentError(f"{name} must be a sequence of {what}, got {short_repr(values)}") from None
    if not elements:
        raise ArgumentError(f"{name} must not be empty")
    return elements


def _handles(name: str, values: Iterable[object]) -> list[int]:
    return [handle(name, v) for v in _elements(name, values, "integers")]


def _texts(name: str, values: Iterable[object]) -> list[str]:
    return [text(name, v) for v in _elements(name, values, "strings")]


def timestamp(value: object) -> datetime:
    """A write's timestamp, where one is required (Write2, WriteSecured2)."""
    if not isinstance(value, datetime):
        raise ArgumentError(f"timestamp must be a timezone-aware datetime, got {short_repr(value)}")
    return value


_required_timestamp = timestamp  # for write_bulk, whose own ``timestamp`` variable hides it


def _timestamp_value(value: object) -> pb.MxValue:
    return encode_value(timestamp(value), MxType.TIME)


# ------------------------------------------------------------------ builders


def register(client_name: str) -> pb.MxCommand:
    return make_command(pb.RegisterCommand(client_name=text("client_name", client_name)))


def unregister(server_handle: int) -> pb.MxCommand:
    return make_command(pb.UnregisterCommand(server_handle=handle("server_handle", server_handle)))


def add_item(server_handle: int, item_definition: str) -> pb.MxCommand:
    return make_command(
        pb.AddItemCommand(
            server_handle=handle("server_handle", server_handle),
            item_definition=text("item_definition", item_definition),
        )
    )


def add_item2(server_handle: int, item_definition: str, item_context: str) -> pb.MxCommand:
    return make_command(
        pb.AddItem2Command(
            server_handle=handle("server_handle", server_handle),
            item_definition=text("item_definition", item_definition),
            item_context=text("item_context", item_context, allow_empty=True),
        )
    )


def add_buffered_item(server_handle: int, item_definition: str) -> pb.MxCommand:
    return make_command(
        pb.AddBufferedItemCommand(
            server_handle=handle("server_handle", server_handle),
            item_definition=text("item_definition", item_definition),
        )
    )


# Commands that take (server_handle, item_handle) and nothing else.
_ITEM_COMMANDS: dict[str, type[Message]] = {
    "remove_item": pb.RemoveItemCommand,
    "advise": pb.AdviseCommand,
    "advise_supervisory": pb.AdviseSupervisoryCommand,
    "unadvise": pb.UnAdviseCommand,
    "suspend": pb.SuspendCommand,
    "activate": pb.ActivateCommand,
}


def item_command(name: str, server_handle: int, item_handle: int) -> pb.MxCommand:
    """``name`` is one of remove_item, advise, advise_supervisory, unadvise, suspend, activate."""
    payload_type = _ITEM_COMMANDS[name]
    return make_command(
        payload_type(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
        )
    )


@dataclass(frozen=True)
class _WriteForm:
    """The message types of one of MXAccess's four writes, single and bulk."""

    command: type[Message]
    bulk_command: type[Message]
    bulk_entry: type[Message]


# (timestamped, secured) -> the form: Write, Write2, WriteSecured, WriteSecured2
_WRITE_FORMS: dict[tuple[bool, bool], _WriteForm] = {
    (False, False): _WriteForm(pb.WriteCommand, pb.WriteBulkCommand, pb.WriteBulkEntry),
    (True, False): _WriteForm(pb.Write2Command, pb.Write2BulkCommand, pb.Write2BulkEntry),
    (False, True): _WriteForm(pb.WriteSecuredCommand, pb.WriteSecuredBulkCommand, pb.WriteSecuredBulkEntry),
    (True, True): _WriteForm(pb.WriteSecured2Command, pb.WriteSecured2BulkCommand, pb.WriteSecured2BulkEntry),
}


def _write_fields(
    value: object,
    mx_type: MxType | str | None,
    timestamp: datetime | None,
    user: int | None,
    current_user_id: int | None,
    verifier_user_id: int,
) -> dict[str, object]:
    """The fields a write and a bulk entry share, for the form that the optional parts pick.

    ``user`` None: the form has no user id (plain bulk entries).
    """
    fields: dict[str, object] = {"value": encode_value(value, mx_type)}
    if timestamp is not None:
        fields["timestamp_value"] = _timestamp_value(timestamp)
    if current_user_id is None:
        if user is not None:
            fields["user_id"] = user_id("user_id", user)
    else:
        fields["current_user_id"] = handle("current_user_id", current_user_id)
        fields["verifier_user_id"] = user_id("verifier_user_id", verifier_user_id)
    return fields


def _write_form(timestamped: bool, current_user_id: int | None, user: int, verifier: int) -> _WriteForm:
    secured = current_user_id is not None
    if secured and user:
        raise ArgumentError("a secured write takes current_user_id (and verifier_user_id), not user_id")
    if not secured and verifier:
        raise ArgumentError("verifier_user_id needs current_user_id (a secured write)")
    return _WRITE_FORMS[timestamped, secured]


def write(
    server_handle: int,
    item_handle: int,
    value: object,
    *,
    mx_type: MxType | str | None = None,
    timestamp: datetime | None = None,
    user: int = 0,
    current_user_id: int | None = None,
    verifier_user_id: int = 0,
) -> pb.MxCommand:
    """One write; the optional parts pick the kind.

    ``timestamp`` makes it Write2 (or WriteSecured2); ``current_user_id``
    (an authenticated user, with ``verifier_user_id`` for verified
    attributes) makes it WriteSecured; ``user`` is plain Write's user id.
    """
    form = _write_form(timestamp is not None, current_user_id, user, verifier_user_id)
    return make_command(
        form.command(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
            **_write_fields(value, mx_type, timestamp, user, current_user_id, verifier_user_id),
        )
    )


def authenticate_user(server_handle: int, user_name: str, password: str) -> pb.MxCommand:
    if not isinstance(password, str):
        raise ArgumentError("password must be a string")
    return make_command(
        pb.AuthenticateUserCommand(
            server_handle=handle("server_handle", server_handle),
            user_name=text("user_name", user_name),
            password=password,
        )
    )


def archestra_user_to_id(server_handle: int, user_name: str) -> pb.MxCommand:
    return make_command(
        pb.ArchestrAUserToIdCommand(
            server_handle=handle("server_handle", server_handle), user_name=text("user_name", user_name)
        )
    )


def set_buffered_update_interval(server_handle: int, interval_ms: int) -> pb.MxCommand:
    return make_command(
        pb.SetBufferedUpdateIntervalCommand(
            server_handle=handle("server_handle", server_handle),
            interval_ms=handle("interval_ms", interval_ms),
        )
    )


def drain_events(max_events: int) -> pb.MxCommand:
    return make_command(pb.DrainEventsCommand(max_events=handle("max_events", max_events)))


def ping() -> pb.MxCommand:
    return make_command(pb.PingCommand())


def get_session_state() -> pb.MxCommand:
    return make_command(pb.GetSessionStateCommand())


def acknowledge_alarm_by_name(alarm_full_reference: str, comment: str, operator_user: str) -> pb.MxCommand:
    return make_command(
        pb.AcknowledgeAlarmByNameCommand(
            alarm_full_reference=text("alarm_full_reference", alarm_full_reference),
            comment=text("comment", comment, allow_empty=True),
            operator_user=text("operator_user", operator_user, allow_empty=True),
        )
    )


# ---------------------------------------------------------------- bulk kinds

_TAG_BULK: dict[str, type[Message]] = {
    "add_item_bulk": pb.AddItemBulkCommand,
    "subscribe_bulk": pb.SubscribeBulkCommand,
}
_HANDLE_BULK: dict[str, type[Message]] = {
    "advise_item_bulk": pb.AdviseItemBulkCommand,
    "remove_item_bulk": pb.RemoveItemBulkCommand,
    "unadvise_item_bulk": pb.UnAdviseItemBulkCommand,
    "unsubscribe_bulk": pb.UnsubscribeBulkCommand,
}


def tag_bulk(name: str, server_handle: int, tag_addresses: Sequence[str]) -> pb.MxCommand:
    """``name``: add_item_bulk or subscribe_bulk."""
    return make_command(
        _TAG_BULK[name](
            server_handle=handle("server_handle", server_handle),
            tag_addresses=_texts("tag_addresses", tag_addresses),
        )
    )


def handle_bulk(name: str, server_handle: int, item_handles: Sequence[int]) -> pb.MxCommand:
    """``name``: advise_item_bulk, remove_item_bulk, unadvise_item_bulk or unsubscribe_bulk."""
    return make_command(
        _HANDLE_BULK[name](
            server_handle=handle("server_handle", server_handle),
            item_handles=_handles("item_handles", item_handles),
        )
    )


def read_bulk(server_handle: int, tag_addresses: Sequence[str], timeout_ms: int = 0) -> pb.MxCommand:
    return make_command(
        pb.ReadBulkCommand(
            server_handle=handle("server_handle", server_handle),
            tag_addresses=_texts("tag_addresses", tag_addresses),
            timeout_ms=non_negative("timeout_ms", timeout_ms),
        )
    )


def _entries(entries: Iterable[Sequence[object]], width: int) -> list[Sequence[object]]:
    if isinstance(entries, str | bytes) or not isinstance(entries, Iterable):
        raise ArgumentError(f"entries must be a sequence of tuples, got {short_repr(entries)}")
    listed = list(entries)
    if not listed:
        raise ArgumentError("entries must not be empty")
    for entry in listed:
        if isinstance(entry, str | bytes) or not isinstance(entry, Sequence) or len(entry) != width:
            raise ArgumentError(f"each entry must be a tuple of {width} items, got {short_repr(entry)}")
    return listed


def write_bulk(
    server_handle: int,
    entries: Iterable[Sequence[object]],
    *,
    timestamped: bool = False,
    mx_type: MxType | str | None = None,
    current_user_id: int | None = None,
    verifier_user_id: int = 0,
) -> pb.MxCommand:
    """Many writes in one call, one kind for all (as ``write`` picks it).

    ``entries`` are ``(item_handle, value)``, or ``(item_handle, value,
    timestamp)`` when ``timestamped``; a secured user applies to every entry.
    """
    form = _write_form(timestamped, current_user_id, 0, verifier_user_id)
    built = []
    for entry in _entries(entries, 3 if timestamped else 2):
        # Required in every entry of a timestamped form (None would silently drop it).
        timestamp: Any = _required_timestamp(entry[2]) if timestamped else None
        built.append(
            form.bulk_entry(
                item_handle=handle("item_handle", entry[0]),
                **_write_fields(entry[1], mx_type, timestamp, None, current_user_id, verifier_user_id),
            )
        )
    return make_command(
        form.bulk_command(server_handle=handle("server_handle", server_handle), entries=built)
    )
