"""Subscriptions, reads and writes by tag name against the simulator, written once for both front ends.

Each scenario takes a ``World`` (an open session of either front end, its
simulator with a hand-moved clock, and a way to run a blocking simulator
call off the event loop); ``test_tags_trio`` runs them on every Trio bridge,
``test_tags_asyncio`` on asyncio. Only session methods are awaited here, so
the same coroutine runs on both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from mxgateway import (
    ArgumentError,
    EventStreamBusyError,
    MxAccessError,
    StatusCategory,
    TagChange,
    TagError,
    ValueConversionError,
)
from mxgateway.generated import mxaccess_gateway_pb2 as pb
from mxgateway.testing import SimulatorSettings, ThreadedSimulator, parse_galaxy
from mxgateway.testing._worker import MX_E_FAILURE, Worker, status
from tests.support.loops import ManualClock

GALAXY_TEXT = """
[attributes."Line.Counter"]
type = "int32"
initial = 0
pattern = "ramp"
step = 1
period_ms = 1000
max = 1000000

[attributes."Line.Speed"]
type = "double"
initial = 1.5
pattern = "ramp"
step = 0.5
period_ms = 1000
max = 1000000.0

[attributes."Line.Setpoint"]
type = "float"
initial = 10.0

[attributes."Line.Running"]
type = "bool"
initial = false

[attributes."Line.Limit"]
type = "double"
initial = 5.0
writable = false

[attributes."Line.Secured"]
type = "float"
initial = 1.0
security = "secured"

[attributes."Line.Verified"]
type = "int32"
initial = 0
security = "verified"

[attributes."Line.Samples[]"]
type = "double"
initial = [1.0, 2.0]

[users.operator]
password = "op-pass"

[users.supervisor]
password = "sup-pass"
"""
WITHOUT_SETPOINT = GALAXY_TEXT.replace('[attributes."Line.Setpoint"]\ntype = "float"\ninitial = 10.0\n', "")
OPERATOR = ("operator", "op-pass")
SUPERVISOR = ("supervisor", "sup-pass")


@dataclass
class World:
    session: Any  # a Session or a TrioSession: the scenarios use what both have
    sim: ThreadedSimulator
    clock: ManualClock
    offload: Callable[[Callable[[], Any]], Awaitable[Any]]
    together: Callable[..., Awaitable[None]]  # run coroutine functions concurrently, until all end

    def advance(self, seconds: float = 1.0) -> None:
        """Move the simulator's clock and let it evaluate its values (a ramp moves once a second)."""
        self.clock.now += seconds
        self.sim.tick()

    def worker(self, session_id: str | None = None) -> Worker:
        worker: Worker = self.sim.simulator.service.sessions[session_id or self.session.session_id].worker
        return worker

    def advised(self, session_id: str | None = None) -> int:
        """Items advised in the session, as the simulated worker sees them."""
        return self.sim.call(lambda: self.worker(session_id).advised_items())

    def registrations(self, session_id: str | None = None) -> int:
        return self.sim.call(lambda: len(self.worker(session_id)._servers))

    def invokes(self) -> int:
        return int(self.sim.statistics()["calls"].get("Invoke", 0))


@dataclass(frozen=True)
class Scenario:
    run: Callable[[World], Awaitable[None]]
    recover: bool = False
    settings: SimulatorSettings = field(default_factory=lambda: SimulatorSettings(tick_interval=3600))


def galaxy() -> Any:
    return parse_galaxy(GALAXY_TEXT)


async def take(subscription: Any, count: int) -> list[TagChange]:
    return [await anext(subscription) for _ in range(count)]


def categories(error: MxAccessError) -> list[tuple[StatusCategory | int, int]]:
    return [(s.category, s.detail) for s in error.statuses]


# ----------------------------------------------------------------- scenarios


