"""Every row of the performance table (issue 15) in one command.

One benchmark gateway process (harness.py: grpclib, pre-serialized events)
serves every measurement; each measurement runs in a fresh interpreter.
Measurements that are compared form a group with a raw grpclib baseline;
every round runs each group's members once, in an order that rotates from
round to round, and each ratio is taken within a round, so that it compares
runs made under the same machine load. Per row: the min, median and max of
the per-round ratio over the rounds, and the median wall and CPU time per
operation of both sides. The clients are driven through the public API only
(``mxgateway.open_client``, ``GatewayClient``, sessions, ``session.events()``,
``stream_events_raw``, ``session.ping()``), on the default Trio bridge.

    python benchmarks/run_all.py [--rounds 7] [--events 40000] [--calls 4000]
                                 [--quick] [--only ROW ...]
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

import harness
from harness import CONCURRENCY, RAW_TIMEOUT, SESSION_ID, Timed

STREAMS = 64
LATENCY_SESSIONS = (8, 64)
SERVICE = "/mxaccess_gateway.v1.MxAccessGateway/"
GRPCIO_AVAILABLE = importlib.util.find_spec("grpc") is not None


@dataclasses.dataclass(frozen=True)
class Settings:
    events: int
    calls: int
    stream_events: int
    burst_events: int
    cli_runs: int

    @property
    def prepared(self) -> int:
        """How many events the gateway prepares: enough for the largest request."""
        return max(self.events, self.stream_events, self.burst_events)

    def arguments(self) -> list[str]:
        return [
            f"--events={self.events}",
            f"--calls={self.calls}",
            f"--stream-events={self.stream_events}",
            f"--burst-events={self.burst_events}",
        ]


# ================================================ measurements (in a child)


def endpoint_text(port: int) -> str:
    return f"127.0.0.1:{port}"


def events_stream(
    client: Any, session: Any, after: int, typed: bool, buffer_size: int | None, overflow: str | None
) -> Any:
    """The stream a measurement reads: typed or raw, with the default buffer unless ``buffer_size``."""
    options: dict[str, Any] = {} if overflow is None else {"overflow": overflow}
    if buffer_size is not None:  # None: the default buffer, no buffer_size argument
        options["buffer_size"] = buffer_size
    return session.events(after, **options) if typed else client.stream_events_raw(SESSION_ID, after, **options)


def trio_events(
    port: int, count: int, after: int, typed: bool, buffer_size: int | None, overflow: str | None = None
) -> dict[str, Any]:
    """One stream of ``count`` events through the Trio API; counts until the end or an overflow."""
    import trio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with mxgateway.open_client(endpoint=endpoint_text(port), plaintext=True) as client:
            session = client.attach_session(SESSION_ID)
            received = 0
            overflowed = False
            with Timed() as timed:
                stream = events_stream(client, session, after, typed, buffer_size, overflow)
                dropped = 0
                try:
                    async with stream as events:
                        async for _ in events:
                            received += 1
                        dropped = (await events.statistics()).dropped
                except mxgateway.EventOverflowError:
                    overflowed = True
            return timed.result(received, bridge=client.bridge_name, overflowed=overflowed, dropped=dropped)

    result: dict[str, Any] = trio.run(main)
    return result


def asyncio_events(
    port: int, count: int, after: int, typed: bool, buffer_size: int | None, overflow: str | None = None
) -> dict[str, Any]:
    """One stream of ``count`` events through the asyncio API; counts until the end or an overflow."""
    import mxgateway

    async def main() -> dict[str, Any]:
        async with await mxgateway.GatewayClient.connect(
            endpoint=endpoint_text(port), plaintext=True
        ) as client:
            session = client.attach_session(SESSION_ID)
            received = 0
            overflowed = False
            with Timed() as timed:
                stream = events_stream(client, session, after, typed, buffer_size, overflow)
                dropped = 0
                try:
                    async with stream as events:
                        async for _ in events:
                            received += 1
                        dropped = events.statistics().dropped
                except mxgateway.EventOverflowError:
                    overflowed = True
            return timed.result(received, overflowed=overflowed, dropped=dropped)

    result: dict[str, Any] = harness.on_asyncio(main)
    return result


def trio_streams(port: int, per_stream: int, after: int) -> dict[str, Any]:
    """``STREAMS`` sessions, each reading its typed events at once."""
    import trio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with mxgateway.open_client(endpoint=endpoint_text(port), plaintext=True) as client:
            counts: list[int] = []

            async def consume(session: mxgateway.TrioSession) -> None:
                count = 0
                async with session.events(after, buffer_size=per_stream + 1) as events:
                    async for _ in events:
                        count += 1
                counts.append(count)

            async with contextlib.AsyncExitStack() as stack:
                sessions = [await stack.enter_async_context(client.open_session()) for _ in range(STREAMS)]
                with Timed() as timed:
                    async with trio.open_nursery() as nursery:
                        for session in sessions:
                            nursery.start_soon(consume, session)
            if counts != [per_stream] * STREAMS:
                raise SystemExit(f"received {counts}, expected {per_stream} each")
            return timed.result(per_stream * STREAMS, bridge=client.bridge_name)

    result: dict[str, Any] = trio.run(main)
    return result


def trio_unary(port: int, calls: int, concurrency: int) -> dict[str, Any]:
    import trio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with mxgateway.open_client(endpoint=endpoint_text(port), plaintext=True) as client:
            session = client.attach_session(SESSION_ID)

            async def worker(n: int) -> None:
                for _ in range(n):
                    await session.ping()

            with Timed() as timed:
                async with trio.open_nursery() as nursery:
                    for _ in range(concurrency):
                        nursery.start_soon(worker, calls // concurrency)
            return timed.result(calls // concurrency * concurrency, bridge=client.bridge_name)

    result: dict[str, Any] = trio.run(main)
    return result


def asyncio_unary(port: int, calls: int, concurrency: int) -> dict[str, Any]:
    import asyncio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with await mxgateway.GatewayClient.connect(
            endpoint=endpoint_text(port), plaintext=True
        ) as client:
            session = client.attach_session(SESSION_ID)

            async def worker(n: int) -> None:
                for _ in range(n):
                    await session.ping()

            with Timed() as timed:
                await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
            return timed.result(calls // concurrency * concurrency)

    result: dict[str, Any] = harness.on_asyncio(main)
    return result


def trio_latency(port: int, calls: int, sessions: int) -> dict[str, Any]:
    """Per-call latency with ``sessions`` open sessions, each pinging in turn in its own task."""
    import trio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with mxgateway.open_client(endpoint=endpoint_text(port), plaintext=True) as client:
            latencies: list[float] = []

            async def worker(session: mxgateway.TrioSession, n: int) -> None:
                for _ in range(n):
                    started = time.perf_counter()
                    await session.ping()
                    latencies.append(time.perf_counter() - started)

            async def all_sessions(opened: list[mxgateway.TrioSession], n: int) -> None:
                async with trio.open_nursery() as nursery:
                    for session in opened:
                        nursery.start_soon(worker, session, n)

            async with contextlib.AsyncExitStack() as stack:
                opened = [await stack.enter_async_context(client.open_session()) for _ in range(sessions)]
                # One untimed call per session first (as the raw loop does).
                await all_sessions(opened, 1)
                latencies.clear()
                with Timed() as timed:
                    await all_sessions(opened, calls // sessions)
            return timed.result(
                len(latencies), bridge=client.bridge_name, **harness.latency_summary(latencies)
            )

    result: dict[str, Any] = trio.run(main)
    return result


def grpcio_events(port: int, count: int, after: int) -> dict[str, Any]:
    """grpc.aio's generic unary-stream call: the messages, parsed as raw grpclib parses them."""
    import grpc

    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    async def main() -> dict[str, Any]:
        async with grpc.aio.insecure_channel(endpoint_text(port)) as channel:
            await channel.channel_ready()
            stream_events = channel.unary_stream(
                SERVICE + "StreamEvents",
                request_serializer=pb.StreamEventsRequest.SerializeToString,
                response_deserializer=pb.MxEvent.FromString,
            )
            received = 0
            with Timed() as timed:
                request = pb.StreamEventsRequest(session_id=SESSION_ID, after_worker_sequence=after)
                async for _ in stream_events(request):
                    received += 1
            return timed.result(received)

    result: dict[str, Any] = harness.on_asyncio(main)
    return result


