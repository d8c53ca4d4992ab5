"""mxgw-py in-process against the simulator: JSON, exit codes, batch, auth, TLS."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mxgateway.testing import (
    ThreadedSimulator,
    generate_api_key,
    make_test_certificates,
    run_simulator_in_thread,
)
from mxgateway_cli.app import run

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


class Cli:
    def __init__(
        self, capsys: pytest.CaptureFixture[str], endpoint: str, extra: list[str] | None = None
    ) -> None:
        self.capsys = capsys
        self.connection = ["--endpoint", endpoint, "--plaintext", *(extra or [])]

    def __call__(self, *argv: str, connect: bool = True) -> tuple[int, str, str]:
        code = run([*argv, *(self.connection if connect else [])])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *argv: str) -> Any:
        code, out, err = self(*argv, "--json")
        assert code == 0, (out, err)
        assert out.count("\n") == 1, out  # exactly one JSON document
        return json.loads(out)


@pytest.fixture
def cli(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys, sim.endpoint)


def open_item(cli: Cli, item: str = "Object.Attribute") -> tuple[str, int, int]:
    session = cli.json("open-session", "--client-name", "cli-test")["sessionId"]
    server = cli.json("register", "--session-id", session, "--client-name", "python-client")["serverHandle"]
    handle = cli.json("add-item", "--session-id", session, "--server-handle", str(server), "--item", item)[
        "itemHandle"
    ]
    return session, server, handle


def golden(name: str, document: Any) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text("utf-8"))
    assert document == expected


def test_readme_command_sequence(capsys: pytest.CaptureFixture[str]) -> None:
    from tests.support.loops import ManualClock

    # A stopped clock: no value moves on its own, so the events after the write are the write's.
    with run_simulator_in_thread(clock=ManualClock()) as still:
        _readme_command_sequence(Cli(capsys, still.endpoint))


def _readme_command_sequence(cli: Cli) -> None:
    opened = cli.json("open-session")
    assert opened["sessionId"].startswith("session-") and opened["gatewayProtocolVersion"] == 3
    session = opened["sessionId"]
    registered = cli.json("register", "--session-id", session, "--client-name", "python-client")
    golden("register", registered)
    added = cli.json(
        "add-item", "--session-id", session, "--server-handle", "1", "--item", "Object.Attribute"
    )
    golden("add-item", added)
    golden(
        "advise", cli.json("advise", "--session-id", session, "--server-handle", "1", "--item-handle", "1")
    )
    streamed = cli.json("stream-events", "--session-id", session, "--max-events", "1", "--timeout", "10")
    assert len(streamed["events"]) == 1
    event = streamed["events"][0]
    assert event["family"] == "MX_EVENT_FAMILY_ON_DATA_CHANGE"
    assert event["onDataChange"]["value"]["variantType"] == "VT_I4"
    assert streamed["lastWorkerSequence"] == event["workerSequence"] and isinstance(
        event["workerSequence"], int
    )
    written = cli.json(
        "write",
        "--session-id",
        session,
        "--server-handle",
        "1",
        "--item-handle",
        "1",
        "--type",
        "int32",
        "--value",
        "123",
    )
    golden("write", written)
    after = cli.json(
        "stream-events",
        "--session-id",
        session,
        "--max-events",
        "1",
        "--timeout",
        "10",
        "--after-sequence",
        str(streamed["lastWorkerSequence"]),
    )
    assert after["events"][0]["family"] == "MX_EVENT_FAMILY_ON_WRITE_COMPLETE"
    closed = cli.json("close-session", "--session-id", session)
    assert closed == {"command": "close-session", "ok": True, "sessionId": session, "finalState": "CLOSED"}


def test_same_input_same_bytes(cli: Cli) -> None:
    session, _server, _handle = open_item(cli)
    outputs = {cli("get-session-state", "--session-id", session, "--json")[1] for _ in range(2)}
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == {
        "command": "get-session-state",
        "ok": True,
        "sessionState": {"state": "READY", "workerState": "Running"},
    }


def test_bulk_commands(cli: Cli) -> None:
    session, server, _ = open_item(cli)
    subscribed = cli.json(
        "subscribe-bulk",
        "--session-id",
        session,
        "--server-handle",
        str(server),
        "--items",
        "Object.Attribute,Tank1.Setpoint",
    )
    handles = [r["itemHandle"] for r in subscribed["results"]]
    assert [r["tagAddress"] for r in subscribed["results"]] == ["Object.Attribute", "Tank1.Setpoint"]
    written = cli.json(
        "write-bulk",
        "--session-id",
        session,
        "--server-handle",
        str(server),
        "--item-handles",
        ",".join(map(str, handles)),
        "--type",
        "int32",
        "--values",
        "5,6",
    )
    assert [r["wasSuccessful"] for r in written["results"]] == [True, True]
    read = cli.json(
        "read-bulk",
        "--session-id",
        session,
        "--server-handle",
        str(server),
        "--items",
        "Tank1.Setpoint,Missing.Item",
    )
    assert read["ok"] is False
    assert [r["wasSuccessful"] for r in read["results"]] == [True, False]
    assert read["results"][0]["value"]["floatValue"] == 6.0  # an int32 write to a FLOAT attribute
    unsubscribed = cli.json(
        "unsubscribe-bulk",
        "--session-id",
        session,
        "--server-handle",
        str(server),
        "--item-handles",
        ",".join(map(str, handles)),
    )
    assert unsubscribed["ok"] is True


def test_exit_codes(sim: ThreadedSimulator, cli: Cli) -> None:
    session, server, handle = open_item(cli, "Tank1.Level")  # read-only in the default galaxy
    # 2: usage errors (missing argument, bad value, mismatched lists)
    assert cli("register", "--session-id", session)[0] == 2
    code, out, _ = cli(
        "write",
        "--session-id",
        session,
        "--server-handle",
        "1",
        "--item-handle",
        "1",
        "--type",
        "int32",
        "--value",
        "abc",
        "--json",
    )
    assert code == 2 and json.loads(out)["exitCode"] == 2
    assert (
        cli(
            "write-bulk",
            "--session-id",
            session,
            "--server-handle",
            "1",
            "--item-handles",
            "1,2",
            "--values",
            "1",
        )[0]
        == 2
    )
    # 1: an MXAccess failure (the item is not advised yet)
    code, out, _ = cli(
        "write",
        "--session-id",
        session,
        "--server-handle",
        str(server),
        "--item-handle",
        str(handle),
        "--type",
        "double",
        "--value",
        "1",
        "--json",
    )
    error = json.loads(out)
    assert code == 1 and error["type"] == "MxAccessError" and error["hresult"] == -2147024809
    # 1: an unknown session is a command failure
    assert cli("ping", "--session-id", "session-" + "0" * 32)[0] == 1
    # 3: timeout
    sim.set_reply_delay(1.0)
    try:
        assert cli("ping", "--session-id", session, "--call-timeout", "0.2")[0] == 3
    finally:
        sim.set_reply_delay(0.0)
    # 5: nothing listening
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, out, err = cli("ping", "--session-id", session, "--endpoint", f"127.0.0.1:{port}", connect=False)
    assert code == 5 and "error:" in err and "Traceback" not in err


def test_auth_exit_code_and_key_never_printed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_api_key("cli")
    with run_simulator_in_thread(api_keys={key: ["session:open", "invoke:read"]}) as secured:
        no_key = Cli(capsys, secured.endpoint)
        code, out, _ = no_key("open-session", "--json")
        assert code == 4 and json.loads(out)["type"] == "AuthenticationError"
        monkeypatch.setenv("MXGATEWAY_API_KEY", key)
        with_env = Cli(capsys, secured.endpoint)
        session = with_env.json("open-session")["sessionId"]
        code, out, err = with_env("register", "--session-id", session, "--client-name", "c", "--api-key", key)
        assert code == 0 and "visible to other processes" in err
        code, out, err = with_env(
            "write",
            "--session-id",
            session,
            "--server-handle",
            "1",
            "--item-handle",
            "1",
            "--value",
            "1",
            "--type",
            "int32",
            "--json",
        )
        assert code == 4 and "invoke:write" in out
        monkeypatch.setenv("OTHER_KEY_VAR", "mxgw_wrong_" + "Z" * 43)
        code, out, err = with_env("open-session", "--api-key-env", "OTHER_KEY_VAR", "--json")
        assert code == 4
        captured = capsys.readouterr()
        for text in (out, err, captured.out, captured.err):
            assert key not in text and "Z" * 43 not in text


def test_batch_runs_lines_on_one_connection(
    sim: ThreadedSimulator, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, server, handle = open_item(cli)
    lines = [
        f"advise --session-id {session} --server-handle {server} --item-handle {handle} --json",
        f"write --session-id {session} --server-handle {server} --item-handle {handle} --type int32 --value nope --json",
        f"ping --session-id {session} --json",
        "",
        "ping --session-id never-read --json",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    before = sim.statistics()["calls"].get("Invoke", 0)
    code, out, _ = cli("batch")
    assert code == 0
    chunks = out.split("__MXGW_BATCH_EOR__\n")
    assert chunks[-1] == "" and len(chunks) == 4  # three lines ran, the empty line ended it
    assert json.loads(chunks[0])["ok"] is True
    failed = json.loads(chunks[1])
    assert failed["type"] == "error" and "abc" not in failed["error"] and "nope" in failed["error"]
    assert json.loads(chunks[2]) == {"command": "ping", "ok": True}
    assert sim.statistics()["calls"]["Invoke"] - before == 2


def test_stream_events_timeout_is_success_and_ndjson(cli: Cli) -> None:
    session, server, handle = open_item(cli, "Tank1.Setpoint")  # constant: one event, then quiet
    cli.json("advise", "--session-id", session, "--server-handle", str(server), "--item-handle", str(handle))
    code, out, _ = cli(
        "stream-events", "--session-id", session, "--max-events", "5", "--timeout", "0.5", "--ndjson"
    )
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 1 and lines[0]["workerSequence"] == 1
    collected = cli.json(
        "stream-events", "--session-id", session, "--timeout", "0.3", "--after-sequence", "1"
    )
    assert collected == {"command": "stream-events", "ok": True, "events": [], "lastWorkerSequence": 1}


def test_tls_flags_with_test_ca(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    certs = make_test_certificates(tmp_path, "gateway.test")
    with run_simulator_in_thread(tls_cert=certs.cert_file, tls_key=certs.key_file) as secured:
        tls = Cli(capsys, secured.endpoint)
        tls.connection = [
            "--endpoint",
            secured.endpoint,
            "--tls",
            "--ca-file",
            str(certs.ca_file),
            "--server-name-override",
            "gateway.test",
        ]
        assert tls.json("open-session")["sessionId"].startswith("session-")
        tls.connection = ["--endpoint", secured.endpoint, "--tls"]  # system roots do not know the test CA
        code, _out, err = tls("open-session")
        assert code == 5 and "TLS" in err


def test_smoke_against_the_built_in_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    read_only = ["open-session", "register", "add-item", "advise", "stream-events", "close-session"]
    assert run(["smoke", "--simulate", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["command"], document["ok"]) == ("smoke", True)
    assert [s["step"] for s in document["steps"]] == read_only
    assert document["steps"][-1]["finalState"] == "CLOSED"
    assert run(["smoke", "--simulate", "--write", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [s["step"] for s in document["steps"]] == [
        *read_only[:-1],
        "write",
        "write-complete",
        "close-session",
    ]


def test_smoke_failure_still_closes_and_reports_steps(cli: Cli) -> None:
    code, out, _ = cli("smoke", "--item", "Tank1.History", "--timeout", "5", "--json")  # array without []
    document = json.loads(out)
    assert code == 1 and document["ok"] is False
    assert [s["step"] for s in document["steps"]][-2:] == ["error", "close-session"]
    assert "1003" in document["steps"][-2]["error"]


def test_usage_error_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["no-such-command"]) == 2
    assert run(["open-session", "--endpoint", "http://gw:5000", "--json"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert json.loads(captured.out.splitlines()[-1])["type"] == "ClientConfigError"


def _ndjson_stream(sim: ThreadedSimulator, session: str) -> Any:
    import subprocess
    import sys

    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mxgateway_cli",
            "stream-events",
            "--session-id",
            session,
            "--ndjson",
            "--endpoint",
            sim.endpoint,
            "--plaintext",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("interruption", ["gateway-gone", "ctrl-c"])
def test_interrupted_stream_reports_where_to_resume(
    sim: ThreadedSimulator, cli: Cli, interruption: str
) -> None:
    import os
    import signal

    session, server, handle = open_item(cli, "Tank1.Setpoint")
    cli.json("advise", "--session-id", session, "--server-handle", str(server), "--item-handle", str(handle))
    process = _ndjson_stream(sim, session)
    try:
        first = json.loads(process.stdout.readline())  # the client received and printed it
        assert first["workerSequence"] == 1
        if interruption == "gateway-gone":
            sim.drop_connections()
        else:
            os.kill(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    error = json.loads(out.splitlines()[-1])
    expected = (
        (5, "GatewayUnavailableError") if interruption == "gateway-gone" else (130, "KeyboardInterrupt")
    )
    assert (process.returncode, error["type"]) == expected
    assert error["lastWorkerSequence"] == 1
    assert "Traceback" not in err


def test_json_stream_failure_keeps_the_collected_events() -> None:
    import asyncio

    from mxgateway import GatewayUnavailableError, decode_event
    from mxgateway.generated import mxaccess_gateway_pb2 as pb
    from mxgateway_cli._commands import stream_events
    from mxgateway_cli._jobs import Output, PartialResult, error_document

    class Events:
        last_worker_sequence = 0

        async def __aenter__(self) -> Events:
            return self

        async def __aexit__(self, *exc: object) -> None:
            return None

        def __aiter__(self) -> Events:
            return self

        async def __anext__(self) -> Any:
            if self.last_worker_sequence:
                raise GatewayUnavailableError("connection lost")
            self.last_worker_sequence = 7
            return decode_event(pb.MxEvent(worker_sequence=7, family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE))

    class Session:
        def events(self, after_worker_sequence: int = 0) -> Events:
            return Events()

    class Client:
        def attach_session(self, session_id: str) -> Session:
            return Session()

    action = stream_events("session-x", 0, None, 0, ndjson=False)
    with pytest.raises(PartialResult) as caught:
        with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
            runner.run(action(Client(), Output(json_mode=True)))  # type: ignore[arg-type]
    document = error_document(caught.value, 5)
    assert [e["workerSequence"] for e in document["events"]] == [7]
    assert document["lastWorkerSequence"] == 7 and document["type"] == "GatewayUnavailableError"
