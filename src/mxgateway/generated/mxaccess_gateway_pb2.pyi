import datetime

from google.protobuf import duration_pb2 as _duration_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProtocolStatusCode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROTOCOL_STATUS_CODE_UNSPECIFIED: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_OK: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_INVALID_REQUEST: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_SESSION_NOT_FOUND: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_SESSION_NOT_READY: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_WORKER_UNAVAILABLE: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_TIMEOUT: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_CANCELED: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_PROTOCOL_VIOLATION: _ClassVar[ProtocolStatusCode]
    PROTOCOL_STATUS_CODE_MXACCESS_FAILURE: _ClassVar[ProtocolStatusCode]

class SessionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SESSION_STATE_UNSPECIFIED: _ClassVar[SessionState]
    SESSION_STATE_CREATING: _ClassVar[SessionState]
    SESSION_STATE_STARTING_WORKER: _ClassVar[SessionState]
    SESSION_STATE_READY: _ClassVar[SessionState]
    SESSION_STATE_CLOSING: _ClassVar[SessionState]
    SESSION_STATE_FAULTED: _ClassVar[SessionState]
    SESSION_STATE_CLOSED: _ClassVar[SessionState]

class MxCommandKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MX_COMMAND_KIND_UNSPECIFIED: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_REGISTER: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_UNREGISTER: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADD_ITEM: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADD_ITEM2: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_REMOVE_ITEM: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADVISE: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADVISE_SUPERVISORY: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_UN_ADVISE: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE2: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE_SECURED: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE_SECURED2: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_AUTHENTICATE_USER: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ARCHESTRA_USER_TO_ID: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_SUSPEND: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ACTIVATE: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADD_BUFFERED_ITEM: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_SET_BUFFERED_UPDATE_INTERVAL: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_DRAIN_EVENTS: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_PING: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_GET_SESSION_STATE: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADD_ITEM_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ADVISE_ITEM_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_REMOVE_ITEM_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_UN_ADVISE_ITEM_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_SUBSCRIBE_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_UNSUBSCRIBE_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_ACKNOWLEDGE_ALARM_BY_NAME: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE2_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE_SECURED_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_WRITE_SECURED2_BULK: _ClassVar[MxCommandKind]
    MX_COMMAND_KIND_READ_BULK: _ClassVar[MxCommandKind]

