"""Throughput of the Trio API, the asyncio API and a raw grpclib loop, side by side.

One gateway process (a minimal grpclib server started by this script) serves
every measurement; each measurement runs in a fresh interpreter. Each round
runs every client once, in an order that rotates from round to round; each
ratio is taken within a round, so it compares runs made under the same
machine load, and the median and range over the rounds are printed.

The raw grpclib loops send what the clients send, so that the ratios
measure the client's own work: a unary request carries a correlation id as
long as the client's (built once, though, not per call).

    python benchmarks/bench_client.py [--events 20000] [--calls 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

CONCURRENCY = 50
SESSION_ID = "session-" + "b" * 32


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

    # Serialized once: the server should outrun every client, so that the
    # figures measure the clients (one Python process each side, 2 cores).
    prepared = [event(n).SerializeToString() for n in range(1, events + 1)]

    class PassThroughCodec(ProtoCodec):
        """Sends bytes as they are (the prepared events), everything else as protobuf."""

        def encode(self, message: Any, message_type: Any) -> bytes:
            if isinstance(message, bytes):
                return message
            return super().encode(message, message_type)  # type: ignore[no-any-return]

    class BenchGateway(mxaccess_gateway_grpc.MxAccessGatewayBase):
        async def OpenSession(self, stream: Stream[Any, Any]) -> None:
            await stream.recv_message()
            await stream.send_message(
                pb.OpenSessionReply(session_id=SESSION_ID, gateway_protocol_version=3, protocol_status=ok)
            )

        async def CloseSession(self, stream: Stream[Any, Any]) -> None:
            await stream.recv_message()
            await stream.send_message(
                pb.CloseSessionReply(
                    session_id=SESSION_ID, final_state=pb.SESSION_STATE_CLOSED, protocol_status=ok
                )
            )

        async def Invoke(self, stream: Stream[Any, Any]) -> None:
            request = await stream.recv_message()
            await stream.send_message(
                pb.MxCommandReply(
                    session_id=request.session_id,
                    correlation_id=request.client_correlation_id,
                    kind=request.command.kind,
                    protocol_status=ok,
                )
            )

        async def StreamEvents(self, stream: Stream[Any, Any]) -> None:
            await stream.recv_message()
            for message in prepared:
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
        with open(port_file, "w") as handle:
            handle.write(str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


# ------------------------------------------------------------- raw grpclib


async def raw_events(endpoint: tuple[str, int], expected: int) -> float:
    from grpclib.client import Channel

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    channel = Channel(*endpoint)
    try:
        stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        await channel.__connect__()
        started = time.perf_counter()
        count = 0
        async with stub.StreamEvents.open() as stream:
            await stream.send_message(pb.StreamEventsRequest(session_id=SESSION_ID), end=True)
            while await stream.recv_message() is not None:
                count += 1
        assert count == expected, count
        return time.perf_counter() - started
    finally:
        channel.close()


async def raw_unary(endpoint: tuple[str, int], calls: int, concurrency: int) -> float:
    from grpclib.client import Channel

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    channel = Channel(*endpoint)
    try:
        stub = mxaccess_gateway_grpc.MxAccessGatewayStub(channel)
        request = pb.MxCommandRequest(
            session_id=SESSION_ID,
            client_correlation_id="py-00000000-1000",  # the length of the client's ids
            command=pb.MxCommand(kind=pb.MX_COMMAND_KIND_PING, ping_command=pb.PingCommand()),
        )

        async def worker(n: int) -> None:
            for _ in range(n):
                await stub.Invoke(request, timeout=30)

        await channel.__connect__()
        started = time.perf_counter()
        await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
        return time.perf_counter() - started
    finally:
        channel.close()


# -------------------------------------------------------------- asyncio API


async def asyncio_events(endpoint: str, expected: int, typed: bool) -> float:
    from mxgateway import GatewayClient

    async with await GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:
        session = client.attach_session(SESSION_ID)
        started = time.perf_counter()
        count = 0
        stream = (
            session.events(buffer_size=expected + 1)
            if typed
            else client.stream_events_raw(SESSION_ID, buffer_size=expected + 1)
        )
        async with stream as events:
            async for _ in events:
                count += 1
        assert count == expected, count
        return time.perf_counter() - started


async def asyncio_unary(endpoint: str, calls: int, concurrency: int) -> float:
    from mxgateway import GatewayClient

    async with await GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:
        session = client.attach_session(SESSION_ID)

        async def worker(n: int) -> None:
            for _ in range(n):
                await session.ping()

        started = time.perf_counter()
        await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
        return time.perf_counter() - started


# ----------------------------------------------------------------- Trio API


def trio_events(endpoint: str, expected: int, bridge: str, typed: bool) -> tuple[int, float]:
    import trio

    import mxgateway

    async def main() -> tuple[int, float]:
        async with mxgateway.open_client(endpoint=endpoint, plaintext=True, bridge=bridge) as client:
            session = client.attach_session(SESSION_ID)
            started = time.perf_counter()
            count = 0
            stream = (
                session.events(buffer_size=expected + 1)
                if typed
                else client.stream_events_raw(SESSION_ID, buffer_size=expected + 1)
            )
            async with stream as events:
                async for _ in events:
                    count += 1
            return count, time.perf_counter() - started

    return trio.run(main)


def trio_unary(endpoint: str, calls: int, concurrency: int, bridge: str) -> float:
    import trio

    import mxgateway

    async def main() -> float:
        async with mxgateway.open_client(endpoint=endpoint, plaintext=True, bridge=bridge) as client:
            session = client.attach_session(SESSION_ID)

            async def worker(n: int) -> None:
                for _ in range(n):
                    await session.ping()

            started = time.perf_counter()
            async with trio.open_nursery() as nursery:
                for _ in range(concurrency):
                    nursery.start_soon(worker, calls // concurrency)
            return time.perf_counter() - started

    return trio.run(main)


# ---------------------------------------------------------------- harness


def on_asyncio(fn: Callable[[], Awaitable[float]]) -> float:
    # A plain selector loop, whatever asyncio's policy says.
    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        return runner.run(fn())


BRIDGES = ("hosted", "trio-asyncio", "thread")


def measurement_groups() -> list[list[str]]:
    """The measurements by name; the first of each group is its raw grpclib baseline."""
    events = ["events: raw grpclib"]
    for kind in ("messages", "typed events"):
        events.append(f"events: asyncio API, {kind}")
        events += [f"events: Trio API ({bridge}), {kind}" for bridge in BRIDGES]
    groups = [events]
    for label in ("sequential", f"{CONCURRENCY}-concurrent"):
        groups.append(
            [f"unary {label}: raw grpclib", f"unary {label}: asyncio API"]
            + [f"unary {label}: Trio API ({bridge})" for bridge in BRIDGES]
        )
    return groups


def measure(name: str, address: tuple[str, int], n_events: int, n_calls: int) -> float:
    """Run the named measurement once in this process; returns operations per second."""
    endpoint = f"{address[0]}:{address[1]}"
    what, _, client = name.partition(": ")
    typed = client.endswith("typed events")
    bridge = client[client.find("(") + 1 : client.find(")")] if "Trio API" in client else ""
    if what == "events":
        if client == "raw grpclib":
            seconds = on_asyncio(lambda: raw_events(address, n_events))
        elif client.startswith("asyncio API"):
            seconds = on_asyncio(lambda: asyncio_events(endpoint, n_events, typed))
        else:
            count, seconds = trio_events(endpoint, n_events, bridge, typed)
            assert count == n_events, (name, count)
        return n_events / seconds
    concurrency = 1 if what == "unary sequential" else CONCURRENCY
    if client == "raw grpclib":
        seconds = on_asyncio(lambda: raw_unary(address, n_calls, concurrency))
    elif client == "asyncio API":
        seconds = on_asyncio(lambda: asyncio_unary(endpoint, n_calls, concurrency))
    else:
        seconds = trio_unary(endpoint, n_calls, concurrency, bridge)
    return n_calls / seconds


def measure_in_child(name: str, port: int, args: argparse.Namespace) -> float:
    # A fresh interpreter for every run: importing trio-asyncio patches
    # asyncio's lookups for the whole process (slowing every later asyncio
    # run in it), and one run's garbage must not be collected in another's.
    command = [sys.executable, __file__, "--measure", name, "--port", str(port)]
    command += ["--events", str(args.events), "--calls", str(args.calls)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr}")
    return float(result.stdout)


def run_rounds(port: int, args: argparse.Namespace) -> None:
    groups = measurement_groups()
    results: dict[str, list[float]] = {}
    for round_number in range(args.rounds):
        for group in groups:
            # Rotate the order every round, so that no client always runs
            # first (or right after the same neighbour) in its group.
            shift = round_number % len(group)
            for name in group[shift:] + group[:shift]:
                results.setdefault(name, []).append(measure_in_child(name, port, args))
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)

    print(f"events per run: {args.events}, unary calls per run: {args.calls}, rounds: {args.rounds}")
    print("per second: median over the rounds; ratios: to raw grpclib of the same round (median, min-max)")
    print(f"{'measurement':52} {'per second':>11} {'vs raw grpclib':>15} {'range':>12}")
    for group in groups:
        baseline = results[group[0]]
        for name in group:
            values = results[name]
            ratios = [value / base for value, base in zip(values, baseline, strict=True)]
            spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
            print(
                f"{name:52} {statistics.median(values):11.0f} {statistics.median(ratios):14.2f}x {spread:>12}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--calls", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--serve", metavar="PORT_FILE", help=argparse.SUPPRESS)
    parser.add_argument("--measure", metavar="NAME", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.events)
        return 0
    if args.measure:
        print(measure(args.measure, ("127.0.0.1", args.port), args.events, args.calls))
        return 0

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(port_file), "--events", str(args.events)]
        )
        try:
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("benchmark server did not start")
                time.sleep(0.05)
            run_rounds(int(port_file.read_text()), args)
        finally:
            server.terminate()
            server.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
