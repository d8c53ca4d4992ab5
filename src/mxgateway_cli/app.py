"""The cyclopts application behind ``mxgw-py``.

Heavy imports (grpclib, protobuf, the bindings) happen inside commands, so
``mxgw-py version`` starts fast. Every command returns a ``Job`` that
``run`` executes, which lets ``batch`` reuse one connection for many lines.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import json
import shlex
import sys
from dataclasses import dataclass
from typing import Annotated, Any

from cyclopts import App, Parameter
from cyclopts.exceptions import CycloptsError

from mxgateway._protocol import GATEWAY_PROTOCOL_VERSION
from mxgateway._version import __version__
from mxgateway_cli import _commands as act
from mxgateway_cli._connection import Connection, UsageError, secrets_in_argv
from mxgateway_cli._jobs import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Job,
    Output,
    error_document,
    execute,
    exit_code_for,
    report_error,
    run_action,
)

app = App(
    name="mxgw-py",
    help="MXAccess Gateway command line client. Exit codes: 0 ok, 1 command or MXAccess failure, "
    "2 usage error, 3 timeout, 4 authentication/authorization, 5 gateway unavailable.",
    version=__version__,
)

JsonFlag = Annotated[bool, Parameter(name="--json", negative="", help="Print one JSON document.")]
SessionId = Annotated[str, Parameter(name="--session-id", help="Gateway session id (from open-session).")]
ServerHandle = Annotated[int, Parameter(name="--server-handle", help="Server handle (from register).")]
ItemHandle = Annotated[int, Parameter(name="--item-handle", help="Item handle (from add-item).")]
TypeFlag = Annotated[
    str | None,
    Parameter(
        name="--type", help="Value type: bool, int32, int64, float, double, string, time, elapsed_time."
    ),
]
NO_CONNECTION = Connection()


@Parameter(name="*")
@dataclass
class OnSession:
    session_id: SessionId

    def handles(self) -> tuple[int, ...]:
        return ()


@Parameter(name="*")
@dataclass
class OnServer:
    session_id: SessionId
    server_handle: ServerHandle

    def handles(self) -> tuple[int, ...]:
        return (self.server_handle,)


@Parameter(name="*")
@dataclass
class OnItem:
    session_id: SessionId
    server_handle: ServerHandle
    item_handle: ItemHandle

    def handles(self) -> tuple[int, ...]:
        return (self.server_handle, self.item_handle)


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


@app.command
def version(*, json_output: JsonFlag = False) -> int:
    """Print the client version, the gateway protocol version and library versions."""
    # Read from distribution metadata: importing grpclib or protobuf here would
    # slow every CLI start.
    document = {
        "package": "mxaccess-gateway-client",
        "version": __version__,
        "gatewayProtocolVersion": GATEWAY_PROTOCOL_VERSION,
        "protobuf": _dist_version("protobuf"),
        "grpclib": _dist_version("grpclib"),
    }
    if json_output:
        _emit_json(document)
    else:
        print(
            f"mxgw-py {document['version']} (gateway protocol {GATEWAY_PROTOCOL_VERSION}, "
            f"protobuf {document['protobuf']}, grpclib {document['grpclib']})"
        )
    return 0


# ------------------------------------------------------------------ sessions


@app.command(name="open-session")
def open_session(
    *, connection: Connection = NO_CONNECTION, client_name: str = "mxgw-py", json_output: JsonFlag = False
) -> Job:
    """Open a gateway session and print its id (the session stays open)."""
    return Job(act.open_session(client_name), connection, json_output)


@app.command(name="close-session")
def close_session(
    *, connection: Connection = NO_CONNECTION, session_id: SessionId, json_output: JsonFlag = False
) -> Job:
    """Close a session (closing a closed session succeeds)."""
    return Job(act.close_session(session_id), connection, json_output)


def _helper(
    command: str,
    connection: Connection,
    target: OnSession | OnServer | OnItem,
    json_output: bool,
    method: str,
    *args: Any,
    key: str = "",
    **kwargs: Any,
) -> Job:
    """A command that calls one typed session helper on ``target``'s handles."""
    action = act.helper_call(command, target.session_id, method, (*target.handles(), *args), kwargs, key)
    return Job(action, connection, json_output)


@app.command
def register(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnSession,
    client_name: str,
    json_output: JsonFlag = False,
) -> Job:
    """Register with MXAccess; prints the server handle."""
    return _helper("register", connection, target, json_output, "register", client_name, key="serverHandle")


@app.command
def unregister(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    json_output: JsonFlag = False,
) -> Job:
    """Unregister a server handle."""
    return _helper("unregister", connection, target, json_output, "unregister")


