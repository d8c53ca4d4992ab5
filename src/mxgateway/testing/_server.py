"""Start and control the simulated gateway (asyncio, a helper thread, or the shell)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from mxgateway import _compat
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing._auth import Authenticator, key_set
from mxgateway.testing._galaxy import Galaxy, load_galaxy
from mxgateway.testing._repository import GalaxyFileWatch, SimulatedRepository
from mxgateway.testing._service import SimulatedGateway, SimulatorSettings

T = TypeVar("T")
log = logging.getLogger("mxgateway.testing")
ApiKeys = Mapping[str, Iterable[str]] | Iterable[str] | None


def server_ssl_context(cert_file: str | Path, key_file: str | Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert_file), str(key_file))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["h2"])
    return context


class Simulator:
    """A running simulated gateway on ``endpoint``; its methods run in its own loop."""

    def __init__(
        self,
        service: SimulatedGateway,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
        repository: SimulatedRepository | None = None,
    ) -> None:
        self.service = service
        self.repository = repository or SimulatedRepository(service)
        self.host = host
        self.port = port
        self.tls = ssl_context is not None
        self._ssl = ssl_context
        self._server: Any = None

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"

    def __repr__(self) -> str:
        return f"<Simulator {self.endpoint} tls={self.tls}>"

    async def _start(self) -> None:
        # The tracking server knows its connections, so that faults can cut them.
        server = _compat.tracking_server([self.service, self.repository])
        await server.start(self.host, self.port, ssl=self._ssl, reuse_address=True)
        self.port = _compat.listening_port(server)
        self._server = server

    async def _stop(self) -> None:
        if self._server is not None:
            await self._server.shutdown()
            self._server = None

    # ------------------------------------------------------ fault injection

    async def drop_connections(self) -> None:
        """Close every client connection (as a crashed gateway would), then listen again."""
        await self._stop()
        await self._start()

    def set_reply_delay(self, seconds: float) -> None:
        """Delay every unary reply (and the start of streams) by ``seconds``."""
        self.service.reply_delay = seconds

    def fault_session(self, session_id: str, reason: str = "worker process exited (fault injected)") -> None:
        """Fault a session as a crashed worker would: its commands and streams fail from now on."""
        self.service.fault_session(session_id, reason)

    def stall_events(self) -> None:
        """Stop delivering events on every stream (they keep queueing)."""
        self.service.set_events_flowing(False)

    def resume_events(self) -> None:
        self.service.set_events_flowing(True)

    def tick(self) -> None:
        """Advance event generation now (tests use it instead of waiting for the timer)."""
        self.service.tick()

    def redeploy(self, galaxy: Galaxy | str | Path | None = None) -> int:
        """Deploy again (``galaxy``, a galaxy file, or the running galaxy); returns the deploy's sequence.

        Deploy watchers get a DeployEvent and page tokens issued before become
        stale. A galaxy file that does not load raises ``GalaxyError`` and
        changes nothing.
        """
        loaded = galaxy if isinstance(galaxy, Galaxy) or galaxy is None else load_galaxy(galaxy)
        return int(self.repository.deploy(loaded).sequence)

    def session_ids(self) -> list[str]:
        """Every session the simulator knows, closed ones included."""
        return list(self.service.sessions)

    def session_state(self, session_id: str) -> str:
        """``"READY"``, ``"FAULTED"`` or ``"CLOSED"`` (KeyError for an unknown id)."""
        return pb.SessionState.Name(self.service.sessions[session_id].state).removeprefix("SESSION_STATE_")

    def statistics(self) -> dict[str, Any]:
        """A snapshot: calls per method, sessions by state, streams open and cancelled, ..."""
        snapshot = self.service.stats.snapshot(self.service.sessions)
        snapshot["deploy_streams_open"] = self.repository.deploy_streams_open
        return snapshot

    def last_authorization(self, method: str) -> str | None:
        """The authorization header of the last call of ``method`` (e.g. ``"Invoke"``)."""
        return self.service.stats.last_authorization.get(method)

    def last_metadata(self, method: str) -> dict[str, str]:
        """All text metadata of the last call of ``method`` (empty if none came)."""
        return dict(self.service.stats.last_metadata.get(method, {}))

    async def wait_for_events_sent(self, count: int) -> None:
        """Until ``count`` events in total went out on event streams."""
        await self.service.stats.wait_for_events_sent(count)

    async def wait_for_stream_cancels(self, count: int = 1) -> None:
        """Until the simulator saw ``count`` event streams cancelled (reset or disconnected) in total."""
        stats = self.service.stats
        await stats.wait_until(lambda: stats.event_streams_cancelled >= count)

    async def wait_for_commands_done(self) -> None:
        """Until no command is running, including ones whose caller gave up waiting."""
        sessions = self.service.sessions
        await self.service.stats.wait_until(lambda: all(s.pending_commands == 0 for s in sessions.values()))

    async def wait_for_event_streams_open(self, count: int = 1) -> None:
        """Until exactly ``count`` event streams are attached (0: all have ended)."""
        stats = self.service.stats
        await stats.wait_until(lambda: stats.event_streams_open == count)

    async def wait_for_deploy_watchers(self, count: int = 1) -> None:
        """Until exactly ``count`` WatchDeployEvents streams are attached (0: all have ended)."""
        repository = self.repository
        await self.service.stats.wait_until(lambda: repository.deploy_streams_open == count)


async def _tick_forever(service: SimulatedGateway) -> None:
    while True:
        await asyncio.sleep(service.settings.tick_interval)
        service.tick()


async def _watch_galaxy_file(simulator: Simulator, watch: GalaxyFileWatch, interval: float) -> None:
    """Redeploy whenever the galaxy file the simulator started from changes into a valid galaxy."""
    while True:
        await asyncio.sleep(interval)
        try:
            changed = watch.check()
            if changed is not None:
                sequence = simulator.redeploy(changed)
                log.info("galaxy file %s changed: deployed it (deploy %d)", watch.path, sequence)
        except Exception:  # a bug must not end the watch: the next change is tried again
            log.exception("galaxy file %s: the redeploy failed; the old galaxy stays", watch.path)


@contextlib.asynccontextmanager
async def serve_simulator(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    galaxy: Galaxy | str | Path | None = None,
    api_keys: ApiKeys = None,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    settings: SimulatorSettings | None = None,
    clock: Callable[[], float] | None = None,
    wall_clock: Callable[[], datetime] | None = None,
    galaxy_poll_interval: float = 1.0,
) -> AsyncIterator[Simulator]:
    """Run the simulator in the current asyncio loop for the block (port 0: any free port).

    ``clock`` (seconds, monotonic) drives value changes, the replay window
    and session leases; ``wall_clock`` (aware datetimes) stamps values and
    events. Both default to the real time. A galaxy given as a file is
    checked for changes every ``galaxy_poll_interval`` real seconds and
    redeployed when it changes.
    """
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("TLS needs both a certificate and a key")
    if galaxy_poll_interval <= 0:
        raise ValueError("galaxy_poll_interval must be positive")
    watch = None if galaxy is None or isinstance(galaxy, Galaxy) else GalaxyFileWatch(galaxy)
    loaded = galaxy if isinstance(galaxy, Galaxy) else watch.galaxy if watch else load_galaxy()
    service_kwargs: dict[str, Any] = {}
    if clock is not None:
        service_kwargs["clock"] = clock
    if wall_clock is not None:
        service_kwargs["wall_clock"] = wall_clock
    service = SimulatedGateway(
        loaded, Authenticator(key_set(api_keys)), settings or SimulatorSettings(), **service_kwargs
    )
    context = server_ssl_context(tls_cert, tls_key) if tls_cert is not None and tls_key is not None else None
    simulator = Simulator(service, host, port, context)
    await simulator._start()
    ticker = asyncio.create_task(_tick_forever(service))
    watcher = (
        asyncio.create_task(_watch_galaxy_file(simulator, watch, galaxy_poll_interval)) if watch else None
    )
    try:
        yield simulator
    finally:
        ticker.cancel()
        await asyncio.wait([ticker])
        if watcher is not None:
            watcher.cancel()
            await asyncio.wait([watcher])
        await simulator._stop()
        await service.aclose()


class ThreadedSimulator:
    """A simulator on its own asyncio loop in a helper thread; methods are thread-safe.

    The control methods are those of ``Simulator``, called from any thread;
    the ``wait_for_*`` ones block and return False when ``timeout`` runs out.
    """

    def __init__(self, simulator: Simulator, loop: asyncio.AbstractEventLoop) -> None:
        self.simulator = simulator
        self._loop = loop

    @property
    def endpoint(self) -> str:
        return self.simulator.endpoint

    @property
    def port(self) -> int:
        return self.simulator.port

    @property
    def tls(self) -> bool:
        return self.simulator.tls

    def __repr__(self) -> str:
        return f"<ThreadedSimulator {self.endpoint} tls={self.tls}>"

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the simulator's loop and return its result."""

        async def run() -> T:
            return fn(*args)

        return self.run(run)

    def run(self, fn: Callable[..., Awaitable[T]], *args: Any, timeout: float = 30.0) -> T:
        """Await ``fn(*args)`` in the simulator's loop and return its result."""
        if self._loop.is_closed():
            raise RuntimeError("the simulator has stopped")
        return asyncio.run_coroutine_threadsafe(_awaited(fn, *args), self._loop).result(timeout)

    def drop_connections(self) -> None:
        self.run(self.simulator.drop_connections)

    def set_reply_delay(self, seconds: float) -> None:
        self.call(self.simulator.set_reply_delay, seconds)

    def fault_session(self, session_id: str, reason: str = "worker process exited (fault injected)") -> None:
        self.call(self.simulator.fault_session, session_id, reason)

    def stall_events(self) -> None:
        self.call(self.simulator.stall_events)

    def resume_events(self) -> None:
        self.call(self.simulator.resume_events)

    def tick(self) -> None:
        self.call(self.simulator.tick)

    def redeploy(self, galaxy: Galaxy | str | Path | None = None) -> int:
        return self.call(self.simulator.redeploy, galaxy)

    def session_ids(self) -> list[str]:
        return self.call(self.simulator.session_ids)

    def session_state(self, session_id: str) -> str:
        return self.call(self.simulator.session_state, session_id)

    def statistics(self) -> dict[str, Any]:
        return self.call(self.simulator.statistics)

    def last_authorization(self, method: str) -> str | None:
        return self.call(self.simulator.last_authorization, method)

    def last_metadata(self, method: str) -> dict[str, str]:
        return self.call(self.simulator.last_metadata, method)

    def _wait(self, waiting: Callable[[], Awaitable[None]], timeout: float) -> bool:
        async def bounded() -> bool:
            try:
                async with asyncio.timeout(timeout):
                    await waiting()
            except TimeoutError:
                return False
            return True

        return self.run(bounded, timeout=timeout + 5)

    def wait_for_events_sent(self, count: int, timeout: float = 10.0) -> bool:
        """Block until ``count`` events in total went out on event streams."""
        return self._wait(lambda: self.simulator.wait_for_events_sent(count), timeout)

    def wait_for_stream_cancels(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until ``count`` event streams in total were cancelled (reset by a client)."""
        return self._wait(lambda: self.simulator.wait_for_stream_cancels(count), timeout)

    def wait_for_stream_cancel(self, timeout: float = 10.0) -> bool:
        """Block until the simulator saw an event stream cancelled (reset by the client)."""
        return self.wait_for_stream_cancels(1, timeout)

    def wait_for_commands_done(self, timeout: float = 10.0) -> bool:
        """Block until no command is running (cancelled callers' commands run on)."""
        return self._wait(self.simulator.wait_for_commands_done, timeout)

    def wait_for_event_streams_open(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until exactly ``count`` event streams are attached."""
        return self._wait(lambda: self.simulator.wait_for_event_streams_open(count), timeout)

    def wait_for_deploy_watchers(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until exactly ``count`` WatchDeployEvents streams are attached."""
        return self._wait(lambda: self.simulator.wait_for_deploy_watchers(count), timeout)


async def _awaited(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    return await fn(*args)


@contextlib.contextmanager
def run_simulator_in_thread(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    galaxy: Galaxy | str | Path | None = None,
    api_keys: ApiKeys = None,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    settings: SimulatorSettings | None = None,
    clock: Callable[[], float] | None = None,
    wall_clock: Callable[[], datetime] | None = None,
    galaxy_poll_interval: float = 1.0,
) -> Iterator[ThreadedSimulator]:
    """Run the simulator on a helper thread for the block (Trio tests, sync code, the CLI).

    Takes the options of ``serve_simulator``; ``clock`` and ``wall_clock``
    are then called on the helper thread.
    """
    # A plain selector loop: asyncio.new_event_loop() would give trio-asyncio's
    # loop when that is imported, and it cannot run on another thread.
    loop = asyncio.SelectorEventLoop()
    started: Future[Simulator] = Future()
    stopping: dict[str, asyncio.Event] = {}

    async def main() -> None:
        stopping["event"] = asyncio.Event()
        try:
            async with serve_simulator(
                host=host,
                port=port,
                galaxy=galaxy,
                api_keys=api_keys,
                tls_cert=tls_cert,
                tls_key=tls_key,
                settings=settings,
                clock=clock,
                wall_clock=wall_clock,
                galaxy_poll_interval=galaxy_poll_interval,
            ) as simulator:
                started.set_result(simulator)
                await stopping["event"].wait()
        except BaseException as exc:
            if not started.done():
                started.set_exception(exc)
            else:
                raise

    thread = threading.Thread(
        target=loop.run_until_complete, args=(main(),), name="mxgateway-simulator", daemon=True
    )
    thread.start()
    try:
        simulator = started.result(30)
        yield ThreadedSimulator(simulator, loop)
    finally:
        if "event" in stopping and thread.is_alive():
            loop.call_soon_threadsafe(stopping["event"].set)
        thread.join(30)
        loop.close()


def serve_forever(
    *,
    host: str = "127.0.0.1",
    port: int = 5000,
    galaxy_path: str | Path | None = None,
    api_keys: ApiKeys = None,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    ready: Callable[[Simulator], None] | None = None,
) -> None:
    """Run the simulator until the process is interrupted (``mxgw-py simulate``)."""

    async def main() -> None:
        async with serve_simulator(
            host=host, port=port, galaxy=galaxy_path, api_keys=api_keys, tls_cert=tls_cert, tls_key=tls_key
        ) as simulator:
            if ready is not None:
                ready(simulator)
            await asyncio.Event().wait()

    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        runner.run(main())
