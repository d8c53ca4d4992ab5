"""What the benchmark scripts share: the benchmark gateway, raw grpclib loops, fresh interpreters.

- ``serve`` is a minimal grpclib gateway that sends pre-serialized events,
  so that it outruns every client (one Python process each side, 2 cores).
  ``running_gateway`` starts it in its own process and yields its port.
- ``raw_*`` are the baselines: grpclib's generated stub used directly,
  putting the same bytes on the wire as the clients do.
- ``measure_in_child`` runs one measurement in a fresh interpreter and
  reads back the JSON it prints.
- ``Timed`` takes wall and CPU time of one measured stretch.

The server's StreamEvents sends the prepared events whose worker sequence
is above the request's ``after_worker_sequence``: a client asks for the
last N events with ``after_worker_sequence = prepared - N``, through the
public API, and the raw loops send the same request.

- ``serve_soak`` is the soak gateway (``soak.py``): it produces a session's
  events at a fixed rate into a replay ring, resumes like the real gateway,
  and aborts every client connection every few seconds.
  ``running_soak_gateway`` starts it in its own process.

    python benchmarks/harness.py --serve PORT_FILE --events N   (what running_gateway runs)
    python benchmarks/harness.py --serve PORT_FILE --events N --soak [--rate R] [--ring N]
        [--queue N] [--drop-every S] [--stats-file FILE]       (what running_soak_gateway runs)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import math
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

CONCURRENCY = 50
SESSION_ID = "session-" + "b" * 32
# As long as the clients' ids (``py-<8 hex>-<n>``), so the raw requests are as long.
RAW_CORRELATION_ID = "py-00000000-1000"
RAW_TIMEOUT = 30.0


def session_id(number: int) -> str:
    """The id the benchmark gateway hands out for its ``number``-th OpenSession."""
    return f"session-{number:032x}"


# ------------------------------------------------------------------- server


def serve(port_file: str, events: int) -> None:
    import logging

    # A client that resets its stream on purpose (the "error" burst) leaves this
    # gateway writing into a closed transport, which asyncio reports once per
    # write: thousands of identical warnings that say nothing about the client.
    logging.getLogger("asyncio").setLevel(logging.ERROR)

    from grpclib.encoding.proto import ProtoCodec
    from grpclib.server import Server, Stream

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    ok = pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK)

    def event(sequence: int) -> pb.MxEvent:
        message = pb.MxEvent(
            worker_sequence=sequence,
            family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
            session_id=SESSION_ID,
            server_handle=1,
            item_handle=2,
            quality=192,
        )
        message.on_data_change.value.data_type = pb.MX_DATA_TYPE_DOUBLE
        message.on_data_change.value.variant_type = pb.VT_R8
        message.on_data_change.value.double_value = sequence * 0.5
        message.on_data_change.quality = 192
        message.on_data_change.timestamp.FromSeconds(1_700_000_000 + sequence)
        return message

    # Serialized once, so that sending costs the server next to nothing.
    prepared = [event(n).SerializeToString() for n in range(1, events + 1)]
    opened = 0

    async def received(stream: Stream[Any, Any]) -> Any:
        request = await stream.recv_message()
        assert request is not None, "every call here sends its request"
        return request

    class PassThroughCodec(ProtoCodec):
        """Sends bytes as they are (the prepared events), everything else as protobuf."""

        def encode(self, message: Any, message_type: Any) -> bytes:
            if isinstance(message, bytes):
                return message
            return super().encode(message, message_type)

    class BenchGateway(mxaccess_gateway_grpc.MxAccessGatewayBase):
        async def OpenSession(self, stream: Stream[Any, Any]) -> None:
            nonlocal opened
            await received(stream)
            opened += 1
            await stream.send_message(
                pb.OpenSessionReply(
                    session_id=session_id(opened), gateway_protocol_version=3, protocol_status=ok
                )
            )

        async def CloseSession(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            await stream.send_message(
                pb.CloseSessionReply(
                    session_id=request.session_id, final_state=pb.SESSION_STATE_CLOSED, protocol_status=ok
                )
            )

        async def Invoke(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            await stream.send_message(
                pb.MxCommandReply(
                    session_id=request.session_id,
                    correlation_id=request.client_correlation_id,
                    kind=request.command.kind,
                    protocol_status=ok,
                )
            )

        async def StreamEvents(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            for message in prepared[request.after_worker_sequence :]:
                await stream.send_message(message)

        async def AcknowledgeAlarm(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

        async def StreamAlarms(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

        async def QueryActiveAlarms(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

    async def main() -> None:
        server = Server([BenchGateway()], codec=PassThroughCodec())
        await server.start("127.0.0.1", 0)
        port = server._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        publish_port(port_file, port)
        await asyncio.Event().wait()

    asyncio.run(main())


def publish_port(port_file: str, port: int) -> None:
    # Written whole, then renamed: the reader never sees half a port.
    partial = Path(port_file + ".partial")
    partial.write_text(str(port))
    partial.rename(port_file)


@contextlib.contextmanager
def running_gateway(events: int) -> Iterator[int]:
    """The benchmark gateway in its own process, with ``events`` prepared; yields its port."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port_file), "--events", str(events)]
        )
        try:
            deadline = time.monotonic() + 120
            while not port_file.exists():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("benchmark server did not start")
                time.sleep(0.05)
            yield int(port_file.read_text())
        finally:
            server.terminate()
            server.wait(10)


