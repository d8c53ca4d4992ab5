"""The actions behind each gateway command (run by _jobs on a connected client)."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mxgateway_cli._connection import UsageError
from mxgateway_cli._inputs import parse_integer
from mxgateway_cli._jobs import Action, Output, PartialResult, error_message
from mxgateway_cli._render import event_json, read_json, subscribe_json, write_json

if TYPE_CHECKING:
    from mxgateway import GatewayClient, Session

Result = tuple[dict[str, Any], str] | None


def csv(text: str, name: str) -> list[str]:
    items = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in items):
        raise UsageError(f"{name} must be a comma-separated list without empty entries")
    return items


def csv_ints(text: str, name: str) -> list[int]:
    try:
        return [parse_integer(part) for part in csv(text, name)]
    except ValueError:
        raise UsageError(f"{name} must be comma-separated integers in ASCII digits") from None


def parse_value(text: str, type_name: str | None) -> object:
    from mxgateway import MxType, parse_text_value

    return parse_text_value(text, MxType.parse(type_name or "string"))


def parse_timestamp(text: str) -> datetime:
    from mxgateway import MxType, parse_text_value

    value = parse_text_value(text, MxType.TIME)
    assert isinstance(value, datetime)
    return value


def session_of(client: GatewayClient, session_id: str) -> Session:
    return client.attach_session(session_id)


def ok(command: str, **fields: Any) -> tuple[dict[str, Any], str]:
    document = {"command": command, "ok": True, **fields}
    return document, f"{command}: ok" + _pairs_text(fields)


def _pairs_text(fields: dict[str, Any]) -> str:
    """`` key=value`` pairs for people; a nested result is flattened one level."""
    parts = []
    for key, value in fields.items():
        if isinstance(value, dict):
            parts.append(_pairs_text(value))
        else:
            parts.append(f" {key}={value}")
    return "".join(parts)


def open_session(client_name: str) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        from mxgateway import SessionInfo

        # The raw call: GatewayClient.open_session would close the session
        # when this command's client closes, and it must stay open.
        reply = await client.open_session_raw(client_name)
        _check_opened(reply)
        info = SessionInfo.from_proto(reply)
        document, _ = ok(
            "open-session",
            sessionId=info.session_id,
            backendName=info.backend_name,
            gatewayProtocolVersion=info.gateway_protocol_version,
            workerProtocolVersion=info.worker_protocol_version,
            capabilities=list(info.capabilities),
        )
        return document, f"session {info.session_id} (gateway protocol {info.gateway_protocol_version})"

    return action


def _check_opened(reply: Any) -> None:
    """Raise ProtocolStatusError when OpenSession's protocol status is not OK."""
    from mxgateway import ProtocolStatusError

    status = reply.protocol_status
    codes = status.DESCRIPTOR.fields_by_name["code"].enum_type
    if status.code == codes.values_by_name["PROTOCOL_STATUS_CODE_OK"].number:
        return
    known = codes.values_by_number.get(status.code)
    code = known.name.removeprefix("PROTOCOL_STATUS_CODE_") if known is not None else f"UNKNOWN_{status.code}"
    raise ProtocolStatusError(code, status.message, reply=reply)


def close_session(session_id: str) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        state = await client.attach_session(session_id).close()
        return ok("close-session", sessionId=session_id, finalState=state)

    return action


def helper_call(
    command: str, session_id: str, method: str, args: Sequence[Any], kwargs: dict[str, Any], key: str
) -> Action:
    """Call one typed session helper; ``key`` names its result in the JSON (``""``: none)."""

    async def action(client: GatewayClient, out: Output) -> Result:
        result = await getattr(session_of(client, session_id), method)(*args, **kwargs)
        if isinstance(result, list):
            rendered = [_render_result(r) for r in result]
            document = {
                "command": command,
                "ok": all(r.get("wasSuccessful", True) for r in rendered),
                "results": rendered,
            }
            lines = [f"{command}:"] + [f"  {_result_text(r)}" for r in result]
            return document, "\n".join(lines)
        if key:
            value = result if isinstance(result, int | str | bool) else _render_result(result)
            return ok(command, **{key: value})
        return ok(command)

    return action


