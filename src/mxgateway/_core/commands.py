"""Build MxCommand messages for every command kind (no I/O).

``make_command`` finds the oneof member and the MxCommandKind for a payload
by name from the descriptor, so no code here depends on a field number.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

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


def _timestamp_value(timestamp: datetime) -> pb.MxValue:
    if not isinstance(timestamp, datetime):
        raise ArgumentError(f"timestamp must be a timezone-aware datetime, got {timestamp!r}")
    return encode_value(timestamp, MxType.TIME)


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


def write(
    server_handle: int, item_handle: int, value: object, *, mx_type: MxType | str | None = None, user: int = 0
) -> pb.MxCommand:
    return make_command(
        pb.WriteCommand(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
            value=encode_value(value, mx_type),
            user_id=user_id("user_id", user),
        )
    )


def write2(
    server_handle: int,
    item_handle: int,
    value: object,
    timestamp: datetime,
    *,
    mx_type: MxType | str | None = None,
    user: int = 0,
) -> pb.MxCommand:
    return make_command(
        pb.Write2Command(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
            value=encode_value(value, mx_type),
            timestamp_value=_timestamp_value(timestamp),
            user_id=user_id("user_id", user),
        )
    )


def write_secured(
    server_handle: int,
    item_handle: int,
    value: object,
    *,
    current_user_id: int,
    verifier_user_id: int = 0,
    mx_type: MxType | str | None = None,
) -> pb.MxCommand:
    return make_command(
        pb.WriteSecuredCommand(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
            value=encode_value(value, mx_type),
            current_user_id=handle("current_user_id", current_user_id),
            verifier_user_id=user_id("verifier_user_id", verifier_user_id),
        )
    )


def write_secured2(
    server_handle: int,
    item_handle: int,
    value: object,
    timestamp: datetime,
    *,
    current_user_id: int,
    verifier_user_id: int = 0,
    mx_type: MxType | str | None = None,
) -> pb.MxCommand:
    return make_command(
        pb.WriteSecured2Command(
            server_handle=handle("server_handle", server_handle),
            item_handle=handle("item_handle", item_handle),
            value=encode_value(value, mx_type),
            current_user_id=handle("current_user_id", current_user_id),
            verifier_user_id=user_id("verifier_user_id", verifier_user_id),
            timestamp_value=_timestamp_value(timestamp),
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
    listed = list(entries)
    if not listed:
        raise ArgumentError("entries must not be empty")
    for entry in listed:
        if isinstance(entry, str | bytes) or len(entry) != width:
            raise ArgumentError(f"each entry must be a tuple of {width} items, got {entry!r}")
    return listed


def write_bulk(
    server_handle: int, entries: Iterable[tuple[int, object]], *, mx_type: MxType | str | None = None
) -> pb.MxCommand:
    return make_command(
        pb.WriteBulkCommand(
            server_handle=handle("server_handle", server_handle),
            entries=[
                pb.WriteBulkEntry(item_handle=handle("item_handle", h), value=encode_value(v, mx_type))
                for h, v in _entries(entries, 2)
            ],
        )
    )


def write2_bulk(
    server_handle: int,
    entries: Iterable[tuple[int, object, datetime]],
    *,
    mx_type: MxType | str | None = None,
) -> pb.MxCommand:
    return make_command(
        pb.Write2BulkCommand(
            server_handle=handle("server_handle", server_handle),
            entries=[
                pb.Write2BulkEntry(
                    item_handle=handle("item_handle", h),
                    value=encode_value(v, mx_type),
                    timestamp_value=_timestamp_value(t),  # type: ignore[arg-type]
                )
                for h, v, t in _entries(entries, 3)
            ],
        )
    )


def write_secured_bulk(
    server_handle: int,
    entries: Iterable[tuple[int, object]],
    *,
    current_user_id: int,
    verifier_user_id: int = 0,
    mx_type: MxType | str | None = None,
) -> pb.MxCommand:
    current = handle("current_user_id", current_user_id)
    verifier = user_id("verifier_user_id", verifier_user_id)
    return make_command(
        pb.WriteSecuredBulkCommand(
            server_handle=handle("server_handle", server_handle),
            entries=[
                pb.WriteSecuredBulkEntry(
                    item_handle=handle("item_handle", h),
                    value=encode_value(v, mx_type),
                    current_user_id=current,
                    verifier_user_id=verifier,
                )
                for h, v in _entries(entries, 2)
            ],
        )
    )


def write_secured2_bulk(
    server_handle: int,
    entries: Iterable[tuple[int, object, datetime]],
    *,
    current_user_id: int,
    verifier_user_id: int = 0,
    mx_type: MxType | str | None = None,
) -> pb.MxCommand:
    current = handle("current_user_id", current_user_id)
    verifier = user_id("verifier_user_id", verifier_user_id)
    return make_command(
        pb.WriteSecured2BulkCommand(
            server_handle=handle("server_handle", server_handle),
            entries=[
                pb.WriteSecured2BulkEntry(
                    item_handle=handle("item_handle", h),
                    value=encode_value(v, mx_type),
                    current_user_id=current,
                    verifier_user_id=verifier,
                    timestamp_value=_timestamp_value(t),  # type: ignore[arg-type]
                )
                for h, v, t in _entries(entries, 3)
            ],
        )
    )
