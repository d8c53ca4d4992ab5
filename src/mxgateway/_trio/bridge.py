"""Run asyncio coroutines (grpclib calls) from Trio: one small interface.

grpclib speaks asyncio only. A bridge runs a whole asyncio coroutine in an
asyncio loop and lets a Trio task wait for it; cancelling the Trio task
cancels the asyncio task and waits until it has finished, so a grpclib
stream context manager always exits inside its own loop (and resets its
HTTP/2 stream). Three implementations:

- ``HostedLoopBridge`` (``"hosted"``, the default where the platform allows
  it): a native asyncio loop whose iterations a Trio task runs, in Trio's
  own thread (see ``hosted_loop``);
- ``TrioAsyncioBridge`` (``"trio-asyncio"``): trio-asyncio's loop inside the
  Trio run, or the caller's own when already inside
  ``trio_asyncio.open_loop``; the default where no hosted loop is possible
  (Windows) and trio-asyncio imports;
- ``ThreadBridge`` (``"thread"``): a plain asyncio loop on a helper thread,
  for the rest (Windows on Pythons where trio-asyncio does not import).

``bridge=`` or ``MXGATEWAY_TRIO_BRIDGE`` picks one by name. With ``"auto"``
a hosted loop that fails its self-test (a changed asyncio internal) falls
back to the next bridge with a WARNING; asked for by name, it is a
``ClientConfigError``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, Protocol, TypeVar

import outcome
import trio

from mxgateway import _compat
from mxgateway._errors import ClientConfigError
from mxgateway._trio import hosted_loop
from mxgateway._trio.crossing import TaskCancelled, raise_for_cancelled_task, shutdown_loop

log = logging.getLogger("mxgateway")

T = TypeVar("T")
BridgeKind = Literal["auto", "hosted", "trio-asyncio", "thread"]
BRIDGE_KINDS = ("auto", "hosted", "trio-asyncio", "thread")
BRIDGE_ENV = "MXGATEWAY_TRIO_BRIDGE"
# Bounds the shielded shutdown of a bridge loop's leftover tasks and executor.
SHUTDOWN_TIMEOUT = 5.0


class AsyncioBridge(Protocol):
    name: str
    # Whether the asyncio loop runs in Trio's own thread: a call then costs no
    # thread hand-off, so an event stream needs no task fetching ahead.
    shares_thread: bool

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await fn(*args)`` in the asyncio loop; a Trio checkpoint."""
        ...


class TrioAsyncioBridge:
    name = "trio-asyncio"
    shares_thread = True

    def __init__(self, loop: Any) -> None:
        self._loop = loop

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        result: T = await self._loop.run_aio_coroutine(fn(*args))
        return result


def _task_outcome(task: asyncio.Task[T]) -> outcome.Outcome[T]:
    """The finished task's result as an Outcome; a cancelled task is TaskCancelled."""
    if task.cancelled():
        return outcome.Error(TaskCancelled())
    return outcome.capture(task.result)