# -------------------------------------------------------------- soak server

SOAK_TICK = 0.005  # seconds between the paced producer's steps
SOAK_ON_DEMAND_CHUNK = 256  # events made at once when the producer is unpaced
SOAK_DROP_GRACE = 0.05  # seconds a due drop waits for a stream to be mid-send


@dataclasses.dataclass(frozen=True)
class SoakSettings:
    """What the soak gateway does (see ``serve_soak``)."""

    events: int  # per session; then the session's producer stops
    rate: float = 10_000.0  # events per second; 0: unpaced, made as the subscriber takes them
    ring: int = 1_024  # events kept for a resume (the real gateway's replay ring)
    queue: int = 10_000  # how far an attached subscriber may fall behind (the gateway's queue)
    drop_every: float = 0.0  # seconds between connection drops; 0: never

    def arguments(self) -> list[str]:
        return [
            f"--events={self.events}",
            "--soak",
            f"--rate={self.rate}",
            f"--ring={self.ring}",
            f"--queue={self.queue}",
            f"--drop-every={self.drop_every}",
        ]


class _SoakEventEncoder:
    """Serializes one session's data changes; a message is reused, only what changes is set."""

    def __init__(self, session: str) -> None:
        from mxgateway.generated import mxaccess_gateway_pb2 as pb

        message = pb.MxEvent(
            family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
            session_id=session,
            server_handle=1,
            item_handle=2,
            quality=192,
        )
        message.on_data_change.value.data_type = pb.MX_DATA_TYPE_DOUBLE
        message.on_data_change.value.variant_type = pb.VT_R8
        message.on_data_change.quality = 192
        self._message = message

    def encode(self, first: int, count: int, now_ns: int) -> list[bytes]:
        """Events ``first`` .. ``first + count - 1``, all stamped ``now_ns`` (wall clock)."""
        message = self._message
        body = message.on_data_change
        seconds, nanos = divmod(now_ns, 1_000_000_000)
        # The gateway's receive time is when it was made: the client reads its latency from it.
        message.gateway_receive_timestamp.seconds = body.timestamp.seconds = seconds
        message.gateway_receive_timestamp.nanos = body.timestamp.nanos = nanos
        encoded = []
        for sequence in range(first, first + count):
            message.worker_sequence = sequence
            body.value.double_value = sequence * 0.5
            encoded.append(message.SerializeToString())
        return encoded


