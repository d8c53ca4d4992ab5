"""Typed, frozen event objects for every MxEvent family (no I/O).

Every event keeps its ``worker_sequence`` (the resume point) and the raw
protobuf message in ``raw``. Nothing is dropped: a family this client does
not know becomes ``UnknownEvent``, and the replay-gap marker becomes
``ReplayGap``.

The identifying fields are set when the event is made; the decoded
payload (values, quality, timestamps, statuses) is computed on first access
and then cached, so a consumer that only looks at some events, or at some
fields, does not pay for decoding the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Self

from mxgateway._core.quality import Quality
from mxgateway._core.statuses import MxStatus, first_error
from mxgateway._core.values import Value
from mxgateway._core.values import _enum_name as _enum_name
from mxgateway._errors import MxAccessError
from mxgateway.generated import mxaccess_gateway_pb2 as pb


def _time(message: Any, name: str) -> datetime | None:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    result: datetime = stamp.ToDatetime(tzinfo=UTC)
    return result


def _statuses(messages: Any) -> tuple[MxStatus, ...]:
    return tuple(MxStatus.from_proto(m) for m in messages)


class _EventBase:
    """What every typed event has: the raw message and the fields that identify it.

    Frozen: nothing can be set after it is made. Made once per message on the
    hot path, it stores only the message; the identifying fields read from it
    (copying five fields into each event cost more than reading them when used).
    Two events are equal when their messages are.
    """

    __slots__ = ("__dict__", "raw")  # __dict__ for the cached payload properties
    raw: pb.MxEvent

    def __init__(self, raw: pb.MxEvent) -> None:
        object.__setattr__(self, "raw", raw)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return bool(self.raw == other.raw)

    __hash__ = None  # type: ignore[assignment]  # the message is mutable protobuf, not hashable

    @classmethod
    def from_proto(cls, message: pb.MxEvent) -> Self:
        return cls(message)

    @property
    def worker_sequence(self) -> int:
        return self.raw.worker_sequence

    @property
    def session_id(self) -> str:
        return self.raw.session_id

    @property
    def server_handle(self) -> int:
        return self.raw.server_handle

    @property
    def item_handle(self) -> int:
        return self.raw.item_handle

    @cached_property
    def gateway_receive_timestamp(self) -> datetime | None:
        return _time(self.raw, "gateway_receive_timestamp")

    @property
    def hresult(self) -> int | None:
        return self.raw.hresult if self.raw.HasField("hresult") else None

    def _repr_fields(self) -> str:
        return (
            f"worker_sequence={self.worker_sequence}, "
            f"server_handle={self.server_handle}, item_handle={self.item_handle}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_fields()})"


class DataChange(_EventBase):
    """OnDataChange: a new value, quality and timestamp for an advised item."""

    @cached_property
    def _body(self) -> Any:
        # The body is preferred; older gateways used the flat MxEvent fields.
        return self.raw.on_data_change if self.raw.HasField("on_data_change") else None

    @cached_property
    def mx_value(self) -> Value:
        body = self._body
        return Value.from_proto(body.value if body is not None else self.raw.value)

    @property
    def value(self) -> object:
        return self.mx_value.value

    @cached_property
    def quality(self) -> Quality:
        body = self._body
        return Quality(body.quality if body is not None else self.raw.quality)

    @cached_property
    def timestamp(self) -> datetime | None:
        body = self._body
        return _time(body, "timestamp") if body is not None else _time(self.raw, "source_timestamp")

    @cached_property
    def statuses(self) -> tuple[MxStatus, ...]:
        body = self._body
        return _statuses(body.statuses if body is not None else self.raw.statuses)

    @property
    def error(self) -> MxStatus | None:
        """The first error status (e.g. CONFIGURATION_ERROR for an unknown item)."""
        return first_error(self.statuses)

    def _repr_fields(self) -> str:
        return f"{super()._repr_fields()}, value={self.value!r}, quality={self.quality.raw}"


class _Completion(_EventBase):
    _body_name = ""

    @cached_property
    def statuses(self) -> tuple[MxStatus, ...]:
        if self.raw.HasField(self._body_name):
            return _statuses(getattr(self.raw, self._body_name).statuses)
        return _statuses(self.raw.statuses)

    @property
    def succeeded(self) -> bool:
        return first_error(self.statuses) is None

    def raise_for_failure(self) -> None:
        """Raise ``MxAccessError`` (this event as ``reply``) when the operation failed."""
        error = first_error(self.statuses)
        if error is None:
            return
        hresult = self.hresult if self.hresult is not None else 0
        raise MxAccessError(
            hresult=hresult,
            statuses=self.statuses,
            message=f"{type(self).__name__} of item {self.item_handle} reports failure "
            f"(HRESULT 0x{hresult & 0xFFFFFFFF:08X}; {error.describe()})",
            reply=self.raw,
        )

    def _repr_fields(self) -> str:
        return f"{super()._repr_fields()}, succeeded={self.succeeded}"


class WriteComplete(_Completion):
    """OnWriteComplete: the outcome of an earlier write."""

    _body_name = "on_write_complete"


class OperationComplete(_Completion):
    _body_name = "operation_complete"


class BufferedDataChange(_EventBase):
    @property
    def data_type(self) -> str:
        return _enum_name(pb.MxDataType, self.raw.on_buffered_data_change.data_type, "MX_DATA_TYPE_")

    @cached_property
    def values(self) -> tuple[Value, ...]:
        return tuple(Value.from_proto(v) for v in self.raw.on_buffered_data_change.values)

    @cached_property
    def qualities(self) -> tuple[Quality, ...]:
        return tuple(Quality(q) for q in self.raw.on_buffered_data_change.qualities)

    @cached_property
    def timestamps(self) -> tuple[datetime, ...]:
        return tuple(t.ToDatetime(tzinfo=UTC) for t in self.raw.on_buffered_data_change.timestamps)

    @cached_property
    def statuses(self) -> tuple[MxStatus, ...]:
        return _statuses(self.raw.on_buffered_data_change.statuses)


class AlarmTransition(_EventBase):
    """An alarm raised, acknowledged, cleared or retriggered."""

    @property
    def _alarm(self) -> pb.OnAlarmTransitionEvent:
        return self.raw.on_alarm_transition

    @property
    def alarm_full_reference(self) -> str:
        return self._alarm.alarm_full_reference

    @property
    def source_object_reference(self) -> str:
        return self._alarm.source_object_reference

    @property
    def alarm_type(self) -> str:
        return self._alarm.alarm_type

    @property
    def transition_kind(self) -> str:
        return _enum_name(pb.AlarmTransitionKind, self._alarm.transition_kind, "ALARM_TRANSITION_KIND_")

    @property
    def severity(self) -> int:
        return self._alarm.severity

    @cached_property
    def raised_time(self) -> datetime | None:
        return _time(self._alarm, "raised_time")

    @cached_property
    def transition_time(self) -> datetime | None:
        return _time(self._alarm, "transition_time")

    @property
    def operator_user(self) -> str:
        return self._alarm.operator_user

    @property
    def operator_comment(self) -> str:
        return self._alarm.operator_comment

    @property
    def category(self) -> str:
        return self._alarm.category

    @property
    def description(self) -> str:
        return self._alarm.description

    @cached_property
    def current_value(self) -> Value | None:
        return Value.from_proto(self._alarm.current_value) if self._alarm.HasField("current_value") else None

    @cached_property
    def limit_value(self) -> Value | None:
        return Value.from_proto(self._alarm.limit_value) if self._alarm.HasField("limit_value") else None

    @property
    def degraded(self) -> bool:
        return self._alarm.degraded

    def _repr_fields(self) -> str:
        return (
            f"worker_sequence={self.worker_sequence}, "
            f"alarm={self.alarm_full_reference!r}, kind={self.transition_kind}"
        )


class ReplayGap(_EventBase):
    """The gateway no longer has the events asked for: drop local state and re-read.

    Resuming after ``resume_after`` (``oldest_available_sequence - 1``) is gap-free.
    """

    @property
    def requested_after_sequence(self) -> int:
        return self.raw.replay_gap.requested_after_sequence

    @property
    def oldest_available_sequence(self) -> int:
        return self.raw.replay_gap.oldest_available_sequence

    @property
    def resume_after(self) -> int:
        return max(self.oldest_available_sequence - 1, 0)

    @property
    def missing(self) -> range:
        """The worker sequences that are gone (the gateway no longer had them)."""
        return range(self.requested_after_sequence + 1, self.oldest_available_sequence)

    def _repr_fields(self) -> str:
        return (
            f"requested_after_sequence={self.requested_after_sequence}, "
            f"oldest_available_sequence={self.oldest_available_sequence}"
        )


class UnknownEvent(_EventBase):
    """A family or body this client does not know; see ``raw``."""

    @property
    def family(self) -> int:
        return self.raw.family


@dataclass(frozen=True)
class SessionRecovered:
    """Made by the client, not the gateway: the session was lost and replaced by a new one.

    Delivered on a session opened with ``recover=True``, between the last
    event of ``old_session_id`` and the first of ``new_session_id``. Events
    in between are gone (the old session's after ``lost_after_sequence``,
    whatever happened before the new one was set up): re-read what you
    need. Worker sequences start again with the new session. ``failed``
    lists the items that could not be set up again, as (item, reason).
    """

    old_session_id: str
    new_session_id: str
    lost_after_sequence: int
    failed: tuple[tuple[str, str], ...] = ()
    worker_sequence: int = 0
    raw: None = None


Event = (
    DataChange
    | WriteComplete
    | OperationComplete
    | BufferedDataChange
    | AlarmTransition
    | ReplayGap
    | UnknownEvent
    | SessionRecovered
)

_BY_BODY: dict[str | None, type[_EventBase]] = {
    "on_data_change": DataChange,
    "on_write_complete": WriteComplete,
    "operation_complete": OperationComplete,
    "on_buffered_data_change": BufferedDataChange,
    "on_alarm_transition": AlarmTransition,
}
# Events without a body (older gateways) are typed by their family.
_BY_FAMILY: dict[int, type[_EventBase]] = {
    pb.MX_EVENT_FAMILY_ON_DATA_CHANGE: DataChange,
    pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE: WriteComplete,
    pb.MX_EVENT_FAMILY_OPERATION_COMPLETE: OperationComplete,
}


def decode_event(message: pb.MxEvent) -> Event:
    """The typed event for one MxEvent; never drops one."""
    body = message.WhichOneof("body")
    cls: type[_EventBase]
    if body is not None:
        cls = _BY_BODY.get(body, UnknownEvent)
    elif message.HasField("replay_gap"):
        cls = ReplayGap
    else:
        cls = _BY_FAMILY.get(message.family, UnknownEvent)
    event: Event = cls(message)  # type: ignore[assignment]
    return event