class MxEventFamily(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MX_EVENT_FAMILY_UNSPECIFIED: _ClassVar[MxEventFamily]
    MX_EVENT_FAMILY_ON_DATA_CHANGE: _ClassVar[MxEventFamily]
    MX_EVENT_FAMILY_ON_WRITE_COMPLETE: _ClassVar[MxEventFamily]
    MX_EVENT_FAMILY_OPERATION_COMPLETE: _ClassVar[MxEventFamily]
    MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE: _ClassVar[MxEventFamily]
    MX_EVENT_FAMILY_ON_ALARM_TRANSITION: _ClassVar[MxEventFamily]

class MxDataType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MX_DATA_TYPE_UNSPECIFIED: _ClassVar[MxDataType]
    MX_DATA_TYPE_NO_DATA: _ClassVar[MxDataType]
    MX_DATA_TYPE_BOOLEAN: _ClassVar[MxDataType]
    MX_DATA_TYPE_INTEGER: _ClassVar[MxDataType]
    MX_DATA_TYPE_FLOAT: _ClassVar[MxDataType]
    MX_DATA_TYPE_DOUBLE: _ClassVar[MxDataType]
    MX_DATA_TYPE_STRING: _ClassVar[MxDataType]
    MX_DATA_TYPE_TIME: _ClassVar[MxDataType]
    MX_DATA_TYPE_ELAPSED_TIME: _ClassVar[MxDataType]
    MX_DATA_TYPE_REFERENCE: _ClassVar[MxDataType]
    MX_DATA_TYPE_STATUS: _ClassVar[MxDataType]
    MX_DATA_TYPE_ENUM: _ClassVar[MxDataType]
    MX_DATA_TYPE_CUSTOM_STRUCT: _ClassVar[MxDataType]
    MX_DATA_TYPE_INTERNATIONALIZED_STRING: _ClassVar[MxDataType]
    MX_DATA_TYPE_BIG_STRING: _ClassVar[MxDataType]

class VariantType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VT_EMPTY: _ClassVar[VariantType]
    VT_NULL: _ClassVar[VariantType]
    VT_I2: _ClassVar[VariantType]
    VT_I4: _ClassVar[VariantType]
    VT_R4: _ClassVar[VariantType]
    VT_R8: _ClassVar[VariantType]
    VT_CY: _ClassVar[VariantType]
    VT_DATE: _ClassVar[VariantType]
    VT_BSTR: _ClassVar[VariantType]
    VT_DISPATCH: _ClassVar[VariantType]
    VT_ERROR: _ClassVar[VariantType]
    VT_BOOL: _ClassVar[VariantType]
    VT_VARIANT: _ClassVar[VariantType]
    VT_UNKNOWN: _ClassVar[VariantType]
    VT_DECIMAL: _ClassVar[VariantType]
    VT_I1: _ClassVar[VariantType]
    VT_UI1: _ClassVar[VariantType]
    VT_UI2: _ClassVar[VariantType]
    VT_UI4: _ClassVar[VariantType]
    VT_I8: _ClassVar[VariantType]
    VT_UI8: _ClassVar[VariantType]
    VT_INT: _ClassVar[VariantType]
    VT_UINT: _ClassVar[VariantType]
    VT_ARRAY: _ClassVar[VariantType]

class MxStatusCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MX_STATUS_CATEGORY_UNSPECIFIED: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_OK: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_PENDING: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_WARNING: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_COMMUNICATION_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_CONFIGURATION_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_OPERATIONAL_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_SECURITY_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_SOFTWARE_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_OTHER_ERROR: _ClassVar[MxStatusCategory]
    MX_STATUS_CATEGORY_UNKNOWN: _ClassVar[MxStatusCategory]

class MxStatusSource(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    MX_STATUS_SOURCE_UNSPECIFIED: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_REQUESTING_LMX: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_RESPONDING_LMX: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_REQUESTING_NMX: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_RESPONDING_NMX: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_REQUESTING_AUTOMATION_OBJECT: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT: _ClassVar[MxStatusSource]
    MX_STATUS_SOURCE_UNKNOWN: _ClassVar[MxStatusSource]

class AlarmTransitionKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALARM_TRANSITION_KIND_UNSPECIFIED: _ClassVar[AlarmTransitionKind]
    ALARM_TRANSITION_KIND_RAISE: _ClassVar[AlarmTransitionKind]
    ALARM_TRANSITION_KIND_ACKNOWLEDGE: _ClassVar[AlarmTransitionKind]
    ALARM_TRANSITION_KIND_CLEAR: _ClassVar[AlarmTransitionKind]
    ALARM_TRANSITION_KIND_RETRIGGER: _ClassVar[AlarmTransitionKind]

class AlarmConditionState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALARM_CONDITION_STATE_UNSPECIFIED: _ClassVar[AlarmConditionState]
    ALARM_CONDITION_STATE_ACTIVE_UNACKED: _ClassVar[AlarmConditionState]
    ALARM_CONDITION_STATE_ACTIVE_ACKED: _ClassVar[AlarmConditionState]
    ALARM_CONDITION_STATE_INACTIVE_UNACKED: _ClassVar[AlarmConditionState]

class AlarmProviderMode(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALARM_PROVIDER_MODE_UNSPECIFIED: _ClassVar[AlarmProviderMode]
    ALARM_PROVIDER_MODE_ALARMMGR: _ClassVar[AlarmProviderMode]
    ALARM_PROVIDER_MODE_SUBTAG: _ClassVar[AlarmProviderMode]
PROTOCOL_STATUS_CODE_UNSPECIFIED: ProtocolStatusCode
PROTOCOL_STATUS_CODE_OK: ProtocolStatusCode
PROTOCOL_STATUS_CODE_INVALID_REQUEST: ProtocolStatusCode
PROTOCOL_STATUS_CODE_SESSION_NOT_FOUND: ProtocolStatusCode
PROTOCOL_STATUS_CODE_SESSION_NOT_READY: ProtocolStatusCode
PROTOCOL_STATUS_CODE_WORKER_UNAVAILABLE: ProtocolStatusCode
PROTOCOL_STATUS_CODE_TIMEOUT: ProtocolStatusCode
PROTOCOL_STATUS_CODE_CANCELED: ProtocolStatusCode
PROTOCOL_STATUS_CODE_PROTOCOL_VIOLATION: ProtocolStatusCode
PROTOCOL_STATUS_CODE_MXACCESS_FAILURE: ProtocolStatusCode
SESSION_STATE_UNSPECIFIED: SessionState
SESSION_STATE_CREATING: SessionState
SESSION_STATE_STARTING_WORKER: SessionState
SESSION_STATE_READY: SessionState
SESSION_STATE_CLOSING: SessionState
SESSION_STATE_FAULTED: SessionState
SESSION_STATE_CLOSED: SessionState
MX_COMMAND_KIND_UNSPECIFIED: MxCommandKind
MX_COMMAND_KIND_REGISTER: MxCommandKind
MX_COMMAND_KIND_UNREGISTER: MxCommandKind
MX_COMMAND_KIND_ADD_ITEM: MxCommandKind
MX_COMMAND_KIND_ADD_ITEM2: MxCommandKind
MX_COMMAND_KIND_REMOVE_ITEM: MxCommandKind
MX_COMMAND_KIND_ADVISE: MxCommandKind
MX_COMMAND_KIND_ADVISE_SUPERVISORY: MxCommandKind
MX_COMMAND_KIND_UN_ADVISE: MxCommandKind
MX_COMMAND_KIND_WRITE: MxCommandKind
MX_COMMAND_KIND_WRITE2: MxCommandKind
MX_COMMAND_KIND_WRITE_SECURED: MxCommandKind
MX_COMMAND_KIND_WRITE_SECURED2: MxCommandKind
MX_COMMAND_KIND_AUTHENTICATE_USER: MxCommandKind
MX_COMMAND_KIND_ARCHESTRA_USER_TO_ID: MxCommandKind
MX_COMMAND_KIND_SUSPEND: MxCommandKind
MX_COMMAND_KIND_ACTIVATE: MxCommandKind
MX_COMMAND_KIND_ADD_BUFFERED_ITEM: MxCommandKind
MX_COMMAND_KIND_SET_BUFFERED_UPDATE_INTERVAL: MxCommandKind
MX_COMMAND_KIND_DRAIN_EVENTS: MxCommandKind
MX_COMMAND_KIND_PING: MxCommandKind
MX_COMMAND_KIND_GET_SESSION_STATE: MxCommandKind
MX_COMMAND_KIND_ADD_ITEM_BULK: MxCommandKind
MX_COMMAND_KIND_ADVISE_ITEM_BULK: MxCommandKind
MX_COMMAND_KIND_REMOVE_ITEM_BULK: MxCommandKind
MX_COMMAND_KIND_UN_ADVISE_ITEM_BULK: MxCommandKind
MX_COMMAND_KIND_SUBSCRIBE_BULK: MxCommandKind
MX_COMMAND_KIND_UNSUBSCRIBE_BULK: MxCommandKind
MX_COMMAND_KIND_WRITE_BULK: MxCommandKind
MX_COMMAND_KIND_ACKNOWLEDGE_ALARM_BY_NAME: MxCommandKind
MX_COMMAND_KIND_WRITE2_BULK: MxCommandKind
MX_COMMAND_KIND_WRITE_SECURED_BULK: MxCommandKind
MX_COMMAND_KIND_WRITE_SECURED2_BULK: MxCommandKind
MX_COMMAND_KIND_READ_BULK: MxCommandKind
MX_EVENT_FAMILY_UNSPECIFIED: MxEventFamily
MX_EVENT_FAMILY_ON_DATA_CHANGE: MxEventFamily
MX_EVENT_FAMILY_ON_WRITE_COMPLETE: MxEventFamily
MX_EVENT_FAMILY_OPERATION_COMPLETE: MxEventFamily
MX_EVENT_FAMILY_ON_BUFFERED_DATA_CHANGE: MxEventFamily
MX_EVENT_FAMILY_ON_ALARM_TRANSITION: MxEventFamily
MX_DATA_TYPE_UNSPECIFIED: MxDataType
MX_DATA_TYPE_NO_DATA: MxDataType
MX_DATA_TYPE_BOOLEAN: MxDataType
MX_DATA_TYPE_INTEGER: MxDataType
MX_DATA_TYPE_FLOAT: MxDataType
MX_DATA_TYPE_DOUBLE: MxDataType
MX_DATA_TYPE_STRING: MxDataType
MX_DATA_TYPE_TIME: MxDataType
MX_DATA_TYPE_ELAPSED_TIME: MxDataType
MX_DATA_TYPE_REFERENCE: MxDataType
MX_DATA_TYPE_STATUS: MxDataType
MX_DATA_TYPE_ENUM: MxDataType
MX_DATA_TYPE_CUSTOM_STRUCT: MxDataType
MX_DATA_TYPE_INTERNATIONALIZED_STRING: MxDataType
MX_DATA_TYPE_BIG_STRING: MxDataType
VT_EMPTY: VariantType
VT_NULL: VariantType
VT_I2: VariantType
VT_I4: VariantType
VT_R4: VariantType
VT_R8: VariantType
VT_CY: VariantType
VT_DATE: VariantType
VT_BSTR: VariantType
VT_DISPATCH: VariantType
VT_ERROR: VariantType
VT_BOOL: VariantType
VT_VARIANT: VariantType
VT_UNKNOWN: VariantType
VT_DECIMAL: VariantType
VT_I1: VariantType
VT_UI1: VariantType
VT_UI2: VariantType
VT_UI4: VariantType
VT_I8: VariantType
VT_UI8: VariantType
VT_INT: VariantType
VT_UINT: VariantType
VT_ARRAY: VariantType
MX_STATUS_CATEGORY_UNSPECIFIED: MxStatusCategory
MX_STATUS_CATEGORY_OK: MxStatusCategory
MX_STATUS_CATEGORY_PENDING: MxStatusCategory
MX_STATUS_CATEGORY_WARNING: MxStatusCategory
MX_STATUS_CATEGORY_COMMUNICATION_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_CONFIGURATION_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_OPERATIONAL_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_SECURITY_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_SOFTWARE_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_OTHER_ERROR: MxStatusCategory
MX_STATUS_CATEGORY_UNKNOWN: MxStatusCategory
MX_STATUS_SOURCE_UNSPECIFIED: MxStatusSource
MX_STATUS_SOURCE_REQUESTING_LMX: MxStatusSource
MX_STATUS_SOURCE_RESPONDING_LMX: MxStatusSource
MX_STATUS_SOURCE_REQUESTING_NMX: MxStatusSource
MX_STATUS_SOURCE_RESPONDING_NMX: MxStatusSource
MX_STATUS_SOURCE_REQUESTING_AUTOMATION_OBJECT: MxStatusSource
MX_STATUS_SOURCE_RESPONDING_AUTOMATION_OBJECT: MxStatusSource
MX_STATUS_SOURCE_UNKNOWN: MxStatusSource
ALARM_TRANSITION_KIND_UNSPECIFIED: AlarmTransitionKind
ALARM_TRANSITION_KIND_RAISE: AlarmTransitionKind
ALARM_TRANSITION_KIND_ACKNOWLEDGE: AlarmTransitionKind
ALARM_TRANSITION_KIND_CLEAR: AlarmTransitionKind
ALARM_TRANSITION_KIND_RETRIGGER: AlarmTransitionKind
ALARM_CONDITION_STATE_UNSPECIFIED: AlarmConditionState
ALARM_CONDITION_STATE_ACTIVE_UNACKED: AlarmConditionState
ALARM_CONDITION_STATE_ACTIVE_ACKED: AlarmConditionState
ALARM_CONDITION_STATE_INACTIVE_UNACKED: AlarmConditionState
ALARM_PROVIDER_MODE_UNSPECIFIED: AlarmProviderMode
ALARM_PROVIDER_MODE_ALARMMGR: AlarmProviderMode
ALARM_PROVIDER_MODE_SUBTAG: AlarmProviderMode

class ProtocolStatus(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: ProtocolStatusCode
    message: str
    def __init__(self, code: _Optional[_Union[ProtocolStatusCode, str]] = ..., message: _Optional[str] = ...) -> None: ...

class MxArray(_message.Message):
    __slots__ = ("element_data_type", "element_variant_type", "bools", "int32s", "int64s", "floats", "doubles", "strings", "timestamps", "durations")
    ELEMENT_DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    ELEMENT_VARIANT_TYPE_FIELD_NUMBER: _ClassVar[int]
    BOOLS_FIELD_NUMBER: _ClassVar[int]
    INT32S_FIELD_NUMBER: _ClassVar[int]
    INT64S_FIELD_NUMBER: _ClassVar[int]
    FLOATS_FIELD_NUMBER: _ClassVar[int]
    DOUBLES_FIELD_NUMBER: _ClassVar[int]
    STRINGS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    DURATIONS_FIELD_NUMBER: _ClassVar[int]
    element_data_type: MxDataType
    element_variant_type: VariantType
    bools: _containers.RepeatedScalarFieldContainer[bool]
    int32s: _containers.RepeatedScalarFieldContainer[int]
    int64s: _containers.RepeatedScalarFieldContainer[int]
    floats: _containers.RepeatedScalarFieldContainer[float]
    doubles: _containers.RepeatedScalarFieldContainer[float]
    strings: _containers.RepeatedScalarFieldContainer[str]
    timestamps: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    durations: _containers.RepeatedCompositeFieldContainer[_duration_pb2.Duration]
    def __init__(self, element_data_type: _Optional[_Union[MxDataType, str]] = ..., element_variant_type: _Optional[_Union[VariantType, str]] = ..., bools: _Optional[_Iterable[bool]] = ..., int32s: _Optional[_Iterable[int]] = ..., int64s: _Optional[_Iterable[int]] = ..., floats: _Optional[_Iterable[float]] = ..., doubles: _Optional[_Iterable[float]] = ..., strings: _Optional[_Iterable[str]] = ..., timestamps: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., durations: _Optional[_Iterable[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]]] = ...) -> None: ...

class MxValue(_message.Message):
    __slots__ = ("data_type", "variant_type", "is_null", "raw_data_type", "raw_diagnostic", "bool_value", "int32_value", "int64_value", "float_value", "double_value", "string_value", "timestamp_value", "duration_value", "array_value")
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VARIANT_TYPE_FIELD_NUMBER: _ClassVar[int]
    IS_NULL_FIELD_NUMBER: _ClassVar[int]
    RAW_DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    RAW_DIAGNOSTIC_FIELD_NUMBER: _ClassVar[int]
    BOOL_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT32_VALUE_FIELD_NUMBER: _ClassVar[int]
    INT64_VALUE_FIELD_NUMBER: _ClassVar[int]
    FLOAT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DOUBLE_VALUE_FIELD_NUMBER: _ClassVar[int]
    STRING_VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    DURATION_VALUE_FIELD_NUMBER: _ClassVar[int]
    ARRAY_VALUE_FIELD_NUMBER: _ClassVar[int]
    data_type: MxDataType
    variant_type: VariantType
    is_null: bool
    raw_data_type: int
    raw_diagnostic: str
    bool_value: bool
    int32_value: int
    int64_value: int
    float_value: float
    double_value: float
    string_value: str
    timestamp_value: _timestamp_pb2.Timestamp
    duration_value: _duration_pb2.Duration
    array_value: MxArray
    def __init__(self, data_type: _Optional[_Union[MxDataType, str]] = ..., variant_type: _Optional[_Union[VariantType, str]] = ..., is_null: _Optional[bool] = ..., raw_data_type: _Optional[int] = ..., raw_diagnostic: _Optional[str] = ..., bool_value: _Optional[bool] = ..., int32_value: _Optional[int] = ..., int64_value: _Optional[int] = ..., float_value: _Optional[float] = ..., double_value: _Optional[float] = ..., string_value: _Optional[str] = ..., timestamp_value: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_value: _Optional[_Union[datetime.timedelta, _duration_pb2.Duration, _Mapping]] = ..., array_value: _Optional[_Union[MxArray, _Mapping]] = ...) -> None: ...

class MxStatusProxy(_message.Message):
    __slots__ = ("success", "category", "detected_by", "detail", "raw_category", "raw_detected_by", "diagnostic_text")
    SUCCESS_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DETECTED_BY_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    RAW_CATEGORY_FIELD_NUMBER: _ClassVar[int]
    RAW_DETECTED_BY_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTIC_TEXT_FIELD_NUMBER: _ClassVar[int]
    success: int
    category: MxStatusCategory
    detected_by: MxStatusSource
    detail: int
    raw_category: int
    raw_detected_by: int
    diagnostic_text: str
    def __init__(self, success: _Optional[int] = ..., category: _Optional[_Union[MxStatusCategory, str]] = ..., detected_by: _Optional[_Union[MxStatusSource, str]] = ..., detail: _Optional[int] = ..., raw_category: _Optional[int] = ..., raw_detected_by: _Optional[int] = ..., diagnostic_text: _Optional[str] = ...) -> None: ...

class OpenSessionRequest(_message.Message):
    __slots__ = ("client_session_name",)
    CLIENT_SESSION_NAME_FIELD_NUMBER: _ClassVar[int]
    client_session_name: str
    def __init__(self, client_session_name: _Optional[str] = ...) -> None: ...

class OpenSessionReply(_message.Message):
    __slots__ = ("session_id", "backend_name", "gateway_protocol_version", "worker_protocol_version", "protocol_status", "capabilities")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    BACKEND_NAME_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    WORKER_PROTOCOL_VERSION_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_STATUS_FIELD_NUMBER: _ClassVar[int]
    CAPABILITIES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    backend_name: str
    gateway_protocol_version: int
    worker_protocol_version: int
    protocol_status: ProtocolStatus
    capabilities: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, session_id: _Optional[str] = ..., backend_name: _Optional[str] = ..., gateway_protocol_version: _Optional[int] = ..., worker_protocol_version: _Optional[int] = ..., protocol_status: _Optional[_Union[ProtocolStatus, _Mapping]] = ..., capabilities: _Optional[_Iterable[str]] = ...) -> None: ...

class CloseSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class CloseSessionReply(_message.Message):
    __slots__ = ("session_id", "final_state", "protocol_status")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    FINAL_STATE_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_STATUS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    final_state: SessionState
    protocol_status: ProtocolStatus
    def __init__(self, session_id: _Optional[str] = ..., final_state: _Optional[_Union[SessionState, str]] = ..., protocol_status: _Optional[_Union[ProtocolStatus, _Mapping]] = ...) -> None: ...

class RegisterCommand(_message.Message):
    __slots__ = ("client_name",)
    CLIENT_NAME_FIELD_NUMBER: _ClassVar[int]
    client_name: str
    def __init__(self, client_name: _Optional[str] = ...) -> None: ...

class UnregisterCommand(_message.Message):
    __slots__ = ("server_handle",)
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    def __init__(self, server_handle: _Optional[int] = ...) -> None: ...

class AddItemCommand(_message.Message):
    __slots__ = ("server_handle", "item_definition")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_definition: str
    def __init__(self, server_handle: _Optional[int] = ..., item_definition: _Optional[str] = ...) -> None: ...

class AddItem2Command(_message.Message):
    __slots__ = ("server_handle", "item_definition", "item_context")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    ITEM_CONTEXT_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_definition: str
    item_context: str
    def __init__(self, server_handle: _Optional[int] = ..., item_definition: _Optional[str] = ..., item_context: _Optional[str] = ...) -> None: ...

class RemoveItemCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class AdviseCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class AdviseSupervisoryCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class UnAdviseCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class WriteCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle", "value", "user_id")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    value: MxValue
    user_id: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., user_id: _Optional[int] = ...) -> None: ...

class Write2Command(_message.Message):
    __slots__ = ("server_handle", "item_handle", "value", "timestamp_value", "user_id")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    value: MxValue
    timestamp_value: MxValue
    user_id: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., timestamp_value: _Optional[_Union[MxValue, _Mapping]] = ..., user_id: _Optional[int] = ...) -> None: ...

class WriteSecuredCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle", "value", "current_user_id", "verifier_user_id")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    value: MxValue
    current_user_id: int
    verifier_user_id: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., current_user_id: _Optional[int] = ..., verifier_user_id: _Optional[int] = ...) -> None: ...

class WriteSecured2Command(_message.Message):
    __slots__ = ("server_handle", "item_handle", "value", "current_user_id", "verifier_user_id", "timestamp_value")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    value: MxValue
    current_user_id: int
    verifier_user_id: int
    timestamp_value: MxValue
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., current_user_id: _Optional[int] = ..., verifier_user_id: _Optional[int] = ..., timestamp_value: _Optional[_Union[MxValue, _Mapping]] = ...) -> None: ...

class AuthenticateUserCommand(_message.Message):
    __slots__ = ("server_handle", "user_name", "password")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    user_name: str
    password: str
    def __init__(self, server_handle: _Optional[int] = ..., user_name: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class ArchestrAUserToIdCommand(_message.Message):
    __slots__ = ("server_handle", "user_name")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    user_name: str
    def __init__(self, server_handle: _Optional[int] = ..., user_name: _Optional[str] = ...) -> None: ...

class SuspendCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class ActivateCommand(_message.Message):
    __slots__ = ("server_handle", "item_handle")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handle: int
    def __init__(self, server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ...) -> None: ...

class AddBufferedItemCommand(_message.Message):
    __slots__ = ("server_handle", "item_definition")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_DEFINITION_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_definition: str
    def __init__(self, server_handle: _Optional[int] = ..., item_definition: _Optional[str] = ...) -> None: ...

class SetBufferedUpdateIntervalCommand(_message.Message):
    __slots__ = ("server_handle", "interval_ms")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_MS_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    interval_ms: int
    def __init__(self, server_handle: _Optional[int] = ..., interval_ms: _Optional[int] = ...) -> None: ...

class DrainEventsCommand(_message.Message):
    __slots__ = ("max_events",)
    MAX_EVENTS_FIELD_NUMBER: _ClassVar[int]
    max_events: int
    def __init__(self, max_events: _Optional[int] = ...) -> None: ...

class PingCommand(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetSessionStateCommand(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddItemBulkCommand(_message.Message):
    __slots__ = ("server_handle", "tag_addresses")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    TAG_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    tag_addresses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_handle: _Optional[int] = ..., tag_addresses: _Optional[_Iterable[str]] = ...) -> None: ...

class AdviseItemBulkCommand(_message.Message):
    __slots__ = ("server_handle", "item_handles")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handles: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, server_handle: _Optional[int] = ..., item_handles: _Optional[_Iterable[int]] = ...) -> None: ...

class RemoveItemBulkCommand(_message.Message):
    __slots__ = ("server_handle", "item_handles")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handles: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, server_handle: _Optional[int] = ..., item_handles: _Optional[_Iterable[int]] = ...) -> None: ...

