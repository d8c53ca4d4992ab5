"""The generated gateway, worker and galaxy bindings import and round-trip."""

from __future__ import annotations

from types import ModuleType

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from mxgateway.generated import (
    galaxy_repository_grpc,
    galaxy_repository_pb2,
    mxaccess_gateway_grpc,
    mxaccess_gateway_pb2,
    mxaccess_worker_pb2,
)

MODULES: list[ModuleType] = [mxaccess_gateway_pb2, mxaccess_worker_pb2, galaxy_repository_pb2]


def _fill(message: Message, depth: int = 0) -> Message:
    """Set every field (the first member of each oneof) to a non-default value."""
    descriptor: Descriptor = message.DESCRIPTOR
    for field in descriptor.fields:
        oneof = field.containing_oneof
        if oneof is not None and oneof.fields[0] is not field:
            continue
        repeated = field.is_repeated
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth > 3:
                continue
            if repeated:
                _fill(getattr(message, field.name).add(), depth + 1)
            else:
                sub = getattr(message, field.name)
                _fill(sub, depth + 1)
                sub.SetInParent()
            continue
        value = _scalar(field)
        if repeated:
            getattr(message, field.name).append(value)
        else:
            setattr(message, field.name, value)
    return message


def _scalar(field: FieldDescriptor) -> object:
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[-1].number
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type == FieldDescriptor.TYPE_STRING:
        return f"{field.name}-value"
    if field.type in (FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE):
        return 1.5
    if field.type == FieldDescriptor.TYPE_BYTES:
        return b"\x01\x02"
    return 7


def _top_level_messages() -> list[type[Message]]:
    classes = []
    for module in MODULES:
        for name in module.DESCRIPTOR.message_types_by_name:
            classes.append(getattr(module, name))
    return classes


@pytest.mark.parametrize("message_class", _top_level_messages(), ids=lambda c: c.DESCRIPTOR.full_name)
def test_every_message_round_trips_through_bytes_and_json(message_class: type[Message]) -> None:
    original = _fill(message_class())
    if message_class.DESCRIPTOR.fields:
        assert original.ByteSize() > 0

    from_bytes = message_class.FromString(original.SerializeToString(deterministic=True))
    assert from_bytes == original

    as_json = json_format.MessageToJson(original, preserving_proto_field_name=False)
    from_json = json_format.Parse(as_json, message_class())
    assert from_json == original


def test_stubs_and_service_bases_import() -> None:
    assert hasattr(mxaccess_gateway_grpc, "MxAccessGatewayStub")
    assert hasattr(mxaccess_gateway_grpc, "MxAccessGatewayBase")
    assert hasattr(galaxy_repository_grpc, "GalaxyRepositoryStub")
    service = mxaccess_gateway_pb2.DESCRIPTOR.services_by_name["MxAccessGateway"]
    streaming = {m.name: (m.client_streaming, m.server_streaming) for m in service.methods}
    assert streaming == {
        "OpenSession": (False, False),
        "CloseSession": (False, False),
        "Invoke": (False, False),
        "StreamEvents": (False, True),
        "AcknowledgeAlarm": (False, False),
        "StreamAlarms": (False, True),
        "QueryActiveAlarms": (False, True),
    }


def test_worker_envelope_carries_gateway_messages() -> None:
    envelope = mxaccess_worker_pb2.WorkerEnvelope(
        protocol_version=1,
        session_id="session-" + "0" * 32,
        correlation_id="c-1",
        worker_command=mxaccess_worker_pb2.WorkerCommand(
            command=mxaccess_gateway_pb2.MxCommand(
                kind=mxaccess_gateway_pb2.MX_COMMAND_KIND_REGISTER,
                register_command=mxaccess_gateway_pb2.RegisterCommand(client_name="py"),
            )
        ),
    )
    parsed = mxaccess_worker_pb2.WorkerEnvelope.FromString(envelope.SerializeToString())
    assert parsed.WhichOneof("body") == "worker_command"
    assert parsed.worker_command.command.register_command.client_name == "py"


def _number(message: type[Message], field: str) -> int:
    return int(message.DESCRIPTOR.fields_by_name[field].number)


