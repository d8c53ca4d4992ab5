"""Tags by name without I/O: TagChange, the write type of a value, and TagRouter's routing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mxgateway import (
    EventStreamError,
    MxType,
    SessionLostError,
    SessionRecovered,
    TagChange,
    TagError,
    Value,
    decode_event,
    encode_value,
)
from mxgateway._core.tags import TagRouter, tag_names, write_type_of
from mxgateway.generated import mxaccess_gateway_pb2 as pb

SERVER = 7


def data_change(
    item: int, value: object, sequence: int, *, server: int = SERVER, error: bool = False
) -> object:
    event = pb.MxEvent(
        worker_sequence=sequence,
        family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE,
        server_handle=server,
        item_handle=item,
    )
    body = event.on_data_change
    body.value.CopyFrom(encode_value(value))
    body.quality = 4 if error else 192
    body.timestamp.FromDatetime(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    if error:
        body.statuses.add(category=pb.MX_STATUS_CATEGORY_CONFIGURATION_ERROR, detail=1001)
    return decode_event(event)


def write_complete(item: int, sequence: int, *, failed: bool = False) -> object:
    event = pb.MxEvent(
        worker_sequence=sequence,
        family=pb.MX_EVENT_FAMILY_ON_WRITE_COMPLETE,
        server_handle=SERVER,
        item_handle=item,
    )
    event.on_write_complete.statuses.add(
        category=pb.MX_STATUS_CATEGORY_SECURITY_ERROR if failed else pb.MX_STATUS_CATEGORY_OK
    )
    if failed:
        event.hresult = -2147220992
    return decode_event(event)


def router_with(*names: str, initial: tuple[str, ...] | None = None) -> TagRouter:
    router = TagRouter(SERVER, names if initial is None else initial)
    for handle, name in enumerate(names, start=1):
        router.attach(router.new_entry(name, hidden=False, supervisory=False), handle)
    return router


def taken(router: TagRouter) -> list[tuple[str, object, bool]]:
    out = [(c.tag, c.value, c.first) for c in router.ready]
    router.ready.clear()
    return out


def test_a_tag_change_carries_the_data_change_named_by_its_tag() -> None:
    event = data_change(3, 41.5, 12)
    change = TagChange("Tank1.Level", event, first=True)  # type: ignore[arg-type]
    assert (change.tag, change.value, change.worker_sequence, change.first) == ("Tank1.Level", 41.5, 12, True)
    assert change.quality.is_good and change.timestamp == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert change.ok and change.error is None and change.mx_type is MxType.DOUBLE
    assert change.event is event and not change.after_gap
    with pytest.raises(AttributeError, match="read-only"):
        change.tag = "other"  # type: ignore[misc]
    assert "Tank1.Level" in repr(change) and "41.5" in repr(change)


def test_an_error_status_is_a_tag_error_with_the_statuses() -> None:
    change = TagChange("No.Such", data_change(3, None, 1, error=True))  # type: ignore[arg-type]
    error = change.error
    assert isinstance(error, TagError) and error.tag == "No.Such"
    assert [s.detail for s in error.statuses] == [1001] and "CONFIGURATION_ERROR" in str(error)
    assert change.error is error and not change.ok  # made once


@pytest.mark.parametrize(
    ("value", "mx_type", "expected"),
    [
        (True, None, MxType.BOOL),
        (5, "int32", MxType.INT32),
        (5, "int64", MxType.INT64),
        (1.5, "float", MxType.FLOAT),
        (1.5, None, MxType.DOUBLE),
        ("x", None, MxType.STRING),
        (datetime(2026, 1, 1, tzinfo=UTC), None, MxType.TIME),
        ([1.0, 2.0], None, MxType.DOUBLE),
        ([1, 2], "int64", MxType.INT64),
    ],
)
def test_the_write_type_follows_what_the_gateway_reported(
    value: object, mx_type: str | None, expected: MxType
) -> None:
    assert write_type_of(Value.from_proto(encode_value(value, mx_type))) is expected


def test_a_value_without_a_known_type_gives_none() -> None:
    assert write_type_of(None) is None
    assert write_type_of(Value.from_proto(encode_value(None))) is None


def test_tag_names_take_one_name_or_many_and_refuse_the_rest() -> None:
    assert tag_names("A.B") == ["A.B"]
    assert tag_names(["A.B", "C.D", "A.B"]) == ["A.B", "C.D"]
    for bad in ([""], ["  "], [3], 5):
        with pytest.raises(ValueError, match="tag name"):
            tag_names(bad)  # type: ignore[arg-type]


def test_first_values_come_first_later_changes_of_reported_tags_wait() -> None:
    router = router_with("A", "B", "C")
    router.on_event(data_change(1, 1, 1))  # A's first
    router.on_event(data_change(1, 2, 2))  # A again: held until B and C reported
    router.on_event(data_change(2, 10, 3))  # B's first
    router.on_event(data_change(1, 3, 4))  # held
    assert taken(router) == [("A", 1, True), ("B", 10, True)] and router.holding
    router.on_event(data_change(3, 100, 5))  # C's first: everything held follows, in order
    assert taken(router) == [("C", 100, True), ("A", 2, False), ("A", 3, False)]
    assert not router.holding
    router.on_event(data_change(2, 11, 6))
    assert taken(router) == [("B", 11, False)]


def test_holding_ends_when_asked_and_for_tags_that_leave() -> None:
    router = router_with("A", "B")
    router.on_event(data_change(1, 1, 1))
    router.on_event(data_change(1, 2, 2))
    router.stop_holding()  # B is slow: its owner's timeout ran out
    assert taken(router) == [("A", 1, True), ("A", 2, False)]
    router = router_with("A", "B")
    router.on_event(data_change(1, 1, 1))
    router.on_event(data_change(1, 2, 2))
    router.detach(router.by_name["B"], RuntimeError("removed"))
    assert taken(router) == [("A", 1, True), ("A", 2, False)]


def test_a_refused_tag_reports_its_error_as_its_first_value() -> None:
    router = TagRouter(SERVER, ["A", "Bad"])
    router.attach(router.new_entry("A", hidden=False, supervisory=False), 1)
    bad = router.new_entry("Bad", hidden=False, supervisory=False)
    router.refused(bad, TagError("Bad", message="Bad: refused"))
    router.on_event(data_change(1, 1, 1))
    changes = list(router.ready)
    assert [(c.tag, c.first, c.error is not None) for c in changes] == [
        ("Bad", True, True),
        ("A", True, False),
    ]
    assert [e.name for e in router.reported] == ["Bad", "A"] and not router.holding


def test_data_changes_before_the_reply_that_named_their_handle_are_kept() -> None:
    router = TagRouter(SERVER)
    router.adding += 1
    entry = router.new_entry("A", hidden=False, supervisory=False)
    router.on_event(data_change(5, 1, 1))  # the worker sent it before the reply was processed
    router.on_event(data_change(6, 9, 2))  # an item that is not the subscription's
    assert not router.ready
    router.attach(entry, 5)
    router.adds_done()
    assert taken(router) == [("A", 1, True)]
    router.on_event(data_change(6, 9, 3))
    assert not router.ready  # nothing is kept once no add is in flight


def test_other_registrations_and_hidden_tags_are_not_handed_out() -> None:
    router = TagRouter(SERVER)
    visible = router.new_entry("A", hidden=False, supervisory=False)
    hidden = router.new_entry("W", hidden=True, supervisory=False)
    router.attach(visible, 1)
    router.attach(hidden, 2)
    router.on_event(data_change(1, 5, 1, server=SERVER + 1))
    router.on_event(data_change(2, 8, 2))
    assert not router.ready and hidden.last is not None and hidden.last.value == 8
    assert [e.name for e in router.reported] == ["W"]  # a write waiting for its type sees it


def test_write_completions_go_to_their_waiters_in_order() -> None:
    router = router_with("A", "B", initial=())
    first, second, other = object(), object(), object()
    router.expect_write(1, first)
    router.expect_write(1, second)
    router.expect_write(2, other)
    assert router.writes_waiting
    router.on_event(write_complete(1, 1))
    router.on_event(write_complete(1, 2, failed=True))
    assert router.signalled and [w for w, _ in router.resolved] == [first, second]
    assert [outcome.succeeded for _, outcome in router.resolved] == [True, False]  # type: ignore[union-attr]
    router.clear_signals()
    router.forget_write(2, other)
    assert not router.writes_waiting


def test_a_recovery_fails_what_was_not_set_up_and_makes_the_next_values_first_again() -> None:
    router = router_with("A", "B", initial=())
    router.on_event(data_change(1, 1, 1))
    router.on_event(data_change(2, 2, 2))
    waiter = object()
    router.expect_write(1, waiter)
    router.clear_signals()
    taken(router)
    marker = SessionRecovered("session-old", "session-new", 2, failed=(("B", "AddItem failed"),))
    router.on_event(marker)
    (change,) = router.ready
    assert change.tag == "B" and change.first and change.after_gap
    assert isinstance(change.error, TagError) and "not set up again" in str(change.error)
    assert "session-new" in str(change.error) and not router.by_name["B"].alive
    ((resolved, outcome),) = router.resolved
    assert resolved is waiter and isinstance(outcome, SessionLostError) and outcome.recovered
    router.clear_signals()
    taken(router)
    router.on_event(data_change(1, 7, 1))  # the new session's first value of A
    (after,) = router.ready
    assert (after.tag, after.value, after.first, after.after_gap) == ("A", 7, True, True)


def test_a_replay_gap_asks_for_the_tags_to_be_advised_again() -> None:
    router = router_with("A", initial=())
    router.on_event(data_change(1, 1, 1))
    router.clear_signals()
    taken(router)
    waiter = object()
    router.expect_write(1, waiter)
    gap = pb.MxEvent(family=pb.MX_EVENT_FAMILY_UNSPECIFIED)
    gap.replay_gap.requested_after_sequence = 1
    gap.replay_gap.oldest_available_sequence = 10
    router.on_event(decode_event(gap))
    assert router.needs_readvise and router.signalled
    ((_, outcome),) = router.resolved
    assert isinstance(outcome, EventStreamError) and "2-9" in str(outcome)
    router.clear_signals()
    router.on_event(data_change(1, 5, 10))
    (change,) = router.ready
    assert change.first and change.after_gap
