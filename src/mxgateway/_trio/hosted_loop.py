"""A native asyncio event loop run by a Trio task, in Trio's own thread.

grpclib speaks asyncio only. trio-asyncio turns every asyncio callback into
a step of a Trio task (a Trio scheduling round each), and a helper thread
costs two thread wake-ups per crossing; both showed in the benchmarks as a
quarter or more of a unary call. This module runs a plain
``SelectorEventLoop`` instead, one non-blocking iteration at a time: a Trio
task (the driver) waits for the loop's selector file descriptor to become
readable, or for the loop's next timer, and then runs the ready callbacks
natively. A coroutine started from Trio while the driver sleeps runs its
first steps at once in the calling task, so a call's request is on the
wire before the caller sleeps.

The loop internals this needs are reached through ``mxgateway._compat``.
``self_test()`` runs a hosted loop through timers, I/O readiness, tasks and
the running-loop bookkeeping once per process; ``open_client`` falls back
to another bridge when it fails (see ``bridge``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import select
import selectors
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import outcome
import sniffio
import trio

from mxgateway import _compat
from mxgateway._trio.crossing import TaskCancelled, raise_for_cancelled_task, shutdown_loop

T = TypeVar("T")
log = logging.getLogger("mxgateway")

# Iterations run back to back before the driver lets other Trio tasks in.
DRIVER_BURST = 64
# Iterations a caller runs inline after starting a coroutine: enough for a
# gRPC call to send its request, or for an already-buffered chunk to return.
INLINE_BURST = 8
# Bounds the shielded shutdown of the loop's leftover tasks and executor.
SHUTDOWN_TIMEOUT = 5.0



def supported() -> bool:
    """Whether this platform's selector has a pollable descriptor (not Windows)."""
    return hasattr(selectors.DefaultSelector, "fileno")


class _PollingSelector(selectors.DefaultSelector):
    """The default selector, except that ``select`` never waits: Trio does the waiting.

    With ``skip`` set it does not even poll, so that an iteration only runs
    the callbacks that are ready (a caller's inline burst leaves I/O to the
    driver, which is woken for it anyway).
    """

    skip = False

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if self.skip:
            return []
        events: list[tuple[selectors.SelectorKey, int]] = super().select(0)
        return events


class HostedEventLoop(asyncio.SelectorEventLoop):
    """A SelectorEventLoop whose iterations are run by Trio code (``run_ready``)."""

    def __init__(self) -> None:
        self._polling_selector = _PollingSelector()
        super().__init__(self._polling_selector)

    def fileno(self) -> int:
        """The selector's descriptor: readable when an I/O callback is due."""
        return int(self._polling_selector.fileno())

    def has_ready_callbacks(self) -> bool:
        return _compat.has_ready_callbacks(self)

    def next_timer_delay(self) -> float:
        """Seconds until the earliest timer (``inf`` when there is none)."""
        when = _compat.earliest_timer(self)
        return math.inf if when is None else max(when - self.time(), 0.0)

    @trio.lowlevel.enable_ki_protection  # Ctrl-C waits for a checkpoint, never splits an iteration
    def run_ready(self, max_iterations: int, *, poll: bool = True) -> None:
        """Run iterations until no callback is ready (bounded), as run_forever would.

        Each iteration polls I/O without waiting, unless ``poll`` is false.

        Inside, the loop is the running loop of this thread for asyncio, for
        trio-asyncio's patched lookups and for sniffio, and owns the async
        generator hooks; everything is restored afterwards.
        """
        previous_loop = _compat.get_running_loop_or_none()
        previous_hooks = sys.get_asyncgen_hooks()
        previous_library = sniffio.thread_local.name
        trio_asyncio = sys.modules.get("trio_asyncio")
        marker = trio_asyncio.current_loop.set(self) if trio_asyncio is not None else None
        firstiter, finalizer = _compat.asyncgen_hooks(self)
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)
        _compat.set_running_loop(self)
        _compat.mark_running_in_this_thread(self, True)
        sniffio.thread_local.name = "asyncio"
        self._polling_selector.skip = not poll
        try:
            for _ in range(max_iterations):
                _compat.run_once(self)
                if not _compat.has_ready_callbacks(self):
                    break
        finally:
            self._polling_selector.skip = False
            sniffio.thread_local.name = previous_library
            _compat.mark_running_in_this_thread(self, False)
            _compat.set_running_loop(previous_loop)
            sys.set_asyncgen_hooks(*previous_hooks)
            if marker is not None and trio_asyncio is not None:
                trio_asyncio.current_loop.reset(marker)


