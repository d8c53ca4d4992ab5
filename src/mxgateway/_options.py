"""Client options: where the gateway is, how to secure and authenticate."""

from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass, field
from typing import Any

from mxgateway._core.redaction import REDACTED
from mxgateway._errors import ClientConfigError
from mxgateway._protocol import MAX_MESSAGE_BYTES

DEFAULT_CALL_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ClientOptions:
    """How to reach one MXAccess Gateway.

    Exactly one transport security choice is required: ``plaintext=True``
    (h2c, local development), or TLS (the default when ``plaintext`` is
    false) with the system roots or ``ca_file``. Nothing is inferred from the
    endpoint. ``api_key`` is sent as ``authorization: Bearer <api_key>`` on
    every call and never shown: ``repr`` and ``str`` redact it.
    """

    endpoint: str
    api_key: str | None = field(default=None, repr=False)
    plaintext: bool = False
    ca_file: str | None = None
    server_name_override: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT
    max_message_bytes: int = MAX_MESSAGE_BYTES

    def __post_init__(self) -> None:
        self.host_and_port()  # validates the endpoint
        if self.api_key is not None and (not self.api_key or self.api_key != self.api_key.strip()):
            raise ClientConfigError("api_key must be a non-empty string without surrounding whitespace")
        if self.plaintext and (self.ca_file or self.server_name_override):
            raise ClientConfigError(
                "ca_file and server_name_override need TLS; they conflict with plaintext=True"
            )
        if self.ca_file is not None and not os.path.isfile(self.ca_file):
            raise ClientConfigError(f"ca_file not found: {self.ca_file}")
        _check_positive("connect_timeout", self.connect_timeout)
        if self.call_timeout is not None:
            _check_positive("call_timeout", self.call_timeout)
        if not isinstance(self.max_message_bytes, int) or self.max_message_bytes <= 0:
            raise ClientConfigError("max_message_bytes must be a positive integer")

    @property
    def tls(self) -> bool:
        return not self.plaintext

    def host_and_port(self) -> tuple[str, int]:
        """Split ``host:port`` (``[v6]:port`` for IPv6); no scheme, no default port."""
        endpoint = self.endpoint
        if not isinstance(endpoint, str) or not endpoint.strip():
            raise ClientConfigError("endpoint must be 'host:port'")
        if "://" in endpoint:
            raise ClientConfigError(
                f"endpoint {endpoint!r} must be 'host:port' without a scheme; "
                "choose plaintext=True or TLS explicitly"
            )
        if endpoint.startswith("["):
            host, sep, port_text = endpoint[1:].partition("]:")
        else:
            host, sep, port_text = endpoint.rpartition(":")
        if not sep or not host or (":" in host and not endpoint.startswith("[")):
            raise ClientConfigError(f"endpoint {endpoint!r} must be 'host:port' (IPv6 as '[addr]:port')")
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise ClientConfigError(f"endpoint {endpoint!r} has an invalid port")
        return host, int(port_text)

    def redacted_repr_fields(self) -> dict[str, Any]:
        values = dataclasses.asdict(self)
        values["api_key"] = None if self.api_key is None else REDACTED
        return values

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.redacted_repr_fields().items())
        return f"ClientOptions({inner})"

    __str__ = __repr__


def _check_positive(name: str, value: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ClientConfigError(f"{name} must be a positive number of seconds")


def coerce_options(options: ClientOptions | None, overrides: dict[str, Any]) -> ClientOptions:
    """``connect(options)``, ``connect(endpoint=..., ...)``, or options with keyword overrides."""
    try:
        if options is None:
            return ClientOptions(**overrides)
        if not isinstance(options, ClientOptions):
            raise ClientConfigError(f"options must be a ClientOptions, got {type(options).__name__}")
        return dataclasses.replace(options, **overrides) if overrides else options
    except TypeError as exc:  # an unknown keyword
        raise ClientConfigError(str(exc)) from None
