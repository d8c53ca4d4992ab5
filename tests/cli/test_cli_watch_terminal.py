"""``mxgw-py watch`` in a real terminal: a tmux pane, captured while the table updates, then Ctrl-C.

A terminal is watched from outside, so these tests poll the pane (every
0.1 s, each wait bounded); there is nothing to wait on instead.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from mxgateway.testing import ThreadedSimulator, run_simulator_in_thread

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
WAIT = 20.0
POLL = 0.1
COLOUR = re.compile(r"\x1b\[(?:3[0-7]|9[0-7]|38;)")  # a foreground colour, in any form


class Pane:
    """One tmux session on a private server (its own socket), running one command line."""

    def __init__(self, command: str) -> None:
        self.socket = f"mxgw-watch-{os.getpid()}-{time.monotonic_ns()}"
        # The pane stays after the command ends, so that its exit status can be read.
        shell = f"{command}; echo EXIT=$?; sleep 600"
        self._tmux("new-session", "-d", "-x", "120", "-y", "30", shell)

    def _tmux(self, *argv: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *argv], capture_output=True, text=True, timeout=WAIT, check=True
        )
        return done.stdout

    def capture(self, *, escapes: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(["-e"] if escapes else []))

    def send(self, keys: str) -> None:
        self._tmux("send-keys", keys)

    def wait_for(self, condition: Callable[[str], bool], what: str) -> str:
        deadline = time.monotonic() + WAIT
        while True:
            screen = self.capture()
            if condition(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"the pane never showed {what}:\n{screen}")
            time.sleep(POLL)

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=WAIT, check=False
        )


@pytest.fixture
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def watch_command(sim: ThreadedSimulator, *argv: str, no_color: bool = False) -> str:
    environment = {"MXGATEWAY_ENDPOINT": sim.endpoint, "MXGATEWAY_PLAINTEXT": "1", "TERM": "xterm-256color"}
    if no_color:
        environment["NO_COLOR"] = "1"
    assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in environment.items())
    words = " ".join(shlex.quote(w) for w in (sys.executable, "-m", "mxgateway_cli", "watch", *argv))
    return f"env -u NO_COLOR {assignments} {words}"


def row(screen: str, tag: str) -> list[str]:
    for line in screen.splitlines():
        if line.startswith(tag + " "):
            return [cell.strip() for cell in line.split("│")]
    return []


def test_the_table_updates_in_place_in_colour_and_ctrl_c_exits_130(sim: ThreadedSimulator) -> None:
    pane = Pane(watch_command(sim, "Object.Attribute", "Tank1.Setpoint"))
    try:

        def both_rows(screen: str) -> bool:
            return all(
                row(screen, tag)[2:3] == ["good (192)"] for tag in ("Object.Attribute", "Tank1.Setpoint")
            )

        first = pane.wait_for(both_rows, "a value in both rows")
        assert first.splitlines()[0].split() == ["tag", "┃", "value", "┃", "quality", "┃", "age"]
        assert row(first, "Tank1.Setpoint")[1:3] == ["60.0", "good (192)"]
        before = row(first, "Object.Attribute")[1]
        later = pane.wait_for(lambda s: row(s, "Object.Attribute")[1:2] not in ([before], []), "a new value")
        # In place: one table at the top of the pane, not a new one printed below the last.
        assert sum(line.startswith("tag ") for line in later.splitlines()) == 1
        assert later.splitlines()[0] == first.splitlines()[0]
        assert COLOUR.search(pane.capture(escapes=True))  # quality in colour on a terminal
        pane.send("C-c")
        ended = pane.wait_for(lambda s: "EXIT=" in s, "the exit status")
        assert "EXIT=130" in ended and "error: interrupted" in ended
    finally:
        pane.close()


def test_no_color_means_no_colour_even_on_a_terminal(sim: ThreadedSimulator) -> None:
    pane = Pane(watch_command(sim, "Object.Attribute", "--max-events", "2", no_color=True))
    try:
        ended = pane.wait_for(lambda s: "EXIT=" in s, "the exit status")
        assert "EXIT=0" in ended and len(row(ended, "Object.Attribute")) == 4
        assert not COLOUR.search(pane.capture(escapes=True))
    finally:
        pane.close()
