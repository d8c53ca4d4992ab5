"""Soak: a million events through the Trio API while the gateway drops every connection every few seconds.

Two runs, each with its own soak gateway process (``harness.serve_soak``)
and its own client interpreter:

1. with drops: the gateway aborts every client connection every
   ``--drop-every`` seconds, as a crashed gateway would;
2. without drops: the same stream, never interrupted (``--baseline-events``,
   the same count by default).

The client consumes through the public Trio API only (``mxgateway.open_client``,
``client.open_session``, ``session.events()``, ``async for``) and relies on the
library's own reconnect: the loop never re-opens anything. It checks every
event against the next expected ``worker_sequence``: a sequence skipped is
lost, one seen again (or going back) is duplicated, a ``ReplayGap`` marker is
a gap (the events it covers are counted apart from the lost ones).

Producer model: a galaxy's pace, not an infinitely fast one. Each session's
producer makes ``--rate`` events per second from its first StreamEvents on,
whether a subscriber is attached or not, and the gateway keeps the last
``--ring`` events for a resume (1,024, the real gateway's ring). A correct
client therefore loses nothing if it re-attaches within ``ring / rate``
seconds of a drop: 0.1 s at the defaults, which is why the reconnect
backoff's first wait is set to ``--initial-backoff`` 0.02 s here (at the
library's default of 1 s, a 1,024-event ring covers a session that makes
at most about 850 events/s). An attached subscriber may fall up to
``--queue`` events behind (the real gateway's per-session queue) before the
gateway ends its stream. A producer that outruns the client would make the
test meaningless: what is in flight when a connection is cut (up to the
4 MiB HTTP/2 window) is soon more than a 1,024-event ring holds.

    python benchmarks/soak.py [--events 1000000] [--rate 10000] [--drop-every 3]
                              [--ring 1024] [--initial-backoff 0.02] [--baseline-events N]

Exit code: 0 when both runs delivered every event exactly once; 1 when an
event was lost or duplicated; 2 when there were gaps or a run did not reach
its last event (a stream error, a stall).
"""

from __future__ import annotations

import argparse
import array
import dataclasses
import json
import sys
import time
from typing import Any

import harness
from harness import SoakSettings

LATENCY_EVERY = 128  # every 128th event's latency is sampled
RSS_SAMPLES = 10  # RSS is read at every tenth of the run (and at its start)


