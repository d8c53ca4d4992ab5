"""`stream-events --follow` against a gateway process that is killed and restarted."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from mxgateway import GatewayClient
from mxgateway.testing import run_simulator_in_thread
from tests.support.loops import run_asyncio
from tests.support.sim_process import SimulatorProcess, _read_line

WAIT = 30.0


def cli(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "mxgateway_cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def set_up(endpoint: str) -> tuple[str, int, int]:
    """A session with Tank1.Setpoint advised; it stays open (this client only detaches)."""

    async def main() -> tuple[str, int, int]:
        async with await GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:
            reply = await client.open_session_raw("follow")
            session = client.attach_session(reply.session_id)
            server = await session.register("c")
            item = await session.add_item(server, "Tank1.Setpoint")
            await session.advise(server, item)
            return reply.session_id, server, item

    result: tuple[str, int, int] = run_asyncio(main)
    return result


def write(endpoint: str, session_id: str, server: int, item: int, value: float) -> None:
    async def main() -> None:
        async with await GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:
            await client.attach_session(session_id).write(server, item, value)

    run_asyncio(main)


def next_record(process: subprocess.Popen[str]) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_read_line(process, WAIT))
    return document


def test_follow_keeps_streaming_across_a_lost_connection_and_reports_it() -> None:
    with run_simulator_in_thread() as sim:
        session_id, server, item = set_up(sim.endpoint)
        follower = cli(
            "stream-events", "--session-id", session_id, "--follow", "--endpoint", sim.endpoint, "--plaintext"
        )
        try:
            first = next_record(follower)
            assert first["workerSequence"] == 1 and "onDataChange" in first
            sim.drop_connections()  # the session stays; every connection is cut
            write(sim.endpoint, session_id, server, item, 42.0)
            reconnected = next_record(follower)
            after = next_record(follower)
        finally:
            follower.kill()
            follower.communicate(timeout=WAIT)
    assert reconnected["type"] == "reconnected" and reconnected["reconnects"] == 1
    assert reconnected["resumedAfter"] == 1 and reconnected["gaps"] == 0
    assert after["workerSequence"] == 2  # nothing lost, nothing repeated


def test_follow_gives_up_with_the_resume_point_and_the_documented_exit_code() -> None:
    with SimulatorProcess() as gateway:
        session_id, _, _ = set_up(gateway.endpoint)
        follower = cli(
            "stream-events",
            "--session-id",
            session_id,
            "--follow",
            "--give-up-after",
            "1",
            "--endpoint",
            gateway.endpoint,
            "--plaintext",
        )
        try:
            assert next_record(follower)["workerSequence"] == 1
            gateway.kill()  # and it stays down
            out, err = follower.communicate(timeout=WAIT)
        finally:
            follower.kill()
    last = json.loads(out.splitlines()[-1])
    assert follower.returncode == 5  # gateway unavailable
    assert last["type"] == "ReconnectFailedError" and last["lastWorkerSequence"] == 1
    assert "Traceback" not in err


def test_follow_ends_with_session_lost_when_a_restarted_gateway_no_longer_has_it() -> None:
    with SimulatorProcess() as gateway:
        session_id, _, _ = set_up(gateway.endpoint)
        follower = cli(
            "stream-events",
            "--session-id",
            session_id,
            "--follow",
            "--endpoint",
            gateway.endpoint,
            "--plaintext",
        )
        try:
            assert next_record(follower)["workerSequence"] == 1
            gateway.restart()  # a new gateway: the session is gone
            lost = json.loads(follower.communicate(timeout=WAIT)[0].splitlines()[-1])
        finally:
            follower.kill()
    assert lost["type"] == "SessionLostError" and lost["lastWorkerSequence"] == 1
    assert follower.returncode == 1
