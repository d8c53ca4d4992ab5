"""MXAccess status entries: enums, exact round trip, error decided by category."""

from __future__ import annotations

import pytest

from mxgateway import MxStatus, StatusCategory, StatusSource
from mxgateway._core.statuses import first_error
from mxgateway.generated import mxaccess_gateway_pb2 as pb


@pytest.mark.parametrize(
    ("enum_type", "proto_enum", "prefix"),
    [
        (StatusCategory, pb.MxStatusCategory, "MX_STATUS_CATEGORY_"),
        (StatusSource, pb.MxStatusSource, "MX_STATUS_SOURCE_"),
    ],
)
def test_status_enums_mirror_the_proto(enum_type: type, proto_enum: object, prefix: str) -> None:
    proto = {v.name.removeprefix(prefix): v.number for v in proto_enum.DESCRIPTOR.values}  # type: ignore[attr-defined]
    assert {m.name: m.value for m in enum_type} == proto  # type: ignore[attr-defined]


ERROR_CATEGORIES = {
    StatusCategory.COMMUNICATION_ERROR,
    StatusCategory.CONFIGURATION_ERROR,
    StatusCategory.OPERATIONAL_ERROR,
    StatusCategory.SECURITY_ERROR,
    StatusCategory.SOFTWARE_ERROR,
    StatusCategory.OTHER_ERROR,
    StatusCategory.UNKNOWN,
}


@pytest.mark.parametrize("category", list(StatusCategory), ids=lambda c: c.name)
@pytest.mark.parametrize("success", [0, 1, -1])
def test_error_is_decided_by_category_only(category: StatusCategory, success: int) -> None:
    status = MxStatus.from_proto(pb.MxStatusProxy(success=success, category=category.value))
    assert status.category is category
    assert status.is_error is (category in ERROR_CATEGORIES)


def test_proto_default_is_not_a_failure() -> None:
    status = MxStatus.from_proto(pb.MxStatusProxy())
    assert status.success == 0 and status.category is StatusCategory.UNSPECIFIED
    assert not status.is_error


def test_every_field_is_kept_and_round_trips() -> None:
    message = pb.MxStatusProxy(
        success=0,
        category=pb.MX_STATUS_CATEGORY_SECURITY_ERROR,
        detected_by=pb.MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT,
        detail=321,
        raw_category=8,
        raw_detected_by=3,
        diagnostic_text="write denied",
    )
    status = MxStatus.from_proto(message)
    assert status == MxStatus(
        success=0,
        category=StatusCategory.SECURITY_ERROR,
        detected_by=StatusSource.RESPONDING_AUTOMATION_OBJECT,
        detail=321,
        raw_category=8,
        raw_detected_by=3,
        diagnostic_text="write denied",
    )
    assert status.to_proto() == message


def test_unknown_enum_numbers_are_kept_and_an_unknown_category_is_an_error() -> None:
    message = pb.MxStatusProxy(category=42, detected_by=17)  # type: ignore[arg-type]
    status = MxStatus.from_proto(message)
    assert (status.category, status.detected_by) == (42, 17)
    assert (status.category_name, status.detected_by_name) == ("UNKNOWN_42", "UNKNOWN_17")
    assert status.is_error
    assert status.to_proto() == message


def test_describe_is_one_readable_line() -> None:
    status = MxStatus.from_proto(
        pb.MxStatusProxy(
            category=pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR,
            detected_by=pb.MX_STATUS_SOURCE_RESPONDING_LMX,
            detail=1003,
            diagnostic_text="array attribute needs a [] suffix",
        )
    )
    assert status.describe() == (
        "CONFIGURATION_ERROR detail 1003 detected by RESPONDING_LMX: array attribute needs a [] suffix"
    )
    assert "\n" not in status.describe()
    assert MxStatus.from_proto(pb.MxStatusProxy(category=pb.MX_STATUS_CATEGORY_OK)).describe() == (
        "OK detail 0 detected by UNSPECIFIED"
    )


def test_first_error_skips_ok_pending_and_warning() -> None:
    statuses = [
        MxStatus.from_proto(pb.MxStatusProxy(category=category, detail=detail))
        for category, detail in (
            (pb.MX_STATUS_CATEGORY_OK, 1),
            (pb.MX_STATUS_CATEGORY_PENDING, 2),
            (pb.MX_STATUS_CATEGORY_WARNING, 3),
            (pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR, 4),
            (pb.MX_STATUS_CATEGORY_SECURITY_ERROR, 5),
        )
    ]
    found = first_error(statuses)
    assert found is not None and found.detail == 4
    assert first_error(statuses[:3]) is None
    assert first_error(iter(statuses)) is found
    assert first_error([]) is None
