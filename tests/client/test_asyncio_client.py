"""The documented asyncio API against the fake gateway over loopback gRPC."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

import mxgateway
from mxgateway import (
    AuthenticationError,
    AuthorizationError,
    ClientOptions,
    DeadlineExceededError,
    GatewayClient,
    GatewayUnavailableError,
    MxAccessError,
    ProtocolStatusError,
    SessionLostError,
    SessionNotFoundError,
)
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.fake_gateway import FakeGateway, ok_reply, run_fake_gateway
from tests.support.loops import run_asyncio

API_KEY = "mxgw_testkey_" + "S" * 43
WAIT = 10.0


@pytest.fixture
def gateway() -> Iterator[FakeGateway]:
    with run_fake_gateway() as fake:
        yield fake


def test_readme_example_runs_unchanged(gateway: FakeGateway) -> None:
    async def main() -> tuple[int, int]:
        async with await GatewayClient.connect(
            endpoint=gateway.endpoint, api_key=API_KEY, plaintext=True
        ) as client:
            session = await client.open_session(client_session_name="python-client")
            try:
                server_handle = await session.register("python-client")
                item_handle = await session.add_item(server_handle, "Object.Attribute")
                await session.advise(server_handle, item_handle)
            finally:
                await session.close()
        return server_handle, item_handle

    assert run_asyncio(main) == (1, 2)
    methods = [c.method for c in gateway.calls()]
    assert methods == ["OpenSession", "Invoke", "Invoke", "Invoke", "CloseSession"]
    assert gateway.last_request("OpenSession").client_session_name == "python-client"
    kinds = [c.request.command.WhichOneof("payload") for c in gateway.calls("Invoke")]
    assert kinds == ["register_command", "add_item_command", "advise_command"]


def test_api_key_metadata_on_unary_and_stream_calls(gateway: FakeGateway) -> None:
    gateway.service.events = [gateway.event(1, value=7)]

    async def main() -> None:
        async with await GatewayClient.connect(
            endpoint=gateway.endpoint, api_key=API_KEY, plaintext=True
        ) as client:
            session = await client.open_session("s")
            async with session.events() as events:
                event = await anext(events)
                assert event.worker_sequence == 1
            await session.ping()
            await session.close()

    run_asyncio(main)
    assert {c.method for c in gateway.calls()} == {"OpenSession", "StreamEvents", "Invoke", "CloseSession"}
    for call in gateway.calls():
        assert call.metadata.get("authorization") == f"Bearer {API_KEY}", call.method


def test_no_authorization_header_without_a_key(gateway: FakeGateway) -> None:
    async def main() -> None:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            await client.open_session_raw("x")

    run_asyncio(main)
    assert "authorization" not in gateway.calls("OpenSession")[0].metadata


UTC_TS = __import__("datetime").datetime(2026, 1, 2, 3, 4, 5, tzinfo=__import__("datetime").UTC)

# (helper name, args, kwargs, oneof member, fields to check on the payload)
HELPER_CASES: list[tuple[str, tuple[Any, ...], dict[str, Any], str, dict[str, Any]]] = [
    ("register", ("cli",), {}, "register_command", {"client_name": "cli"}),
    ("unregister", (1,), {}, "unregister_command", {"server_handle": 1}),
    ("add_item", (1, "A.B"), {}, "add_item_command", {"server_handle": 1, "item_definition": "A.B"}),
    ("add_item2", (1, "A.B", "ctx"), {}, "add_item2_command", {"item_context": "ctx"}),
    ("add_buffered_item", (1, "A.B"), {}, "add_buffered_item_command", {"item_definition": "A.B"}),
    ("remove_item", (1, 2), {}, "remove_item_command", {"server_handle": 1, "item_handle": 2}),
    ("advise", (1, 2), {}, "advise_command", {"item_handle": 2}),
    ("advise_supervisory", (1, 2), {}, "advise_supervisory_command", {"item_handle": 2}),
    ("unadvise", (1, 2), {}, "un_advise_command", {"item_handle": 2}),
    ("suspend", (1, 2), {}, "suspend_command", {"item_handle": 2}),
    ("activate", (1, 2), {}, "activate_command", {"item_handle": 2}),
    (
        "set_buffered_update_interval",
        (1, 250),
        {},
        "set_buffered_update_interval_command",
        {"interval_ms": 250},
    ),
    ("write", (1, 2, 123), {"type": "int32", "user_id": 3}, "write_command", {"user_id": 3}),
    ("write2", (1, 2, 1.5, UTC_TS), {}, "write2_command", {"item_handle": 2}),
    (
        "write_secured",
        (1, 2, True),
        {"current_user_id": 4, "verifier_user_id": 5},
        "write_secured_command",
        {"current_user_id": 4, "verifier_user_id": 5},
    ),
    (
        "write_secured2",
        (1, 2, "x", UTC_TS),
        {"current_user_id": 4},
        "write_secured2_command",
        {"current_user_id": 4},
    ),
    (
        "authenticate_user",
        (1, "op", "pw"),
        {},
        "authenticate_user_command",
        {"user_name": "op", "password": "pw"},
    ),
    ("archestra_user_to_id", (1, "op"), {}, "archestra_user_to_id_command", {"user_name": "op"}),
    ("add_item_bulk", (1, ["A.B", "C.D"]), {}, "add_item_bulk_command", {"tag_addresses": ["A.B", "C.D"]}),
    ("subscribe_bulk", (1, ["A.B"]), {}, "subscribe_bulk_command", {"tag_addresses": ["A.B"]}),
    ("advise_item_bulk", (1, [2, 3]), {}, "advise_item_bulk_command", {"item_handles": [2, 3]}),
    ("remove_item_bulk", (1, [2]), {}, "remove_item_bulk_command", {"item_handles": [2]}),
    ("unadvise_item_bulk", (1, [2]), {}, "un_advise_item_bulk_command", {"item_handles": [2]}),
    ("unsubscribe_bulk", (1, [2]), {}, "unsubscribe_bulk_command", {"item_handles": [2]}),
    ("write_bulk", (1, [(2, 5), (3, 6)]), {"type": "int32"}, "write_bulk_command", {}),
    ("write2_bulk", (1, [(2, 5, UTC_TS)]), {"type": "int32"}, "write2_bulk_command", {}),
    ("write_secured_bulk", (1, [(2, 5)]), {"current_user_id": 4}, "write_secured_bulk_command", {}),
    ("write_secured2_bulk", (1, [(2, 5, UTC_TS)]), {"current_user_id": 4}, "write_secured2_bulk_command", {}),
    ("read_bulk", (1, ["A.B"]), {"timeout_ms": 500}, "read_bulk_command", {"timeout_ms": 500}),
    ("drain_events", (10,), {}, "drain_events_command", {"max_events": 10}),
    ("ping", (), {}, "ping_command", {}),
    ("get_session_state", (), {}, "get_session_state_command", {}),
]


@pytest.mark.parametrize(
    ("helper", "args", "kwargs", "member", "fields"), HELPER_CASES, ids=[c[0] for c in HELPER_CASES]
)
def test_typed_helper_request_shape(
    gateway: FakeGateway,
    helper: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    member: str,
    fields: dict[str, Any],
) -> None:
    async def main() -> Any:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            return await getattr(session, helper)(*args, **kwargs)

    result = run_asyncio(main)
    request: pb.MxCommandRequest = gateway.last_request("Invoke")
    assert request.session_id == "session-" + "a" * 32
    assert request.client_correlation_id.startswith("py-")
    assert request.command.WhichOneof("payload") == member
    expected_kind = "MX_COMMAND_KIND_" + member.removesuffix("_command").upper()
    assert pb.MxCommandKind.Name(request.command.kind) == expected_kind
    payload = getattr(request.command, member)
    for name, value in fields.items():
        actual = getattr(payload, name)
        assert (list(actual) if not isinstance(actual, str | int) else actual) == value, name
    if helper in ("register",):
        assert result == 1
    if helper in ("add_item", "add_item2", "add_buffered_item"):
        assert result == 2
    if helper.endswith("_bulk") and helper != "read_bulk":
        assert [r.was_successful for r in result] == [True] * len(args[1])
    if helper == "read_bulk":
        assert result[0].value == 42 and result[0].quality.is_good


def _failure_reply(request: pb.MxCommandRequest) -> pb.MxCommandReply:
    reply = ok_reply(request)
    reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
    reply.hresult = -2147220992
    reply.statuses.add(success=0, category=pb.MX_STATUS_CATEGORY_SECURITY_ERROR, detail=321, raw_category=8)
    return reply


def test_mxaccess_failure_raises_with_raw_reply_and_statuses(gateway: FakeGateway) -> None:
    async def handler(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        return _failure_reply(request)

    gateway.service.invoke_handler = handler

    async def main() -> tuple[MxAccessError, pb.MxCommandReply]:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            raw = await client.invoke_raw(session.session_id, mxgateway._core.commands.ping())  # type: ignore[attr-defined]
            with pytest.raises(MxAccessError) as caught:
                await session.write(1, 2, 5)
            return caught.value, raw

    error, raw = run_asyncio(main)
    assert raw.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE  # invoke_raw does not raise
    assert error.hresult == -2147220992
    assert error.code == "MXACCESS_FAILURE"
    assert [s.detail for s in error.statuses] == [321]
    assert error.reply.hresult == -2147220992
    assert "0x80040200" in str(error)


def test_error_status_with_ok_protocol_status_is_decided_by_category(gateway: FakeGateway) -> None:
    async def handler(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        reply = ok_reply(request)
        # success == 0 with an unset category is not a failure; a category is.
        reply.statuses.add(success=0)
        if request.command.WhichOneof("payload") == "advise_command":
            reply.statuses.add(success=1, category=pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, detail=1003)
        return reply

    gateway.service.invoke_handler = handler

    async def main() -> MxAccessError:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            await session.ping()
            with pytest.raises(MxAccessError) as caught:
                await session.advise(1, 2)
            return caught.value

    assert run_asyncio(main).statuses[-1].detail == 1003


def test_non_ok_protocol_status_raises_protocol_status_error(gateway: FakeGateway) -> None:
    async def handler(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        reply = ok_reply(request)
        reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
        reply.protocol_status.message = "session is Starting, worker Starting"  # not gone: may still work
        return reply

    gateway.service.invoke_handler = handler

    async def main() -> ProtocolStatusError:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            with pytest.raises(ProtocolStatusError) as caught:
                await session.ping()
            return caught.value

    error = run_asyncio(main)
    assert not isinstance(error, MxAccessError)
    assert error.code == "SESSION_NOT_READY"
    assert "Starting" in str(error)


@pytest.mark.parametrize("gone", ["not-found", "faulted"])
def test_a_session_the_gateway_lost_raises_session_lost_then_and_on_every_later_call(
    gateway: FakeGateway, gone: str
) -> None:
    async def faulted(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        reply = ok_reply(request)
        reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
        reply.protocol_status.message = "SessionNotReady: session state Faulted, worker state Exited"
        return reply

    async def main() -> list[SessionLostError]:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            await session.ping()
            if gone == "not-found":
                gateway.service.unary_errors["Invoke"] = GRPCError(Status.NOT_FOUND, "SessionNotFound")
            else:
                gateway.service.invoke_handler = faulted
            errors = []
            for _ in range(2):
                with pytest.raises(SessionLostError) as caught:
                    await session.ping()
                errors.append(caught.value)
            return errors

    first, second = run_asyncio(main)
    assert first is second and not first.recovered and first.last_worker_sequence == 0
    assert isinstance(first.__cause__, SessionNotFoundError if gone == "not-found" else ProtocolStatusError)
    assert len(gateway.calls("Invoke")) == 2  # the later call was not sent


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (Status.UNAUTHENTICATED, AuthenticationError),
        (Status.PERMISSION_DENIED, AuthorizationError),
        (Status.NOT_FOUND, SessionNotFoundError),
        (Status.DEADLINE_EXCEEDED, DeadlineExceededError),
        (Status.UNAVAILABLE, GatewayUnavailableError),
    ],
)
def test_grpc_status_maps_to_typed_error_with_key_redacted(
    gateway: FakeGateway, status: Status, error_type: type[Exception]
) -> None:
    gateway.service.unary_errors["Invoke"] = GRPCError(status, f"rejected key {API_KEY} (scope invoke:write)")

    async def main() -> Exception:
        async with await GatewayClient.connect(
            endpoint=gateway.endpoint, api_key=API_KEY, plaintext=True
        ) as client:
            session = client.attach_session("session-" + "a" * 32)  # not known alive: the status as is
            with pytest.raises(error_type) as caught:
                await session.write(1, 2, 1)
            return caught.value

    error = run_asyncio(main)
    assert API_KEY not in str(error) and API_KEY not in repr(error)
    assert "invoke:write" in str(error)


def test_local_deadline_is_the_same_error_type_as_server_deadline(gateway: FakeGateway) -> None:
    async def hang(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    gateway.service.invoke_handler = hang

    async def main() -> DeadlineExceededError:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            with pytest.raises(DeadlineExceededError) as caught:
                await session.ping(timeout=0.2)
            return caught.value

    assert isinstance(run_asyncio(main), TimeoutError)


def test_unreachable_endpoint_is_gateway_unavailable() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    async def main() -> None:
        await GatewayClient.connect(endpoint=f"127.0.0.1:{port}", plaintext=True, connect_timeout=2)

    with pytest.raises(GatewayUnavailableError, match="cannot connect"):
        run_asyncio(main)


def test_stream_cancellation_resets_the_http2_stream(gateway: FakeGateway) -> None:
    async def main() -> int:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")

            async def consume() -> None:
                async with session.events() as events:
                    async for _ in events:
                        pass

            task = asyncio.create_task(consume())
            await asyncio.to_thread(gateway.state.stream_started.wait, WAIT)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            assert await asyncio.to_thread(gateway.state.stream_cancelled.wait, WAIT)
            return client.statistics().open_http2_streams

    assert run_asyncio(main) == 0
    assert gateway.state.streams_cancelled == 1


def test_session_close_is_idempotent_and_safe_concurrently(gateway: FakeGateway) -> None:
    async def main() -> list[str]:
        async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
            session = await client.open_session("s")
            states = await asyncio.gather(session.close(), session.close(), session.close())
            states.append(await session.close())
            return list(states)

    assert run_asyncio(main) == ["CLOSED"] * 4
    assert len(gateway.calls("CloseSession")) == 1


def test_client_exit_closes_channel_even_when_session_close_fails(gateway: FakeGateway) -> None:
    gateway.service.unary_errors["CloseSession"] = GRPCError(Status.PERMISSION_DENIED, "no session:open")

    async def main() -> GatewayClient:
        client = await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True)
        with pytest.raises(AuthorizationError):
            async with client:
                await client.open_session("s")
        return client

    client = run_asyncio(main)
    assert not client.statistics().connected
    assert len(gateway.calls("CloseSession")) == 1


def test_client_close_closes_the_channel_even_when_cancelled_during_a_session_close(gateway: FakeGateway) -> None:
    gateway.service.close_hangs = True

    async def main() -> GatewayClient:
        client = await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True)
        await client.open_session("s")
        closing = asyncio.get_running_loop().create_task(client.aclose())
        assert await asyncio.to_thread(gateway.state.close_started.wait, WAIT)
        closing.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(closing, WAIT)
        return client

    client = run_asyncio(main)
    assert not client.statistics().connected


def test_leaving_blocks_when_the_gateway_is_gone_warns_instead_of_raising(
    gateway: FakeGateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.service.unary_errors["CloseSession"] = GRPCError(Status.UNAVAILABLE, "gateway restarting")

    async def main() -> tuple[Any, GatewayClient]:
        client = await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True)
        async with client:
            async with await client.open_session("s") as session:
                pass  # the body succeeds; only the close fails
            await client.open_session("t")  # closed by the client's exit, which fails the same way
        return session, client

    with caplog.at_level("WARNING", logger="mxgateway"):
        session, client = run_asyncio(main)
    assert isinstance(session.close_error, GatewayUnavailableError) and not session.closed
    assert not client.statistics().connected
    assert len(gateway.calls("CloseSession")) == 2
    assert caplog.text.count("gateway restarting") == 2
    with pytest.raises(GatewayUnavailableError):  # an explicit close still raises
        run_asyncio(lambda: _close_explicitly(gateway))


async def _close_explicitly(gateway: FakeGateway) -> None:
    async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
        session = client.attach_session("session-" + "a" * 32)
        try:
            await session.close()
        finally:
            gateway.service.unary_errors.pop("CloseSession")


def test_options_repr_and_errors_never_show_the_key() -> None:
    options = ClientOptions(endpoint="gw:5000", api_key=API_KEY, plaintext=True)
    assert API_KEY not in repr(options) and API_KEY not in str(options)
    assert "api_key='***'" in repr(options)


@pytest.mark.parametrize("endpoint", ["http://gw:5000", "gw", "gw:0", "gw:99999", ":5000", "", "a:b:c"])
def test_bad_endpoints_are_rejected_clearly(endpoint: str) -> None:
    with pytest.raises(mxgateway.ClientConfigError, match="endpoint"):
        ClientOptions(endpoint=endpoint, plaintext=True)


def test_asyncio_api_does_not_import_trio() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, mxgateway\n"
        "mxgateway.GatewayClient, mxgateway.Session, mxgateway.ClientOptions\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'trio', 'trio_asyncio'}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_message_size_limit_applies_both_ways(gateway: FakeGateway) -> None:
    async def big(request: pb.MxCommandRequest) -> pb.MxCommandReply:
        reply = ok_reply(request)
        reply.diagnostic_message = "x" * 4096
        return reply

    gateway.service.invoke_handler = big

    async def main() -> None:
        async with await GatewayClient.connect(
            endpoint=gateway.endpoint, plaintext=True, max_message_bytes=1024
        ) as client:
            session = await client.open_session("s")
            with pytest.raises(mxgateway.ResourceExhaustedError, match=r"reply of .* exceeds the 1024-byte"):
                await session.ping()
            with pytest.raises(mxgateway.ResourceExhaustedError, match=r"request of .* exceeds"):
                await session.write(1, 2, "y" * 2048)

    run_asyncio(main)
