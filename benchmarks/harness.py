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

    python benchmarks/harness.py --serve PORT_FILE --events N   (what running_gateway runs)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
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
    args = parser.parse_args()
    serve(args.serve, args.events)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
