"""MxValue <-> Python conversion (no I/O).

Python -> MXAccess: ``encode_value`` infers the MXAccess type from the
Python type, or takes an explicit ``MxType`` when Python's type is
ambiguous (an int for a FLOAT attribute, a 64-bit integer, ...), and
rejects what MXAccess cannot hold (NaN, infinities, naive datetimes,
out-of-range integers) with a ``ValueConversionError`` that says why.

MXAccess -> Python: ``decode_value`` gives the plain Python value (a
timestamp or duration outside google.protobuf's documented range is a
``ValueConversionError``; sub-microsecond digits are dropped, as Python's
datetime and timedelta cannot hold them); ``Value.from_proto`` also keeps
the type names and the raw fallback fields (``raw_data_type``,
``raw_diagnostic``), and ``Value.to_proto`` gives back the identical message,
so nothing the gateway sent is lost.

Error messages quote the offending input shortened, never in full.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from mxgateway._errors import ValueConversionError
from mxgateway.generated import mxaccess_gateway_pb2 as pb

_INT32 = (-(2**31), 2**31 - 1)
_INT64 = (-(2**63), 2**63 - 1)
_FLOAT32_MAX = 3.4028234663852886e38
# google.protobuf.Duration's documented range (about 10,000 years); other
# runtimes (the .NET gateway's included) reject anything beyond it.
_DURATION_MAX_SECONDS = 315_576_000_000
_DURATION_MAX = timedelta(seconds=_DURATION_MAX_SECONDS)
# google.protobuf.Timestamp's documented range: 0001-01-01 to 9999-12-31 (UTC).
_TIMESTAMP_SECONDS = (-62_135_596_800, 253_402_300_799)
_NANOS_MAX = 999_999_999
_QUOTED_MAX = 60  # characters of an input quoted in an error message


class MxType(enum.Enum):
    """An explicit MXAccess type for a write (the CLI's ``--type``)."""

    BOOL = "bool"
    INT32 = "int32"
    INT64 = "int64"
    FLOAT = "float"
    DOUBLE = "double"
    STRING = "string"
    TIME = "time"
    ELAPSED_TIME = "elapsed_time"

    @classmethod
    def parse(cls, text: str | MxType) -> MxType:
        if isinstance(text, MxType):
            return text
        name = str(text).strip().lower().replace("-", "_")
        found = _ALIASES.get(name)
        if found is None:
            try:
                found = cls(name)
            except ValueError:
                choices = ", ".join(t.value for t in cls)
                raise ValueConversionError(
                    f"unknown value type {short_repr(text)}; choose one of: {choices}"
                ) from None
        return found


_ALIASES = {
    "boolean": MxType.BOOL,
    "integer": MxType.INT32,
    "int": MxType.INT32,
    "str": MxType.STRING,
    "datetime": MxType.TIME,
    "duration": MxType.ELAPSED_TIME,
}


@dataclass(frozen=True)
class _Encoding:
    data_type: int
    variant_type: int
    value_field: str  # scalar oneof member of MxValue
    array_field: str  # repeated member of MxArray
    check: Callable[[object], object]


def short_repr(value: object) -> str:
    """``repr(value)``, shortened: an error never echoes a huge input in full."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 96:
        return f"<an integer of {value.bit_length()} bits>"  # str() of a huge int is slow or refused
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real problem
        text = f"<{type(value).__name__} object>"
    if len(text) > _QUOTED_MAX:
        text = f"{text[: _QUOTED_MAX - 20]}...{text[-12:]} ({len(text)} characters)"
    return text


def _describe(value: object) -> str:
    return f"{short_repr(value)} ({type(value).__name__})"


def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate (UTF-8 cannot encode it), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def _surrogate_problem(text: str) -> str | None:
    index = lone_surrogate(text)
    if index is None:
        return None
    return (
        f"holds a lone surrogate (U+{ord(text[index]):04X} at index {index}), which cannot be sent as UTF-8"
    )


def _check_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueConversionError(f"{_describe(value)} is not a bool")
    return value


def _check_int(bounds: tuple[int, int], type_name: str) -> Callable[[object], int]:
    def check(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueConversionError(f"{_describe(value)} is not an integer for {type_name}")
        if not bounds[0] <= value <= bounds[1]:
            hint = "; use type int64" if type_name == "int32" and _INT64[0] <= value <= _INT64[1] else ""
            raise ValueConversionError(f"{short_repr(value)} is out of range for {type_name}{hint}")
        return value

    return check


def _check_real(type_name: str, limit: float | None) -> Callable[[object], float]:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueConversionError(f"{_describe(value)} is not a number for {type_name}")
        try:
            number = float(value)
        except OverflowError:  # an int too large for any IEEE double
            raise ValueConversionError(f"{short_repr(value)} is out of range for {type_name}") from None
        if not math.isfinite(number):
            raise ValueConversionError(f"{value!r} cannot be written: MXAccess values must be finite numbers")
        if limit is not None and abs(number) > limit:
            raise ValueConversionError(
                f"{short_repr(value)} is out of range for {type_name}; use type double"
            )
        return number

    return check


def _check_str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueConversionError(f"{_describe(value)} is not a string")
    problem = _surrogate_problem(value)
    if problem is not None:
        raise ValueConversionError(f"the string {short_repr(value)} {problem}")
    return value


def _check_time(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise ValueConversionError(f"{_describe(value)} is not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueConversionError(f"{value!r} is a naive datetime; give it a timezone (e.g. tzinfo=UTC)")
    try:
        value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 00:00+05:00 is still year 0 in UTC
        raise ValueConversionError(
            f"{value.isoformat()} is out of range for time: in UTC it must fall in the years 1 to 9999"
        ) from None
    return value


def _check_elapsed(value: object) -> timedelta:
    if not isinstance(value, timedelta):
        raise ValueConversionError(f"{_describe(value)} is not a timedelta")
    if abs(value) > _DURATION_MAX:
        raise ValueConversionError(
            f"{value} is out of range for elapsed_time "
            f"(at most {_DURATION_MAX_SECONDS} s, about 10,000 years)"
        )
    return value


_ENCODINGS: dict[MxType, _Encoding] = {
    MxType.BOOL: _Encoding(pb.MX_DATA_TYPE_BOOLEAN, pb.VT_BOOL, "bool_value", "bools", _check_bool),
    MxType.INT32: _Encoding(
        pb.MX_DATA_TYPE_INTEGER, pb.VT_I4, "int32_value", "int32s", _check_int(_INT32, "int32")
    ),
    MxType.INT64: _Encoding(
        pb.MX_DATA_TYPE_INTEGER, pb.VT_I8, "int64_value", "int64s", _check_int(_INT64, "int64")
    ),
    MxType.FLOAT: _Encoding(
        pb.MX_DATA_TYPE_FLOAT, pb.VT_R4, "float_value", "floats", _check_real("float", _FLOAT32_MAX)
    ),
    MxType.DOUBLE: _Encoding(
        pb.MX_DATA_TYPE_DOUBLE, pb.VT_R8, "double_value", "doubles", _check_real("double", None)
    ),
    MxType.STRING: _Encoding(pb.MX_DATA_TYPE_STRING, pb.VT_BSTR, "string_value", "strings", _check_str),
    MxType.TIME: _Encoding(pb.MX_DATA_TYPE_TIME, pb.VT_DATE, "timestamp_value", "timestamps", _check_time),
    MxType.ELAPSED_TIME: _Encoding(
        pb.MX_DATA_TYPE_ELAPSED_TIME, pb.VT_I8, "duration_value", "durations", _check_elapsed
    ),
}


def _infer(value: object) -> MxType:
    if isinstance(value, bool):
        return MxType.BOOL
    if isinstance(value, int):
        if _INT32[0] <= value <= _INT32[1]:
            return MxType.INT32
        raise ValueConversionError(
            f"{short_repr(value)} does not fit int32; pass type='int64' to write a 64-bit integer"
        )
    if isinstance(value, float):
        return MxType.DOUBLE
    if isinstance(value, str):
        return MxType.STRING
    if isinstance(value, datetime):
        return MxType.TIME
    if isinstance(value, timedelta):
        return MxType.ELAPSED_TIME
    raise ValueConversionError(
        f"cannot send {_describe(value)} to MXAccess; supported: bool, int, float, "
        "str, datetime, timedelta, lists of those, None"
    )


def _raw_data_type(data_type: int) -> int:
    # Our MxDataType numbers are COM's plus one (see the .proto comment).
    return data_type - 1


def _set_scalar(target: Any, field: str, value: object) -> None:
    if isinstance(value, datetime):
        getattr(target, field).FromDatetime(value.astimezone(UTC))
    elif isinstance(value, timedelta):
        getattr(target, field).FromTimedelta(value)
    else:
        setattr(target, field, value)


def _append(container: Any, value: object) -> None:
    if isinstance(value, datetime):
        stamp = Timestamp()
        stamp.FromDatetime(value.astimezone(UTC))
        container.append(stamp)
    elif isinstance(value, timedelta):
        duration = Duration()
        duration.FromTimedelta(value)
        container.append(duration)
    else:
        container.append(value)


def encode_value(value: object, mx_type: MxType | str | None = None) -> pb.MxValue:
    """A Python value as an MxValue; ``mx_type`` picks the MXAccess type explicitly."""
    chosen = None if mx_type is None else MxType.parse(mx_type)
    if value is None:
        return pb.MxValue(data_type=pb.MX_DATA_TYPE_NO_DATA, variant_type=pb.VT_EMPTY, is_null=True)
    if isinstance(value, list | tuple):
        return _encode_array(value, chosen)
    kind = chosen or _infer(value)
    encoding = _ENCODINGS[kind]
    checked = encoding.check(value)
    message = pb.MxValue(
        data_type=encoding.data_type,  # type: ignore[arg-type]
        variant_type=encoding.variant_type,  # type: ignore[arg-type]
        raw_data_type=_raw_data_type(encoding.data_type),
    )
    _set_scalar(message, encoding.value_field, checked)
    return message


def _encode_array(values: Sequence[object], chosen: MxType | None) -> pb.MxValue:
    for element in values:
        if isinstance(element, list | tuple | dict | set) or element is None:
            raise ValueConversionError(f"array elements must be scalar values, got {_describe(element)}")
    if chosen is None:
        if not values:
            raise ValueConversionError("cannot infer the element type of an empty array; pass type=")
        kinds = {_infer(element) for element in values}
        if len(kinds) != 1:
            names = ", ".join(sorted(k.value for k in kinds))
            raise ValueConversionError(f"array elements have mixed types ({names}); pass type= to choose one")
        chosen = kinds.pop()
    encoding = _ENCODINGS[chosen]
    array = pb.MxArray(
        element_data_type=encoding.data_type,  # type: ignore[arg-type]
        element_variant_type=encoding.variant_type,  # type: ignore[arg-type]
    )
    container = getattr(array, encoding.array_field)
    for element in values:
        _append(container, encoding.check(element))
    return pb.MxValue(
        data_type=encoding.data_type,  # type: ignore[arg-type]
        # As in a COM SAFEARRAY VARIANT: the array flag combined with the element type.
        variant_type=pb.VT_ARRAY | encoding.variant_type,  # type: ignore[arg-type]
        raw_data_type=_raw_data_type(encoding.data_type),
        array_value=array,
    )


# ---------------------------------------------------------------- decoding

_ARRAY_FIELDS = ("bools", "int32s", "int64s", "floats", "doubles", "strings", "timestamps", "durations")


def _python(item: object) -> object:
    if isinstance(item, Timestamp):
        low, high = _TIMESTAMP_SECONDS
        if not (low <= item.seconds <= high and 0 <= item.nanos <= _NANOS_MAX):
            raise ValueConversionError(
                f"the gateway sent a timestamp outside google.protobuf.Timestamp's valid range "
                f"(seconds={item.seconds}, nanos={item.nanos}); the raw message is kept in Value.to_proto()"
            )
        return item.ToDatetime(tzinfo=UTC)
    if isinstance(item, Duration):
        seconds, nanos = item.seconds, item.nanos
        mixed_signs = (seconds > 0 and nanos < 0) or (seconds < 0 and nanos > 0)
        if abs(seconds) > _DURATION_MAX_SECONDS or abs(nanos) > _NANOS_MAX or mixed_signs:
            raise ValueConversionError(
                f"the gateway sent a duration outside google.protobuf.Duration's valid range "
                f"(seconds={seconds}, nanos={nanos}); the raw message is kept in Value.to_proto()"
            )
        return item.ToTimedelta()
    return item


def _array_field(array: pb.MxArray) -> str | None:
    return next((name for name in _ARRAY_FIELDS if len(getattr(array, name))), None)


def decode_value(message: pb.MxValue) -> object:
    """The Python value: None, bool, int, float, str, aware UTC datetime, timedelta or list."""
    field = message.WhichOneof("value")
    if message.is_null or field is None:
        return None
    if field == "array_value":
        array_field = _array_field(message.array_value)
        return [] if array_field is None else [_python(v) for v in getattr(message.array_value, array_field)]
    return _python(getattr(message, field))


def _enum_name(enum_type: Any, number: int, prefix: str = "") -> str:
    try:
        return str(enum_type.Name(number)).removeprefix(prefix)
    except ValueError:
        return str(number)


_ENUM_NUMBER_TEXT = re.compile(r"-?[0-9]+")


def _enum_number(enum_type: Any, name: str, prefix: str = "") -> int:
    if not isinstance(name, str):
        raise ValueConversionError(f"{_describe(name)} is not an enum name of {enum_type.DESCRIPTOR.name}")
    if _ENUM_NUMBER_TEXT.fullmatch(name):
        number = int(name)
        if not _INT32[0] <= number <= _INT32[1]:
            name_of_enum = enum_type.DESCRIPTOR.name
            raise ValueConversionError(f"{name_of_enum} number {short_repr(number)} does not fit int32")
        return number
    try:
        return int(enum_type.Value(prefix + name))
    except ValueError:
        raise ValueConversionError(f"{short_repr(name)} is not a {enum_type.DESCRIPTOR.name} name") from None


def _variant_name(number: int) -> str:
    """``"VT_I4"``; an array flag with a known element type as ``"VT_ARRAY|VT_I4"``."""
    element = number & ~pb.VT_ARRAY
    if number & pb.VT_ARRAY and element:
        element_name = _enum_name(pb.VariantType, element)
        if not _ENUM_NUMBER_TEXT.fullmatch(element_name):
            return f"VT_ARRAY|{element_name}"
    return _enum_name(pb.VariantType, number)


def _variant_number(name: str) -> int:
    if not isinstance(name, str):
        raise ValueConversionError(f"{_describe(name)} is not a VariantType name")
    number = 0
    for part in name.split("|"):
        number |= _enum_number(pb.VariantType, part)
    if not _INT32[0] <= number <= _INT32[1]:
        raise ValueConversionError(f"variant type {short_repr(name)} does not fit int32")
    return number


_SCALAR_FIELDS = (
    "bool_value",
    "int32_value",
    "int64_value",
    "float_value",
    "double_value",
    "string_value",
    "timestamp_value",
    "duration_value",
)


@dataclass(frozen=True)
class Value:
    """A decoded MxValue with every field kept.

    ``value`` is the Python projection; ``data_type`` and ``variant_type`` are
    enum names (``"INTEGER"``, ``"VT_I4"``, ``"VT_ARRAY|VT_I4"``; a number as
    text if unknown);
    ``value_field`` is the oneof member that carried it (``None`` when empty)
    and, for arrays, ``array_field`` and the element types say where the
    elements were. ``raw_data_type`` and ``raw_diagnostic`` are the gateway's
    fallback for values it could not fully convert.

    A Value read with ``from_proto`` keeps that message, and ``to_proto``
    returns a copy of it: byte for byte what the gateway sent, including what
    the fields cannot show (nanoseconds, a member next to ``is_null``). A
    Value built by hand, or changed with ``dataclasses.replace``, is encoded
    from its fields.
    """

    value: object
    data_type: str
    variant_type: str
    is_null: bool
    raw_data_type: int
    raw_diagnostic: str
    value_field: str | None = None
    array_field: str | None = None
    element_data_type: str | None = None
    element_variant_type: str | None = None
    _message: pb.MxValue | None = dataclasses.field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_proto(cls, message: pb.MxValue) -> Value:
        # A null value carries no member (the gateway sends none with is_null).
        field = None if message.is_null else message.WhichOneof("value")
        array_field = element_data_type = element_variant_type = None
        if field == "array_value":
            array = message.array_value
            array_field = _array_field(array)
            element_data_type = _enum_name(pb.MxDataType, array.element_data_type, "MX_DATA_TYPE_")
            element_variant_type = _variant_name(array.element_variant_type)
        value = cls(
            value=decode_value(message),
            data_type=_enum_name(pb.MxDataType, message.data_type, "MX_DATA_TYPE_"),
            variant_type=_variant_name(message.variant_type),
            is_null=message.is_null,
            raw_data_type=message.raw_data_type,
            raw_diagnostic=message.raw_diagnostic,
            value_field=field,
            array_field=array_field,
            element_data_type=element_data_type,
            element_variant_type=element_variant_type,
        )
        object.__setattr__(value, "_message", message)  # frozen: set once, here
        return value

    def to_proto(self) -> pb.MxValue:
        if self._message is not None:
            copy = pb.MxValue()
            copy.CopyFrom(self._message)
            return copy
        try:
            return self._build()
        except ValueConversionError:
            raise
        except (TypeError, ValueError, OverflowError, AttributeError) as error:
            # protobuf refusing a field: the fields of a hand-built Value disagree.
            reason = str(error)
            if len(reason) > 160:
                reason = reason[:150] + "..."
            raise ValueConversionError(f"this Value cannot be encoded: {reason}") from None

    def _build(self) -> pb.MxValue:
        if self.value_field not in (None, "array_value", *_SCALAR_FIELDS):
            raise ValueConversionError(f"value_field {short_repr(self.value_field)} is not an MxValue member")
        if self.array_field not in (None, *_ARRAY_FIELDS):
            raise ValueConversionError(f"array_field {short_repr(self.array_field)} is not an MxArray member")
        message = pb.MxValue(
            data_type=_enum_number(pb.MxDataType, self.data_type, "MX_DATA_TYPE_"),  # type: ignore[arg-type]
            variant_type=_variant_number(self.variant_type),  # type: ignore[arg-type]
            is_null=self.is_null,
            raw_data_type=self.raw_data_type,
            raw_diagnostic=self.raw_diagnostic,
        )
        if self.value_field == "array_value":
            array = message.array_value
            array.SetInParent()
            if self.element_data_type is not None:
                array.element_data_type = _enum_number(pb.MxDataType, self.element_data_type, "MX_DATA_TYPE_")  # type: ignore[assignment]
            if self.element_variant_type is not None:
                array.element_variant_type = _variant_number(self.element_variant_type)  # type: ignore[assignment]
            if self.array_field is not None and isinstance(self.value, list):
                container = getattr(array, self.array_field)
                for element in self.value:
                    _append(container, element)
        elif self.value_field is not None:
            _set_scalar(message, self.value_field, self.value)
        return message


# ------------------------------------------------------------ text parsing

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
# Python's int() and float() also take underscores and non-ASCII digits;
# a value typed at a command line should be plain decimal. The patterns are
# unambiguous (one way to match), so a long input fails in linear time.
_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
_REAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CLOCK = re.compile(r"(?P<sign>-)?(?P<h>[0-9]+):(?P<m>[0-5]?[0-9]):(?P<s>[0-5]?[0-9](?:\.[0-9]+)?)")
# datetime.fromisoformat drops digits past the microsecond without a word,
# and (3.11) reads the offset +00:00:00.000001 as UTC; real offsets are whole seconds.
_SUB_MICROSECOND = re.compile(r"[.,][0-9]{7,}")
_FRACTIONAL_OFFSET = re.compile(r"[+-][0-9]{2}:?[0-9]{2}:?[0-9]{2}[.,][0-9]+$")
# No number, time or duration needs more; longer text is refused unread.
_MAX_NUMBER_TEXT = 1000
_INT64_DIGITS = 19


def parse_text_value(text: str, mx_type: MxType | str) -> object:
    """A command-line string as a Python value of ``mx_type`` (strict)."""
    kind = MxType.parse(mx_type)
    if not isinstance(text, str):
        raise ValueConversionError(f"{_describe(text)} is not text")
    if kind is MxType.STRING:
        return _check_str(text)  # verbatim, surrounding spaces included
    raw = text.strip()
    try:
        if len(raw) > _MAX_NUMBER_TEXT:
            raise ValueError(f"too long ({len(raw)} characters) for a {kind.value} value")
        if kind is MxType.BOOL:
            lowered = raw.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError("expected true/false, 1/0 or yes/no")
        if kind in (MxType.INT32, MxType.INT64):
            if not _INTEGER_TEXT.fullmatch(raw):
                raise ValueError("expected a decimal integer")
            if len(raw.lstrip("+-").lstrip("0")) > _INT64_DIGITS:  # int() of it would be slow or refused
                raise ValueError(f"out of range for {kind.value}")
            return _ENCODINGS[kind].check(int(raw, 10))
        if kind in (MxType.FLOAT, MxType.DOUBLE):
            if raw.lower().lstrip("+-") in ("nan", "inf", "infinity"):
                raise ValueError("NaN and infinities cannot be written")
            if not _REAL_TEXT.fullmatch(raw):
                raise ValueError("expected a decimal number")
            number = float(raw)
            if not math.isfinite(number):  # e.g. 1e400
                raise ValueError(f"out of range for {kind.value}")
            return _ENCODINGS[kind].check(number)
        if kind is MxType.TIME:
            if _SUB_MICROSECOND.search(raw):
                raise ValueError("more than 6 digits after the seconds: the precision is one microsecond")
            if _FRACTIONAL_OFFSET.search(raw):
                raise ValueError("a UTC offset with a fraction of a second")
            return _check_time(_parse_iso_time(raw))
        return _parse_elapsed(raw)
    except ValueConversionError:
        raise
    except ValueError as exc:
        raise ValueConversionError(f"cannot read {short_repr(text)} as {kind.value}: {exc}") from None


def _parse_iso_time(raw: str) -> datetime:
    iso = raw.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return datetime.fromisoformat(iso)
    except ValueError as error:
        if iso in str(error):  # "Invalid isoformat string: '<all of it>'"
            raise ValueError("expected ISO 8601 with a UTC offset, e.g. 2026-01-01T12:00:00+00:00") from None
        raise


_MICROSECOND = Decimal("0.000001")


def _parse_elapsed(raw: str) -> timedelta:
    """Seconds or [-]H:MM:SS(.ffffff), read exactly (no float rounding on the way)."""
    match = _CLOCK.fullmatch(raw)
    try:
        if match:
            seconds = int(match["h"]) * 3600 + int(match["m"]) * 60 + Decimal(match["s"])
            if match["sign"]:
                seconds = -seconds
        elif _REAL_TEXT.fullmatch(raw):
            seconds = Decimal(raw)
        else:
            raise ValueError("expected seconds (e.g. 90.5) or HH:MM:SS(.fff)")
    except InvalidOperation:
        raise ValueError("expected seconds (e.g. 90.5) or HH:MM:SS(.fff)") from None
    if abs(seconds) > _DURATION_MAX_SECONDS:
        raise ValueError(f"out of range (at most {_DURATION_MAX_SECONDS} s, about 10,000 years)")
    if seconds != seconds.quantize(_MICROSECOND):
        raise ValueError("finer than a microsecond, the precision of an elapsed time")
    return _check_elapsed(timedelta(microseconds=int(seconds * 1_000_000)))
