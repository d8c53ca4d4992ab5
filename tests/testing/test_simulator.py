"""The simulated gateway behaves like the real one (driven by the asyncio client)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from mxgateway import (
    AlreadyExistsError,
    AuthenticationError,
    AuthorizationError,
    ClientClosedError,
    DataChange,
    GatewayClient,
    GatewayUnavailableError,
    MxAccessError,
    ProtocolStatusError,
    ReconnectPolicy,
    ReplayGap,
    ResourceExhaustedError,
    SessionLostError,
    SessionNotFoundError,
    WriteComplete,
)
from mxgateway.testing import (
    GalaxyError,
    Simulator,
    SimulatorSettings,
    generate_api_key,
    load_galaxy,
    make_test_certificates,
    parse_galaxy,
    serve_simulator,
)
from tests.support.loops import ManualClock, run_asyncio

WAIT = 10.0

GALAXY = """
[users.operator]
password = "op-pass"
[users.verifier]
password = "ver-pass"

[attributes."Tank.Level"]
type = "double"
initial = 10.0
pattern = "ramp"
step = 1.0
period_ms = 1000

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


def simulator(**options: Any) -> Any:
    options.setdefault("galaxy", parse_galaxy(GALAXY))
    # The timer is slow on purpose: tests move values with sim.tick().
    options.setdefault("settings", SimulatorSettings(tick_interval=3600))
    return serve_simulator(**options)


async def connect(sim: Simulator, **options: Any) -> GatewayClient:
    options.setdefault("reconnect", ReconnectPolicy(initial_backoff=0.05, max_backoff=0.05))
    options.setdefault("plaintext", True)
    return await GatewayClient.connect(endpoint=sim.endpoint, **options)


async def next_event(events: AsyncIterator[Any]) -> Any:
    return await anext(events)


def test_session_ids_idempotent_close_and_unknown_session() -> None:
    async def main() -> None:
        async with simulator() as sim, await connect(sim) as client:
            info = (await client.open_session("s")).info
            assert info is not None
            assert re.fullmatch(r"session-[0-9a-f]{32}", info.session_id)
            assert (info.backend_name, info.gateway_protocol_version) == ("mxaccess-worker", 3)
            session = client.attach_session(info.session_id)
            assert await session.close() == "CLOSED"
            again = client.attach_session(info.session_id)
            assert await again.close() == "CLOSED"  # closing a closed session succeeds
            with pytest.raises(ClientClosedError):
                await again.ping()  # the client knows it closed this one
            with pytest.raises(ProtocolStatusError) as closed:
                await client.attach_session(info.session_id).ping()
            assert closed.value.code == "SESSION_NOT_READY"
            with pytest.raises(SessionNotFoundError):
                await client.attach_session("session-" + "0" * 32).ping()

    run_asyncio(main)


def test_session_limit() -> None:
    async def main() -> None:
        async with simulator(settings=SimulatorSettings(max_sessions=2, tick_interval=3600)) as sim:
            async with await connect(sim) as client:
                await client.open_session("a")
                await client.open_session("b")
                with pytest.raises(ResourceExhaustedError, match="SessionLimitExceeded"):
                    await client.open_session("c")

    run_asyncio(main)


def test_commands_and_mxaccess_quirks() -> None:
    async def main() -> None:
        async with simulator() as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            assert server >= 1
            level = await session.add_item(server, "Tank.Level")
            unknown = await session.add_item(server, "Nowhere.Nothing")  # accepted, like MXAccess
            trend = await session.add_item(server, "Tank.Trend")  # array named without []
            async with session.events() as events:
                for handle in (level, unknown, trend):
                    await session.advise(server, handle)
                first = [await next_event(events) for _ in range(3)]
            by_item = {e.item_handle: e for e in first}
            assert [e.worker_sequence for e in first] == [1, 2, 3]
            assert by_item[level].value == 10.0 and by_item[level].quality.is_good
            assert by_item[unknown].error.category_name == "CONFIGURATION_ERROR"
            assert by_item[trend].error.detail == 1003
            assert by_item[trend].quality.is_bad

            name = await session.add_item(server, "Tank.Name")
            with pytest.raises(MxAccessError) as not_advised:
                await session.write(server, name, "x")
            assert not_advised.value.hresult == -2147024809  # E_INVALIDARG
            await session.advise(server, name)
            with pytest.raises(MxAccessError, match="read-only"):
                await session.write(server, name, "x")
            count = await session.add_item(server, "Tank.Count")
            await session.advise(server, count)
            with pytest.raises(MxAccessError, match="type mismatch"):
                await session.write(server, count, "not a number")
            with pytest.raises(MxAccessError):
                await session.write(server, 999, 1)

    run_asyncio(main)


