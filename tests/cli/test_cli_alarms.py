"""mxgw-py alarms stream|query|ack (and the cross-language aliases) against the simulator.

The galaxy here has an attribute that stands above its alarm limit; the
simulator never ticks on its own and its clocks stand still, so the alarm is
raised exactly when the test calls ``tick()`` and every output is the same
bytes on every run (checked against golden JSON).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from mxgateway.testing import (
    SimulatorSettings,
    ThreadedSimulator,
    generate_api_key,
    parse_galaxy,
    run_simulator_in_thread,
)
from mxgateway_cli.app import app, run
from tests.cli.test_cli_golden import check_golden

GALAXY = """
[attributes."Boiler1.Pressure"]
type = "double"
initial = 120.0
alarm_above = 100.0

[attributes."Boiler1.Temperature"]
type = "double"
initial = 20.0
alarm_above = 90.0
"""
REFERENCE = "Boiler1.Pressure.HiAlarm"
WALL_CLOCK = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


@pytest.fixture
def alarm_sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread(
        galaxy=parse_galaxy(GALAXY),
        settings=SimulatorSettings(tick_interval=3600.0),
        clock=lambda: 0.0,
        wall_clock=lambda: WALL_CLOCK,
    ) as sim:
        yield sim


def call(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator, *argv: str, code: int = 0
) -> tuple[str, str]:
    assert run([*argv, "--endpoint", sim.endpoint, "--plaintext"]) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_query_stream_and_ack(alarm_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, alarm_sim, "alarms", "query", "--json")
    assert json.loads(out) == {"command": "query-active-alarms", "ok": True, "alarms": []}
    alarm_sim.tick()  # Boiler1.Pressure (120) is above its limit (100): raised now
    out, _ = call(capsys, alarm_sim, "alarms", "query", "--json")
    check_golden("alarms-query", out)
    assert call(capsys, alarm_sim, "query-active-alarms", "--json")[0] == out  # the alias: same bytes

    out, _ = call(capsys, alarm_sim, "alarms", "stream", "--max-events", "2", "--json")
    check_golden("alarms-stream", out)  # NDJSON: the active alarm, then snapshot-complete
    assert [list(json.loads(line)) for line in out.splitlines()] == [["activeAlarm"], ["snapshotComplete"]]

    out, _ = call(
        capsys, alarm_sim, "alarms", "ack", REFERENCE, "--comment", "on it", "--operator-user", "op", "--json"
    )
    check_golden("alarms-ack", out)
    out, _ = call(capsys, alarm_sim, "alarms", "query", "--prefix", "Boiler1.", "--json")
    assert [a["conditionState"] for a in json.loads(out)["alarms"]] == ["ALARM_CONDITION_STATE_ACTIVE_ACKED"]
    out, _ = call(capsys, alarm_sim, "alarms", "query", "--prefix", "Pump", "--json")
    assert json.loads(out)["alarms"] == []


def test_stream_ends_at_timeout_with_success(
    alarm_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    alarm_sim.tick()
    out, _ = call(capsys, alarm_sim, "stream-alarms", "--prefix", "Boiler1", "--timeout", "0.5", "--ndjson")
    kinds = [next(iter(json.loads(line))) for line in out.splitlines()]
    assert kinds == ["activeAlarm", "snapshotComplete"]  # then nothing until --timeout: exit 0


def test_text_output(alarm_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert call(capsys, alarm_sim, "alarms", "query") == ("no active alarms\n", "")
    alarm_sim.tick()
    assert call(capsys, alarm_sim, "alarms", "query") == (
        f"{REFERENCE} ACTIVE_UNACKED severity=500\n",
        "",
    )
    out, _ = call(capsys, alarm_sim, "alarms", "stream", "--max-events", "2")
    assert out == f"active {REFERENCE} severity=500\nsnapshot-complete\n"
    assert call(capsys, alarm_sim, "acknowledge-alarm", "--reference", REFERENCE) == (
        f"acknowledge-alarm: ok {REFERENCE}\n",
        "",
    )


def test_failures_and_their_exit_codes(
    alarm_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = call(capsys, alarm_sim, "alarms", "ack", "Nothing.HiAlarm", "--json", code=1)
    error = json.loads(out)
    assert error["type"] == "MxAccessError" and error["hresult"] < 0
    assert error["statuses"][0]["category"] == "MX_STATUS_CATEGORY_CONFIGURATION_ERROR"
    out, _ = call(capsys, alarm_sim, "alarms", "ack", " ", "--json", code=2)
    assert json.loads(out)["error"] == "the alarm reference is empty"
    out, _ = call(capsys, alarm_sim, "alarms", "ack", "--json", code=2)  # no reference at all
    assert json.loads(out)["type"] == "UsageError"
    out, _ = call(capsys, alarm_sim, "alarms", "stream", "--max-events", "-1", "--json", code=2)
    assert "--max-events" in json.loads(out)["error"]


def test_scopes_decide_auth_failures(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = generate_api_key("alarms")
    monkeypatch.setenv("MXGATEWAY_API_KEY", key)
    with run_simulator_in_thread(galaxy=parse_galaxy(GALAXY), api_keys={key: ["events:read"]}) as sim:
        out, _ = call(capsys, sim, "alarms", "query", "--json")
        assert json.loads(out)["ok"] is True
        out, _ = call(capsys, sim, "alarms", "ack", REFERENCE, "--json", code=4)  # needs invoke:write
        assert json.loads(out)["type"] == "AuthorizationError" and key not in out


def test_the_group_is_one_line_of_the_top_level_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    top = capsys.readouterr().out
    assert "alarms" in top and "stream-alarms" not in top.split("alarms", 1)[0]
    assert run(["alarms", "--help"]) == 0
    group = capsys.readouterr().out
    assert all(name in group for name in ("stream", "query", "ack"))
    assert {"stream-alarms", "query-active-alarms", "acknowledge-alarm", "alarms"} <= set(app)


@pytest.mark.parametrize("interruption", ["gateway-gone", "ctrl-c"])
def test_an_interrupted_feed_ends_with_an_error_line(alarm_sim: ThreadedSimulator, interruption: str) -> None:
    import signal
    import subprocess
    import sys

    argv = ["alarms", "stream", "--json", "--endpoint", alarm_sim.endpoint, "--plaintext"]
    with subprocess.Popen(
        [sys.executable, "-m", "mxgateway_cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            assert json.loads(process.stdout.readline()) == {"snapshotComplete": {}}
            if interruption == "gateway-gone":
                alarm_sim.drop_connections()
            else:
                process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
    error = json.loads(out.splitlines()[-1])
    expected = (
        (5, "GatewayUnavailableError") if interruption == "gateway-gone" else (130, "KeyboardInterrupt")
    )
    assert (process.returncode, error["type"]) == expected
    assert error["received"] == 1 and "Traceback" not in err
