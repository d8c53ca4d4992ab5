"""Tags by name (no I/O): the values a subscription hands out, and which tag an event is about.

A subscription adds its tags under one registration of its own; the events
of the session's stream carry (server handle, item handle), and
``TagRouter`` turns each one into what the caller sees:

- a data change of one of its items becomes a ``TagChange`` named by the
  tag (a buffered data change one per value), queued in ``ready``; until
  every tag it started with has reported once, later changes of tags that
  already did are held back (``held``), so that the first value of each
  tag comes first;
- a write completion is handed to whoever waits for it (``resolved``);
- a ``SessionRecovered`` marker gives every tag that could not be set up
  again its ``TagError`` and makes the next value of every other tag a
  first one again; a ``ReplayGap`` does the same and asks its owner to
  advise the tags again (``needs_readvise``), so that a value of each comes
  after the gap, in stream order.

Data changes that arrive for a handle before the reply that named it
(the gateway sends the first data change right after the Advise reply) are
kept until that reply is processed.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mxgateway._core.events import (
    BufferedDataChange,
    DataChange,
    ReplayGap,
    SessionRecovered,
    WriteComplete,
)
from mxgateway._core.quality import Quality
from mxgateway._core.replies import ReadResult
from mxgateway._core.statuses import MxStatus, first_error
from mxgateway._core.values import MxType, Value
from mxgateway._errors import ArgumentError, EventStreamError, SessionLostError, TagError

_BAD = Quality(0)
_INTEGER_VARIANTS = {"VT_I1", "VT_I2", "VT_I4", "VT_INT", "VT_UI1", "VT_UI2"}
_TYPE_OF_DATA_TYPE = {
    "BOOLEAN": MxType.BOOL,
    "FLOAT": MxType.FLOAT,
    "DOUBLE": MxType.DOUBLE,
    "STRING": MxType.STRING,
    "TIME": MxType.TIME,
    "ELAPSED_TIME": MxType.ELAPSED_TIME,
}
_TYPE_OF_VARIANT = {
    "VT_BOOL": MxType.BOOL,
    "VT_I8": MxType.INT64,
    "VT_R4": MxType.FLOAT,
    "VT_R8": MxType.DOUBLE,
    "VT_BSTR": MxType.STRING,
    "VT_DATE": MxType.TIME,
}


def write_type_of(value: Value | None) -> MxType | None:
    """The MXAccess type to write an item with, from a value the gateway reported for it.

    The data type decides (an INTEGER item is int64 when its values came as
    VT_I8, else int32); when it says nothing useful, the variant type does.
    None when neither names a type this client writes.
    """
    if value is None:
        return None
    is_array = value.value_field == "array_value"
    data_type = value.element_data_type if is_array and value.element_data_type else value.data_type
    variant = value.element_variant_type if is_array and value.element_variant_type else value.variant_type
    variant = variant.removeprefix("VT_ARRAY|")
    if data_type == "INTEGER":
        return MxType.INT64 if variant == "VT_I8" else MxType.INT32
    found = _TYPE_OF_DATA_TYPE.get(data_type)
    if found is not None:
        return found
    if variant in _INTEGER_VARIANTS:
        return MxType.INT32
    return _TYPE_OF_VARIANT.get(variant)


def tag_names(tags: str | Iterable[str], what: str = "tags") -> list[str]:
    """The tag names of an argument (one name, or an iterable of them), duplicates dropped, in order."""
    if isinstance(tags, str):
        tags = [tags]
    try:
        names = list(tags)
    except TypeError:
        raise ArgumentError(f"{what} must be a tag name or an iterable of tag names") from None
    for name in names:
        if not isinstance(name, str) or not name.strip():
            raise ArgumentError(f"{what}: a tag name must be a non-empty string, got {name!r:.80}")
    return list(dict.fromkeys(names))


def _error_from(
    tag: str, statuses: tuple[MxStatus, ...], hresult: int | None, reply: Any, what: str
) -> TagError | None:
    failure = first_error(statuses)
    if failure is None:
        return None
    return TagError(
        tag,
        message=f"{tag}: {what} ({failure.describe()})",
        hresult=hresult or 0,
        statuses=statuses,
        reply=reply,
    )


# ------------------------------------------------------------------ values


class TagChange:
    """One value of one tag from a subscription, or the error that took its place.

    ``tag`` is the name as given to ``subscribe``/``add``; ``value``,
    ``quality``, ``timestamp``, ``statuses`` and ``mx_value`` are the data
    change's (decoded on first access); ``error`` is a ``TagError`` when the
    statuses report one (e.g. CONFIGURATION_ERROR for a name the galaxy does
    not have), else None. ``first`` is true for a tag's first value in the
    subscription, and again for the first one after a session recovery or a
    replay gap, which then also sets ``after_gap``: values of the tag may
    have been missed right before it. ``event`` is the ``DataChange`` (or
    ``BufferedDataChange``) it came from, None for an error the client made
    (a bulk entry the gateway refused, an item not set up again after a
    recovery). Read-only.
    """

    tag: str
    event: DataChange | BufferedDataChange | None
    # Class-level defaults: a later value of a tag (the hot path) sets only ``tag`` and ``event``.
    first = False
    after_gap = False
    _index = -1
    _made_error: TagError | None = None

    def __init__(
        self,
        tag: str,
        event: DataChange | BufferedDataChange | None,
        *,
        first: bool = False,
        after_gap: bool = False,
        index: int = -1,
        error: TagError | None = None,
    ) -> None:
        # Straight into the instance dict (the class is read-only to others).
        fields = self.__dict__
        fields["tag"] = tag
        fields["event"] = event
        if first:
            fields["first"] = True
        if after_gap:
            fields["after_gap"] = True
        if index >= 0:
            fields["_index"] = index
        if error is not None:
            fields["_made_error"] = error

    @property
    def worker_sequence(self) -> int:
        event = self.event
        return 0 if event is None else event.worker_sequence

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"TagChange is read-only (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"TagChange is read-only (cannot delete {name!r})")

    @property
    def mx_value(self) -> Value | None:
        event = self.event
        if event is None:
            return None
        if isinstance(event, DataChange):
            return event.mx_value
        found: Value = event.values[self._index]
        return found

    @property
    def value(self) -> object:
        event = self.event
        if event is None:
            return None
        if isinstance(event, DataChange):
            return event.value
        return event.values[self._index].value

    @property
    def quality(self) -> Quality:
        event = self.event
        if event is None:
            return _BAD
        if isinstance(event, DataChange):
            return event.quality
        found: Quality = event.qualities[self._index]
        return found

    @property
    def timestamp(self) -> datetime | None:
        event = self.event
        if event is None:
            return None
        if isinstance(event, DataChange):
            return event.timestamp
        stamps = event.timestamps
        index = self._index
        return stamps[index] if index < len(stamps) else None

    @property
    def statuses(self) -> tuple[MxStatus, ...]:
        made = self._made_error
        if made is not None:
            return made.statuses
        event = self.event
        return () if event is None else event.statuses

    @property
    def error(self) -> TagError | None:
        cached = self.__dict__
        if "_error" not in cached:
            made = self._made_error
            event = self.event
            if made is not None or event is None:
                cached["_error"] = made
            else:
                what = "the item reports an error"
                cached["_error"] = _error_from(self.tag, self.statuses, event.hresult, event.raw, what)
        found: TagError | None = cached["_error"]
        return found

    @property
    def ok(self) -> bool:
        """No error status (the quality may still be bad or uncertain)."""
        return self.error is None

    @property
    def mx_type(self) -> MxType | None:
        """The type a write of this tag uses by default (see ``write_type_of``)."""
        return write_type_of(self.mx_value)

    def __repr__(self) -> str:
        shown = f"error={self.error}" if self.error is not None else f"value={self.value!r}"
        flags = "".join((", first" if self.first else "", ", after_gap" if self.after_gap else ""))
        return (
            f"TagChange(tag={self.tag!r}, {shown}, quality={self.quality.raw}, "
            f"worker_sequence={self.worker_sequence}{flags})"
        )


@dataclass(frozen=True)
class TagReading:
    """What ``session.read`` got for one tag.

    ``cached`` is true when the value came from what the session already
    had (an open subscription, or the worker's last data change of an item
    advised in this session) rather than from a read of its own. ``error``
    is a ``TagError`` when the read failed for this tag (``value`` is then
    None).
    """

    tag: str
    value: object
    quality: Quality
    timestamp: datetime | None
    statuses: tuple[MxStatus, ...]
    error: TagError | None
    cached: bool
    mx_value: Value | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @classmethod
    def from_result(cls, tag: str, result: ReadResult) -> TagReading:
        error = _error_from(tag, result.statuses, None, None, result.error_message or "the read failed")
        if error is None and not result.was_successful:
            error = TagError(tag, message=f"{tag}: {result.error_message or 'the read failed'}")
        return cls(
            tag=tag,
            value=None if error is not None else result.value,
            quality=result.quality,
            timestamp=result.timestamp,
            statuses=result.statuses,
            error=error,
            cached=result.was_cached,
            mx_value=None if error is not None else result.mx_value,
        )

    @classmethod
    def from_change(cls, change: TagChange) -> TagReading:
        return cls(
            tag=change.tag,
            value=change.value,
            quality=change.quality,
            timestamp=change.timestamp,
            statuses=change.statuses,
            error=change.error,
            cached=True,
            mx_value=change.mx_value,
        )


# ----------------------------------------------------------------- routing

_new_change = object.__new__  # TagChange without its __init__, for the hot path


class TagEntry:
    """One tag of a subscription: its handle and where it stands."""

    __slots__ = ("after_gap", "alive", "first_pending", "handle", "hidden", "last", "name", "supervisory")

    def __init__(self, name: str, *, hidden: bool, supervisory: bool) -> None:
        self.name = name
        self.handle = 0  # 0: not added (yet), or the gateway refused it
        self.hidden = hidden  # added for a write only: its values are not handed out
        self.supervisory = supervisory
        self.alive = True  # set up in the session the subscription runs in now
        self.first_pending = True  # the next value is a first one
        self.after_gap = False
        self.last: TagChange | None = None

    def __repr__(self) -> str:
        return f"<TagEntry {self.name!r} handle={self.handle} alive={self.alive} hidden={self.hidden}>"


class TagRouter:
    """Routes a subscription's events to its tags (see the module docstring); no I/O.

    The owner feeds every event to ``on_event`` and, when ``signalled`` is
    set, looks at ``resolved`` (write completions and failures for waiters),
    ``reported`` (entries whose first value just came) and
    ``needs_readvise``, then calls ``clear_signals``.
    """

    def __init__(self, server_handle: int, initial: Iterable[str] = ()) -> None:
        self.server_handle = server_handle
        self.by_name: dict[str, TagEntry] = {}
        self.by_handle: dict[int, TagEntry] = {}
        self.ready: collections.deque[TagChange] = collections.deque()
        self.held: list[TagChange] = []
        self._unreported = set(initial)  # initial tags without a value yet: later changes are held
        self.holding = bool(self._unreported)
        self.adding = 0  # adds in flight: data changes for unknown handles are kept
        self._early: dict[int, list[Any]] = {}
        self._waiters: dict[int, collections.deque[Any]] = {}
        self.signalled = False
        self.resolved: list[tuple[Any, WriteComplete | BaseException]] = []
        self.reported: list[TagEntry] = []
        self.needs_readvise = False

    # --------------------------------------------------------------- entries

    def entry(self, name: str) -> TagEntry | None:
        return self.by_name.get(name)

    def new_entry(self, name: str, *, hidden: bool, supervisory: bool) -> TagEntry:
        entry = TagEntry(name, hidden=hidden, supervisory=supervisory)
        self.by_name[name] = entry
        return entry

    def attach(self, entry: TagEntry, handle: int) -> None:
        """The gateway gave ``entry`` its item handle: route its events, the early ones first."""
        entry.handle = handle
        self.by_handle[handle] = entry
        for event in self._early.pop(handle, ()):
            self.on_event(event)

    def refused(self, entry: TagEntry, error: TagError) -> None:
        """The gateway refused the tag when it was added: its error is its first report."""
        self._report(entry, TagChange(entry.name, None, first=True, error=error))

    def adds_done(self) -> None:
        self.adding -= 1
        if not self.adding:
            self._early.clear()

    def detach(self, entry: TagEntry, error: BaseException) -> None:
        """The tag left the subscription; writes still waiting for it fail with ``error``."""
        self.by_name.pop(entry.name, None)
        if entry.handle and self.by_handle.get(entry.handle) is entry:
            del self.by_handle[entry.handle]
            for waiter in self._waiters.pop(entry.handle, ()):
                self._resolve(waiter, error)
        self._unreported.discard(entry.name)
        self._check_settled()

    def stop_holding(self) -> None:
        """Hand out what was held back (every tag reported, or its owner stopped waiting)."""
        self.holding = False
        self._unreported.clear()
        if self.held:
            self.ready.extend(self.held)
            self.held.clear()

    # ---------------------------------------------------------------- writes

    def expect_write(self, handle: int, waiter: Any) -> None:
        """``waiter`` gets the next write completion of ``handle`` (in the order expected)."""
        self._waiters.setdefault(handle, collections.deque()).append(waiter)

    def forget_write(self, handle: int, waiter: Any) -> None:
        waiters = self._waiters.get(handle)
        if waiters is not None and waiter in waiters:
            waiters.remove(waiter)

    @property
    def writes_waiting(self) -> bool:
        return any(self._waiters.values())

    def fail_writes(self, error: BaseException) -> None:
        for waiters in self._waiters.values():
            for waiter in waiters:
                self._resolve(waiter, error)
        self._waiters.clear()

    # ---------------------------------------------------------------- events

    def on_event(self, event: Any) -> None:
        kind = event.__class__
        if kind is DataChange:
            if event.server_handle != self.server_handle:
                return
            entry = self.by_handle.get(event.item_handle)
            if entry is None:
                self._unknown(event)
            elif entry.first_pending or entry.hidden or self.holding:
                self._report(
                    entry, TagChange(entry.name, event, first=entry.first_pending, after_gap=entry.after_gap)
                )
            else:  # the hot path: a later value of a visible tag
                change = _new_change(TagChange)
                fields = change.__dict__
                fields["tag"] = entry.name
                fields["event"] = event
                entry.last = change
                self.ready.append(change)
        elif kind is WriteComplete:
            if event.server_handle == self.server_handle:
                waiters = self._waiters.get(event.item_handle)
                if waiters:
                    self._resolve(waiters.popleft(), event)
        elif kind is BufferedDataChange:
            self._buffered(event)
        elif kind is SessionRecovered:
            self._recovered(event)
        elif kind is ReplayGap:
            self._gap(event)
        # Other families (operation completes, alarms, unknown ones) are not about tag values.

    def _unknown(self, event: Any) -> None:
        if self.adding:
            self._early.setdefault(event.item_handle, []).append(event)
        # else: an item that has left the subscription

    def _buffered(self, event: BufferedDataChange) -> None:
        if event.server_handle != self.server_handle:
            return
        entry = self.by_handle.get(event.item_handle)
        if entry is None:
            self._unknown(event)
            return
        for index in range(len(event.values)):
            change = TagChange(
                entry.name, event, first=entry.first_pending, after_gap=entry.after_gap, index=index
            )
            self._report(entry, change)

    def _report(self, entry: TagEntry, change: TagChange) -> None:
        entry.last = change
        if entry.first_pending:
            entry.first_pending = False
            entry.after_gap = False
            self.reported.append(entry)
            self.signalled = True
            if not entry.hidden:
                self.ready.append(change)
            if self.holding:
                self._unreported.discard(entry.name)
                self._check_settled()
            return
        if entry.hidden:
            return
        if self.holding and entry.name not in self._unreported:
            self.held.append(change)
        else:
            self.ready.append(change)

    def _check_settled(self) -> None:
        if self.holding and not self._unreported:
            self.stop_holding()

    def _resolve(self, waiter: Any, outcome: WriteComplete | BaseException) -> None:
        self.resolved.append((waiter, outcome))
        self.signalled = True

    def _recovered(self, marker: SessionRecovered) -> None:
        failed = dict(marker.failed)
        for entry in self.by_name.values():
            reason = failed.get(entry.name)
            if reason is not None and entry.alive and entry.handle:
                entry.alive = False
                entry.first_pending = True
                error = TagError(
                    entry.name,
                    message=f"{entry.name}: not set up again after the session was recovered "
                    f"(as {marker.new_session_id}): {reason}",
                )
                self._report(entry, TagChange(entry.name, None, first=True, after_gap=True, error=error))
            elif entry.alive:
                entry.first_pending = True
                entry.after_gap = True
        lost = SessionLostError(
            f"session {marker.old_session_id} was lost while a write waited for its OnWriteComplete; "
            f"recovered as {marker.new_session_id}: the write's outcome is unknown",
            session_id=marker.old_session_id,
            last_worker_sequence=marker.lost_after_sequence,
            recovered=True,
            new_session_id=marker.new_session_id,
        )
        self.fail_writes(lost)
        self.signalled = True

    def _gap(self, gap: ReplayGap) -> None:
        for entry in self.by_name.values():
            if entry.alive and entry.handle:
                entry.first_pending = True
                entry.after_gap = True
        self.fail_writes(
            EventStreamError(
                f"events {gap.missing.start}-{gap.missing.stop - 1} were lost while reconnecting "
                "(the gateway no longer had them): a write waiting for its OnWriteComplete has an "
                "unknown outcome"
            )
        )
        self.needs_readvise = True
        self.signalled = True

    def clear_signals(self) -> None:
        self.signalled = False
        self.resolved.clear()
        self.reported.clear()
        self.needs_readvise = False
