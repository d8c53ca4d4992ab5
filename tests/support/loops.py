"""Helpers for tests that drive asyncio code from plain (sync) pytest tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

WAIT = 10.0


def run_asyncio(main: Callable[[], Awaitable[Any]] | Awaitable[Any], seconds: float = WAIT) -> Any:
    """Run on a plain selector loop, bounded by ``seconds``.

    A selector loop rather than ``asyncio.run``'s default: once trio-asyncio is
    imported (by the Trio tests), it changes what ``asyncio.run`` creates.
    """

    async def bounded() -> Any:
        async with asyncio.timeout(seconds):
            return await (main() if callable(main) else main)

    with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
        return runner.run(bounded())


class ManualClock:
    """A time source the test moves by hand (the simulator's ``clock``)."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
