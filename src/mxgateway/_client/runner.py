"""The one interface between the shared client core and a front end's event loop.

grpclib lives in an asyncio loop. The client core (``core``, ``session``,
``streams``) is written once and reaches that loop only through a
``Runner``: the asyncio front end awaits the coroutine itself, the Trio
front end hands it to its bridge. What else differs between the loops (the
caller's ambient deadline, cleanup that must survive the caller's
cancellation, a lock) is here too, so that nothing else has to ask which
loop it runs in.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Runner(Protocol):
    async def run(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await fn(*args)`` in grpclib's asyncio loop (for Trio, a checkpoint)."""
        ...

    async def shielded(self, fn: Callable[..., Awaitable[T]], *args: Any) -> T:
        """``await fn(*args)`` in the caller's loop, even while the caller is being cancelled.

        For cleanup (closing a stream or a session on the way out of a
        block); ``fn`` bounds its own time.
        """
        ...

    def time_left(self) -> float | None:
        """Seconds until the caller's ambient deadline (Trio's cancel scopes); None: none."""
        ...

    def lock(self) -> AbstractAsyncContextManager[Any]:
        """A new lock of the caller's loop."""
        ...