async def bad_tag_among_good(w: World) -> None:
    tags = ["Line.Counter", "No.Such", "Line.Samples", "Line.Speed"]
    async with w.session.subscribe(tags) as sub:
        firsts = await take(sub, 4)
        assert sorted(c.tag for c in firsts) == sorted(tags) and all(c.first for c in firsts)
        errors = {c.tag: c.error for c in firsts if c.error is not None}
        assert set(errors) == {"No.Such", "Line.Samples"} and set(sub.errors) == set(errors)
        assert categories(errors["No.Such"]) == [(StatusCategory.CONFIGURATION_ERROR, 1001)]
        assert categories(errors["Line.Samples"]) == [(StatusCategory.CONFIGURATION_ERROR, 1003)]
        assert all(isinstance(e, TagError) and isinstance(e, MxAccessError) for e in errors.values())
        good = {c.tag: c.value for c in firsts if c.ok}
        assert good == {"Line.Counter": 0, "Line.Speed": 1.5}
        w.advance()
        later = {c.tag: c for c in await take(sub, 2)}
        assert {t: c.value for t, c in later.items()} == {"Line.Counter": 1, "Line.Speed": 2.0}
        assert not any(c.first or c.after_gap for c in later.values())
        assert later["Line.Counter"].worker_sequence > max(c.worker_sequence for c in firsts)
        assert w.advised() == 4
    assert w.advised() == 0 and w.registrations() == 0  # leaving unadvised, removed and unregistered


async def add_and_remove_while_open(w: World) -> None:
    async with w.session.subscribe(["Line.Counter"]) as sub:
        assert (await anext(sub)).tag == "Line.Counter"
        await sub.add("Line.Setpoint")
        added = await anext(sub)
        assert (added.tag, added.value, added.first) == ("Line.Setpoint", 10.0, True)
        with pytest.raises(TagError) as refused:
            await sub.add(["Line.Running", "Nope.Tag"])
        assert refused.value.tag == "Nope.Tag" and set(refused.value.failed) == {"Nope.Tag"}
        both = {c.tag: c for c in await take(sub, 2)}  # the bad one is in the stream too
        assert both["Nope.Tag"].error is not None and both["Line.Running"].value is False
        assert sub.tags == ("Line.Counter", "Line.Setpoint", "Line.Running", "Nope.Tag")
        await sub.remove(["Line.Counter", "Nope.Tag"])
        assert sub.tags == ("Line.Setpoint", "Line.Running") and w.advised() == 2
        w.advance()  # Line.Counter moves, but it has left
        await w.session.write("Line.Setpoint", 11.0)
        after = await anext(sub)
        assert (after.tag, after.value) == ("Line.Setpoint", 11.0)
        with pytest.raises(ArgumentError, match="not a tag of this subscription"):
            await sub.remove("Line.Counter")
    assert w.advised() == 0


async def writes_by_name(w: World) -> None:
    session = w.session
    async with session.subscribe(["Line.Setpoint", "Line.Counter"]) as sub:
        await take(sub, 2)
        before = w.invokes()
        await session.write("Line.Setpoint", 12)  # an int, written as the tag's float
        assert w.invokes() == before + 1  # the write itself: the subscription has the handle
        change = await anext(sub)
        assert change.tag == "Line.Setpoint" and change.value == 12.0 and isinstance(change.value, float)
        await session.write("Line.Running", True)  # not one of the tags: added for the write
        assert sub.tags == ("Line.Setpoint", "Line.Counter") and w.advised() == 2
        with pytest.raises(TagError) as read_only:
            await session.write("Line.Limit", 1.0)
        assert read_only.value.hresult == MX_E_FAILURE and read_only.value.tag == "Line.Limit"
        assert categories(read_only.value) == [(StatusCategory.OPERATIONAL_ERROR, 1012)]
        with pytest.raises(TagError) as secured:
            await session.write("Line.Secured", 2.0)
        assert categories(secured.value)[0][0] == StatusCategory.SECURITY_ERROR
        await session.write("Line.Secured", 2.0, user=OPERATOR)
        with pytest.raises(TagError, match="verifier"):
            await session.write("Line.Verified", 1, user=OPERATOR)
        await session.write("Line.Verified", 1, user=OPERATOR, verifier=SUPERVISOR)
        with pytest.raises(ValueConversionError):
            await session.write("Line.Setpoint", "high")
        with pytest.raises(TagError, match="does not exist"):
            await session.write("No.Such", 1)
        await session.write("Line.Setpoint", 13.0, confirm=False)
        assert (await anext(sub)).value == 13.0
        server = await session.register("by-handle")  # the handle form is unchanged
        item = await session.add_item(server, "Line.Running")
        await session.advise(server, item)
        await session.write(server, item, False)
        assert w.advised() == 3
    readings = await session.read(["Line.Secured", "Line.Verified", "Line.Running"])
    assert {t: r.value for t, r in readings.items()} == {
        "Line.Secured": 2.0,
        "Line.Verified": 1,
        "Line.Running": False,
    }