async def _as_coroutine(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    return await fn(*args)


class ThreadBridge:
    """An asyncio loop on a daemon thread; results are handed back to Trio."""

    name = "thread"
    shares_thread = False

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        trio_token = trio.lowlevel.current_trio_token()
        trio_task = trio.lowlevel.current_task()
        holder: dict[str, asyncio.Task[T]] = {}

        def deliver(result: outcome.Outcome[T]) -> None:
            trio.lowlevel.reschedule(trio_task, result)

        def on_done(task: asyncio.Task[T]) -> None:
            # Runs in the asyncio thread once the task has completely finished.
            with contextlib.suppress(trio.RunFinishedError):
                trio_token.run_sync_soon(deliver, _task_outcome(task))

        def start() -> None:
            task = self._loop.create_task(_as_coroutine(fn, *args))
            holder["task"] = task
            task.add_done_callback(on_done)

        raise_cancel: Callable[[], Any] | None = None

        def abort(raise_cancel_arg: Callable[[], Any]) -> trio.lowlevel.Abort:
            nonlocal raise_cancel
            raise_cancel = raise_cancel_arg
            self._loop.call_soon_threadsafe(lambda: holder["task"].cancel())
            return trio.lowlevel.Abort.FAILED  # keep waiting until the task is done

        self._loop.call_soon_threadsafe(start)
        try:
            value: T = await trio.lowlevel.wait_task_rescheduled(abort)
        except TaskCancelled:
            raise_for_cancelled_task(raise_cancel)
        return value


def _choose(kind: str) -> str:
    kind = (os.environ.get(BRIDGE_ENV, "").strip() or kind) if kind == "auto" else kind
    if kind not in BRIDGE_KINDS:
        raise ClientConfigError(
            f"unknown Trio bridge {kind!r}: use one of {', '.join(map(repr, BRIDGE_KINDS))}"
        )
    if kind == "hosted":
        problem = _hosted_loop_problem()
        if problem is not None:
            raise ClientConfigError(f"the hosted Trio bridge cannot run here: {problem}")
        return kind
    if kind != "auto":
        return kind
    problem = _hosted_loop_problem()
    if problem is None:
        return "hosted"
    if hosted_loop.supported():  # possible here, but broken: say why before falling back
        log.warning("the hosted Trio bridge is unavailable, falling back: %s", problem)
    try:
        import trio_asyncio  # noqa: F401
    except ImportError:
        return "thread"
    return "trio-asyncio"


def _hosted_loop_problem() -> str | None:
    """Why a hosted loop cannot run here, or None when it can."""
    if not hosted_loop.supported():
        return (
            "it needs a selector with a file descriptor (not on this platform): "
            "use 'trio-asyncio' or 'thread'"
        )
    try:
        hosted_loop.self_test()
    except _compat.CompatError as error:
        return f"{error}; use 'trio-asyncio' or 'thread'"
    return None


@contextlib.asynccontextmanager
async def open_bridge(kind: BridgeKind | str = "auto") -> AsyncIterator[AsyncioBridge]:
    """Open the asyncio side for this Trio run (nursery-scoped)."""
    chosen = _choose(kind)
    if chosen == "hosted":
        async with hosted_loop.open_hosted_loop() as hosted:
            yield hosted
        return
    if chosen == "trio-asyncio":
        import trio_asyncio

        running = trio_asyncio.current_loop.get(None)
        if running is not None:
            bridge = TrioAsyncioBridge(running)
            await _check_grpclib_inside(bridge)
            yield bridge
            return
        # The loop lives in a background task rather than around the caller's
        # block: open_loop() shields its body and only forwards cancellation,
        # so a block inside it would no longer see the caller's deadlines.
        stop = trio.Event()
        async with trio.open_nursery() as nursery:
            loop = await nursery.start(_host_trio_asyncio_loop, stop)
            try:
                bridge = TrioAsyncioBridge(loop)
                await _check_grpclib_inside(bridge)
                yield bridge
            finally:
                stop.set()
        return
    async with _thread_loop() as loop:
        thread_bridge = ThreadBridge(loop)
        try:
            yield thread_bridge
        finally:
            with trio.CancelScope(shield=True) as cleanup:
                cleanup.deadline = trio.current_time() + SHUTDOWN_TIMEOUT
                try:
                    await thread_bridge.run(shutdown_loop)
                except Exception as error:  # the loop stops all the same
                    log.warning("shutting the asyncio loop thread down failed: %s", error)


async def _check_grpclib_inside(bridge: TrioAsyncioBridge) -> None:
    """grpclib must find the current task inside trio-asyncio's loop (see ``_compat``)."""
    import grpclib.utils

    async def probe() -> bool:
        return grpclib.utils._current_task() is not None

    try:
        _compat.let_grpclib_see_trio_asyncio()
        found = await bridge.run(probe)
    except (_compat.CompatError, RuntimeError) as error:
        raise ClientConfigError(f"the trio-asyncio bridge cannot run grpclib: {error}") from None
    if not found:
        raise ClientConfigError(
            str(_compat.CompatError("grpclib does not see the current task inside trio-asyncio's loop"))
        )


async def _host_trio_asyncio_loop(
    stop: trio.Event, task_status: trio.TaskStatus[Any] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run trio-asyncio's loop until ``stop`` is set.

    Shielded: when a cancellation reaches the whole client block, the calls
    it interrupts (and the shielded close of the transport) still need the
    loop to run their asyncio side to the end.
    """
    import trio_asyncio

    with trio.CancelScope(shield=True):
        async with trio_asyncio.open_loop() as loop:
            task_status.started(loop)
            await stop.wait()


@contextlib.asynccontextmanager
async def _thread_loop() -> AsyncIterator[asyncio.AbstractEventLoop]:
    # Not asyncio.new_event_loop(): once trio-asyncio is imported, that returns
    # trio-asyncio's loop, which cannot run on another thread.
    loop = asyncio.SelectorEventLoop()
    thread = threading.Thread(target=loop.run_forever, name="mxgateway-asyncio", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        with trio.CancelScope(shield=True):
            loop.call_soon_threadsafe(loop.stop)
            await trio.to_thread.run_sync(thread.join)
            loop.close()
