"""Python <-> MxValue conversion edge cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mxgateway import MxType, Value, ValueConversionError, decode_value, encode_value, parse_text_value
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


def test_arrays_carry_the_array_flag_with_the_element_variant() -> None:
    message = encode_value([1.0, 2.5], "double")
    assert message.variant_type == pb.VT_ARRAY | pb.VT_R8
    assert message.data_type == pb.MX_DATA_TYPE_DOUBLE and message.raw_data_type == 4
    assert message.array_value.element_data_type == pb.MX_DATA_TYPE_DOUBLE
    assert message.array_value.element_variant_type == pb.VT_R8
    assert list(message.array_value.doubles) == [1.0, 2.5]
    assert decode_value(message) == [1.0, 2.5]


@pytest.mark.parametrize(
    ("values", "mx_type", "member", "variant"),
    [
        ([True, False], None, "bools", pb.VT_BOOL),
        ((1, 2), None, "int32s", pb.VT_I4),
        ([1, 2], "int64", "int64s", pb.VT_I8),
        ([1, 2.5], "float", "floats", pb.VT_R4),
        (["a", ""], None, "strings", pb.VT_BSTR),
        ([datetime(2026, 1, 1, tzinfo=UTC)], None, "timestamps", pb.VT_DATE),
        ([timedelta(seconds=1), timedelta(0)], None, "durations", pb.VT_I8),
    ],
)
def test_array_element_type_is_inferred_or_taken_from_the_type(
    values: list[object] | tuple[object, ...], mx_type: str | None, member: str, variant: int
) -> None:
    message = encode_value(values, mx_type)
    array = message.array_value
    assert message.variant_type == pb.VT_ARRAY | variant and array.element_variant_type == variant
    assert len(getattr(array, member)) == len(values)
    assert decode_value(message) == [float(v) if mx_type == "float" else v for v in values]  # type: ignore[arg-type]


def test_empty_array_needs_an_explicit_type() -> None:
    message = encode_value([], "string")
    assert message.WhichOneof("value") == "array_value"
    assert message.array_value.element_data_type == pb.MX_DATA_TYPE_STRING
    assert decode_value(message) == []
    with pytest.raises(ValueConversionError, match="empty array"):
        encode_value(())


@pytest.mark.parametrize(
    ("values", "mx_type", "message"),
    [
        ([1, 2**31], None, "int64"),
        ([1.0, float("nan")], None, "finite"),
        ([1, 1.5], None, "mixed"),
        ([True, 1], None, "mixed"),
        ([1, True], "int32", "not an integer"),
        (["a", 1], "string", "not a string"),
        ([datetime(2026, 1, 1)], "time", "naive"),
        ([(1, 2)], "int32", "scalar"),
        ([{"a": 1}], None, "scalar"),
    ],
)
def test_array_elements_are_checked_one_by_one(
    values: list[object], mx_type: str | None, message: str
) -> None:
    with pytest.raises(ValueConversionError, match=message):
        encode_value(values, mx_type)


def test_bool_is_never_taken_for_an_integer() -> None:
    assert encode_value(True).WhichOneof("value") == "bool_value"
    for mx_type in ("int32", "int64", "float", "double"):
        with pytest.raises(ValueConversionError, match="bool"):
            encode_value(False, mx_type)


def test_float_range_and_huge_integers() -> None:
    assert decode_value(encode_value(3.0e38, "float")) == pytest.approx(3.0e38, rel=1e-6)
    with pytest.raises(ValueConversionError, match="out of range for float"):
        encode_value(-3.5e38, "float")
    with pytest.raises(ValueConversionError, match="out of range for double"):
        encode_value(10**400, "double")
    assert encode_value(2**53, "double").double_value == 2.0**53


def test_elapsed_time_limits() -> None:
    assert decode_value(encode_value(timedelta(seconds=-1.5))) == timedelta(seconds=-1.5)
    with pytest.raises(ValueConversionError, match="out of range for elapsed_time"):
        encode_value(timedelta(days=4_000_000))


def test_unsupported_python_types_name_the_type_and_the_target() -> None:
    with pytest.raises(ValueConversionError, match=r"b'x' \(bytes\)"):
        encode_value(b"x")
    with pytest.raises(ValueConversionError, match=r"'1' \(str\) is not a number for double"):
        encode_value("1", "double")
    with pytest.raises(ValueConversionError, match=r"1 \(int\) is not a string"):
        encode_value(1, MxType.STRING)
    with pytest.raises(ValueConversionError, match=r"is not a timedelta"):
        encode_value(1.5, "elapsed_time")


def test_value_keeps_type_names_and_rebuilds_the_message() -> None:
    message = encode_value([1, 2], "int32")
    value = Value.from_proto(message)
    assert (value.value, value.data_type, value.variant_type, value.is_null, value.raw_data_type) == (
        [1, 2],
        "INTEGER",
        "VT_ARRAY|VT_I4",
        False,
        2,
    )
    assert (value.element_data_type, value.element_variant_type) == ("INTEGER", "VT_I4")
    assert value.to_proto() == message


def test_value_of_unknown_enum_numbers_keeps_them_as_text() -> None:
    message = pb.MxValue(
        data_type=77,  # type: ignore[arg-type]
        variant_type=pb.VT_ARRAY | 99,  # type: ignore[arg-type]
        raw_data_type=76,
        raw_diagnostic="not converted",
    )
    value = Value.from_proto(message)
    assert (value.value, value.data_type, value.variant_type) == (None, "77", str(pb.VT_ARRAY | 99))
    assert value.to_proto() == message


def test_null_value_decodes_to_none_and_keeps_raw_fields() -> None:
    message = pb.MxValue(
        data_type=pb.MX_DATA_TYPE_NO_DATA, variant_type=pb.VT_EMPTY, is_null=True, raw_data_type=2
    )
    value = Value.from_proto(message)
    assert value.value is None and value.is_null and value.raw_data_type == 2
    assert value.to_proto() == message
    assert decode_value(pb.MxValue()) is None


def test_aware_datetimes_come_back_in_utc() -> None:
    local = datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    decoded = decode_value(encode_value(local))
    assert isinstance(decoded, datetime) and decoded == local and decoded.tzinfo is UTC


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
        ("-00:00:01", "elapsed_time", timedelta(seconds=-1)),
        ("1", "bool", True),
        ("0", "bool", False),
        ("yes", "bool", True),
        ("-2147483648", "int32", -(2**31)),
        ("+7", "int32", 7),
        ("1e3", "double", 1000.0),
        (".5", "double", 0.5),
        ("2026-01-02T05:04:05+02:00", "time", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2026-01-02T03:04:05.250z", "datetime", datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)),
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
        ("2147483648", "int32"),
        ("1_000", "int32"),
        ("1_0.5", "double"),
        ("0x10", "int64"),
        ("", "int32"),
        ("-Infinity", "double"),
        ("1e400", "double"),
        ("1e39", "float"),
        ("2026-01-02", "time"),
        ("nan", "elapsed_time"),
        ("1:99:00", "elapsed_time"),
    ],
)
def test_parse_text_value_rejects(text: str, mx_type: str) -> None:
    with pytest.raises(ValueConversionError):
        parse_text_value(text, mx_type)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INT32", MxType.INT32),
        ("Boolean", MxType.BOOL),
        ("integer", MxType.INT32),
        ("int", MxType.INT32),
        ("str", MxType.STRING),
        ("datetime", MxType.TIME),
        ("duration", MxType.ELAPSED_TIME),
        ("elapsed-time", MxType.ELAPSED_TIME),
        (" double ", MxType.DOUBLE),
    ],
)
def test_mx_type_parse_names_and_aliases(text: str, expected: MxType) -> None:
    assert MxType.parse(text) is expected


def test_mx_type_values_are_the_cli_names_and_errors_list_them() -> None:
    assert [t.value for t in MxType] == [
        "bool",
        "int32",
        "int64",
        "float",
        "double",
        "string",
        "time",
        "elapsed_time",
    ]
    with pytest.raises(
        ValueConversionError, match="bool, int32, int64, float, double, string, time, elapsed_time"
    ):
        MxType.parse("decimal")
