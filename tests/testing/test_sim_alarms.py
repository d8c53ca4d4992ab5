"""The alarm model over the raw stub: raise, snapshot, acknowledge, clear, filters."""

from __future__ import annotations

from mxgateway._core.values import decode_value, encode_value
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from tests.support.loops import ManualClock, run_asyncio
from tests.testing.raw import add_advised, invoke, open_session, register, simulator, stub_for

REFERENCE = "Tank.Level.HiAlarm"


def test_alarms_raise_snapshot_acknowledge_and_clear() -> None:
    clock = ManualClock()

    async def main() -> None:
        async with simulator(clock=clock) as sim, stub_for(sim) as stub:
            clock.now += 2  # Tank.Level ramps 10 -> 12, above its limit 11.5
            sim.tick()
            async with stub.StreamAlarms.open() as feed, stub.StreamAlarms.open() as other:
                await feed.send_message(pb.StreamAlarmsRequest(alarm_filter_prefix="Tank."), end=True)
                await other.send_message(pb.StreamAlarmsRequest(alarm_filter_prefix="Pump"), end=True)
                active = await feed.recv_message()
                complete = await feed.recv_message()
                assert active is not None and complete is not None
                assert active.active_alarm.alarm_full_reference == REFERENCE
                assert active.active_alarm.condition_state == pb.ALARM_CONDITION_STATE_ACTIVE_UNACKED
                assert complete.WhichOneof("payload") == "snapshot_complete"
                only = await other.recv_message()  # nothing active matches its prefix
                assert only is not None and only.WhichOneof("payload") == "snapshot_complete"

                acked = await stub.AcknowledgeAlarm(
                    pb.AcknowledgeAlarmRequest(
                        alarm_full_reference=REFERENCE, comment="on it", operator_user="op"
                    )
                )
                assert (acked.protocol_status.code, acked.hresult) == (pb.PROTOCOL_STATUS_CODE_OK, 0)
                transition = await feed.recv_message()
                assert transition is not None
                assert transition.transition.transition_kind == pb.ALARM_TRANSITION_KIND_ACKNOWLEDGE
                assert (transition.transition.operator_user, transition.transition.operator_comment) == (
                    "op",
                    "on it",
                )
                snapshot = await stub.QueryActiveAlarms(
                    pb.QueryActiveAlarmsRequest(alarm_filter_prefix="Tank")
                )
                assert [a.condition_state for a in snapshot] == [pb.ALARM_CONDITION_STATE_ACTIVE_ACKED]

                session = await open_session(stub)
                server = await register(stub, session)
                level = await add_advised(stub, session, server, "Tank.Level")
                await invoke(
                    stub, session, "write", server_handle=server, item_handle=level, value=encode_value(3.0)
                )
                sim.tick()
                cleared = await feed.recv_message()
                assert cleared is not None
                assert cleared.transition.transition_kind == pb.ALARM_TRANSITION_KIND_CLEAR
                assert decode_value(cleared.transition.current_value) == 3.0
                assert decode_value(cleared.transition.limit_value) == 11.5
                assert sim.statistics()["alarm_streams_open"] == 2
                await feed.cancel()
                await other.cancel()
            assert await stub.QueryActiveAlarms(pb.QueryActiveAlarmsRequest()) == []
            missing = await stub.AcknowledgeAlarm(pb.AcknowledgeAlarmRequest(alarm_full_reference=REFERENCE))
            assert missing.protocol_status.code == pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
            assert missing.hresult < 0 and REFERENCE in missing.diagnostic_message
            assert missing.status.category == pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR

    run_asyncio(main)
