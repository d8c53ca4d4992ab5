"""Connection flags shared by every command that talks to a gateway."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

from mxgateway_cli._inputs import Seconds

if TYPE_CHECKING:
    from mxgateway import ClientOptions

DEFAULT_ENDPOINT = "localhost:5000"
DEFAULT_API_KEY_ENV = "MXGATEWAY_API_KEY"


class UsageError(ValueError):
    """A command line that cannot run as given (exit code 2)."""


@Parameter(name="*", group="Connection")
@dataclass
class Connection:
    endpoint: str | None = None
    """Gateway host:port (default: $MXGATEWAY_ENDPOINT, else localhost:5000)."""

    plaintext: bool = False
    """Use h2c without TLS (local development); also set by MXGATEWAY_PLAINTEXT=1."""

    tls: bool = False
    """Use TLS (the default unless --plaintext)."""

    ca_file: str | None = None
    """PEM file with the CA that signed the gateway's certificate (TLS)."""

    server_name_override: str | None = None
    """Name to check the gateway's certificate against (TLS, tests)."""

    api_key: Annotated[str | None, Parameter(show_default=False)] = None
    """API key (visible to other processes: prefer --api-key-env)."""

    api_key_env: Annotated[str | None, Parameter(show_default=False)] = None
    """Environment variable holding the API key (default MXGATEWAY_API_KEY; a named one must be set)."""

    connect_timeout: Seconds = 10.0
    """Seconds to wait for the connection."""

    call_timeout: Seconds = 30.0
    """Seconds to wait for each call."""

    def options(self) -> ClientOptions:
        from mxgateway import ClientOptions

        if self.plaintext and self.tls:
            raise UsageError("choose one of --plaintext and --tls")
        plaintext = self.plaintext or (not self.tls and os.environ.get("MXGATEWAY_PLAINTEXT") == "1")
        api_key = self.api_key
        if api_key is not None:
            print(
                "warning: --api-key is visible to other processes on this machine; prefer --api-key-env",
                file=sys.stderr,
            )
        else:
            api_key = self._key_from_environment()
        return ClientOptions(
            endpoint=self._endpoint(),
            api_key=api_key,
            plaintext=plaintext,
            ca_file=self.ca_file,
            server_name_override=self.server_name_override,
            connect_timeout=self.connect_timeout,
            call_timeout=self.call_timeout,
            reconnect=None,  # a command reports a lost gateway (exit 5); stream-events --follow re-attaches
        )

    def _endpoint(self) -> str:
        if self.endpoint is not None and not self.endpoint.strip():
            # An explicit empty value is a mistake (an unset shell variable),
            # not a request for the default.
            raise UsageError("--endpoint is empty: give host:port, or leave the flag out")
        endpoint = self.endpoint or os.environ.get("MXGATEWAY_ENDPOINT") or DEFAULT_ENDPOINT
        port = endpoint.rpartition(":")[2]
        if not (port.isascii() and port.isdigit()):
            raise UsageError(f"endpoint {endpoint!r}: the port must be ASCII digits (host:port)")
        return endpoint

    def _key_from_environment(self) -> str | None:
        if self.api_key_env is None:
            return os.environ.get(DEFAULT_API_KEY_ENV) or None  # unset: no key, as documented
        if not self.api_key_env.strip():
            raise UsageError("--api-key-env is empty: name the environment variable that holds the key")
        value = os.environ.get(self.api_key_env)
        if value is None:
            raise UsageError(f"--api-key-env: environment variable {self.api_key_env} is not set")
        if not value:
            raise UsageError(f"--api-key-env: environment variable {self.api_key_env} is empty")
        return value


def option_spelling(token: str) -> str:
    """The option a token names as cyclopts matches it: ``_`` and ``-`` are the same to it.

    cyclopts takes ``--api_key``, ``-_api-key`` and ``--api-key_env`` for
    ``--api-key`` and ``--api-key-env`` (it compares names with every ``_``
    read as ``-``), so the masking below must read them the same way.
    """
    return token.replace("_", "-")


def secrets_in_argv(argv: list[str]) -> list[str]:
    """The API keys a command line names, to mask them in anything printed.

    Taken from the raw arguments so that even a line cyclopts rejects (a key
    pasted in the wrong place) cannot be echoed back in its error message.
    Every spelling cyclopts accepts for ``--api-key`` and ``--api-key-env``
    counts, in both the ``--flag VALUE`` and the ``--flag=VALUE`` forms.
    """
    found: list[str] = []
    key_env = DEFAULT_API_KEY_ENV
    for index, token in enumerate(argv):
        following = argv[index + 1] if index + 1 < len(argv) else None
        name, equals, _ = option_spelling(token).partition("=")
        value = token[len(name) + 1 :] if equals else following
        if name == "--api-key" and value is not None:
            found.append(value)
        elif name == "--api-key-env" and value is not None:
            key_env = value
    from_env = os.environ.get(key_env) if key_env else None
    if from_env:
        found.append(from_env)
    return [secret for secret in found if secret]
