"""The README's command lines as written, key secrecy, Ctrl-C, TLS default and usage errors."""

from __future__ import annotations

import io
import json
import shlex
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mxgateway.testing import (
    ThreadedSimulator,
    generate_api_key,
    make_test_certificates,
    run_simulator_in_thread,
)
from mxgateway_cli.app import BATCH_END_OF_RESULT, run

# The CLI lines of the client README, verbatim (only <id>, the endpoint and the
# CA path are substituted: tests listen on port 0 and write their own CA).
README_SEQUENCE = [
    "mxgw-py open-session --endpoint localhost:5000 --plaintext --json",
    "mxgw-py register --session-id <id> --client-name python-client --json",
    "mxgw-py add-item --session-id <id> --server-handle 1 --item Object.Attribute --json",
    "mxgw-py advise --session-id <id> --server-handle 1 --item-handle 2 --json",
    "mxgw-py stream-events --session-id <id> --max-events 1 --json",
    "mxgw-py write --session-id <id> --server-handle 1 --item-handle 2 --type int32 --value 123 --json",
]
README_TLS_SMOKE = (
    r"mxgw-py smoke --endpoint mxgateway.example.local:5001 --tls --ca-file C:\certs\mxgateway-ca.pem "
    "--server-name-override mxgateway.example.local --api-key-env MXGATEWAY_API_KEY "
    "--item Object.Attribute --json"
)
README_INTEGRATION_SMOKE = (
    "mxgw-py smoke --endpoint $env:MXGATEWAY_ENDPOINT --plaintext --api-key-env MXGATEWAY_API_KEY "
    "--item $env:MXGATEWAY_TEST_ITEM --json"
)
SUBPROCESS_TIMEOUT = 30
REPO_ROOT = Path(__file__).resolve().parents[2]
STILL_WALL_CLOCK = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def argv_of(line: str, **substitutions: str) -> list[str]:
    for placeholder, value in substitutions.items():
        line = line.replace(placeholder, value)
    words = shlex.split(line, posix=False)
    assert words[0] == "mxgw-py"
    return words[1:]


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, object]:
    code = run(argv)
    captured = capsys.readouterr()
    assert code == 0, (captured.out, captured.err)
    assert captured.out.count("\n") == 1
    document: dict[str, object] = json.loads(captured.out)
    return document


