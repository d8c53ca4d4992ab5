"""``mxgw-py batch``: one command per stdin line, all on batch's own connection."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import Any

from mxgateway_cli._connection import Connection, UsageError, secrets_in_argv
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag
from mxgateway_cli._jobs import EXIT_INTERRUPTED, Job, Output, error_document, exit_code_for, run_action
from mxgateway_cli._split import split_words

BATCH_END_OF_RESULT = "__MXGW_BATCH_EOR__"
# Longer lines are refused (and skipped to their end) before they are split:
# 1 MiB holds a bulk command of tens of thousands of entries, and bounds what
# one line can make this process hold.
MAX_LINE_CHARACTERS = 1024 * 1024
# Commands that cannot share batch's connection: they run their own server or
# read stdin themselves.
NOT_IN_BATCH = ("batch", "simulate")

LineParser = Callable[[list[str]], "Job | None"]


class LineTooLong(UsageError):
    """A batch line longer than ``MAX_LINE_CHARACTERS``."""


def batch_command(parse_line: LineParser) -> Callable[..., Job]:
    """The ``batch`` command; ``parse_line`` turns one line's words into its job."""

    def batch(*, connection: Connection = NO_CONNECTION, json_output: JsonFlag = False) -> Job:
        """Run one command per stdin line on this command's connection.

        After each line's result a line __MXGW_BATCH_EOR__ follows; a failing line
        prints {"error": ..., "type": "error", ...} and the loop goes on; an empty
        line or end of input stops. Lines are split like a POSIX shell and may be
        at most 1 MiB (1,048,576 characters). Connection flags on a line are
        ignored (with a warning on stderr): every line uses batch's own connection.
        """

        async def action(client: Any, out: Output) -> None:
            import asyncio

            while True:
                line = await _read_stdin_line()
                if not line.strip():
                    return
                secrets = list(out.secrets)
                interrupted = False
                try:
                    if len(line) > MAX_LINE_CHARACTERS:
                        raise LineTooLong(f"batch line longer than {MAX_LINE_CHARACTERS} characters: skipped")
                    try:
                        argv = split_words(line)
                    except ValueError as error:
                        raise UsageError(f"cannot split the line into words: {error}") from None
                    secrets += secrets_in_argv(argv)
                    job = parse_line(argv)
                    if job is not None:
                        await run_action(job, client, Output(job.json_mode, job.ndjson, secrets))
                except Exception as error:  # one bad line does not end the batch
                    code = exit_code_for(error)
                    interrupted = code == EXIT_INTERRUPTED
                    Output(True, secrets=secrets).document(_batch_error(error, code))
                out.text(BATCH_END_OF_RESULT)
                if interrupted:  # Ctrl-C during a line ends the batch, not just the line
                    raise asyncio.CancelledError

        return Job(action, connection, json_output)

    return batch


def read_bounded_line(stream: Any, limit: int = MAX_LINE_CHARACTERS) -> str:
    """The next line of ``stream``; a longer one is read to its end and returned cut to limit + 1.

    Reading in bounded pieces keeps a line of any length from being held
    whole: the caller sees that it was too long by its length alone.
    """
    line: str = stream.readline(limit + 1)
    if len(line) <= limit or line.endswith("\n"):
        return line
    while True:  # skip the rest of the overlong line
        rest: str = stream.readline(limit)
        if not rest or rest.endswith("\n"):
            return line


async def _read_stdin_line() -> str:
    """The next stdin line, read on a daemon thread.

    Not ``asyncio.to_thread``: the executor's threads are joined when the
    loop closes, so Ctrl-C while ``batch`` waits for input would hang until
    the next line. A daemon thread blocked in ``readline`` holds nothing up.
    """
    import asyncio
    import threading

    loop = asyncio.get_running_loop()
    arrived: asyncio.Future[str] = loop.create_future()

    def deliver(line: str | None, error: BaseException | None) -> None:
        if arrived.done():
            return
        if error is not None:
            arrived.set_exception(error)
        else:
            arrived.set_result(line or "")

    def read() -> None:
        line: str | None = None
        failure: BaseException | None = None
        try:
            line = read_bounded_line(sys.stdin)
        except Exception as error:  # stdin closed or undecodable: ends the batch with that error
            failure = error
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile (Ctrl-C)
            loop.call_soon_threadsafe(deliver, line, failure)

    threading.Thread(target=read, name="mxgw-py-batch-stdin", daemon=True).start()
    return await arrived


def _batch_error(error: Exception, code: int) -> dict[str, Any]:
    """A line's error document: ``type`` is always "error", the class is ``errorType``."""
    details = error_document(error, code)
    document: dict[str, Any] = {
        "error": details.pop("error"),
        "type": "error",
        "errorType": details.pop("type"),
        "exitCode": details.pop("exitCode"),
    }
    document.update(details)
    return document
