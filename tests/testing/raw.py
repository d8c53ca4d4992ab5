"""Drive the simulator with the raw generated grpclib stub (no client library in between)."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from grpclib.client import Channel

from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import Simulator, SimulatorSettings, parse_galaxy, serve_simulator

Stub = mxaccess_gateway_grpc.MxAccessGatewayStub

E_INVALIDARG = -2147024809
FIXED_TIME = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)

GALAXY = """
[users.operator]
password = "op-pass"
[users.verifier]
password = "ver-pass"
id = 7

[attributes."Tank.Level"]
type = "double"
initial = 10.0
pattern = "ramp"
step = 1.0
period_ms = 1000
min = 0.0
max = 100.0
alarm_above = 11.5

[attributes."Tank.Name"]
type = "string"
initial = "T1"
writable = false

[attributes."Tank.Count"]
type = "int32"
initial = 5

[attributes."Tank.Limit"]
type = "double"
initial = 1.0
security = "secured"

[attributes."Tank.Trip"]
type = "bool"
initial = false
security = "verified"

[attributes."Tank.Trend[]"]
type = "int32"
initial = [1, 2, 3]
"""


def simulator(**options: Any) -> contextlib.AbstractAsyncContextManager[Simulator]:
    """A simulator on the test galaxy whose timer never fires: tests move time with ``tick()``."""
    settings = options.pop("settings", {})
    settings.setdefault("tick_interval", 3600)
    options.setdefault("galaxy", parse_galaxy(GALAXY))
    options.setdefault("wall_clock", lambda: FIXED_TIME)
    return serve_simulator(settings=SimulatorSettings(**settings), **options)


@contextlib.asynccontextmanager
async def stub_for(sim: Simulator, ssl_context: ssl.SSLContext | None = None) -> AsyncIterator[Stub]:
    channel = Channel(sim.host, sim.port, ssl=ssl_context)
    try:
        yield Stub(channel)
    finally:
        channel.close()


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


def command(member: str, **fields: Any) -> pb.MxCommand:
    """An MxCommand of the kind named like its payload member (``"write"`` -> write_command)."""
    message = pb.MxCommand(kind="MX_COMMAND_KIND_" + member.upper())
    payload = getattr(message, f"{member}_command")
    payload.CopyFrom(type(payload)(**fields))
    return message


async def invoke(
    stub: Stub,
    session_id: str,
    member: str,
    *,
    correlation_id: str = "",
    metadata: dict[str, str] | None = None,
    timeout: float | None = None,
    **fields: Any,
) -> pb.MxCommandReply:
    request = pb.MxCommandRequest(
        session_id=session_id, client_correlation_id=correlation_id, command=command(member, **fields)
    )
    return await stub.Invoke(request, metadata=metadata, timeout=timeout)


async def open_session(stub: Stub, metadata: dict[str, str] | None = None) -> str:
    reply = await stub.OpenSession(pb.OpenSessionRequest(client_session_name="test"), metadata=metadata)
    return reply.session_id


async def register(stub: Stub, session_id: str) -> int:
    reply = await invoke(stub, session_id, "register", client_name="tests")
    return reply.register.server_handle


async def add_advised(stub: Stub, session_id: str, server: int, tag: str) -> int:
    handle = (
        await invoke(stub, session_id, "add_item", server_handle=server, item_definition=tag)
    ).add_item.item_handle
    assert (
        await invoke(stub, session_id, "advise", server_handle=server, item_handle=handle)
    ).protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK
    return handle


def ok(reply: pb.MxCommandReply) -> pb.MxCommandReply:
    """The reply, after checking it reports success on every layer."""
    assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_OK, reply
    assert reply.hresult == 0
    assert [s.category for s in reply.statuses] == [pb.MX_STATUS_CATEGORY_OK]
    return reply


def failed(reply: pb.MxCommandReply) -> pb.MxStatusProxy:
    """The single status entry of an MXAccess failure reply."""
    assert reply.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE, reply
    assert reply.hresult < 0 and reply.return_value.is_null
    assert reply.diagnostic_message
    (entry,) = reply.statuses
    assert entry.success == 0 and entry.category != pb.MX_STATUS_CATEGORY_OK
    return entry