def readme_cli_block() -> list[str]:
    """The lines of the README's tested CLI block (the code block after its marker comment)."""
    text = (REPO_ROOT / "README.md").read_text("utf-8")
    after = text.split("<!-- The block below is run line by line", 1)[1]
    block = after.split("```\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_keeps_the_client_readme_lines() -> None:
    block = readme_cli_block()
    for line in README_SEQUENCE[1:]:  # the per-session lines, verbatim
        assert any(written.split("#")[0].strip() == line for written in block), line
    assert README_SEQUENCE[0] in (REPO_ROOT / "README.md").read_text("utf-8").replace("\n", " ")


def test_readme_sequence_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's block, line by line: the environment once, then each command as written.

    Substituted: the endpoint's value (tests listen on port 0), the key
    placeholder (a key of this test's gateway) and <id> (the printed session id).
    """
    key = generate_api_key("readme")
    block = readme_cli_block()
    exports = [line for line in block if line.startswith("export ")]
    commands = [line for line in block if line.startswith("mxgw-py ")]
    assert len(exports) + len(commands) == len(block)
    with run_simulator_in_thread(api_keys=[key]) as sim:
        for line in exports:
            for assignment in shlex.split(line.split("#")[0])[1:]:
                name, _, value = assignment.partition("=")
                value = {"localhost:5000": sim.endpoint, "<gateway-api-key>": key}.get(value, value)
                monkeypatch.setenv(name, value)
        session = ""
        documents = []
        for line in commands:
            document = run_json(capsys, argv_of(line.split("#")[0], **{"<id>": session}))
            documents.append(document)
            if document["command"] == "open-session":
                session = str(document["sessionId"])
        assert sim.last_authorization("Invoke") == f"Bearer {key}"
    by_command = {d["command"]: d for d in documents}
    assert by_command["register"]["serverHandle"] == 1
    assert [d["itemHandle"] for d in documents if d["command"] == "add-item"] == [1, 2]
    events = by_command["stream-events"]["events"]
    assert isinstance(events, list) and events[0]["itemHandle"] == 2  # Object.Attribute, the advised one
    assert by_command["write"] == {"command": "write", "ok": True}
    assert by_command["close-session"]["finalState"] == "CLOSED"


def test_readme_tls_and_integration_smoke_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    certs = make_test_certificates(tmp_path, "mxgateway.example.local")
    key = generate_api_key("readme")
    monkeypatch.setenv("MXGATEWAY_API_KEY", key)
    monkeypatch.setenv("MXGATEWAY_TEST_ITEM", "Object.Attribute")
    with run_simulator_in_thread(api_keys=[key], tls_cert=certs.cert_file, tls_key=certs.key_file) as tls:
        line = README_TLS_SMOKE.replace("mxgateway.example.local:5001", tls.endpoint)
        smoke = run_json(capsys, argv_of(line, **{r"C:\certs\mxgateway-ca.pem": str(certs.ca_file)}))
        assert smoke["ok"] is True
    with run_simulator_in_thread(api_keys=[key]) as plain:
        line = README_INTEGRATION_SMOKE.replace("$env:MXGATEWAY_ENDPOINT", plain.endpoint)
        smoke = run_json(capsys, argv_of(line, **{"$env:MXGATEWAY_TEST_ITEM": "Object.Attribute"}))
        assert smoke["ok"] is True
        assert plain.last_authorization("OpenSession") == f"Bearer {key}"


def test_tls_is_the_default_and_the_modes_exclude_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MXGATEWAY_PLAINTEXT", raising=False)
    certs = make_test_certificates(tmp_path, "gateway.test")
    with run_simulator_in_thread(tls_cert=certs.cert_file, tls_key=certs.key_file) as tls:
        trusted = ["--endpoint", tls.endpoint, "--ca-file", str(certs.ca_file)]
        opened = run_json(
            capsys, ["open-session", *trusted, "--server-name-override", "gateway.test", "--json"]
        )
        assert str(opened["sessionId"]).startswith("session-")
        # The same gateway asked for plaintext: the TLS server does not answer h2c.
        assert run(["open-session", "--endpoint", tls.endpoint, "--plaintext", "--connect-timeout", "5"]) == 5
        assert run(["open-session", "--endpoint", tls.endpoint, "--plaintext", "--tls", "--json"]) == 2
    error = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert error == {"error": "choose one of --plaintext and --tls", "type": "UsageError", "exitCode": 2}


def test_api_key_never_printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    key = generate_api_key("secret")
    printed: list[str] = []

    def cli(*argv: str, code: int) -> None:
        assert run(list(argv)) == code
        captured = capsys.readouterr()
        printed.extend((captured.out, captured.err))

    with run_simulator_in_thread(api_keys={key: ["session:open", "invoke:read"]}) as secured:
        at = ["--endpoint", secured.endpoint, "--plaintext"]
        monkeypatch.setenv("MXGW_TEST_KEY", key)
        with_env = [*at, "--api-key-env", "MXGW_TEST_KEY"]
        cli("open-session", *at, "--api-key", key, "--json", code=0)
        assert "visible to other processes" in printed[-1]
        cli("open-session", *at, "--api-key", key, code=0)
        cli("open-session", *at, f"--api-key={key}", "--json", code=0)
        cli("open-session", *at, key, "--api-key", key, code=2)  # the key pasted as a stray token
        cli("open-session", *at, key, "--api-key", key, "--json", code=2)
        cli("open-session", *at, "--api-key-env", "MXGW_TEST_KEY", key, "--json", code=2)
        cli("ping", *with_env, "--session-id", key, "--json", code=1)  # the key as an unknown session id
        cli("ping", *with_env, "--session-id", key, code=1)
        cli("write", *with_env, "--session-id", "s", "--server-handle", "1", "--item-handle", "1",
            "--value", key, "--type", "int32", "--json", code=2)  # fmt: skip
        cli("open-session", "--endpoint", "127.0.0.1:1", "--plaintext", "--api-key", key, "--json", code=5)
        cli("open-session", *at, "--api-key", key[:-1] + "x", "--json", code=4)
        monkeypatch.setattr(
            "sys.stdin", io.StringIO(f"ping --session-id {key} --json\nopen-session {key}\n\n")
        )
        cli("batch", *with_env, code=0)
        assert printed[-2].count(BATCH_END_OF_RESULT) == 2
        cli("smoke", *with_env, "--timeout", "10", "--json", code=4)  # the key may not read events
    assert all(out or err for out, err in zip(printed[::2], printed[1::2], strict=True))
    leaked = [text for text in printed if key in text]
    assert leaked == []
    assert sum(text.count("***") for text in printed) >= 6


def test_cyclopts_errors_are_usage_errors_without_rich_output(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        ["write", "--session-id", "s"],
        ["ping", "--session-id", "s", "--bogus"],
        ["register", "--session-id", "s", "--client-name", "c", "--connect-timeout", "soon"],
        ["frobnicate"],
    ):
        assert run(argv) == 2
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.startswith("error: ") and captured.err.count("\n") == 1
        assert "Traceback" not in captured.err and "╭" not in captured.err
    assert run(["write", "--help"]) == 0
    assert "--item-handle" in capsys.readouterr().out


def test_bulk_lists_must_match(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--session-id", "s", "--server-handle", "1", "--item-handles", "1,2,3", "--type", "int32"]
    assert run(["write-bulk", *base, "--values", "1,2", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)
    assert error["error"] == "--item-handles has 3 entries but --values has 2"
    assert run(["write-secured-bulk", *base, "--values", "1,,3", "--current-user-id", "1", "--json"]) == 2
    assert "without empty entries" in json.loads(capsys.readouterr().out)["error"]
    assert run(["write2-bulk", *base, "--values", "1,2,3", "--timestamp", "yesterday", "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["type"] == "ValueConversionError"


def test_password_prompt_and_no_terminal(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    at = ["--endpoint", sim.endpoint, "--plaintext", "--json"]
    session = str(run_json(capsys, ["open-session", *at])["sessionId"])
    run_json(capsys, ["register", "--session-id", session, "--client-name", "c", *at])
    auth = [
        "authenticate-user",
        "--session-id",
        session,
        "--server-handle",
        "1",
        "--user-name",
        "operator",
        *at,
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal
    assert run(auth) == 2
    assert "--password-env" in json.loads(capsys.readouterr().out)["error"]

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return "operator-pass"

    monkeypatch.setattr("sys.stdin", Terminal(""))
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    user = run_json(capsys, auth)
    assert isinstance(user["userId"], int) and prompts == ["MXAccess password: "]


def _mxgw(*argv: str, stdin: int | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mxgateway_cli", *argv],
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_simulate_prints_its_endpoint_and_ctrl_c_exits_0(stop: signal.Signals) -> None:
    with _mxgw("simulate", "--port", "0", "--json") as process:
        try:
            assert process.stdout is not None
            announced = json.loads(process.stdout.readline())
            assert announced["tls"] is False and announced["auth"] is False
            host, port = announced["endpoint"].rsplit(":", 1)
            assert host == "127.0.0.1" and int(port) > 0
            with socket.create_connection((host, int(port)), timeout=SUBPROCESS_TIMEOUT):
                pass  # it is listening
            process.send_signal(stop)
            out, err = process.communicate(timeout=SUBPROCESS_TIMEOUT)
        finally:
            process.kill()
    assert (process.returncode, out, err) == (0, "", "")


def test_simulate_on_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with _mxgw("simulate", "--port", str(port), "--json") as process:
            out, err = process.communicate(timeout=SUBPROCESS_TIMEOUT)
    assert process.returncode == 1 and err == ""
    error = json.loads(out)
    assert error["type"] == "OSError" and "address already in use" in error["error"]


def test_ctrl_c_while_batch_waits_for_a_line(sim: ThreadedSimulator) -> None:
    with _mxgw("batch", "--endpoint", sim.endpoint, "--plaintext", stdin=subprocess.PIPE) as process:
        try:
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("get-session-state --session-id session-x --json\n")
            process.stdin.flush()
            first = json.loads(process.stdout.readline())
            assert first["errorType"] == "SessionNotFoundError"
            assert process.stdout.readline() == BATCH_END_OF_RESULT + "\n"
            process.send_signal(signal.SIGINT)  # stdin stays open: batch is waiting for a line
            process.wait(timeout=SUBPROCESS_TIMEOUT)
            err = process.stderr.read() if process.stderr is not None else ""
        finally:
            process.kill()
    assert process.returncode == 130
    assert err == "error: interrupted\n"


def test_ctrl_c_during_smoke_still_closes_the_session(sim: ThreadedSimulator) -> None:
    smoke = ("smoke", "--item", "Tank1.Setpoint", "--max-events", "5", "--json")  # one event, then quiet
    with _mxgw(*smoke, "--endpoint", sim.endpoint, "--plaintext") as process:
        try:
            assert sim.wait_for_events_sent(1, timeout=SUBPROCESS_TIMEOUT)
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=SUBPROCESS_TIMEOUT)
        finally:
            process.kill()
    assert process.returncode == 130 and err == ""
    report = json.loads(out)
    assert (report["ok"], report["type"], report["exitCode"]) == (False, "KeyboardInterrupt", 130)
    assert [s["step"] for s in report["steps"]][-2:] == ["error", "close-session"]
    assert report["steps"][-1] == {"step": "close-session", "ok": True, "finalState": "CLOSED"}


@pytest.fixture
def still_sim() -> Iterator[ThreadedSimulator]:
    """Values never move: its clock stands still (Tank1.Level would random-walk every 250 ms)."""
    with run_simulator_in_thread(clock=lambda: 0.0, wall_clock=lambda: STILL_WALL_CLOCK) as simulator:
        yield simulator


def test_text_output_is_short_and_readable(
    still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    at = ["--endpoint", still_sim.endpoint, "--plaintext"]
    session = str(run_json(capsys, ["open-session", *at, "--json"])["sessionId"])
    on_server = ["--session-id", session, "--server-handle", "1"]
    expected = {
        ("register", "--session-id", session, "--client-name", "c"): "register: ok serverHandle=1\n",
        (
            "get-session-state",
            "--session-id",
            session,
        ): "get-session-state: ok state=READY workerState=Running\n",
        ("read-bulk", *on_server, "--items", "Tank1.Level,Nope.X"): (
            "read-bulk:\n  Tank1.Level: ok value=50.0 quality=good\n"
            "  Nope.X: failed: Nope.X does not exist in the galaxy\n"
        ),
    }
    for argv, text in expected.items():
        assert run([*argv, *at]) == 0
        assert capsys.readouterr() == (text, "")