@app.command(name="add-item")
def add_item(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item: str,
    json_output: JsonFlag = False,
) -> Job:
    """Add an item (e.g. Object.Attribute); prints the item handle."""
    return _helper("add-item", connection, target, json_output, "add_item", item, key="itemHandle")


@app.command(name="add-item2")
def add_item2(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item: str,
    item_context: str = "",
    json_output: JsonFlag = False,
) -> Job:
    """AddItem2: add an item with a context string; prints the item handle."""
    return _helper(
        "add-item2",
        connection,
        target,
        json_output,
        "add_item2",
        item,
        item_context,
        key="itemHandle",
    )


def _item_command(command: str, method: str, summary: str) -> None:
    def run(
        *,
        connection: Connection = NO_CONNECTION,
        target: OnItem,
        json_output: JsonFlag = False,
    ) -> Job:
        return _helper(command, connection, target, json_output, method)

    run.__doc__ = summary
    app.command(run, name=command)


for _name, _method, _summary in (
    ("remove-item", "remove_item", "Remove an item."),
    ("advise", "advise", "Advise an item: its data changes arrive on the event stream."),
    (
        "advise-supervisory",
        "advise_supervisory",
        "Advise an item as a supervisory client (MXAccess AdviseSupervisory).",
    ),
    ("unadvise", "unadvise", "Stop the data changes of an item."),
    ("suspend", "suspend", "Suspend an advised item."),
    ("activate", "activate", "Activate a suspended item."),
):
    _item_command(_name, _method, _summary)


@app.command
def ping(*, connection: Connection = NO_CONNECTION, target: OnSession, json_output: JsonFlag = False) -> Job:
    """Round trip to the session's worker."""
    return _helper("ping", connection, target, json_output, "ping")


@app.command(name="get-session-state")
def get_session_state(
    *, connection: Connection = NO_CONNECTION, target: OnSession, json_output: JsonFlag = False
) -> Job:
    """Print the session and worker state."""
    return _helper(
        "get-session-state", connection, target, json_output, "get_session_state", key="sessionState"
    )


# -------------------------------------------------------------------- writes


@app.command
def write(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnItem,
    value: str,
    type: TypeFlag = None,
    user_id: int = 0,
    json_output: JsonFlag = False,
) -> Job:
    """Write a value (the outcome also arrives as OnWriteComplete on the event stream)."""
    parsed = act.parse_value(value, type)
    return _helper(
        "write",
        connection,
        target,
        json_output,
        "write",
        parsed,
        type=type,
        user_id=user_id,
    )


@app.command
def write2(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnItem,
    value: str,
    timestamp: str,
    type: TypeFlag = None,
    user_id: int = 0,
    json_output: JsonFlag = False,
) -> Job:
    """Write a value with a timestamp (ISO 8601 with offset or Z)."""
    parsed, stamp = act.parse_value(value, type), act.parse_timestamp(timestamp)
    return _helper(
        "write2",
        connection,
        target,
        json_output,
        "write2",
        parsed,
        stamp,
        type=type,
        user_id=user_id,
    )


@app.command(name="write-secured")
def write_secured(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnItem,
    value: str,
    current_user_id: int,
    verifier_user_id: int = 0,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """Secured write by an authenticated user (and a verifier for verified attributes)."""
    parsed = act.parse_value(value, type)
    return _helper(
        "write-secured",
        connection,
        target,
        json_output,
        "write_secured",
        parsed,
        current_user_id=current_user_id,
        verifier_user_id=verifier_user_id,
        type=type,
    )


@app.command(name="write-secured2")
def write_secured2(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnItem,
    value: str,
    timestamp: str,
    current_user_id: int,
    verifier_user_id: int = 0,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """Secured write with a timestamp."""
    parsed, stamp = act.parse_value(value, type), act.parse_timestamp(timestamp)
    return _helper(
        "write-secured2",
        connection,
        target,
        json_output,
        "write_secured2",
        parsed,
        stamp,
        current_user_id=current_user_id,
        verifier_user_id=verifier_user_id,
        type=type,
    )


@app.command(name="authenticate-user")
def authenticate_user(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    user_name: str,
    password_env: str | None = None,
    json_output: JsonFlag = False,
) -> Job:
    """Authenticate an MXAccess user; the password comes from --password-env VAR or a prompt."""
    password = act.read_password(password_env)
    return _helper(
        "authenticate-user",
        connection,
        target,
        json_output,
        "authenticate_user",
        user_name,
        password,
        key="userId",
    )


# ---------------------------------------------------------------------- bulk


@app.command(name="subscribe-bulk")
def subscribe_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    items: str,
    json_output: JsonFlag = False,
) -> Job:
    """Add and advise a comma-separated list of items."""
    return _helper(
        "subscribe-bulk",
        connection,
        target,
        json_output,
        "subscribe_bulk",
        act.csv(items, "--items"),
    )


@app.command(name="unsubscribe-bulk")
def unsubscribe_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    json_output: JsonFlag = False,
) -> Job:
    """Unadvise and remove a comma-separated list of item handles."""
    return _helper(
        "unsubscribe-bulk",
        connection,
        target,
        json_output,
        "unsubscribe_bulk",
        act.csv_ints(item_handles, "--item-handles"),
    )


