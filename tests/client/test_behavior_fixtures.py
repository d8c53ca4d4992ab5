"""The auth and timeout/cancel fixtures, checked against the client over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import trio
from grpclib.const import Status
from grpclib.exceptions import GRPCError

import mxgateway
from mxgateway import GatewayClient
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.fake_gateway import run_fake_gateway
from tests.support.loops import run_asyncio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "behavior"
AUTH_CASES = json.loads((FIXTURES / "auth" / "auth-error-cases.json").read_text("utf-8"))["cases"]
TIMEOUT_CASES = {
    c["id"]: c
    for c in json.loads((FIXTURES / "timeout-cancel" / "timeout-cancel-cases.json").read_text("utf-8"))[
        "cases"
    ]
}
WAIT = 10.0


@pytest.mark.parametrize("case", AUTH_CASES, ids=[c["id"] for c in AUTH_CASES])
def test_auth_error_cases(case: dict[str, Any]) -> None:
    key = case.get("apiKey")
    scope = case.get("requiredScope")
    message = f"the API key lacks the scope {scope!r}" if scope else f"invalid API key {key or ''}".strip()
    with run_fake_gateway() as gateway:
        gateway.service.unary_errors["Invoke"] = GRPCError(Status[case["grpcStatus"]], message)

        async def main() -> BaseException:
            async with await GatewayClient.connect(
                endpoint=gateway.endpoint, api_key=key, plaintext=True
            ) as client:
                session = await client.open_session("s")
                with pytest.raises(mxgateway.RpcError) as caught:
                    await session.write(1, 2, 3)
                return caught.value

        error = run_asyncio(main)
    assert type(error).__name__ == case["clientCategory"]
    assert error.status == case["grpcStatus"]  # type: ignore[attr-defined]
    if key:
        assert key not in str(error) and key not in repr(error)
    if scope:
        assert scope in str(error)


def test_unary_deadline_exceeded_case() -> None:
    case = TIMEOUT_CASES["unary-deadline-exceeded"]
    assert case["rpc"] == "Invoke"
    with run_fake_gateway() as gateway:
        gateway.service.unary_errors["Invoke"] = GRPCError(Status[case["grpcStatus"]], "deadline")

        async def main() -> BaseException:
            async with await GatewayClient.connect(endpoint=gateway.endpoint, plaintext=True) as client:
                session = await client.open_session("s")
                with pytest.raises(mxgateway.DeadlineExceededError) as caught:
                    await session.ping(timeout=case["clientDeadlineSeconds"])
                return caught.value

        error = run_asyncio(main)
        sent = gateway.calls("Invoke")[0].deadline_remaining
    assert isinstance(error, TimeoutError)  # the fixture's category
    assert sent is not None and 0 < sent <= case["clientDeadlineSeconds"]


async def test_stream_cancel_case_keeps_session_ready_and_resumes() -> None:
    case = TIMEOUT_CASES["stream-cancel"]
    with run_fake_gateway() as gateway:
        gateway.service.events = [gateway.event(1), gateway.event(2)]
        with trio.fail_after(WAIT):
            async with mxgateway.open_client(endpoint=gateway.endpoint, plaintext=True) as client:
                session = client.attach_session("session-" + "a" * 32)
                async with session.events() as events:
                    await anext(events)
                    await anext(events)
                    resume = events.last_worker_sequence
                assert await trio.to_thread.run_sync(gateway.state.stream_cancelled.wait, WAIT)
                state = await session.get_session_state()
                async with session.events(after_worker_sequence=resume) as resumed:
                    await anext(resumed)  # the fake replays its script; the request is what matters
        requests = [c.request for c in gateway.calls("StreamEvents")]
    assert case["cancelledBy"] == "client" and state.state.title() == case["workerSessionStateAfter"]
    assert [r.after_worker_sequence for r in requests] == [0, 2]
    assert pb.StreamEventsRequest.DESCRIPTOR.fields_by_name["after_worker_sequence"]