class _SoakSession:
    """One session's events: made by a producer, kept in a ring, sent to at most one subscriber.

    ``kept`` holds the last ``max(ring, queue)`` events (sequence ``s`` at
    ``s % len(kept)``): a resume may reach back ``ring`` events, an attached
    subscriber may lag up to ``queue`` events behind the producer.
    """

    def __init__(self, session: str, settings: SoakSettings) -> None:
        self.session_id = session
        self.settings = settings
        self._encoder = _SoakEventEncoder(session)
        self._kept: list[bytes] = [b""] * max(settings.ring, settings.queue)
        self._more = asyncio.Event()
        self._producer: asyncio.Task[None] | None = None
        self.produced = 0  # the newest sequence made
        self.handed_out = 0  # the newest sequence put on any stream
        self.subscribed = False
        self.fault: str | None = None  # once set, the session is faulted for good
        self.attaches = 0
        self.markers_sent = 0
        self.resent = 0  # events a resume asked for again that had been put on a stream already
        self.replayed = 0  # events a resume found already made (sent from the ring)
        self.overflows = 0
        self.max_lag = 0  # the most events made but not yet sent, at the time of a send

    @property
    def finished(self) -> bool:
        """Every event went out on a stream at least once (the run is over for this session)."""
        return self.handed_out >= self.settings.events

    def oldest_kept(self) -> int:
        return max(self.produced - len(self._kept) + 1, 1)

    def oldest_replayable(self) -> int:
        return max(self.produced - self.settings.ring + 1, 1)

    def event(self, sequence: int) -> bytes:
        return self._kept[sequence % len(self._kept)]

    def produce(self, count: int) -> None:
        first = self.produced + 1
        kept, size = self._kept, len(self._kept)
        for sequence, data in enumerate(self._encoder.encode(first, count, time.time_ns()), first):
            kept[sequence % size] = data
        self.produced += count
        self._more.set()
        self._more = asyncio.Event()

    async def wait_for_more(self) -> None:
        await self._more.wait()

    def gap_marker(self, after: int, oldest: int) -> bytes:
        from mxgateway.generated import mxaccess_gateway_pb2 as pb

        marker = pb.MxEvent(family=pb.MX_EVENT_FAMILY_UNSPECIFIED, session_id=self.session_id)
        marker.replay_gap.requested_after_sequence = after
        marker.replay_gap.oldest_available_sequence = oldest
        return marker.SerializeToString()

    def start(self) -> None:
        """At the first subscriber (the moment items are advised, on a real gateway)."""
        if self.settings.rate > 0 and self._producer is None:
            self._producer = asyncio.get_running_loop().create_task(self._produce_at_rate())

    def stop(self) -> None:
        if self._producer is not None:
            self._producer.cancel()

    async def _produce_at_rate(self) -> None:
        # The galaxy's pace: from the clock, whether or not a subscriber is attached.
        loop = asyncio.get_running_loop()
        started = loop.time()
        total, rate = self.settings.events, self.settings.rate
        while self.produced < total:
            await asyncio.sleep(SOAK_TICK)
            due = min(int((loop.time() - started) * rate), total)
            if due > self.produced:
                self.produce(due - self.produced)

    def statistics(self) -> dict[str, Any]:
        return {
            "produced": self.produced,
            "handed_out": self.handed_out,
            "attaches": self.attaches,
            "markers_sent": self.markers_sent,
            "resent": self.resent,
            "replayed": self.replayed,
            "overflows": self.overflows,
            "max_lag": self.max_lag,
        }


def _pass_through_codec() -> Any:
    from grpclib.encoding.proto import ProtoCodec

    class PassThroughCodec(ProtoCodec):
        """Sends bytes as they are (the serialized events), everything else as protobuf."""

        def encode(self, message: Any, message_type: Any) -> bytes:
            if isinstance(message, bytes):
                return message
            return super().encode(message, message_type)

    return PassThroughCodec()


def _dropping_server(handlers: list[Any]) -> Any:
    """A grpclib Server that counts its connections and can abort them all."""
    from grpclib.server import Server

    class DroppingServer(Server):
        def __init__(self) -> None:
            super().__init__(handlers, codec=_pass_through_codec())
            self.protocols: list[Any] = []
            self.connections = 0

        def _protocol_factory(self) -> Any:
            protocol = super()._protocol_factory()
            self.protocols.append(protocol)
            self.connections += 1
            return protocol

        def abort_connections(self) -> int:
            """Abort every open connection, as a crashed gateway would; returns how many."""
            aborted = 0
            for protocol in self.protocols:
                transport = getattr(getattr(protocol, "connection", None), "_transport", None)
                if transport is not None and not transport.is_closing():
                    transport.abort()
                    aborted += 1
            self.protocols.clear()
            return aborted

    return DroppingServer()