@app.command(name="read-bulk")
def read_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    items: str,
    timeout_ms: int = 0,
    json_output: JsonFlag = False,
) -> Job:
    """Read a comma-separated list of items (cached when already advised)."""
    return _helper(
        "read-bulk",
        connection,
        target,
        json_output,
        "read_bulk",
        act.csv(items, "--items"),
        timeout_ms=timeout_ms,
    )


def _pairs(item_handles: str, values: str, type_name: str | None) -> list[tuple[int, object]]:
    handles = act.csv_ints(item_handles, "--item-handles")
    texts = act.csv(values, "--values")
    if len(handles) != len(texts):
        raise UsageError(f"--item-handles has {len(handles)} entries but --values has {len(texts)}")
    return [(h, act.parse_value(v, type_name)) for h, v in zip(handles, texts, strict=True)]


@app.command(name="write-bulk")
def write_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    values: str,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """Write values to item handles, pairwise (per-entry results in input order)."""
    return _helper(
        "write-bulk",
        connection,
        target,
        json_output,
        "write_bulk",
        _pairs(item_handles, values, type),
        type=type,
    )


@app.command(name="write2-bulk")
def write2_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    values: str,
    timestamp: str,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """Write2 for many items with one timestamp."""
    stamp = act.parse_timestamp(timestamp)
    entries = [(h, v, stamp) for h, v in _pairs(item_handles, values, type)]
    return _helper("write2-bulk", connection, target, json_output, "write2_bulk", entries, type=type)


@app.command(name="write-secured-bulk")
def write_secured_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    values: str,
    current_user_id: int,
    verifier_user_id: int = 0,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """WriteSecured for many items."""
    return _helper(
        "write-secured-bulk",
        connection,
        target,
        json_output,
        "write_secured_bulk",
        _pairs(item_handles, values, type),
        current_user_id=current_user_id,
        verifier_user_id=verifier_user_id,
        type=type,
    )


@app.command(name="write-secured2-bulk")
def write_secured2_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    values: str,
    timestamp: str,
    current_user_id: int,
    verifier_user_id: int = 0,
    type: TypeFlag = None,
    json_output: JsonFlag = False,
) -> Job:
    """WriteSecured2 for many items with one timestamp."""
    stamp = act.parse_timestamp(timestamp)
    entries = [(h, v, stamp) for h, v in _pairs(item_handles, values, type)]
    return _helper(
        "write-secured2-bulk",
        connection,
        target,
        json_output,
        "write_secured2_bulk",
        entries,
        current_user_id=current_user_id,
        verifier_user_id=verifier_user_id,
        type=type,
    )


# -------------------------------------------------------------------- events


@app.command(name="stream-events")
def stream_events(
    *,
    connection: Connection = NO_CONNECTION,
    session_id: SessionId,
    max_events: int = 0,
    timeout: float | None = None,
    after_sequence: int = 0,
    json_output: JsonFlag = False,
    ndjson: Annotated[
        bool, Parameter(negative="", help="Print one JSON event per line as it arrives.")
    ] = False,
) -> Job:
    """Stream the session's events until --max-events (0: no limit) or --timeout (success)."""
    action = act.stream_events(session_id, max_events, timeout, after_sequence, ndjson)
    return Job(action, connection, json_output or ndjson, ndjson=ndjson)


@app.command
def smoke(
    *,
    connection: Connection = NO_CONNECTION,
    item: str = "Object.Attribute",
    max_events: int = 1,
    timeout: float = 30.0,
    value: str | None = None,
    type: TypeFlag = None,
    simulate: Annotated[
        bool, Parameter(negative="", help="Run against the built-in simulated gateway.")
    ] = False,
    json_output: JsonFlag = False,
) -> Job:
    """Open, register, add, advise, stream events, write, see the write complete, close."""
    return Job(act.smoke(item, max_events, timeout, value, type), connection, json_output, simulated=simulate)


