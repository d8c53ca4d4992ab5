"""API keys and scopes, TLS, fault injection, the threaded form and serve_forever."""

from __future__ import annotations

import asyncio
import base64
import re
import signal
import ssl
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from grpclib.client import Channel
from grpclib.const import Status
from grpclib.exceptions import GRPCError, StreamTerminatedError

from mxgateway._core.values import encode_value
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import (
    SCOPES,
    generate_api_key,
    make_test_certificates,
    parse_galaxy,
    run_simulator_in_thread,
)
from mxgateway.testing._auth import key_set
from tests.support.loops import ManualClock, run_asyncio
from tests.testing.raw import (
    GALAXY,
    Stub,
    add_advised,
    bearer,
    invoke,
    open_session,
    register,
    simulator,
    stub_for,
)


def test_generated_keys_have_the_gateway_form() -> None:
    key = generate_api_key("ci01")
    match = re.fullmatch(r"mxgw_ci01_([A-Za-z0-9_-]{43})", key)
    assert match is not None
    assert len(base64.urlsafe_b64decode(match[1] + "=")) == 32
    assert generate_api_key("ci01") != key
    with pytest.raises(ValueError, match="letters and digits"):
        generate_api_key("bad_id")
    with pytest.raises(ValueError) as malformed:
        key_set(["mxgw_x_short-secret"])
    assert "short-secret" not in str(malformed.value)
    with pytest.raises(ValueError, match="unknown scope"):
        key_set({key: ["invoke:everything"]})
    assert key not in repr(key_set([key]))


async def _calls(
    stub: Stub, session: str, headers: dict[str, str], admin: dict[str, str]
) -> dict[str, Callable[[], Awaitable[object]]]:
    """One call per scope rule; each needs the scope its name ends with."""

    async def stream_events() -> object:
        # A session of its own with one queued event, so that success shows as a message.
        watched = await open_session(stub, admin)
        server = (await invoke(stub, watched, "register", metadata=admin, client_name="c")).register
        item = await invoke(
            stub,
            watched,
            "add_item",
            metadata=admin,
            server_handle=server.server_handle,
            item_definition="Tank.Count",
        )
        await invoke(
            stub,
            watched,
            "advise",
            metadata=admin,
            server_handle=server.server_handle,
            item_handle=item.add_item.item_handle,
        )
        async with stub.StreamEvents.open(metadata=headers) as stream:
            await stream.send_message(pb.StreamEventsRequest(session_id=watched), end=True)
            event = await stream.recv_message()
            await stream.cancel()
        assert event is not None and event.worker_sequence == 1
        return event

    return {
        "session:open": lambda: stub.OpenSession(pb.OpenSessionRequest(), metadata=headers),
        "events:read": stream_events,
        "invoke:read": lambda: invoke(stub, session, "ping", metadata=headers),
        "invoke:write": lambda: invoke(
            stub, session, "write", metadata=headers, server_handle=1, item_handle=1, value=encode_value(1)
        ),
        "invoke:secure": lambda: invoke(
            stub,
            session,
            "write_secured",
            metadata=headers,
            server_handle=1,
            item_handle=1,
            value=encode_value(1),
        ),
        "alarms:events:read": lambda: stub.QueryActiveAlarms(pb.QueryActiveAlarmsRequest(), metadata=headers),
        "alarms:invoke:write": lambda: stub.AcknowledgeAlarm(
            pb.AcknowledgeAlarmRequest(alarm_full_reference="X"), metadata=headers
        ),
    }


def test_keys_and_scopes_guard_every_rpc() -> None:
    admin = generate_api_key("admin")
    limited = {scope: generate_api_key("k" + str(n)) for n, scope in enumerate(SCOPES[:-1])}
    keys = {admin: ["admin"], **{key: [scope] for scope, key in limited.items()}}

    async def main() -> None:
        async with simulator(api_keys=keys) as sim, stub_for(sim) as stub:
            session = await open_session(stub, bearer(admin))
            as_admin = bearer(admin)
            for name, call in (await _calls(stub, session, as_admin, as_admin)).items():
                await call()  # admin may do anything
                scope = name.removeprefix("alarms:")
                await (await _calls(stub, session, bearer(limited[scope]), as_admin))[name]()
                for other_scope, other_key in limited.items():
                    if other_scope == scope:
                        continue
                    with pytest.raises(GRPCError) as denied:
                        await (await _calls(stub, session, bearer(other_key), as_admin))[name]()
                    assert denied.value.status == Status.PERMISSION_DENIED, name
                    assert scope in str(denied.value.message) and other_key not in str(denied.value.message)

    run_asyncio(main)


def test_missing_or_invalid_keys_are_unauthenticated_and_bearer_is_case_insensitive() -> None:
    key = generate_api_key("ops")
    stranger = generate_api_key("ops")

    async def main() -> None:
        async with simulator(api_keys=[key]) as sim, stub_for(sim) as stub:
            for headers in ({}, {"authorization": key}, bearer(stranger), {"authorization": "Basic abc"}):
                with pytest.raises(GRPCError) as refused:
                    await stub.OpenSession(pb.OpenSessionRequest(), metadata=headers)
                assert refused.value.status == Status.UNAUTHENTICATED
                assert stranger not in str(refused.value.message) and key not in str(refused.value.message)
            for word in ("bearer", "BEARER", "Bearer"):
                await stub.OpenSession(pb.OpenSessionRequest(), metadata={"authorization": f"{word} {key}"})
            await stub.OpenSession(pb.OpenSessionRequest(), metadata={**bearer(key), "x-client": "tests"})
            assert sim.last_authorization("OpenSession") == f"Bearer {key}"
            assert sim.last_metadata("OpenSession")["x-client"] == "tests"
            assert sim.statistics()["calls"]["OpenSession"] == 8

    run_asyncio(main)