def vmrss_kib() -> int:
    """This process's resident set size (VmRSS) in KiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS in /proc/self/status")


def reconnect_policy_class() -> Any:
    """``ReconnectPolicy`` (the type of ``ClientOptions.reconnect``), or None if this mxgateway has none."""
    import mxgateway

    return getattr(mxgateway, "ReconnectPolicy", None)


def reconnect_options(initial_backoff: float | None) -> dict[str, Any]:
    """The open_client keywords that set the reconnect backoff's first delay: the one place that names them.

    None: the library's default policy. Nothing either when this mxgateway
    has no ``ReconnectPolicy`` (then the report says so).
    """
    policy = reconnect_policy_class()
    if initial_backoff is None or policy is None:
        return {}
    return {"reconnect": policy(initial_backoff=initial_backoff)}


class SequenceCheck:
    """Checks each event against the next expected worker sequence (contiguous from 1 to ``last``)."""

    EXAMPLES = 10  # ranges kept for the report, per kind

    def __init__(self, last: int) -> None:
        self.last = last
        self.expected = 1
        self.received = 0  # data events, duplicates included
        self.lost = 0
        self.duplicated = 0
        self.gaps = 0
        self.gap_events = 0
        self.unexpected = 0  # events with no sequence that are not replay-gap markers
        self.lost_ranges: list[tuple[int, int]] = []
        self.gap_ranges: list[tuple[int, int]] = []
        self.duplicates: list[tuple[int, int]] = []  # (sequence seen, sequence expected)

    @property
    def done(self) -> bool:
        return self.expected > self.last

    @property
    def distinct(self) -> int:
        """Sequences 1 .. expected - 1 that arrived."""
        return self.expected - 1 - self.lost - self.gap_events

    def observe(self, event: Any) -> None:
        sequence = event.worker_sequence
        if sequence == self.expected:
            self.expected += 1
            self.received += 1
        elif not sequence:  # only the replay-gap marker has no sequence
            oldest = getattr(event, "oldest_available_sequence", None)
            if oldest is None:
                self.unexpected += 1
            else:
                self.gap(oldest)
        else:
            self.received += 1
            if sequence > self.expected:
                self.lost += sequence - self.expected
                self._keep(self.lost_ranges, (self.expected, sequence - 1))
                self.expected = sequence + 1
            else:
                self.duplicated += 1
                self._keep(self.duplicates, (sequence, self.expected))

    def gap(self, oldest_available: int) -> None:
        self.gaps += 1
        if oldest_available > self.expected:
            self.gap_events += oldest_available - self.expected
            self._keep(self.gap_ranges, (self.expected, oldest_available - 1))
            self.expected = oldest_available

    def _keep(self, examples: list[tuple[int, int]], example: tuple[int, int]) -> None:
        if len(examples) < self.EXAMPLES:
            examples.append(example)

    def summary(self) -> dict[str, Any]:
        return {
            "expected_last": self.last,
            "reached_last": self.done,
            "distinct": self.distinct,
            "received": self.received,
            "lost": self.lost,
            "duplicated": self.duplicated,
            "gaps": self.gaps,
            "gap_events": self.gap_events,
            "unexpected": self.unexpected,
            "lost_ranges": self.lost_ranges,
            "gap_ranges": self.gap_ranges,
            "duplicates": self.duplicates,
        }


# ============================================================ the client (a child)


class Progress:
    """What the consumer records while it runs: RSS at each tenth, latency samples, times."""

    def __init__(self, last: int) -> None:
        self.rss_kib: list[tuple[int, int]] = [(0, vmrss_kib())]  # (events expected so far, KiB)
        self._milestones = [last * n // RSS_SAMPLES for n in range(1, RSS_SAMPLES + 1)]
        self.next_milestone = self._milestones.pop(0)
        self.latencies = array.array("d")  # seconds; compact, so that it hardly moves the RSS
        self.first_at = self.last_at = 0.0
        self.first_cpu = self.last_cpu = 0.0

    def milestone(self) -> None:
        self.rss_kib.append((self.next_milestone, vmrss_kib()))
        self.next_milestone = self._milestones.pop(0) if self._milestones else sys.maxsize

    def latency(self, event: Any) -> None:
        stamp = event.raw.gateway_receive_timestamp  # when the soak gateway made the event
        self.latencies.append(time.time() - stamp.seconds - stamp.nanos * 1e-9)

    def summary(self, distinct: int) -> dict[str, Any]:
        seconds = self.last_at - self.first_at
        latencies = list(self.latencies) or [0.0]
        return {
            "rss_kib": self.rss_kib,
            "seconds": seconds,
            "per_second": distinct / seconds if seconds > 0 else 0.0,
            "cpu_us_per_event": (self.last_cpu - self.first_cpu) / distinct * 1e6 if distinct else 0.0,
            "latency_ms": {
                "p50": harness.percentile(latencies, 0.50) * 1e3,
                "p99": harness.percentile(latencies, 0.99) * 1e3,
                "max": max(latencies) * 1e3,
            },
        }


async def consume(client: Any, session: Any, check: SequenceCheck, progress: Progress) -> dict[str, Any]:
    """``async for`` over the session's events until the last one.

    Returns the stream's and the client's statistics, taken before the
    stream is closed (closing it early resets the call, which counts as failed).
    """
    async with session.events() as events:
        async for event in events:
            if not check.received:
                progress.first_at, progress.first_cpu = time.perf_counter(), time.process_time()
            check.observe(event)
            if check.expected > progress.next_milestone:
                progress.milestone()
            sequence = event.worker_sequence  # 0 only on the replay-gap marker
            if sequence and not sequence % LATENCY_EVERY:
                progress.latency(event)
            if check.done:
                break
        progress.last_at, progress.last_cpu = time.perf_counter(), time.process_time()
        return {
            "stream": dataclasses.asdict(await events.statistics()),
            "transport": dataclasses.asdict(await client.statistics()),
        }


def soak_client(port: int, last: int, initial_backoff: float | None, stall_timeout: float) -> dict[str, Any]:
    """One run's consumer; everything it saw, as JSON-ready values."""
    import trio

    import mxgateway

    check = SequenceCheck(last)
    options = reconnect_options(initial_backoff)
    result: dict[str, Any] = {"reconnect_options": {k: repr(v) for k, v in options.items()}, "failure": None}

    async def watchdog(scope: trio.CancelScope) -> None:
        seen, quiet_since = check.expected, trio.current_time()
        while True:
            await trio.sleep(1)
            if check.expected != seen:
                seen, quiet_since = check.expected, trio.current_time()
            elif trio.current_time() - quiet_since > stall_timeout:
                result["failure"] = f"stalled: no event for {stall_timeout} s after sequence {seen - 1}"
                scope.cancel()
                return

    async def main() -> None:
        started = time.perf_counter()
        try:
            async with (
                mxgateway.open_client(endpoint=f"127.0.0.1:{port}", plaintext=True, **options) as client,
                client.open_session("soak") as session,
            ):
                progress = Progress(last)
                async with trio.open_nursery() as nursery:
                    nursery.start_soon(watchdog, nursery.cancel_scope)
                    try:
                        result.update(await consume(client, session, check, progress))
                    except mxgateway.MxGatewayError as error:
                        result["failure"] = f"{type(error).__name__}: {error}"
                    nursery.cancel_scope.cancel()
                if not progress.last_at:  # the stream failed or stalled before its end
                    progress.last_at, progress.last_cpu = time.perf_counter(), time.process_time()
                result.update(progress.summary(check.distinct))
                result.setdefault("transport", dataclasses.asdict(await client.statistics()))
        except mxgateway.MxGatewayError as error:  # connecting, or closing the session
            result["failure"] = result["failure"] or f"{type(error).__name__}: {error}"
        result["wall"] = time.perf_counter() - started

    trio.run(main)
    return {**result, **check.summary()}


