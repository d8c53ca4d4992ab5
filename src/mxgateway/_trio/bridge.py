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

``bridge=`` or ``MXGATEWAY_TRIO_BRIDGE`` picks one by name.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Literal, Protocol, TypeVar

import outcome
import trio

from mxgateway._trio import hosted_loop
from mxgateway._trio.crossing import TaskCancelled, raise_for_cancelled_task

T = TypeVar("T")
BridgeKind = Literal["auto", "hosted", "trio-asyncio", "thread"]
BRIDGE_KINDS = ("auto", "hosted", "trio-asyncio", "thread")
BRIDGE_ENV = "MXGATEWAY_TRIO_BRIDGE"


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
    kind = os.environ.get(BRIDGE_ENV, kind) if kind == "auto" else kind
    if kind not in BRIDGE_KINDS:
        raise ValueError(f"unknown Trio bridge {kind!r}: use one of {', '.join(map(repr, BRIDGE_KINDS))}")
    if kind == "hosted" and not hosted_loop.supported():
        raise ValueError(
            "the hosted Trio bridge needs a selector with a file descriptor (not on this platform): "
            "use 'trio-asyncio' or 'thread'"
        )
    if kind != "auto":
        return kind
    if hosted_loop.supported():
        return "hosted"
    try:
        import trio_asyncio  # noqa: F401
    except ImportError:
        return "thread"
    return "trio-asyncio"


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

        _let_grpclib_see_trio_asyncio()
        running = trio_asyncio.current_loop.get(None)
        if running is not None:
            yield TrioAsyncioBridge(running)
            return
        # The loop lives in a background task rather than around the caller's
        # block: open_loop() shields its body and only forwards cancellation,
        # so a block inside it would no longer see the caller's deadlines.
        stop = trio.Event()
        async with trio.open_nursery() as nursery:
            loop = await nursery.start(_host_trio_asyncio_loop, stop)
            try:
                yield TrioAsyncioBridge(loop)
            finally:
                stop.set()
        return
    async with _thread_loop() as loop:
        yield ThreadBridge(loop)


def _let_grpclib_see_trio_asyncio() -> None:
    """Point grpclib's saved ``asyncio.current_task`` at trio-asyncio's version.

    grpclib keeps ``asyncio.current_task`` from its own import time. From
    Python 3.12 that is C code reading the thread's running loop, which
    trio-asyncio's loop never sets, so every grpclib call inside it failed
    with "no running event loop". trio-asyncio's replacement (installed
    when it is imported) answers for its loops and defers to the original
    everywhere else, the hosted loop included.
    """
    import grpclib.utils

    if grpclib.utils._current_task is not asyncio.current_task:
        grpclib.utils._current_task = asyncio.current_task


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