def test_without_keys_every_call_is_accepted() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            await open_session(stub, {"authorization": "Bearer whatever"})
            await open_session(stub)
            assert sim.last_authorization("OpenSession") is None

    run_asyncio(main)


def test_tls_with_a_throwaway_ca(tmp_path: Path) -> None:
    certs = make_test_certificates(tmp_path)

    async def main() -> None:
        async with simulator(tls_cert=certs.cert_file, tls_key=certs.key_file) as sim:
            assert sim.tls
            context = ssl.create_default_context(cafile=str(certs.ca_file))
            context.set_alpn_protocols(["h2"])
            for host in ("127.0.0.1", "localhost"):
                channel = Channel(host, sim.port, ssl=context)
                try:
                    assert (await open_session(Stub(channel))).startswith("session-")
                finally:
                    channel.close()
            untrusting = ssl.create_default_context()
            untrusting.set_alpn_protocols(["h2"])
            channel = Channel("127.0.0.1", sim.port, ssl=untrusting)
            try:
                with pytest.raises(ssl.SSLCertVerificationError):
                    await open_session(Stub(channel))
            finally:
                channel.close()

    run_asyncio(main)


def test_dropping_connections_resets_streams_and_listens_again() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            port = sim.port
            session = await open_session(stub)
            server = await register(stub, session)
            await add_advised(stub, session, server, "Tank.Count")
            with pytest.raises((StreamTerminatedError, GRPCError, ConnectionError)):
                async with stub.StreamEvents.open() as stream:
                    await stream.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                    assert await stream.recv_message() is not None
                    await sim.drop_connections()
                    await stream.recv_message()
            await sim.wait_for_stream_cancels(1)
            assert sim.statistics()["event_streams_open"] == 0
            assert sim.port == port
            async with stub_for(sim) as fresh:
                await invoke(fresh, session, "ping")  # the session outlives the connection

    run_asyncio(main)


def test_a_command_whose_caller_gave_up_still_runs() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            item = (
                await invoke(stub, session, "add_item", server_handle=server, item_definition="Tank.Count")
            ).add_item.item_handle
            sim.set_reply_delay(0.2)
            with pytest.raises((asyncio.TimeoutError, GRPCError)):
                await invoke(stub, session, "advise", server_handle=server, item_handle=item, timeout=0.02)
            await sim.wait_for_commands_done()
            sim.set_reply_delay(0)
            assert sim.statistics()["unary_cancelled"] == 1
            drained = (await invoke(stub, session, "drain_events", max_events=10)).drain_events.events
            assert [(e.item_handle, e.family) for e in drained] == [(item, pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)]

    run_asyncio(main)


def test_the_threaded_simulator_from_plain_code() -> None:
    clock = ManualClock()
    with run_simulator_in_thread(
        galaxy=parse_galaxy(GALAXY), clock=clock, settings=None, api_keys=None
    ) as sim:
        host, port = sim.endpoint.rsplit(":", 1)
        assert int(port) == sim.port and not sim.tls

        async def main() -> str:
            channel = Channel(host, sim.port)
            try:
                stub = Stub(channel)
                session = await open_session(stub)
                server = await register(stub, session)
                await add_advised(stub, session, server, "Tank.Level")
                async with stub.StreamEvents.open() as stream:
                    await stream.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                    assert await stream.recv_message() is not None
                    clock.now += 1
                    await asyncio.to_thread(sim.tick)
                    moved = await stream.recv_message()
                    assert moved is not None and moved.worker_sequence == 2
                    await stream.cancel()
                return session
            finally:
                channel.close()

        session = run_asyncio(main)
        assert sim.wait_for_stream_cancel()
        assert sim.wait_for_events_sent(2)
        assert not sim.wait_for_events_sent(3, timeout=0.05)
        assert sim.session_state(session) == "READY"
        sim.fault_session(session)
        assert sim.statistics()["sessions"] == {"FAULTED": 1}
    with pytest.raises(RuntimeError, match="stopped"):
        sim.statistics()


def test_serve_forever_runs_until_interrupted(tmp_path: Path) -> None:
    galaxy = tmp_path / "galaxy.toml"
    galaxy.write_text(GALAXY, encoding="utf-8")
    script = (
        "from mxgateway.testing import serve_forever\n"
        f"serve_forever(port=0, galaxy_path={str(galaxy)!r}, ready=lambda s: print(s.endpoint, flush=True))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        endpoint = process.stdout.readline().strip()
        host, port = endpoint.rsplit(":", 1)

        async def main() -> None:
            channel = Channel(host, int(port))
            try:
                session = await open_session(Stub(channel))
                trend = await invoke(
                    Stub(channel), session, "read_bulk", server_handle=0, tag_addresses=["Tank.Trend[]"]
                )
                assert trend.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE  # no handle 0
            finally:
                channel.close()

        run_asyncio(main)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) != 0  # KeyboardInterrupt ends it; the CLI turns that into 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        for pipe in (process.stdout, process.stderr):
            if pipe is not None:
                pipe.close()
