"""Strict option types: a number on the command line is taken exactly as typed, or refused.

cyclopts' own ``int`` conversion rounds ``1.6`` to 2 and, like Python's
``int`` and ``float``, reads non-ASCII digits (Arabic-Indic ones, say) and ``1_000``; its
``float`` takes ``nan`` and ``inf``. The annotated types here replace both:
ASCII decimal digits only, and durations that are finite and positive. A
refused value raises ValueError, which cyclopts reports as a usage error.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Annotated, Any

from cyclopts import Parameter

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
MAX_PORT = 65535


def parse_integer(text: str) -> int:
    """A decimal integer in ASCII digits (optional sign); anything else is a ValueError."""
    if not _INTEGER_TEXT.fullmatch(text):
        raise ValueError(f"expected an integer in ASCII digits, got {text!r}")
    return int(text, 10)


def parse_seconds(text: str) -> float:
    """A positive, finite number of seconds (``0.5``, ``30``, ``1e-3``)."""
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError(f"expected a positive number of seconds in ASCII digits, got {text!r}")
    seconds = float(text)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"expected a positive, finite number of seconds, got {text!r}")
    return seconds


def parse_port(text: str) -> int:
    port = parse_integer(text)
    if not 0 <= port <= MAX_PORT:
        raise ValueError(f"a port is 0-{MAX_PORT}, got {text!r}")
    return port


def _single(tokens: Sequence[Any]) -> str:
    value: str = tokens[0].value
    return value


def _integer_option(type_: Any, tokens: Sequence[Any]) -> int:
    return parse_integer(_single(tokens))


def _seconds_option(type_: Any, tokens: Sequence[Any]) -> float:
    return parse_seconds(_single(tokens))


def _port_option(type_: Any, tokens: Sequence[Any]) -> int:
    return parse_port(_single(tokens))


Integer = Annotated[int, Parameter(converter=_integer_option)]
"""An integer option (handles, user ids, counts, sequences)."""

Seconds = Annotated[float, Parameter(converter=_seconds_option)]
"""A duration option in seconds: finite and positive."""

Port = Annotated[int, Parameter(converter=_port_option)]
"""A TCP port, 0-65535 (0: any free port)."""
