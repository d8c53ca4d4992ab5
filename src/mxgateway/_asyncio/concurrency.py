"""What tag subscriptions need from asyncio: events, background tasks, waits with a timeout."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self, TypeVar

if TYPE_CHECKING:
    from mxgateway._client.tags import LoopEvent

T = TypeVar("T")


class AsyncioTasks:
    """Background tasks of one block; leaving it cancels those still running and waits for them.

    Not an ``asyncio.TaskGroup``: that wraps the block's own exception in an
    ExceptionGroup, and these tasks never raise (they hand failures over).
    """

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[None]] = []

    async def __aenter__(self) -> Self:
        return self

    def start(self, fn: Callable[[], Awaitable[None]]) -> None:
        async def run() -> None:
            await fn()

        self._tasks.append(asyncio.get_running_loop().create_task(run()))

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)


class AsyncioConcurrency:
    """The asyncio side of ``mxgateway._client.tags.Concurrency``."""

    def event(self) -> asyncio.Event:
        return asyncio.Event()

    def tasks(self) -> AsyncioTasks:
        return AsyncioTasks()

    async def wait(self, event: LoopEvent, timeout: float | None) -> bool:
        if timeout is None:
            await event.wait()
            return True
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await event.wait()
        except TimeoutError:
            return event.is_set()
        return True

    async def checkpoint(self) -> None:
        await asyncio.sleep(0)

    async def shielded(self, fn: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            return await fn()

        task = asyncio.get_running_loop().create_task(run())
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            # Cancelled meanwhile: let the cleanup finish (it is bounded), then be cancelled.
            while not task.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait([task])
            if not task.cancelled() and task.exception() is not None:
                task.exception()  # retrieved: the cancellation is what the caller gets
            raise