def self_test() -> None:
    """Run a hosted loop through what the bridge relies on; raise CompatError if it fails.

    Checked once per process: the loop internals (``_compat``), a timer, I/O
    readiness seen through the selector's descriptor, a task, and the
    running-loop bookkeeping inside and after an iteration.
    """
    failure = _self_test_failure()
    if failure is not None:
        raise _compat.CompatError(f"the hosted asyncio loop failed its self-test: {failure}")


@functools.cache
def _self_test_failure() -> str | None:
    try:
        _compat.check_event_loop_internals()
    except _compat.CompatError as error:
        return error.what
    loop = HostedEventLoop()
    reader, writer = socket.socketpair()
    outside = _compat.get_running_loop_or_none()
    try:
        seen: list[str] = []

        async def task_body() -> None:
            await asyncio.sleep(0)
            if asyncio.get_running_loop() is loop and sniffio.current_async_library() == "asyncio":
                seen.append("task")

        loop.add_reader(reader.fileno(), lambda: seen.append(reader.recv(1).decode()))
        loop.call_later(0.0, seen.append, "timer")
        task = loop.create_task(task_body())
        writer.send(b"!")
        if loop.next_timer_delay() != 0.0 and "timer" not in seen:
            return "a due timer is not reported as due"
        readable, _, _ = select.select([loop.fileno()], [], [], 1.0)
        if not readable:
            return "the selector's descriptor did not become readable for ready I/O"
        for _ in range(20):
            loop.run_ready(DRIVER_BURST)
            if task.done() and "!" in seen and "timer" in seen:
                break
        if sorted(seen) != ["!", "task", "timer"]:
            return f"callbacks, timers and tasks did not all run (saw {sorted(seen)})"
        if _compat.get_running_loop_or_none() is not outside:
            return "the running loop was not restored after an iteration"
        return None
    except Exception as error:  # anything unexpected is a failed self-test, not a crash
        return f"{type(error).__name__}: {error}"
    finally:
        loop.remove_reader(reader.fileno())
        reader.close()
        writer.close()
        loop.close()


class _PendingCall:
    """One coroutine started from Trio, and where its outcome goes."""

    __slots__ = ("bridge", "outcome", "started", "trio_task", "waiting")

    def __init__(self, bridge: HostedLoopBridge, trio_task: trio.lowlevel.Task) -> None:
        self.bridge = bridge
        self.trio_task = trio_task
        self.started = False
        self.waiting = False
        self.outcome: outcome.Outcome[Any] | None = None

    def finish(self, result: outcome.Outcome[Any]) -> None:
        # Runs inside an iteration, so inside some Trio task: rescheduling is allowed.
        self.outcome = result
        if self.waiting:
            trio.lowlevel.reschedule(self.trio_task, result)
            self.bridge.woke_callers += 1

    async def run(self, fn: Callable[..., Awaitable[Any]], args: tuple[Any, ...]) -> None:
        """The asyncio task's body: hands the outcome over the moment ``fn`` ends.

        Not from a done callback, which would cost one more loop iteration.
        """
        self.started = True
        try:
            result: outcome.Outcome[Any] = outcome.Value(await fn(*args))
        except asyncio.CancelledError:
            self.finish(outcome.Error(TaskCancelled()))
            raise
        except BaseException as error:
            self.finish(outcome.Error(error))
            if not isinstance(error, Exception):
                raise
            return
        self.finish(result)