def _stream_transport(stream: Any) -> Any:
    """The asyncio transport under a grpclib server stream (grpclib does not expose it)."""
    transport = getattr(getattr(stream, "_stream", None), "_transport", None)
    if transport is None or not callable(getattr(transport, "is_closing", None)):
        raise RuntimeError("grpclib's server Stream no longer keeps its transport as _stream._transport")
    return transport


def _soak_gateway(settings: SoakSettings) -> Any:
    from grpclib import GRPCError, Status
    from grpclib.server import Stream

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    ok = pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK)

    async def received(stream: Stream[Any, Any]) -> Any:
        request = await stream.recv_message()
        assert request is not None, "every call here sends its request"
        return request

    class SoakGateway(mxaccess_gateway_grpc.MxAccessGatewayBase):
        def __init__(self) -> None:
            self.sessions: dict[str, _SoakSession] = {}
            self.opened = 0
            self.closed: list[dict[str, Any]] = []
            self.first_attach = asyncio.Event()
            self.abort_connections: Callable[[], int] = lambda: 0  # set by serve_soak
            self.drop_due = False
            self.drops: list[dict[str, Any]] = []
            self.started = 0.0

        def drop(self, mid_send: bool) -> None:
            """Abort every client connection now."""
            self.drop_due = False
            if self.abort_connections():
                at = round(asyncio.get_running_loop().time() - self.started, 3)
                self.drops.append({"at": at, "mid_send": mid_send})

        async def drop_periodically(self) -> None:
            """Every ``drop_every`` seconds from the first StreamEvents, while events remain to go out.

            A due drop happens right after a stream sent an event with more
            to follow (so events are in flight, as in a real crash), or after
            ``SOAK_DROP_GRACE`` if no stream is sending.
            """
            await self.first_attach.wait()
            self.started = asyncio.get_running_loop().time()
            while True:
                await asyncio.sleep(settings.drop_every)
                if not self.running():
                    return
                self.drop_due = True
                await asyncio.sleep(SOAK_DROP_GRACE)
                if self.drop_due:
                    self.drop(mid_send=False)

        def running(self) -> bool:
            """Whether a session still has events to hand out (drops stop after the last one)."""
            return any(not session.finished for session in self.sessions.values())

        def statistics(self) -> dict[str, Any]:
            return {"sessions": [session.statistics() for session in self.sessions.values()] + self.closed}

        async def OpenSession(self, stream: Stream[Any, Any]) -> None:
            await received(stream)
            self.opened += 1
            session = session_id(self.opened)
            self.sessions[session] = _SoakSession(session, settings)
            await stream.send_message(
                pb.OpenSessionReply(session_id=session, gateway_protocol_version=3, protocol_status=ok)
            )

        async def CloseSession(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            session = self.sessions.pop(request.session_id, None)
            if session is not None:
                session.stop()
                self.closed.append(session.statistics())
            await stream.send_message(
                pb.CloseSessionReply(
                    session_id=request.session_id, final_state=pb.SESSION_STATE_CLOSED, protocol_status=ok
                )
            )

        async def Invoke(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            await stream.send_message(
                pb.MxCommandReply(
                    session_id=request.session_id,
                    correlation_id=request.client_correlation_id,
                    kind=request.command.kind,
                    protocol_status=ok,
                )
            )

        async def StreamEvents(self, stream: Stream[Any, Any]) -> None:
            request = await received(stream)
            session = self.sessions.get(request.session_id)
            if session is None:
                raise GRPCError(Status.NOT_FOUND, f"SessionNotFound: {request.session_id}")
            if session.fault is not None:
                raise GRPCError(Status.FAILED_PRECONDITION, f"session faulted: {session.fault}")
            if session.subscribed:
                raise GRPCError(
                    Status.ALREADY_EXISTS,
                    "EventSubscriberAlreadyActive: the session already has a subscriber",
                )
            session.subscribed = True
            session.attaches += 1
            try:
                session.start()
                self.first_attach.set()
                first = await self._first_to_send(session, stream, request.after_worker_sequence)
                await self._send_from(session, stream, first)
            finally:
                session.subscribed = False

        async def _first_to_send(self, session: _SoakSession, stream: Stream[Any, Any], after: int) -> int:
            if not after:
                # A fresh stream: what no stream has been handed yet (the backlog).
                first = session.handed_out + 1
                if first < session.oldest_kept():
                    session.fault = (
                        f"EventQueueOverflow: more than {settings.queue} events queued with no subscriber"
                    )
                    raise GRPCError(Status.FAILED_PRECONDITION, f"session faulted: {session.fault}")
                return first
            session.resent += max(session.handed_out - after, 0)
            oldest = session.oldest_replayable()
            if after + 1 < oldest and after < session.produced:
                # The contract's replay-gap marker, then the oldest event still kept.
                await stream.send_message(session.gap_marker(after, oldest))
                session.markers_sent += 1
                return oldest
            session.replayed += max(session.produced - after, 0)
            return after + 1

        async def _send_from(self, session: _SoakSession, stream: Stream[Any, Any], sequence: int) -> None:
            total, on_demand = settings.events, settings.rate <= 0
            transport = _stream_transport(stream)
            while True:
                if transport.is_closing():
                    # Aborted here, or closed by the client: grpclib cancels this handler
                    # from the loop; writing meanwhile only makes asyncio warn.
                    await asyncio.Event().wait()
                if sequence <= session.produced:
                    if sequence < session.oldest_kept():
                        # The gateway's "disconnect the slow subscriber" policy: what it had
                        # queued stays in the ring for a resume, and is no backlog.
                        session.overflows += 1
                        session.handed_out = session.produced
                        raise GRPCError(
                            Status.RESOURCE_EXHAUSTED,
                            f"EventQueueOverflow: the subscriber fell more than {settings.queue} events behind",
                        )
                    session.max_lag = max(session.max_lag, session.produced - sequence)
                    await stream.send_message(session.event(sequence))
                    session.handed_out = max(session.handed_out, sequence)
                    sequence += 1
                    if self.drop_due and sequence <= session.produced:
                        self.drop(mid_send=True)
                elif on_demand and session.produced < total:
                    session.produce(min(SOAK_ON_DEMAND_CHUNK, total - session.produced))
                else:
                    await session.wait_for_more()  # after the last event: idle, like a quiet galaxy

        async def AcknowledgeAlarm(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

        async def StreamAlarms(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

        async def QueryActiveAlarms(self, stream: Stream[Any, Any]) -> None:
            raise NotImplementedError

    return SoakGateway()


def serve_soak(port_file: str, settings: SoakSettings, stats_file: str | None) -> None:
    """The soak gateway, until SIGTERM; then writes its counters to ``stats_file`` (JSON).

    Each session's producer starts at its first StreamEvents and makes
    ``settings.rate`` events per second from then on, attached or not
    (``rate`` 0: as fast as the attached subscriber takes them, nothing while
    none is). Resume follows the contract: ``after_worker_sequence`` N sends
    the events after N; older than the ring's oldest event, the stream
    starts with the replay-gap marker; 0 sends what no stream was handed
    yet. Every ``drop_every`` seconds from the first StreamEvents, until
    every session's last event went out, every client connection is aborted
    (see ``drop_periodically``).
    """

    async def main() -> None:
        loop = asyncio.get_running_loop()
        gateway = _soak_gateway(settings)
        server = _dropping_server([gateway])
        await server.start("127.0.0.1", 0)
        gateway.abort_connections = server.abort_connections
        stop = asyncio.Event()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        dropper = loop.create_task(gateway.drop_periodically()) if settings.drop_every > 0 else None
        publish_port(port_file, server._server.sockets[0].getsockname()[1])
        await stop.wait()
        if dropper is not None:
            dropper.cancel()
        if stats_file is not None:
            counters = {**gateway.statistics(), "connections": server.connections, "drops": gateway.drops}
            publish_json(stats_file, counters)

    asyncio.run(main())


def publish_json(path: str, value: Any) -> None:
    partial = Path(path + ".partial")
    partial.write_text(json.dumps(value))
    partial.rename(path)


class SoakGatewayProcess:
    """A soak gateway running in its own process; ``stop()`` ends it and returns its counters."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, stats_file: Path) -> None:
        self.process = process
        self.port = port
        self._stats_file = stats_file

    def stop(self) -> dict[str, Any]:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        if not self._stats_file.exists():
            raise SystemExit(f"the soak gateway left no counters (exit code {self.process.returncode})")
        counters: dict[str, Any] = json.loads(self._stats_file.read_text())
        return counters


@contextlib.contextmanager
def running_soak_gateway(settings: SoakSettings) -> Iterator[SoakGatewayProcess]:
    """The soak gateway in its own process; ``stop()`` it to read its counters."""
    with tempfile.TemporaryDirectory() as tmp:
        port_file, stats_file = Path(tmp) / "port", Path(tmp) / "stats.json"
        command = [sys.executable, __file__, "--serve", str(port_file), *settings.arguments()]
        server = subprocess.Popen([*command, "--stats-file", str(stats_file)])
        try:
            deadline = time.monotonic() + 120
            while not port_file.exists():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("soak gateway did not start")
                time.sleep(0.05)
            yield SoakGatewayProcess(server, int(port_file.read_text()), stats_file)
        finally:
            if server.poll() is None:
                server.kill()
                server.wait(10)


# ------------------------------------------------------------------ timing


class Timed:
    """Wall and CPU (this process, all threads) time of a ``with`` block."""

    wall: float
    cpu: float

    def __enter__(self) -> Timed:
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu

    def result(self, operations: int, **extra: Any) -> dict[str, Any]:
        return {"operations": operations, "wall": self.wall, "cpu": self.cpu, **extra}


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.99 is p99)."""
    ordered = sorted(values)
    rank = min(max(math.ceil(fraction * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def spread(values: Sequence[float]) -> tuple[float, float, float]:
    """Min, median and max."""
    return min(values), statistics.median(values), max(values)


# ------------------------------------------------------------- raw grpclib


def on_asyncio(fn: Callable[[], Coroutine[Any, Any, T]]) -> T:
    # A plain selector loop, whatever asyncio's policy says.
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        return runner.run(fn())


def ping_request(session: str = SESSION_ID) -> Any:
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    return pb.MxCommandRequest(
        session_id=session,
        client_correlation_id=RAW_CORRELATION_ID,
        command=pb.MxCommand(kind=pb.MX_COMMAND_KIND_PING, ping_command=pb.PingCommand()),
    )


async def raw_events_streams(
    endpoint: tuple[str, int], per_stream: int, after_worker_sequence: int, streams: int = 1
) -> dict[str, Any]:
    """``streams`` StreamEvents calls at once on one channel, each for its own session."""
    from grpclib.client import Channel

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    channel = Channel(*endpoint)
    try:
        stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        ids = [SESSION_ID] if streams == 1 else [session_id(n) for n in range(1, streams + 1)]

        async def consume(session: str) -> int:
            count = 0
            async with stub.StreamEvents.open() as stream:
                request = pb.StreamEventsRequest(
                    session_id=session, after_worker_sequence=after_worker_sequence
                )
                await stream.send_message(request, end=True)
                while await stream.recv_message() is not None:
                    count += 1
            return count

        await channel.__connect__()
        with Timed() as timed:
            counts = await asyncio.gather(*(consume(session) for session in ids))
        if counts != [per_stream] * streams:
            raise SystemExit(f"raw grpclib received {counts}, expected {per_stream} each")
        return timed.result(per_stream * streams)
    finally:
        channel.close()


async def raw_events(endpoint: tuple[str, int], expected: int, after_worker_sequence: int = 0) -> float:
    """Seconds to receive ``expected`` events on one stream (what bench_client and bench_bridge time)."""
    result = await raw_events_streams(endpoint, expected, after_worker_sequence)
    seconds: float = result["wall"]
    return seconds


async def raw_unary_timed(endpoint: tuple[str, int], calls: int, concurrency: int) -> dict[str, Any]:
    """``calls`` Invoke pings, ``concurrency`` in flight, on one channel."""
    from grpclib.client import Channel

    from mxgateway.generated import mxaccess_gateway_grpc

    channel = Channel(*endpoint)
    try:
        stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        request = ping_request()

        async def worker(n: int) -> None:
            for _ in range(n):
                await stub.Invoke(request, timeout=RAW_TIMEOUT)

        await channel.__connect__()
        with Timed() as timed:
            await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
        return timed.result(calls // concurrency * concurrency)
    finally:
        channel.close()


async def raw_unary(endpoint: tuple[str, int], calls: int, concurrency: int) -> float:
    """Seconds for ``calls`` pings, ``concurrency`` in flight."""
    seconds: float = (await raw_unary_timed(endpoint, calls, concurrency))["wall"]
    return seconds


async def raw_latency(endpoint: tuple[str, int], calls: int, sessions: int) -> dict[str, Any]:
    """Per-call latency with ``sessions`` workers, each pinging its own session in turn."""
    from grpclib.client import Channel

    from mxgateway.generated import mxaccess_gateway_grpc

    channel = Channel(*endpoint)
    try:
        stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        requests = [ping_request(session_id(n)) for n in range(1, sessions + 1)]
        latencies: list[float] = []

        async def worker(request: Any, n: int) -> None:
            for _ in range(n):
                started = time.perf_counter()
                await stub.Invoke(request, timeout=RAW_TIMEOUT)
                latencies.append(time.perf_counter() - started)

        await channel.__connect__()
        # One untimed call per session first: first-use costs are not latency.
        await asyncio.gather(*(worker(request, 1) for request in requests))
        latencies.clear()
        with Timed() as timed:
            await asyncio.gather(*(worker(request, calls // sessions) for request in requests))
        return timed.result(len(latencies), **latency_summary(latencies))
    finally:
        channel.close()


def latency_summary(latencies: Sequence[float]) -> dict[str, float]:
    return {"p50": percentile(latencies, 0.50), "p99": percentile(latencies, 0.99)}


# ------------------------------------------------------- fresh interpreters


def measure_in_child(script: str, arguments: Sequence[str], timeout: float = 600) -> dict[str, Any]:
    """Run ``script`` with ``arguments`` in a fresh interpreter; it prints one JSON object.

    A fresh interpreter for every run: importing trio-asyncio patches
    asyncio's lookups for the whole process (slowing every later asyncio run
    in it), and one run's garbage must not be collected in another's.
    """
    command = [sys.executable, script, *arguments]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(arguments)} failed:\n{result.stderr}")
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def rotated(items: Sequence[str], round_number: int) -> list[str]:
    """``items`` in an order that rotates from round to round."""
    shift = round_number % len(items)
    return [*items[shift:], *items[:shift]]


def main() -> int:
    parser = argparse.ArgumentParser(description="The benchmark gateway (started by the benchmark scripts).")
    parser.add_argument("--serve", metavar="PORT_FILE", required=True)
    parser.add_argument("--events", type=int, required=True)
    soak = parser.add_argument_group("soak gateway (soak.py)")
    soak.add_argument("--soak", action="store_true", help="serve the soak gateway instead")
    soak.add_argument("--rate", type=float, default=SoakSettings.rate)
    soak.add_argument("--ring", type=int, default=SoakSettings.ring)
    soak.add_argument("--queue", type=int, default=SoakSettings.queue)
    soak.add_argument("--drop-every", type=float, default=SoakSettings.drop_every)
    soak.add_argument("--stats-file")
    args = parser.parse_args()
    if args.soak:
        settings = SoakSettings(args.events, args.rate, args.ring, args.queue, args.drop_every)
        serve_soak(args.serve, settings, args.stats_file)
    else:
        serve(args.serve, args.events)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
