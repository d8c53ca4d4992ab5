"""What every bridge does when an asyncio task started for a Trio caller ends."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import outcome

from mxgateway._errors import ClientClosedError

T = TypeVar("T")


class TaskCancelled(Exception):
    """The asyncio task ended cancelled (the bridge turns it into trio.Cancelled)."""


def task_outcome(task: asyncio.Task[T]) -> outcome.Outcome[T]:
    """The finished task's result as an Outcome; a cancelled task is TaskCancelled."""
    if task.cancelled():
        return outcome.Error(TaskCancelled())
    return outcome.capture(task.result)


def raise_for_cancelled_task(raise_cancel: Callable[[], Any] | None) -> NoReturn:
    """Raise what a cancelled asyncio task means to its Trio caller.

    When Trio asked for the cancellation, ``raise_cancel`` (from the abort
    callback) raises trio.Cancelled; a task the asyncio side cancelled on
    its own (the loop shutting down) is ClientClosedError.
    """
    if raise_cancel is not None:
        raise_cancel()
    raise ClientClosedError("the asyncio loop cancelled the call")


async def as_coroutine(fn: Callable[..., Awaitable[T]], *args: Any) -> T:
    return await fn(*args)
