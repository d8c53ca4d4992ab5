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
# HTTP/2 keepalive: a silent gateway is noticed within interval + timeout.
DEFAULT_KEEPALIVE_INTERVAL = 30.0
DEFAULT_KEEPALIVE_TIMEOUT = 20.0


@dataclass(frozen=True)
class ReconnectPolicy:
    """How an event stream re-attaches after its connection failed (gRPC connection backoff).

    The first retry waits ``initial_backoff`` seconds, each later one
    ``multiplier`` times longer, up to ``max_backoff``, every wait spread
    by +/- ``jitter`` (a fraction). The stream gives up, with
    ``ReconnectFailedError`` carrying the resume point, after
    ``max_attempts`` failed attempts or ``give_up_after`` seconds without a
    connection, whichever comes first (None: no such limit).
    """

    initial_backoff: float = 1.0
    multiplier: float = 1.6
    jitter: float = 0.2
    max_backoff: float = 120.0
    max_attempts: int | None = None
    give_up_after: float | None = 600.0

    def __post_init__(self) -> None:
        _check_positive("initial_backoff", self.initial_backoff)
        _check_positive("max_backoff", self.max_backoff)
        _check_number("multiplier", self.multiplier, 1.0, math.inf)
        _check_number("jitter", self.jitter, 0.0, 1.0)
        if self.max_backoff < self.initial_backoff:
            raise ClientConfigError("max_backoff must not be below initial_backoff")
        attempts = self.max_attempts
        if attempts is not None and (
            isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1
        ):
            raise ClientConfigError("max_attempts must be a positive integer or None")
        if self.give_up_after is not None:
            _check_positive("give_up_after", self.give_up_after)


@dataclass(frozen=True)
class ClientOptions:
    """How to reach one MXAccess Gateway.

    Exactly one transport security choice is required: ``plaintext=True``
    (h2c, local development), or TLS (the default when ``plaintext`` is
    false) with the system roots or ``ca_file``. Nothing is inferred from the
    endpoint. ``api_key`` is sent as ``authorization: Bearer <api_key>`` on
    every call and never shown: ``repr`` and ``str`` redact it.

    ``keepalive_interval`` (None: off) sends an HTTP/2 ping that often, on
    streams and idle connections alike; a gateway that does not answer
    within ``keepalive_timeout`` is treated as gone. ``reconnect`` (None:
    off) is how event streams re-attach after a failure.
    """

    endpoint: str
    api_key: str | None = field(default=None, repr=False)
    plaintext: bool = False
    ca_file: str | None = None
    server_name_override: str | None = None
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    call_timeout: float | None = DEFAULT_CALL_TIMEOUT
    max_message_bytes: int = MAX_MESSAGE_BYTES
    keepalive_interval: float | None = DEFAULT_KEEPALIVE_INTERVAL
    keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT
    reconnect: ReconnectPolicy | None = field(default_factory=ReconnectPolicy)

    def __post_init__(self) -> None:
        self.host_and_port()  # validates the endpoint
        _check_api_key(self.api_key)
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
        if self.keepalive_interval is not None:
            _check_positive("keepalive_interval", self.keepalive_interval)
        _check_positive("keepalive_timeout", self.keepalive_timeout)
        if self.reconnect is not None and not isinstance(self.reconnect, ReconnectPolicy):
            raise ClientConfigError("reconnect must be a ReconnectPolicy or None")

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
        if not (port_text.isascii() and port_text.isdigit()) or not 0 < int(port_text) < 65536:
            raise ClientConfigError(f"endpoint {endpoint!r} has an invalid port")
        return host, int(port_text)

    def redacted_repr_fields(self) -> dict[str, Any]:
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        values["api_key"] = None if self.api_key is None else REDACTED
        return values

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.redacted_repr_fields().items())
        return f"ClientOptions({inner})"

    __str__ = __repr__


def _check_api_key(api_key: object) -> None:
    """Keys are printable ASCII without spaces (the gateway's are ``mxgw_<id>_<secret>``).

    Checked here, so that a bad key fails with a message that never shows it
    (grpclib's own check echoes the header value).
    """
    if api_key is None:
        return
    if not isinstance(api_key, str):
        raise ClientConfigError(f"api_key must be a string, not {type(api_key).__name__}")
    if not api_key:
        raise ClientConfigError("api_key must not be empty")
    bad = [position for position, char in enumerate(api_key) if not "!" <= char <= "~"]
    if bad:
        raise ClientConfigError(
            f"api_key has {len(bad)} character(s) that cannot be sent in a header (first at "
            f"position {bad[0]}): only printable ASCII without spaces; the key is not shown"
        )


def _check_number(name: str, value: object, low: float, high: float) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or math.isnan(value)
        or not low <= value <= high
    ):
        raise ClientConfigError(f"{name} must be a number from {low:g} to {high:g}")


def is_positive_seconds(value: object) -> bool:
    """A duration: a real number (not a bool), finite and above zero."""
    return (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and math.isfinite(value)
        and value > 0
    )


def _check_positive(name: str, value: float) -> None:
    if not is_positive_seconds(value):
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