async def write_without_a_subscription(w: World) -> None:
    await w.session.write("Line.Setpoint", 20.0)  # a subscription of its own, for the write
    assert w.advised() == 0 and w.registrations() == 0
    assert await w.offload(lambda: w.sim.wait_for_event_streams_open(0))
    readings = await w.session.read(["Line.Setpoint", "No.Such"])
    assert list(readings) == ["Line.Setpoint", "No.Such"]
    setpoint, missing = readings["Line.Setpoint"], readings["No.Such"]
    assert setpoint.value == 20.0 and setpoint.ok and not setpoint.cached and setpoint.quality.is_good
    assert isinstance(missing.error, TagError) and missing.value is None and not missing.ok
    assert w.registrations() == 1  # the one reads use, kept until the session closes
    with pytest.raises(ValueConversionError):
        await w.session.write("Line.Setpoint", 1.0, type="no-such-type")
    with pytest.raises(ArgumentError, match="verifier needs a user"):
        await w.session.write("Line.Setpoint", 1.0, verifier=SUPERVISOR)
    with pytest.raises(TypeError):
        await w.session.write("Line.Setpoint", 1.0, user_id=3)


async def concurrent_writes_by_name(w: World) -> None:
    async def write(tag: str, value: object) -> None:
        await w.session.write(tag, value)

    # Without a subscription each write runs one of its own, one after the other.
    await w.together(lambda: write("Line.Setpoint", 21.0), lambda: write("Line.Running", True))
    async with w.session.subscribe("Line.Counter") as sub:
        await anext(sub)
        # With one open, they share it, each adding its tag for the length of its write.
        await w.together(lambda: write("Line.Setpoint", 22.0), lambda: write("Line.Running", False))
        assert sub.tags == ("Line.Counter",) and w.advised() == 1
    readings = await w.session.read(["Line.Setpoint", "Line.Running"])
    assert [r.value for r in readings.values()] == [22.0, False]


async def one_event_stream_per_session(w: World) -> None:
    session = w.session
    async with session.events():
        with pytest.raises(EventStreamBusyError, match=r"session.events\(\) has it open"):
            async with session.subscribe("Line.Counter"):
                pass
        with pytest.raises(EventStreamBusyError, match="write by tag name"):
            await session.write("Line.Setpoint", 1.0)
    assert w.registrations() == 0  # refused before anything was sent
    async with session.subscribe("Line.Counter") as sub:
        with pytest.raises(EventStreamBusyError, match=r"session.subscribe\(\) has it open"):
            async with session.events():
                pass
        with pytest.raises(EventStreamBusyError):
            async with session.subscribe("Line.Speed"):
                pass
        assert (await anext(sub)).tag == "Line.Counter"  # the open one is untouched
    async with session.events() as events:  # free again
        await session.advise(*await _item(session, "Line.Counter"))
        assert (await anext(events)).value == 0


