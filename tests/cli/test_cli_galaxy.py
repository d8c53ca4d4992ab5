"""mxgw-py galaxy browse|hierarchy|test|deploy-time|watch-deploys against the simulator.

The simulator serves the PLANT galaxy of the repository tests with a wall
clock that stands still, so every document is the same bytes on every run
(checked against golden JSON).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from mxgateway.testing import (
    SimulatorSettings,
    ThreadedSimulator,
    generate_api_key,
    parse_galaxy,
    run_simulator_in_thread,
)
from mxgateway_cli.app import app, run
from tests.cli.test_cli_golden import check_golden
from tests.testing.browse import PLANT

WALL = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
WAIT = 10.0


def plant_simulator(**options: Any) -> Any:
    return run_simulator_in_thread(
        galaxy=parse_galaxy(PLANT),
        settings=SimulatorSettings(tick_interval=3600.0),
        clock=lambda: 0.0,
        wall_clock=lambda: WALL,
        **options,
    )


@pytest.fixture
def sim() -> Iterator[ThreadedSimulator]:
    with plant_simulator() as simulator:
        yield simulator


def call(
    capsys: pytest.CaptureFixture[str], sim: ThreadedSimulator, *argv: str, code: int = 0
) -> tuple[str, str]:
    assert run([*argv, "--endpoint", sim.endpoint, "--plaintext"]) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_test_and_deploy_time(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, sim, "galaxy", "test", "--json")
    check_golden("galaxy-test", out)
    out, _ = call(capsys, sim, "galaxy", "deploy-time", "--json")
    check_golden("galaxy-deploy-time", out)
    assert json.loads(out)["deployTime"] == "2026-03-04T05:06:07.890000000Z"
    assert call(capsys, sim, "galaxy", "test") == ("galaxy repository: ok\n", "")
    assert call(capsys, sim, "galaxy", "deploy-time") == ("2026-03-04T05:06:07.890000000Z\n", "")


def test_a_repository_the_gateway_cannot_reach_exits_1(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mxgateway import GalaxyBrowser

    async def unreachable(self: Any, *, timeout: float | None = None) -> bool:
        return False

    monkeypatch.setattr(GalaxyBrowser, "test_connection", unreachable)
    out, _ = call(capsys, sim, "galaxy", "test", "--json", code=1)
    document = json.loads(out)
    assert document == {
        "command": "galaxy-test",
        "ok": False,
        "connected": False,
        "error": "the gateway cannot reach its Galaxy repository",
        "type": "GalaxyUnreachableError",
        "exitCode": 1,
    }


def test_browse_json(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, sim, "galaxy", "browse", "--json")
    check_golden("galaxy-browse-roots", out)
    roots = json.loads(out)
    assert [o["tagName"] for o in roots["objects"]] == ["Loose", "Site"]
    assert all("children" not in o for o in roots["objects"])  # --depth 1

    out, _ = call(capsys, sim, "galaxy", "browse", "North", "--depth", "0", "--historized-only", "--json")
    check_golden("galaxy-browse-historized", out)
    tree = json.loads(out)["objects"]
    assert [o["tagName"] for o in tree] == ["Mixer", "TankA", "TankB"]
    assert [c["tagName"] for c in tree[1]["children"]] == ["TankA_LT"]  # all the way down

    argv = ["--path", "Site/North", "--category-ids", "20", "--templates", "$Tank", "--tag-glob", "Tank*"]
    out, _ = call(capsys, sim, "galaxy", "browse", *argv, "--no-attributes", "--page-size", "1", "--json")
    check_golden("galaxy-browse-filtered", out)
    assert [o["tagName"] for o in json.loads(out)["objects"]] == ["TankA", "TankB"]

    out, _ = call(capsys, sim, "galaxy", "browse", "--id", "2", "--alarm-bearing-only", "--json")
    assert {o["tagName"]: [a["name"] for a in o["attributes"]] for o in json.loads(out)["objects"]} == {
        "Mixer": ["Level"],
        "TankA": ["Level"],
        "TankB": ["Level"],
    }


def test_browse_prints_a_tree_for_people(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, sim, "galaxy", "browse", "--depth", "3")
    assert out.splitlines() == [
        "Loose  [object]  Loose",
        "    - Loose.Count  INTEGER",
        "Site  [area]  Site",
        "  North  [area]  Site/North",
        "    Mixer  [$Vessel]  Site/North/Mixer",
        "        - Mixer.Level  DOUBLE historized alarm",
        "        - Mixer.Name  STRING",
        "    TankA  [$Tank]  Site/North/TankA  (+)",
        "        - TankA.Level  DOUBLE historized alarm",
        "        - TankA.Name  STRING",
        "        - TankA.Trend[]  INTEGER[] historized",
        "        - TankA.Limit  DOUBLE SECURED_WRITE",
        "    TankB  [$Tank]  Site/North/TankB",
        "        - TankB.Level  DOUBLE historized alarm",
        "        - TankB.Name  STRING",
        "        - TankB.Trend[]  INTEGER[] historized",
        "        - TankB.Limit  DOUBLE SECURED_WRITE",
        "  Spare  [object]  Site/Spare",
    ]
    assert call(capsys, sim, "galaxy", "browse", "Spare") == ("no objects\n", "")


def test_hierarchy_is_ndjson_over_all_pages(
    sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = call(capsys, sim, "galaxy", "hierarchy", "--page-size", "3", "--json")
    check_golden("galaxy-hierarchy", out)
    lines = [json.loads(line) for line in out.splitlines()]
    assert [o["tagName"] for o in lines] == [
        "Loose",
        "Site",
        "North",
        "Mixer",
        "TankA",
        "TankA_LT",
        "TankB",
        "Spare",
    ]
    assert all("hasChildren" not in o for o in lines)  # the hierarchy does not say
    assert sim.statistics()["calls"]["DiscoverHierarchy"] == 3
    ndjson, _ = call(capsys, sim, "galaxy", "hierarchy", "--ndjson")
    assert ndjson == out
    text, _ = call(capsys, sim, "galaxy", "hierarchy")
    assert text.splitlines()[:3] == ["Loose  Loose", "Site  Site", "Site/North  North"]


def test_watch_deploys_until_max_events(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    deployed: list[int] = []

    def deploy_twice() -> None:
        if sim.wait_for_deploy_watchers(1, WAIT):
            deployed.extend([sim.redeploy(), sim.redeploy()])

    deployer = threading.Thread(target=deploy_twice)
    deployer.start()
    try:
        out, _ = call(capsys, sim, "galaxy", "watch-deploys", "--max-events", "2", "--json")
    finally:
        deployer.join(WAIT)
    assert deployed == [2, 3]
    check_golden("galaxy-watch-deploys", out)
    out, _ = call(capsys, sim, "galaxy", "watch-deploys", "--timeout", "0.2", "--json")
    assert out == ""  # nothing deployed meanwhile; reaching --timeout is success


@pytest.mark.parametrize("interruption", ["gateway-gone", "ctrl-c"])
def test_an_interrupted_watch_ends_with_an_error_line(sim: ThreadedSimulator, interruption: str) -> None:
    import signal
    import subprocess
    import sys

    argv = ["galaxy", "watch-deploys", "--json", "--endpoint", sim.endpoint, "--plaintext"]
    with subprocess.Popen(
        [sys.executable, "-m", "mxgateway_cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            assert sim.wait_for_deploy_watchers(1, 30)
            sequence = sim.redeploy()
            assert json.loads(process.stdout.readline())["sequence"] == sequence
            if interruption == "gateway-gone":
                sim.drop_connections()
            else:
                process.send_signal(signal.SIGINT)
            out, err = process.communicate(timeout=30)
        finally:
            process.kill()
    error = json.loads(out.splitlines()[-1])
    expected = (
        (5, "GatewayUnavailableError") if interruption == "gateway-gone" else (130, "KeyboardInterrupt")
    )
    assert (process.returncode, error["type"]) == expected
    assert error["received"] == 1 and "Traceback" not in err


def test_failures_and_their_exit_codes(sim: ThreadedSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = call(capsys, sim, "galaxy", "browse", "Nope", "--json", code=1)
    check_golden("error-galaxy-not-found", out)
    out, _ = call(capsys, sim, "galaxy", "browse", "--path", "Site/Nope", "--json", code=1)
    assert "no galaxy object with contained path 'Site/Nope'" in json.loads(out)["error"]
    before = sim.statistics()["calls"].get("BrowseChildren", 0)
    for argv, message in (
        (["--depth", "-1"], "--depth must not be negative"),
        (["--id", "0"], "--id must be a positive gobject id"),
        (["Site", "--id", "1"], "name one parent"),
        (["--path", "A", "--id", "1"], "name one parent"),
        (["  "], "PARENT is empty"),
        (["--path", ""], "--path is empty"),
        (["--page-size", "0"], "--page-size must be 1-5000"),
        (["--page-size", "5001"], "--page-size must be 1-5000"),
        (["--category-ids", "1,x"], "--category-ids must be comma-separated integers"),
        (["--category-ids", "-1"], "--category-ids must not be negative"),
        (["--templates", "$A,,$B"], "--templates must be a comma-separated list"),
    ):
        out, _ = call(capsys, sim, "galaxy", "browse", *argv, "--json", code=2)
        document = json.loads(out)
        assert document["type"] == "UsageError" and message in document["error"], (argv, document)
    assert sim.statistics()["calls"].get("BrowseChildren", 0) == before  # refused before sending
    out, _ = call(capsys, sim, "galaxy", "hierarchy", "--page-size", "-2", "--json", code=2)
    assert "--page-size" in json.loads(out)["error"]
    out, _ = call(capsys, sim, "galaxy", "watch-deploys", "--max-events", "-1", "--json", code=2)
    assert "--max-events" in json.loads(out)["error"]


def test_the_repository_needs_the_admin_scope(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader, admin = generate_api_key("reader"), generate_api_key("admin")
    with plant_simulator(api_keys={reader: ["events:read", "invoke:read"], admin: ["admin"]}) as sim:
        monkeypatch.setenv("MXGATEWAY_API_KEY", reader)
        out, _ = call(capsys, sim, "galaxy", "browse", "--json", code=4)
        assert json.loads(out)["type"] == "AuthorizationError" and reader not in out
        monkeypatch.setenv("MXGATEWAY_API_KEY", admin)
        out, _ = call(capsys, sim, "galaxy", "test", "--json")
        assert json.loads(out)["ok"] is True
        assert sim.last_authorization("TestConnection") == f"Bearer {admin}"


def test_the_group_is_one_line_of_the_top_level_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--help"]) == 0
    top = capsys.readouterr().out
    assert "galaxy" in top and "browse" not in set(app) and "watch-deploys" not in set(app)
    assert run(["galaxy", "--help"]) == 0
    group = capsys.readouterr().out
    assert all(name in group for name in ("browse", "hierarchy", "test", "deploy-time", "watch-deploys"))
    assert "galaxy" in set(app)
