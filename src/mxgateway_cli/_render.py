"""Deterministic JSON for contract data, with one rule for numbers and one for times.

Contract messages are printed as protobuf JSON (camelCase names, enum value
names) with two changes, so that every command prints the same kinds of
values the same way:

- 64-bit integers (``workerSequence``, ``int64Value``, ...) are JSON
  numbers, like every other integer the CLI prints, not the strings of
  protobuf's JSON mapping. Python and jq read them exactly; JavaScript's
  ``JSON.parse`` rounds integers above 2^53.
- Timestamps are RFC 3339 in UTC with exactly nine fractional digits and
  ``Z`` (``2026-01-02T03:04:05.120000000Z``): lossless for the gateway's
  nanosecond timestamps and for the library's microsecond datetimes, the
  same width everywhere, so they also sort as text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from google.protobuf.message import Message

    from mxgateway import Event, MxStatus, ReadResult, SubscribeResult, WriteResult

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def format_time(moment: datetime, extra_nanoseconds: int = 0) -> str:
    """``moment`` (aware) in the CLI's one timestamp format."""
    utc = moment.astimezone(UTC)
    nanoseconds = utc.microsecond * 1000 + extra_nanoseconds
    return f"{utc.replace(microsecond=0).isoformat().removesuffix('+00:00')}.{nanoseconds:09d}Z"


def _timestamp_text(seconds: int, nanos: int) -> str:
    moment = _EPOCH + timedelta(seconds=seconds, microseconds=nanos // 1000)
    return format_time(moment, nanos % 1000)


def message_json(message: Message) -> dict[str, Any]:
    """One contract message as JSON (see the module docstring for the rules)."""
    from google.protobuf import json_format

    document: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=False)
    _apply_rules(message, message.DESCRIPTOR, document)
    return document


def _apply_rules(message: Any, descriptor: Any, document: dict[str, Any]) -> None:
    """Rewrite ``document`` (MessageToDict of ``message``) in place: 64-bit numbers, timestamps."""
    from google.protobuf.descriptor import FieldDescriptor

    wide = (
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
    )
    for field in descriptor.fields:
        key = field.json_name
        if key not in document:
            continue
        repeated = field.is_repeated
        if field.type in wide:
            document[key] = [int(v) for v in document[key]] if repeated else int(document[key])
        elif field.message_type is not None and not field.message_type.GetOptions().map_entry:
            values = list(getattr(message, field.name)) if repeated else [getattr(message, field.name)]
            rendered = document[key] if repeated else [document[key]]
            if field.message_type.full_name == "google.protobuf.Timestamp":
                rendered = [_timestamp_text(v.seconds, v.nanos) for v in values]
            else:
                for value, part in zip(values, rendered, strict=True):
                    _apply_rules(value, field.message_type, part)
            document[key] = rendered if repeated else rendered[0]


def status_json(status: MxStatus) -> dict[str, Any]:
    return message_json(status.to_proto())


def event_json(event: Event) -> dict[str, Any]:
    if event.raw is None:  # SessionRecovered: made by the client, not a gateway message
        ids = {"oldSessionId": event.old_session_id, "newSessionId": event.new_session_id}
        return {"sessionRecovered": ids}
    return message_json(event.raw)


def subscribe_json(result: SubscribeResult) -> dict[str, Any]:
    return {
        "serverHandle": result.server_handle,
        "tagAddress": result.tag_address,
        "itemHandle": result.item_handle,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
    }


def write_json(result: WriteResult) -> dict[str, Any]:
    return {
        "itemHandle": result.item_handle,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
    }


def read_json(result: ReadResult) -> dict[str, Any]:
    return {
        "tagAddress": result.tag_address,
        "wasSuccessful": result.was_successful,
        "errorMessage": result.error_message,
        "wasCached": result.was_cached,
        "value": None if result.mx_value is None else message_json(result.mx_value.to_proto()),
        "quality": result.quality.raw,
        "qualityStatus": result.quality.status,
        "timestamp": None if result.timestamp is None else format_time(result.timestamp),
        "statuses": [status_json(s) for s in result.statuses],
    }
