"""Golden JSON for the CLI against a simulator whose values and clock stand still.

Session ids and wall-clock timestamps are the only varying fields; they are
checked for their format and then masked. The comparison is on the
serialized text, so key order is part of what is checked.
Regenerate with ``MXGW_UPDATE_GOLDEN=1 python -m pytest tests/cli/test_cli_golden.py``.
"""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mxgateway.testing import SimulatorSettings, ThreadedSimulator, run_simulator_in_thread
from mxgateway_cli.app import BATCH_END_OF_RESULT, run

GOLDEN = Path(__file__).resolve().parent / "golden"
SESSION_ID = re.compile(r"^session-[0-9a-f]{32}$")
# The one timestamp format of every command (docs/cli.md): nine fractional digits.
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


@pytest.fixture
def still_sim() -> Iterator[ThreadedSimulator]:
    # No ticks and a clock that never moves: every value is the galaxy's initial
    # one. One per test, so no test sees values another one wrote.
    with run_simulator_in_thread(settings=SimulatorSettings(tick_interval=3600.0), clock=lambda: 0.0) as sim:
        yield sim


def masked(value: Any) -> Any:
    """``value`` with session ids and timestamps replaced, after checking their format."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key == "sessionId":
                assert SESSION_ID.match(item), item
                result[key] = "<session-id>"
            elif key.lower().endswith("timestamp") and isinstance(item, str):
                assert UTC_TIME.match(item), item
                result[key] = "<utc-time>"
            else:
                result[key] = masked(item)
        return result
    if isinstance(value, list):
        return [masked(item) for item in value]
    return value


def check_golden(name: str, text: str) -> None:
    """``text`` (one JSON document per line) against tests/cli/golden/<name>.json, masked."""
    documents = [json.loads(line) for line in text.splitlines()]
    actual = "".join(json.dumps(masked(d), ensure_ascii=False) + "\n" for d in documents)
    path = GOLDEN / f"{name}.json"
    if os.environ.get("MXGW_UPDATE_GOLDEN") == "1":
        path.write_text(actual, "utf-8")
    assert actual == path.read_text("utf-8")


def call(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator, *argv: str, code: int = 0
) -> tuple[str, str]:
    assert run([*argv, "--endpoint", sim.endpoint, "--plaintext"]) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def open_advised(capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator) -> str:
    out, _ = call(capsys, sim, "open-session", "--client-name", "golden", "--json")
    check_golden("open-session", out)
    session = json.loads(out)["sessionId"]
    call(capsys, sim, "register", "--session-id", session, "--client-name", "golden")
    call(
        capsys, sim, "add-item", "--session-id", session, "--server-handle", "1", "--item", "Object.Attribute"
    )
    call(capsys, sim, "advise", "--session-id", session, "--server-handle", "1", "--item-handle", "1")
    return str(session)


def test_stream_events_json_and_ndjson(
    still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    session = open_advised(capsys, still_sim)
    stream = ["stream-events", "--session-id", session, "--timeout", "10"]
    out, _ = call(capsys, still_sim, *stream, "--max-events", "1", "--json")
    check_golden("stream-events", out)
    call(
        capsys,
        still_sim,
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
    after_first = [*stream, "--max-events", "2", "--after-sequence", "1"]
    ndjson, _ = call(capsys, still_sim, *after_first, "--ndjson")
    out, _ = call(capsys, still_sim, *after_first, "--json")  # the same two events, replayed
    check_golden("stream-events-after-write", out)
    assert [json.loads(line) for line in ndjson.splitlines()] == json.loads(out)["events"]


def test_bulk_and_state_json(still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    session = open_advised(capsys, still_sim)
    on_server = ["--session-id", session, "--server-handle", "1"]
    out, _ = call(
        capsys, still_sim, "subscribe-bulk", *on_server, "--items", "Tank1.Setpoint,No.Such", "--json"
    )
    check_golden("subscribe-bulk", out)
    out, _ = call(
        capsys, still_sim, "read-bulk", *on_server, "--items", "Object.Attribute,Tank1.Level", "--json"
    )
    check_golden("read-bulk", out)
    out, _ = call(
        capsys,
        still_sim,
        "write-bulk",
        *on_server,
        "--item-handles",
        "1,2",
        "--values",
        "4,5",
        "--type",
        "int32",
        "--json",
    )
    check_golden("write-bulk", out)
    out, _ = call(capsys, still_sim, "get-session-state", "--session-id", session, "--json")
    check_golden("get-session-state", out)
    out, _ = call(capsys, still_sim, "close-session", "--session-id", session, "--json")
    check_golden("close-session", out)


def test_smoke_json(still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, still_sim, "smoke", "--json", "--timeout", "10")
    check_golden("smoke", out)
    out, _ = call(capsys, still_sim, "smoke", "--write", "--json", "--timeout", "10")
    check_golden("smoke-write", out)
    out, _ = call(
        capsys, still_sim, "smoke", "--item", "Tank1.Setpoint", "--write", "--value", "2.5", "--json"
    )
    check_golden("smoke-float-value", out)


def test_error_documents(still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    session = open_advised(capsys, still_sim)
    item = ["--session-id", session, "--server-handle", "1", "--item-handle", "1"]
    out, _ = call(capsys, still_sim, "write", *item, "--type", "int32", "--value", "x", "--json", code=2)
    check_golden("error-bad-value", out)
    out, _ = call(capsys, still_sim, "write", *item, "--type", "int32", "--json", code=2)
    check_golden("error-missing-flag", out)
    out, _ = call(capsys, still_sim, "remove-item", *item[:4], "--item-handle", "99", "--json", code=1)
    check_golden("error-mxaccess", out)
    out, _ = call(capsys, still_sim, "ping", "--session-id", "session-" + "0" * 32, "--json", code=1)
    check_golden("error-unknown-session", out)
    still_sim.set_reply_delay(2.0)
    try:
        out, _ = call(
            capsys, still_sim, "ping", "--session-id", session, "--call-timeout", "0.2", "--json", code=3
        )
    finally:
        still_sim.set_reply_delay(0.0)
    check_golden("error-timeout", out)


def test_batch_transcript(
    still_sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out, _ = call(capsys, still_sim, "open-session", "--json")
    session = json.loads(out)["sessionId"]
    lines = [
        f"register --session-id {session} --client-name batch --json",
        f"add-item --session-id {session} --server-handle 1 --item Object.Attribute --json",
        f"advise --session-id {session} --server-handle 1 --item-handle 1 --json",
        f"stream-events --session-id {session} --max-events 1 --timeout 10 --json",
        f"write --session-id {session} --server-handle 1 --item-handle 1 --type int32 --value many --json",
        f"write --session-id {session} --server-handle 1 --item-handle 1 --type int32 --value 9 --json",
        f"ping --session-id {session} --json --endpoint elsewhere:1",  # ignored: batch's connection is used
        "no-such-command --json",
        "simulate --port 0",
        "smoke --simulate --json",
        f"close-session --session-id {session} --json",
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    out, err = call(capsys, still_sim, "batch")
    results = out.split(BATCH_END_OF_RESULT + "\n")
    assert results[-1] == "" and len(results) == len(lines) + 1  # end of input ended it
    check_golden("batch", "".join(results))
    assert err == "warning: connection flags on a batch line are ignored\n"
