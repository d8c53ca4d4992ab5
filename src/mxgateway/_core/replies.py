"""Check and parse gateway replies (no I/O).

``check_reply`` applies the status layers 2 and 3 in order: a non-OK
protocol status raises ``ProtocolStatusError`` (``MxAccessError`` for
MXACCESS_FAILURE); an OK reply with a failing HRESULT or an error status
entry (decided by category, never by the numeric ``success`` field) raises
``MxAccessError``. Exceptions keep the raw reply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from mxgateway._core.events import Event, decode_event
from mxgateway._core.quality import Quality
from mxgateway._core.statuses import MxStatus, first_error
from mxgateway._core.values import Value
from mxgateway._errors import MxAccessError, ProtocolStatusError
from mxgateway.generated import mxaccess_gateway_pb2 as pb

_OK = pb.PROTOCOL_STATUS_CODE_OK
_MXACCESS_FAILURE = pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE


class _HasProtocolStatus(Protocol):
    @property
    def protocol_status(self) -> pb.ProtocolStatus: ...


def protocol_code_name(code: int) -> str:
    try:
        return pb.ProtocolStatusCode.Name(code).removeprefix("PROTOCOL_STATUS_CODE_")
    except ValueError:
        return f"UNKNOWN_{code}"


def check_protocol_status(reply: _HasProtocolStatus) -> None:
    """Layer 2 for replies without MXAccess data (OpenSession, CloseSession)."""
    status = reply.protocol_status
    if status.code != _OK:
        raise ProtocolStatusError(protocol_code_name(status.code), status.message, reply=reply)


def check_reply(reply: pb.MxCommandReply) -> pb.MxCommandReply:
    """Raise for a failed command; return the reply unchanged when it succeeded."""
    status = reply.protocol_status
    if status.code == _OK and reply.hresult >= 0 and not reply.statuses:
        return reply  # the common case, decided without building anything
    statuses = [MxStatus.from_proto(s) for s in reply.statuses]
    if status.code == _MXACCESS_FAILURE or (status.code == _OK and _mxaccess_failed(reply, statuses)):
        raise MxAccessError(
            hresult=reply.hresult,
            statuses=statuses,
            message=_describe_mxaccess_failure(reply, statuses),
            reply=reply,
            code=protocol_code_name(status.code),
        )
    if status.code != _OK:
        raise ProtocolStatusError(protocol_code_name(status.code), status.message, reply=reply)
    return reply


def _mxaccess_failed(reply: pb.MxCommandReply, statuses: Sequence[MxStatus]) -> bool:
    return reply.hresult < 0 or first_error(statuses) is not None


def _describe_mxaccess_failure(reply: pb.MxCommandReply, statuses: Sequence[MxStatus]) -> str:
    kind = pb.MxCommandKind.Name(reply.kind).removeprefix("MX_COMMAND_KIND_") if reply.kind else "command"
    parts = [f"MXAccess {kind} failed", f"HRESULT 0x{reply.hresult & 0xFFFFFFFF:08X}"]
    error = first_error(statuses)
    if error is not None:
        parts.append(error.describe())
    text = reply.diagnostic_message or reply.protocol_status.message
    # The gateway often repeats the failing status's diagnostic as the reply's
    # message: say it once.
    if text and (error is None or text != error.diagnostic_text):
        parts.append(text)
    return ": ".join(parts[:1]) + " (" + "; ".join(parts[1:]) + ")"


# ----------------------------------------------------------- typed results


@dataclass(frozen=True)
class SessionInfo:
    """What OpenSession reported about a new session."""

    session_id: str
    backend_name: str
    gateway_protocol_version: int
    worker_protocol_version: int
    capabilities: tuple[str, ...]
    raw: pb.OpenSessionReply = field(compare=False, repr=False)

    @classmethod
    def from_proto(cls, reply: pb.OpenSessionReply) -> SessionInfo:
        return cls(
            session_id=reply.session_id,
            backend_name=reply.backend_name,
            gateway_protocol_version=reply.gateway_protocol_version,
            worker_protocol_version=reply.worker_protocol_version,
            capabilities=tuple(reply.capabilities),
            raw=reply,
        )


@dataclass(frozen=True)
class SessionStateInfo:
    state: str
    worker_state: str


@dataclass(frozen=True)
class SubscribeResult:
    server_handle: int
    tag_address: str
    item_handle: int
    was_successful: bool
    error_message: str


@dataclass(frozen=True)
class WriteResult:
    item_handle: int
    was_successful: bool
    error_message: str


@dataclass(frozen=True)
class ReadResult:
    tag_address: str
    was_successful: bool
    error_message: str
    was_cached: bool
    value: object
    mx_value: Value | None
    quality: Quality
    timestamp: datetime | None
    statuses: tuple[MxStatus, ...]


def session_state_name(state: int) -> str:
    return pb.SessionState.Name(state).removeprefix("SESSION_STATE_")


# --------------------------------------------------------- payload readers


def _payload(reply: pb.MxCommandReply, member: str) -> Any:
    if reply.WhichOneof("payload") != member:
        raise ProtocolStatusError(
            "PROTOCOL_VIOLATION",
            f"reply to {pb.MxCommandKind.Name(reply.kind)} carries no {member!r} payload",
            reply=reply,
        )
    return getattr(reply, member)


def server_handle(reply: pb.MxCommandReply) -> int:
    payload = _payload(reply, "register")
    assert isinstance(payload, pb.RegisterReply)
    return payload.server_handle


def item_handle(reply: pb.MxCommandReply, member: str = "add_item") -> int:
    """``member``: add_item, add_item2 or add_buffered_item."""
    return int(_payload(reply, member).item_handle)


def user_id(reply: pb.MxCommandReply, member: str) -> int:
    """``member``: authenticate_user or archestra_user_to_id."""
    return int(_payload(reply, member).user_id)


def subscribe_results(reply: pb.MxCommandReply) -> list[SubscribeResult]:
    payload = _payload(reply, "bulk_subscribe")
    assert isinstance(payload, pb.BulkSubscribeReply)
    return [
        SubscribeResult(r.server_handle, r.tag_address, r.item_handle, r.was_successful, r.error_message)
        for r in payload.results
    ]


def write_results(reply: pb.MxCommandReply) -> list[WriteResult]:
    payload = _payload(reply, "bulk_write")
    assert isinstance(payload, pb.BulkWriteReply)
    return [WriteResult(r.item_handle, r.was_successful, r.error_message) for r in payload.results]


def read_results(reply: pb.MxCommandReply) -> list[ReadResult]:
    payload = _payload(reply, "bulk_read")
    assert isinstance(payload, pb.BulkReadReply)
    results = []
    for r in payload.results:
        mx_value = Value.from_proto(r.value) if r.HasField("value") else None
        results.append(
            ReadResult(
                tag_address=r.tag_address,
                was_successful=r.was_successful,
                error_message=r.error_message,
                was_cached=r.was_cached,
                value=None if mx_value is None else mx_value.value,
                mx_value=mx_value,
                quality=Quality(r.quality),
                timestamp=r.timestamp.ToDatetime(tzinfo=UTC) if r.HasField("timestamp") else None,
                statuses=tuple(MxStatus.from_proto(s) for s in r.statuses),
            )
        )
    return results


def drained_events(reply: pb.MxCommandReply) -> list[Event]:
    payload = _payload(reply, "drain_events")
    assert isinstance(payload, pb.DrainEventsReply)
    return [decode_event(e) for e in payload.events]


def session_state(reply: pb.MxCommandReply) -> SessionStateInfo:
    payload = _payload(reply, "get_session_state")
    assert isinstance(payload, pb.GetSessionStateReply)
    return SessionStateInfo(session_state_name(payload.state), payload.worker_state)


def acknowledge_status(reply: pb.MxCommandReply) -> MxStatus | None:
    if reply.WhichOneof("payload") != "acknowledge_alarm":
        return None
    return MxStatus.from_proto(reply.acknowledge_alarm.status)


def acknowledged(reply: pb.AcknowledgeAlarmReply) -> MxStatus:
    """The status of an AcknowledgeAlarm reply; raises like ``check_reply`` on failure."""
    status = MxStatus.from_proto(reply.status)
    code = reply.protocol_status.code
    if code == _MXACCESS_FAILURE or (code == _OK and (reply.hresult < 0 or status.is_error)):
        raise MxAccessError(
            hresult=reply.hresult,
            statuses=[status],
            message=f"acknowledging the alarm failed: {reply.diagnostic_message or status.describe()}",
            reply=reply,
            code=protocol_code_name(code),
        )
    check_protocol_status(reply)
    return status
