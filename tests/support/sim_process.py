"""`mxgw-py simulate` as a separate process, for tests that kill, restart or freeze a gateway."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

READY_TIMEOUT = 30.0


class SimulatorProcess:
    """One simulated gateway process; ``restart()`` brings a fresh one up on the same port."""

    def __init__(self, *extra: str) -> None:
        self._extra = extra
        self.port = 0
        self.process: subprocess.Popen[str] | None = None
        self.start()

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "mxgateway_cli", "simulate", "--port", str(self.port), "--json"]
        process = subprocess.Popen(
            [*command, *self._extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.process = process
        ready = _read_line(process, READY_TIMEOUT)
        document: dict[str, Any] = json.loads(ready)
        self.port = int(document["endpoint"].rsplit(":", 1)[1])

    def kill(self) -> None:
        """As a crashed gateway: SIGKILL, no goodbye on any connection."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            if self.process.stdout is not None:
                self.process.stdout.close()
            self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def close(self) -> None:
        if self.process is not None:
            self.thaw()
            self.kill()

    def __enter__(self) -> SimulatorProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The process's first stdout line, waited for with a bound (never a sleep)."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            process.kill()
            raise TimeoutError("the simulator process did not report ready")
        readable, _, _ = select.select([process.stdout], [], [], left)
        if readable:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the simulator process exited (status {process.wait(10)})")
            return line