def _render_result(result: Any) -> dict[str, Any]:
    from mxgateway import ReadResult, SessionStateInfo, SubscribeResult, WriteResult

    if isinstance(result, SubscribeResult):
        return subscribe_json(result)
    if isinstance(result, WriteResult):
        return write_json(result)
    if isinstance(result, ReadResult):
        return read_json(result)
    if isinstance(result, SessionStateInfo):
        return {"state": result.state, "workerState": result.worker_state}
    raise TypeError(f"no JSON form for {type(result).__name__}")


def _result_text(result: Any) -> str:
    """One short line for a bulk entry: what it was about, and how it went."""
    from mxgateway import ReadResult, SubscribeResult

    subject = getattr(result, "tag_address", "") or f"item {result.item_handle}"
    if not result.was_successful:
        return f"{subject}: failed: {result.error_message or 'no reason given'}"
    if isinstance(result, SubscribeResult):
        return f"{subject}: ok itemHandle={result.item_handle}"
    if isinstance(result, ReadResult):
        return f"{subject}: ok value={result.value!r} quality={result.quality.status}"
    return f"{subject}: ok"


def read_password(password_env: str | None) -> str:
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise UsageError(f"environment variable {password_env} is not set")
        return value
    if not sys.stdin.isatty():
        raise UsageError("no terminal to prompt for the password: use --password-env VAR")
    return getpass.getpass("MXAccess password: ")


def stream_events(
    session_id: str, max_events: int, timeout: float | None, after: int, ndjson: bool, follow: bool = False
) -> Action:
    """With ``follow`` the stream re-attaches by itself; each re-attachment is reported as a
    ``{"type": "reconnected", ...}`` line before the first event that follows it."""
    if max_events < 0:
        raise UsageError("--max-events must not be negative")
    if after < 0:
        raise UsageError("--after-sequence must not be negative")

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        collected: list[dict[str, Any]] = []
        session = session_of(client, session_id)
        reconnects = 0
        before = after  # the resume point before the event in hand
        async with session.events(after_worker_sequence=after) as events:
            try:
                async with asyncio.timeout(timeout):
                    async for event in events:
                        if follow:
                            stats = events.statistics()
                            if stats.reconnects > reconnects:
                                reconnects = stats.reconnects
                                out.line(_reconnected_record(stats, before))
                            before = events.last_worker_sequence
                        rendered = event_json(event)
                        if ndjson:
                            out.line(rendered)
                        elif not out.json_mode:
                            out.text(repr(event))
                        collected.append(rendered)
                        if max_events and len(collected) >= max_events:
                            break
            except TimeoutError:
                pass  # reaching --timeout first is success: report what was collected
            except (Exception, asyncio.CancelledError) as failure:
                # The gateway went away, or Ctrl-C: still report every event
                # received and where to resume, never drop them silently.
                cause = KeyboardInterrupt() if isinstance(failure, asyncio.CancelledError) else failure
                partial = {} if ndjson else {"command": "stream-events", "ok": False, "events": collected}
                raise PartialResult(
                    cause, {**partial, "lastWorkerSequence": events.last_worker_sequence}
                ) from None
            last = events.last_worker_sequence
        if ndjson:
            return None
        document = {"command": "stream-events", "ok": True, "events": collected, "lastWorkerSequence": last}
        return document, f"{len(collected)} event(s), last worker sequence {last}"

    return action


def _reconnected_record(stats: Any, resumed_after: int) -> dict[str, Any]:
    return {
        "type": "reconnected",
        "resumedAfter": resumed_after,
        "reconnects": stats.reconnects,
        "attempts": stats.reconnect_attempts,
        "replayed": stats.replayed,
        "gaps": stats.gaps,
        "lastError": stats.last_error,
    }


# The --type that writes a value like the one an item reported.
_WRITE_TYPE_OF_VARIANT = {
    "VT_BOOL": "bool",
    "VT_I2": "int32",
    "VT_I4": "int32",
    "VT_I8": "int64",
    "VT_R4": "float",
    "VT_R8": "double",
    "VT_BSTR": "string",
    "VT_DATE": "time",
}


