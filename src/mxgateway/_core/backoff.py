"""gRPC's connection backoff, as a schedule of waits (no I/O).

The waits grow from ``initial_backoff`` by ``multiplier`` up to
``max_backoff``, each spread uniformly by +/- ``jitter`` of itself, as in
gRPC's connection-backoff algorithm; the schedule also says when to give up
(``max_attempts`` failed attempts, or ``give_up_after`` seconds since the
first failure).
"""

from __future__ import annotations

import random

from mxgateway._options import ReconnectPolicy


class Backoff:
    """The waits before each reconnect attempt of one outage; ``reset()`` once connected."""

    def __init__(self, policy: ReconnectPolicy, rng: random.Random | None = None) -> None:
        self._policy = policy
        self._rng = rng or random.Random()
        self._current = policy.initial_backoff
        self.attempts = 0
        self.failing_since: float | None = None

    def reset(self) -> None:
        self._current = self._policy.initial_backoff
        self.attempts = 0
        self.failing_since = None

    def next_wait(self, now: float) -> float | None:
        """Seconds to wait before the next attempt, or None when it is time to give up."""
        policy = self._policy
        if self.failing_since is None:
            self.failing_since = now
        if policy.max_attempts is not None and self.attempts >= policy.max_attempts:
            return None
        base = self._current
        wait = max(base + self._rng.uniform(-policy.jitter * base, policy.jitter * base), 0.0)
        if policy.give_up_after is not None:
            remaining = policy.give_up_after - (now - self.failing_since)
            if remaining <= 0:
                return None
            wait = min(wait, remaining)  # one last attempt right at the limit
        self.attempts += 1
        self._current = min(base * policy.multiplier, policy.max_backoff)
        return wait
