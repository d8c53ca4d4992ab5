"""What a stream reader needs to know about the stream it reads: events or the alarm feed."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from mxgateway._client.link import SessionLink
from mxgateway._core.events import SessionRecovered
from mxgateway._errors import MxGatewayError, SessionLostError
from mxgateway.generated import mxaccess_gateway_pb2 as pb


class EventSource:
    """StreamEvents of one session: resumes after the last event, follows a recovered session.

    With a ``link`` (a session object's stream) the stream follows the
    session through a recovery; with a bare ``session_id`` (a raw stream)
    the loss of the session is the end.
    """

    def __init__(self, session_id: str, link: SessionLink | None = None) -> None:
        self._session_id = session_id
        self._link = link
        self._generation = 0
        self._requests = 0  # more than one: the stream had been attached before

    @property
    def description(self) -> str:
        return f"event stream of session {self._current_id()}"

    def _current_id(self) -> str:
        return self._link.session_id if self._link is not None else self._session_id

    def request(self, resume_after: int) -> Message:
        self._requests += 1
        if self._link is not None:
            self._generation = self._link.generation
        return pb.StreamEventsRequest(session_id=self._current_id(), after_worker_sequence=resume_after)

    def resume_point(self, last: Any, previous: int) -> int:
        event = pb.MxEvent.FromString(last)
        if event.worker_sequence:
            if self._link is not None:
                self._link.last_sequence = event.worker_sequence
            return event.worker_sequence
        if event.HasField("replay_gap"):  # a gap-free resume starts just before the oldest kept
            return max(event.replay_gap.oldest_available_sequence - 1, 0)
        return previous

    def gateway_time(self, message: Any) -> float | None:
        event = pb.MxEvent.FromString(message)
        if not event.HasField("gateway_receive_timestamp"):
            return None
        stamp = event.gateway_receive_timestamp
        return stamp.seconds + stamp.nanos / 1e9

    def is_replay_gap(self, message: Any) -> bool:
        event = pb.MxEvent.FromString(message)
        return not event.worker_sequence and event.HasField("replay_gap")

    async def session_lost(self, error: MxGatewayError, resume_after: int) -> SessionRecovered:
        known_alive = self._requests > 1 or (self._link is not None and self._link.live)
        if not known_alive:
            raise error  # an id the gateway never had (for us): its own error, not a loss
        if self._link is not None:
            return await self._link.stream_lost(error, self._generation, resume_after)
        raise SessionLostError(
            f"session {self._session_id} was lost: {error}; resume point {resume_after}",
            session_id=self._session_id,
            last_worker_sequence=resume_after,
        ) from None


class ReopenedSource:
    """A stream without sequences, re-opened as it was after a lost connection.

    The alarm feed then starts again with its snapshot of active alarms; the
    deploy-event stream simply goes on (the gateway keeps no history of
    deploys, so one made while the connection was down is not delivered).
    """

    def __init__(self, description: str, request: Message) -> None:
        self.description = description
        self._request = request

    def request(self, resume_after: int) -> Message:
        return self._request

    def resume_point(self, last: Any, previous: int) -> int:
        return 0

    def gateway_time(self, message: Any) -> float | None:
        return None

    def is_replay_gap(self, message: Any) -> bool:
        return False

    async def session_lost(self, error: MxGatewayError, resume_after: int) -> Any:
        raise error