def test_secured_and_verified_writes() -> None:
    async def main() -> None:
        async with simulator() as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            limit = await session.add_item(server, "Tank.Limit")
            trip = await session.add_item(server, "Tank.Trip")
            await session.advise(server, limit)
            await session.advise(server, trip)
            with pytest.raises(MxAccessError) as plain:
                await session.write(server, limit, 2.0)
            assert plain.value.statuses[0].category_name == "SECURITY_ERROR"
            with pytest.raises(MxAccessError, match="authentication failed"):
                await session.authenticate_user(server, "operator", "wrong")
            operator = await session.authenticate_user(server, "operator", "op-pass")
            verifier = await session.authenticate_user(server, "verifier", "ver-pass")
            assert await session.archestra_user_to_id(server, "operator") == operator
            await session.write_secured(server, limit, 2.0, current_user_id=operator)
            with pytest.raises(MxAccessError, match="verifier"):
                await session.write_secured(server, trip, True, current_user_id=operator)
            await session.write_secured(
                server, trip, True, current_user_id=operator, verifier_user_id=verifier
            )

    run_asyncio(main)


def test_bulk_results_in_input_order_and_read_bulk_cache() -> None:
    async def main() -> None:
        async with simulator() as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            results = await session.subscribe_bulk(server, ["Tank.Count", "Tank.Level"])
            assert [r.tag_address for r in results] == ["Tank.Count", "Tank.Level"]
            assert all(r.was_successful for r in results)
            handles = [r.item_handle for r in results]
            writes = await session.write_bulk(server, [(handles[0], 7), (999, 1), (handles[1], 2.5)])
            assert [(w.item_handle, w.was_successful) for w in writes] == [
                (handles[0], True),
                (999, False),
                (handles[1], True),
            ]
            async with session.events() as events:
                # the initial data changes, then the writes' completions
                kinds = {type(await next_event(events)) for _ in range(5)}
            assert {DataChange, WriteComplete} <= kinds
            reads = await session.read_bulk(server, ["Tank.Count", "Tank.Name", "Missing.Item"])
            assert [(r.was_cached, r.was_successful) for r in reads] == [
                (True, True),
                (False, True),
                (False, False),
            ]
            assert reads[0].value == 7 and reads[1].value == "T1"
            unsubscribed = await session.unsubscribe_bulk(server, [*handles, 999])
            assert [r.was_successful for r in unsubscribed] == [True, True, False]

    run_asyncio(main)


def test_events_change_over_time_and_write_complete() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock) as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            level = await session.add_item(server, "Tank.Level")
            async with session.events() as events:
                await session.advise(server, level)
                assert (await next_event(events)).value == 10.0
                clock.now += 2.0
                sim.tick()
                moved = await next_event(events)
                assert moved.value == 12.0 and moved.worker_sequence == 2
                await session.write(server, level, 50.0)
                complete = await next_event(events)
                assert isinstance(complete, WriteComplete) and complete.succeeded
                assert (await next_event(events)).value == 50.0

    run_asyncio(main)


def test_second_subscriber_resume_and_replay_gap() -> None:
    clock = ManualClock()
    settings = SimulatorSettings(tick_interval=3600, replay_events=3)

    async def main() -> None:
        async with simulator(clock=clock, settings=settings) as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            level = await session.add_item(server, "Tank.Level")
            async with session.events() as events:
                await session.advise(server, level)
                await next_event(events)
                with pytest.raises(AlreadyExistsError):
                    async with session.events() as second:
                        await next_event(second)
                for _ in range(5):
                    clock.now += 1.0
                    sim.tick()
                    await next_event(events)
                assert events.last_worker_sequence == 6
            # resume inside the replay window: gap-free
            async with session.events(after_worker_sequence=4) as resumed:
                assert [(await next_event(resumed)).worker_sequence for _ in range(2)] == [5, 6]
            # resume from before what the ring kept: a gap marker first
            async with session.events(after_worker_sequence=1) as gapped:
                marker = await next_event(gapped)
                assert isinstance(marker, ReplayGap)
                assert (marker.requested_after_sequence, marker.oldest_available_sequence) == (1, 4)
                assert (await next_event(gapped)).worker_sequence == 4
                assert gapped.last_worker_sequence == 4

    run_asyncio(main)


