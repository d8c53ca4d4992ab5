"""OPC DA quality (the 16-bit integer MXAccess reports), decoded (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

# (quality bits 6-7, substatus bits 2-5) -> name, per the OPC DA quality table.
_SUBSTATUS_NAMES: dict[tuple[int, int], str] = {
    (0, 0): "non_specific",
    (0, 1): "configuration_error",
    (0, 2): "not_connected",
    (0, 3): "device_failure",
    (0, 4): "sensor_failure",
    (0, 5): "last_known_value",
    (0, 6): "comm_failure",
    (0, 7): "out_of_service",
    (0, 8): "waiting_for_initial_data",
    (1, 0): "non_specific",
    (1, 1): "last_usable_value",
    (1, 4): "sensor_not_accurate",
    (1, 5): "engineering_units_exceeded",
    (1, 6): "sub_normal",
    (3, 0): "non_specific",
    (3, 6): "local_override",
}
_STATUS_NAMES = {0: "bad", 1: "uncertain", 3: "good"}
_LIMIT_NAMES = ("none", "low", "high", "constant")


@dataclass(frozen=True)
class Quality:
    """An OPC DA quality: 192 good, 64 uncertain, 0 bad, plus substatus and limit bits."""

    raw: int

    @property
    def status(self) -> str:
        """``"good"``, ``"uncertain"`` or ``"bad"`` (bits 6-7; the reserved 0b10 counts as bad)."""
        return _STATUS_NAMES.get((self.raw >> 6) & 0b11, "bad")

    @property
    def substatus(self) -> int:
        return (self.raw >> 2) & 0b1111

    @property
    def substatus_name(self) -> str:
        key = ((self.raw >> 6) & 0b11, self.substatus)
        return _SUBSTATUS_NAMES.get(key, f"substatus_{self.substatus}")

    @property
    def limit(self) -> str:
        return _LIMIT_NAMES[self.raw & 0b11]

    @property
    def vendor_bits(self) -> int:
        """The high byte, which OPC DA leaves to the vendor."""
        return (self.raw >> 8) & 0xFF

    @property
    def is_good(self) -> bool:
        return self.status == "good"

    @property
    def is_uncertain(self) -> bool:
        return self.status == "uncertain"

    @property
    def is_bad(self) -> bool:
        return self.status == "bad"

    def __str__(self) -> str:
        text = f"{self.status} ({self.raw})"
        if self.substatus or self.substatus_name != "non_specific":
            text += f" {self.substatus_name}"
        if self.limit != "none":
            text += f" limit={self.limit}"
        return text
