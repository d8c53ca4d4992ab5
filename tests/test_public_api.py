"""The public names stay what they are (a change here is an API change)."""

from __future__ import annotations

import pytest

import mxgateway
import mxgateway.testing

PUBLIC = [
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
    "Event",
    "EventOverflowError",
    "EventStream",
    "EventStreamError",
    "FailedPreconditionError",
    "GATEWAY_PROTOCOL_VERSION",
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
    "ReplayGap",
    "ResourceExhaustedError",
    "RpcError",
    "Session",
    "SessionCommands",
    "SessionInfo",
    "SessionNotFoundError",
    "SessionStateInfo",
    "StatusCategory",
    "StatusSource",
    "SubscribeResult",
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
]

TESTING = [
    "SCOPES",
    "Attribute",
    "Galaxy",
    "GalaxyError",
    "Simulator",
    "SimulatorSettings",
    "TestCertificates",
    "ThreadedSimulator",
    "generate_api_key",
    "load_galaxy",
    "make_test_certificates",
    "parse_galaxy",
    "run_simulator_in_thread",
    "serve_forever",
    "serve_simulator",
]


def test_public_names_are_exactly_these() -> None:
    assert sorted(mxgateway.__all__) == sorted(PUBLIC)
    assert sorted(mxgateway.testing.__all__) == sorted(TESTING)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(mxgateway, name) is not None
    assert name in dir(mxgateway)


def test_errors_share_one_base_and_key_categories() -> None:
    for name in PUBLIC:
        value = getattr(mxgateway, name)
        if isinstance(value, type) and name.endswith("Error"):
            assert issubclass(value, mxgateway.MxGatewayError), name
    assert issubclass(mxgateway.DeadlineExceededError, TimeoutError)
    assert issubclass(mxgateway.GatewayUnavailableError, ConnectionError)
    assert issubclass(mxgateway.ValueConversionError, ValueError)


def test_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        mxgateway.NoSuchThing  # noqa: B018
