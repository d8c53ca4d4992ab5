"""`mxgw-py simulate` as a separate process, for tests that kill, restart or freeze a gateway."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import weakref
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


# Bytes read past the last line, per pipe (weakly: a closed pipe's number is reused).
_pending: weakref.WeakKeyDictionary[Any, bytes] = weakref.WeakKeyDictionary()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The process's next stdout line, waited for with a bound (never a sleep).

    Reads the pipe's descriptor directly and keeps what comes after the line:
    a buffered ``readline`` would swallow a second line that arrived with the
    first, and ``select`` would then wait for data already read.
    """
    assert process.stdout is not None
    pipe = process.stdout
    descriptor = pipe.fileno()
    buffer = _pending.pop(pipe, b"")
    deadline = time.monotonic() + timeout
    while b"\n" not in buffer:
        left = deadline - time.monotonic()
        if left <= 0:
            process.kill()
            raise TimeoutError("the process printed no (complete) line in time")
        readable, _, _ = select.select([descriptor], [], [], left)
        if readable:
            chunk = os.read(descriptor, 65536)
            if not chunk:
                raise RuntimeError(f"the process exited (status {process.wait(10)})")
            buffer += chunk
    line, _, rest = buffer.partition(b"\n")
    if rest:
        _pending[pipe] = rest
    return line.decode() + "\n"
