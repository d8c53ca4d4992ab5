"""Load every shared behaviour fixture and check conversions both ways."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.protobuf import json_format

import mxgateway
from mxgateway import (
    DataChange,
    MxAccessError,
    MxStatus,
    Value,
    decode_event,
    decode_value,
    encode_value,
)
from mxgateway._core import replies
from mxgateway._core.event_cursor import EventCursor
from mxgateway.generated import mxaccess_gateway_pb2 as pb

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "behavior"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text("utf-8"))


def load(path: str) -> Any:
    return json.loads((FIXTURES / path).read_text("utf-8"))


def parse(document: Any, message_type: type[Any]) -> Any:
    return json_format.ParseDict(document, message_type())


def test_manifest_lists_every_fixture_and_each_parses_as_its_type() -> None:
    assert MANIFEST["schemaVersion"] == 1
    assert MANIFEST["fixtureSet"] == "mxaccess-gateway-client-behavior"
    assert MANIFEST["contractName"] == "mxaccess-gateway"
    assert MANIFEST["gatewayProtocolVersion"] == mxgateway.GATEWAY_PROTOCOL_VERSION
    ids = {f["id"] for f in MANIFEST["fixtures"]}
    assert ids == {
        "command-reply.register.ok",
        "command-reply.write.mxaccess-failure",
        "event-stream.session-ordered",
        "values.conversion-cases",
        "statuses.conversion-cases",
        "auth.error-cases",
        "timeout-cancel.expected-behavior",
    }
    listed = {f["path"] for f in MANIFEST["fixtures"]}
    on_disk = {str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.json") if p.name != "manifest.json"}
    assert listed == on_disk
    for fixture in MANIFEST["fixtures"]:
        document = load(fixture["path"])
        type_name = fixture["messageType"]
        if type_name == "plain JSON":
            assert document["cases"]
            continue
        message_type = getattr(pb, type_name.rsplit(".", 1)[1])
        if fixture["category"] == "command_replies":
            parse(document, message_type)
        elif fixture["category"] == "event_streams":
            assert [parse(e, message_type).worker_sequence for e in document["events"]]
        else:
            key = "value" if fixture["category"] == "value_conversion" else "status"
            for case in document["cases"]:
                parse(case[key], message_type)


def test_register_ok_reply() -> None:
    reply = parse(load("command-replies/register.ok.reply.json"), pb.MxCommandReply)
    assert (reply.kind, reply.protocol_status.code, reply.hresult) == (
        pb.MX_COMMAND_KIND_REGISTER,
        pb.PROTOCOL_STATUS_CODE_OK,
        0,
    )
    returned = Value.from_proto(reply.return_value)
    assert (returned.value, returned.data_type, returned.variant_type) == (12, "INTEGER", "VT_I4")
    assert len(reply.statuses) == 1 and not MxStatus.from_proto(reply.statuses[0]).is_error
    assert replies.check_reply(reply) is reply
    assert replies.server_handle(reply) == 12
    assert decode_value(reply.return_value) == 12
    status = MxStatus.from_proto(reply.statuses[0])
    assert (status.success, status.category_name, status.detected_by_name, status.detail) == (
        1,
        "OK",
        "RESPONDING_LMX",
        0,
    )


def test_write_mxaccess_failure_reply_raises_and_keeps_everything() -> None:
    reply = parse(load("command-replies/write.mxaccess-failure.reply.json"), pb.MxCommandReply)
    with pytest.raises(MxAccessError) as caught:
        replies.check_reply(reply)
    error = caught.value
    assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
    assert error.hresult == -2147220992 and error.code == "MXACCESS_FAILURE"
    assert error.reply is reply
    assert [(s.category_name, s.detail, s.raw_category, s.raw_detected_by) for s in error.statuses] == [
        ("SECURITY_ERROR", 321, 8, 3),
        ("OPERATIONAL_ERROR", 902, 7, 5),
    ]
    assert error.statuses[1].detected_by_name == "RESPONDING_NMX"
    value = Value.from_proto(reply.return_value)
    assert (value.value, value.data_type, value.variant_type, value.is_null, value.raw_data_type) == (
        None,
        "NO_DATA",
        "VT_EMPTY",
        True,
        2,
    )
    assert value.to_proto() == reply.return_value


def test_ordered_event_stream_decodes_every_family() -> None:
    document = load("event-streams/session-event-stream.json")
    messages = [parse(e, pb.MxEvent) for e in document["events"]]
    sequences = [m.worker_sequence for m in messages]
    assert sequences == sorted(sequences) == list(range(1, len(messages) + 1))
    families = {m.family for m in messages}
    assert families >= {
        pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
        pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE,
        pb.MX_EVENT_FAMILY_OPERATION_COMPLETE,
        pb.MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE,
        pb.MX_EVENT_FAMILY_ON_ALARM_TRANSITION,
    }
    cursor = EventCursor()
    events = []
    for message in messages:
        cursor.observe(message)
        events.append(decode_event(message))
    assert cursor.last_worker_sequence == 6
    names = [type(e).__name__ for e in events]
    assert names == [
        "DataChange",
        "WriteComplete",
        "OperationComplete",
        "BufferedDataChange",
        "AlarmTransition",
        "DataChange",
    ]
    first = events[0]
    assert isinstance(first, DataChange)
    assert (first.value, first.quality.raw, first.server_handle, first.item_handle) == (42.5, 192, 12, 3)
    assert first.timestamp == datetime(2026, 3, 1, 10, 0, 0, 100000, tzinfo=UTC)
    assert first.gateway_receive_timestamp == datetime(2026, 3, 1, 10, 0, 0, 120000, tzinfo=UTC)
    assert events[1].succeeded and events[2].hresult == 0  # type: ignore[union-attr]
    buffered = events[3]
    assert [v.value for v in buffered.values] == [1, 2]  # type: ignore[union-attr]
    assert [q.status for q in buffered.qualities] == ["good", "uncertain"]  # type: ignore[union-attr]
    alarm = events[4]
    assert (alarm.transition_kind, alarm.severity, alarm.current_value.value) == ("RAISE", 500, 96.0)  # type: ignore[union-attr]
    bad = events[5]
    assert isinstance(bad, DataChange) and bad.value is None and bad.quality.is_bad
    assert bad.error is not None and bad.error.detail == 1003
    for event, message in zip(events, messages, strict=True):
        assert event.raw is message and event.worker_sequence == message.worker_sequence


def _expected_python(projection: dict[str, Any]) -> object:
    kind = projection["type"]
    if kind == "none":
        return None
    if kind == "datetime":
        return datetime.fromisoformat(projection["iso"])
    if kind == "timedelta":
        return timedelta(seconds=projection["seconds"])
    if kind == "list" and "items" in projection:
        return [_expected_python(item) for item in projection["items"]]
    return projection["value"]


def _same_python(actual: object, expected: object) -> bool:
    """Equal and of the same type, element by element (True == 1 would hide a wrong type)."""
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_same_python(a, e) for a, e in zip(actual, expected, strict=True))
        )
    return actual == expected and type(actual) is type(expected)


VALUE_CASES = load("values/value-conversion-cases.json")["cases"]


@pytest.mark.parametrize("case", VALUE_CASES, ids=[c["name"] for c in VALUE_CASES])
def test_value_conversion_cases_both_ways(case: dict[str, Any]) -> None:
    message = parse(case["value"], pb.MxValue)
    expected = _expected_python(case["python"])
    assert _same_python(decode_value(message), expected)
    typed = Value.from_proto(message)
    assert _same_python(typed.value, expected)
    assert typed.is_null == message.is_null
    assert (typed.raw_data_type, typed.raw_diagnostic) == (message.raw_data_type, message.raw_diagnostic)
    assert typed.to_proto() == message  # proto -> typed -> proto keeps every field
    if case.get("rawOnly"):
        return
    # Python -> proto gives the same message. A null carries no type, so the
    # raw data type the gateway reported for it cannot be reproduced.
    encoded = encode_value(expected, case.get("writeType"))
    if expected is None:
        encoded.raw_data_type = message.raw_data_type
    assert encoded == message


def test_value_cases_cover_every_scalar_type_and_an_array_of_each_shape() -> None:
    typed = [parse(c["value"], pb.MxValue) for c in VALUE_CASES if not c.get("rawOnly")]
    members = {m.WhichOneof("value") for m in typed}
    assert members >= {
        "bool_value",
        "int32_value",
        "int64_value",
        "float_value",
        "double_value",
        "string_value",
        "timestamp_value",
        "duration_value",
        "array_value",
        None,
    }
    raw_only = [parse(c["value"], pb.MxValue) for c in VALUE_CASES if c.get("rawOnly")]
    assert raw_only and all(m.raw_diagnostic for m in raw_only)


STATUS_CASES = load("statuses/status-conversion-cases.json")["cases"]


@pytest.mark.parametrize("case", STATUS_CASES, ids=[c["name"] for c in STATUS_CASES])
def test_status_conversion_cases_both_ways(case: dict[str, Any]) -> None:
    message = parse(case["status"], pb.MxStatusProxy)
    status = MxStatus.from_proto(message)
    assert status.to_proto() == message
    assert status.is_error is case["isError"]
    assert (
        status.success,
        status.detail,
        status.raw_category,
        status.raw_detected_by,
        status.diagnostic_text,
    ) == (
        message.success,
        message.detail,
        message.raw_category,
        message.raw_detected_by,
        message.diagnostic_text,
    )
