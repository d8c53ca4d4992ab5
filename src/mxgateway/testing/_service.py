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
from mxgateway._protocol import GATEWAY_PROTOCOL_VERSION
from mxgateway.generated import mxaccess_gateway_grpc
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing._auth import Authenticator
from mxgateway.testing._galaxy import Galaxy
from mxgateway.testing._worker import MX_E_FAILURE, Worker, status, utc_now

WORKER_PROTOCOL_VERSION = 1
CAPABILITIES = ("unary-acknowledge-alarm", "server-stream-active-alarms")
OVERFLOW_POLICIES = ("fault_session", "disconnect_subscriber")
_WRITE_KINDS = {
    "write_command",
    "write2_command",
    "write_bulk_command",
    "write2_bulk_command",
    "acknowledge_alarm_by_name_command",
}
_SECURE_KINDS = {
    "write_secured_command",
    "write_secured2_command",
    "write_secured_bulk_command",
    "write_secured2_bulk_command",
}

# A command's reply, and what to do once it was sent (events it causes).
_Outcome = tuple[pb.MxCommandReply, list[Callable[[], None]]]


def _scope_of(member: str | None) -> str:
    if member in _SECURE_KINDS:
        return "invoke:secure"
    if member in _WRITE_KINDS:
        return "invoke:write"
    return "invoke:read"


def _check_shape(command: pb.MxCommand, member: str | None) -> None:
    """Request validation is a gRPC error: a payload is required and must match the kind."""
    if member is None:
        raise GRPCError(Status.INVALID_ARGUMENT, "the command has no payload")
    kind = pb.MxCommandKind.Name(command.kind) if command.kind in pb.MxCommandKind.values() else ""
    expected = kind.removeprefix("MX_COMMAND_KIND_").lower() + "_command"
    if expected != member:
        raise GRPCError(
            Status.INVALID_ARGUMENT,
            f"command kind {kind or command.kind} does not match the payload {member}",
        )


def _run_after_reply(task: asyncio.Task[_Outcome]) -> None:
    if not task.cancelled() and task.exception() is None:
        for action in task.result()[1]:
            action()


