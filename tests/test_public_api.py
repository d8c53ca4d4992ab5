"""Pin the public API surface of ``mxgateway`` and ``mxgateway.testing``.

The expected lists are literals on purpose: any change to the public surface
must be made here too, deliberately.
"""

from __future__ import annotations

import pytest

import mxgateway
import mxgateway.testing

EXPECTED_MXGATEWAY_ALL = [
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

EXPECTED_TESTING_ALL = [
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


def test_mxgateway_all_is_exact() -> None:
    assert mxgateway.__all__ == EXPECTED_MXGATEWAY_ALL


def test_mxgateway_all_has_no_duplicates() -> None:
    assert len(set(mxgateway.__all__)) == len(mxgateway.__all__)


@pytest.mark.parametrize("name", EXPECTED_MXGATEWAY_ALL)
def test_mxgateway_public_name_resolves(name: str) -> None:
    assert getattr(mxgateway, name) is not None
    assert name in dir(mxgateway)


def test_mxgateway_unknown_attribute_raises() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = mxgateway.no_such_name
    assert not hasattr(mxgateway, "no_such_name")


def test_testing_all_is_exact() -> None:
    assert mxgateway.testing.__all__ == EXPECTED_TESTING_ALL


@pytest.mark.parametrize("name", EXPECTED_TESTING_ALL)
def test_testing_public_name_resolves(name: str) -> None:
    assert getattr(mxgateway.testing, name) is not None
    assert name in dir(mxgateway.testing)


def test_errors_share_one_base_and_key_categories() -> None:
    for name in EXPECTED_MXGATEWAY_ALL:
        value = getattr(mxgateway, name)
        if isinstance(value, type) and name.endswith("Error"):
            assert issubclass(value, mxgateway.MxGatewayError), name
    assert issubclass(mxgateway.DeadlineExceededError, TimeoutError)
    assert issubclass(mxgateway.GatewayUnavailableError, ConnectionError)
    assert issubclass(mxgateway.ValueConversionError, ValueError)