async def _item(session: Any, tag: str) -> tuple[int, int]:
    server = await session.register("by-handle")
    return server, await session.add_item(server, tag)


async def a_consumer_that_does_not_iterate_does_not_stall_a_confirmed_write(w: World) -> None:
    async with w.session.subscribe(["Line.Counter", "Line.Setpoint"], buffer_size=2) as sub:
        for _ in range(6):
            w.advance()  # six changes nobody takes: the queue holds two
        await w.session.write("Line.Setpoint", 5.0)  # the reader reads on to its OnWriteComplete
        seen = [(c.tag, c.value) for c in await take(sub, 9)]
    assert sorted(seen[:2]) == [("Line.Counter", 0), ("Line.Setpoint", 10.0)]
    assert seen[2:] == [("Line.Counter", n) for n in range(1, 7)] + [("Line.Setpoint", 5.0)]


async def supervisory_and_buffered(w: World) -> None:
    async with w.session.subscribe("Line.Counter", supervisory=True) as sub:
        assert (await anext(sub)).value == 0
        assert w.advised() == 1
    async with w.session.subscribe(["Line.Counter", "Line.Speed"], buffered=0.5) as sub:
        firsts = {c.tag: c for c in await take(sub, 2)}
        assert {t: c.value for t, c in firsts.items()} == {"Line.Counter": 0, "Line.Speed": 1.5}
        assert type(firsts["Line.Counter"].event).__name__ == "BufferedDataChange"
        assert firsts["Line.Counter"].quality.is_good and firsts["Line.Counter"].timestamp is not None
    assert w.advised() == 0 and w.registrations() == 0
    with pytest.raises(ArgumentError, match="buffered"):
        async with w.session.subscribe("Line.Counter", buffered=-1):
            pass


async def reads_by_name(w: World) -> None:
    readings = await w.session.read(["Line.Counter", "No.Such", "Line.Samples[]"])
    assert readings["Line.Counter"].value == 0 and not readings["Line.Counter"].cached
    assert readings["Line.Samples[]"].value == [1.0, 2.0]
    assert isinstance(readings["No.Such"].error, TagError)
    assert await w.session.read([]) == {}
    async with w.session.subscribe("Line.Counter") as sub:
        await anext(sub)
        w.advance()
        assert (await anext(sub)).value == 1
        before = w.invokes()
        (local,) = (await w.session.read("Line.Counter")).values()
        assert local.value == 1 and local.cached and w.invokes() == before  # from the subscription
        (asked,) = (await w.session.read("Line.Counter", fresh=True)).values()
        assert asked.value == 1 and asked.cached and w.invokes() == before + 1  # the worker's own cache
    with pytest.raises(ArgumentError, match="timeout"):
        await w.session.read("Line.Counter", timeout=0)


async def write_complete_that_reports_failure(w: World) -> None:
    worker = w.worker()

    def write_then_fail(command: pb.WriteCommand, reply: pb.MxCommandReply) -> None:
        # Accepted by the reply, refused later on its OnWriteComplete (as a real galaxy can).
        item = worker._item(command.server_handle, command.item_handle)

        def complete() -> None:
            event = worker._event(command.server_handle, item, pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE)
            event.hresult = MX_E_FAILURE
            event.on_write_complete.statuses.append(
                status(pb.MX_STATUS_CATEGORY_SECURITY_ERROR, 321, pb.MX_STATUS_SOURCE_RESPONDING_NMX, "no")
            )
            worker._emit(event)

        worker._after_reply.append(complete)

    w.sim.call(setattr, worker, "_do_write_command", write_then_fail)
    async with w.session.subscribe("Line.Setpoint") as sub:
        await anext(sub)
        with pytest.raises(TagError, match="OnWriteComplete reports HRESULT 0x80040200") as failed:
            await w.session.write("Line.Setpoint", 1.0)
        assert failed.value.hresult == MX_E_FAILURE and categories(failed.value) == [
            (StatusCategory.SECURITY_ERROR, 321)
        ]
        await w.session.write("Line.Setpoint", 1.0, confirm=False)  # not waited for: no error