@dataclass
class SimulatorSettings:
    """Limits and timings; the defaults are the real gateway's.

    ``tick_interval`` (real seconds) is how often values are re-evaluated;
    ``first_data_change_delay`` (real seconds, 0 = at once) models the wait
    for a first data change after Advise (3-8 s on a real galaxy) and makes
    ReadBulk's fresh reads wait too (timing out when ``timeout_ms``, or
    ``read_timeout_ms`` for 0, is shorter). ``session_lease_seconds`` and
    ``subscriber_grace_seconds`` run on the simulator's ``clock``.
    """

    max_sessions: int = 64
    max_pending_commands: int = 128
    max_event_subscribers: int = 1
    event_queue_capacity: int = 10_000
    overflow_policy: str = "fault_session"
    replay_events: int = 1_024
    replay_seconds: float = 300.0
    tick_interval: float = 0.05
    first_data_change_delay: float = 0.0
    read_timeout_ms: int = 30_000
    session_lease_seconds: float = 1800.0
    subscriber_grace_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.overflow_policy not in OVERFLOW_POLICIES:
            raise ValueError(f"overflow_policy must be one of {', '.join(OVERFLOW_POLICIES)}")
        positive = ("max_sessions", "max_pending_commands", "max_event_subscribers", "event_queue_capacity")
        for name in (*positive, "replay_events", "tick_interval", "read_timeout_ms"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.first_data_change_delay < 0:
            raise ValueError("first_data_change_delay must not be negative")


@dataclass
class _Subscriber:
    queue: collections.deque[pb.MxEvent] = field(default_factory=collections.deque)
    wakeup: asyncio.Event = field(default_factory=asyncio.Event)
    failure: GRPCError | None = None
    ended: bool = False


class SimSession:
    """One session: its worker, event sequence, replay ring and subscribers."""

    def __init__(
        self,
        session_id: str,
        name: str,
        worker: Worker,
        settings: SimulatorSettings,
        clock: Callable[[], float],
        wall_clock: Callable[[], datetime],
    ) -> None:
        self.session_id = session_id
        self.name = name
        self.worker = worker
        self.state: int = pb.SESSION_STATE_READY
        self.settings = settings
        self._clock = clock
        self._wall_clock = wall_clock
        self.lease_deadline = clock() + settings.session_lease_seconds
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

    def not_ready_message(self) -> str:
        worker_state = "Exited" if self.state == pb.SESSION_STATE_FAULTED else "Stopped"
        reason = f" ({self.fault_reason})" if self.fault_reason else ""
        return f"SessionNotReady: session state {self.state_name}, worker state {worker_state}{reason}"

    def touch(self) -> None:
        """A unary call extends the lease."""
        self.lease_deadline = max(self.lease_deadline, self._clock() + self.settings.session_lease_seconds)

    def lease_expired(self) -> bool:
        return not self.subscribers and self._clock() > self.lease_deadline

    def subscriber_left(self) -> None:
        # The grace period lets a client re-attach before the lease can end the session.
        self.lease_deadline = max(self.lease_deadline, self._clock() + self.settings.subscriber_grace_seconds)

    def close(self) -> None:
        """Closed is terminal: the worker cleans up and nothing queues any more."""
        if self.state == pb.SESSION_STATE_CLOSED:
            return
        self.state = pb.SESSION_STATE_CLOSED
        self.worker.close()
        for subscriber in list(self.subscribers):
            self.end_subscriber(subscriber, None)
        self.backlog.clear()
        self.ring.clear()

    def emit(self, event: pb.MxEvent) -> None:
        if self.state != pb.SESSION_STATE_READY:
            return
        event.worker_sequence = self.last_sequence = next(self.sequence)
        event.session_id = self.session_id
        event.gateway_receive_timestamp.FromDatetime(self._wall_clock())
        self.ring.append((self._clock(), event))
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
                # Its events stay in the replay ring for a resume, not in the backlog.
                subscriber.queue.clear()
                self.end_subscriber(subscriber, GRPCError(Status.RESOURCE_EXHAUSTED, message))

    def end_subscriber(self, subscriber: _Subscriber, failure: GRPCError | None) -> None:
        subscriber.failure = failure
        subscriber.ended = True
        subscriber.wakeup.set()

    def fault(self, reason: str) -> None:
        if self.state in (pb.SESSION_STATE_CLOSED, pb.SESSION_STATE_FAULTED):
            return  # Faulted only moves to Closed; Closed is terminal.
        self.state = pb.SESSION_STATE_FAULTED
        self.fault_reason = reason
        for subscriber in list(self.subscribers):
            self.end_subscriber(subscriber, GRPCError(Status.UNAVAILABLE, f"session faulted: {reason}"))

    def replay_after(self, after: int) -> tuple[pb.MxEvent | None, list[pb.MxEvent]]:
        """The gap marker (if events are gone) and the events after ``after``."""
        horizon = self._clock() - self.settings.replay_seconds
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
        self.last_metadata: dict[str, dict[str, str]] = {}
        self.event_streams_open = 0
        self.event_streams_cancelled = 0
        self.alarm_streams_open = 0
        self.unary_cancelled = 0
        self.events_sent = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = []

    def changed(self) -> None:
        """Wake the waiters whose condition now holds (call after any counter moves)."""
        for condition, waiter in list(self._waiters):
            if not waiter.done() and condition():
                waiter.set_result(None)

    def event_sent(self) -> None:
        self.events_sent += 1
        self.changed()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Until ``condition()`` holds; it is checked whenever a counter moves."""
        if condition():
            return
        entry = (condition, asyncio.get_running_loop().create_future())
        self._waiters.append(entry)
        try:
            await entry[1]
        finally:
            self._waiters.remove(entry)

    async def wait_for_events_sent(self, count: int) -> None:
        """Until at least ``count`` events went out on event streams in total."""
        await self.wait_until(lambda: self.events_sent >= count)

    def snapshot(self, sessions: dict[str, SimSession]) -> dict[str, Any]:
        states = collections.Counter(s.state_name.upper() for s in sessions.values())
        return {
            "calls": dict(self.calls),
            "sessions": dict(states),
            "pending_commands": sum(s.pending_commands for s in sessions.values()),
            "event_streams_open": self.event_streams_open,
            "event_streams_cancelled": self.event_streams_cancelled,
            "alarm_streams_open": self.alarm_streams_open,
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
        # Commands run in tasks of their own so that a client's cancel only
        # stops its wait, as on the real gateway: the worker's call runs on.
        self._commands: set[asyncio.Task[_Outcome]] = set()
        galaxy.reset(clock())

    async def aclose(self) -> None:
        """Stop commands still running in the background (the simulator is shutting down)."""
        for task in list(self._commands):
            task.cancel()
        if self._commands:
            await asyncio.wait(list(self._commands))

    # ------------------------------------------------------------- plumbing

    def _record(self, method: str, stream: Stream[Any, Any]) -> str | None:
        """Count the call and keep its metadata; returns the authorization header."""
        self.stats.calls[method] += 1
        metadata: Any = stream.metadata or {}
        seen = {str(key): value for key, value in metadata.items() if isinstance(value, str)}
        self.stats.last_metadata[method] = seen
        authorization = seen.get("authorization")
        self.stats.last_authorization[method] = authorization
        self.stats.changed()
        return authorization

    async def _begin(self, method: str, stream: Stream[Any, Any], scope: str) -> Any:
        self.auth.check(self._record(method, stream), scope)
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

    def fault_session(self, session_id: str, reason: str) -> None:
        self._session(session_id).fault(reason)

    def tick(self) -> None:
        """Move values on, raise and clear alarms, end sessions whose lease ran out."""
        for session in self.sessions.values():
            if session.state != pb.SESSION_STATE_READY:
                continue
            if session.lease_expired():
                session.close()
                continue
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
        loop = asyncio.get_running_loop()
        worker = Worker(
            self.galaxy,
            lambda event: holder["session"].emit(event),
            self.clock,
            self.wall_clock,
            first_data_change_delay=self.settings.first_data_change_delay,
            schedule=loop.call_later,
        )
        session = SimSession(
            session_id, request.client_session_name, worker, self.settings, self.clock, self.wall_clock
        )
        holder["session"] = session
        self.sessions[session_id] = session
        await stream.send_message(
            pb.OpenSessionReply(
                session_id=session_id,
                backend_name="mxaccess-worker",
                gateway_protocol_version=GATEWAY_PROTOCOL_VERSION,
                worker_protocol_version=WORKER_PROTOCOL_VERSION,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
                capabilities=list(CAPABILITIES),
            )
        )

    async def CloseSession(self, stream: Stream[pb.CloseSessionRequest, pb.CloseSessionReply]) -> None:
        request = await self._begin("CloseSession", stream, "session:open")
        session = self._session(request.session_id)
        session.close()  # idempotent: a closed session stays known and reports CLOSED
        await stream.send_message(
            pb.CloseSessionReply(
                session_id=session.session_id,
                final_state=pb.SESSION_STATE_CLOSED,
                protocol_status=pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK),
            )
        )

    # --------------------------------------------------------------- Invoke

    async def Invoke(self, stream: Stream[pb.MxCommandRequest, pb.MxCommandReply]) -> None:
        authorization = self._record("Invoke", stream)
        request: pb.MxCommandRequest = await stream.recv_message()  # type: ignore[assignment]
        member = request.command.WhichOneof("payload")
        self.auth.check(authorization, _scope_of(member))
        _check_shape(request.command, member)
        session = self._session(request.session_id)
        if session.pending_commands >= self.settings.max_pending_commands:
            raise GRPCError(
                Status.RESOURCE_EXHAUSTED,
                f"too many pending commands: at most {self.settings.max_pending_commands} per session",
            )
        session.touch()
        session.pending_commands += 1
        task = asyncio.ensure_future(self._run_command(session, request, str(member)))
        self._commands.add(task)
        task.add_done_callback(lambda done: self._command_finished(session, done))
        try:
            reply, after_reply = await asyncio.shield(task)
        except asyncio.CancelledError:
            self.stats.unary_cancelled += 1
            self.stats.changed()
            # The reply has no one to go to, but what the command started still happens.
            task.add_done_callback(_run_after_reply)
            raise
        reply.session_id = session.session_id
        reply.correlation_id = request.client_correlation_id
        try:
            await stream.send_message(reply)
        finally:
            for action in after_reply:
                action()

    def _command_finished(self, session: SimSession, task: asyncio.Task[_Outcome]) -> None:
        session.pending_commands -= 1
        self._commands.discard(task)
        self.stats.changed()

    async def _run_command(self, session: SimSession, request: pb.MxCommandRequest, member: str) -> _Outcome:
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        timed_out = False
        if member == "read_bulk_command" and session.state == pb.SESSION_STATE_READY:
            timed_out = await self._wait_for_fresh_reads(session, request.command.read_bulk_command)
        return self._execute(session, request, member, timed_out)

    async def _wait_for_fresh_reads(self, session: SimSession, command: pb.ReadBulkCommand) -> bool:
        """Wait as ReadBulk would for first data changes; True when its timeout ran out first."""
        delay = self.settings.first_data_change_delay
        if delay <= 0 or not session.worker.needs_fresh_read(command):
            return False
        timeout = (command.timeout_ms or self.settings.read_timeout_ms) / 1000
        await asyncio.sleep(min(delay, timeout))
        return timeout < delay

    def _execute(
        self, session: SimSession, request: pb.MxCommandRequest, member: str, fresh_reads_timed_out: bool
    ) -> _Outcome:
        if session.state != pb.SESSION_STATE_READY:
            reply = pb.MxCommandReply(kind=request.command.kind)
            reply.protocol_status.code = pb.PROTOCOL_STATUS_CODE_SESSION_NOT_READY
            reply.protocol_status.message = session.not_ready_message()
            reply.diagnostic_message = reply.protocol_status.message
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
            ok = entry.category == pb.MX_STATUS_CATEGORY_OK
            reply.protocol_status.code = (
                pb.PROTOCOL_STATUS_CODE_OK if ok else pb.PROTOCOL_STATUS_CODE_MXACCESS_FAILURE
            )
            if not ok:
                reply.hresult = MX_E_FAILURE
                reply.diagnostic_message = entry.diagnostic_text
            reply.acknowledge_alarm.status.CopyFrom(entry)
            reply.statuses.append(entry)
            return reply, []
        return session.worker.execute(request.command, fresh_reads_timed_out=fresh_reads_timed_out)

    # --------------------------------------------------------------- events

    async def StreamEvents(self, stream: Stream[pb.StreamEventsRequest, pb.MxEvent]) -> None:
        request = await self._begin("StreamEvents", stream, "events:read")
        session = self._session(request.session_id)
        if session.state != pb.SESSION_STATE_READY:
            raise GRPCError(Status.FAILED_PRECONDITION, session.not_ready_message())
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
        session.touch()
        self.stats.event_streams_open += 1
        self.stats.changed()
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
            self.stats.event_streams_cancelled += 1  # the client reset the stream or went away
            raise
        finally:
            self.stats.event_streams_open -= 1
            self.stats.changed()
            if subscriber in session.subscribers:
                session.subscribers.remove(subscriber)
                session.subscriber_left()
                if session.state == pb.SESSION_STATE_READY:
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
                hresult=0 if ok else MX_E_FAILURE,
                status=entry,
                diagnostic_message="" if ok else entry.diagnostic_text,
            )
        )

    async def StreamAlarms(self, stream: Stream[pb.StreamAlarmsRequest, pb.AlarmFeedMessage]) -> None:
        request = await self._begin("StreamAlarms", stream, "events:read")
        feed: asyncio.Queue[pb.AlarmFeedMessage] = asyncio.Queue()
        self.alarm_feeds.append(feed)
        self.stats.alarm_streams_open += 1
        self.stats.changed()
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
            self.stats.alarm_streams_open -= 1
            self.stats.changed()

    async def QueryActiveAlarms(
        self, stream: Stream[pb.QueryActiveAlarmsRequest, pb.ActiveAlarmSnapshot]
    ) -> None:
        request = await self._begin("QueryActiveAlarms", stream, "events:read")
        for alarm in list(self.alarms.values()):
            if alarm.reference.startswith(request.alarm_filter_prefix):
                await stream.send_message(self._snapshot(alarm))
