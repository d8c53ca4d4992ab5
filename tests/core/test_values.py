"""Python <-> MxValue conversion edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mxgateway import MxType, ValueConversionError, decode_value, encode_value, parse_text_value
from mxgateway.generated import mxaccess_gateway_pb2 as pb


@pytest.mark.parametrize(
    ("value", "mx_type", "data_type", "variant", "field"),
    [
        (True, None, pb.MX_DATA_TYPE_BOOLEAN, pb.VT_BOOL, "bool_value"),
        (7, None, pb.MX_DATA_TYPE_INTEGER, pb.VT_I4, "int32_value"),
        (7, "int64", pb.MX_DATA_TYPE_INTEGER, pb.VT_I8, "int64_value"),
        (7, "float", pb.MX_DATA_TYPE_FLOAT, pb.VT_R4, "float_value"),
        (7, "double", pb.MX_DATA_TYPE_DOUBLE, pb.VT_R8, "double_value"),
        (2.5, None, pb.MX_DATA_TYPE_DOUBLE, pb.VT_R8, "double_value"),
        ("x", None, pb.MX_DATA_TYPE_STRING, pb.VT_BSTR, "string_value"),
        (datetime(2026, 1, 1, tzinfo=UTC), None, pb.MX_DATA_TYPE_TIME, pb.VT_DATE, "timestamp_value"),
        (timedelta(seconds=3), None, pb.MX_DATA_TYPE_ELAPSED_TIME, pb.VT_I8, "duration_value"),
    ],
)
def test_encode_picks_type_variant_and_member(
    value: object, mx_type: str | None, data_type: int, variant: int, field: str
) -> None:
    message = encode_value(value, mx_type)
    assert (message.data_type, message.variant_type, message.WhichOneof("value")) == (
        data_type,
        variant,
        field,
    )
    assert message.raw_data_type == data_type - 1
    decoded = decode_value(message)
    assert decoded == value


def test_none_is_null_no_data() -> None:
    message = encode_value(None)
    assert (
        message.is_null
        and message.data_type == pb.MX_DATA_TYPE_NO_DATA
        and message.variant_type == pb.VT_EMPTY
    )
    assert decode_value(message) is None


@pytest.mark.parametrize(
    ("value", "mx_type", "message"),
    [
        (float("nan"), None, "finite"),
        (float("inf"), "float", "finite"),
        (-float("inf"), "double", "finite"),
        (2**31, None, "int64"),
        (2**31, "int32", "out of range"),
        (-(2**31) - 1, "int32", "out of range"),
        (2**63, "int64", "out of range"),
        (1e39, "float", "out of range"),
        (True, "int32", "not an integer"),
        (1.5, "int32", "not an integer"),
        ("1", "int32", "not an integer"),
        (1, "bool", "not a bool"),
        (datetime(2026, 1, 1), None, "naive"),
        (object(), None, "cannot send"),
        ([], None, "empty array"),
        ([1, "a"], None, "mixed"),
        ([[1], [2]], None, "scalar"),
        ([1, None], None, "scalar"),
        ("x", "complex", "unknown value type"),
    ],
)
def test_encode_rejects_with_clear_errors(value: object, mx_type: str | None, message: str) -> None:
    with pytest.raises(ValueConversionError, match=message):
        encode_value(value, mx_type)


def test_int32_bounds_are_inclusive() -> None:
    assert decode_value(encode_value(2**31 - 1)) == 2**31 - 1
    assert decode_value(encode_value(-(2**31))) == -(2**31)


def test_arrays_round_trip_with_element_types() -> None:
    message = encode_value([1.0, 2.5], "double")
    assert message.variant_type == pb.VT_ARRAY
    assert message.array_value.element_data_type == pb.MX_DATA_TYPE_DOUBLE
    assert list(message.array_value.doubles) == [1.0, 2.5]
    assert decode_value(message) == [1.0, 2.5]
    assert decode_value(encode_value([1, 2], "int32")) == [1, 2]
    assert decode_value(encode_value([], "string")) == []


def test_aware_datetimes_come_back_in_utc() -> None:
    local = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    decoded = decode_value(encode_value(local))
    assert decoded == local and decoded.tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "mx_type", "expected"),
    [
        ("true", "bool", True),
        ("NO", "boolean", False),
        ("123", "int32", 123),
        ("-5", "int", -5),
        ("5000000000", "int64", 5000000000),
        ("1.25", "double", 1.25),
        ("3", "float", 3.0),
        (" padded ", "string", " padded "),
        ("2026-01-02T03:04:05Z", "time", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("90.5", "elapsed_time", timedelta(seconds=90.5)),
        ("01:02:03.5", "duration", timedelta(hours=1, minutes=2, seconds=3.5)),
    ],
)
def test_parse_text_value(text: str, mx_type: str, expected: object) -> None:
    assert parse_text_value(text, mx_type) == expected


@pytest.mark.parametrize(
    ("text", "mx_type"),
    [
        ("maybe", "bool"),
        ("1.5", "int32"),
        ("nan", "double"),
        ("inf", "float"),
        ("2026-01-02T03:04:05", "time"),
        ("abc", "elapsed_time"),
        ("99999999999", "int32"),
    ],
)
def test_parse_text_value_rejects(text: str, mx_type: str) -> None:
    with pytest.raises(ValueConversionError):
        parse_text_value(text, mx_type)


def test_mx_type_parse_lists_choices() -> None:
    assert MxType.parse("INT32") is MxType.INT32
    with pytest.raises(ValueConversionError, match="bool, int32, int64"):
        MxType.parse("decimal")
