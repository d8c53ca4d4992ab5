"""The Galaxy hierarchy through the library against a raw grpclib paging loop, in the same run.

One simulator process (``mxgw-py simulate``) serves a generated galaxy of
``--objects`` objects (20 areas under one root, the rest tanks with five
attributes each, from one template), so both sides page through the same
replies. Each measurement runs in a fresh interpreter, connects, walks the
hierarchy once untimed (first-use costs), then times ``--passes`` walks and
reports the median. Every side reads each object's tag name, so none of
them skips the per-object work:

- ``raw``: grpclib's generated stub, DiscoverHierarchy page after page
  until ``next_page_token`` is empty;
- ``asyncio``, ``trio``: ``client.galaxy.hierarchy()`` object by object
  (``async for``), on asyncio and on Trio's default bridge;
- ``asyncio-pages``: ``hierarchy().pages()``, a tuple per page.

Each round runs every side once, in an order that rotates from round to
round; a ratio (library objects/s over raw objects/s, higher is better) is
taken within a round, and the min, median and max over the rounds are
printed with the median objects/s of both sides.

    python benchmarks/bench_galaxy.py [--objects 10000] [--page-size 500] [--rounds 7] [--passes 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import harness
from harness import Timed

AREAS = 20
SIDES = ("raw", "asyncio", "trio", "asyncio-pages")


def galaxy_toml(objects: int) -> str:
    """A galaxy of ``objects`` objects: a root area, AREAS areas below it, tanks in the areas."""
    lines = ["[categories]", "Area = 13", "Tank = 20", "", '[templates."$Tank"]', 'category = "Tank"']
    attributes = (
        ("Level", "double", "50.0", ["historized = true", "alarm_above = 95.0"]),
        ("Setpoint", "float", "10.0", []),
        ("Running", "bool", "false", []),
        ("Name", "string", '"tank"', []),
        ("Count", "int32", "1", ["historized = true"]),
    )
    for name, kind, initial, extra in attributes:
        lines += [
            f'[templates."$Tank".attributes.{name}]',
            f'type = "{kind}"',
            f"initial = {initial}",
            *extra,
        ]
    lines.append("[areas.Plant]")
    for area in range(AREAS):
        lines += [f"[areas.Area{area}]", 'parent = "Plant"']
    for tank in range(objects - AREAS - 1):
        lines += [f"[objects.Tank{tank}]", 'template = "$Tank"', f'parent = "Area{tank % AREAS}"']
    return "\n".join(lines) + "\n"


@contextmanager
def running_simulator(objects: int) -> Iterator[str]:
    """``mxgw-py simulate`` on a free port with the generated galaxy; yields its endpoint."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "galaxy.toml"
        path.write_text(galaxy_toml(objects), "utf-8")
        command = [sys.executable, "-m", "mxgateway_cli", "simulate", "--port", "0", "--galaxy", str(path)]
        server = subprocess.Popen([*command, "--json"], stdout=subprocess.PIPE, text=True)
        try:
            assert server.stdout is not None
            ready = server.stdout.readline()  # parsing a large galaxy takes seconds
            if not ready:
                raise SystemExit("the simulator did not start")
            yield str(json.loads(ready)["endpoint"])
        finally:
            server.send_signal(signal.SIGTERM)  # documented: exits 0 with the server closed
            server.wait(30)


# ================================================== measurements (in a child)


def measure(side: str, endpoint: str, objects: int, page_size: int, passes: int) -> dict[str, Any]:
    host, port = endpoint.rsplit(":", 1)
    if side == "trio":
        return measure_trio(endpoint, objects, page_size, passes)

    async def main() -> dict[str, Any]:
        if side == "raw":
            from grpclib.client import Channel

            from mxgateway.generated import galaxy_repository_grpc
            from mxgateway.generated import galaxy_repository_pb2 as gpb

            channel = Channel(host, int(port))
            stub = galaxy_repository_grpc.GalaxyRepositoryStub(channel)

            async def walk() -> int:
                count, token = 0, ""
                while True:
                    request = gpb.DiscoverHierarchyRequest(page_size=page_size, page_token=token)
                    reply = await stub.DiscoverHierarchy(request, timeout=harness.RAW_TIMEOUT)
                    for obj in reply.objects:
                        obj.tag_name  # noqa: B018  the per-object read every side does
                        count += 1
                    token = reply.next_page_token
                    if not token:
                        return count

            try:
                await channel.__connect__()
                return await run_walks(walk, objects, passes)
            finally:
                channel.close()

        import mxgateway

        async with await mxgateway.GatewayClient.connect(endpoint=endpoint, plaintext=True) as client:

            async def walk_objects() -> int:
                count = 0
                async for obj in client.galaxy.hierarchy(page_size=page_size):
                    obj.tag_name  # noqa: B018
                    count += 1
                return count

            async def walk_pages() -> int:
                count = 0
                async for page in client.galaxy.hierarchy(page_size=page_size).pages():
                    for obj in page:
                        obj.tag_name  # noqa: B018
                        count += 1
                return count

            chosen = walk_pages if side == "asyncio-pages" else walk_objects
            return await run_walks(chosen, objects, passes)

    result: dict[str, Any] = harness.on_asyncio(main)
    return result


