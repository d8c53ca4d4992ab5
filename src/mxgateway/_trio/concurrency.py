"""What tag subscriptions need from Trio: events, tasks in a nursery, waits with a timeout."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import trio

if TYPE_CHECKING:
    from mxgateway._client.tags import LoopEvent

T = TypeVar("T")


class NurseryTasks:
    def __init__(self, nursery: trio.Nursery) -> None:
        self._nursery = nursery

    def start(self, fn: Callable[[], Awaitable[None]]) -> None:
        self._nursery.start_soon(fn)


@contextlib.asynccontextmanager
async def nursery_tasks() -> AsyncIterator[NurseryTasks]:
    """A nursery for the block's background tasks, cancelled when the block ends.

    The tasks never raise (they hand failures over), so the one exception
    leaving is the block's own, unwrapped from the nursery's group.
    """
    from mxgateway._trio.client import _single_exception  # imported here: that module imports this one

    with _single_exception():
        async with trio.open_nursery() as nursery:
            try:
                yield NurseryTasks(nursery)
            finally:
                nursery.cancel_scope.cancel()


class TrioConcurrency:
    """The Trio side of ``mxgateway._client.tags.Concurrency``."""

    def event(self) -> trio.Event:
        return trio.Event()

    def tasks(self) -> contextlib.AbstractAsyncContextManager[NurseryTasks]:
        return nursery_tasks()

    async def wait(self, event: LoopEvent, timeout: float | None) -> bool:
        if timeout is None:
            await event.wait()
            return True
        with trio.move_on_after(max(timeout, 0.0)):
            await event.wait()
            return True
        return event.is_set()

    async def checkpoint(self) -> None:
        await trio.lowlevel.checkpoint()

    async def shielded(self, fn: Callable[[], Awaitable[T]]) -> T:
        with trio.CancelScope(shield=True):
            result = await fn()
        return result
