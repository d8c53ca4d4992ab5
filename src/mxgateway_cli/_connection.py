"""Connection flags shared by every command that talks to a gateway."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from cyclopts import Parameter

if TYPE_CHECKING:
    from mxgateway import ClientOptions

DEFAULT_ENDPOINT = "localhost:5000"


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

    api_key_env: str = "MXGATEWAY_API_KEY"
    """Environment variable holding the API key."""

    connect_timeout: float = 10.0
    """Seconds to wait for the connection."""

    call_timeout: float = 30.0
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
            api_key = os.environ.get(self.api_key_env) or None
        return ClientOptions(
            endpoint=self.endpoint or os.environ.get("MXGATEWAY_ENDPOINT") or DEFAULT_ENDPOINT,
            api_key=api_key,
            plaintext=plaintext,
            ca_file=self.ca_file,
            server_name_override=self.server_name_override,
            connect_timeout=self.connect_timeout,
            call_timeout=self.call_timeout,
            reconnect=None,  # a command reports a lost gateway (exit 5); stream-events --follow re-attaches
        )


def secrets_in_argv(argv: list[str]) -> list[str]:
    """The API keys a command line names, to mask them in anything printed.

    Taken from the raw arguments so that even a line cyclopts rejects (a key
    pasted in the wrong place) cannot be echoed back in its error message.
    """
    found: list[str] = []
    key_env = "MXGATEWAY_API_KEY"
    for index, token in enumerate(argv):
        following = argv[index + 1] if index + 1 < len(argv) else None
        if token == "--api-key" and following is not None:
            found.append(following)
        elif token.startswith("--api-key="):
            found.append(token.removeprefix("--api-key="))
        elif token == "--api-key-env" and following is not None:
            key_env = following
        elif token.startswith("--api-key-env="):
            key_env = token.removeprefix("--api-key-env=")
    from_env = os.environ.get(key_env)
    if from_env:
        found.append(from_env)
    return [secret for secret in found if secret]
