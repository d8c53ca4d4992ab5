import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from mxgateway.generated import mxaccess_gateway_pb2 as _mxaccess_gateway_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkerFaultKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKER_FAULT_KIND_UNSPECIFIED: _ClassVar[WorkerFaultKind]
    WORKER_FAULT_KIND_COM_INITIALIZATION: _ClassVar[WorkerFaultKind]
    WORKER_FAULT_KIND_MXACCESS_UNAVAILABLE: _ClassVar[WorkerFaultKind]
    WORKER_FAULT_KIND_PROTOCOL_VIOLATION: _ClassVar[WorkerFaultKind]
    WORKER_FAULT_KIND_UNHANDLED_EXCEPTION: _ClassVar[WorkerFaultKind]
WORKER_FAULT_KIND_UNSPECIFIED: WorkerFaultKind
WORKER_FAULT_KIND_COM_INITIALIZATION: WorkerFaultKind
WORKER_FAULT_KIND_MXACCESS_UNAVAILABLE: WorkerFaultKind
WORKER_FAULT_KIND_PROTOCOL_VIOLATION: WorkerFaultKind
WORKER_FAULT_KIND_UNHANDLED_EXCEPTION: WorkerFaultKind

class GatewayHello(_message.Message):
    __slots__ = ("gateway_protocol_version", "session_id")
    GATEWAY_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    gateway_protocol_version: int
    session_id: str
    def __init__(self, gateway_protocol_version: _Optional[int] = ..., session_id: _Optional[str] = ...) -> None: ...

class WorkerHello(_message.Message):
    __slots__ = ("worker_protocol_version", "process_id")
    WORKER_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROCESS_ID_FIELD_NUMBER: _ClassVar[int]
    worker_protocol_version: int
    process_id: int
    def __init__(self, worker_protocol_version: _Optional[int] = ..., process_id: _Optional[int] = ...) -> None: ...

class WorkerReady(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WorkerCommand(_message.Message):
    __slots__ = ("command",)
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    command: _mxaccess_gateway_pb2.MxCommand
    def __init__(self, command: _Optional[_Union[_mxaccess_gateway_pb2.MxCommand, _Mapping]] = ...) -> None: ...

class WorkerCommandReply(_message.Message):
    __slots__ = ("reply",)
    REPLY_FIELD_NUMBER: _ClassVar[int]
    reply: _mxaccess_gateway_pb2.MxCommandReply
    def __init__(self, reply: _Optional[_Union[_mxaccess_gateway_pb2.MxCommandReply, _Mapping]] = ...) -> None: ...

class WorkerCancel(_message.Message):
    __slots__ = ("target_correlation_id",)
    TARGET_CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    target_correlation_id: str
    def __init__(self, target_correlation_id: _Optional[str] = ...) -> None: ...

class WorkerShutdown(_message.Message):
    __slots__ = ("reason",)
    REASON_FIELD_NUMBER: _ClassVar[int]
    reason: str
    def __init__(self, reason: _Optional[str] = ...) -> None: ...

class WorkerShutdownAck(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WorkerEvent(_message.Message):
    __slots__ = ("event",)
    EVENT_FIELD_NUMBER: _ClassVar[int]
    event: _mxaccess_gateway_pb2.MxEvent
    def __init__(self, event: _Optional[_Union[_mxaccess_gateway_pb2.MxEvent, _Mapping]] = ...) -> None: ...

class WorkerHeartbeat(_message.Message):
    __slots__ = ("sent_at",)
    SENT_AT_FIELD_NUMBER: _ClassVar[int]
    sent_at: _timestamp_pb2.Timestamp
    def __init__(self, sent_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkerFault(_message.Message):
    __slots__ = ("kind", "message")
    KIND_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    kind: WorkerFaultKind
    message: str
    def __init__(self, kind: _Optional[_Union[WorkerFaultKind, str]] = ..., message: _Optional[str] = ...) -> None: ...

class WorkerEnvelope(_message.Message):
    __slots__ = ("protocol_version", "session_id", "correlation_id", "gateway_hello", "worker_hello", "worker_ready", "worker_command", "worker_command_reply", "worker_cancel", "worker_shutdown", "worker_shutdown_ack", "worker_event", "worker_heartbeat", "worker_fault")
    PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_HELLO_FIELD_NUMBER: _ClassVar[int]
    WORKER_HELLO_FIELD_NUMBER: _ClassVar[int]
    WORKER_READY_FIELD_NUMBER: _ClassVar[int]
    WORKER_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WORKER_COMMAND_REPLY_FIELD_NUMBER: _ClassVar[int]
    WORKER_CANCEL_FIELD_NUMBER: _ClassVar[int]
    WORKER_SHUTDOWN_FIELD_NUMBER: _ClassVar[int]
    WORKER_SHUTDOWN_ACK_FIELD_NUMBER: _ClassVar[int]
    WORKER_EVENT_FIELD_NUMBER: _ClassVar[int]
    WORKER_HEARTBEAT_FIELD_NUMBER: _ClassVar[int]
    WORKER_FAULT_FIELD_NUMBER: _ClassVar[int]
    protocol_version: int
    session_id: str
    correlation_id: str
    gateway_hello: GatewayHello
    worker_hello: WorkerHello
    worker_ready: WorkerReady
    worker_command: WorkerCommand
    worker_command_reply: WorkerCommandReply
    worker_cancel: WorkerCancel
    worker_shutdown: WorkerShutdown
    worker_shutdown_ack: WorkerShutdownAck
    worker_event: WorkerEvent
    worker_heartbeat: WorkerHeartbeat
    worker_fault: WorkerFault
    def __init__(self, protocol_version: _Optional[int] = ..., session_id: _Optional[str] = ..., correlation_id: _Optional[str] = ..., gateway_hello: _Optional[_Union[GatewayHello, _Mapping]] = ..., worker_hello: _Optional[_Union[WorkerHello, _Mapping]] = ..., worker_ready: _Optional[_Union[WorkerReady, _Mapping]] = ..., worker_command: _Optional[_Union[WorkerCommand, _Mapping]] = ..., worker_command_reply: _Optional[_Union[WorkerCommandReply, _Mapping]] = ..., worker_cancel: _Optional[_Union[WorkerCancel, _Mapping]] = ..., worker_shutdown: _Optional[_Union[WorkerShutdown, _Mapping]] = ..., worker_shutdown_ack: _Optional[_Union[WorkerShutdownAck, _Mapping]] = ..., worker_event: _Optional[_Union[WorkerEvent, _Mapping]] = ..., worker_heartbeat: _Optional[_Union[WorkerHeartbeat, _Mapping]] = ..., worker_fault: _Optional[_Union[WorkerFault, _Mapping]] = ...) -> None: ...
