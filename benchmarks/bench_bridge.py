"""Where the Trio API's unary overhead goes: bridge crossings and the loop grpclib runs on.

Prints, side by side in one run:
- the cost of one Trio -> asyncio -> Trio round trip of a no-op coroutine,
  sequential and with 50 in flight, for every bridge;
- raw grpclib unary calls/s (sequential and 50 in flight) on a native
  asyncio loop, inside the hosted loop and inside trio-asyncio's loop, with
  one crossing for the whole batch, so only the loop differs.

    python benchmarks/bench_bridge.py [--calls 2000] [--crossings 5000] [--rounds 3]

Each figure is the median over the rounds; every round measures everything in turn.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import harness  # the benchmark gateway, the raw grpclib loop, fresh interpreters
import trio


async def _nothing() -> int:
    return 1


def crossing_costs(kind: str, crossings: int) -> dict[str, float]:
    from mxgateway._trio.bridge import open_bridge

    results: dict[str, float] = {}

    async def main() -> None:
        async with open_bridge(kind) as bridge:
            for concurrency in (1, harness.CONCURRENCY):

                async def worker(count: int) -> None:
                    for _ in range(count):
                        await bridge.run(_nothing)

                started = time.perf_counter()
                async with trio.open_nursery() as nursery:
                    for _ in range(concurrency):
                        nursery.start_soon(worker, crossings // concurrency)
                elapsed = time.perf_counter() - started
                results[f"crossing, {kind}, {concurrency} in flight (us each)"] = elapsed / crossings * 1e6

    trio.run(main)
    return results


def grpclib_on(loop: str, address: tuple[str, int], calls: int, concurrency: int) -> dict[str, float]:
    """Raw grpclib unary calls/s on one loop, with one crossing for the whole batch."""
    if loop == "native":
        seconds = harness.on_asyncio(lambda: harness.raw_unary(address, calls, concurrency))
    else:
        from mxgateway._trio.bridge import open_bridge

        async def inside() -> float:
            async with open_bridge(loop) as bridge:
                elapsed: float = await bridge.run(harness.raw_unary, address, calls, concurrency)
                return elapsed

        seconds = trio.run(inside)
    return {f"raw grpclib unary, {concurrency} in flight, {loop} loop (calls/s)": calls / seconds}


def measure(unit: str, address: tuple[str, int], args: argparse.Namespace) -> dict[str, float]:
    kind, _, rest = unit.partition(":")
    if kind == "crossing":
        return crossing_costs(rest, args.crossings)
    loop, _, concurrency = rest.partition(":")
    return grpclib_on(loop, address, args.calls, int(concurrency))


def units() -> list[str]:
    found = [f"crossing:{kind}" for kind in ("hosted", "trio-asyncio", "thread")]
    for concurrency in (1, harness.CONCURRENCY):
        found += [f"loop:{loop}:{concurrency}" for loop in ("native", "hosted", "trio-asyncio")]
    return found


def measure_in_child(unit: str, port: int, args: argparse.Namespace) -> dict[str, float]:
    arguments = ["--measure", unit, "--port", str(port)]
    arguments += ["--calls", str(args.calls), "--crossings", str(args.crossings)]
    rows: dict[str, float] = harness.measure_in_child(__file__, arguments)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--crossings", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--measure", metavar="UNIT", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, ("127.0.0.1", args.port), args)))
        return 0
    results: dict[str, list[float]] = {}
    with harness.running_gateway(1) as port:
        for _ in range(args.rounds):
            found: dict[str, float] = {}
            for unit in units():
                found.update(measure_in_child(unit, port, args))
            for concurrency in (1, harness.CONCURRENCY):
                native = found[f"raw grpclib unary, {concurrency} in flight, native loop (calls/s)"]
                for loop in ("hosted", "trio-asyncio"):
                    value = found[f"raw grpclib unary, {concurrency} in flight, {loop} loop (calls/s)"]
                    found[f"  ratio {loop} / native loop, {concurrency} in flight"] = value / native
            for name, value in found.items():
                results.setdefault(name, []).append(value)
    print(f"rounds: {args.rounds} (median shown; each unit in a fresh interpreter)")
    for name, values in results.items():
        print(f"{name:66} {statistics.median(values):10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
