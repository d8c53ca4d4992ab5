"""mxgw-py read, watch and write-tag against the simulator (in-process, and watch as a subprocess)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from mxgateway.testing import ThreadedSimulator, run_simulator_in_thread
from mxgateway_cli.app import run

WAIT = 20.0


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def cli(capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator, *argv: str) -> tuple[int, str, str]:
    code = run([*argv, "--endpoint", sim.endpoint, "--plaintext"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def fresh() -> Iterator[ThreadedSimulator]:
    """A simulator of its own, for the tests that write (the module's keeps its initial values)."""
    with run_simulator_in_thread() as simulator:
        yield simulator


def every_session_closed(sim: ThreadedSimulator) -> bool:
    return set(sim.statistics()["sessions"]) <= {"CLOSED"}


def test_read_prints_every_tag_and_fails_for_a_bad_one(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator
) -> None:
    code, out, _ = cli(capsys, sim, "read", "Tank1.Setpoint", "Tank1.History[]", "Pump1.LastStart", "--json")
    assert code == 0
    document = json.loads(out)
    assert (document["command"], document["ok"]) == ("read", True)
    values = {r["tag"]: (r["value"], r["dataType"], r["qualityStatus"]) for r in document["results"]}
    assert values == {
        "Tank1.Setpoint": (60.0, "FLOAT", "good"),
        "Tank1.History[]": ([10.0, 20.0, 30.0], "DOUBLE", "good"),
        "Pump1.LastStart": ("2026-01-01T00:00:00.000000000Z", "TIME", "good"),
    }
    code, out, _ = cli(capsys, sim, "read", "Tank1.Setpoint", "No.Such.Tag", "--json")
    assert code == 1
    failed = json.loads(out)
    assert (failed["command"], failed["ok"], failed["type"], failed["exitCode"]) == (
        "read",
        False,
        "TagError",
        1,
    )
    assert [r["ok"] for r in failed["results"]] == [True, False]
    assert "No.Such.Tag does not exist" in failed["error"] and failed["statuses"][0]["detail"] == 1001
    assert every_session_closed(sim)


def test_read_for_people_is_a_table_without_colour_when_piped(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator
) -> None:
    code, out, err = cli(capsys, sim, "read", "Tank1.Setpoint", "Nope.Tag")
    assert code == 1 and "\x1b[" not in out
    header, _, setpoint, missing = out.splitlines()[:4]
    assert header.split() == ["tag", "┃", "value", "┃", "quality", "┃", "age"]
    assert setpoint.split()[:5] == ["Tank1.Setpoint", "│", "60.0", "│", "good"]
    assert missing.startswith("Nope.Tag") and "does not exist" in missing
    assert err.startswith("error: Nope.Tag")


def test_watch_prints_ndjson_and_ends_after_max_events(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator
) -> None:
    code, out, _ = cli(
        capsys, sim, "watch", "Object.Attribute", "Tank1.Setpoint", "--max-events", "3", "--ndjson"
    )
    assert code == 0
    changes = lines(out)
    assert len(changes) == 3 and {c["tag"] for c in changes[:2]} == {"Object.Attribute", "Tank1.Setpoint"}
    assert all(c["first"] for c in changes[:2]) and changes[2]["tag"] == "Object.Attribute"
    assert list(changes[0]) == [
        "tag",
        "value",
        "dataType",
        "quality",
        "qualityStatus",
        "timestamp",
        "workerSequence",
        "first",
        "afterGap",
        "error",
    ]
    assert every_session_closed(sim)


def test_watch_ends_after_its_duration_and_prints_lines_when_not_on_a_terminal(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator
) -> None:
    code, out, _ = cli(capsys, sim, "watch", "Tank1.Setpoint", "--duration", "0.5")
    assert code == 0 and out.startswith("Tank1.Setpoint = 60.0 (good 192) ")
    code, out, _ = cli(capsys, sim, "watch", "Tank1.Setpoint", "--duration", "0.5", "--json")
    assert code == 0 and [c["value"] for c in lines(out)] == [60.0]


def test_watch_stops_at_a_bad_tag_with_a_json_error(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator
) -> None:
    code, out, _ = cli(capsys, sim, "watch", "Nope.Tag", "--json")
    assert code == 1
    *_, last = lines(out)
    assert (last["type"], last["exitCode"]) == ("TagError", 1) and "Nope.Tag" in last["error"]
    code, out, _ = cli(capsys, sim, "watch", "Tank1.Setpoint", "--max-events", "-1", "--json")
    assert code == 2 and json.loads(out)["type"] == "UsageError"


def test_write_tag_typed_by_the_tag_or_by_type(
    capsys: pytest.CaptureFixture[str], fresh: ThreadedSimulator
) -> None:
    sim = fresh
    code, out, _ = cli(capsys, sim, "write-tag", "Tank1.Setpoint", "42.5", "--json")
    assert code == 0
    assert json.loads(out) == {
        "command": "write-tag",
        "ok": True,
        "tag": "Tank1.Setpoint",
        "value": 42.5,
        "type": "float",
        "confirmed": True,
    }
    code, out, _ = cli(capsys, sim, "write-tag", "Pump1.Running", "yes", "--type", "bool", "--no-confirm")
    assert code == 0 and out == "write-tag: Pump1.Running = True (bool): written (not confirmed)\n"
    code, out, _ = cli(capsys, sim, "read", "Tank1.Setpoint", "Pump1.Running", "--json")
    assert [r["value"] for r in json.loads(out)["results"]] == [42.5, True]
    assert every_session_closed(sim)


@pytest.mark.parametrize(
    ("argv", "code", "kind", "text"),
    [
        (["Tank1.Setpoint", "high"], 2, "ValueConversionError", "cannot read 'high' as float"),
        (["Tank1.Setpoint", "1", "--type", "quantity"], 2, "ValueConversionError", "unknown value type"),
        (["Tank1.Level", "1.0"], 1, "TagError", "read-only"),
        (["Reactor1.TempLimit", "1.0"], 1, "TagError", "WriteSecured"),
        (["No.Such.Tag", "1"], 1, "TagError", "does not exist"),
        (["", "1", "--type", "int32"], 2, "ArgumentError", "non-empty"),
    ],
)
def test_write_tag_failures_are_json_errors_with_their_exit_code(
    capsys: pytest.CaptureFixture[str],
    fresh: ThreadedSimulator,
    argv: list[str],
    code: int,
    kind: str,
    text: str,
) -> None:
    got, out, _ = cli(capsys, fresh, "write-tag", *argv, "--json")
    error = json.loads(out)
    assert (got, error["type"], error["exitCode"]) == (code, kind, code) and text in error["error"]


def _watch_process(sim: ThreadedSimulator, *argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mxgateway_cli", "watch", *argv, "--endpoint", sim.endpoint, "--plaintext"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_ctrl_c_ends_watch_with_130_and_closes_its_session() -> None:
    with run_simulator_in_thread() as sim, _watch_process(sim, "Object.Attribute", "--ndjson") as process:
        try:
            assert process.stdout is not None
            first = json.loads(process.stdout.readline())  # it is watching
            assert first["tag"] == "Object.Attribute" and first["first"]
            process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=WAIT)
        finally:
            process.kill()
        assert process.returncode == 130 and err == ""
        *_, last = lines(out)
        assert (last["type"], last["exitCode"]) == ("KeyboardInterrupt", 130)
        assert every_session_closed(sim) and sim.statistics()["sessions"] == {"CLOSED": 1}
