"""Subscriptions by tag name against the simulator: first values of 1,000 tags, then events per second.

The simulator runs as its own process (``mxgw-py simulate``) with a
generated galaxy of ``--tags`` attributes that all ramp on every tick (50 ms
by default), so it offers tags x 20 data changes a second. Each measurement
runs in a fresh interpreter:

- ``subscribe``: ``session.subscribe(tags)``; the time from entering the
  block until every tag has had its first value, then the changes counted
  for ``--window`` seconds (each ``TagChange``'s tag looked at).
- ``events``: the same by hand on the raw path: ``register``,
  ``subscribe_bulk`` (the same one bulk call), ``session.events()``; each
  ``DataChange`` mapped from its item handle to its name in a dict.

Both on the Trio API (default bridge) and on asyncio. A round runs the four
in an order that rotates; each ratio (subscribe over events, same front
end) is taken within a round. Client CPU per event (this process, all
threads) is printed beside the rate: while the simulator is what limits the
rate, CPU shows what the subscription itself costs.

The simulator cannot outrun a client, so a second set ("burst") measures
the client's own speed: a minimal gateway of this script, in its own
process, answers Register and SubscribeBulk and then sends ``--burst``
data changes serialized in advance (the tags in turn), as fast as the
connection takes them; the rate is that of the whole stream after every
tag's first value.

    python benchmarks/bench_tags.py [--tags 1000] [--window 3] [--burst 200000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness

MEASUREMENTS = ("trio subscribe", "trio events", "asyncio subscribe", "asyncio events")


def tag_names(count: int) -> list[str]:
    return [f"Bench.T{number:04d}" for number in range(count)]


def galaxy_text(count: int) -> str:
    """``count`` double attributes, each ramping by 1 every 50 ms (every simulator tick)."""
    blocks = [
        f'[attributes."{name}"]\ntype = "double"\ninitial = 0.0\npattern = "ramp"\n'
        f"step = 1.0\nperiod_ms = 50\nmin = 0.0\nmax = 1000000000.0\n"
        for name in tag_names(count)
    ]
    return "\n".join(blocks)


@contextlib.contextmanager
def simulator(count: int) -> Iterator[str]:
    """``mxgw-py simulate`` with the generated galaxy, in its own process; yields its endpoint."""
    with tempfile.TemporaryDirectory() as folder:
        galaxy = Path(folder) / "bench.toml"
        galaxy.write_text(galaxy_text(count), "utf-8")
        command = [sys.executable, "-m", "mxgateway_cli", "simulate", "--port", "0", "--galaxy", str(galaxy)]
        process = subprocess.Popen([*command, "--json"], stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout is not None
            ready = json.loads(process.stdout.readline())
            yield str(ready["endpoint"])
        finally:
            process.terminate()
            process.wait(10)


# ------------------------------------------------------- the burst gateway


def serve_burst(port_file: str, events: int, tags: int) -> None:
    """OpenSession, Register, SubscribeBulk (handles 1..tags), then ``events`` data changes at once."""
    import asyncio

    from grpclib.encoding.proto import ProtoCodec
    from grpclib.server import Server, Stream

    from mxgateway.generated import mxaccess_gateway_grpc
    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    ok = pb.ProtocolStatus(code=pb.PROTOCOL_STATUS_CODE_OK)

    def event(sequence: int) -> bytes:
        message = pb.MxEvent(
            worker_sequence=sequence,
            family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
            server_handle=1,
            item_handle=(sequence - 1) % tags + 1,
        )
        body = message.on_data_change
        body.value.data_type = pb.MX_DATA_TYPE_DOUBLE
        body.value.variant_type = pb.VT_R8
        body.value.double_value = sequence * 0.5
        body.quality = 192
        body.timestamp.FromSeconds(1_700_000_000 + sequence)
        return message.SerializeToString()

    prepared = [event(n) for n in range(1, events + 1)]

    class PassThroughCodec(ProtoCodec):
        def encode(self, message: Any, message_type: Any) -> bytes:
            return message if isinstance(message, bytes) else super().encode(message, message_type)

    class BurstGateway(mxaccess_gateway_grpc.MxAccessGatewayBase):
        async def OpenSession(self, stream: Stream[Any, Any]) -> None:
            await stream.recv_message()
            reply = pb.OpenSessionReply(session_id=harness.SESSION_ID, gateway_protocol_version=3)
            reply.protocol_status.CopyFrom(ok)
            await stream.send_message(reply)

        async def CloseSession(self, stream: Stream[Any, Any]) -> None:
            await stream.recv_message()
            reply = pb.CloseSessionReply(session_id=harness.SESSION_ID, final_state=pb.SESSION_STATE_CLOSED)
            reply.protocol_status.CopyFrom(ok)
            await stream.send_message(reply)

        async def Invoke(self, stream: Stream[Any, Any]) -> None:
            request = await stream.recv_message()
            assert request is not None
            command = request.command
            reply = pb.MxCommandReply(
                session_id=request.session_id,
                correlation_id=request.client_correlation_id,
                kind=command.kind,
                protocol_status=ok,
            )
            member = command.WhichOneof("payload")
            if member == "register_command":
                reply.register.server_handle = 1
            elif member == "subscribe_bulk_command":
                for handle, tag in enumerate(command.subscribe_bulk_command.tag_addresses, start=1):
                    reply.bulk_subscribe.results.add(
                        server_handle=1, tag_address=tag, item_handle=handle, was_successful=True
                    )
            elif member == "unsubscribe_bulk_command":
                for handle in command.unsubscribe_bulk_command.item_handles:
                    reply.bulk_subscribe.results.add(server_handle=1, item_handle=handle, was_successful=True)
            await stream.send_message(reply)

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
        server = Server([BurstGateway()], codec=PassThroughCodec())
        await server.start("127.0.0.1", 0)
        harness.publish_port(port_file, server._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


@contextlib.contextmanager
def burst_gateway(events: int, tags: int) -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        port_file = Path(folder) / "port"
        arguments = ["--serve", str(port_file), "--burst", str(events), "--tags", str(tags)]
        process = subprocess.Popen([sys.executable, __file__, *arguments])
        try:
            deadline = time.monotonic() + 120
            while not port_file.exists():  # the server writes it whole, then renames it
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit("the burst gateway did not start")
                time.sleep(0.05)
            yield f"127.0.0.1:{port_file.read_text()}"
        finally:
            process.terminate()
            process.wait(10)


# ------------------------------------------------------------ measurements


async def through_subscribe(session: Any, names: list[str], window: float) -> dict[str, Any]:
    started = time.perf_counter()
    async with session.subscribe(names) as tags:
        waiting = set(names)
        async for change in tags:
            waiting.discard(change.tag)
            if not waiting:
                break
        first_values = time.perf_counter() - started
        count = 0
        with harness.Timed() as timed:
            deadline = time.perf_counter() + window if window else float("inf")
            async for change in tags:
                if change.tag:
                    count += 1
                if time.perf_counter() >= deadline:
                    break
    return timed.result(count, first_values=first_values)


async def through_events(session: Any, names: list[str], window: float) -> dict[str, Any]:
    started = time.perf_counter()
    server = await session.register("bench-events")
    async with session.events() as events:
        results = await session.subscribe_bulk(server, names)
        by_handle = {r.item_handle: r.tag_address for r in results}
        waiting = set(by_handle)
        async for event in events:
            waiting.discard(event.item_handle)
            if not waiting:
                break
        first_values = time.perf_counter() - started
        count = 0
        with harness.Timed() as timed:
            deadline = time.perf_counter() + window if window else float("inf")
            async for event in events:
                if by_handle.get(event.item_handle):
                    count += 1
                if time.perf_counter() >= deadline:
                    break
    await session.unsubscribe_bulk(server, list(by_handle))
    return timed.result(count, first_values=first_values)


def measure(name: str, endpoint: str, count: int, window: float) -> dict[str, Any]:
    front, _, path = name.partition(" ")
    names = tag_names(count)
    body = through_subscribe if path == "subscribe" else through_events
    if front == "trio":
        import trio

        import mxgateway

        async def on_trio() -> dict[str, Any]:
            async with (
                mxgateway.open_client(endpoint=endpoint, plaintext=True) as client,
                client.open_session("bench-tags") as session,
            ):
                return await body(session, names, window)

        return trio.run(on_trio)

    async def on_asyncio() -> dict[str, Any]:
        from mxgateway import GatewayClient

        client = await GatewayClient.connect(endpoint=endpoint, plaintext=True)
        async with client, await client.open_session("bench-tags") as session:
            return await body(session, names, window)

    return harness.on_asyncio(on_asyncio)


# ------------------------------------------------------------------ report


def run_rounds(endpoint: str, arguments: list[str], rounds: int) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in MEASUREMENTS}
    for round_number in range(rounds):
        for name in harness.rotated(MEASUREMENTS, round_number):
            options = ["--child", name, "--endpoint", endpoint, *arguments]
            runs[name].append(harness.measure_in_child(__file__, options))
    return runs


def report(title: str, runs: dict[str, list[dict[str, Any]]]) -> None:
    print(title)
    print(f"  {'measurement':<20} {'first values (s)':>17} {'events/s':>10} {'CPU us/event':>13}")
    for name in MEASUREMENTS:
        firsts = statistics.median(r["first_values"] for r in runs[name])
        rates = statistics.median(rate(r) for r in runs[name])
        cpu = statistics.median(cpu_per_event(r) for r in runs[name])
        print(f"  {name:<20} {firsts:>17.3f} {rates:>10.0f} {cpu * 1e6:>13.1f}")
    for front in ("trio", "asyncio"):
        pairs = list(zip(runs[f"{front} subscribe"], runs[f"{front} events"], strict=True))
        low, middle, high = harness.spread([rate(a) / rate(b) for a, b in pairs])
        cpu_low, cpu_middle, cpu_high = harness.spread(
            [cpu_per_event(a) / cpu_per_event(b) for a, b in pairs]
        )
        print(
            f"  {front}: subscribe / events(): events/s {middle:.2f}x ({low:.2f}-{high:.2f}), "
            f"CPU per event {cpu_middle:.2f}x ({cpu_low:.2f}-{cpu_high:.2f})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=1000)
    parser.add_argument("--window", type=float, default=3.0, help="seconds counted on the simulator (0: all)")
    parser.add_argument("--burst", type=int, default=200_000, help="events of the burst (0: no burst)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=MEASUREMENTS)
    parser.add_argument("--endpoint")
    parser.add_argument("--serve", metavar="PORT_FILE")
    args = parser.parse_args()
    if args.serve:
        serve_burst(args.serve, args.burst, args.tags)
        return 0
    if args.child:
        print(json.dumps(measure(args.child, args.endpoint, args.tags, args.window)))
        return 0

    print(f"tags: {args.tags}, rounds: {args.rounds}")
    with simulator(args.tags) as endpoint:
        window = ["--tags", str(args.tags), "--window", str(args.window)]
        report(
            f"simulator (mxgw-py simulate), {args.window:g} s counted:",
            run_rounds(endpoint, window, args.rounds),
        )
    if args.burst:
        with burst_gateway(args.burst, args.tags) as endpoint:
            whole = ["--tags", str(args.tags), "--window", "0"]
            report(f"burst of {args.burst} events:", run_rounds(endpoint, whole, args.rounds))
    return 0


def rate(result: dict[str, Any]) -> float:
    return float(result["operations"]) / float(result["wall"])


def cpu_per_event(result: dict[str, Any]) -> float:
    return float(result["cpu"]) / max(int(result["operations"]), 1)


if __name__ == "__main__":
    raise SystemExit(main())
