"""Quality bits, status categories, typed events and reply checking."""

from __future__ import annotations

import pytest

from mxgateway import (
    DataChange,
    MxAccessError,
    MxStatus,
    ProtocolStatusError,
    Quality,
    ReplayGap,
    StatusCategory,
    StatusSource,
    UnknownEvent,
    decode_event,
)
from mxgateway._core import commands, replies
from mxgateway._core.event_cursor import EventCursor
from mxgateway.generated import mxaccess_gateway_pb2 as pb


@pytest.mark.parametrize(
    ("raw", "status", "substatus", "limit"),
    [
        (192, "good", "non_specific", "none"),
        (216, "good", "local_override", "none"),
        (64, "uncertain", "non_specific", "none"),
        (68, "uncertain", "last_usable_value", "none"),
        (0, "bad", "non_specific", "none"),
        (8, "bad", "not_connected", "none"),
        (24, "bad", "comm_failure", "none"),
        (32, "bad", "waiting_for_initial_data", "none"),
        (4, "bad", "configuration_error", "none"),
        (193, "good", "non_specific", "low"),
        (194, "good", "non_specific", "high"),
        (195, "good", "non_specific", "constant"),
    ],
)
def test_quality_decoding(raw: int, status: str, substatus: str, limit: str) -> None:
    quality = Quality(raw)
    assert (quality.status, quality.substatus_name, quality.limit) == (status, substatus, limit)
    assert quality.raw == raw
    assert quality.is_good == (status == "good") and quality.is_bad == (status == "bad")


def test_status_enums_mirror_the_proto() -> None:
    for enum_type, proto_enum, prefix in (
        (StatusCategory, pb.MxStatusCategory, "MX_STATUS_CATEGORY_"),
        (StatusSource, pb.MxStatusSource, "MX_STATUS_SOURCE_"),
    ):
        proto = {v.name.removeprefix(prefix): v.number for v in proto_enum.DESCRIPTOR.values}
        assert {m.name: m.value for m in enum_type} == proto


def test_unknown_category_number_is_kept_and_counts_as_error() -> None:
    status = MxStatus.from_proto(pb.MxStatusProxy(category=42))  # type: ignore[arg-type]
    assert status.category == 42 and status.is_error
    assert status.to_proto().category == 42


def _reply(code: int, *statuses: pb.MxStatusProxy, hresult: int = 0) -> pb.MxCommandReply:
    return pb.MxCommandReply(
        kind=pb.MX_COMMAND_KIND_WRITE,
        protocol_status=pb.ProtocolStatus(code=code, message="m"),  # type: ignore[arg-type]
        hresult=hresult,
        statuses=list(statuses),
    )


def test_check_reply_layers() -> None:
    ok = _reply(pb.PROTOCOL_STATUS_CODE_OK, pb.MxStatusProxy(success=0))
    assert replies.check_reply(ok) is ok
    with pytest.raises(MxAccessError, match="HRESULT 0x80004005"):
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_OK, hresult=-2147467259))
    with pytest.raises(ProtocolStatusError) as not_ready:
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY))
    assert not_ready.value.code == "SESSION_NOT_READY" and not isinstance(not_ready.value, MxAccessError)
    with pytest.raises(ProtocolStatusError) as unspecified:
        replies.check_reply(_reply(pb.PROTOCOL_STATUS_CODE_UNSPECIFIED))
    assert unspecified.value.code == "UNSPECIFIED"


def test_missing_payload_is_a_protocol_violation() -> None:
    reply = _reply(pb.PROTOCOL_STATUS_CODE_OK)
    with pytest.raises(ProtocolStatusError, match="register"):
        replies.server_handle(reply)


def test_events_of_unknown_shape_are_kept_not_dropped() -> None:
    event = decode_event(pb.MxEvent(worker_sequence=9, family=7))  # type: ignore[arg-type]
    assert isinstance(event, UnknownEvent) and event.family == 7 and event.worker_sequence == 9


def test_flat_data_change_fields_of_older_gateways() -> None:
    message = pb.MxEvent(worker_sequence=3, family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE, quality=64)
    message.value.int32_value = 5
    event = decode_event(message)
    assert isinstance(event, DataChange) and event.value == 5 and event.quality.is_uncertain


def test_replay_gap_moves_the_cursor_to_the_gap_free_resume_point() -> None:
    marker = pb.MxEvent()
    marker.replay_gap.requested_after_sequence = 10
    marker.replay_gap.oldest_available_sequence = 50
    event = decode_event(marker)
    assert isinstance(event, ReplayGap) and event.resume_after == 49
    cursor = EventCursor(10)
    cursor.observe(marker)
    assert cursor.last_worker_sequence == 49


def test_command_builders_set_kind_by_name_and_validate() -> None:
    command = commands.item_command("unadvise", 1, 2)
    assert (
        command.kind == pb.MX_COMMAND_KIND_UN_ADVISE and command.WhichOneof("payload") == "un_advise_command"
    )
    for bad in (0, -1, 2**31, True, "1"):
        with pytest.raises(ValueError, match="server_handle"):
            commands.unregister(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not one string"):
        commands.tag_bulk("subscribe_bulk", 1, "A.B")
    with pytest.raises(ValueError, match="tuple of 2"):
        commands.write_bulk(1, [(1,)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="timezone-aware"):
        commands.write2(1, 2, 3, "2026-01-01")  # type: ignore[arg-type]
