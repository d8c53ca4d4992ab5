"""Run a command's action against a gateway, print its result, map errors to exit codes.

Commands return a ``Job`` instead of running at once, so that ``batch`` can
run every line on one connection and the other commands each on their own.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mxgateway_cli._connection import Connection, UsageError

if TYPE_CHECKING:
    from mxgateway import GatewayClient

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_TIMEOUT = 3
EXIT_AUTH = 4
EXIT_UNAVAILABLE = 5
EXIT_INTERRUPTED = 130


@dataclass
class Output:
    """What a command prints: one JSON document, or short text for people.

    ``secrets`` (the API key and any ``--api-key`` value from the command
    line) are masked in everything printed, in case an error message echoes
    one; in JSON only string values are masked, so the document stays valid.
    """

    json_mode: bool
    ndjson: bool = False
    secrets: list[str] = field(default_factory=list)

    def document(self, value: dict[str, Any]) -> None:
        self._write(json.dumps(mask_json(value, self.secrets), ensure_ascii=False, allow_nan=False))

    def line(self, value: dict[str, Any]) -> None:
        """One NDJSON line, flushed at once."""
        self.document(value)

    def text(self, value: str) -> None:
        self._write(mask_text(value, self.secrets))

    def _write(self, text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()


def mask_text(text: str, secrets: list[str]) -> str:
    """The library's one masking rule (keys, their escaped forms, anything shaped like a key)."""
    from mxgateway import redact

    return redact(text, secrets)


def mask_json(value: Any, secrets: list[str]) -> Any:
    if not secrets:
        return value
    if isinstance(value, str):
        return mask_text(value, secrets)
    if isinstance(value, dict):
        return {key: mask_json(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_json(item, secrets) for item in value]
    return value


Action = Callable[["GatewayClient", Output], Awaitable[tuple[dict[str, Any], str] | None]]


@dataclass
class Job:
    action: Action
    connection: Connection
    json_mode: bool
    ndjson: bool = False
    simulated: bool = False
    """Run against an in-process simulator instead of ``connection`` (``smoke --simulate``)."""
    reconnect: Any = None
    """A ``ReconnectPolicy`` for a command that re-attaches (``stream-events --follow``)."""


class PartialResult(Exception):
    """A command failed after producing part of its result; both are reported.

    ``partial`` (e.g. the events collected so far, or smoke's steps) goes into
    the JSON error document, ``cause`` decides the message and exit code.
    """

    def __init__(self, cause: BaseException, partial: dict[str, Any]) -> None:
        super().__init__(error_message(cause))
        self.cause = cause
        self.partial = partial


def exit_code_for(error: BaseException) -> int:
    if isinstance(error, PartialResult):
        return exit_code_for(error.cause)
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    from mxgateway import (
        AuthenticationError,
        AuthorizationError,
        DeadlineExceededError,
        GatewayUnavailableError,
    )

    if isinstance(error, UsageError | ValueError):
        return EXIT_USAGE
    if isinstance(error, DeadlineExceededError | TimeoutError):
        return EXIT_TIMEOUT
    if isinstance(error, AuthenticationError | AuthorizationError):
        return EXIT_AUTH
    if isinstance(error, GatewayUnavailableError | ConnectionError):
        return EXIT_UNAVAILABLE
    return EXIT_FAILURE


def error_message(error: BaseException) -> str:
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    return str(error) or type(error).__name__


def error_document(error: BaseException, code: int) -> dict[str, Any]:
    partial = error.partial if isinstance(error, PartialResult) else {}
    shown = error.cause if isinstance(error, PartialResult) else error
    document: dict[str, Any] = {
        **partial,
        "error": error_message(shown),
        "type": type(shown).__name__,
        "exitCode": code,
    }
    hresult = getattr(shown, "hresult", None)
    if hresult is not None:
        from mxgateway_cli._render import status_json

        document["hresult"] = hresult
        document["statuses"] = [status_json(s) for s in getattr(shown, "statuses", ())]
    protocol = getattr(shown, "code", None)
    if isinstance(protocol, str):
        document["protocolStatus"] = protocol
    return document


def report_error(error: BaseException, json_mode: bool, secrets: list[str]) -> int:
    code = exit_code_for(error)
    out = Output(json_mode, secrets=secrets)
    if json_mode:
        out.document(error_document(error, code))
    else:
        shown = error.cause if isinstance(error, PartialResult) else error
        message = mask_text(error_message(shown), secrets)
        print(f"error: {message}", file=sys.stderr)
    return code


async def run_action(job: Job, client: GatewayClient, out: Output) -> None:
    result = await job.action(client, out)
    if result is None:
        return
    document, text = result
    if job.json_mode:
        out.document(document)
    else:
        out.text(text)


def execute(job: Job, secrets: list[str]) -> int:
    """Run one job on its own connection (every command, batch included).

    ``secrets`` are masked in the output; the key in use is added to them.
    """
    secrets = list(secrets)
    try:
        options = job.connection.options()
        if job.reconnect is not None:
            from dataclasses import replace

            options = replace(options, reconnect=job.reconnect)
        if options.api_key:
            secrets.append(options.api_key)
        out = Output(job.json_mode, job.ndjson, secrets)

        async def main() -> None:
            from mxgateway import GatewayClient

            async with await GatewayClient.connect(options) as client:
                await run_action(job, client, out)

        import asyncio  # here, not at the top: `mxgw-py version` never needs it

        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            runner.run(main())
        return EXIT_OK
    except KeyboardInterrupt as interrupted:
        return report_error(interrupted, job.json_mode, secrets)
    except Exception as error:
        return report_error(error, job.json_mode, secrets)