# ======================================================== the runs (the parent)


def run_once(settings: SoakSettings, args: argparse.Namespace) -> dict[str, Any]:
    """One gateway process and one client interpreter; the client's findings and the gateway's counters."""
    backoff = "default" if args.initial_backoff is None else args.initial_backoff
    arguments = [
        "--client",
        f"--events={settings.events}",
        f"--stall-timeout={args.stall_timeout}",
        f"--initial-backoff={backoff}",
    ]
    # Bounded: the producer's own time, plus the stall timeout, plus room to start and stop.
    timeout = settings.events / settings.rate + args.stall_timeout + 120 if settings.rate > 0 else 600
    with harness.running_soak_gateway(settings) as gateway:
        started = time.perf_counter()
        client = harness.measure_in_child(__file__, [*arguments, f"--port={gateway.port}"], timeout)
        wall = time.perf_counter() - started
        counters = gateway.stop()
    return {"client": client, "gateway": counters, "wall": wall, "settings": dataclasses.asdict(settings)}


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f}"


def drops_text(drops: list[dict[str, Any]]) -> str:
    return f"{len(drops)} ({sum(drop['mid_send'] for drop in drops)})"


def reattachments(gateway: dict[str, Any]) -> int:
    """StreamEvents calls beyond each session's first: the client's re-attachments."""
    sessions = gateway["sessions"]
    attaches: int = sum(session["attaches"] for session in sessions)
    return max(attaches - len(sessions), 0)


def stream_reconnect_counters(stream: dict[str, Any]) -> dict[str, Any]:
    """The stream statistics about reconnecting, whatever the library calls them."""
    words = ("reconnect", "attempt", "replay", "gap", "state")
    return {name: value for name, value in stream.items() if any(word in name for word in words)}


