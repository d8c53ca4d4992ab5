"""The simulated MxAccessGateway service: sessions, auth, events, alarms."""

from __future__ import annotations

import asyncio
import collections
import itertools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grpclib.const import Status
from grpclib.exceptions import GRPCError
from grpclib.server import Stream

from mxgateway._core.values import encode_value
from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing._auth import Authenticator
from mxgateway.testing._galaxy import Galaxy
from mxgateway.testing._worker import Worker, status, utc_now

OVERFLOW_POLICIES = ("fault_session", "disconnect_subscriber")
_WRITE_KINDS = {"write_command", "write2_command", "write_bulk_command", "write2_bulk_command"}
_SECURE_KINDS = {
    "write_secured_command",
    "write_secured2_command",
    "write_secured_bulk_command",
    "write_secured2_bulk_command",
}


@dataclass
class SimulatorSettings:
    max_sessions: int = 64
    max_pending_commands: int = 128
    max_event_subscribers: int = 1
    event_queue_capacity: int = 10_000
    overflow_policy: str = "fault_session"
    replay_events: int = 1_024
    replay_seconds: float = 300.0
    tick_interval: float = 0.05

    def __post_init__(self) -> None:
        if self.overflow_policy not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow_policy must be one of {', '.join(OVERFLOW_POLICIES)}")