def smoke(
    item: str, max_events: int, timeout: float, write: bool, value: str | None, type_name: str | None
) -> Action:
    """Open, register, add, advise, stream a bounded number of events, close.

    Read-only unless ``write``: then it also writes the item and waits for
    the OnWriteComplete. Without ``--type`` the write uses the type of the
    item's last reported value; without ``--value`` it writes that value + 1
    (integer items only).
    """
    if max_events < 1:
        raise UsageError("--max-events must be at least 1")
    if not write and (value is not None or type_name is not None):
        raise UsageError("--value and --type are for the write: add --write (smoke is read-only without it)")
    if value is not None and type_name is not None:
        parse_value(value, type_name)  # a bad --value is a usage error before anything opens

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        steps: list[dict[str, Any]] = []

        def step(name: str, ok: bool = True, **fields: Any) -> None:
            steps.append({"step": name, "ok": ok, **fields})
            if not out.json_mode:
                shown = {k: v for k, v in fields.items() if k != "events"}
                outcome = "ok" if ok else "failed"
                out.text(f"{name}: {outcome}" + "".join(f" {k}={v}" for k, v in shown.items()))

        failure: BaseException | None = None
        session = await client.open_session("mxgw-py-smoke")
        step("open-session", sessionId=session.session_id)
        try:
            await _smoke_steps(session, item, max_events, timeout, write, value, type_name, step)
        except BaseException as exc:  # Ctrl-C included: the session is still closed below
            failure = KeyboardInterrupt() if isinstance(exc, asyncio.CancelledError) else exc
            step("error", ok=False, error=error_message(failure), type=type(failure).__name__)
        finally:
            try:
                state = await session.close()
            except Exception as close_failure:
                failure = failure or close_failure
                step("close-session", ok=False, error=str(close_failure) or type(close_failure).__name__)
            else:
                step("close-session", finalState=state)
        if failure is not None:
            raise PartialResult(failure, {"command": "smoke", "ok": False, "steps": steps}) from None
        return {"command": "smoke", "ok": True, "steps": steps}, "smoke: ok"

    return action


async def _smoke_steps(
    session: Session,
    item: str,
    max_events: int,
    timeout: float,
    write: bool,
    value: str | None,
    type_name: str | None,
    step: Callable[..., None],
) -> None:
    import asyncio

    from mxgateway import DataChange, MxAccessError, WriteComplete

    server = await session.register("mxgw-py-smoke")
    step("register", serverHandle=server)
    handle = await session.add_item(server, item)
    step("add-item", item=item, itemHandle=handle)
    async with session.events() as events:
        await session.advise(server, handle)
        step("advise", itemHandle=handle)
        received: list[dict[str, Any]] = []
        last_change: DataChange | None = None
        async with asyncio.timeout(timeout):
            async for event in events:
                received.append(event_json(event))
                if isinstance(event, DataChange) and event.item_handle == handle:
                    if event.error is not None:
                        raise MxAccessError(
                            hresult=event.hresult or 0,
                            statuses=event.statuses,
                            message=f"{item}: {event.error.describe()}",
                            reply=event.raw,
                        )
                    last_change = event
                if len(received) >= max_events:
                    break
        step("stream-events", count=len(received), events=received)
        if not write:
            return
        write_type = type_name
        if write_type is None and last_change is not None:
            write_type = _WRITE_TYPE_OF_VARIANT.get(last_change.mx_value.variant_type)
        current = None if last_change is None else last_change.value
        to_write: object
        if value is not None:
            to_write = parse_value(value, write_type)
        elif isinstance(current, int) and not isinstance(current, bool):
            to_write = current + 1
        else:
            step("write", skipped="no --value given and the item's last value is not an integer")
            return
        await session.write(server, handle, to_write, type=write_type)
        shown = to_write if isinstance(to_write, int | float | str | bool) else str(to_write)
        step("write", value=shown, type=write_type or "string")
        async with asyncio.timeout(timeout):
            async for event in events:
                if isinstance(event, WriteComplete) and event.item_handle == handle:
                    event.raise_for_failure()
                    step("write-complete", workerSequence=event.worker_sequence)
                    return
