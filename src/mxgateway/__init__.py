"""mxgateway: a Python client for the MXAccess Gateway.

The public names are re-exported here from private modules and imported on
first use, so that ``import mxgateway`` stays cheap (the CLI's ``version``
must not load grpclib, trio or the generated code) and so that the asyncio
API never imports trio or trio-asyncio.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mxgateway._protocol import GATEWAY_PROTOCOL_VERSION
from mxgateway._version import __version__

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    "GatewayClient": "mxgateway._asyncio.client",
    "Session": "mxgateway._asyncio.client",
    "EventStream": "mxgateway._asyncio.client",
    "open_client": "mxgateway._trio.client",
    "TrioGatewayClient": "mxgateway._trio.client",
    "TrioSession": "mxgateway._trio.client",
    "TrioEventStream": "mxgateway._trio.client",
    "ClientOptions": "mxgateway._options",
    "redact": "mxgateway._core.redaction",
    "ReconnectPolicy": "mxgateway._options",
    "MxGatewayError": "mxgateway._errors",
    "ClientConfigError": "mxgateway._errors",
    "ArgumentError": "mxgateway._errors",
    "ValueConversionError": "mxgateway._errors",
    "ClientClosedError": "mxgateway._errors",
    "RpcError": "mxgateway._errors",
    "AuthenticationError": "mxgateway._errors",
    "AuthorizationError": "mxgateway._errors",
    "SessionNotFoundError": "mxgateway._errors",
    "DeadlineExceededError": "mxgateway._errors",
    "GatewayUnavailableError": "mxgateway._errors",
    "CallCancelledError": "mxgateway._errors",
    "AlreadyExistsError": "mxgateway._errors",
    "ResourceExhaustedError": "mxgateway._errors",
    "InvalidRequestError": "mxgateway._errors",
    "FailedPreconditionError": "mxgateway._errors",
    "CommandError": "mxgateway._errors",
    "ProtocolStatusError": "mxgateway._errors",
    "MxAccessError": "mxgateway._errors",
    "EventStreamError": "mxgateway._errors",
    "EventOverflowError": "mxgateway._errors",
    "ReconnectFailedError": "mxgateway._errors",
    "SessionLostError": "mxgateway._errors",
    "GalaxyObjectNotFoundError": "mxgateway._errors",
    "TagError": "mxgateway._errors",
    "EventStreamBusyError": "mxgateway._errors",
    "MxType": "mxgateway._core.values",
    "Value": "mxgateway._core.values",
    "encode_value": "mxgateway._core.values",
    "decode_value": "mxgateway._core.values",
    "parse_text_value": "mxgateway._core.values",
    "Quality": "mxgateway._core.quality",
    "MxStatus": "mxgateway._core.statuses",
    "StatusCategory": "mxgateway._core.statuses",
    "StatusSource": "mxgateway._core.statuses",
    "Event": "mxgateway._core.events",
    "DataChange": "mxgateway._core.events",
    "WriteComplete": "mxgateway._core.events",
    "OperationComplete": "mxgateway._core.events",
    "BufferedDataChange": "mxgateway._core.events",
    "AlarmTransition": "mxgateway._core.events",
    "ReplayGap": "mxgateway._core.events",
    "UnknownEvent": "mxgateway._core.events",
    "SessionRecovered": "mxgateway._core.events",
    "decode_event": "mxgateway._core.events",
    "SessionInfo": "mxgateway._core.replies",
    "SessionStateInfo": "mxgateway._core.replies",
    "SubscribeResult": "mxgateway._core.replies",
    "WriteResult": "mxgateway._core.replies",
    "ReadResult": "mxgateway._core.replies",
    "SessionCommands": "mxgateway._client.session",
    "GalaxyBrowser": "mxgateway._client.galaxy",
    "GalaxyListing": "mxgateway._client.galaxy",
    "GalaxyNode": "mxgateway._client.galaxy",
    "GalaxyObject": "mxgateway._core.galaxy",
    "GalaxyAttribute": "mxgateway._core.galaxy",
    "DeployEvent": "mxgateway._core.galaxy",
    "TagSubscription": "mxgateway._client.tags",
    "TagChange": "mxgateway._core.tags",
    "TagReading": "mxgateway._core.tags",
    "PumpStatistics": "mxgateway._transport.streams",
    "TransportStatistics": "mxgateway._transport.channel",
}

if TYPE_CHECKING:
    from mxgateway._asyncio.client import EventStream, GatewayClient, Session
    from mxgateway._client.galaxy import GalaxyBrowser, GalaxyListing, GalaxyNode
    from mxgateway._client.session import SessionCommands
    from mxgateway._client.tags import TagSubscription
    from mxgateway._core.events import (
        AlarmTransition,
        BufferedDataChange,
        DataChange,
        Event,
        OperationComplete,
        ReplayGap,
        SessionRecovered,
        UnknownEvent,
        WriteComplete,
        decode_event,
    )
    from mxgateway._core.galaxy import DeployEvent, GalaxyAttribute, GalaxyObject
    from mxgateway._core.quality import Quality
    from mxgateway._core.redaction import redact
    from mxgateway._core.replies import (
        ReadResult,
        SessionInfo,
        SessionStateInfo,
        SubscribeResult,
        WriteResult,
    )
    from mxgateway._core.statuses import MxStatus, StatusCategory, StatusSource
    from mxgateway._core.tags import TagChange, TagReading
    from mxgateway._core.values import MxType, Value, decode_value, encode_value, parse_text_value
    from mxgateway._errors import (
        AlreadyExistsError,
        ArgumentError,
        AuthenticationError,
        AuthorizationError,
        CallCancelledError,
        ClientClosedError,
        ClientConfigError,
        CommandError,
        DeadlineExceededError,
        EventOverflowError,
        EventStreamBusyError,
        EventStreamError,
        FailedPreconditionError,
        GalaxyObjectNotFoundError,
        GatewayUnavailableError,
        InvalidRequestError,
        MxAccessError,
        MxGatewayError,
        ProtocolStatusError,
        ReconnectFailedError,
        ResourceExhaustedError,
        RpcError,
        SessionLostError,
        SessionNotFoundError,
        TagError,
        ValueConversionError,
    )
    from mxgateway._options import ClientOptions, ReconnectPolicy
    from mxgateway._transport.channel import TransportStatistics
    from mxgateway._transport.streams import PumpStatistics
    from mxgateway._trio.client import TrioEventStream, TrioGatewayClient, TrioSession, open_client

__all__ = [
    "GATEWAY_PROTOCOL_VERSION",
    "AlarmTransition",
    "AlreadyExistsError",
    "ArgumentError",
    "AuthenticationError",
    "AuthorizationError",
    "BufferedDataChange",
    "CallCancelledError",
    "ClientClosedError",
    "ClientConfigError",
    "ClientOptions",
    "CommandError",
    "DataChange",
    "DeadlineExceededError",
    "DeployEvent",
    "Event",
    "EventOverflowError",
    "EventStream",
    "EventStreamBusyError",
    "EventStreamError",
    "FailedPreconditionError",
    "GalaxyAttribute",
    "GalaxyBrowser",
    "GalaxyListing",
    "GalaxyNode",
    "GalaxyObject",
    "GalaxyObjectNotFoundError",
    "GatewayClient",
    "GatewayUnavailableError",
    "InvalidRequestError",
    "MxAccessError",
    "MxGatewayError",
    "MxStatus",
    "MxType",
    "OperationComplete",
    "ProtocolStatusError",
    "PumpStatistics",
    "Quality",
    "ReadResult",
    "ReconnectFailedError",
    "ReconnectPolicy",
    "ReplayGap",
    "ResourceExhaustedError",
    "RpcError",
    "Session",
    "SessionCommands",
    "SessionInfo",
    "SessionLostError",
    "SessionNotFoundError",
    "SessionRecovered",
    "SessionStateInfo",
    "StatusCategory",
    "StatusSource",
    "SubscribeResult",
    "TagChange",
    "TagError",
    "TagReading",
    "TagSubscription",
    "TransportStatistics",
    "TrioEventStream",
    "TrioGatewayClient",
    "TrioSession",
    "UnknownEvent",
    "Value",
    "ValueConversionError",
    "WriteComplete",
    "WriteResult",
    "__version__",
    "decode_event",
    "decode_value",
    "encode_value",
    "open_client",
    "parse_text_value",
    "redact",
]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'mxgateway' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