def grpcio_unary(port: int, calls: int, concurrency: int) -> dict[str, Any]:
    import asyncio

    import grpc

    from mxgateway.generated import mxaccess_gateway_pb2 as pb

    async def main() -> dict[str, Any]:
        async with grpc.aio.insecure_channel(endpoint_text(port)) as channel:
            await channel.channel_ready()
            invoke = channel.unary_unary(
                SERVICE + "Invoke",
                request_serializer=pb.MxCommandRequest.SerializeToString,
                response_deserializer=pb.MxCommandReply.FromString,
            )
            request = harness.ping_request()

            async def worker(n: int) -> None:
                for _ in range(n):
                    await invoke(request, timeout=RAW_TIMEOUT)

            with Timed() as timed:
                await asyncio.gather(*(worker(calls // concurrency) for _ in range(concurrency)))
            return timed.result(calls // concurrency * concurrency)

    result: dict[str, Any] = harness.on_asyncio(main)
    return result


def measure(unit: str, port: int, settings: Settings) -> dict[str, Any]:
    """Run one measurement (``group:client``) in this process."""
    group, _, client = unit.partition(":")
    address = ("127.0.0.1", port)
    result: dict[str, Any]
    if group == "events" or group.startswith("burst"):
        count = settings.events if group == "events" else settings.burst_events
        policy = group.partition(".")[2] or None  # burst.<overflow policy>; plain burst: the default
        after = settings.prepared - count
        # The throughput rows size the buffer to the run; the burst keeps the default.
        buffer_size = count + 1 if group == "events" else None
        if client == "raw":
            result = harness.on_asyncio(lambda: harness.raw_events_streams(address, count, after))
        elif client == "grpcio":
            result = grpcio_events(port, count, after)
        else:
            front, _, kind = client.partition("-")
            run = trio_events if front == "trio" else asyncio_events
            result = run(port, count, after, kind == "typed", buffer_size, policy)
        if group == "events" and (result.get("overflowed") or result["operations"] != count):
            raise SystemExit(f"{unit}: received {result['operations']} of {count} events")
        return result
    if group == "streams":
        per_stream = settings.stream_events
        after = settings.prepared - per_stream
        if client == "raw":
            result = harness.on_asyncio(
                lambda: harness.raw_events_streams(address, per_stream, after, STREAMS)
            )
        else:
            result = trio_streams(port, per_stream, after)
        return result
    if group.startswith("latency"):
        sessions = int(group.removeprefix("latency"))
        if client == "raw":
            result = harness.on_asyncio(lambda: harness.raw_latency(address, settings.calls, sessions))
        else:
            result = trio_latency(port, settings.calls, sessions)
        return result
    concurrency = 1 if group == "unary1" else CONCURRENCY
    if client == "raw":
        result = harness.on_asyncio(lambda: harness.raw_unary_timed(address, settings.calls, concurrency))
    elif client == "grpcio":
        result = grpcio_unary(port, settings.calls, concurrency)
    elif client == "trio":
        result = trio_unary(port, settings.calls, concurrency)
    else:
        result = asyncio_unary(port, settings.calls, concurrency)
    return result


# ============================================================= the rows


@dataclasses.dataclass(frozen=True)
class Row:
    label: str
    group: str
    client: str
    # throughput: client ops/s over raw's (higher is better); cpu: client CPU
    # per op over raw's; p50/p99: client latency over raw's (lower is better)
    metric: str


# --only NAME -> its rows; "cli" and "burst" are measured apart (no raw baseline).
ROW_FAMILIES: dict[str, list[Row]] = {
    "events": [
        Row("events, raw messages, Trio", "events", "trio-messages", "throughput"),
        Row("events, raw messages, asyncio", "events", "asyncio-messages", "throughput"),
    ],
    "typed": [
        Row("events, typed, Trio", "events", "trio-typed", "throughput"),
        Row("events, typed, asyncio", "events", "asyncio-typed", "throughput"),
    ],
    "unary": [
        Row("unary sequential, Trio", "unary1", "trio", "throughput"),
        Row("unary sequential, Trio, CPU per call", "unary1", "trio", "cpu"),
        Row("unary sequential, asyncio", "unary1", "asyncio", "throughput"),
        Row("unary sequential, asyncio, CPU per call", "unary1", "asyncio", "cpu"),
    ],
    "unary50": [
        Row(f"unary {CONCURRENCY} in flight, Trio", "unary50", "trio", "throughput"),
        Row(f"unary {CONCURRENCY} in flight, asyncio", "unary50", "asyncio", "throughput"),
    ],
    "streams": [
        Row(f"{STREAMS} concurrent streams, Trio typed events", "streams", "trio", "throughput"),
    ],
    "latency": [
        Row(
            f"unary latency {percentile}, {sessions} sessions, Trio", f"latency{sessions}", "trio", percentile
        )
        for sessions in LATENCY_SESSIONS
        for percentile in ("p50", "p99")
    ],
    "grpcio": [
        Row("grpcio aio: events, messages", "events", "grpcio", "throughput"),
        Row("grpcio aio: unary sequential", "unary1", "grpcio", "throughput"),
        Row("grpcio aio: unary sequential, CPU per call", "unary1", "grpcio", "cpu"),
        Row(f"grpcio aio: unary {CONCURRENCY} in flight", "unary50", "grpcio", "throughput"),
    ],
    "cli": [],
    "burst": [],
}
GROUP_ORDER = ["events", "unary1", "unary50", "streams", *(f"latency{n}" for n in LATENCY_SESSIONS)]


def selected_rows(only: Sequence[str]) -> list[Row]:
    rows = [row for family in only for row in ROW_FAMILIES[family]]
    return sorted(rows, key=lambda row: GROUP_ORDER.index(row.group))


def groups_for(rows: Sequence[Row]) -> dict[str, list[str]]:
    """Group -> its units, the raw baseline first."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        units = groups.setdefault(row.group, [f"{row.group}:raw"])
        if f"{row.group}:{row.client}" not in units:
            units.append(f"{row.group}:{row.client}")
    return groups


def per_op(result: dict[str, Any], key: str) -> float:
    return float(result[key]) / int(result["operations"])


def ratio(row: Row, client: dict[str, Any], raw: dict[str, Any]) -> float:
    if row.metric == "throughput":
        return per_op(raw, "wall") / per_op(client, "wall")
    if row.metric == "cpu":
        return per_op(client, "cpu") / per_op(raw, "cpu")
    return float(client[row.metric]) / float(raw[row.metric])


def duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f}s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f}ms"
    return f"{seconds * 1e6:.1f}us"


def table_line(label: str, rounds: int, ratios: Sequence[float], better: str, cells: Sequence[str]) -> str:
    low, middle, high = harness.spread(ratios)
    first, *rest = cells
    return f"{label:50} {rounds:>3} {low:6.2f} {middle:6.2f} {high:6.2f}  {better:6} {first:>6}" + "".join(
        f" {cell:>9}" for cell in rest
    )


HEADER = (
    f"{'row':50} {'n':>3} {'min':>6} {'median':>6} {'max':>6}  {'better':6}"
    f" {'cpu x':>6} {'wall':>9} {'raw wall':>9} {'cpu':>9} {'raw cpu':>9}"
)


def print_rows(rows: Sequence[Row], results: dict[str, list[dict[str, Any]]]) -> None:
    print()
    print("ratio to raw grpclib, per round: throughput rows are client/raw operations per second")
    print("(higher is better), CPU and latency rows client/raw time (lower is better);")
    print("cpu x: median of the per-round ratio of CPU time per operation, client/raw;")
    print("wall and cpu are per operation, medians over the rounds (for pNN rows, wall is that latency)")
    print(HEADER)
    for row in rows:
        client_runs = results[f"{row.group}:{row.client}"]
        raw_runs = results[f"{row.group}:raw"]
        ratios = [ratio(row, client, raw) for client, raw in zip(client_runs, raw_runs, strict=True)]
        bridge = client_runs[0].get("bridge")
        label = row.label.replace("Trio", f"Trio ({bridge})") if bridge else row.label
        if row.metric in ("p50", "p99"):
            walls = [
                statistics.median(float(run[row.metric]) for run in runs) for runs in (client_runs, raw_runs)
            ]
        else:
            walls = [
                statistics.median(per_op(run, "wall") for run in runs) for runs in (client_runs, raw_runs)
            ]
        cpus = [statistics.median(per_op(run, "cpu") for run in runs) for runs in (client_runs, raw_runs)]
        cpu_ratio = statistics.median(
            per_op(client, "cpu") / per_op(raw, "cpu")
            for client, raw in zip(client_runs, raw_runs, strict=True)
        )
        better = "higher" if row.metric == "throughput" else "lower"
        cells = [
            f"{cpu_ratio:.2f}x",
            duration(walls[0]),
            duration(walls[1]),
            duration(cpus[0]),
            duration(cpus[1]),
        ]
        print(table_line(label, len(ratios), ratios, better, cells))


# ================================================================ CLI start


def cli_command() -> list[str]:
    """``mxgw-py`` as installed beside this interpreter (else on PATH, else ``-m``)."""
    beside = os.path.join(os.path.dirname(sys.executable), "mxgw-py")
    found = beside if os.path.exists(beside) else shutil.which("mxgw-py")
    return [found] if found else [sys.executable, "-m", "mxgateway_cli"]


def timed_process(command: Sequence[str], environment: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, timeout=60, check=False, env=environment)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr.decode(errors='replace')}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


CLI_SIDES = {
    "version": [*cli_command(), "version", "--json"],
    "cyclopts": [sys.executable, "-c", "import cyclopts"],
}


@contextlib.contextmanager
def warm_bytecode_cache() -> Iterator[dict[str, str]]:
    """An environment whose bytecode cache is private and warm, for both sides alike.

    Where PYTHONDONTWRITEBYTECODE is set (as on this machine), an editable
    install recompiles the project's own modules at every start while the
    dependencies load the .pyc files pip wrote: that is not what an
    installed wheel does. Here both sides read their bytecode from one
    private cache, filled by an untimed run of each.
    """
    with tempfile.TemporaryDirectory() as cache:
        environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
        environment["PYTHONPYCACHEPREFIX"] = cache
        for command in CLI_SIDES.values():
            timed_process(command, environment)
        yield environment


def cli_round(runs: int, round_number: int, environment: dict[str, str]) -> dict[str, dict[str, float]]:
    """``runs`` runs of each side, alternating (who goes first rotates); the median of each."""
    timings: dict[str, list[tuple[float, float]]] = {side: [] for side in CLI_SIDES}
    for run in range(runs):
        for side in harness.rotated(list(CLI_SIDES), round_number + run):
            timings[side].append(timed_process(CLI_SIDES[side], environment))
    return {
        side: {
            "wall": statistics.median(wall for wall, _ in found),
            "cpu": statistics.median(cpu for _, cpu in found),
            "operations": 1,
        }
        for side, found in timings.items()
    }


def print_cli(rounds: list[dict[str, dict[str, float]]], runs: int) -> None:
    ratios = [found["version"]["wall"] / found["cyclopts"]["wall"] for found in rounds]
    cpu_ratios = [found["version"]["cpu"] / found["cyclopts"]["cpu"] for found in rounds]
    walls = [statistics.median(found[side]["wall"] for found in rounds) for side in CLI_SIDES]
    cpus = [statistics.median(found[side]["cpu"] for found in rounds) for side in CLI_SIDES]
    print()
    print(
        f"CLI start: `mxgw-py version --json` ({' '.join(CLI_SIDES['version'][:-2])}) over `python -c 'import cyclopts'`,"
    )
    print(f"the median of {runs} runs each per round, from a warm private bytecode cache; ratio of those")
    print("medians (lower is better); the raw columns are `import cyclopts`")
    print(HEADER)
    cpu_ratio = f"{statistics.median(cpu_ratios):.2f}x"
    cells = [cpu_ratio, duration(walls[0]), duration(walls[1]), duration(cpus[0]), duration(cpus[1])]
    print(table_line("CLI start, wall", len(ratios), ratios, "lower", cells))
    print(table_line("CLI start, CPU", len(cpu_ratios), cpu_ratios, "lower", cells))


# =================================================================== burst


BURST_POLICIES = ("backpressure", "error", "drop_oldest")


def burst_units() -> list[str]:
    return [f"burst.{policy}:{front}-typed" for policy in BURST_POLICIES for front in ("trio", "asyncio")]


def print_burst(results: dict[str, list[dict[str, Any]]], settings: Settings) -> None:
    print()
    print(
        f"burst: {settings.burst_events} events sent as fast as the gateway can, a consumer that only"
        " counts typed events"
    )
    print(
        "from session.events() with the default buffer (10,000), per overflow policy: events received"
        " (before EventOverflowError, if any), dropped, events/s"
    )
    for unit in burst_units():
        runs = results.get(unit)
        if not runs:
            continue
        policy = unit.partition(".")[2].partition(":")[0]
        received = [int(run["operations"]) for run in runs]
        dropped = [int(run.get("dropped", 0)) for run in runs]
        rate = [run["operations"] / run["wall"] for run in runs if run["wall"] > 0]
        overflows = sum(1 for run in runs if run["overflowed"])
        low, middle, high = harness.spread(received)
        front = f"Trio ({runs[0]['bridge']})" if "bridge" in runs[0] else "asyncio"
        print(
            f"  {policy:13} {front:14} received min {low:>7.0f} median {middle:>7.0f} max {high:>7.0f}"
            f"  dropped median {statistics.median(dropped):>7.0f}"
            f"  {statistics.median(rate) if rate else 0:>7.0f}/s  overflowed {overflows}/{len(runs)}"
        )


# ================================================================== harness


def run(args: argparse.Namespace, settings: Settings) -> None:
    only: list[str] = list(dict.fromkeys(args.only or ROW_FAMILIES))
    if "grpcio" in only and not GRPCIO_AVAILABLE:
        only = [family for family in only if family != "grpcio"]
    rows = selected_rows(only)
    groups = groups_for(rows)
    if "burst" in only:
        groups["burst"] = burst_units()
    results: dict[str, list[dict[str, Any]]] = {}
    cli_rounds: list[dict[str, dict[str, float]]] = []
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        cli_environment = stack.enter_context(warm_bytecode_cache()) if "cli" in only else {}
        port = stack.enter_context(harness.running_gateway(settings.prepared))
        for round_number in range(args.rounds):
            for units in groups.values():
                for unit in harness.rotated(units, round_number):
                    child = [f"--measure={unit}", f"--port={port}", *settings.arguments()]
                    results.setdefault(unit, []).append(harness.measure_in_child(__file__, child))
            if "cli" in only:
                cli_rounds.append(cli_round(settings.cli_runs, round_number, cli_environment))
            elapsed = time.monotonic() - started
            print(f"round {round_number + 1}/{args.rounds} done ({elapsed:.0f} s)", file=sys.stderr)

    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs;"
        f" {args.rounds} rounds; events per run {settings.events}, unary calls per run {settings.calls},"
    )
    print(
        f"{STREAMS} streams x {settings.stream_events} events, latency calls per run {settings.calls},"
        f" burst {settings.burst_events} events; each measurement in a fresh interpreter"
    )
    print("(throughput rows set the event buffer to the run's size; the burst keeps the default)")
    if rows:
        print_rows(rows, results)
    if not GRPCIO_AVAILABLE and (args.only is None or "grpcio" in args.only):
        print("\ngrpcio aio rows: skipped, grpcio is not installed (pip install -e '.[bench]')")
    if cli_rounds:
        print_cli(cli_rounds, settings.cli_runs)
    if "burst" in only:
        print_burst(results, settings)
    print(f"\ntook {time.monotonic() - started:.0f} s")


QUICK = {
    "rounds": 2,
    "events": 5_000,
    "calls": 500,
    "stream_events": 100,
    "burst_events": 50_000,
    "cli_runs": 3,
}
DEFAULTS = {
    "rounds": 7,
    "events": 40_000,
    "calls": 4_000,
    "stream_events": 1_000,
    "burst_events": 200_000,
    "cli_runs": 10,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, help=f"rounds (default {DEFAULTS['rounds']})")
    parser.add_argument(
        "--events", type=int, help=f"events per single-stream run (default {DEFAULTS['events']})"
    )
    parser.add_argument("--calls", type=int, help=f"unary calls per run (default {DEFAULTS['calls']})")
    parser.add_argument(
        "--stream-events",
        type=int,
        help=f"events per stream, {STREAMS} streams (default {DEFAULTS['stream_events']})",
    )
    parser.add_argument(
        "--burst-events", type=int, help=f"events in the burst (default {DEFAULTS['burst_events']})"
    )
    parser.add_argument(
        "--cli-runs", type=int, help=f"CLI starts per side per round (default {DEFAULTS['cli_runs']})"
    )
    parser.add_argument("--quick", action="store_true", help="a short smoke run (smaller figures, 2 rounds)")
    parser.add_argument(
        "--only", nargs="+", choices=list(ROW_FAMILIES), metavar="ROW", help=", ".join(ROW_FAMILIES)
    )
    parser.add_argument("--measure", metavar="UNIT", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    chosen = QUICK if args.quick else DEFAULTS
    for name, value in chosen.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    for name in chosen:
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.calls < max(CONCURRENCY, *LATENCY_SESSIONS):
        parser.error(f"--calls must be at least {max(CONCURRENCY, *LATENCY_SESSIONS)} (one per task)")
    settings = Settings(args.events, args.calls, args.stream_events, args.burst_events, args.cli_runs)
    if args.measure:
        print(json.dumps(measure(args.measure, args.port, settings)))
        return 0
    run(args, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
