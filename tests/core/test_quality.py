"""OPC DA quality bits: status, substatus, limit and the readable form."""

from __future__ import annotations

import pytest

from mxgateway import Quality


@pytest.mark.parametrize(
    ("raw", "status", "substatus", "name"),
    [
        (0, "bad", 0, "non_specific"),
        (4, "bad", 1, "configuration_error"),
        (8, "bad", 2, "not_connected"),
        (12, "bad", 3, "device_failure"),
        (16, "bad", 4, "sensor_failure"),
        (20, "bad", 5, "last_known_value"),
        (24, "bad", 6, "comm_failure"),
        (28, "bad", 7, "out_of_service"),
        (32, "bad", 8, "waiting_for_initial_data"),
        (64, "uncertain", 0, "non_specific"),
        (68, "uncertain", 1, "last_usable_value"),
        (80, "uncertain", 4, "sensor_not_accurate"),
        (84, "uncertain", 5, "engineering_units_exceeded"),
        (88, "uncertain", 6, "sub_normal"),
        (192, "good", 0, "non_specific"),
        (216, "good", 6, "local_override"),
    ],
)
def test_opc_da_quality_table(raw: int, status: str, substatus: int, name: str) -> None:
    quality = Quality(raw)
    assert (quality.status, quality.substatus, quality.substatus_name, quality.limit) == (
        status,
        substatus,
        name,
        "none",
    )
    assert (quality.is_good, quality.is_uncertain, quality.is_bad) == (
        status == "good",
        status == "uncertain",
        status == "bad",
    )


@pytest.mark.parametrize(("low_bits", "limit"), [(0, "none"), (1, "low"), (2, "high"), (3, "constant")])
def test_limit_bits_do_not_change_status_or_substatus(low_bits: int, limit: str) -> None:
    for base in (0, 24, 68, 192, 216):
        quality = Quality(base | low_bits)
        assert quality.limit == limit
        assert (quality.status, quality.substatus) == (Quality(base).status, Quality(base).substatus)


def test_substatus_without_a_name_in_the_table_is_numbered() -> None:
    # Good with substatus 1 is not defined by OPC DA.
    assert Quality(196).substatus_name == "substatus_1"
    assert Quality(196).is_good


def test_reserved_status_bits_count_as_bad() -> None:
    # Bits 6-7 == 0b10 is reserved in OPC DA; treat it as not usable.
    assert Quality(128).status == "bad" and Quality(128).is_bad


def test_vendor_byte_is_separate_from_the_opc_bits() -> None:
    quality = Quality(0x12C0)
    assert quality.vendor_bits == 0x12
    assert quality.is_good and quality.substatus == 0 and quality.limit == "none"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (192, "good (192)"),
        (8, "bad (8) not_connected"),
        (0, "bad (0)"),
        (65, "uncertain (65) limit=low"),
        (27, "bad (27) comm_failure limit=constant"),
    ],
)
def test_str_is_readable(raw: int, text: str) -> None:
    assert str(Quality(raw)) == text


def test_quality_is_a_frozen_value() -> None:
    assert Quality(192) == Quality(192) and Quality(192) != Quality(64)
    assert hash(Quality(8)) == hash(Quality(8))
    with pytest.raises(AttributeError):
        Quality(192).raw = 0  # type: ignore[misc]
