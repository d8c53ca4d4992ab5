"""Deploys: redeploy(), the galaxy file watch, WatchDeployEvents and GetLastDeployTime."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from grpclib.client import Stream

from mxgateway.generated import galaxy_repository_pb2 as gr
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import GalaxyError, parse_galaxy, run_simulator_in_thread
from mxgateway.testing._repository import GalaxyFileWatch
from tests.support.loops import run_asyncio
from tests.testing.browse import PLANT, RepoStub, browse, plant_simulator, repository_for, tags
from tests.testing.raw import add_advised, open_session, register, simulator, stub_for

WAIT = 10.0


class SteppingWallClock:
    """A wall clock that moves one minute every time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 5, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@asynccontextmanager
async def watching(repo: RepoStub) -> AsyncIterator[Stream[gr.WatchDeployEventsRequest, gr.DeployEvent]]:
    async with repo.WatchDeployEvents.open() as stream:
        await stream.send_message(gr.WatchDeployEventsRequest(), end=True)
        yield stream
        await stream.cancel()


async def next_event(stream: Stream[gr.WatchDeployEventsRequest, gr.DeployEvent]) -> gr.DeployEvent:
    async with asyncio.timeout(WAIT):
        event = await stream.recv_message()
    assert event is not None
    return event


async def last_deploy(repo: RepoStub) -> datetime:
    reply = await repo.GetLastDeployTime(gr.GetLastDeployTimeRequest())
    return reply.deploy_time.ToDatetime(tzinfo=UTC)


def test_redeploy_sends_an_event_to_every_watcher_with_a_rising_sequence() -> None:
    clock = SteppingWallClock()

    async def main() -> None:
        async with plant_simulator(wall_clock=clock) as sim, repository_for(sim) as repo:
            started = await last_deploy(repo)
            async with watching(repo) as first, watching(repo) as second:
                await sim.wait_for_deploy_watchers(2)
                assert sim.statistics()["deploy_streams_open"] == 2
                assert sim.redeploy() == 2
                assert sim.redeploy() == 3
                for stream in (first, second):
                    events = [await next_event(stream), await next_event(stream)]
                    assert [e.sequence for e in events] == [2, 3]
                    times = [e.deploy_time.ToDatetime(tzinfo=UTC) for e in events]
                    assert started < times[0] < times[1]
                assert await last_deploy(repo) == times[1]
            await sim.wait_for_deploy_watchers(0)

    run_asyncio(main)


def test_redeploying_a_new_galaxy_changes_what_browses_and_what_resolves() -> None:
    changed = PLANT.replace('[objects.Spare]\nparent = "Site"', '[objects.Spare]\nparent = "North"')
    changed += (
        '\n[objects.Extra]\nparent = "Site"\n[objects.Extra.attributes.Flag]\ntype = "bool"\ninitial = true\n'
    )

    async def main() -> None:
        async with plant_simulator() as sim, repository_for(sim) as repo, stub_for(sim) as gateway:
            assert tags(await browse(repo, parent_tag_name="Site")) == ["North", "Spare"]
            session = await open_session(gateway)
            server = await register(gateway, session)
            await add_advised(gateway, session, server, "Loose.Count")
            async with watching(repo) as stream:
                await sim.wait_for_deploy_watchers(1)
                assert sim.redeploy(parse_galaxy(changed)) == 2
                assert (await next_event(stream)).sequence == 2
            assert tags(await browse(repo, parent_tag_name="Site")) == ["Extra", "North"]
            assert tags(await browse(repo, parent_tag_name="North")) == ["Mixer", "Spare", "TankA", "TankB"]
            item = await add_advised(gateway, session, server, "Extra.Flag")
            async with gateway.StreamEvents.open() as events:
                await events.send_message(pb.StreamEventsRequest(session_id=session), end=True)
                async with asyncio.timeout(WAIT):
                    first, second = await events.recv_message(), await events.recv_message()
                await events.cancel()
            assert first is not None and second is not None
            # The unchanged attribute kept running; the new one resolves.
            assert first.on_data_change.value.int64_value == 7
            assert second.item_handle == item and second.on_data_change.value.bool_value is True
            with pytest.raises(GalaxyError):
                sim.redeploy("/no/such/galaxy.toml")
            assert sim.redeploy() == 3  # the failed one did not count

    run_asyncio(main)