async def recovery_during_a_subscription(w: World) -> None:
    session = w.session
    async with session.subscribe(["Line.Counter", "Line.Setpoint"]) as sub:
        await take(sub, 2)
        old = session.session_id
        w.sim.redeploy(parse_galaxy(WITHOUT_SETPOINT))  # the new session will not find it
        w.sim.fault_session(old)
        after = {c.tag: c for c in await take(sub, 2)}
        assert session.session_id != old and w.sim.session_state(old) in ("FAULTED", "CLOSED")
        counter, setpoint = after["Line.Counter"], after["Line.Setpoint"]
        assert counter.first and counter.after_gap and counter.ok and counter.value == 0
        assert setpoint.first and setpoint.after_gap and isinstance(setpoint.error, TagError)
        assert categories(setpoint.error) == [(StatusCategory.CONFIGURATION_ERROR, 1001)]
        w.advance()
        later = await anext(sub)
        assert (later.tag, later.value, later.first, later.after_gap) == ("Line.Counter", 1, False, False)
        await session.write("Line.Counter", 7)  # the caller's handles still work
        assert (await anext(sub)).value == 7
        assert w.advised() == 2
    assert w.advised() == 0 and w.registrations() == 0


async def reconnect_during_a_subscription(w: World) -> None:
    async with w.session.subscribe("Line.Counter") as sub:
        first = await anext(sub)
        await w.offload(w.sim.drop_connections)
        w.advance()
        after = await anext(sub)  # the stream re-attached by itself and resumed
        assert (after.value, after.worker_sequence) == (1, first.worker_sequence + 1)
        assert not after.after_gap and not after.first
        await w.session.write("Line.Counter", 9)
        assert (await anext(sub)).value == 9


async def replay_gap_during_a_subscription(w: World) -> None:
    async with w.session.subscribe(["Line.Counter", "Line.Setpoint"]) as sub:
        await take(sub, 2)
        w.sim.stall_events()
        for _ in range(5):
            w.advance()  # 1..5 while nothing is sent; the ring keeps the last two (4, 5)
        await w.offload(w.sim.drop_connections)
        w.sim.resume_events()
        seen = [(c.tag, c.value, c.first, c.after_gap) for c in await take(sub, 4)]
    assert seen[:2] == [("Line.Counter", 4, True, True), ("Line.Counter", 5, False, False)]
    # Advised again after the gap: a value of every tag follows it, in stream order.
    assert sorted(seen[2:]) == [("Line.Counter", 5, False, False), ("Line.Setpoint", 10.0, True, True)]


SCENARIOS: dict[str, Scenario] = {
    "bad_tag_among_good": Scenario(bad_tag_among_good),
    "add_and_remove_while_open": Scenario(add_and_remove_while_open),
    "writes_by_name": Scenario(writes_by_name),
    "write_without_a_subscription": Scenario(write_without_a_subscription),
    "one_event_stream_per_session": Scenario(one_event_stream_per_session),
    "concurrent_writes_by_name": Scenario(concurrent_writes_by_name),
    "consumer_not_iterating": Scenario(a_consumer_that_does_not_iterate_does_not_stall_a_confirmed_write),
    "supervisory_and_buffered": Scenario(supervisory_and_buffered),
    "reads_by_name": Scenario(reads_by_name),
    "write_complete_failure": Scenario(write_complete_that_reports_failure),
    "recovery": Scenario(recovery_during_a_subscription, recover=True),
    "reconnect": Scenario(reconnect_during_a_subscription),
    "replay_gap": Scenario(
        replay_gap_during_a_subscription, settings=SimulatorSettings(tick_interval=3600, replay_events=2)
    ),
}
