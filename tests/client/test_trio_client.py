"""The Trio front end, run once per bridge (hosted loop, trio-asyncio and helper thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import trio
from grpclib.const import Status
from grpclib.exceptions import GRPCError

import mxgateway
from mxgateway import (
    ClientConfigError,
    DeadlineExceededError,
    GatewayUnavailableError,
    SessionCommands,
    TrioSession,
)
from mxgateway._asyncio.client import Session as AsyncioSession
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.fake_gateway import FakeGateway, run_fake_gateway

API_KEY = "mxgw_triokey_" + "T" * 43
WAIT = 10.0


@pytest.fixture(params=["hosted", "trio-asyncio", "thread"])
def bridge(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with run_fake_gateway() as fake:
        yield fake


async def wait_for(flag: object) -> None:
    """Wait for a threading.Event set by the fake gateway's thread."""
    assert await trio.to_thread.run_sync(flag.wait, WAIT)  # type: ignore[attr-defined]


def cancel_when(nursery: trio.Nursery, flag: object, scope: trio.CancelScope) -> None:
    """Cancel ``scope`` once the fake gateway has set ``flag`` (it has the call)."""

    async def cancel() -> None:
        await wait_for(flag)
        scope.cancel()

    nursery.start_soon(cancel)


async def hang(request: pb.MxCommandRequest) -> pb.MxCommandReply:
    """An Invoke handler that never answers."""
    import asyncio

    await asyncio.Event().wait()
    raise AssertionError("unreachable")


async def test_session_and_events_in_structured_blocks(gateway: FakeGateway, bridge: str) -> None:
    gateway.service.events = [gateway.event(1, value=10), gateway.event(2, value=11)]
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(
            endpoint=gateway.endpoint, api_key=API_KEY, plaintext=True, bridge=bridge
        ) as client:
            assert client.bridge_name == bridge
            async with client.open_session("python-client") as session:
                server = await session.register("python-client")
                item = await session.add_item(server, "Tank1.Level")
                async with session.events() as events:
                    await session.advise(server, item)
                    received = [await anext(events), await anext(events)]
                    assert events.last_worker_sequence == 2
            assert session.closed and session.final_state == "CLOSED"
            stats = await client.statistics()
    assert [e.value for e in received] == [10, 11]
    assert stats.open_http2_streams == 0
    with trio.fail_after(WAIT):
        await wait_for(gateway.state.stream_cancelled)
    assert gateway.state.streams_cancelled == 1
    assert all(c.metadata["authorization"] == f"Bearer {API_KEY}" for c in gateway.calls())
    assert [c.method for c in gateway.calls()][-1] == "CloseSession"


async def test_cancel_scope_around_stream_read_resets_stream(gateway: FakeGateway, bridge: str) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session, session.events() as events:
                with trio.CancelScope() as scope:
                    async with trio.open_nursery() as nursery:
                        cancel_when(nursery, gateway.state.stream_started, scope)
                        await anext(events)  # the gateway is idle: only the scope ends this
                assert scope.cancelled_caught
            await wait_for(gateway.state.stream_cancelled)
            assert (await client.statistics()).open_http2_streams == 0


async def test_cancel_scope_around_unary_call_aborts_the_wait(gateway: FakeGateway, bridge: str) -> None:
    gateway.service.invoke_handler = hang
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                with trio.CancelScope() as scope:
                    async with trio.open_nursery() as nursery:
                        cancel_when(nursery, gateway.state.invoke_started, scope)
                        await session.ping()
                assert scope.cancelled_caught
                await wait_for(gateway.state.invoke_cancelled)
                assert (await client.statistics()).open_http2_streams == 0


