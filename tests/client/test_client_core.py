"""The shared client core: one behaviour under both front ends (timeouts, options, statistics)."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any

import pytest
import trio

import mxgateway
from mxgateway import ArgumentError, ClientConfigError, ClientOptions, GatewayClient
from mxgateway._client.core import ClientCore
from mxgateway._options import coerce_options
from tests.support.fake_gateway import FakeGateway, run_fake_gateway
from tests.support.logwait import waiting_for_log
from tests.support.loops import run_asyncio

WAIT = 10.0
SESSION = "session-" + "c" * 32


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with run_fake_gateway() as fake:
        yield fake


def test_both_front_ends_are_the_one_core() -> None:
    assert issubclass(mxgateway.GatewayClient, ClientCore)
    assert issubclass(mxgateway.TrioGatewayClient, ClientCore)
    for name in (
        "open_session_raw",
        "close_session_raw",
        "invoke_raw",
        "acknowledge_alarm",
        "query_active_alarms",
    ):
        assert getattr(mxgateway.GatewayClient, name) is getattr(ClientCore, name)
        assert getattr(mxgateway.TrioGatewayClient, name) is getattr(ClientCore, name)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 0, -1.0, True, "5"])
def test_a_bad_per_call_timeout_is_refused_before_sending_asyncio(gateway: FakeGateway, bad: Any) -> None:
    async def main() -> None:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            with pytest.raises(ArgumentError, match="timeout must be a positive, finite number"):
                await client.attach_session(SESSION).ping(timeout=bad)

    run_asyncio(main)
    assert gateway.calls("Invoke") == []


@pytest.mark.parametrize("bad", [math.nan, math.inf, -2.0])
async def test_a_bad_per_call_timeout_is_refused_before_sending_trio(
    gateway: FakeGateway, bad: float
) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True) as client:
            with pytest.raises(ArgumentError, match="timeout must be a positive, finite number"):
                await client.attach_session(SESSION).ping(timeout=bad)
            with pytest.raises(ArgumentError):
                async with client.open_session("s", timeout=bad):
                    pass
    assert gateway.calls("Invoke") == []
    assert gateway.calls("OpenSession") == []


async def test_trio_open_session_takes_a_timeout_like_asyncio(gateway: FakeGateway) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True) as client:
            async with client.open_session("s", timeout=2.5):
                pass
    remaining = gateway.calls("OpenSession")[0].deadline_remaining
    assert remaining is not None and 1.5 < remaining <= 2.5


def test_options_keywords_or_both() -> None:
    base = ClientOptions(endpoint="localhost:5000", plaintext=True)
    assert coerce_options(base, {}) is base
    merged = coerce_options(base, {"call_timeout": 5.0})
    assert merged.call_timeout == 5.0 and merged.endpoint == "localhost:5000" and merged.plaintext
    assert coerce_options(None, {"endpoint": "h:1", "plaintext": True}).endpoint == "h:1"
    with pytest.raises(ClientConfigError, match="unexpected keyword"):
        coerce_options(base, {"no_such_option": 1})
    with pytest.raises(ClientConfigError, match="options must be a ClientOptions"):
        coerce_options("localhost:5000", {})  # type: ignore[arg-type]


def test_statistics_count_calls_without_grpclib_internals(gateway: FakeGateway) -> None:
    async def main() -> Any:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = client.attach_session(SESSION)
            await session.ping()
            await session.ping()
            return client.statistics()

    stats = run_asyncio(main)
    assert (stats.calls_started, stats.calls_succeeded, stats.calls_failed) == (2, 2, 0)
    assert stats.open_http2_streams == 0


def test_unknown_open_stream_count_is_none_not_zero(
    gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mxgateway import _compat

    monkeypatch.setattr(_compat, "_h2_connection", lambda channel: object())  # as if grpclib hid it

    async def main() -> int | None:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            return client.statistics().open_http2_streams

    assert run_asyncio(main) is None


def test_statistics_show_the_connection_state_and_reconnects() -> None:
    from mxgateway.testing import run_simulator_in_thread

    async def main() -> list[tuple[str, int]]:
        seen = []
        with run_simulator_in_thread() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("s")
                seen.append((client.statistics().state, client.statistics().connections))
                with waiting_for_log("lost the connection") as lost:
                    sim.drop_connections()
                    assert await asyncio.to_thread(lost.seen.wait, 10)
                seen.append((client.statistics().state, client.statistics().connections))
                await session.ping()  # the next call opens a new connection
                seen.append((client.statistics().state, client.statistics().connections))
            seen.append((client.statistics().state, client.statistics().connections))
        return seen

    assert run_asyncio(main) == [("connected", 1), ("disconnected", 1), ("connected", 2), ("closed", 2)]


def test_calls_that_find_the_connection_lost_together_open_one_connection(caplog: pytest.LogCaptureFixture) -> None:
    from mxgateway.testing import run_simulator_in_thread

    async def main() -> int:
        with run_simulator_in_thread() as sim:
            async with await GatewayClient.connect(endpoint=sim.endpoint, plaintext=True) as client:
                session = await client.open_session("s")
                with waiting_for_log("lost the connection") as lost:
                    sim.drop_connections()
                    assert await asyncio.to_thread(lost.seen.wait, 10)
                async with asyncio.timeout(10):
                    await asyncio.gather(*(session.ping() for _ in range(5)))
                return client.statistics().connections

    with caplog.at_level("INFO", logger="mxgateway"):
        assert run_asyncio(main) == 2
    assert caplog.text.count("reconnected to the gateway") == 1



def test_goaway_for_too_many_pings_doubles_the_keepalive_interval(
    gateway: FakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    from grpclib.exceptions import StreamTerminatedError

    from mxgateway import GatewayUnavailableError, _compat

    async def main() -> tuple[float, float]:
        async with await GatewayClient.connect(
            endpoint=gateway.endpoint, plaintext=True, keepalive_interval=30.0
        ) as client:
            transport = client._transport
            channel: Any = transport._channel
            before = channel._config._keepalive_time
            with pytest.raises(GatewayUnavailableError):  # what a GOAWAY ENHANCE_YOUR_CALM ends a call with
                with transport.call("Invoke"):
                    raise StreamTerminatedError(_compat.TOO_MANY_PINGS)
            return before, channel._config._keepalive_time

    with caplog.at_level("WARNING", logger="mxgateway"):
        before, after = run_asyncio(main)
    assert (before, after) == (30.0, 60.0)
    assert "keepalive every 60 s" in caplog.text