# --------------------------------------------------------- batch and simulate

BATCH_END_OF_RESULT = "__MXGW_BATCH_EOR__"
# Commands that cannot share batch's connection: they run their own server or
# read stdin themselves.
NOT_IN_BATCH = ("batch", "simulate")


@app.command
def batch(*, connection: Connection = NO_CONNECTION, json_output: JsonFlag = False) -> Job:
    """Run one command per stdin line on this command's connection.

    After each line's result a line __MXGW_BATCH_EOR__ follows; a failing line
    prints {"error": ..., "type": "error", ...} and the loop goes on; an empty
    line or end of input stops. Connection flags on a line are ignored (with a
    warning on stderr): every line uses batch's own connection.
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
                argv = shlex.split(line)
                secrets += secrets_in_argv(argv)
                job = _parse_batch_line(argv)
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
            line = sys.stdin.readline()
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


def _parse_batch_line(argv: list[str]) -> Job | None:
    """The job for one batch line; None when the line already printed its output (version, --help)."""
    if argv and argv[0] in NOT_IN_BATCH:
        raise UsageError(f"{argv[0]} cannot run inside batch")
    try:
        result = app(argv, result_action="return_value", exit_on_error=False, print_error=False)
    except CycloptsError as error:
        raise UsageError(str(error).strip()) from None
    if not isinstance(result, Job):
        return None
    if result.simulated:
        raise UsageError("smoke --simulate cannot run inside batch: batch lines use batch's connection")
    if result.connection != NO_CONNECTION:
        print("warning: connection flags on a batch line are ignored", file=sys.stderr)
    return result


@app.command
def simulate(
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    galaxy: str | None = None,
    api_key: Annotated[
        list[str] | None, Parameter(help="Accept this key (repeatable); none: no auth.")
    ] = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    json_output: JsonFlag = False,
) -> int:
    """Run the simulated gateway until interrupted (Ctrl-C exits 0)."""
    from mxgateway.testing import serve_forever

    def ready(simulator: Any) -> None:
        document = {"endpoint": simulator.endpoint, "tls": simulator.tls, "auth": bool(api_key)}
        if json_output:
            _emit_json(document)
        else:
            print(
                f"simulated MXAccess Gateway on {simulator.endpoint} "
                f"({'TLS' if simulator.tls else 'plaintext'}); "
                "Ctrl-C stops it",
                flush=True,
            )

    if (tls_cert is None) != (tls_key is None):
        return report_error(UsageError("--tls-cert and --tls-key go together"), json_output, [])
    try:
        serve_forever(
            host=host,
            port=port,
            galaxy_path=galaxy,
            api_keys=api_key,
            tls_cert=tls_cert,
            tls_key=tls_key,
            ready=ready,
        )
    except KeyboardInterrupt:
        return EXIT_OK
    except (OSError, ValueError) as error:  # port in use, missing files, a bad galaxy
        return report_error(error, json_output, list(api_key or ()))
    return EXIT_OK


# ------------------------------------------------------------------- running


def run(argv: list[str]) -> int:
    """Run one ``mxgw-py`` command line in this process; returns the exit code."""
    json_mode = "--json" in argv or "--ndjson" in argv
    secrets = secrets_in_argv(argv)
    try:
        result = app(argv, result_action="return_value", exit_on_error=False, print_error=False)
    except CycloptsError as error:
        return report_error(UsageError(str(error).strip()), json_mode, secrets)
    except KeyboardInterrupt as interrupted:
        return report_error(interrupted, json_mode, secrets)
    except Exception as error:  # a bad value, a password prompt without input: never a traceback
        return report_error(error, json_mode, secrets)
    if isinstance(result, Job):
        return _run_simulated(result, secrets) if result.simulated else execute(result, secrets)
    return result if isinstance(result, int) else EXIT_OK


def _run_simulated(job: Job, secrets: list[str]) -> int:
    """``smoke --simulate``: the job against a simulator on a thread of this process."""
    from dataclasses import replace

    from mxgateway.testing import run_simulator_in_thread

    try:
        with run_simulator_in_thread() as simulator:
            connection = replace(
                job.connection, endpoint=simulator.endpoint, plaintext=True, tls=False, api_key=None
            )
            return execute(replace(job, connection=connection, simulated=False), secrets)
    except KeyboardInterrupt as interrupted:
        return report_error(interrupted, job.json_mode, secrets)


__all__ = ["BATCH_END_OF_RESULT", "EXIT_USAGE", "app", "run"]