async def run_walks(walk: Any, objects: int, passes: int) -> dict[str, Any]:
    """One untimed walk (first-use costs), then ``passes`` timed ones: the median wall and CPU time."""
    if await walk() != objects:
        raise SystemExit(f"the warm-up walk did not see {objects} objects")
    counts: list[int] = []
    walls, cpus = [], []
    for _ in range(passes):
        with Timed() as timed:
            counts.append(await walk())
        walls.append(timed.wall)
        cpus.append(timed.cpu)
    if counts != [objects] * passes:
        raise SystemExit(f"walks saw {counts}, expected {objects} each")
    return {"operations": objects, "wall": statistics.median(walls), "cpu": statistics.median(cpus)}


def measure_trio(endpoint: str, objects: int, page_size: int, passes: int) -> dict[str, Any]:
    import trio

    import mxgateway

    async def main() -> dict[str, Any]:
        async with mxgateway.open_client(endpoint=endpoint, plaintext=True) as client:

            async def walk() -> int:
                count = 0
                async for obj in client.galaxy.hierarchy(page_size=page_size):
                    obj.tag_name  # noqa: B018
                    count += 1
                return count

            result = await run_walks(walk, objects, passes)
            return {**result, "bridge": client.bridge_name}

    result: dict[str, Any] = trio.run(main)
    return result


# ================================================================ harness


def print_results(results: dict[str, list[dict[str, Any]]], args: argparse.Namespace) -> None:
    raw = results["raw"]
    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.rounds} rounds; {args.objects} objects (5 attributes per tank), page size {args.page_size}; "
        f"median of {args.passes} walks per measurement, each in a fresh interpreter"
    )
    raw_rate = statistics.median(r["operations"] / r["wall"] for r in raw)
    raw_cpu = statistics.median(r["cpu"] for r in raw)
    print(f"\n{'side':<15} {'ratio min/median/max':<22} {'objects/s':>10} {'CPU ms/walk':>12}")
    print(f"{'raw grpclib':<15} {'':<22} {raw_rate:>10,.0f} {raw_cpu * 1000:>12.1f}")
    for side in SIDES[1:]:
        ratios = [r["wall"] / c["wall"] for r, c in zip(raw, results[side], strict=True)]
        low, middle, high = harness.spread(ratios)
        rate = statistics.median(c["operations"] / c["wall"] for c in results[side])
        cpu = statistics.median(c["cpu"] for c in results[side])
        label = side if side != "trio" else f"trio ({results[side][0].get('bridge')})"
        cells = f"{low:.2f}/{middle:.2f}/{high:.2f}x"
        print(f"{label:<15} {cells:<22} {rate:>10,.0f} {cpu * 1000:>12.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--measure", metavar="SIDE", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.objects <= AREAS + 1 or not 1 <= args.page_size <= 5_000 or args.rounds < 1 or args.passes < 1:
        parser.error(f"--objects above {AREAS + 1}, --page-size 1-5000, --rounds and --passes at least 1")
    if args.measure:
        print(json.dumps(measure(args.measure, args.endpoint, args.objects, args.page_size, args.passes)))
        return 0
    results: dict[str, list[dict[str, Any]]] = {side: [] for side in SIDES}
    started = time.monotonic()
    with running_simulator(args.objects) as endpoint:
        for round_number in range(args.rounds):
            for side in harness.rotated(SIDES, round_number):
                child = [
                    f"--measure={side}",
                    f"--endpoint={endpoint}",
                    f"--objects={args.objects}",
                    f"--page-size={args.page_size}",
                    f"--passes={args.passes}",
                ]
                results[side].append(harness.measure_in_child(__file__, child))
            print(
                f"round {round_number + 1}/{args.rounds} done ({time.monotonic() - started:.0f} s)",
                file=sys.stderr,
            )
    print_results(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
