"""MXAccess status entries (MXSTATUS_PROXY), decoded (no I/O).

Success is decided by ``category`` only: ``success`` mirrors COM's numeric
field and a proto3 default ``success == 0`` with an unset category is not a
failure.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from mxgateway.generated import mxaccess_gateway_pb2 as pb


class StatusCategory(enum.IntEnum):
    """MxStatusCategory without its prefix; values are the proto numbers."""

    UNSPECIFIED = pb.MX_STATUS_CATEGORY_UNSPECIFIED
    OK = pb.MX_STATUS_CATEGORY_OK
    PENDING = pb.MX_STATUS_CATEGORY_PENDING
    WARNING = pb.MX_STATUS_CATEGORY_WARNING
    COMMUNICATION_ERROR = pb.MX_STATUS_CATEGORY_COMMUNICATION_ERROR
    CONFIGURATION_ERROR = pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR
    OPERATIONAL_ERROR = pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR
    SECURITY_ERROR = pb.MX_STATUS_CATEGORY_SECURITY_ERROR
    SOFTWARE_ERROR = pb.MX_STATUS_CATEGORY_SOFTWARE_ERROR
    OTHER_ERROR = pb.MX_STATUS_CATEGORY_OTHER_ERROR
    UNKNOWN = pb.MX_STATUS_CATEGORY_UNKNOWN


class StatusSource(enum.IntEnum):
    """MxStatusSource without its prefix; values are the proto numbers."""

    UNSPECIFIED = pb.MX_STATUS_SOURCE_UNSPECIFIED
    REQUESTING_LMX = pb.MX_STATUS_SOURCE_REQUESTING_LMX
    RESPONDING_LMX = pb.MX_STATUS_SOURCE_RESPONDING_LMX
    REQUESTING_NMX = pb.MX_STATUS_SOURCE_REQUESTING_NMX
    RESPONDING_NMX = pb.MX_STATUS_SOURCE_RESPONDING_NMX
    REQUESTING_AUTOMATION_OBJECT = pb.MX_STATUS_SOURCE_REQUESTING_AUTOMATION_OBJECT
    RESPONDING_AUTOMATION_OBJECT = pb.MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT
    UNKNOWN = pb.MX_STATUS_SOURCE_UNKNOWN


_ERROR_CATEGORIES = frozenset(
    {
        "COMMUNICATION_ERROR",
        "CONFIGURATION_ERROR",
        "OPERATIONAL_ERROR",
        "SECURITY_ERROR",
        "SOFTWARE_ERROR",
        "OTHER_ERROR",
        "UNKNOWN",
    }
)


def _category(number: int) -> StatusCategory | int:
    try:
        return StatusCategory(number)
    except ValueError:  # a newer gateway's value: keep the number
        return number


def _source(number: int) -> StatusSource | int:
    try:
        return StatusSource(number)
    except ValueError:
        return number


@dataclass(frozen=True)
class MxStatus:
    """One MXAccess status entry with every field kept (raw COM numbers included)."""

    success: int
    category: StatusCategory | int
    detected_by: StatusSource | int
    detail: int
    raw_category: int
    raw_detected_by: int
    diagnostic_text: str

    @classmethod
    def from_proto(cls, message: pb.MxStatusProxy) -> MxStatus:
        return cls(
            success=message.success,
            category=_category(message.category),
            detected_by=_source(message.detected_by),
            detail=message.detail,
            raw_category=message.raw_category,
            raw_detected_by=message.raw_detected_by,
            diagnostic_text=message.diagnostic_text,
        )

    def to_proto(self) -> pb.MxStatusProxy:
        return pb.MxStatusProxy(
            success=self.success,
            category=int(self.category),  # type: ignore[arg-type]
            detected_by=int(self.detected_by),  # type: ignore[arg-type]
            detail=self.detail,
            raw_category=self.raw_category,
            raw_detected_by=self.raw_detected_by,
            diagnostic_text=self.diagnostic_text,
        )

    @property
    def category_name(self) -> str:
        return self.category.name if isinstance(self.category, enum.Enum) else f"UNKNOWN_{self.category}"

    @property
    def detected_by_name(self) -> str:
        source = self.detected_by
        return source.name if isinstance(source, enum.Enum) else f"UNKNOWN_{source}"

    @property
    def is_error(self) -> bool:
        return self.category_name in _ERROR_CATEGORIES or not isinstance(self.category, enum.Enum)

    def describe(self) -> str:
        text = f"{self.category_name} detail {self.detail} detected by {self.detected_by_name}"
        return f"{text}: {self.diagnostic_text}" if self.diagnostic_text else text


def first_error(statuses: Iterable[MxStatus]) -> MxStatus | None:
    return next((status for status in statuses if status.is_error), None)
