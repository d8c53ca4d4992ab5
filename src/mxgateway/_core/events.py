"""Typed, frozen event objects for every MxEvent family (no I/O).

Every event keeps its ``worker_sequence`` (the resume point) and the raw
protobuf message in ``raw``. Nothing is dropped: a family this client does
not know becomes ``UnknownEvent``, and the replay-gap marker becomes
``ReplayGap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from mxgateway._core.quality import Quality
from mxgateway._core.statuses import MxStatus, first_error
from mxgateway._core.values import Value
from mxgateway.generated import mxaccess_gateway_pb2 as pb


def _time(
    message: pb.MxEvent | pb.OnDataChangeEvent | pb.OnAlarmTransitionEvent, name: str
) -> datetime | None:
    if not message.HasField(name):
        return None
    stamp: Timestamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=UTC)


def _statuses(messages: object) -> tuple[MxStatus, ...]:
    return tuple(MxStatus.from_proto(m) for m in messages)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _EventBase:
    worker_sequence: int
    session_id: str
    gateway_receive_timestamp: datetime | None
    hresult: int | None
    raw: pb.MxEvent = field(compare=False, repr=False)


def _base(message: pb.MxEvent) -> dict[str, object]:
    return {
        "worker_sequence": message.worker_sequence,
        "session_id": message.session_id,
        "gateway_receive_timestamp": _time(message, "gateway_receive_timestamp"),
        "hresult": message.hresult if message.HasField("hresult") else None,
        "raw": message,
    }


@dataclass(frozen=True)
class DataChange(_EventBase):
    """OnDataChange: a new value, quality and timestamp for an advised item."""

    server_handle: int
    item_handle: int
    value: object
    mx_value: Value
    quality: Quality
    timestamp: datetime | None
    statuses: tuple[MxStatus, ...]

    @property
    def error(self) -> MxStatus | None:
        """The first error status (e.g. CONFIGURATION_ERROR for an unknown item)."""
        return first_error(self.statuses)


@dataclass(frozen=True)
class WriteComplete(_EventBase):
    """OnWriteComplete: the outcome of an earlier write."""

    server_handle: int
    item_handle: int
    statuses: tuple[MxStatus, ...]

    @property
    def succeeded(self) -> bool:
        return first_error(self.statuses) is None


@dataclass(frozen=True)
class OperationComplete(_EventBase):
    server_handle: int
    item_handle: int
    statuses: tuple[MxStatus, ...]

    @property
    def succeeded(self) -> bool:
        return first_error(self.statuses) is None


@dataclass(frozen=True)
class BufferedDataChange(_EventBase):
    server_handle: int
    item_handle: int
    data_type: str
    values: tuple[Value, ...]
    qualities: tuple[Quality, ...]
    timestamps: tuple[datetime, ...]
    statuses: tuple[MxStatus, ...]


@dataclass(frozen=True)
class AlarmTransition(_EventBase):
    alarm_full_reference: str
    source_object_reference: str
    alarm_type: str
    transition_kind: str
    severity: int
    raised_time: datetime | None
    transition_time: datetime | None
    operator_user: str
    operator_comment: str
    category: str
    description: str
    current_value: Value | None
    limit_value: Value | None
    degraded: bool


@dataclass(frozen=True)
class ReplayGap(_EventBase):
    """The gateway no longer has the events asked for: drop local state and re-read.

    Resuming after ``resume_after`` (``oldest_available_sequence - 1``) is gap-free.
    """

    requested_after_sequence: int
    oldest_available_sequence: int

    @property
    def resume_after(self) -> int:
        return max(self.oldest_available_sequence - 1, 0)


@dataclass(frozen=True)
class UnknownEvent(_EventBase):
    """A family or body this client does not know; see ``raw``."""

    family: int


Event = (
    DataChange
    | WriteComplete
    | OperationComplete
    | BufferedDataChange
    | AlarmTransition
    | ReplayGap
    | UnknownEvent
)


def _data_change(message: pb.MxEvent) -> DataChange:
    if message.HasField("on_data_change"):
        body = message.on_data_change
        value, quality, statuses = body.value, body.quality, body.statuses
        timestamp = _time(body, "timestamp")
    else:  # older gateways: the flat fields of MxEvent
        value, quality, statuses = message.value, message.quality, message.statuses
        timestamp = _time(message, "source_timestamp")
    mx_value = Value.from_proto(value)
    return DataChange(
        **_base(message),  # type: ignore[arg-type]
        server_handle=message.server_handle,
        item_handle=message.item_handle,
        value=mx_value.value,
        mx_value=mx_value,
        quality=Quality(quality),
        timestamp=timestamp,
        statuses=_statuses(statuses),
    )


def _completion(
    message: pb.MxEvent, cls: type[WriteComplete] | type[OperationComplete], body_name: str
) -> Event:
    statuses = getattr(message, body_name).statuses if message.HasField(body_name) else message.statuses
    return cls(
        **_base(message),  # type: ignore[arg-type]
        server_handle=message.server_handle,
        item_handle=message.item_handle,
        statuses=_statuses(statuses),
    )


def _buffered(message: pb.MxEvent) -> BufferedDataChange:
    body = message.on_buffered_data_change
    return BufferedDataChange(
        **_base(message),  # type: ignore[arg-type]
        server_handle=message.server_handle,
        item_handle=message.item_handle,
        data_type=pb.MxDataType.Name(body.data_type).removeprefix("MX_DATA_TYPE_"),
        values=tuple(Value.from_proto(v) for v in body.values),
        qualities=tuple(Quality(q) for q in body.qualities),
        timestamps=tuple(t.ToDatetime(tzinfo=UTC) for t in body.timestamps),
        statuses=_statuses(body.statuses),
    )


def _alarm(message: pb.MxEvent) -> AlarmTransition:
    body = message.on_alarm_transition
    return AlarmTransition(
        **_base(message),  # type: ignore[arg-type]
        alarm_full_reference=body.alarm_full_reference,
        source_object_reference=body.source_object_reference,
        alarm_type=body.alarm_type,
        transition_kind=pb.AlarmTransitionKind.Name(body.transition_kind).removeprefix(
            "ALARM_TRANSITION_KIND_"
        ),
        severity=body.severity,
        raised_time=_time(body, "raised_time"),
        transition_time=_time(body, "transition_time"),
        operator_user=body.operator_user,
        operator_comment=body.operator_comment,
        category=body.category,
        description=body.description,
        current_value=Value.from_proto(body.current_value) if body.HasField("current_value") else None,
        limit_value=Value.from_proto(body.limit_value) if body.HasField("limit_value") else None,
        degraded=body.degraded,
    )


def decode_event(message: pb.MxEvent) -> Event:
    """The typed event for one MxEvent; never drops one."""
    if message.HasField("replay_gap"):
        return ReplayGap(
            **_base(message),  # type: ignore[arg-type]
            requested_after_sequence=message.replay_gap.requested_after_sequence,
            oldest_available_sequence=message.replay_gap.oldest_available_sequence,
        )
    body = message.WhichOneof("body")
    family = message.family
    if body == "on_data_change" or (body is None and family == pb.MX_EVENT_FAMILY_ON_DATA_CHANGE):
        return _data_change(message)
    if body == "on_write_complete" or (body is None and family == pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE):
        return _completion(message, WriteComplete, "on_write_complete")
    if body == "operation_complete" or (body is None and family == pb.MX_EVENT_FAMILY_OPERATION_COMPLETE):
        return _completion(message, OperationComplete, "operation_complete")
    if body == "on_buffered_data_change":
        return _buffered(message)
    if body == "on_alarm_transition":
        return _alarm(message)
    return UnknownEvent(**_base(message), family=family)  # type: ignore[arg-type]
