"""The cyclopts application behind ``mxgw-py``.

Heavy imports (grpclib, protobuf, the bindings) happen inside commands, so
``mxgw-py version`` starts fast; only public names of ``mxgateway`` are
used. Every gateway command returns a ``Job`` that ``run`` executes, which
lets ``batch`` reuse one connection for many lines.

The top-level help lists the MXAccess commands in panels (sessions, items,
writes, bulk, events) and each newer family as one sub-app line
(``alarms``, ``galaxy``).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Annotated, Any

from cyclopts import App, Group, Parameter
from cyclopts.exceptions import CycloptsError

import mxgateway
from mxgateway_cli._alarm_commands import register_alarm_commands
from mxgateway_cli._batch import BATCH_END_OF_RESULT, NOT_IN_BATCH, batch_command
from mxgateway_cli._connection import UsageError, secrets_in_argv
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag
from mxgateway_cli._galaxy_commands import register_galaxy_commands
from mxgateway_cli._inputs import Port
from mxgateway_cli._jobs import EXIT_OK, EXIT_USAGE, Job, execute, report_error
from mxgateway_cli._session_commands import register_session_commands
from mxgateway_cli._tag_commands import register_tag_commands

app = App(
    name="mxgw-py",
    help="MXAccess Gateway command line client. Exit codes: 0 ok, 1 command or MXAccess failure, "
    "2 usage error, 3 timeout, 4 authentication/authorization, 5 gateway unavailable.",
    version=mxgateway.__version__,
)
FAMILIES = Group("Families (each has its own --help)", sort_key=6)
TOOLS = Group("Tools", sort_key=7)


def _dist_version(name: str) -> str:
    """The installed version of ``name``, from its ``<name>-<version>.dist-info`` directory.

    What importlib.metadata finds, without importing it: it costs a quarter
    of this command's start-up (it brings the email package along).
    """
    prefix = name.replace("-", "_").lower() + "-"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for found in names:  # wheels name it <name with _ for ->-<version>.dist-info
            if found.endswith(".dist-info") and found.lower().startswith(prefix):
                return found[len(prefix) : -len(".dist-info")]
    return "not installed"


def _emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


@app.command(group=TOOLS)
def version(*, json_output: JsonFlag = False) -> int:
    """Print the client version, the gateway protocol version and library versions."""
    # Read from distribution metadata: importing grpclib or protobuf here would
    # slow every CLI start.
    document = {
        "command": "version",
        "ok": True,
        "package": "mxaccess-gateway-client",
        "version": mxgateway.__version__,
        "gatewayProtocolVersion": mxgateway.GATEWAY_PROTOCOL_VERSION,
        "protobuf": _dist_version("protobuf"),
        "grpclib": _dist_version("grpclib"),
    }
    if json_output:
        _emit_json(document)
    else:
        print(
            f"mxgw-py {document['version']} (gateway protocol {document['gatewayProtocolVersion']}, "
            f"protobuf {document['protobuf']}, grpclib {document['grpclib']})"
        )
    return 0


register_session_commands(app)
register_alarm_commands(app, FAMILIES)
register_galaxy_commands(app, FAMILIES)
register_tag_commands(app)


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
    if result.reconnect is not None:
        raise UsageError("stream-events --follow cannot run inside batch: batch lines use batch's connection")
    if result.simulated:
        raise UsageError("smoke --simulate cannot run inside batch: batch lines use batch's connection")
    if result.connection != NO_CONNECTION:
        print("warning: connection flags on a batch line are ignored", file=sys.stderr)
    return result


app.command(batch_command(_parse_batch_line), name="batch", group=TOOLS)


@app.command(group=TOOLS)
def simulate(
    *,
    host: str = "127.0.0.1",
    port: Port = 5000,
    galaxy: str | None = None,
    api_key: Annotated[
        list[str] | None, Parameter(help="Accept this key (repeatable); none: no auth.")
    ] = None,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    json_output: JsonFlag = False,
) -> int:
    """Run the simulated gateway until interrupted (Ctrl-C or SIGTERM exits 0)."""
    from mxgateway.testing import serve_forever

    def ready(simulator: Any) -> None:
        document = {
            "command": "simulate",
            "ok": True,
            "endpoint": simulator.endpoint,
            "tls": simulator.tls,
            "auth": bool(api_key),
        }
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
        with _sigterm_as_interrupt():
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


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops ``simulate`` like Ctrl-C (exit 0, the server closed).

    Service managers and scripts stop processes with SIGTERM; and a
    background process of a non-interactive shell (``cmd &``, ``coproc``)
    starts with SIGINT ignored, so SIGTERM is the one way to stop it cleanly.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
                job.connection,
                endpoint=simulator.endpoint,
                plaintext=True,
                tls=False,
                api_key=None,
                api_key_env=None,
            )
            return execute(replace(job, connection=connection, simulated=False), secrets)
    except KeyboardInterrupt as interrupted:
        return report_error(interrupted, job.json_mode, secrets)


__all__ = ["BATCH_END_OF_RESULT", "EXIT_USAGE", "app", "run"]
