"""What the hosted and thread bridges share: a cancelled asyncio task seen from Trio, and loop shutdown."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, NoReturn

from mxgateway._errors import ClientClosedError


class TaskCancelled(Exception):
    """The asyncio task ended cancelled (the bridge turns it into trio.Cancelled)."""


def raise_for_cancelled_task(raise_cancel: Callable[[], Any] | None) -> NoReturn:
    """Raise what a cancelled asyncio task means to its Trio caller.

    When Trio asked for the cancellation, ``raise_cancel`` (from the abort
    callback) raises trio.Cancelled; a task the asyncio side cancelled on
    its own (the loop shutting down) is ClientClosedError.
    """
    if raise_cancel is not None:
        raise_cancel()
    raise ClientClosedError("the asyncio loop cancelled the call")


async def shutdown_loop() -> None:
    """Cancel what is left on the running loop, then finish async generators and the executor."""
    loop = asyncio.get_running_loop()
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks(loop) if task is not current]
    for task in leftovers:
        task.cancel()
    if leftovers:
        await asyncio.wait(leftovers)
    await loop.shutdown_asyncgens()
    await loop.shutdown_default_executor()
