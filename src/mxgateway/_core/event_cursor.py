"""Event delivery state shared by both front ends (no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mxgateway._core.events import SessionRecovered, decode_event
from mxgateway.generated import mxaccess_gateway_pb2 as pb


class EventCursor:
    """Remembers the last ``worker_sequence`` delivered, for resuming a stream.

    A replay-gap marker moves the cursor to just before the oldest event the
    gateway still has, which is where a gap-free resume starts.
    """

    def __init__(self, after_worker_sequence: int = 0) -> None:
        self.last_worker_sequence = after_worker_sequence

    def observe(self, message: pb.MxEvent) -> None:
        sequence = message.worker_sequence
        if sequence:  # every event but the replay-gap marker has a sequence
            if sequence > self.last_worker_sequence:
                self.last_worker_sequence = sequence
        elif message.HasField("replay_gap"):
            self.last_worker_sequence = max(message.replay_gap.oldest_available_sequence - 1, 0)


EMPTY: Any = object()
"""What ``DeliveryQueue.take`` returns when the current chunk is used up."""


class DeliveryQueue:
    """Chunks in, one message out at a time; the cursor follows what was handed out.

    ``parse`` turns a buffered item into its message as it is handed out
    (the event stream buffers wire bytes; a ``SessionRecovered`` marker among
    them restarts the cursor); ``decode`` picks typed events
    (``decode_event``) or the raw messages; ``track`` is false for streams
    without worker sequences (the alarm feed).
    """

    __slots__ = ("_chunk", "_cursor", "_decode", "_next", "_parse", "_track")

    def __init__(
        self,
        after_worker_sequence: int = 0,
        *,
        decode: bool,
        track: bool = True,
        parse: Callable[[Any], Any] | None = None,
    ) -> None:
        self._chunk: list[Any] = []
        self._next = 0  # index of the next item to hand out
        self._cursor = EventCursor(after_worker_sequence)
        self._decode = decode
        self._track = track
        self._parse = parse

    @property
    def last_worker_sequence(self) -> int:
        return self._cursor.last_worker_sequence

    def __bool__(self) -> bool:
        return self._next < len(self._chunk)

    def clear(self) -> None:
        """Drop what is left of the current chunk."""
        self._chunk, self._next = [], 0

    def extend(self, chunk: list[Any]) -> None:
        """Queue a chunk; what is left of the current one comes first."""
        self._chunk = self._chunk[self._next :] + chunk if self else chunk
        self._next = 0

    def take(self) -> Any:
        """The next message (typed if ``decode``), or EMPTY."""
        index = self._next
        chunk = self._chunk
        if index >= len(chunk):
            return EMPTY
        self._next = index + 1
        message = chunk[index]
        if self._parse is not None:
            message = self._parse(message)
        if message.__class__ is SessionRecovered:
            self._cursor = EventCursor(0)  # the new session's sequences start again
            return message
        if self._track:
            self._cursor.observe(message)
        return decode_event(message) if self._decode else message