class UnAdviseItemBulkCommand(_message.Message):
    __slots__ = ("server_handle", "item_handles")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handles: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, server_handle: _Optional[int] = ..., item_handles: _Optional[_Iterable[int]] = ...) -> None: ...

class SubscribeBulkCommand(_message.Message):
    __slots__ = ("server_handle", "tag_addresses")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    TAG_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    tag_addresses: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, server_handle: _Optional[int] = ..., tag_addresses: _Optional[_Iterable[str]] = ...) -> None: ...

class UnsubscribeBulkCommand(_message.Message):
    __slots__ = ("server_handle", "item_handles")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    item_handles: _containers.RepeatedScalarFieldContainer[int]
    def __init__(self, server_handle: _Optional[int] = ..., item_handles: _Optional[_Iterable[int]] = ...) -> None: ...

class WriteBulkEntry(_message.Message):
    __slots__ = ("item_handle", "value")
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    value: MxValue
    def __init__(self, item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ...) -> None: ...

class Write2BulkEntry(_message.Message):
    __slots__ = ("item_handle", "value", "timestamp_value")
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    value: MxValue
    timestamp_value: MxValue
    def __init__(self, item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., timestamp_value: _Optional[_Union[MxValue, _Mapping]] = ...) -> None: ...

class WriteSecuredBulkEntry(_message.Message):
    __slots__ = ("item_handle", "value", "current_user_id", "verifier_user_id")
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    value: MxValue
    current_user_id: int
    verifier_user_id: int
    def __init__(self, item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., current_user_id: _Optional[int] = ..., verifier_user_id: _Optional[int] = ...) -> None: ...

class WriteSecured2BulkEntry(_message.Message):
    __slots__ = ("item_handle", "value", "current_user_id", "verifier_user_id", "timestamp_value")
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    CURRENT_USER_ID_FIELD_NUMBER: _ClassVar[int]
    VERIFIER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_VALUE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    value: MxValue
    current_user_id: int
    verifier_user_id: int
    timestamp_value: MxValue
    def __init__(self, item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., current_user_id: _Optional[int] = ..., verifier_user_id: _Optional[int] = ..., timestamp_value: _Optional[_Union[MxValue, _Mapping]] = ...) -> None: ...