# Numbers the gateway project publishes (marked exact in the contract facts).
EXACT_FIELD_NUMBERS = [
    (mxaccess_gateway_pb2.MxCommand, "acknowledge_alarm_by_name_command", 38),
    (mxaccess_gateway_pb2.MxCommandReply, "acknowledge_alarm", 34),
    (mxaccess_gateway_pb2.MxCommandReply, "query_active_alarms", 35),
    (mxaccess_gateway_pb2.MxEvent, "gateway_receive_timestamp", 11),
    (mxaccess_gateway_pb2.MxEvent, "hresult", 12),
    (mxaccess_gateway_pb2.MxEvent, "raw_status", 13),
    (mxaccess_gateway_pb2.MxEvent, "replay_gap", 14),
    (mxaccess_gateway_pb2.MxEvent, "on_data_change", 20),
    (mxaccess_gateway_pb2.MxEvent, "on_alarm_transition", 24),
    (mxaccess_gateway_pb2.ReplayGap, "oldest_available_sequence", 2),
    (mxaccess_gateway_pb2.QueryActiveAlarmsRequest, "session_id", 1),
    (mxaccess_gateway_pb2.QueryActiveAlarmsRequest, "client_correlation_id", 2),
    (mxaccess_gateway_pb2.QueryActiveAlarmsRequest, "alarm_filter_prefix", 3),
    (mxaccess_gateway_pb2.AlarmProviderStatus, "mode", 1),
    (mxaccess_gateway_pb2.AlarmProviderStatus, "degraded", 2),
    (mxaccess_gateway_pb2.AlarmProviderStatus, "reason", 3),
    (mxaccess_gateway_pb2.AlarmProviderStatus, "since", 4),
    (mxaccess_worker_pb2.WorkerEnvelope, "correlation_id", 4),
    (mxaccess_worker_pb2.WorkerEnvelope, "gateway_hello", 10),
    (mxaccess_worker_pb2.WorkerEnvelope, "worker_fault", 20),
    (galaxy_repository_pb2.TestConnectionReply, "ok", 1),
    (galaxy_repository_pb2.BrowseChildrenRequest, "parent_gobject_id", 1),
    (galaxy_repository_pb2.BrowseChildrenRequest, "historized_only", 11),
    (galaxy_repository_pb2.BrowseChildrenReply, "children", 1),
    (galaxy_repository_pb2.GalaxyAttribute, "is_historized", 10),
    (galaxy_repository_pb2.GalaxyAttribute, "is_alarm", 11),
]


@pytest.mark.parametrize(("message", "field", "number"), EXACT_FIELD_NUMBERS)
def test_exact_field_numbers(message: type[Message], field: str, number: int) -> None:
    assert _number(message, field) == number


def test_exact_enum_numbers_and_optional_fields() -> None:
    pb = mxaccess_gateway_pb2
    assert pb.MX_COMMAND_KIND_ACKNOWLEDGE_ALARM_BY_NAME == 29
    assert pb.MX_EVENT_FAMILY_ON_ALARM_TRANSITION == 5
    assert pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE == 9
    assert (pb.ALARM_PROVIDER_MODE_ALARMMGR, pb.ALARM_PROVIDER_MODE_SUBTAG) == (1, 2)
    fields = pb.MxEvent.DESCRIPTOR.fields_by_name
    assert fields["hresult"].has_presence and fields["replay_gap"].has_presence
    assert [f.name for f in pb.MxEvent.DESCRIPTOR.oneofs_by_name["body"].fields] == [
        "on_data_change",
        "on_write_complete",
        "operation_complete",
        "on_buffered_data_change",
        "on_alarm_transition",
    ]


def test_every_command_kind_has_a_payload_member() -> None:
    pb = mxaccess_gateway_pb2
    members = {f.name: f.number for f in pb.MxCommand.DESCRIPTOR.oneofs_by_name["payload"].fields}
    for kind in pb.MxCommandKind.DESCRIPTOR.values:
        if kind.number == 0:
            continue
        member = kind.name.removeprefix("MX_COMMAND_KIND_").lower() + "_command"
        assert members[member] == 9 + kind.number, member