async def test_trio_deadline_is_sent_as_grpc_timeout(gateway: FakeGateway, bridge: str) -> None:
    # A deadline set outside the client block counts as much as one inside it.
    with trio.fail_after(20):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                with trio.move_on_after(4.0):
                    await session.ping()
                await session.ping()
    with trio.fail_after(60):  # later than the client's 30 s default, so that one applies
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            await client.attach_session("session-" + "a" * 32).ping()
    inner, outer, default = [c.deadline_remaining for c in gateway.calls("Invoke")]
    assert inner is not None and 3.0 < inner <= 4.0
    assert outer is not None and 15.0 < outer <= 20.0
    assert default is not None and 25.0 < default <= 30.0


async def test_trio_deadline_expiry_is_a_trio_cancellation(gateway: FakeGateway, bridge: str) -> None:
    async def hang(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        import asyncio

        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    gateway.service.invoke_handler = hang
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                with trio.move_on_after(0.3) as scope:
                    await session.ping()
                assert scope.cancelled_caught


async def test_session_block_closes_session_when_cancelled(gateway: FakeGateway, bridge: str) -> None:
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            with trio.CancelScope() as scope:
                async with client.open_session("s") as session:
                    scope.cancel()
                    await trio.sleep_forever()
            assert scope.cancelled_caught
            assert session.closed
    assert len(gateway.calls("CloseSession")) == 1


async def test_session_close_failure_surfaces_as_single_exception(gateway: FakeGateway, bridge: str) -> None:
    gateway.service.unary_errors["CloseSession"] = GRPCError(Status.PERMISSION_DENIED, "no session:open")
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            with pytest.raises(mxgateway.AuthorizationError, match="no session:open"):
                async with client.open_session("s"):
                    pass


async def test_leaving_a_session_block_when_the_gateway_is_gone_warns(
    gateway: FakeGateway, bridge: str, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.service.unary_errors["CloseSession"] = GRPCError(Status.UNAVAILABLE, "worker gone")
    with trio.fail_after(WAIT), caplog.at_level("WARNING", logger="mxgateway"):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                pass  # no exception: the gateway's lease ends the session
    assert isinstance(session.close_error, GatewayUnavailableError)
    assert "worker gone" in caplog.text


async def test_session_close_that_hangs_is_bounded(
    gateway: FakeGateway, bridge: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mxgateway._client.session.CLOSE_TIMEOUT", 0.3)
    gateway.service.close_hangs = True
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session:
                pass
    assert isinstance(session.close_error, DeadlineExceededError)  # bounded, reported, not raised


async def test_errors_in_blocks_are_not_exception_groups(gateway: FakeGateway, bridge: str) -> None:
    class Boom(Exception):
        pass

    with trio.fail_after(WAIT), pytest.raises(Boom):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session, session.events():
                raise Boom()
    assert len(gateway.calls("CloseSession")) == 1


async def test_unreachable_gateway_raises_typed_error(bridge: str) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with trio.fail_after(WAIT), pytest.raises(GatewayUnavailableError):
        async with mxgateway.open_client(endpoint=f"127.0.0.1:{port}", plaintext=True, bridge=bridge):
            pass


@pytest.mark.parametrize("kind", ["auto", "trio-asyncio"])
async def test_works_inside_an_existing_trio_asyncio_loop(
    gateway: FakeGateway, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    monkeypatch.delenv("MXGATEWAY_TRIO_BRIDGE", raising=False)  # "auto" means the default here

    import trio_asyncio

    gateway.service.events = [gateway.event(1, value=10)]
    with trio.fail_after(WAIT):
        async with trio_asyncio.open_loop() as loop:
            async with mxgateway.open_client(
                endpoint=gateway.endpoint, plaintext=True, bridge=kind
            ) as client:
                if kind == "trio-asyncio":
                    assert client._runner.bridge._loop is loop  # type: ignore[attr-defined]  # reused, not a second loop
                else:
                    assert client.bridge_name == "hosted"
                async with client.open_session("s") as session:
                    assert await session.register("x") == 1
                    async with session.events() as events:
                        async for event in events:
                            assert event.worker_sequence == 1
                            break
            # The caller's own asyncio code still runs on its trio-asyncio loop.
            assert await trio_asyncio.aio_as_trio(asyncio.sleep)(0, result="still here") == "still here"
            assert trio_asyncio.current_loop.get() is loop


def test_trio_and_asyncio_sessions_share_the_typed_helpers() -> None:
    for cls in (TrioSession, AsyncioSession):
        assert issubclass(cls, SessionCommands)
        for name in ("register", "add_item", "write", "write_bulk", "read_bulk"):
            assert getattr(cls, name) is getattr(SessionCommands, name)


def test_thread_bridge_forced_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from mxgateway._trio.bridge import _choose

    monkeypatch.setenv("MXGATEWAY_TRIO_BRIDGE", "thread")
    assert _choose("auto") == "thread"
    monkeypatch.setenv("MXGATEWAY_TRIO_BRIDGE", "trio-asyncio")
    assert _choose("auto") == "trio-asyncio"
    assert _choose("hosted") == "hosted"  # an explicit choice wins over the environment
    monkeypatch.setenv("MXGATEWAY_TRIO_BRIDGE", "")
    assert _choose("auto") == "hosted"  # empty means not set
    monkeypatch.delenv("MXGATEWAY_TRIO_BRIDGE")
    assert _choose("auto") == "hosted"  # where the selector has a descriptor (Linux, macOS)
    with pytest.raises(ValueError, match="unknown Trio bridge"):
        _choose("gevent")


def test_auto_falls_back_and_hosted_is_refused_where_no_hosted_loop_is_possible(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mxgateway._trio import hosted_loop
    from mxgateway._trio.bridge import _choose

    monkeypatch.delenv("MXGATEWAY_TRIO_BRIDGE", raising=False)
    monkeypatch.setattr(hosted_loop, "supported", lambda: False)  # as on Windows
    assert _choose("auto") == "trio-asyncio"
    with pytest.raises(ClientConfigError, match="hosted Trio bridge cannot run here: it needs a selector"):
        _choose("hosted")


async def test_overflow_error_comes_on_the_next_take_with_the_last_taken_as_resume_point(
    gateway: FakeGateway, bridge: str
) -> None:
    # 600 events at once against a 2-event buffer: the reader must overflow.
    gateway.service.events = [gateway.event(n) for n in range(1, 601)]
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            session = client.attach_session("session-" + "a" * 32)
            async with session.events(buffer_size=2, overflow="error") as events:
                taken: list[int] = []
                with pytest.raises(mxgateway.EventOverflowError) as caught:
                    async for event in events:
                        taken.append(event.worker_sequence)
                        stats = await events.statistics()
                        while not stats.finished:  # the reader stops on overflow, not waiting for us
                            await trio.lowlevel.checkpoint()
                            stats = await events.statistics()
                stats = await events.statistics()
    assert taken == list(range(1, len(taken) + 1)) and len(taken) <= 1  # raised at the next take
    assert caught.value.last_worker_sequence == (taken[-1] if taken else 0)
    assert caught.value.capacity == 2
    assert stats.received > len(taken) and stats.dropped >= 1
    with trio.fail_after(WAIT):
        await wait_for(gateway.state.stream_cancelled)  # the reader reset the stream


async def test_backpressure_by_default_loses_nothing_with_a_small_buffer(
    gateway: FakeGateway, bridge: str
) -> None:
    gateway.service.events = [gateway.event(n) for n in range(1, 601)]
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            session = client.attach_session("session-" + "a" * 32)
            async with session.events(buffer_size=2) as events:
                received = []
                async for event in events:
                    received.append(event.worker_sequence)
                    if len(received) == 600:
                        break
                stats = await events.statistics()
    assert received == list(range(1, 601))
    assert stats.overflow == "backpressure" and stats.dropped == 0 and stats.buffered <= 2


async def test_cancelling_the_whole_client_block_mid_call_ends_promptly(
    gateway: FakeGateway, bridge: str
) -> None:
    # The cancellation reaches the bridge's own tasks too; the call's asyncio
    # side must still be run to its end (stream reset), not left hanging.
    gateway.service.invoke_handler = hang
    with trio.fail_after(WAIT):
        with trio.CancelScope() as scope:
            async with trio.open_nursery() as nursery:
                cancel_when(nursery, gateway.state.invoke_started, scope)
                async with mxgateway.open_client(
                    endpoint=gateway.endpoint, plaintext=True, bridge=bridge
                ) as client:
                    await client.attach_session("session-" + "c" * 32).ping()
        assert scope.cancelled_caught
        await wait_for(gateway.state.invoke_cancelled)


async def test_aclose_from_another_task_ends_the_iteration(gateway: FakeGateway, bridge: str) -> None:
    # The gateway sends nothing: the consumer waits for a chunk until another
    # task closes the stream (on the thread bridge this once raised TrioInternalError).
    with trio.fail_after(WAIT):
        async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge=bridge) as client:
            async with client.open_session("s") as session, session.events() as events:

                async def close_once_streaming() -> None:
                    await wait_for(gateway.state.stream_started)
                    await events.aclose()

                async with trio.open_nursery() as nursery:
                    nursery.start_soon(close_once_streaming)
                    received = [event async for event in events]
                assert received == []
            await wait_for(gateway.state.stream_cancelled)
            assert (await client.statistics()).open_http2_streams == 0


class _ChangedLoopInternal:
    """Break one asyncio internal the hosted loop relies on, for one test; the checks run afresh."""

    def __init__(self, owner: object, name: str, replacement: object = None) -> None:
        self.owner, self.name, self.replacement = owner, name, replacement

    def __enter__(self) -> None:
        self.saved = self.owner.__dict__[self.name]  # type: ignore[attr-defined]
        if self.replacement is None:
            delattr(self.owner, self.name)
        else:
            setattr(self.owner, self.name, self.replacement)
        self._clear()

    def __exit__(self, *exc_info: object) -> None:
        setattr(self.owner, self.name, self.saved)
        self._clear()

    @staticmethod
    def _clear() -> None:
        from mxgateway import _compat
        from mxgateway._trio import hosted_loop

        _compat.check_event_loop_internals.cache_clear()
        hosted_loop._self_test_failure.cache_clear()


def test_a_missing_loop_internal_makes_auto_fall_back_and_hosted_refuse(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio
    import logging

    from mxgateway._trio.bridge import _choose

    monkeypatch.delenv("MXGATEWAY_TRIO_BRIDGE", raising=False)
    with _ChangedLoopInternal(asyncio.BaseEventLoop, "_run_once"):  # as a CPython without it would be
        with caplog.at_level(logging.WARNING, logger="mxgateway"):
            assert _choose("auto") == "trio-asyncio"
        assert "hosted Trio bridge is unavailable" in caplog.text
        assert "_run_once" in caplog.text and "written for CPython" in caplog.text
        with pytest.raises(ClientConfigError, match=r"hosted Trio bridge cannot run here.*_run_once"):
            _choose("hosted")
    assert _choose("auto") == "hosted"  # restored, checked afresh


async def test_a_changed_loop_internal_falls_back_end_to_end(
    gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mxgateway import _compat

    monkeypatch.delenv("MXGATEWAY_TRIO_BRIDGE", raising=False)
    # Present but behaving differently: the timer heap reads as empty.
    with _ChangedLoopInternal(_compat, "earliest_timer", lambda loop: None):
        with trio.fail_after(WAIT):
            async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True) as client:
                assert client.bridge_name == "trio-asyncio"
                await client.attach_session("session-" + "a" * 32).ping()
            with pytest.raises(ClientConfigError, match="timers"):
                async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True, bridge="hosted"):
                    pass