class WriteBulkCommand(_message.Message):
    __slots__ = ("server_handle", "entries")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    entries: _containers.RepeatedCompositeFieldContainer[WriteBulkEntry]
    def __init__(self, server_handle: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[WriteBulkEntry, _Mapping]]] = ...) -> None: ...

class Write2BulkCommand(_message.Message):
    __slots__ = ("server_handle", "entries")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    entries: _containers.RepeatedCompositeFieldContainer[Write2BulkEntry]
    def __init__(self, server_handle: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[Write2BulkEntry, _Mapping]]] = ...) -> None: ...

class WriteSecuredBulkCommand(_message.Message):
    __slots__ = ("server_handle", "entries")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    entries: _containers.RepeatedCompositeFieldContainer[WriteSecuredBulkEntry]
    def __init__(self, server_handle: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[WriteSecuredBulkEntry, _Mapping]]] = ...) -> None: ...

class WriteSecured2BulkCommand(_message.Message):
    __slots__ = ("server_handle", "entries")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ENTRIES_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    entries: _containers.RepeatedCompositeFieldContainer[WriteSecured2BulkEntry]
    def __init__(self, server_handle: _Optional[int] = ..., entries: _Optional[_Iterable[_Union[WriteSecured2BulkEntry, _Mapping]]] = ...) -> None: ...

class ReadBulkCommand(_message.Message):
    __slots__ = ("server_handle", "tag_addresses", "timeout_ms")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    TAG_ADDRESSES_FIELD_NUMBER: _ClassVar[int]
    TIMEOUT_MS_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    tag_addresses: _containers.RepeatedScalarFieldContainer[str]
    timeout_ms: int
    def __init__(self, server_handle: _Optional[int] = ..., tag_addresses: _Optional[_Iterable[str]] = ..., timeout_ms: _Optional[int] = ...) -> None: ...

class AcknowledgeAlarmByNameCommand(_message.Message):
    __slots__ = ("alarm_full_reference", "comment", "operator_user")
    ALARM_FULL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_USER_FIELD_NUMBER: _ClassVar[int]
    alarm_full_reference: str
    comment: str
    operator_user: str
    def __init__(self, alarm_full_reference: _Optional[str] = ..., comment: _Optional[str] = ..., operator_user: _Optional[str] = ...) -> None: ...

class MxCommand(_message.Message):
    __slots__ = ("kind", "register_command", "unregister_command", "add_item_command", "add_item2_command", "remove_item_command", "advise_command", "advise_supervisory_command", "un_advise_command", "write_command", "write2_command", "write_secured_command", "write_secured2_command", "authenticate_user_command", "archestra_user_to_id_command", "suspend_command", "activate_command", "add_buffered_item_command", "set_buffered_update_interval_command", "drain_events_command", "ping_command", "get_session_state_command", "add_item_bulk_command", "advise_item_bulk_command", "remove_item_bulk_command", "un_advise_item_bulk_command", "subscribe_bulk_command", "unsubscribe_bulk_command", "write_bulk_command", "acknowledge_alarm_by_name_command", "write2_bulk_command", "write_secured_bulk_command", "write_secured2_bulk_command", "read_bulk_command")
    KIND_FIELD_NUMBER: _ClassVar[int]
    REGISTER_COMMAND_FIELD_NUMBER: _ClassVar[int]
    UNREGISTER_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM2_COMMAND_FIELD_NUMBER: _ClassVar[int]
    REMOVE_ITEM_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADVISE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADVISE_SUPERVISORY_COMMAND_FIELD_NUMBER: _ClassVar[int]
    UN_ADVISE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE2_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_SECURED_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_SECURED2_COMMAND_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATE_USER_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARCHESTRA_USER_TO_ID_COMMAND_FIELD_NUMBER: _ClassVar[int]
    SUSPEND_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ACTIVATE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADD_BUFFERED_ITEM_COMMAND_FIELD_NUMBER: _ClassVar[int]
    SET_BUFFERED_UPDATE_INTERVAL_COMMAND_FIELD_NUMBER: _ClassVar[int]
    DRAIN_EVENTS_COMMAND_FIELD_NUMBER: _ClassVar[int]
    PING_COMMAND_FIELD_NUMBER: _ClassVar[int]
    GET_SESSION_STATE_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ADVISE_ITEM_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    REMOVE_ITEM_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    UN_ADVISE_ITEM_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    SUBSCRIBE_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    UNSUBSCRIBE_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGE_ALARM_BY_NAME_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE2_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_SECURED_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    WRITE_SECURED2_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    READ_BULK_COMMAND_FIELD_NUMBER: _ClassVar[int]
    kind: MxCommandKind
    register_command: RegisterCommand
    unregister_command: UnregisterCommand
    add_item_command: AddItemCommand
    add_item2_command: AddItem2Command
    remove_item_command: RemoveItemCommand
    advise_command: AdviseCommand
    advise_supervisory_command: AdviseSupervisoryCommand
    un_advise_command: UnAdviseCommand
    write_command: WriteCommand
    write2_command: Write2Command
    write_secured_command: WriteSecuredCommand
    write_secured2_command: WriteSecured2Command
    authenticate_user_command: AuthenticateUserCommand
    archestra_user_to_id_command: ArchestrAUserToIdCommand
    suspend_command: SuspendCommand
    activate_command: ActivateCommand
    add_buffered_item_command: AddBufferedItemCommand
    set_buffered_update_interval_command: SetBufferedUpdateIntervalCommand
    drain_events_command: DrainEventsCommand
    ping_command: PingCommand
    get_session_state_command: GetSessionStateCommand
    add_item_bulk_command: AddItemBulkCommand
    advise_item_bulk_command: AdviseItemBulkCommand
    remove_item_bulk_command: RemoveItemBulkCommand
    un_advise_item_bulk_command: UnAdviseItemBulkCommand
    subscribe_bulk_command: SubscribeBulkCommand
    unsubscribe_bulk_command: UnsubscribeBulkCommand
    write_bulk_command: WriteBulkCommand
    acknowledge_alarm_by_name_command: AcknowledgeAlarmByNameCommand
    write2_bulk_command: Write2BulkCommand
    write_secured_bulk_command: WriteSecuredBulkCommand
    write_secured2_bulk_command: WriteSecured2BulkCommand
    read_bulk_command: ReadBulkCommand
    def __init__(self, kind: _Optional[_Union[MxCommandKind, str]] = ..., register_command: _Optional[_Union[RegisterCommand, _Mapping]] = ..., unregister_command: _Optional[_Union[UnregisterCommand, _Mapping]] = ..., add_item_command: _Optional[_Union[AddItemCommand, _Mapping]] = ..., add_item2_command: _Optional[_Union[AddItem2Command, _Mapping]] = ..., remove_item_command: _Optional[_Union[RemoveItemCommand, _Mapping]] = ..., advise_command: _Optional[_Union[AdviseCommand, _Mapping]] = ..., advise_supervisory_command: _Optional[_Union[AdviseSupervisoryCommand, _Mapping]] = ..., un_advise_command: _Optional[_Union[UnAdviseCommand, _Mapping]] = ..., write_command: _Optional[_Union[WriteCommand, _Mapping]] = ..., write2_command: _Optional[_Union[Write2Command, _Mapping]] = ..., write_secured_command: _Optional[_Union[WriteSecuredCommand, _Mapping]] = ..., write_secured2_command: _Optional[_Union[WriteSecured2Command, _Mapping]] = ..., authenticate_user_command: _Optional[_Union[AuthenticateUserCommand, _Mapping]] = ..., archestra_user_to_id_command: _Optional[_Union[ArchestrAUserToIdCommand, _Mapping]] = ..., suspend_command: _Optional[_Union[SuspendCommand, _Mapping]] = ..., activate_command: _Optional[_Union[ActivateCommand, _Mapping]] = ..., add_buffered_item_command: _Optional[_Union[AddBufferedItemCommand, _Mapping]] = ..., set_buffered_update_interval_command: _Optional[_Union[SetBufferedUpdateIntervalCommand, _Mapping]] = ..., drain_events_command: _Optional[_Union[DrainEventsCommand, _Mapping]] = ..., ping_command: _Optional[_Union[PingCommand, _Mapping]] = ..., get_session_state_command: _Optional[_Union[GetSessionStateCommand, _Mapping]] = ..., add_item_bulk_command: _Optional[_Union[AddItemBulkCommand, _Mapping]] = ..., advise_item_bulk_command: _Optional[_Union[AdviseItemBulkCommand, _Mapping]] = ..., remove_item_bulk_command: _Optional[_Union[RemoveItemBulkCommand, _Mapping]] = ..., un_advise_item_bulk_command: _Optional[_Union[UnAdviseItemBulkCommand, _Mapping]] = ..., subscribe_bulk_command: _Optional[_Union[SubscribeBulkCommand, _Mapping]] = ..., unsubscribe_bulk_command: _Optional[_Union[UnsubscribeBulkCommand, _Mapping]] = ..., write_bulk_command: _Optional[_Union[WriteBulkCommand, _Mapping]] = ..., acknowledge_alarm_by_name_command: _Optional[_Union[AcknowledgeAlarmByNameCommand, _Mapping]] = ..., write2_bulk_command: _Optional[_Union[Write2BulkCommand, _Mapping]] = ..., write_secured_bulk_command: _Optional[_Union[WriteSecuredBulkCommand, _Mapping]] = ..., write_secured2_bulk_command: _Optional[_Union[WriteSecured2BulkCommand, _Mapping]] = ..., read_bulk_command: _Optional[_Union[ReadBulkCommand, _Mapping]] = ...) -> None: ...