def test_queue_overflow_faults_the_session_by_default() -> None:
    clock = ManualClock()
    settings = SimulatorSettings(tick_interval=3600, event_queue_capacity=3)

    async def main() -> None:
        async with simulator(clock=clock, settings=settings) as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("client")
            await session.advise(server, await session.add_item(server, "Tank.Level"))
            for _ in range(4):  # no subscriber: the events queue up and overflow
                clock.now += 1.0
                sim.tick()
            with pytest.raises(SessionLostError, match="EventQueueOverflow") as faulted:
                await session.ping()
            assert isinstance(faulted.value.__cause__, ProtocolStatusError)
            assert faulted.value.__cause__.code == "SESSION_NOT_READY"
            with pytest.raises(SessionLostError):
                async with session.events() as events:
                    await next_event(events)

    run_asyncio(main)


def test_api_keys_and_scopes() -> None:
    full = generate_api_key("full")
    reader = generate_api_key("reader")
    keys = {
        full: ["session:open", "events:read", "invoke:read", "invoke:write"],
        reader: ["session:open", "invoke:read"],
    }

    async def main() -> None:
        async with simulator(api_keys=keys) as sim:
            async with await connect(sim) as anonymous:
                with pytest.raises(AuthenticationError, match="missing API key"):
                    await anonymous.open_session("s")
            async with await connect(sim, api_key=generate_api_key("wrong")) as wrong:
                with pytest.raises(AuthenticationError, match="invalid API key"):
                    await wrong.open_session("s")
            async with await connect(sim, api_key=reader) as client:
                session = await client.open_session("s")
                server = await session.register("c")
                item = await session.add_item(server, "Tank.Count")
                with pytest.raises(AuthorizationError, match="invoke:write") as denied:
                    await session.write(server, item, 1)
                assert reader not in str(denied.value)
            assert sim.last_authorization("Invoke") == f"Bearer {reader}"
            async with await connect(sim, api_key=full) as client:
                await (await client.open_session("s")).ping()

    run_asyncio(main)


def test_tls_with_test_ca_and_server_name_override(tmp_path: Path) -> None:
    certs = make_test_certificates(tmp_path, server_name="gateway.test")

    async def main() -> None:
        async with simulator(tls_cert=certs.cert_file, tls_key=certs.key_file) as sim:
            async with await GatewayClient.connect(
                endpoint=sim.endpoint, ca_file=str(certs.ca_file), server_name_override="gateway.test"
            ) as client:
                session = await client.open_session("tls")
                assert await session.register("c") == 1
            with pytest.raises(GatewayUnavailableError, match="TLS"):
                await GatewayClient.connect(endpoint=sim.endpoint, server_name_override="gateway.test")

    run_asyncio(main)


def test_fault_injection_drop_connections_and_fault_session() -> None:
    async def main() -> None:
        async with simulator() as sim, await connect(sim) as client:
            session = await client.open_session("s")
            server = await session.register("c")
            count = await session.add_item(server, "Tank.Count")
            await session.advise(server, count)
            async with session.events() as events:
                before = await next_event(events)
                await sim.drop_connections()
                await session.write(server, count, 6)  # the channel reconnects for the call
                after = await next_event(events)  # and the stream re-attached by itself
                assert after.worker_sequence == before.worker_sequence + 1
                assert events.statistics().reconnects == 1
            other = await client.open_session("t")  # the channel reconnects
            sim.fault_session(other.session_id)
            with pytest.raises(SessionLostError) as lost:
                await other.ping()
            assert isinstance(lost.value.__cause__, ProtocolStatusError) and "Faulted" in str(lost.value)

    run_asyncio(main)


def test_galaxy_files_are_validated(tmp_path: Path) -> None:
    default = load_galaxy()
    assert default.attributes["Object.Attribute"].writable
    assert default.attributes["Object.Attribute"].mx_type.value == "int32"
    with pytest.raises(GalaxyError, match="pattern"):
        parse_galaxy('[attributes."A.B"]\ntype = "int32"\ninitial = 1\npattern = "sine"\n')
    with pytest.raises(GalaxyError, match=r"\[\]"):
        parse_galaxy('[attributes."A.B"]\ntype = "int32"\ninitial = [1, 2]\n')
    with pytest.raises(GalaxyError, match="cannot read"):
        load_galaxy(tmp_path / "missing.toml")
