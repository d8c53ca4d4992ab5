"""Live checks: the CLI and both front ends against a real (or simulated) gateway.

See live.py for the variables. Nothing here starts a gateway: .ci/run
points these checks at `mxgw-py simulate` running as a separate process.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import trio

from mxgateway import DataChange, GatewayClient, WriteComplete, open_client
from mxgateway_cli.app import run
from tests.integration.live import LIVE_TIMEOUT, LiveGateway, live_checks, live_gateway, writes
from tests.support.loops import run_asyncio

pytestmark = live_checks


@pytest.fixture(scope="module")
def live() -> LiveGateway:
    return live_gateway()


# The write type that matches what the item reported.
WRITE_TYPE_OF_VARIANT = {
    "VT_BOOL": "bool",
    "VT_I2": "int32",
    "VT_I4": "int32",
    "VT_I8": "int64",
    "VT_R4": "float",
    "VT_R8": "double",
    "VT_BSTR": "string",
    "VT_DATE": "time",
}


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """One CLI command on the environment's connection (the CLI reads the same variables)."""
    code = run([*argv, "--call-timeout", str(LIVE_TIMEOUT), "--json"])
    captured = capsys.readouterr()
    assert code == 0, (argv, captured.out, captured.err)
    document: dict[str, Any] = json.loads(captured.out)
    assert document["ok"] is True, document
    return document


def test_cli_session_round_trip(live: LiveGateway, capsys: pytest.CaptureFixture[str]) -> None:
    opened = cli_json(capsys, "open-session", "--client-name", "mxgw-py-integration")
    s = ["--session-id", str(opened["sessionId"])]
    try:
        server = cli_json(capsys, "register", *s, "--client-name", "mxgw-py-integration")["serverHandle"]
        item = cli_json(capsys, "add-item", *s, "--server-handle", str(server), "--item", live.item)[
            "itemHandle"
        ]
        cli_json(capsys, "advise", *s, "--server-handle", str(server), "--item-handle", str(item))
        streamed = cli_json(capsys, "stream-events", *s, "--max-events", "1", "--timeout", str(LIVE_TIMEOUT))
        assert len(streamed["events"]) == 1, "no event for the advised item within the timeout"
        assert isinstance(streamed["lastWorkerSequence"], int) and streamed["lastWorkerSequence"] > 0
        read = cli_json(capsys, "read-bulk", *s, "--server-handle", str(server), "--items", live.item)
        assert [r["tagAddress"] for r in read["results"]] == [live.item]
        assert cli_json(capsys, "get-session-state", *s)["sessionState"]["state"] == "READY"
    finally:
        closed = cli_json(capsys, "close-session", *s)
    assert closed["finalState"] == "CLOSED"


def test_cli_smoke_is_read_only(live: LiveGateway, capsys: pytest.CaptureFixture[str]) -> None:
    document = cli_json(capsys, "smoke", "--item", live.item, "--timeout", str(LIVE_TIMEOUT))
    steps = [step["step"] for step in document["steps"]]
    assert steps == ["open-session", "register", "add-item", "advise", "stream-events", "close-session"]


def test_asyncio_client_reads_the_item(live: LiveGateway) -> None:
    async def main() -> None:
        async with await GatewayClient.connect(**live.client_options()) as client:  # type: ignore[arg-type]
            session = await client.open_session("mxgw-py-integration")
            try:
                server = await session.register("mxgw-py-integration")
                item = await session.add_item(server, live.item)
                async with session.events() as events:
                    await session.advise(server, item)
                    async for event in events:
                        if isinstance(event, DataChange) and event.item_handle == item:
                            assert event.error is None, event.error
                            break
                results = await session.read_bulk(server, [live.item])
                assert results[0].was_successful, results[0].error_message
            finally:
                assert await session.close() == "CLOSED"

    run_asyncio(main, LIVE_TIMEOUT)


async def test_trio_client_reads_the_item(live: LiveGateway) -> None:
    with trio.fail_after(LIVE_TIMEOUT):
        async with open_client(**live.client_options()) as client:  # type: ignore[arg-type]
            async with client.open_session("mxgw-py-integration") as session:
                server = await session.register("mxgw-py-integration")
                item = await session.add_item(server, live.item)
                async with session.events() as events:
                    await session.advise(server, item)
                    async for event in events:
                        if isinstance(event, DataChange) and event.item_handle == item:
                            assert event.error is None, event.error
                            break


@writes
def test_cli_smoke_writes_when_asked(live: LiveGateway, capsys: pytest.CaptureFixture[str]) -> None:
    value = ["--value", live.write_value] if live.write_value is not None else []
    document = cli_json(
        capsys, "smoke", "--write", *value, "--item", live.item, "--timeout", str(LIVE_TIMEOUT)
    )
    steps = {step["step"]: step for step in document["steps"]}
    assert "skipped" not in steps["write"], (
        "set MXGATEWAY_TEST_WRITE_VALUE for an item that is not an integer"
    )
    assert steps["write-complete"]["ok"] is True


@writes
def test_asyncio_client_writes_back_what_it_read(live: LiveGateway) -> None:
    """The least intrusive write: the value the item has, with the type it reported."""

    async def main() -> None:
        async with await GatewayClient.connect(**live.client_options()) as client:  # type: ignore[arg-type]
            session = await client.open_session("mxgw-py-integration")
            try:
                server = await session.register("mxgw-py-integration")
                item = await session.add_item(server, live.item)
                async with session.events() as events:
                    await session.advise(server, item)
                    async for event in events:
                        if isinstance(event, DataChange) and event.item_handle == item:
                            current = event.mx_value
                            break
                    write_type = WRITE_TYPE_OF_VARIANT.get(current.variant_type)
                    assert write_type is not None, (
                        f"MXGATEWAY_TEST_ITEM must be a scalar; it is {current.variant_type}"
                    )
                    await session.write(server, item, current.value, type=write_type)
                    async for event in events:
                        if isinstance(event, WriteComplete) and event.item_handle == item:
                            event.raise_for_failure()
                            break
            finally:
                await session.close()

    run_asyncio(main, LIVE_TIMEOUT)
