"""The simulated galaxy: attributes, their change patterns, users.

A galaxy file is TOML. Users for AuthenticateUser / ArchestrAUserToId::

    [users.operator]
    password = "operator-pass"
    id = 101                 # optional; default 100 + position in name order

Each attribute is a table under ``attributes`` named ``Object.Attribute``
(``Object.Attribute[]`` for an array)::

    [attributes."Tank1.Level"]
    type = "double"          # bool int32 int64 float double string time elapsed_time
    initial = 50.0           # required; a list for an array; time: ISO 8601 text
                             # or a TOML date-time (UTC if naive); elapsed_time: seconds
    pattern = "random_walk"  # constant (default) | ramp | random_walk | toggle
    step = 0.5               # ramp: added every period; random_walk: +/- per period
    period_ms = 250          # default 1000
    min = 0.0                # ramp wraps within min..max, random_walk is clamped to it
    max = 100.0
    writable = true          # default true; false: writes fail (read-only)
    security = "free"        # free (default) | secured | verified
    alarm_above = 95.0       # optional: alarm "<name>.HiAlarm" while the value is above

``toggle`` flips a bool every period; array attributes keep their value
until written. Unknown fields, types, patterns or security values raise
``GalaxyError`` naming the attribute. Values move on the simulator's clock,
so tests can drive time; a write restarts the pattern from the written value.
"""

from __future__ import annotations

import random
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from mxgateway._core.values import MxType, parse_text_value

PATTERNS = ("constant", "ramp", "random_walk", "toggle")
SECURITY = ("free", "secured", "verified")


class GalaxyError(ValueError):
    """The galaxy file is invalid; the message names the attribute and field."""


