"""Requests for the session-level RPCs, and the client's defaults (no I/O).

Every id and name is checked (``commands.text``, bounded by
``commands.TEXT_LIMITS``) before a request exists. A ready-made request
message passed in is sent as given: that is the raw escape hatch.
"""

from __future__ import annotations

import itertools
import os

from mxgateway._core.commands import make_request, text
from mxgateway._core.values import short_repr
from mxgateway._errors import ArgumentError
from mxgateway.generated import mxaccess_gateway_pb2 as pb

_UINT64_MAX = 2**64 - 1

DEFAULT_EVENT_BUFFER = 10_000  # the gateway's own per-session queue size
DEFAULT_EVENT_CHUNK = 512


def open_session(client_session_name: str | pb.OpenSessionRequest) -> pb.OpenSessionRequest:
    if isinstance(client_session_name, pb.OpenSessionRequest):
        return client_session_name
    return pb.OpenSessionRequest(
        client_session_name=text("client_session_name", client_session_name, allow_empty=True)
    )


def close_session(session_id: str) -> pb.CloseSessionRequest:
    return pb.CloseSessionRequest(session_id=text("session_id", session_id))


def stream_events(session_id: str, after_worker_sequence: int) -> pb.StreamEventsRequest:
    if (
        isinstance(after_worker_sequence, bool)
        or not isinstance(after_worker_sequence, int)
        or not 0 <= after_worker_sequence <= _UINT64_MAX
    ):
        raise ArgumentError(
            "after_worker_sequence must be a non-negative 64-bit integer, "
            f"got {short_repr(after_worker_sequence)}"
        )
    return pb.StreamEventsRequest(
        session_id=text("session_id", session_id), after_worker_sequence=after_worker_sequence
    )


class CorrelationIds:
    """``client_correlation_id`` values unique per client: ``py-<random>-<n>``."""

    def __init__(self) -> None:
        self._prefix = f"py-{os.urandom(4).hex()}"
        self._counter = itertools.count(1)

    def next(self) -> str:
        return f"{self._prefix}-{next(self._counter)}"


def invoke(
    session_id: str, command: pb.MxCommand | pb.MxCommandRequest, correlation_id: str
) -> pb.MxCommandRequest:
    if isinstance(command, pb.MxCommandRequest):
        return command
    return make_request(
        text("session_id", session_id),
        command,
        text("client_correlation_id", correlation_id, allow_empty=True),
    )


def acknowledge_alarm(
    alarm_full_reference: str, comment: str, operator_user: str
) -> pb.AcknowledgeAlarmRequest:
    return pb.AcknowledgeAlarmRequest(
        alarm_full_reference=text("alarm_full_reference", alarm_full_reference),
        comment=text("comment", comment, allow_empty=True),
        operator_user=text("operator_user", operator_user, allow_empty=True),
    )


def query_active_alarms(prefix: str, correlation_id: str) -> pb.QueryActiveAlarmsRequest:
    return pb.QueryActiveAlarmsRequest(
        client_correlation_id=text("client_correlation_id", correlation_id, allow_empty=True),
        alarm_filter_prefix=text("prefix", prefix, allow_empty=True),
    )


def stream_alarms(prefix: str, correlation_id: str) -> pb.StreamAlarmsRequest:
    return pb.StreamAlarmsRequest(
        client_correlation_id=text("client_correlation_id", correlation_id, allow_empty=True),
        alarm_filter_prefix=text("prefix", prefix, allow_empty=True),
    )
