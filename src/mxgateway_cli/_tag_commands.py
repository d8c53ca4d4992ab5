"""``mxgw-py read``, ``watch`` and ``write-tag``: tags by name, each command in a session of its own.

``read`` prints a table (JSON with ``--json``); ``watch`` a table that
updates in place on a terminal (rich), plain lines elsewhere, NDJSON with
``--json``/``--ndjson``; ``write-tag`` writes one value, typed from what the
gateway reports for the tag unless ``--type`` says. A bad tag name is a
``TagError`` (exit 1); an unknown type or a value that does not convert a
usage error (exit 2).
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import App, Group, Parameter

from mxgateway_cli._connection import Connection, UsageError
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag, TypeFlag
from mxgateway_cli._inputs import Integer, Seconds
from mxgateway_cli._jobs import Action, Job, Output, PartialResult, mask_text
from mxgateway_cli._render import format_time, status_json

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from mxgateway import GatewayClient, TagChange, TagError, TagReading

Result = tuple[dict[str, Any], str] | None
TAGS = Group("Tags (by name; each command opens and closes its own session)", sort_key=0)
TagNames = Annotated[list[str], Parameter(help="Tag names (Galaxy references), e.g. Tank1.Level.")]
NdjsonFlag = Annotated[bool, Parameter(negative="", help="One JSON document per change (as --json).")]
_REFRESH = 0.5  # seconds between redraws of the live table when nothing changes (the age column moves)
_MIN_REDRAW = 0.1  # a busy subscription redraws at most this often


# -------------------------------------------------------------------- values


def plain_value(value: object) -> Any:
    """A tag value as plain JSON: times in the CLI's format, durations in seconds, lists as lists."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinities
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, list):
        return [plain_value(element) for element in value]
    return value


def change_json(change: TagChange) -> dict[str, Any]:
    mx_value = change.mx_value
    error = change.error
    return {
        "tag": change.tag,
        "value": plain_value(change.value),
        "dataType": None if mx_value is None else mx_value.data_type,
        "quality": change.quality.raw,
        "qualityStatus": change.quality.status,
        "timestamp": None if change.timestamp is None else format_time(change.timestamp),
        "workerSequence": change.worker_sequence,
        "first": change.first,
        "afterGap": change.after_gap,
        "error": None if error is None else str(error),
    }


def reading_json(reading: TagReading) -> dict[str, Any]:
    mx_value = reading.mx_value
    return {
        "tag": reading.tag,
        "ok": reading.ok,
        "value": plain_value(reading.value),
        "dataType": None if mx_value is None else mx_value.data_type,
        "quality": reading.quality.raw,
        "qualityStatus": reading.quality.status,
        "timestamp": None if reading.timestamp is None else format_time(reading.timestamp),
        "cached": reading.cached,
        "error": None if reading.error is None else str(reading.error),
        "statuses": [status_json(s) for s in reading.statuses],
    }


def _shown(value: object) -> str:
    shown = plain_value(value)
    return "" if shown is None else str(shown)


def _age(stamp: datetime | None, now: datetime) -> str:
    if stamp is None:
        return "-"
    seconds = max((now - stamp).total_seconds(), 0.0)
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 60 else f"{minutes // 60}h{minutes % 60:02d}m"


def _bad_name(change: TagChange) -> TagError | None:
    """The error of a first value that says the tag cannot work (refused, or unknown to the galaxy)."""
    from mxgateway import StatusCategory

    error = change.error
    if error is None or not change.first:
        return None
    refused = change.event is None
    unknown = any(s.category == StatusCategory.CONFIGURATION_ERROR for s in error.statuses)
    return error if refused or unknown else None


def _all_failed(failed: dict[str, TagError]) -> TagError:
    from mxgateway import TagError

    first = next(iter(failed.values()))
    if len(failed) == 1:
        return first
    combined = TagError(
        first.tag,
        message=f"{len(failed)} tags failed: " + "; ".join(str(e) for e in failed.values()),
        hresult=first.hresult,
        statuses=first.statuses,
        reply=first.reply,
    )
    combined.failed = failed
    return combined


# -------------------------------------------------------------------- tables


def _colour() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _console(file: Any, terminal: bool) -> Console:
    from rich.console import Console

    colour = terminal and _colour()
    return Console(
        file=file,
        force_terminal=terminal,
        no_color=not colour,
        color_system="auto" if colour else None,
        highlight=False,
        width=None if terminal else 120,
    )