@dataclass
class _Subscriber:
    queue: collections.deque[pb.MxEvent] = field(default_factory=collections.deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    failure: GRPCError | None = None
    ended: bool = False


class SimSession:
    def __init__(self, session_id: str, name: str, worker: Worker, settings: SimulatorSettings) -> None:
        self.session_id = session_id
        self.name = name
        self.worker = worker
        self.state: int = pb.SESSION_STATE_READY
        self.settings = settings
        self.sequence = itertools.count(1)
        self.last_sequence = 0
        self.ring: collections.deque[tuple[float, pb.MxEvent]] = collections.deque(
            maxlen=settings.replay_events
        )
        self.backlog: collections.deque[pb.MxEvent] = collections.deque()
        self.subscribers: list[_Subscriber] = []
        self.pending_commands = 0
        self.fault_reason = ""

    @property
    def state_name(self) -> str:
        return pb.SessionState.Name(self.state).removeprefix("SESSION_STATE_").title()

    def emit(self, event: pb.MxEvent) -> None:
        if self.state != pb.SESSION_STATE_READY:
            return
        event.worker_sequence = self.last_sequence = next(self.sequence)
        event.session_id = self.session_id
        event.gateway_receive_timestamp.FromDatetime(utc_now())
        self.ring.append((time.monotonic(), event))
        capacity = self.settings.event_queue_capacity
        if not self.subscribers:
            self.backlog.append(event)
            if len(self.backlog) > capacity:
                self.fault(f"EventQueueOverflow: more than {capacity} events queued with no subscriber")
            return
        for subscriber in list(self.subscribers):
            subscriber.queue.append(event)
            subscriber.wakeup.set()
            if len(subscriber.queue) > capacity:
                message = f"EventQueueOverflow: the subscriber fell more than {capacity} events behind"
                if self.settings.overflow_policy == "fault_session":
                    self.fault(message)
                    return
                self.end_subscriber(subscriber, GRPCError(Status.RESOURCE_EXHAUSTED, message))

    def end_subscriber(self, subscriber: _Subscriber, failure: GRPCError | None) -> None:
        subscriber.failure = failure
        subscriber.ended = True
        subscriber.wakeup.set()

    def fault(self, reason: str) -> None:
        self.state = pb.SESSION_STATE_FAULTED
        self.fault_reason = reason
        for subscriber in list(self.subscribers):
            self.end_subscriber(subscriber, GRPCError(Status.UNAVAILABLE, f"session faulted: {reason}"))

    def replay_after(self, after: int) -> tuple[pb.MxEvent | None, list[pb.MxEvent]]:
        """The gap marker (if events are gone) and the events after ``after``."""
        horizon = time.monotonic() - self.settings.replay_seconds
        kept = [event for stamp, event in self.ring if stamp >= horizon]
        oldest = kept[0].worker_sequence if kept else self.last_sequence + 1
        marker = None
        if after + 1 < oldest and after < self.last_sequence:
            marker = pb.MxEvent(family=pb.MX_EVENT_FAMILY_UNSPECIFIED, session_id=self.session_id)
            marker.replay_gap.requested_after_sequence = after
            marker.replay_gap.oldest_available_sequence = oldest
        return marker, [event for event in kept if event.worker_sequence > after]


@dataclass
class _Alarm:
    reference: str
    attribute: str
    limit: float
    raised: datetime
    acked: bool = False


class SimulatorStatistics:
    """What the simulator saw; tests read it to check what a client did."""

    def __init__(self) -> None:
        self.calls: collections.Counter[str] = collections.Counter()
        self.last_authorization: dict[str, str | None] = {}
        self.event_streams_open = 0
        self.event_streams_cancelled = 0
        self.unary_cancelled = 0
        self.stream_cancelled = asyncio.Event()
        self.events_sent = 0
        self._sent_waiters: list[tuple[int, asyncio.Future[None]]] = []

    def event_sent(self) -> None:
        self.events_sent += 1
        for count, waiter in list(self._sent_waiters):
            if self.events_sent >= count and not waiter.done():
                waiter.set_result(None)

    async def wait_for_events_sent(self, count: int) -> None:
        """Until at least ``count`` events went out on event streams in total."""
        if self.events_sent >= count:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._sent_waiters.append((count, waiter))
        try:
            await waiter
        finally:
            self._sent_waiters.remove((count, waiter))

    def snapshot(self, sessions: dict[str, SimSession]) -> dict[str, Any]:
        states = collections.Counter(s.state_name for s in sessions.values())
        return {
            "calls": dict(self.calls),
            "sessions": dict(states),
            "event_streams_open": self.event_streams_open,
            "event_streams_cancelled": self.event_streams_cancelled,
            "unary_cancelled": self.unary_cancelled,
            "events_sent": self.events_sent,
        }


class SimulatedGateway(mxaccess_gateway_grpc.MxAccessGatewayBase):
    """The service; ``events_flowing`` cleared stalls every event stream."""

    def __init__(
        self,
        galaxy: Galaxy,
        authenticator: Authenticator,
        settings: SimulatorSettings,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.galaxy = galaxy
        self.auth = authenticator
        self.settings = settings
        self.clock = clock
        self.wall_clock = wall_clock
        self.sessions: dict[str, SimSession] = {}
        self.stats = SimulatorStatistics()
        self.reply_delay = 0.0
        self.events_flowing = asyncio.Event()
        self.events_flowing.set()
        self.alarms: dict[str, _Alarm] = {}
        self.alarm_feeds: list[asyncio.Queue[pb.AlarmFeedMessage]] = []
        galaxy.reset(clock())

    # ------------------------------------------------------------- plumbing

    async def _begin(self, method: str, stream: Stream[Any, Any], scope: str) -> Any:
        self.stats.calls[method] += 1
        metadata: Any = stream.metadata or {}
        authorization = metadata.get("authorization")
        self.stats.last_authorization[method] = authorization if isinstance(authorization, str) else None
        self.auth.check(self.stats.last_authorization[method], scope)
        request = await stream.recv_message()
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return request

    def _session(self, session_id: str) -> SimSession:
        session = self.sessions.get(session_id)
        if session is None:
            raise GRPCError(Status.NOT_FOUND, f"SessionNotFound: no session {session_id!r}")
        return session

    def set_events_flowing(self, flowing: bool) -> None:
        if flowing:
            self.events_flowing.set()
            for session in self.sessions.values():
                for subscriber in session.subscribers:
                    subscriber.wakeup.set()
        else:
            self.events_flowing.clear()

    def tick(self) -> None:
        for session in self.sessions.values():
            if session.state == pb.SESSION_STATE_READY:
                session.worker.tick()
        self._check_alarms()

    # ------------------------------------------------------------- sessions

    async def OpenSession(self, stream: Stream[pb.OpenSessionRequest, pb.OpenSessionReply]) -> None:
        request = await self._begin("OpenSession", stream, "session:open")
        live = [s for s in self.sessions.values() if s.state != pb.SESSION_STATE_CLOSED]
        if len(live) >= self.settings.max_sessions:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"SessionLimitExceeded: at most {self.settings.max_sessions} sessions",
            )
        session_id = "session-" + os.urandom(16).hex()
        holder: dict[str, SimSession] = {}
        worker = Worker(self.galaxy, lambda event: holder["session"].emit(event), self.clock, self.wall_clock)
        session = SimSession(session_id, request.client_session_name, worker, self.settings)
        holder["session"] = session
        self.sessions[session_id] = session
        await stream.send_message(
            pb.OpenSessionReply(
                session_id=session_id,
                backend_name="mxaccess-worker",
                gateway_protocol_version=3,
                worker_protocol_version=1,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
                capabilities=["unary-acknowledge-alarm", "server-stream-active-alarms"],
            )
        )

    async def CloseSession(self, stream: Stream[pb.CloseSessionRequest, pb.CloseSessionReply]) -> None:
        request = await self._begin("CloseSession", stream, "session:open")
        session = self._session(request.session_id)
        if session.state != pb.SESSION_STATE_CLOSED:
            session.state = pb.SESSION_STATE_CLOSED  # cleanup: the worker and its items go away
            for subscriber in list(session.subscribers):
                session.end_subscriber(subscriber, None)
            session.backlog.clear()
        await stream.send_message(
            pb.CloseSessionReply(
                session_id=session.session_id,
                final_state=pb.SESSION_STATE_CLOSED,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
            )
        )

    # --------------------------------------------------------------- Invoke

    async def Invoke(self, stream: Stream[pb.MxCommandRequest, pb.MxCommandReply]) -> None:
        self.stats.calls["Invoke"] += 1
        metadata: Any = stream.metadata or {}
        authorization = metadata.get("authorization")
        self.stats.last_authorization["Invoke"] = authorization if isinstance(authorization, str) else None
        request: pb.MxCommandRequest = await stream.recv_message()  # type: ignore[assignment]
        member = request.command.WhichOneof("payload") or ""
        scope = (
            "invoke:secure"
            if member in _SECURE_KINDS
            else "invoke:write"
            if member in _WRITE_KINDS
            else "invoke:read"
        )
        self.auth.check(self.stats.last_authorization["Invoke"], scope)
        session = self._session(request.session_id)
        if session.pending_commands >= self.settings.max_pending_commands:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"too many pending commands: at most {self.settings.max_pending_commands} per session",
            )
        session.pending_commands += 1
        try:
            if self.reply_delay:
                await asyncio.sleep(self.reply_delay)
            reply, after_reply = self._execute(session, request, member)
        except asyncio.CancelledError:
            self.stats.unary_cancelled += 1
            raise
        finally:
            session.pending_commands -= 1
        reply.session_id = session.session_id
        reply.correlation_id = request.client_correlation_id
        await stream.send_message(reply)
        for action in after_reply:
            action()

    def _execute(
        self, session: SimSession, request: pb.MxCommandRequest, member: str
    ) -> tuple[pb.MxCommandReply, list[Callable[[], None]]]:
        if session.state != pb.SESSION_STATE_READY:
            reply = pb.MxCommandReply(kind=request.command.kind)
            reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
            worker_state = "Exited" if session.state == pb.SESSION_STATE_FAULTED else "Stopped"
            reason = f" ({session.fault_reason})" if session.fault_reason else ""
            reply.protocol_status.message = (
                f"SessionNotReady: session state {session.state_name}, worker state {worker_state}{reason}"
            )
            return reply, []
        if member == "drain_events_command":
            reply = pb.MxCommandReply(kind=request.command.kind)
            reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_OK
            reply.drain_events.SetInParent()
            for _ in range(min(request.command.drain_events_command.max_events, len(session.backlog))):
                reply.drain_events.events.append(session.backlog.popleft())
            reply.statuses.append(status())
            return reply, []
        if member == "acknowledge_alarm_by_name_command":
            payload = request.command.acknowledge_alarm_by_name_command
            reply = pb.MxCommandReply(kind=request.command.kind)
            entry = self._acknowledge(payload.alarm_full_reference, payload.operator_user, payload.comment)
            reply.protocol_status.code = (
                pb.PROTOCOL_STATUS_CODE_OK
                if entry.category == pb.MX_STATUS_CATEGORY_OK
                else pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
            )
            reply.acknowledge_alarm.status.CopyFrom(entry)
            reply.statuses.append(entry)
            return reply, []
        return session.worker.execute(request.command)

    # --------------------------------------------------------------- events

    async def StreamEvents(self, stream: Stream[pb.StreamEventsRequest, pb.MxEvent]) -> None:
        request = await self._begin("StreamEvents", stream, "events:read")
        session = self._session(request.session_id)
        if session.state != pb.SESSION_STATE_READY:
            raise GRPCError(
                Status.FAILED_PRECONDITION, f"SessionNotReady: session state {session.state_name}"
            )
        if len(session.subscribers) >= self.settings.max_event_subscribers:
            raise GRPCError(
                Status.ALREADY_EXISTS, "EventSubscriberAlreadyActive: the session already has a subscriber"
            )
        subscriber = _Subscriber()
        after = request.after_worker_sequence
        if after:
            marker, replay = session.replay_after(after)
            if marker is not None:
                subscriber.queue.append(marker)
            subscriber.queue.extend(replay)
            last = replay[-1].worker_sequence if replay else after
            subscriber.queue.extend(e for e in session.backlog if e.worker_sequence > last)
        else:
            subscriber.queue.extend(session.backlog)
        session.backlog.clear()
        session.subscribers.append(subscriber)
        self.stats.event_streams_open += 1
        try:
            while True:
                if subscriber.ended and subscriber.failure is not None:
                    raise subscriber.failure  # a fault ends the stream even while stalled
                if subscriber.queue and self.events_flowing.is_set():
                    await stream.send_message(subscriber.queue.popleft())
                    self.stats.event_sent()
                    continue
                if subscriber.ended and not subscriber.queue:
                    return
                subscriber.wakeup.clear()
                await subscriber.wakeup.wait()
        except asyncio.CancelledError:
            self.stats.event_streams_cancelled += 1
            self.stats.stream_cancelled.set()
            raise
        finally:
            self.stats.event_streams_open -= 1
            if subscriber in session.subscribers:
                session.subscribers.remove(subscriber)
                # Undelivered events wait for the next subscriber.
                session.backlog.extendleft(reversed(subscriber.queue))

    # --------------------------------------------------------------- alarms

    def _check_alarms(self) -> None:
        now = self.clock()
        for attribute in self.galaxy.attributes.values():
            if attribute.alarm_above is None:
                continue
            reference = f"{attribute.name}.HiAlarm"
            value = attribute.value_at(now)
            above = isinstance(value, int | float) and value > attribute.alarm_above
            if above and reference not in self.alarms:
                alarm = _Alarm(reference, attribute.name, attribute.alarm_above, self.wall_clock())
                self.alarms[reference] = alarm
                self._publish(alarm, pb.ALARM_TRANSITION_KIND_RAISE, value)
            elif not above and reference in self.alarms:
                self._publish(self.alarms.pop(reference), pb.ALARM_TRANSITION_KIND_CLEAR, value)

    def _snapshot(self, alarm: _Alarm) -> pb.ActiveAlarmSnapshot:
        snapshot = pb.ActiveAlarmSnapshot(
            alarm_full_reference=alarm.reference,
            source_object_reference=alarm.attribute.split(".")[0],
            alarm_type="HiAlarm",
            severity=500,
            category="Process",
            description=f"{alarm.attribute} above {alarm.limit}",
            condition_state=pb.ALARM_CONDITION_STATE_ACTIVE_ACKED
            if alarm.acked
            else pb.ALARM_CONDITION_STATE_ACTIVE_UNACKED,
        )
        snapshot.raised_time.FromDatetime(alarm.raised)
        return snapshot

    def _publish(self, alarm: _Alarm, kind: int, value: object, user: str = "", comment: str = "") -> None:
        transition = pb.OnAlarmTransitionEvent(
            alarm_full_reference=alarm.reference,
            source_object_reference=alarm.attribute.split(".")[0],
            alarm_type="HiAlarm",
            transition_kind=kind,  # type: ignore[arg-type]
            severity=500,
            operator_user=user,
            operator_comment=comment,
            category="Process",
            description=f"{alarm.attribute} above {alarm.limit}",
        )
        transition.raised_time.FromDatetime(alarm.raised)
        transition.transition_time.FromDatetime(self.wall_clock())
        if isinstance(value, int | float) and not isinstance(value, bool):
            transition.current_value.CopyFrom(encode_value(float(value)))
        transition.limit_value.CopyFrom(encode_value(float(alarm.limit)))
        for feed in self.alarm_feeds:
            feed.put_nowait(pb.AlarmFeedMessage(transition=transition))

    def _acknowledge(self, reference: str, user: str, comment: str) -> pb.MxStatusProxy:
        alarm = self.alarms.get(reference)
        if alarm is None:
            return status(
                pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, 1001, text=f"no active alarm {reference!r}"
            )
        alarm.acked = True
        self._publish(alarm, pb.ALARM_TRANSITION_KIND_ACKNOWLEDGE, None, user, comment)
        return status()

    async def AcknowledgeAlarm(
        self, stream: Stream[pb.AcknowledgeAlarmRequest, pb.AcknowledgeAlarmReply]
    ) -> None:
        request = await self._begin("AcknowledgeAlarm", stream, "invoke:write")
        entry = self._acknowledge(request.alarm_full_reference, request.operator_user, request.comment)
        ok = entry.category == pb.MX_STATUS_CATEGORY_OK
        await stream.send_message(
            pb.AcknowledgeAlarmReply(
                protocol_status=pb.ProtocolStatus(
                    code=pb.PROTOCOL_STATUS_CODE_OK if ok else pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE,
                    message="" if ok else entry.diagnostic_text,
                ),
                status=entry,
                diagnostic_message="" if ok else entry.diagnostic_text,
            )
        )

    async def StreamAlarms(self, stream: Stream[pb.StreamAlarmsRequest, pb.AlarmFeedMessage]) -> None:
        request = await self._begin("StreamAlarms", stream, "events:read")
        feed: asyncio.Queue[pb.AlarmFeedMessage] = asyncio.Queue()
        self.alarm_feeds.append(feed)
        try:
            for alarm in list(self.alarms.values()):
                if alarm.reference.startswith(request.alarm_filter_prefix):
                    await stream.send_message(pb.AlarmFeedMessage(active_alarm=self._snapshot(alarm)))
            await stream.send_message(pb.AlarmFeedMessage(snapshot_complete=pb.AlarmSnapshotComplete()))
            while True:
                message = await feed.get()
                if message.transition.alarm_full_reference.startswith(request.alarm_filter_prefix):
                    await stream.send_message(message)
        finally:
            self.alarm_feeds.remove(feed)

    async def QueryActiveAlarms(
        self, stream: Stream[pb.QueryActiveAlarmsRequest, pb.ActiveAlarmSnapshot]
    ) -> None:
        request = await self._begin("QueryActiveAlarms", stream, "events:read")
        for alarm in list(self.alarms.values()):
            if alarm.reference.startswith(request.alarm_filter_prefix):
                await stream.send_message(self._snapshot(alarm))
