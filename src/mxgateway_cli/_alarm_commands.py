"""``mxgw-py alarms stream|query|ack``: the session-less alarm feed.

The cross-language CLI names (``stream-alarms``, ``query-active-alarms``,
``acknowledge-alarm``) stay top-level aliases of the same commands, hidden
from the top-level help so that it lists one line per group. The JSON
documents carry the cross-language name as ``command``, whichever spelling
ran them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from cyclopts import App, Parameter

from mxgateway_cli._connection import Connection, UsageError
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag
from mxgateway_cli._inputs import Integer, Seconds
from mxgateway_cli._jobs import Action, Job, Output, PartialResult
from mxgateway_cli._render import message_json, status_json

if TYPE_CHECKING:
    from mxgateway import GatewayClient

Result = tuple[dict[str, Any], str] | None
Prefix = Annotated[str, Parameter(help="Only alarms whose full reference starts with this.")]


def _feed_line(message: Any) -> str:
    """One short line for people per feed message."""
    kind = message.WhichOneof("payload") or "unknown"
    if kind == "active_alarm":
        alarm = message.active_alarm
        return f"active {alarm.alarm_full_reference} severity={alarm.severity}"
    if kind == "transition":
        change = message.transition
        return f"transition {change.alarm_full_reference} {_enum_suffix(change, 'transition_kind')}"
    return kind.replace("_", "-")


def _enum_suffix(message: Any, field: str) -> str:
    descriptor = message.DESCRIPTOR.fields_by_name[field].enum_type
    name: str = descriptor.values_by_number[getattr(message, field)].name
    return name.rsplit("_KIND_", 1)[-1].rsplit("_STATE_", 1)[-1]


def stream_action(prefix: str, max_events: int, timeout: float | None, json_mode: bool) -> Action:
    if max_events < 0:
        raise UsageError("--max-events must not be negative")

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        received = 0
        async with client.stream_alarms(prefix) as feed:
            try:
                async with asyncio.timeout(timeout):
                    async for message in feed:
                        if json_mode:
                            out.line(message_json(message))
                        else:
                            out.text(_feed_line(message))
                        received += 1
                        if max_events and received >= max_events:
                            break
            except TimeoutError:
                pass  # reaching --timeout is success, as for stream-events
            except (Exception, asyncio.CancelledError) as failure:
                cause = KeyboardInterrupt() if isinstance(failure, asyncio.CancelledError) else failure
                raise PartialResult(cause, {"received": received}) from None
        return None

    return action


def query_action(prefix: str) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        snapshots = await client.query_active_alarms(prefix)
        document = {
            "command": "query-active-alarms",
            "ok": True,
            "alarms": [message_json(s) for s in snapshots],
        }
        lines = [
            f"{s.alarm_full_reference} {_enum_suffix(s, 'condition_state')} severity={s.severity}"
            for s in snapshots
        ]
        return document, "\n".join(lines) if lines else "no active alarms"

    return action


def acknowledge_action(reference: str, comment: str, operator_user: str) -> Action:
    if not reference.strip():
        raise UsageError("the alarm reference is empty")

    async def action(client: GatewayClient, out: Output) -> Result:
        status = await client.acknowledge_alarm(reference, comment=comment, operator_user=operator_user)
        document = {
            "command": "acknowledge-alarm",
            "ok": True,
            "alarmFullReference": reference,
            "status": status_json(status),
        }
        return document, f"acknowledge-alarm: ok {reference}"

    return action


def stream(
    *,
    connection: Connection = NO_CONNECTION,
    prefix: Prefix = "",
    max_events: Annotated[Integer, Parameter(help="Stop after this many feed messages (0: no limit).")] = 0,
    timeout: Annotated[Seconds | None, Parameter(help="Stop after this many seconds (success).")] = None,
    json_output: JsonFlag = False,
    ndjson: Annotated[bool, Parameter(negative="", help="The same as --json: one message per line.")] = False,
) -> Job:
    """Stream the alarm feed: the active alarms, snapshot-complete, then transitions (NDJSON with --json)."""
    json_mode = json_output or ndjson
    return Job(stream_action(prefix, max_events, timeout, json_mode), connection, json_mode, ndjson=json_mode)


def query(
    *, connection: Connection = NO_CONNECTION, prefix: Prefix = "", json_output: JsonFlag = False
) -> Job:
    """Print the active alarms (a snapshot)."""
    return Job(query_action(prefix), connection, json_output)


def ack(
    reference: Annotated[str, Parameter(name="--reference", help="The alarm's full reference.")],
    *,
    connection: Connection = NO_CONNECTION,
    comment: str = "",
    operator_user: str = "",
    json_output: JsonFlag = False,
) -> Job:
    """Acknowledge an alarm (REFERENCE, or --reference REFERENCE)."""
    return Job(acknowledge_action(reference, comment, operator_user), connection, json_output)


ALARM_COMMANDS = (
    (stream, "stream", "stream-alarms"),
    (query, "query", "query-active-alarms"),
    (ack, "ack", "acknowledge-alarm"),
)


def register_alarm_commands(app: App, group: Any) -> None:
    """``alarms`` as a sub-app of ``app`` in help panel ``group``, and the top-level aliases."""
    alarms = App(
        name="alarms",
        help="The alarm feed (session-less): stream, query, ack. "
        "Aliases: stream-alarms, query-active-alarms, acknowledge-alarm.",
        group=group,
    )
    for function, name, alias in ALARM_COMMANDS:
        alarms.command(function, name=name)
        app.command(function, name=alias, show=False)
    app.command(alarms)
