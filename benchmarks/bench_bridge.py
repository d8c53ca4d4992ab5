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
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import trio

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_client  # the shared benchmark gateway and raw grpclib loop


async def _nothing() -> int:
    return 1


def crossing_costs(crossings: int) -> list[tuple[str, float]]:
    from mxgateway._trio.bridge import open_bridge

    results: list[tuple[str, float]] = []

    async def main() -> None:
        for kind in ("hosted", "trio-asyncio", "thread"):
            async with open_bridge(kind) as bridge:
                for concurrency in (1, 50):

                    async def worker(count: int, bridge=bridge) -> None:  # type: ignore[no-untyped-def]
                        for _ in range(count):
                            await bridge.run(_nothing)

                    started = time.perf_counter()
                    async with trio.open_nursery() as nursery:
                        for _ in range(concurrency):
                            nursery.start_soon(worker, crossings // concurrency)
                    elapsed = time.perf_counter() - started
                    results.append(
                        (f"crossing, {kind}, {concurrency} in flight (us each)", elapsed / crossings * 1e6)
                    )

    trio.run(main)
    return results


def grpclib_loops(address: tuple[str, int], calls: int) -> list[tuple[str, float]]:
    from mxgateway._trio.bridge import open_bridge

    rows: list[tuple[str, float]] = []
    for concurrency in (1, bench_client.CONCURRENCY):

        def batch(kind: str, concurrency: int = concurrency) -> float:
            async def inside() -> float:
                async with open_bridge(kind) as bridge:
                    seconds: float = await bridge.run(bench_client.raw_unary, address, calls, concurrency)
                    return seconds

            return calls / trio.run(inside)

        native = calls / bench_client.on_asyncio(
            lambda c=concurrency: bench_client.raw_unary(address, calls, c)
        )
        hosted = batch("hosted")
        trio_asyncio = batch("trio-asyncio")
        label = f"{concurrency} in flight"
        rows += [
            (f"raw grpclib unary, {label}, native asyncio loop (calls/s)", native),
            (f"raw grpclib unary, {label}, hosted loop (calls/s)", hosted),
            (f"raw grpclib unary, {label}, trio-asyncio loop (calls/s)", trio_asyncio),
            (f"  ratio hosted / native, {label}", hosted / native),
            (f"  ratio trio-asyncio / native, {label}", trio_asyncio / native),
        ]
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--crossings", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port_file = Path(tmp) / "port"
        server = subprocess.Popen(
            [sys.executable, bench_client.__file__, "--serve", str(port_file), "--events", "1"]
        )
        try:
            deadline = time.monotonic() + 30
            while not port_file.exists() or not port_file.read_text():
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("benchmark server did not start")
                time.sleep(0.05)
            address = ("127.0.0.1", int(port_file.read_text()))
            results: dict[str, list[float]] = {}
            for _ in range(args.rounds):
                for name, value in crossing_costs(args.crossings) + grpclib_loops(address, args.calls):
                    results.setdefault(name, []).append(value)
        finally:
            server.terminate()
            server.wait(10)
    print(f"rounds: {args.rounds} (median shown)")
    for name, values in results.items():
        print(f"{name:66} {statistics.median(values):10.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
