"""Every command kind over the raw stub, MXAccess quirks and failures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import pytest
from grpclib.const import Status
from grpclib.exceptions import GRPCError

from mxgateway._core.values import decode_value, encode_value
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.loops import ManualClock, run_asyncio
from tests.testing.raw import (
    E_INVALIDARG,
    FIXED_TIME,
    Stub,
    add_advised,
    failed,
    invoke,
    ok,
    open_session,
    register,
    simulator,
    stub_for,
)

WRITTEN_AT = datetime(2025, 12, 24, 18, 0, tzinfo=UTC)


def test_every_command_kind_succeeds_with_mxaccess_shaped_replies() -> None:
    clock = ManualClock()
    kinds_seen: set[int] = set()

    async def main() -> None:
        async with simulator(clock=clock) as sim, stub_for(sim) as stub:
            session = await open_session(stub)

            async def call(member: str, **fields: Any) -> pb.MxCommandReply:
                reply = ok(await invoke(stub, session, member, correlation_id=f"c-{member}", **fields))
                assert (reply.session_id, reply.correlation_id) == (session, f"c-{member}")
                assert reply.kind == pb.MxCommandKind.Value("MX_COMMAND_KIND_" + member.upper())
                entry = reply.statuses[0]
                assert (entry.success, entry.detected_by) == (1, pb.MX_STATUS_SOURCE_RESPONDING_LMX)
                assert (entry.raw_category, entry.raw_detected_by) == (0, 1)  # COM's Ok, RespondingLmx
                kinds_seen.add(reply.kind)
                return reply

            registered = await call("register", client_name="tests")
            server = registered.register.server_handle
            assert server >= 1 and decode_value(registered.return_value) == server
            count = (await call("add_item", server_handle=server, item_definition="Tank.Count")).add_item
            level = (
                await call(
                    "add_item2", server_handle=server, item_definition="Tank.Level", item_context="ctx"
                )
            ).add_item2
            buffered = (
                await call("add_buffered_item", server_handle=server, item_definition="Tank.Count")
            ).add_buffered_item
            assert len({count.item_handle, level.item_handle, buffered.item_handle}) == 3
            assert min(count.item_handle, level.item_handle, buffered.item_handle) >= 1
            await call("set_buffered_update_interval", server_handle=server, interval_ms=250)
            await call("advise", server_handle=server, item_handle=count.item_handle)
            await call("advise_supervisory", server_handle=server, item_handle=level.item_handle)
            await call("suspend", server_handle=server, item_handle=level.item_handle)
            await call("activate", server_handle=server, item_handle=level.item_handle)
            await call("un_advise", server_handle=server, item_handle=level.item_handle)
            await call("write", server_handle=server, item_handle=count.item_handle, value=encode_value(6))
            await call(
                "write2",
                server_handle=server,
                item_handle=count.item_handle,
                value=encode_value(7),
                timestamp_value=encode_value(WRITTEN_AT),
            )
            operator = (
                await call(
                    "authenticate_user", server_handle=server, user_name="operator", password="op-pass"
                )
            ).authenticate_user.user_id
            verifier = (
                await call("archestra_user_to_id", server_handle=server, user_name="verifier")
            ).archestra_user_to_id.user_id
            assert verifier == 7 and operator not in (0, verifier)
            await call("authenticate_user", server_handle=server, user_name="verifier", password="ver-pass")
            limit = await add_advised(stub, session, server, "Tank.Limit")
            trip = await add_advised(stub, session, server, "Tank.Trip")
            await call(
                "write_secured",
                server_handle=server,
                item_handle=limit,
                value=encode_value(2.0),
                current_user_id=operator,
            )
            await call(
                "write_secured2",
                server_handle=server,
                item_handle=trip,
                value=encode_value(True),
                current_user_id=operator,
                verifier_user_id=verifier,
                timestamp_value=encode_value(WRITTEN_AT),
            )
            drained = (await call("drain_events", max_events=1000)).drain_events.events
            assert [e.worker_sequence for e in drained] == list(range(1, len(drained) + 1))
            by_family = {e.family for e in drained}
            assert {pb.MX_EVENT_FAMILY_ON_DATA_CHANGE, pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE} <= by_family
            after_write2 = [
                e for e in drained if e.item_handle == count.item_handle and e.HasField("on_data_change")
            ][-1]
            assert decode_value(after_write2.on_data_change.value) == 7
            assert after_write2.on_data_change.timestamp.ToDatetime(tzinfo=UTC) == WRITTEN_AT
            await call("ping")
            state = (await call("get_session_state")).get_session_state
            assert (state.state, state.worker_state) == (pb.SESSION_STATE_READY, "Running")

            added = (
                await call("add_item_bulk", server_handle=server, tag_addresses=["Tank.Count", "Tank.Name"])
            ).bulk_subscribe.results
            handles = [r.item_handle for r in added]
            assert [r.tag_address for r in added] == ["Tank.Count", "Tank.Name"]
            assert all(r.was_successful and r.server_handle == server for r in added)
            for member in ("advise_item_bulk", "un_advise_item_bulk", "remove_item_bulk"):
                results = (
                    await call(member, server_handle=server, item_handles=handles)
                ).bulk_subscribe.results
                assert [(r.item_handle, r.was_successful) for r in results] == [(h, True) for h in handles]
            subscribed = (
                await call("subscribe_bulk", server_handle=server, tag_addresses=["Tank.Count", "Tank.Level"])
            ).bulk_subscribe.results
            bulk_handles = [r.item_handle for r in subscribed]
            write_entries = [pb.WriteBulkEntry(item_handle=bulk_handles[0], value=encode_value(8))]
            written = await call("write_bulk", server_handle=server, entries=write_entries)
            assert [r.was_successful for r in written.bulk_write.results] == [True]
            await call(
                "write2_bulk",
                server_handle=server,
                entries=[pb.Write2BulkEntry(item_handle=bulk_handles[0], value=encode_value(9))],
            )
            await call(
                "write_secured_bulk",
                server_handle=server,
                entries=[
                    pb.WriteSecuredBulkEntry(
                        item_handle=limit, value=encode_value(3.0), current_user_id=operator
                    )
                ],
            )
            await call(
                "write_secured2_bulk",
                server_handle=server,
                entries=[
                    pb.WriteSecured2BulkEntry(
                        item_handle=trip,
                        value=encode_value(False),
                        current_user_id=operator,
                        verifier_user_id=verifier,
                    )
                ],
            )
            read = (
                await call("read_bulk", server_handle=server, tag_addresses=["Tank.Count"], timeout_ms=0)
            ).bulk_read.results
            assert [(r.tag_address, r.was_successful, decode_value(r.value)) for r in read] == [
                ("Tank.Count", True, 9)
            ]
            assert read[0].quality == 192 and read[0].timestamp.ToDatetime(tzinfo=UTC) == FIXED_TIME
            unsubscribed = await call("unsubscribe_bulk", server_handle=server, item_handles=bulk_handles)
            assert all(r.was_successful for r in unsubscribed.bulk_subscribe.results)

            clock.now += 2  # Tank.Level ramps from 10 to 12, above its alarm limit of 11.5
            sim.tick()
            acked = await call(
                "acknowledge_alarm_by_name",
                alarm_full_reference="Tank.Level.HiAlarm",
                comment="seen",
                operator_user="operator",
            )
            assert acked.acknowledge_alarm.status.category == pb.MX_STATUS_CATEGORY_OK
            await call("remove_item", server_handle=server, item_handle=count.item_handle)
            await call("unregister", server_handle=server)

    run_asyncio(main)
    every_kind = set(pb.MxCommandKind.values()) - {pb.MX_COMMAND_KIND_UNSPECIFIED}
    assert kinds_seen == every_kind


def test_mxaccess_quirks_show_on_the_data_change_not_on_add_item() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            server = await register(stub, session)
            unknown = await add_advised(stub, session, server, "Nowhere.Nothing")
            suffixless = await add_advised(stub, session, server, "Tank.Trend")
            array = await add_advised(stub, session, server, "Tank.Trend[]")
            events = {
                e.item_handle: e.on_data_change
                for e in (await invoke(stub, session, "drain_events", max_events=10)).drain_events.events
            }
            for handle, detail in ((unknown, 1001), (suffixless, 1003)):
                (entry,) = events[handle].statuses
                assert entry.category == pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR
                assert (entry.detail, entry.raw_category, entry.success) == (detail, 4, 0)
                assert events[handle].value.is_null and events[handle].quality < 64  # bad quality
            assert decode_value(events[array].value) == [1, 2, 3]
            assert events[array].quality == 192

    run_asyncio(main)


async def _advised_session(stub: Stub) -> tuple[str, int]:
    session = await open_session(stub)
    return session, await register(stub, session)


def test_failures_are_replies_with_hresults_and_a_status_entry() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session, server = await _advised_session(stub)
            bad_server = failed(
                await invoke(stub, session, "add_item", server_handle=99, item_definition="X.Y")
            )
            assert bad_server.raw_category == 5  # COM OperationalError
            reply = await invoke(stub, session, "advise", server_handle=server, item_handle=42)
            failed(reply)
            assert reply.hresult == E_INVALIDARG and "42" in reply.diagnostic_message
            name = (
                await invoke(stub, session, "add_item", server_handle=server, item_definition="Tank.Name")
            ).add_item.item_handle
            not_advised = await invoke(
                stub, session, "write", server_handle=server, item_handle=name, value=encode_value("x")
            )
            failed(not_advised)
            assert not_advised.hresult == E_INVALIDARG and "not advised" in not_advised.diagnostic_message
            await invoke(stub, session, "advise", server_handle=server, item_handle=name)
            read_only = await invoke(
                stub, session, "write", server_handle=server, item_handle=name, value=encode_value("x")
            )
            assert failed(read_only).category == pb.MX_STATUS_CATEGORY_OPERATIONAL_ERROR
            assert "read-only" in read_only.diagnostic_message
            count = await add_advised(stub, session, server, "Tank.Count")
            for wrong, why in (
                (encode_value("many"), "type mismatch"),
                (encode_value([1, 2]), "single value"),
            ):
                mismatch = await invoke(
                    stub, session, "write", server_handle=server, item_handle=count, value=wrong
                )
                failed(mismatch)
                assert why in mismatch.diagnostic_message and "int32" in mismatch.diagnostic_message
            trend = await add_advised(stub, session, server, "Tank.Trend[]")
            scalar = await invoke(
                stub, session, "write", server_handle=server, item_handle=trend, value=encode_value(4)
            )
            assert "an array" in failed(scalar).diagnostic_text
            array_write = await invoke(
                stub, session, "write", server_handle=server, item_handle=trend, value=encode_value([4, 5])
            )
            ok(array_write)
            assert sim.statistics()["sessions"] == {"READY": 1}  # failures never fault the session

    run_asyncio(main)


def test_secured_and_verified_writes_need_authenticated_users() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session, server = await _advised_session(stub)
            limit = await add_advised(stub, session, server, "Tank.Limit")
            trip = await add_advised(stub, session, server, "Tank.Trip")
            plain = await invoke(
                stub, session, "write", server_handle=server, item_handle=limit, value=encode_value(2.0)
            )
            assert failed(plain).category == pb.MX_STATUS_CATEGORY_SECURITY_ERROR
            wrong = await invoke(
                stub,
                session,
                "authenticate_user",
                server_handle=server,
                user_name="operator",
                password="not-the-password",
            )
            assert failed(wrong).category == pb.MX_STATUS_CATEGORY_SECURITY_ERROR
            assert "not-the-password" not in wrong.diagnostic_message
            unknown_user = await invoke(
                stub,
                session,
                "write_secured",
                server_handle=server,
                item_handle=limit,
                value=encode_value(2.0),
                current_user_id=55,
            )
            assert "not authenticated" in unknown_user.diagnostic_message
            failed(unknown_user)
            operator = (
                await invoke(
                    stub,
                    session,
                    "authenticate_user",
                    server_handle=server,
                    user_name="operator",
                    password="op-pass",
                )
            ).authenticate_user.user_id
            ok(
                await invoke(
                    stub,
                    session,
                    "write_secured",
                    server_handle=server,
                    item_handle=limit,
                    value=encode_value(2.0),
                    current_user_id=operator,
                )
            )
            for verifier in (0, operator):
                refused = await invoke(
                    stub,
                    session,
                    "write_secured",
                    server_handle=server,
                    item_handle=trip,
                    value=encode_value(True),
                    current_user_id=operator,
                    verifier_user_id=verifier,
                )
                assert failed(refused).category == pb.MX_STATUS_CATEGORY_SECURITY_ERROR
                assert "verifier" in refused.diagnostic_message

    run_asyncio(main)


def test_bulk_entries_fail_alone_and_keep_input_order() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session, server = await _advised_session(stub)
            subscribed = (
                await invoke(
                    stub,
                    session,
                    "subscribe_bulk",
                    server_handle=server,
                    tag_addresses=["Tank.Count", "", "Tank.Name"],
                )
            ).bulk_subscribe.results
            assert [(r.tag_address, r.was_successful) for r in subscribed] == [
                ("Tank.Count", True),
                ("", False),
                ("Tank.Name", True),
            ]
            assert subscribed[1].error_message
            count, name = subscribed[0].item_handle, subscribed[2].item_handle
            writes = (
                await invoke(
                    stub,
                    session,
                    "write_bulk",
                    server_handle=server,
                    entries=[
                        pb.WriteBulkEntry(item_handle=name, value=encode_value("n")),
                        pb.WriteBulkEntry(item_handle=count, value=encode_value(11)),
                        pb.WriteBulkEntry(item_handle=404, value=encode_value(1)),
                    ],
                )
            ).bulk_write.results
            assert [(r.item_handle, r.was_successful) for r in writes] == [
                (name, False),
                (count, True),
                (404, False),
            ]
            assert "read-only" in writes[0].error_message and "404" in writes[2].error_message
            removed = (
                await invoke(
                    stub, session, "remove_item_bulk", server_handle=server, item_handles=[404, count]
                )
            ).bulk_subscribe.results
            assert [(r.item_handle, r.was_successful) for r in removed] == [(404, False), (count, True)]

    run_asyncio(main)


def test_read_bulk_uses_the_cache_of_advised_items_across_registrations() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session, server = await _advised_session(stub)
            other = await register(stub, session)
            count = await add_advised(stub, session, other, "Tank.Count")
            await invoke(
                stub, session, "write", server_handle=other, item_handle=count, value=encode_value(21)
            )
            results = (
                await invoke(
                    stub,
                    session,
                    "read_bulk",
                    server_handle=server,
                    tag_addresses=["Tank.Count", "Tank.Name", "Tank.Trend", "No.Such"],
                )
            ).bulk_read.results
            assert [(r.tag_address, r.was_successful, r.was_cached) for r in results] == [
                ("Tank.Count", True, True),
                ("Tank.Name", True, False),
                ("Tank.Trend", False, False),
                ("No.Such", False, False),
            ]
            assert [decode_value(r.value) for r in results[:2]] == [21, "T1"]
            assert "[]" in results[2].error_message and results[3].error_message
            assert results[3].statuses[0].category == pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR

    run_asyncio(main)


def test_fresh_reads_wait_for_the_first_data_change_and_honour_timeout_ms() -> None:
    settings = {"first_data_change_delay": 0.2, "read_timeout_ms": 1000}

    async def main() -> None:
        async with simulator(settings=settings) as sim, stub_for(sim) as stub:
            session, server = await _advised_session(stub)
            loop = asyncio.get_running_loop()
            started = loop.time()
            short = (
                await invoke(
                    stub,
                    session,
                    "read_bulk",
                    server_handle=server,
                    tag_addresses=["Tank.Name"],
                    timeout_ms=20,
                )
            ).bulk_read.results
            assert [r.was_successful for r in short] == [False]
            assert "timeout" in short[0].error_message
            default = (
                await invoke(stub, session, "read_bulk", server_handle=server, tag_addresses=["Tank.Name"])
            ).bulk_read.results
            assert [(r.was_successful, decode_value(r.value)) for r in default] == [(True, "T1")]
            assert loop.time() - started >= 0.2  # the default (1 s) outlasted the first data change

    run_asyncio(main)


def test_malformed_commands_are_invalid_argument() -> None:
    async def main() -> None:
        async with simulator() as sim, stub_for(sim) as stub:
            session = await open_session(stub)
            empty = pb.MxCommandRequest(
                session_id=session, command=pb.MxCommand(kind=pb.MX_COMMAND_KIND_PING)
            )
            with pytest.raises(GRPCError) as no_payload:
                await stub.Invoke(empty)
            mismatch = pb.MxCommandRequest(
                session_id=session,
                command=pb.MxCommand(kind=pb.MX_COMMAND_KIND_WRITE, ping_command=pb.PingCommand()),
            )
            with pytest.raises(GRPCError) as wrong_kind:
                await stub.Invoke(mismatch)
            assert no_payload.value.status == wrong_kind.value.status == Status.INVALID_ARGUMENT
            assert "MX_COMMAND_KIND_WRITE" in str(wrong_kind.value.message)

    run_asyncio(main)
