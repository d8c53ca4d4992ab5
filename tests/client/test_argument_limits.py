"""Oversized ids and names fail as ArgumentError before anything is sent.

Before the limits, a 64 KB session id went out, the gateway's NOT_FOUND
answer quoted it in a header too large for HTTP/2, and the call ended as
"Connection lost" (GatewayUnavailableError, CLI exit 5).
"""

from __future__ import annotations

import pytest

from mxgateway import ArgumentError, GatewayClient
from mxgateway._core import commands
from mxgateway._core.commands import TEXT_LIMITS
from mxgateway.testing import serve_simulator
from tests.support.loops import run_asyncio

HUGE_ID = "session-" + "a" * 65_536


def test_a_64_kb_session_id_fails_before_sending_and_the_connection_stays_usable() -> None:
    async def main() -> None:
        async with serve_simulator() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("limits")
                calls_before = dict(sim.statistics()["calls"])

                with pytest.raises(
                    ArgumentError, match=r"session_id is too long: 65544 characters, at most 256"
                ):
                    client.attach_session(HUGE_ID)
                with pytest.raises(ArgumentError, match="session_id is too long"):
                    await client.invoke_raw(HUGE_ID, commands.ping())
                with pytest.raises(ArgumentError, match="session_id is too long"):
                    await client.close_session_raw(HUGE_ID)
                with pytest.raises(ArgumentError, match="session_id is too long"):
                    client.stream_events_raw(HUGE_ID)
                with pytest.raises(ArgumentError, match="client_session_name is too long"):
                    await client.open_session("n" * 65_536)
                with pytest.raises(ArgumentError, match="tag_addresses is too long"):
                    await session.read_bulk(1, ["Tank." + "x" * 65_536])

                assert sim.statistics()["calls"] == calls_before  # nothing reached the gateway
                await session.ping()  # the connection was never lost
                assert sim.statistics()["calls"]["Invoke"] == calls_before.get("Invoke", 0) + 1
                await session.close()

    run_asyncio(main)


def test_ids_and_names_at_their_limits_reach_the_gateway() -> None:
    """The limits only refuse what is longer: at the limit the gateway answers."""

    async def main() -> None:
        async with serve_simulator() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("n" * TEXT_LIMITS["client_session_name"])
                server = await session.register("c" * TEXT_LIMITS["client_name"])
                # An unknown item of the longest allowed reference is added; MXAccess
                # reports the configuration error on its data change, not here.
                item = await session.add_item(server, "Tank." + "x" * (TEXT_LIMITS["item_definition"] - 5))
                assert item > 0
                await session.close()
                assert sim.statistics()["calls"]["Invoke"] == 2

    run_asyncio(main)
