"""Event delivery state shared by both front ends (no I/O)."""

from __future__ import annotations

import collections
from typing import Any

from mxgateway._core.events import decode_event
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


class DeliveryQueue:
    """Chunks in, one message out at a time; the cursor follows what was handed out.

    ``decode`` picks typed events (``decode_event``) or the raw messages;
    ``track`` is false for streams without worker sequences (the alarm feed).
    """

    def __init__(self, after_worker_sequence: int = 0, *, decode: bool, track: bool = True) -> None:
        self._pending: collections.deque[Any] = collections.deque()
        self._cursor = EventCursor(after_worker_sequence)
        self._decode = decode
        self._track = track

    @property
    def last_worker_sequence(self) -> int:
        return self._cursor.last_worker_sequence

    def __bool__(self) -> bool:
        return bool(self._pending)

    def extend(self, chunk: list[Any]) -> None:
        self._pending.extend(chunk)

    def pop(self) -> Any:
        message = self._pending.popleft()
        if self._track:
            self._cursor.observe(message)
        return decode_event(message) if self._decode else message