class MxCommandRequest(_message.Message):
    __slots__ = ("session_id", "client_correlation_id", "command")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    client_correlation_id: str
    command: MxCommand
    def __init__(self, session_id: _Optional[str] = ..., client_correlation_id: _Optional[str] = ..., command: _Optional[_Union[MxCommand, _Mapping]] = ...) -> None: ...

class RegisterReply(_message.Message):
    __slots__ = ("server_handle",)
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    def __init__(self, server_handle: _Optional[int] = ...) -> None: ...

class AddItemReply(_message.Message):
    __slots__ = ("item_handle",)
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    def __init__(self, item_handle: _Optional[int] = ...) -> None: ...

class AddItem2Reply(_message.Message):
    __slots__ = ("item_handle",)
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    def __init__(self, item_handle: _Optional[int] = ...) -> None: ...

class AuthenticateUserReply(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class ArchestrAUserToIdReply(_message.Message):
    __slots__ = ("user_id",)
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: int
    def __init__(self, user_id: _Optional[int] = ...) -> None: ...

class AddBufferedItemReply(_message.Message):
    __slots__ = ("item_handle",)
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    def __init__(self, item_handle: _Optional[int] = ...) -> None: ...

class SubscribeResult(_message.Message):
    __slots__ = ("server_handle", "tag_address", "item_handle", "was_successful", "error_message")
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    TAG_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    WAS_SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    server_handle: int
    tag_address: str
    item_handle: int
    was_successful: bool
    error_message: str
    def __init__(self, server_handle: _Optional[int] = ..., tag_address: _Optional[str] = ..., item_handle: _Optional[int] = ..., was_successful: _Optional[bool] = ..., error_message: _Optional[str] = ...) -> None: ...

class BulkSubscribeReply(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[SubscribeResult]
    def __init__(self, results: _Optional[_Iterable[_Union[SubscribeResult, _Mapping]]] = ...) -> None: ...

class BulkWriteResult(_message.Message):
    __slots__ = ("item_handle", "was_successful", "error_message")
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    WAS_SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    item_handle: int
    was_successful: bool
    error_message: str
    def __init__(self, item_handle: _Optional[int] = ..., was_successful: _Optional[bool] = ..., error_message: _Optional[str] = ...) -> None: ...

class BulkWriteReply(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BulkWriteResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BulkWriteResult, _Mapping]]] = ...) -> None: ...

class BulkReadResult(_message.Message):
    __slots__ = ("tag_address", "was_successful", "error_message", "was_cached", "value", "quality", "timestamp", "statuses")
    TAG_ADDRESS_FIELD_NUMBER: _ClassVar[int]
    WAS_SUCCESSFUL_FIELD_NUMBER: _ClassVar[int]
    ERROR_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    WAS_CACHED_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    tag_address: str
    was_successful: bool
    error_message: str
    was_cached: bool
    value: MxValue
    quality: int
    timestamp: _timestamp_pb2.Timestamp
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    def __init__(self, tag_address: _Optional[str] = ..., was_successful: _Optional[bool] = ..., error_message: _Optional[str] = ..., was_cached: _Optional[bool] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., quality: _Optional[int] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ...) -> None: ...

