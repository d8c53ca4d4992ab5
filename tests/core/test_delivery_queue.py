"""DeliveryQueue: chunks in, one message out, and a resume point that follows what was handed out."""

from __future__ import annotations

from mxgateway import DataChange, ReplayGap
from mxgateway._core.event_cursor import EMPTY, DeliveryQueue
from mxgateway.generated import mxaccess_gateway_pb2 as pb


def event(sequence: int) -> pb.MxEvent:
    message = pb.MxEvent(worker_sequence=sequence, family=pb.MX_EVENT_FAMILY_ON_DATA_CHANGE)
    message.on_data_change.quality = 192
    return message


def gap(oldest_available: int) -> pb.MxEvent:
    message = pb.MxEvent()
    message.replay_gap.oldest_available_sequence = oldest_available
    return message


def test_hands_out_in_order_and_the_cursor_counts_only_what_was_handed_out() -> None:
    queue = DeliveryQueue(5, decode=False)
    assert queue.take() is EMPTY and not queue
    queue.extend([event(6), event(7), event(8)])
    assert queue and queue.last_worker_sequence == 5  # nothing handed out yet
    assert queue.take().worker_sequence == 6
    assert queue.last_worker_sequence == 6
    assert queue.take().worker_sequence == 7
    assert queue.last_worker_sequence == 7
    assert queue.take().worker_sequence == 8
    assert queue.take() is EMPTY
    assert queue.last_worker_sequence == 8


def test_the_cursor_follows_across_chunks() -> None:
    queue = DeliveryQueue(decode=False)
    queue.extend([event(1), event(2)])
    queue.take()
    queue.take()
    queue.extend([event(3)])
    queue.take()
    assert queue.last_worker_sequence == 3


def test_a_new_chunk_comes_after_what_is_left_of_the_current_one() -> None:
    queue = DeliveryQueue(decode=False)
    queue.extend([event(1), event(2)])
    queue.take()
    queue.extend([event(3)])
    assert [queue.take().worker_sequence for _ in range(2)] == [2, 3]
    assert queue.last_worker_sequence == 3


def test_a_replay_gap_moves_the_cursor_to_before_the_oldest_available_event() -> None:
    queue = DeliveryQueue(100, decode=True)
    queue.extend([gap(500), event(500), event(501)])
    assert isinstance(queue.take(), ReplayGap)
    assert queue.last_worker_sequence == 499
    first = queue.take()
    assert isinstance(first, DataChange) and first.worker_sequence == 500
    assert queue.last_worker_sequence == 500


def test_an_older_sequence_never_moves_the_cursor_back() -> None:
    queue = DeliveryQueue(10, decode=False)
    queue.extend([event(9), event(11), event(10)])
    for _ in range(3):
        queue.take()
    assert queue.last_worker_sequence == 11


def test_untracked_streams_keep_their_start() -> None:
    queue = DeliveryQueue(decode=False, track=False)
    queue.extend([event(1), event(2)])
    queue.take()
    queue.take()
    assert queue.last_worker_sequence == 0


def test_items_are_parsed_as_they_are_handed_out() -> None:
    queue = DeliveryQueue(decode=True, parse=pb.MxEvent.FromString)
    queue.extend([event(1).SerializeToString(), gap(5).SerializeToString(), event(5).SerializeToString()])
    first = queue.take()
    assert isinstance(first, DataChange) and first.raw == event(1)
    assert isinstance(queue.take(), ReplayGap) and queue.last_worker_sequence == 4
    assert queue.take().worker_sequence == 5 and queue.last_worker_sequence == 5
    assert queue.take() is EMPTY