def report(runs: dict[str, dict[str, Any]], args: argparse.Namespace, total_wall: float) -> None:
    first = next(iter(runs.values()))
    settings = first["settings"]
    options = first["client"]["reconnect_options"]
    if args.initial_backoff is None:
        backoff = "the library's default"
    elif options:
        backoff = f"{args.initial_backoff} s ({', '.join(f'{k}={v}' for k, v in options.items())})"
    else:
        backoff = "not set: this mxgateway has no ReconnectPolicy (ClientOptions.reconnect)"
    print(
        f"soak: producer {settings['rate']:.0f} events/s, ring {settings['ring']}, queue {settings['queue']}, "
        f"drops every {args.drop_every} s; reconnect initial backoff: {backoff}"
    )

    def rss(client: dict[str, Any]) -> str:
        samples = dict(client.get("rss_kib", []))  # events so far -> KiB
        picks = (0, client["expected_last"] // 2, client["expected_last"])
        return " / ".join(mib(samples[at]) if at in samples else "-" for at in picks)

    def latency(client: dict[str, Any]) -> str:
        if "latency_ms" not in client:
            return "-"
        return "{p50:.1f} / {p99:.1f} / {max:.1f}".format(**client["latency_ms"])

    def gateway_sum(name: str) -> Any:
        return lambda run: sum(session[name] for session in run["gateway"]["sessions"])

    rows: list[tuple[str, Any]] = [
        ("events asked", lambda run: run["client"]["expected_last"]),
        ("events delivered (distinct)", lambda run: run["client"]["distinct"]),
        ("lost", lambda run: run["client"]["lost"]),
        ("duplicated", lambda run: run["client"]["duplicated"]),
        ("gaps (events in them)", lambda run: f"{run['client']['gaps']} ({run['client']['gap_events']})"),
        ("RSS start / middle / end (MiB)", lambda run: rss(run["client"])),
        ("throughput (events/s)", lambda run: f"{run['client'].get('per_second', 0):.0f}"),
        ("client CPU per event (us)", lambda run: f"{run['client'].get('cpu_us_per_event', 0):.1f}"),
        ("latency p50 / p99 / max (ms)", lambda run: latency(run["client"])),
        ("drops (mid-send)", lambda run: drops_text(run["gateway"]["drops"])),
        (
            "reconnects (stream statistics)",
            lambda run: run["client"].get("stream", {}).get("reconnects", "-"),
        ),
        ("reconnects seen by the gateway", lambda run: reattachments(run["gateway"])),
        ("client calls failed", lambda run: run["client"].get("transport", {}).get("calls_failed", "-")),
        ("events replayed from the ring", gateway_sum("replayed")),
        ("events sent twice by the gateway", gateway_sum("resent")),
        ("gateway max lag (events)", lambda run: max(s["max_lag"] for s in run["gateway"]["sessions"])),
        ("wall time of the run (s)", lambda run: f"{run['wall']:.1f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'':{width}}  " + "  ".join(f"{label:>22}" for label in runs))
    for name, value in rows:
        print(f"{name:{width}}  " + "  ".join(f"{value(run)!s:>22}" for run in runs.values()))
    for label, run in runs.items():
        client = run["client"]
        own = stream_reconnect_counters(client.get("stream", {}))
        print(f"{label}: stream statistics: {own or 'no reconnect counters'}")
        if client["failure"]:
            print(f"{label}: failure: {client['failure']}")
        for kind in ("lost_ranges", "gap_ranges", "duplicates"):
            if client[kind]:
                print(f"{label}: {kind} (first {SequenceCheck.EXAMPLES}): {client[kind]}")
    print(f"total wall time: {total_wall:.1f} s")


def backoff_seconds(text: str) -> float | None:
    """A number of seconds, or ``default`` (None: the library's own initial backoff)."""
    return None if text == "default" else float(text)


def exit_code(runs: dict[str, dict[str, Any]]) -> int:
    clients = [run["client"] for run in runs.values()]
    if any(client["lost"] or client["duplicated"] for client in clients):
        return 1
    if any(client["gaps"] or client["unexpected"] or not client["reached_last"] for client in clients):
        return 2
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events in the run with drops")
    parser.add_argument(
        "--baseline-events", type=int, help="events in the run without drops (default: --events)"
    )
    parser.add_argument("--rate", type=float, default=SoakSettings.rate, help="events per second made")
    parser.add_argument("--ring", type=int, default=SoakSettings.ring, help="events kept for a resume")
    parser.add_argument("--queue", type=int, default=SoakSettings.queue, help="events a subscriber may lag")
    parser.add_argument("--drop-every", type=float, default=3.0, help="seconds between connection drops")
    parser.add_argument(
        "--initial-backoff",
        type=backoff_seconds,
        default=0.02,
        help="the reconnect backoff's first delay in seconds, passed to open_client ('default': the library's)",
    )
    parser.add_argument(
        "--stall-timeout", type=float, default=30.0, help="give up after this long with no event"
    )
    parser.add_argument("--json", action="store_true", help="also print every figure as one JSON object")
    parser.add_argument("--client", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        print(json.dumps(soak_client(args.port, args.events, args.initial_backoff, args.stall_timeout)))
        return 0

    started = time.perf_counter()
    plan = {
        "with drops": (args.events, args.drop_every),
        "without drops": (args.baseline_events or args.events, 0.0),
    }
    runs = {}
    for label, (events, drop_every) in plan.items():
        settings = SoakSettings(events, args.rate, args.ring, args.queue, drop_every)
        runs[label] = run_once(settings, args)
        print(f"{label}: done in {runs[label]['wall']:.1f} s", file=sys.stderr)
    report(runs, args, time.perf_counter() - started)
    if args.json:
        print(json.dumps(runs))
    return exit_code(runs)


if __name__ == "__main__":
    raise SystemExit(main())
