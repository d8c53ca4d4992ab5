"""Turn chunks of raw MxEvents into typed events, tracking the resume point."""

from __future__ import annotations

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