class BulkReadReply(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[BulkReadResult]
    def __init__(self, results: _Optional[_Iterable[_Union[BulkReadResult, _Mapping]]] = ...) -> None: ...

class DrainEventsReply(_message.Message):
    __slots__ = ("events",)
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    events: _containers.RepeatedCompositeFieldContainer[MxEvent]
    def __init__(self, events: _Optional[_Iterable[_Union[MxEvent, _Mapping]]] = ...) -> None: ...

class GetSessionStateReply(_message.Message):
    __slots__ = ("state", "worker_state")
    STATE_FIELD_NUMBER: _ClassVar[int]
    WORKER_STATE_FIELD_NUMBER: _ClassVar[int]
    state: SessionState
    worker_state: str
    def __init__(self, state: _Optional[_Union[SessionState, str]] = ..., worker_state: _Optional[str] = ...) -> None: ...

class AcknowledgeAlarmCommandReply(_message.Message):
    __slots__ = ("status",)
    STATUS_FIELD_NUMBER: _ClassVar[int]
    status: MxStatusProxy
    def __init__(self, status: _Optional[_Union[MxStatusProxy, _Mapping]] = ...) -> None: ...

class QueryActiveAlarmsCommandReply(_message.Message):
    __slots__ = ("alarms",)
    ALARMS_FIELD_NUMBER: _ClassVar[int]
    alarms: _containers.RepeatedCompositeFieldContainer[ActiveAlarmSnapshot]
    def __init__(self, alarms: _Optional[_Iterable[_Union[ActiveAlarmSnapshot, _Mapping]]] = ...) -> None: ...

class MxCommandReply(_message.Message):
    __slots__ = ("session_id", "correlation_id", "kind", "protocol_status", "hresult", "return_value", "statuses", "diagnostic_message", "register", "add_item", "add_item2", "authenticate_user", "archestra_user_to_id", "add_buffered_item", "bulk_subscribe", "bulk_write", "bulk_read", "drain_events", "get_session_state", "acknowledge_alarm", "query_active_alarms")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PROTOCOL_STATUS_FIELD_NUMBER: _ClassVar[int]
    HRESULT_FIELD_NUMBER: _ClassVar[int]
    RETURN_VALUE_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTIC_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REGISTER_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM_FIELD_NUMBER: _ClassVar[int]
    ADD_ITEM2_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATE_USER_FIELD_NUMBER: _ClassVar[int]
    ARCHESTRA_USER_TO_ID_FIELD_NUMBER: _ClassVar[int]
    ADD_BUFFERED_ITEM_FIELD_NUMBER: _ClassVar[int]
    BULK_SUBSCRIBE_FIELD_NUMBER: _ClassVar[int]
    BULK_WRITE_FIELD_NUMBER: _ClassVar[int]
    BULK_READ_FIELD_NUMBER: _ClassVar[int]
    DRAIN_EVENTS_FIELD_NUMBER: _ClassVar[int]
    GET_SESSION_STATE_FIELD_NUMBER: _ClassVar[int]
    ACKNOWLEDGE_ALARM_FIELD_NUMBER: _ClassVar[int]
    QUERY_ACTIVE_ALARMS_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    correlation_id: str
    kind: MxCommandKind
    protocol_status: ProtocolStatus
    hresult: int
    return_value: MxValue
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    diagnostic_message: str
    register: RegisterReply
    add_item: AddItemReply
    add_item2: AddItem2Reply
    authenticate_user: AuthenticateUserReply
    archestra_user_to_id: ArchestrAUserToIdReply
    add_buffered_item: AddBufferedItemReply
    bulk_subscribe: BulkSubscribeReply
    bulk_write: BulkWriteReply
    bulk_read: BulkReadReply
    drain_events: DrainEventsReply
    get_session_state: GetSessionStateReply
    acknowledge_alarm: AcknowledgeAlarmCommandReply
    query_active_alarms: QueryActiveAlarmsCommandReply
    def __init__(self, session_id: _Optional[str] = ..., correlation_id: _Optional[str] = ..., kind: _Optional[_Union[MxCommandKind, str]] = ..., protocol_status: _Optional[_Union[ProtocolStatus, _Mapping]] = ..., hresult: _Optional[int] = ..., return_value: _Optional[_Union[MxValue, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ..., diagnostic_message: _Optional[str] = ..., register: _Optional[_Union[RegisterReply, _Mapping]] = ..., add_item: _Optional[_Union[AddItemReply, _Mapping]] = ..., add_item2: _Optional[_Union[AddItem2Reply, _Mapping]] = ..., authenticate_user: _Optional[_Union[AuthenticateUserReply, _Mapping]] = ..., archestra_user_to_id: _Optional[_Union[ArchestrAUserToIdReply, _Mapping]] = ..., add_buffered_item: _Optional[_Union[AddBufferedItemReply, _Mapping]] = ..., bulk_subscribe: _Optional[_Union[BulkSubscribeReply, _Mapping]] = ..., bulk_write: _Optional[_Union[BulkWriteReply, _Mapping]] = ..., bulk_read: _Optional[_Union[BulkReadReply, _Mapping]] = ..., drain_events: _Optional[_Union[DrainEventsReply, _Mapping]] = ..., get_session_state: _Optional[_Union[GetSessionStateReply, _Mapping]] = ..., acknowledge_alarm: _Optional[_Union[AcknowledgeAlarmCommandReply, _Mapping]] = ..., query_active_alarms: _Optional[_Union[QueryActiveAlarmsCommandReply, _Mapping]] = ...) -> None: ...

class StreamEventsRequest(_message.Message):
    __slots__ = ("session_id", "after_worker_sequence")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    AFTER_WORKER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    after_worker_sequence: int
    def __init__(self, session_id: _Optional[str] = ..., after_worker_sequence: _Optional[int] = ...) -> None: ...

class ReplayGap(_message.Message):
    __slots__ = ("requested_after_sequence", "oldest_available_sequence")
    REQUESTED_AFTER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    OLDEST_AVAILABLE_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    requested_after_sequence: int
    oldest_available_sequence: int
    def __init__(self, requested_after_sequence: _Optional[int] = ..., oldest_available_sequence: _Optional[int] = ...) -> None: ...

class OnDataChangeEvent(_message.Message):
    __slots__ = ("value", "quality", "timestamp", "statuses")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    value: MxValue
    quality: int
    timestamp: _timestamp_pb2.Timestamp
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    def __init__(self, value: _Optional[_Union[MxValue, _Mapping]] = ..., quality: _Optional[int] = ..., timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ...) -> None: ...

class OnWriteCompleteEvent(_message.Message):
    __slots__ = ("statuses",)
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    def __init__(self, statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ...) -> None: ...

class OperationCompleteEvent(_message.Message):
    __slots__ = ("statuses",)
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    def __init__(self, statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ...) -> None: ...

class OnBufferedDataChangeEvent(_message.Message):
    __slots__ = ("data_type", "values", "qualities", "timestamps", "statuses")
    DATA_TYPE_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    QUALITIES_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMPS_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    data_type: MxDataType
    values: _containers.RepeatedCompositeFieldContainer[MxValue]
    qualities: _containers.RepeatedScalarFieldContainer[int]
    timestamps: _containers.RepeatedCompositeFieldContainer[_timestamp_pb2.Timestamp]
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    def __init__(self, data_type: _Optional[_Union[MxDataType, str]] = ..., values: _Optional[_Iterable[_Union[MxValue, _Mapping]]] = ..., qualities: _Optional[_Iterable[int]] = ..., timestamps: _Optional[_Iterable[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]]] = ..., statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ...) -> None: ...

class OnAlarmTransitionEvent(_message.Message):
    __slots__ = ("alarm_full_reference", "source_object_reference", "alarm_type", "transition_kind", "severity", "raised_time", "transition_time", "operator_user", "operator_comment", "category", "description", "current_value", "limit_value", "degraded")
    ALARM_FULL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OBJECT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ALARM_TYPE_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_KIND_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    RAISED_TIME_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_TIME_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_USER_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_COMMENT_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CURRENT_VALUE_FIELD_NUMBER: _ClassVar[int]
    LIMIT_VALUE_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    alarm_full_reference: str
    source_object_reference: str
    alarm_type: str
    transition_kind: AlarmTransitionKind
    severity: int
    raised_time: _timestamp_pb2.Timestamp
    transition_time: _timestamp_pb2.Timestamp
    operator_user: str
    operator_comment: str
    category: str
    description: str
    current_value: MxValue
    limit_value: MxValue
    degraded: bool
    def __init__(self, alarm_full_reference: _Optional[str] = ..., source_object_reference: _Optional[str] = ..., alarm_type: _Optional[str] = ..., transition_kind: _Optional[_Union[AlarmTransitionKind, str]] = ..., severity: _Optional[int] = ..., raised_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., transition_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., operator_user: _Optional[str] = ..., operator_comment: _Optional[str] = ..., category: _Optional[str] = ..., description: _Optional[str] = ..., current_value: _Optional[_Union[MxValue, _Mapping]] = ..., limit_value: _Optional[_Union[MxValue, _Mapping]] = ..., degraded: _Optional[bool] = ...) -> None: ...

class MxEvent(_message.Message):
    __slots__ = ("worker_sequence", "family", "session_id", "server_handle", "item_handle", "value", "quality", "source_timestamp", "statuses", "gateway_receive_timestamp", "hresult", "raw_status", "replay_gap", "on_data_change", "on_write_complete", "operation_complete", "on_buffered_data_change", "on_alarm_transition")
    WORKER_SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SERVER_HANDLE_FIELD_NUMBER: _ClassVar[int]
    ITEM_HANDLE_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    QUALITY_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    STATUSES_FIELD_NUMBER: _ClassVar[int]
    GATEWAY_RECEIVE_TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    HRESULT_FIELD_NUMBER: _ClassVar[int]
    RAW_STATUS_FIELD_NUMBER: _ClassVar[int]
    REPLAY_GAP_FIELD_NUMBER: _ClassVar[int]
    ON_DATA_CHANGE_FIELD_NUMBER: _ClassVar[int]
    ON_WRITE_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    OPERATION_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    ON_BUFFERED_DATA_CHANGE_FIELD_NUMBER: _ClassVar[int]
    ON_ALARM_TRANSITION_FIELD_NUMBER: _ClassVar[int]
    worker_sequence: int
    family: MxEventFamily
    session_id: str
    server_handle: int
    item_handle: int
    value: MxValue
    quality: int
    source_timestamp: _timestamp_pb2.Timestamp
    statuses: _containers.RepeatedCompositeFieldContainer[MxStatusProxy]
    gateway_receive_timestamp: _timestamp_pb2.Timestamp
    hresult: int
    raw_status: str
    replay_gap: ReplayGap
    on_data_change: OnDataChangeEvent
    on_write_complete: OnWriteCompleteEvent
    operation_complete: OperationCompleteEvent
    on_buffered_data_change: OnBufferedDataChangeEvent
    on_alarm_transition: OnAlarmTransitionEvent
    def __init__(self, worker_sequence: _Optional[int] = ..., family: _Optional[_Union[MxEventFamily, str]] = ..., session_id: _Optional[str] = ..., server_handle: _Optional[int] = ..., item_handle: _Optional[int] = ..., value: _Optional[_Union[MxValue, _Mapping]] = ..., quality: _Optional[int] = ..., source_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., statuses: _Optional[_Iterable[_Union[MxStatusProxy, _Mapping]]] = ..., gateway_receive_timestamp: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., hresult: _Optional[int] = ..., raw_status: _Optional[str] = ..., replay_gap: _Optional[_Union[ReplayGap, _Mapping]] = ..., on_data_change: _Optional[_Union[OnDataChangeEvent, _Mapping]] = ..., on_write_complete: _Optional[_Union[OnWriteCompleteEvent, _Mapping]] = ..., operation_complete: _Optional[_Union[OperationCompleteEvent, _Mapping]] = ..., on_buffered_data_change: _Optional[_Union[OnBufferedDataChangeEvent, _Mapping]] = ..., on_alarm_transition: _Optional[_Union[OnAlarmTransitionEvent, _Mapping]] = ...) -> None: ...

class QueryActiveAlarmsRequest(_message.Message):
    __slots__ = ("session_id", "client_correlation_id", "alarm_filter_prefix")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    ALARM_FILTER_PREFIX_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    client_correlation_id: str
    alarm_filter_prefix: str
    def __init__(self, session_id: _Optional[str] = ..., client_correlation_id: _Optional[str] = ..., alarm_filter_prefix: _Optional[str] = ...) -> None: ...

class StreamAlarmsRequest(_message.Message):
    __slots__ = ("client_correlation_id", "alarm_filter_prefix")
    CLIENT_CORRELATION_ID_FIELD_NUMBER: _ClassVar[int]
    ALARM_FILTER_PREFIX_FIELD_NUMBER: _ClassVar[int]
    client_correlation_id: str
    alarm_filter_prefix: str
    def __init__(self, client_correlation_id: _Optional[str] = ..., alarm_filter_prefix: _Optional[str] = ...) -> None: ...

class ActiveAlarmSnapshot(_message.Message):
    __slots__ = ("alarm_full_reference", "source_object_reference", "alarm_type", "severity", "raised_time", "category", "description", "condition_state")
    ALARM_FULL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_OBJECT_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    ALARM_TYPE_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    RAISED_TIME_FIELD_NUMBER: _ClassVar[int]
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONDITION_STATE_FIELD_NUMBER: _ClassVar[int]
    alarm_full_reference: str
    source_object_reference: str
    alarm_type: str
    severity: int
    raised_time: _timestamp_pb2.Timestamp
    category: str
    description: str
    condition_state: AlarmConditionState
    def __init__(self, alarm_full_reference: _Optional[str] = ..., source_object_reference: _Optional[str] = ..., alarm_type: _Optional[str] = ..., severity: _Optional[int] = ..., raised_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., category: _Optional[str] = ..., description: _Optional[str] = ..., condition_state: _Optional[_Union[AlarmConditionState, str]] = ...) -> None: ...

class AlarmSnapshotComplete(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AlarmProviderStatus(_message.Message):
    __slots__ = ("mode", "degraded", "reason", "since")
    MODE_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SINCE_FIELD_NUMBER: _ClassVar[int]
    mode: AlarmProviderMode
    degraded: bool
    reason: str
    since: _timestamp_pb2.Timestamp
    def __init__(self, mode: _Optional[_Union[AlarmProviderMode, str]] = ..., degraded: _Optional[bool] = ..., reason: _Optional[str] = ..., since: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AlarmFeedMessage(_message.Message):
    __slots__ = ("active_alarm", "snapshot_complete", "transition", "provider_status")
    ACTIVE_ALARM_FIELD_NUMBER: _ClassVar[int]
    SNAPSHOT_COMPLETE_FIELD_NUMBER: _ClassVar[int]
    TRANSITION_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_STATUS_FIELD_NUMBER: _ClassVar[int]
    active_alarm: ActiveAlarmSnapshot
    snapshot_complete: AlarmSnapshotComplete
    transition: OnAlarmTransitionEvent
    provider_status: AlarmProviderStatus
    def __init__(self, active_alarm: _Optional[_Union[ActiveAlarmSnapshot, _Mapping]] = ..., snapshot_complete: _Optional[_Union[AlarmSnapshotComplete, _Mapping]] = ..., transition: _Optional[_Union[OnAlarmTransitionEvent, _Mapping]] = ..., provider_status: _Optional[_Union[AlarmProviderStatus, _Mapping]] = ...) -> None: ...

class AcknowledgeAlarmRequest(_message.Message):
    __slots__ = ("alarm_full_reference", "comment", "operator_user")
    ALARM_FULL_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    COMMENT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_USER_FIELD_NUMBER: _ClassVar[int]
    alarm_full_reference: str
    comment: str
    operator_user: str
    def __init__(self, alarm_full_reference: _Optional[str] = ..., comment: _Optional[str] = ..., operator_user: _Optional[str] = ...) -> None: ...

class AcknowledgeAlarmReply(_message.Message):
    __slots__ = ("protocol_status", "hresult", "status", "diagnostic_message")
    PROTOCOL_STATUS_FIELD_NUMBER: _ClassVar[int]
    HRESULT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSTIC_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    protocol_status: ProtocolStatus
    hresult: int
    status: MxStatusProxy
    diagnostic_message: str
    def __init__(self, protocol_status: _Optional[_Union[ProtocolStatus, _Mapping]] = ..., hresult: _Optional[int] = ..., status: _Optional[_Union[MxStatusProxy, _Mapping]] = ..., diagnostic_message: _Optional[str] = ...) -> None: ...
