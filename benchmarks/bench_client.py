"""Throughput of the Trio API, the asyncio API and a raw grpclib loop, side by side.

One gateway process (harness.py's minimal grpclib server) serves
every measurement; each measurement runs in a fresh interpreter. Each round
runs every client once, in an order that rotates from round to round; each
ratio is taken within a round, so it compares runs made under the same
machine load, and the median and range over the rounds are printed.

The raw grpclib loops send what the clients send, so that the ratios
measure the client's own work: a unary request carries a correlation id as
long as the client's (built once, though, not per call).

    python benchmarks/bench_client.py [--events 20000] [--calls 2000] [--rounds 5]

It compares the three Trio bridges; ``run_all.py`` prints the table of
issue 15 (default bridge, latency, many streams, CLI start, grpcio, burst).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

import harness
from harness import CONCURRENCY, SESSION_ID, on_asyncio, raw_events, raw_unary

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
    arguments = [
        "--measure",
        name,
        "--port",
        str(port),
        "--events",
        str(args.events),
        "--calls",
        str(args.calls),
    ]
    rate: float = harness.measure_in_child(__file__, arguments)["per_second"]
    return rate


def run_rounds(port: int, args: argparse.Namespace) -> None:
    groups = measurement_groups()
    results: dict[str, list[float]] = {}
    for round_number in range(args.rounds):
        for group in groups:
            # Rotate the order every round, so that no client always runs
            # first (or right after the same neighbour) in its group.
            for name in harness.rotated(group, round_number):
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
    parser.add_argument("--measure", metavar="NAME", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        rate = measure(args.measure, ("127.0.0.1", args.port), args.events, args.calls)
        print(json.dumps({"per_second": rate}))
        return 0

    with harness.running_gateway(args.events) as port:
        run_rounds(port, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
