"""The programs of docs/guide-trio.md and docs/guide-asyncio.md run as written, against a simulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mxgateway.testing import ThreadedSimulator, run_simulator_in_thread

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = ("guide-trio.md", "guide-asyncio.md")
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
WAIT = 60.0


def programs() -> list[tuple[str, str]]:
    found = []
    for guide in GUIDES:
        blocks = BLOCK.findall((DOCS / guide).read_text("utf-8"))
        found += [(f"{guide}#{number}", block) for number, block in enumerate(blocks, start=1)]
    return found


PROGRAMS = programs()


@pytest.fixture(scope="module")
def sim() -> Iterator[ThreadedSimulator]:
    with run_simulator_in_thread() as simulator:
        yield simulator


def test_each_guide_has_its_two_programs() -> None:
    assert [name for name, _ in PROGRAMS] == [f"{g}#{n}" for g in GUIDES for n in (1, 2)]


@pytest.mark.parametrize(("name", "program"), PROGRAMS, ids=[name for name, _ in PROGRAMS])
def test_the_program_runs_as_written(sim: ThreadedSimulator, name: str, program: str) -> None:
    environment = {**os.environ, "MXGATEWAY_ENDPOINT": sim.endpoint}
    done = subprocess.run(
        [sys.executable, "-c", program],
        env=environment,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    if name.endswith("#1"):
        assert "read Tank1.Level" in out and "read Pump1.Running" in out
        assert out.count("change ") == 5 and "change Object.Attribute" in out
        assert "wrote 65.0" in out
    else:
        assert "Tank1.Setpoint value:" in out and "No.Such.Tag error:" in out
        assert "refused: ['Pump1.Nothing']" in out
        assert "now: ('Tank1.Setpoint', 'Pump1.Running', 'Pump1.Nothing')" in out
        assert "setpoint is now 70.0" in out and "setpoint is now 75.0" in out
        assert "write failed: 0x80040200 OPERATIONAL_ERROR" in out and "secured write done" in out
    assert sim.statistics()["sessions"].keys() <= {"CLOSED"}


def test_the_readme_trio_example_runs() -> None:
    """The README's Trio block, with a simulator's endpoint and key, and 1 s where it says 10."""
    from mxgateway.testing import generate_api_key

    readme = (DOCS.parent / "README.md").read_text("utf-8")
    section = readme[readme.index("## Library: Trio") :]
    (program,) = BLOCK.findall(section)[:1]
    key = generate_api_key("readme")
    with run_simulator_in_thread(api_keys=[key]) as sim:
        edited = (
            program.replace('"localhost:5000"', repr(sim.endpoint))
            .replace('"<key>"', repr(key))
            .replace("trio.move_on_after(10)", "trio.move_on_after(1)")
        )
        assert edited.count(sim.endpoint) == 1 and edited.count(key) == 1 and "move_on_after(1)" in edited
        done = subprocess.run(
            [sys.executable, "-c", edited], capture_output=True, text=True, timeout=WAIT, check=False
        )
        assert done.returncode == 0, done.stderr
        shown = done.stdout.splitlines()
        assert {line.split()[0] for line in shown} == {"Tank1.Level", "Pump1.Running"}
        assert sim.statistics()["sessions"] == {"CLOSED": 1}
