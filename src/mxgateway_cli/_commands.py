"""The actions behind each gateway command (run by _jobs on a connected client)."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mxgateway_cli._connection import UsageError
from mxgateway_cli._jobs import Action, Output, PartialResult
from mxgateway_cli._render import event_json, message_json, read_json, subscribe_json, write_json

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
        return [int(part) for part in csv(text, name)]
    except ValueError:
        raise UsageError(f"{name} must be comma-separated integers") from None


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
    text = f"{command}: ok" + "".join(f" {k}={v}" for k, v in fields.items())
    return document, text


def open_session(client_name: str) -> Action:
    async def action(client: GatewayClient, out: Output) -> Result:
        from mxgateway._core.replies import check_protocol_status

        reply = await client.open_session_raw(client_name)
        check_protocol_status(reply)
        return message_json(
            reply
        ), f"session {reply.session_id} (gateway protocol {reply.gateway_protocol_version})"

    return action


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
            lines = [f"{command}:"] + [f"  {r}" for r in rendered]
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
    session_id: str, max_events: int, timeout: float | None, after: int, ndjson: bool
) -> Action:
    if max_events < 0:
        raise UsageError("--max-events must not be negative")
    if timeout is not None and timeout <= 0:
        raise UsageError("--timeout must be positive")

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        collected: list[dict[str, Any]] = []
        session = session_of(client, session_id)
        async with session.events(after_worker_sequence=after) as events:
            try:
                async with asyncio.timeout(timeout):
                    async for event in events:
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
                partial = {} if ndjson else {"events": collected}
                raise PartialResult(
                    cause, {**partial, "lastWorkerSequence": events.last_worker_sequence}
                ) from None
            last = events.last_worker_sequence
        if ndjson:
            return None
        document = {"events": collected, "lastWorkerSequence": last}
        return document, f"{len(collected)} event(s), last worker sequence {last}"

    return action


def smoke(item: str, max_events: int, timeout: float, value: str | None, type_name: str | None) -> Action:
    """Open, register, add, advise, stream, write, see the write complete, close."""
    if max_events < 1:
        raise UsageError("--max-events must be at least 1")

    async def action(client: GatewayClient, out: Output) -> Result:
        import asyncio

        from mxgateway import DataChange, WriteComplete

        steps: list[dict[str, Any]] = []

        def step(name: str, **fields: Any) -> None:
            steps.append({"step": name, "ok": True, **fields})
            if not out.json_mode:
                shown = {k: v for k, v in fields.items() if k != "events"}
                out.text(f"{name}: ok" + "".join(f" {k}={v}" for k, v in shown.items()))

        failure: BaseException | None = None
        session = await client.open_session("mxgw-py-smoke")
        step("open-session", sessionId=session.session_id)
        try:
            server = await session.register("mxgw-py-smoke")
            step("register", serverHandle=server)
            handle = await session.add_item(server, item)
            step("add-item", item=item, itemHandle=handle)
            async with session.events() as events:
                await session.advise(server, handle)
                step("advise", itemHandle=handle)
                received: list[dict[str, Any]] = []
                last_value: object = None
                async with asyncio.timeout(timeout):
                    async for event in events:
                        received.append(event_json(event))
                        if isinstance(event, DataChange):
                            if event.error is not None:
                                raise RuntimeError(f"{item}: {event.error.describe()}")
                            last_value = event.value
                        if len(received) >= max_events:
                            break
                step("stream-events", count=len(received), events=received)
                write_type = type_name
                if value is not None:
                    to_write = parse_value(value, type_name)
                elif isinstance(last_value, int) and not isinstance(last_value, bool):
                    to_write, write_type = last_value + 1, type_name or "int32"
                else:
                    to_write = None
                if to_write is None:
                    steps.append(
                        {
                            "step": "write",
                            "ok": True,
                            "skipped": "no --value given and the item is not an integer",
                        }
                    )
                else:
                    await session.write(server, handle, to_write, type=write_type)
                    step(
                        "write",
                        value=to_write if isinstance(to_write, int | float | str | bool) else str(to_write),
                    )
                    async with asyncio.timeout(timeout):
                        async for event in events:
                            if isinstance(event, WriteComplete) and event.item_handle == handle:
                                if not event.succeeded:
                                    raise RuntimeError(
                                        f"write of {item} failed: {event.statuses[0].describe()}"
                                    )
                                step("write-complete", workerSequence=event.worker_sequence)
                                break
        except BaseException as exc:
            failure = exc
            steps.append(
                {
                    "step": "error",
                    "ok": False,
                    "error": str(exc) or type(exc).__name__,
                    "type": type(exc).__name__,
                }
            )
        finally:
            state = await session.close()
            steps.append({"step": "close-session", "ok": True, "finalState": state})
        if failure is not None:
            raise PartialResult(failure, {"ok": False, "steps": steps}) from failure
        return {"ok": True, "steps": steps}, "smoke: ok"

    return action
