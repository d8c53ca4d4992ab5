"""Typed events: one class per family, body preferred over the flat fields, nothing dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mxgateway import (
    AlarmTransition,
    BufferedDataChange,
    DataChange,
    OperationComplete,
    Quality,
    ReplayGap,
    StatusCategory,
    UnknownEvent,
    WriteComplete,
    decode_event,
    encode_value,
)
from mxgateway._core.event_cursor import EventCursor
from mxgateway.generated import mxaccess_gateway_pb2 as pb

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def _status(category: int, detail: int = 0) -> pb.MxStatusProxy:
    return pb.MxStatusProxy(category=category, detail=detail)  # type: ignore[arg-type]


def _event(**fields: object) -> pb.MxEvent:
    message = pb.MxEvent(worker_sequence=7, session_id="s-1", server_handle=12, item_handle=3, **fields)  # type: ignore[arg-type]
    message.gateway_receive_timestamp.FromDatetime(T0 + timedelta(milliseconds=20))
    return message


def test_data_change_reads_the_body() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    body = message.on_data_change
    body.value.CopyFrom(encode_value(42.5))
    body.quality = 192
    body.timestamp.FromDatetime(T0)
    body.statuses.append(_status(pb.MX_STATUS_CATEGORY_OK))
    # Stale flat fields must lose to the body.
    message.value.CopyFrom(encode_value(1))
    message.quality = 0
    event = decode_event(message)
    assert isinstance(event, DataChange)
    assert (event.worker_sequence, event.session_id, event.server_handle, event.item_handle) == (
        7,
        "s-1",
        12,
        3,
    )
    assert (event.value, event.mx_value.data_type, event.mx_value.variant_type) == (42.5, "DOUBLE", "VT_R8")
    assert event.quality == Quality(192)
    assert event.timestamp == T0
    assert [s.category for s in event.statuses] == [StatusCategory.OK] and event.error is None
    assert event.gateway_receive_timestamp == T0 + timedelta(milliseconds=20)
    assert event.hresult is None
    assert event.raw is message


def test_data_change_of_older_gateways_uses_the_flat_fields() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE, quality=64, hresult=0)
    message.value.CopyFrom(encode_value(5))
    message.source_timestamp.FromDatetime(T0)
    message.statuses.append(_status(pb.MX_STATUS_CATEGORY_WARNING))
    event = decode_event(message)
    assert isinstance(event, DataChange)
    assert (event.value, event.quality.is_uncertain, event.timestamp, event.hresult) == (5, True, T0, 0)
    assert [s.category for s in event.statuses] == [StatusCategory.WARNING]


def test_data_change_without_a_timestamp_has_none() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    message.on_data_change.quality = 8
    event = decode_event(message)
    assert isinstance(event, DataChange)
    assert event.timestamp is None and event.value is None and event.quality.substatus_name == "not_connected"


def test_data_change_error_is_the_first_error_status() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    message.on_data_change.statuses.extend(
        [_status(pb.MX_STATUS_CATEGORY_OK), _status(pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, 1003)]
    )
    event = decode_event(message)
    assert isinstance(event, DataChange) and event.error is not None and event.error.detail == 1003


@pytest.mark.parametrize(
    ("body", "family", "cls"),
    [
        ("on_write_complete", pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE, WriteComplete),
        ("operation_complete", pb.MX_EVENT_FAMILY_OPERATION_COMPLETE, OperationComplete),
    ],
)
def test_completions_succeed_unless_a_status_is_an_error(body: str, family: int, cls: type) -> None:
    ok = _event(family=family)
    getattr(ok, body).statuses.append(_status(pb.MX_STATUS_CATEGORY_OK))
    failed = _event(family=family, hresult=-2147220992)
    getattr(failed, body).statuses.append(_status(pb.MX_STATUS_CATEGORY_SECURITY_ERROR, 321))
    flat = _event(family=family)  # no body: an older gateway's flat statuses
    flat.statuses.append(_status(pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR, 902))
    empty = _event(family=family)
    getattr(empty, body).SetInParent()

    decoded = [decode_event(m) for m in (ok, failed, flat, empty)]
    assert all(type(e) is cls for e in decoded)
    assert [e.succeeded for e in decoded] == [True, False, False, True]  # type: ignore[union-attr]
    assert [s.detail for s in decoded[1].statuses] == [321]  # type: ignore[union-attr]
    assert [s.detail for s in decoded[2].statuses] == [902]  # type: ignore[union-attr]
    assert decoded[1].hresult == -2147220992
    assert (decoded[0].server_handle, decoded[0].item_handle) == (12, 3)


def test_buffered_data_change_keeps_every_sample() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE)
    body = message.on_buffered_data_change
    body.data_type = pb.MX_DATA_TYPE_INTEGER
    body.values.extend([encode_value(1), encode_value(2)])
    body.qualities.extend([192, 24])
    for offset in (0, 1):
        body.timestamps.add().FromDatetime(T0 + timedelta(seconds=offset))
    body.statuses.append(_status(pb.MX_STATUS_CATEGORY_OK))
    event = decode_event(message)
    assert isinstance(event, BufferedDataChange)
    assert event.data_type == "INTEGER"
    assert [v.value for v in event.values] == [1, 2]
    assert [str(q) for q in event.qualities] == ["good (192)", "bad (24) comm_failure"]
    assert event.timestamps == (T0, T0 + timedelta(seconds=1))
    assert [s.category for s in event.statuses] == [StatusCategory.OK]


def test_alarm_transition_fields_are_typed() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_ALARM_TRANSITION)
    alarm = message.on_alarm_transition
    alarm.alarm_full_reference = "Tank1.Level.HiAlarm"
    alarm.source_object_reference = "Tank1"
    alarm.alarm_type = "HiAlarm"
    alarm.transition_kind = pb.ALARM_TRANSITION_KIND_ACKNOWLEDGE
    alarm.severity = 500
    alarm.raised_time.FromDatetime(T0)
    alarm.transition_time.FromDatetime(T0 + timedelta(minutes=1))
    alarm.operator_user = "operator1"
    alarm.operator_comment = "seen"
    alarm.category = "Process"
    alarm.description = "Level high"
    alarm.current_value.CopyFrom(encode_value(96.0))
    alarm.degraded = True
    event = decode_event(message)
    assert isinstance(event, AlarmTransition)
    assert (
        event.alarm_full_reference,
        event.source_object_reference,
        event.alarm_type,
        event.transition_kind,
        event.severity,
        event.raised_time,
        event.transition_time,
        event.operator_user,
        event.operator_comment,
        event.category,
        event.description,
        event.degraded,
    ) == (
        "Tank1.Level.HiAlarm",
        "Tank1",
        "HiAlarm",
        "ACKNOWLEDGE",
        500,
        T0,
        T0 + timedelta(minutes=1),
        "operator1",
        "seen",
        "Process",
        "Level high",
        True,
    )
    assert event.current_value is not None and event.current_value.value == 96.0
    assert event.limit_value is None


def test_alarm_transition_kind_of_a_newer_gateway_is_its_number() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_ALARM_TRANSITION)
    message.on_alarm_transition.transition_kind = 99  # type: ignore[assignment]
    event = decode_event(message)
    assert isinstance(event, AlarmTransition) and event.transition_kind == "99"


def test_replay_gap_gives_the_gap_free_resume_point() -> None:
    marker = pb.MxEvent()
    marker.replay_gap.requested_after_sequence = 10
    marker.replay_gap.oldest_available_sequence = 50
    event = decode_event(marker)
    assert isinstance(event, ReplayGap)
    assert (event.requested_after_sequence, event.oldest_available_sequence, event.resume_after) == (
        10,
        50,
        49,
    )
    cursor = EventCursor(10)
    cursor.observe(marker)
    assert cursor.last_worker_sequence == 49


@pytest.mark.parametrize(
    "message",
    [
        pb.MxEvent(worker_sequence=9, family=7),  # type: ignore[arg-type]
        pb.MxEvent(worker_sequence=9, family=pb.MX_EVENT_FAMILY_UNSPECIFIED),
        # A buffered or alarm family without its body has nothing typed to show.
        pb.MxEvent(worker_sequence=9, family=pb.MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE),
        pb.MxEvent(worker_sequence=9, family=pb.MX_EVENT_FAMILY_ON_ALARM_TRANSITION),
    ],
)
def test_events_of_unknown_shape_are_kept_not_dropped(message: pb.MxEvent) -> None:
    event = decode_event(message)
    assert isinstance(event, UnknownEvent)
    assert (event.family, event.worker_sequence, event.raw) == (message.family, 9, message)


def test_events_are_frozen_and_compare_by_content() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    message.on_data_change.value.CopyFrom(encode_value(1))
    same = pb.MxEvent()
    same.CopyFrom(message)
    other = pb.MxEvent()
    other.CopyFrom(message)
    other.on_data_change.value.CopyFrom(encode_value(2))
    event = decode_event(message)
    assert event == decode_event(same)
    assert event != decode_event(other)
    with pytest.raises(AttributeError):
        event.worker_sequence = 1  # type: ignore[misc]


def test_repr_names_the_event_without_dumping_the_message() -> None:
    message = _event(family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    message.on_data_change.value.CopyFrom(encode_value("abc"))
    message.on_data_change.quality = 192
    text = repr(decode_event(message))
    assert text == "DataChange(worker_sequence=7, server_handle=12, item_handle=3, value='abc', quality=192)"