_QUALITY_STYLE = {"good": "green", "uncertain": "yellow", "bad": "red"}


Row = tuple[str, str, Any, str, bool]  # tag, value (or error), quality, age, failed


def _table(rows: list[Row]) -> Table:
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("tag", no_wrap=True)
    table.add_column("value", overflow="fold")
    table.add_column("quality", no_wrap=True)
    table.add_column("age", justify="right", no_wrap=True)
    for tag, value, quality, age, failed in rows:
        table.add_row(tag, value, quality, age, style="red" if failed else None)
    return table


def _row(
    tag: str, value: object, error: TagError | None, quality: Any, stamp: Any, secrets: list[str]
) -> Row:
    from rich.text import Text

    now = datetime.now(UTC)
    shown = str(error) if error is not None else _shown(value)
    status = Text(f"{quality.status} ({quality.raw})", style=_QUALITY_STYLE.get(quality.status, ""))
    return (mask_text(tag, secrets), mask_text(shown, secrets), status, _age(stamp, now), error is not None)


def render_readings(readings: dict[str, TagReading], secrets: list[str]) -> str:
    """The read table for people, as text (coloured on a terminal)."""
    rows = [_row(tag, r.value, r.error, r.quality, r.timestamp, secrets) for tag, r in readings.items()]
    buffer = io.StringIO()
    _console(buffer, sys.stdout.isatty()).print(_table(rows))
    return buffer.getvalue().rstrip("\n")


class LiveTable:
    """The watch table on a terminal: one row per tag, redrawn in place (rich's Live)."""

    def __init__(self, tags: list[str], secrets: list[str]) -> None:
        from rich.live import Live

        self._tags = tags
        self._secrets = secrets
        self._latest: dict[str, TagChange] = {}
        self._drawn = 0.0
        self._live: Live = Live(
            console=_console(sys.stdout, True), auto_refresh=False, redirect_stdout=False, transient=False
        )

    def __enter__(self) -> LiveTable:
        self._live.start()
        self.redraw()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.redraw()
        self._live.stop()

    def show(self, change: TagChange) -> None:
        self._latest[change.tag] = change
        if time.monotonic() - self._drawn >= _MIN_REDRAW:
            self.redraw()

    def redraw(self) -> None:
        rows: list[Row] = []
        for tag in self._tags:
            change = self._latest.get(tag)
            if change is None:
                rows.append((mask_text(tag, self._secrets), "(waiting for a first value)", "", "", False))
            else:
                error, secrets = change.error, self._secrets
                rows.append(_row(tag, change.value, error, change.quality, change.timestamp, secrets))
        self._live.update(_table(rows), refresh=True)
        self._drawn = time.monotonic()


class LineView:
    """Watch output that is not a live table: NDJSON, or one line of text per change."""

    def __init__(self, out: Output) -> None:
        self._out = out

    def __enter__(self) -> LineView:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def show(self, change: TagChange) -> None:
        if self._out.json_mode:
            self._out.line(change_json(change))
            return
        error = change.error
        what = f"error: {error}" if error is not None else _shown(change.value)
        stamp = "" if change.timestamp is None else f" {format_time(change.timestamp)}"
        self._out.text(f"{change.tag} = {what} ({change.quality.status} {change.quality.raw}){stamp}")

    def redraw(self) -> None:
        return None


# ------------------------------------------------------------------- actions


def read_action(tags: list[str], timeout: float | None) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        async with await client.open_session("mxgw-py-read") as session:
            readings = await session.read(tags, timeout=timeout)
        document = {
            "command": "read",
            "ok": all(r.ok for r in readings.values()),
            "results": [reading_json(r) for r in readings.values()],
        }
        text = render_readings(readings, out.secrets)
        failed = {tag: r.error for tag, r in readings.items() if r.error is not None}
        if failed:
            if not out.json_mode:
                out.text(text)  # the table first; the error line follows on stderr
            raise PartialResult(_all_failed(failed), document)
        return document, text

    return action


def watch_action(tags: list[str], max_events: int, duration: float | None, live: bool) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        view: LiveTable | LineView = LiveTable(tags, out.secrets) if live else LineView(out)
        session = await client.open_session("mxgw-py-watch")
        async with session, session.subscribe(tags) as subscription:
            with view:
                redraws = asyncio.get_running_loop().create_task(_redraw_forever(view))
                try:
                    async with asyncio.timeout(duration) as limit:
                        await _watch(subscription, view, max_events)
                except TimeoutError:
                    if not limit.expired():
                        raise  # a library timeout, not --duration
                finally:
                    redraws.cancel()
        return None

    return action