def replace_text(path: Path, text: str) -> None:
    """Write the file whole (by rename), so the watch never reads it half-written."""
    partial = path.with_suffix(".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


@pytest.fixture
def galaxy_file(tmp_path: Path) -> Path:
    path = tmp_path / "galaxy.toml"
    path.write_text(PLANT, encoding="utf-8")
    return path


class _Warnings(logging.Handler):
    """Collects the simulator's warnings and wakes a waiter on each one."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []
        self.arrived = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.arrived.set()


@pytest.fixture
def warnings() -> Iterator[_Warnings]:
    handler = _Warnings()
    logger = logging.getLogger("mxgateway.testing")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def test_a_changed_galaxy_file_is_deployed_and_a_broken_one_logged_and_ignored(
    galaxy_file: Path, warnings: _Warnings
) -> None:
    async def main() -> None:
        async with (
            simulator(galaxy=galaxy_file, galaxy_poll_interval=0.02) as sim,
            repository_for(sim) as repo,
            watching(repo) as stream,
        ):
            await sim.wait_for_deploy_watchers(1)
            assert tags(await browse(repo, parent_tag_name="Site")) == ["North", "Spare"]
            replace_text(galaxy_file, PLANT + '\n[objects.Added]\nparent = "Site"\n')
            assert (await next_event(stream)).sequence == 2
            assert tags(await browse(repo, parent_tag_name="Site")) == ["Added", "North", "Spare"]
            warnings.arrived.clear()
            replace_text(galaxy_file, PLANT + '\n[objects.Broken]\nparent = "Nowhere"\n')
            async with asyncio.timeout(WAIT):
                await warnings.arrived.wait()
            assert "Broken" in warnings.messages[-1] and "Nowhere" in warnings.messages[-1]
            assert str(galaxy_file) in warnings.messages[-1]
            assert tags(await browse(repo, parent_tag_name="Site")) == ["Added", "North", "Spare"]
            replace_text(galaxy_file, PLANT)
            # The broken version made no event: the next one is 3.
            assert (await next_event(stream)).sequence == 3
            assert tags(await browse(repo, parent_tag_name="Site")) == ["North", "Spare"]

    run_asyncio(main)


def test_the_file_watch_ignores_touches_and_reports_unreadable_files(
    galaxy_file: Path, warnings: _Warnings
) -> None:
    watch = GalaxyFileWatch(galaxy_file)
    assert tags_of(watch) == ["Loose", "Site"] and watch.check() is None
    galaxy_file.write_text(PLANT, encoding="utf-8")  # the same text again: not a change
    assert watch.check() is None and not warnings.messages
    galaxy_file.write_text("[attributes", encoding="utf-8")
    assert watch.check() is None and "not valid TOML" in warnings.messages[-1]
    assert watch.check() is None and len(warnings.messages) == 1  # logged once per change
    galaxy_file.unlink()
    assert watch.check() is None and "cannot read" in warnings.messages[-1]
    galaxy_file.write_text(PLANT + '\n[attributes."New.Value"]\ninitial = 1.0\n', encoding="utf-8")
    changed = watch.check()
    assert changed is not None and "New.Value" in changed.attributes and watch.galaxy is changed


def tags_of(watch: GalaxyFileWatch) -> list[str]:
    return sorted(o.tag_name for o in watch.galaxy.objects if o.parent_gobject_id == 0)


def test_the_threaded_simulator_redeploys_and_waits_for_watchers() -> None:
    with run_simulator_in_thread(galaxy=parse_galaxy(PLANT)) as sim:
        assert sim.wait_for_deploy_watchers(0, timeout=WAIT)
        assert sim.wait_for_deploy_watchers(1, timeout=0.05) is False

        async def watch_one() -> int:
            async with repository_for(sim.simulator) as repo, watching(repo) as stream:
                await asyncio.to_thread(sim.wait_for_deploy_watchers, 1, WAIT)
                await asyncio.to_thread(sim.redeploy)
                return int((await next_event(stream)).sequence)

        assert run_asyncio(watch_one) == 2
        assert sim.redeploy() == 3


def test_a_bad_poll_interval_is_refused() -> None:
    async def main() -> None:
        with pytest.raises(ValueError, match="galaxy_poll_interval"):
            async with simulator(galaxy_poll_interval=0):
                pass

    run_asyncio(main)
