"""Every session, item, write and bulk command once, with its JSON checked."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mxgateway.testing import ThreadedSimulator, run_simulator_in_thread
from mxgateway_cli.app import run

STAMP = "2026-01-02T03:04:05Z"


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def cli(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator, *argv: str, code: int = 0
) -> dict[str, Any]:
    assert run([*argv, "--endpoint", sim.endpoint, "--plaintext", "--json"]) == code
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    document: dict[str, Any] = json.loads(out)
    return document


def test_every_command(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    session = str(cli(capsys, sim, "open-session")["sessionId"])
    s = ["--session-id", session]
    assert cli(capsys, sim, "register", *s, "--client-name", "c") == {
        "command": "register",
        "ok": True,
        "serverHandle": 1,
    }
    srv = ["--server-handle", "1"]
    assert cli(capsys, sim, "add-item2", *s, *srv, "--item", "Tank1.Setpoint", "--item-context", "ctx") == {
        "command": "add-item2",
        "ok": True,
        "itemHandle": 1,
    }
    item = [*srv, "--item-handle", "1"]
    for command in ("advise-supervisory", "suspend", "activate", "unadvise", "advise"):
        assert cli(capsys, sim, command, *s, *item) == {"command": command, "ok": True}
    assert cli(
        capsys, sim, "write2", *s, *item, "--value", "7.5", "--type", "float", "--timestamp", STAMP
    ) == {
        "command": "write2",
        "ok": True,
    }
    monkeypatch.setenv("SIM_PASSWORD", "operator-pass")
    user = cli(
        capsys,
        sim,
        "authenticate-user",
        *s,
        *srv,
        "--user-name",
        "operator",
        "--password-env",
        "SIM_PASSWORD",
    )
    assert user["command"] == "authenticate-user" and isinstance(user["userId"], int)
    monkeypatch.setenv("SIM_PASSWORD", "supervisor-pass")
    verifier = cli(
        capsys,
        sim,
        "authenticate-user",
        *s,
        *srv,
        "--user-name",
        "supervisor",
        "--password-env",
        "SIM_PASSWORD",
    )
    users = ["--current-user-id", str(user["userId"]), "--verifier-user-id", str(verifier["userId"])]
    secured = cli(capsys, sim, "add-item", *s, *srv, "--item", "Reactor1.Trip")["itemHandle"]
    sec_item = [*srv, "--item-handle", str(secured)]
    cli(capsys, sim, "advise", *s, *sec_item)
    assert (
        cli(capsys, sim, "write-secured", *s, *sec_item, "--value", "true", "--type", "bool", *users)["ok"]
        is True
    )
    assert (
        cli(
            capsys,
            sim,
            "write-secured2",
            *s,
            *sec_item,
            "--value",
            "false",
            "--type",
            "bool",
            "--timestamp",
            STAMP,
            *users,
        )["ok"]
        is True
    )
    plain = cli(capsys, sim, "write", *s, *sec_item, "--value", "true", "--type", "bool", code=1)
    assert plain["type"] == "MxAccessError" and plain["exitCode"] == 1
    bulk_handles = ["--item-handles", f"1,{secured}"]
    written = cli(
        capsys,
        sim,
        "write2-bulk",
        *s,
        *srv,
        *bulk_handles,
        "--values",
        "1,1",
        "--type",
        "int32",
        "--timestamp",
        STAMP,
    )
    assert [r["wasSuccessful"] for r in written["results"]] == [True, False]
    written = cli(
        capsys,
        sim,
        "write-secured-bulk",
        *s,
        *srv,
        "--item-handles",
        str(secured),
        "--values",
        "true",
        "--type",
        "bool",
        *users,
    )
    assert written["ok"] is True
    written = cli(
        capsys,
        sim,
        "write-secured2-bulk",
        *s,
        *srv,
        "--item-handles",
        str(secured),
        "--values",
        "false",
        "--type",
        "bool",
        "--timestamp",
        STAMP,
        *users,
    )
    assert written["ok"] is True
    assert cli(capsys, sim, "ping", *s) == {"command": "ping", "ok": True}
    assert cli(capsys, sim, "remove-item", *s, *item) == {"command": "remove-item", "ok": True}
    assert cli(capsys, sim, "unregister", *s, *srv) == {"command": "unregister", "ok": True}
    assert cli(capsys, sim, "close-session", *s)["finalState"] == "CLOSED"


def test_password_is_never_a_flag_and_missing_env_is_a_usage_error(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    session = str(cli(capsys, sim, "open-session")["sessionId"])
    error = cli(
        capsys,
        sim,
        "authenticate-user",
        "--session-id",
        session,
        "--server-handle",
        "1",
        "--user-name",
        "operator",
        "--password-env",
        "NOT_SET_ANYWHERE",
        code=2,
    )
    assert "NOT_SET_ANYWHERE" in str(error["error"])
    assert (
        run(
            [
                "authenticate-user",
                "--session-id",
                session,
                "--server-handle",
                "1",
                "--user-name",
                "x",
                "--password",
                "secret",
            ]
        )
        == 2
    )
    capsys.readouterr()


def test_open_session_checks_the_protocol_status() -> None:
    from mxgateway import ProtocolStatusError
    from mxgateway.generated import mxaccess_gateway_pb2 as pb
    from mxgateway_cli._commands import _check_opened

    _check_opened(pb.OpenSessionReply(protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK)))
    for code, name in (
        (pb.PROTOCOL_STATUS_CODE_WORKER_UNAVAILABLE, "WORKER_UNAVAILABLE"),
        (pb.PROTOCOL_STATUS_CODE_UNSPECIFIED, "UNSPECIFIED"),
        (99, "UNKNOWN_99"),
    ):
        reply = pb.OpenSessionReply(protocol_status=pb.ProtocolStatus(code=code, message="no worker"))  # type: ignore[arg-type]
        with pytest.raises(ProtocolStatusError) as caught:
            _check_opened(reply)
        assert (caught.value.code, caught.value.reply) == (name, reply)
        assert "no worker" in str(caught.value)