async def _watch(subscription: Any, view: LiveTable | LineView, max_events: int) -> None:
    shown = 0
    async for change in subscription:
        bad = _bad_name(change)
        if bad is not None:
            view.show(change)
            raise bad
        view.show(change)
        shown += 1
        if max_events and shown >= max_events:
            return


async def _redraw_forever(view: LiveTable | LineView) -> None:
    import asyncio

    while True:
        await asyncio.sleep(_REFRESH)  # the age column moves even when no value does
        view.redraw()


def write_tag_action(tag: str, value: str, type_name: str | None, confirm: bool, timeout: float) -> Action:
    from mxgateway import MxType, parse_text_value

    chosen = None if type_name is None else MxType.parse(type_name)
    parsed = None if chosen is None else parse_text_value(value, chosen)  # a bad value: exit 2, nothing sent

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        async with await client.open_session("mxgw-py-write-tag") as session:
            to_write, mx_type = parsed, chosen
            if mx_type is None:
                # The type comes from the tag itself: its first value says what it holds.
                async with session.subscribe(tag) as subscription:
                    async with asyncio.timeout(timeout):
                        first = await anext(subscription)
                    if first.error is not None:
                        raise first.error
                    mx_type = first.mx_type
                    if mx_type is None:
                        data_type = first.mx_value.data_type if first.mx_value is not None else "none"
                        raise UsageError(
                            f"{tag} reports no type this client writes ({data_type}): pass --type"
                        )
                    to_write = parse_text_value(value, mx_type)
                    await session.write(tag, to_write, type=mx_type, confirm=confirm)
            else:
                await session.write(tag, to_write, type=mx_type, confirm=confirm)
        document = {
            "command": "write-tag",
            "ok": True,
            "tag": tag,
            "value": plain_value(to_write),
            "type": mx_type.value,
            "confirmed": confirm,
        }
        outcome = "written and confirmed" if confirm else "written (not confirmed)"
        return document, f"write-tag: {tag} = {_shown(to_write)} ({mx_type.value}): {outcome}"

    return action


# ------------------------------------------------------------------ commands


def read(
    tags: TagNames,
    *,
    connection: Connection = NO_CONNECTION,
    timeout: Seconds | None = None,
    json_output: JsonFlag = False,
) -> Job:
    """Read tags by name: value, quality and timestamp of each (one ReadBulk).

    A tag that fails is in the results with its error, and the exit code is 1.
    """
    return Job(read_action(tags, timeout), connection, json_output)


def watch(
    tags: TagNames,
    *,
    connection: Connection = NO_CONNECTION,
    max_events: Integer = 0,
    duration: Seconds | None = None,
    json_output: JsonFlag = False,
    ndjson: NdjsonFlag = False,
) -> Job:
    """Watch tags by name until Ctrl-C (exit 130), --max-events changes (0: no limit) or --duration.

    On a terminal a table updates in place (tag, value, quality, age);
    otherwise one line per change, or NDJSON with --json/--ndjson.
    """
    if max_events < 0:
        raise UsageError("--max-events must not be negative")
    streaming_json = json_output or ndjson
    live = not streaming_json and sys.stdout.isatty()
    action = watch_action(tags, max_events, duration, live)
    return Job(action, connection, streaming_json, ndjson=streaming_json)


def write_tag(
    tag: Annotated[str, Parameter(help="The tag name (Galaxy reference), e.g. Tank1.Setpoint.")],
    value: Annotated[str, Parameter(help="The value, as text (read by --type, or the tag's own type).")],
    *,
    connection: Connection = NO_CONNECTION,
    type: TypeFlag = None,
    confirm: Annotated[
        bool,
        Parameter(
            name="--confirm",
            negative="--no-confirm",
            help="Wait for the write's OnWriteComplete and fail if it reports failure.",
        ),
    ] = True,
    timeout: Seconds = 30.0,
    json_output: JsonFlag = False,
) -> Job:
    """Write one tag by name; without --type, typed like the values the tag reports."""
    return Job(write_tag_action(tag, value, type, confirm, timeout), connection, json_output)


def register_tag_commands(app: App) -> None:
    app.command(read, name="read", group=TAGS)
    app.command(watch, name="watch", group=TAGS)
    app.command(write_tag, name="write-tag", group=TAGS)