@dataclass
class Attribute:
    name: str
    mx_type: MxType
    initial: object
    pattern: str = "constant"
    step: float = 1.0
    period_ms: int = 1000
    minimum: float | None = None
    maximum: float | None = None
    writable: bool = True
    security: str = "free"
    alarm_above: float | None = None
    # Runtime state: the value last written or computed, and from when.
    _base_value: object = None
    _base_time: float = 0.0
    _walk: random.Random = field(default_factory=lambda: random.Random(0))
    _walk_steps: int = 0
    _walk_value: object = None

    @property
    def is_array(self) -> bool:
        return self.name.endswith("[]")

    def reset(self, now: float) -> None:
        self._base_value = self.initial
        self._base_time = now
        # crc32, not hash(): string hashes change between processes.
        self._walk = random.Random(zlib.crc32(self.name.encode()))
        self._walk_steps = 0
        self._walk_value = self.initial

    def value_at(self, now: float) -> object:
        """The value at simulator time ``now`` (seconds)."""
        if self.pattern == "constant" or self.is_array:
            return self._base_value
        ticks = max(int((now - self._base_time) * 1000 // max(self.period_ms, 1)), 0)
        if self.pattern == "toggle":
            return (
                bool(self._base_value) ^ (ticks % 2 == 1) if self.mx_type is MxType.BOOL else self._base_value
            )
        if self.pattern == "ramp":
            return self._bounded_number(self._base_value, self.step * ticks)
        while self._walk_steps < ticks:  # random_walk: reproducible per attribute
            self._walk_steps += 1
            delta = self._walk.choice((-self.step, self.step))
            self._walk_value = self._bounded_number(self._walk_value, delta)
        return self._walk_value

    def _bounded_number(self, base: object, delta: float) -> object:
        if self.mx_type is MxType.ELAPSED_TIME:
            assert isinstance(base, timedelta)
            return base + timedelta(seconds=delta)
        if not isinstance(base, int | float) or isinstance(base, bool):
            return base
        value = base + delta
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and high > low:
            span = high - low
            value = low + (value - low) % span if self.pattern == "ramp" else min(max(value, low), high)
        if self.mx_type in (MxType.INT32, MxType.INT64):
            return int(value)
        return float(value)

    def write(self, value: object, now: float) -> None:
        self._base_value = value
        self._base_time = now
        self._walk_value = value
        self._walk_steps = 0


@dataclass
class Galaxy:
    attributes: dict[str, Attribute]
    users: dict[str, tuple[str, int]]  # user name -> (password, user id)

    def reset(self, now: float) -> None:
        for attribute in self.attributes.values():
            attribute.reset(now)

    def find(self, item: str) -> tuple[Attribute | None, bool]:
        """The attribute an item names, and whether the array suffix was missing."""
        attribute = self.attributes.get(item)
        if attribute is not None:
            return attribute, False
        array = self.attributes.get(item + "[]")
        return (array, True) if array is not None else (None, False)


def _convert(name: str, mx_type: MxType, raw: object) -> object:
    if isinstance(raw, list):
        return [_convert(name, mx_type, item) for item in raw]
    if mx_type is MxType.TIME:
        if isinstance(raw, datetime):
            return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
        return parse_text_value(str(raw), mx_type)
    if mx_type is MxType.ELAPSED_TIME:
        return timedelta(seconds=float(raw))  # type: ignore[arg-type]
    if mx_type in (MxType.FLOAT, MxType.DOUBLE) and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if mx_type is MxType.BOOL and not isinstance(raw, bool):
        raise GalaxyError(f"attribute {name!r}: initial must be true or false")
    return raw


def _attribute(name: str, spec: dict[str, Any]) -> Attribute:
    known = {
        "type",
        "initial",
        "pattern",
        "step",
        "period_ms",
        "min",
        "max",
        "writable",
        "security",
        "alarm_above",
    }
    unknown = set(spec) - known
    if unknown:
        raise GalaxyError(f"attribute {name!r}: unknown field(s) {', '.join(sorted(unknown))}")
    try:
        mx_type = MxType.parse(spec.get("type", "double"))
    except ValueError as exc:
        raise GalaxyError(f"attribute {name!r}: {exc}") from None
    pattern = spec.get("pattern", "constant")
    if pattern not in PATTERNS:
        raise GalaxyError(f"attribute {name!r}: pattern must be one of {', '.join(PATTERNS)}")
    security = spec.get("security", "free")
    if security not in SECURITY:
        raise GalaxyError(f"attribute {name!r}: security must be one of {', '.join(SECURITY)}")
    if "initial" not in spec:
        raise GalaxyError(f"attribute {name!r}: initial value missing")
    if name.endswith("[]") != isinstance(spec["initial"], list):
        raise GalaxyError(f"attribute {name!r}: array attributes end in [] and have a list as initial value")
    period = int(spec.get("period_ms", 1000))
    if period <= 0:
        raise GalaxyError(f"attribute {name!r}: period_ms must be positive")
    try:
        initial = _convert(name, mx_type, spec["initial"])
    except (TypeError, ValueError) as exc:
        raise GalaxyError(f"attribute {name!r}: bad initial value: {exc}") from None
    return Attribute(
        name=name,
        mx_type=mx_type,
        initial=initial,
        pattern=pattern,
        step=float(spec.get("step", 1.0)),
        period_ms=period,
        minimum=spec.get("min"),
        maximum=spec.get("max"),
        writable=bool(spec.get("writable", True)),
        security=security,
        alarm_above=spec.get("alarm_above"),
    )


def parse_galaxy(text: str) -> Galaxy:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GalaxyError(f"galaxy file is not valid TOML: {exc}") from None
    attributes = {name: _attribute(name, spec) for name, spec in document.get("attributes", {}).items()}
    if not attributes:
        raise GalaxyError("galaxy file defines no [attributes]")
    users: dict[str, tuple[str, int]] = {}
    for index, (user, spec) in enumerate(sorted(document.get("users", {}).items()), start=1):
        if "password" not in spec:
            raise GalaxyError(f"user {user!r}: password missing")
        users[user] = (str(spec["password"]), int(spec.get("id", 100 + index)))
    return Galaxy(attributes=attributes, users=users)


def load_galaxy(path: str | Path | None = None) -> Galaxy:
    """Load a galaxy file, or the default galaxy shipped with the package."""
    if path is None:
        text = resources.files("mxgateway.testing").joinpath("default_galaxy.toml").read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise GalaxyError(f"cannot read galaxy file {path}: {exc.strerror or exc}") from None
    return parse_galaxy(text)