class HostedLoopBridge:
    """The AsyncioBridge over a HostedEventLoop (see the module docstring)."""

    name = "hosted"
    shares_thread = True

    def __init__(self, loop: HostedEventLoop) -> None:
        self.loop = loop
        self._idle: trio.CancelScope | None = None  # the driver's wait, while it waits
        self.woke_callers = 0  # Trio tasks a burst handed a result to
        self._driver_scope = trio.CancelScope(shield=True)

    async def drive(self, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the loop until ``stop()`` (the bridge's background task).

        Shielded: a cancellation around the whole client block reaches the
        callers, whose asyncio tasks must then still run to their end (and
        reset their HTTP/2 streams), which needs this loop to keep turning.
        """
        loop = self.loop
        descriptor = loop.fileno()
        task_status.started()
        with self._driver_scope:
            await self._turn_until_stopped(loop, descriptor)

    def stop(self) -> None:
        """End the driver (after the loop's work was shut down)."""
        self._driver_scope.cancel()

    async def _turn_until_stopped(self, loop: HostedEventLoop, descriptor: int) -> None:
        while True:
            self.woke_callers = 0
            loop.run_ready(DRIVER_BURST)
            if self.woke_callers > 1:
                # Let the Trio tasks it woke run first: what they start next
                # is then picked up by one burst instead of an inline run
                # each. They run in the next batch, and so may this task:
                # the second schedule point puts it after them in any order.
                # A single woken caller is better served by waiting at once:
                # its next call then runs its first steps inline (no round).
                await trio.lowlevel.checkpoint()
                await trio.lowlevel.checkpoint()
                continue
            if loop.has_ready_callbacks():
                await trio.lowlevel.checkpoint()
                continue
            try:
                with trio.move_on_after(loop.next_timer_delay()) as idle:
                    self._idle = idle
                    await trio.lowlevel.wait_readable(descriptor)
            finally:
                self._idle = None

    def _wake_driver(self) -> None:
        """Make the driver look at the loop again (after Trio code scheduled work in it)."""
        idle = self._idle
        if idle is None:
            return  # the driver is not waiting: it runs the loop before it waits again
        if self.loop.has_ready_callbacks():
            idle.cancel()
            return
        delay = self.loop.next_timer_delay()
        if delay < math.inf:  # a new earliest timer moves the driver's wake-up, without a wake-up now
            idle.deadline = min(idle.deadline, trio.current_time() + delay)

    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        await trio.lowlevel.checkpoint_if_cancelled()
        pending = _PendingCall(self, trio.lowlevel.current_task())
        task = self.loop.create_task(pending.run(fn, args))
        idle = self._idle
        if idle is not None and not idle.cancel_called:
            # The driver sleeps: run the first steps here (a request goes out
            # now). Otherwise the driver is about to run a burst anyway.
            self.loop.run_ready(INLINE_BURST, poll=False)
        self._wake_driver()
        if pending.outcome is not None:  # done already: a schedule point that cannot lose the result
            await trio.lowlevel.cancel_shielded_checkpoint()
            try:
                done: T = pending.outcome.unwrap()
            except TaskCancelled:
                raise_for_cancelled_task(None)
            return done
        pending.waiting = True
        raise_cancel: Callable[[], Any] | None = None

        def abort(raise_cancel_arg: Callable[[], Any]) -> trio.lowlevel.Abort:
            nonlocal raise_cancel
            raise_cancel = raise_cancel_arg
            task.cancel()
            self._wake_driver()
            if not pending.started:
                return trio.lowlevel.Abort.SUCCEEDED  # the body never runs: nothing to wait for
            return trio.lowlevel.Abort.FAILED  # keep waiting until the body has finished

        try:
            value: T = await trio.lowlevel.wait_task_rescheduled(abort)
        except TaskCancelled:
            raise_for_cancelled_task(raise_cancel)
        return value


@asynccontextmanager
async def open_hosted_loop() -> AsyncIterator[HostedLoopBridge]:
    """A hosted loop for the duration of the block; its driver lives in the block's nursery."""
    bridge = HostedLoopBridge(HostedEventLoop())
    try:
        async with trio.open_nursery() as nursery:
            await nursery.start(bridge.drive)
            try:
                yield bridge
            finally:
                try:
                    with trio.CancelScope(shield=True) as cleanup:
                        cleanup.deadline = trio.current_time() + SHUTDOWN_TIMEOUT
                        await bridge.run(shutdown_loop)
                except Exception as error:  # the loop closes all the same
                    log.warning("shutting the hosted asyncio loop down failed: %s", error)
                finally:
                    bridge.stop()
    finally:
        bridge.loop.close()
