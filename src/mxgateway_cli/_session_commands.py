"""The MXAccess commands: sessions, items, writes, bulk, events and smoke.

Commands that differ only in their fields are declared from tables (the
item commands, the write family) and built by one function each; the rest
are written out. Each returns a ``Job`` that ``app.run`` (or ``batch``)
executes.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from cyclopts import App, Group, Parameter

from mxgateway_cli import _commands as act
from mxgateway_cli._connection import Connection, UsageError
from mxgateway_cli._flags import NO_CONNECTION, JsonFlag, OnItem, OnServer, OnSession, SessionId, TypeFlag
from mxgateway_cli._inputs import Integer, Seconds
from mxgateway_cli._jobs import Job

SESSIONS = Group("Sessions", sort_key=1)
ITEMS = Group("Items", sort_key=2)
WRITES = Group("Writes", sort_key=3)
BULK = Group("Bulk", sort_key=4)
EVENTS = Group("Events and checks", sort_key=5)


def _helper(
    command: str,
    connection: Connection,
    target: OnSession | OnServer | OnItem,
    json_output: bool,
    method: str,
    *args: Any,
    key: str = "",
    **kwargs: Any,
) -> Job:
    """A command that calls one typed session helper on ``target``'s handles."""
    action = act.helper_call(command, target.session_id, method, (*target.handles(), *args), kwargs, key)
    return Job(action, connection, json_output)


# ------------------------------------------------------------------ sessions


def open_session(
    *, connection: Connection = NO_CONNECTION, client_name: str = "mxgw-py", json_output: JsonFlag = False
) -> Job:
    """Open a gateway session and print its id (the session stays open)."""
    return Job(act.open_session(client_name), connection, json_output)


def close_session(
    *, connection: Connection = NO_CONNECTION, session_id: SessionId, json_output: JsonFlag = False
) -> Job:
    """Close a session (closing a closed session succeeds)."""
    return Job(act.close_session(session_id), connection, json_output)


def ping(*, connection: Connection = NO_CONNECTION, target: OnSession, json_output: JsonFlag = False) -> Job:
    """Round trip to the session's worker."""
    return _helper("ping", connection, target, json_output, "ping")


def get_session_state(
    *, connection: Connection = NO_CONNECTION, target: OnSession, json_output: JsonFlag = False
) -> Job:
    """Print the session and worker state."""
    return _helper(
        "get-session-state", connection, target, json_output, "get_session_state", key="sessionState"
    )


def register(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnSession,
    client_name: str,
    json_output: JsonFlag = False,
) -> Job:
    """Register with MXAccess; prints the server handle."""
    return _helper("register", connection, target, json_output, "register", client_name, key="serverHandle")


def unregister(
    *, connection: Connection = NO_CONNECTION, target: OnServer, json_output: JsonFlag = False
) -> Job:
    """Unregister a server handle."""
    return _helper("unregister", connection, target, json_output, "unregister")


def authenticate_user(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    user_name: str,
    password_env: str | None = None,
    json_output: JsonFlag = False,
) -> Job:
    """Authenticate an MXAccess user; the password comes from --password-env VAR or a prompt."""
    password = act.read_password(password_env)
    return _helper(
        "authenticate-user",
        connection,
        target,
        json_output,
        "authenticate_user",
        user_name,
        password,
        key="userId",
    )


# --------------------------------------------------------------------- items


def add_item(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item: str,
    json_output: JsonFlag = False,
) -> Job:
    """Add an item (e.g. Object.Attribute); prints the item handle."""
    return _helper("add-item", connection, target, json_output, "add_item", item, key="itemHandle")


def add_item2(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item: str,
    item_context: str = "",
    json_output: JsonFlag = False,
) -> Job:
    """AddItem2: add an item with a context string; prints the item handle."""
    return _helper(
        "add-item2", connection, target, json_output, "add_item2", item, item_context, key="itemHandle"
    )


# The commands on one item that differ only in the helper they call.
ITEM_COMMANDS = (
    ("remove-item", "remove_item", "Remove an item."),
    ("advise", "advise", "Advise an item: its data changes arrive on the event stream."),
    (
        "advise-supervisory",
        "advise_supervisory",
        "Advise an item as a supervisory client (MXAccess AdviseSupervisory).",
    ),
    ("unadvise", "unadvise", "Stop the data changes of an item."),
    ("suspend", "suspend", "Suspend an advised item."),
    ("activate", "activate", "Activate a suspended item."),
)


def _item_command(command: str, method: str, summary: str) -> Callable[..., Job]:
    def run(*, connection: Connection = NO_CONNECTION, target: OnItem, json_output: JsonFlag = False) -> Job:
        return _helper(command, connection, target, json_output, method)

    run.__doc__ = summary
    return run


# -------------------------------------------------------------------- writes


@dataclass(frozen=True)
class WriteForm:
    """One command of the write family: which optional parts it has.

    ``timestamped``: a ``--timestamp`` (Write2 forms); ``secured``:
    ``--current-user-id`` and ``--verifier-user-id`` (WriteSecured forms);
    ``bulk``: ``--item-handles``/``--values`` lists on a server handle
    instead of one ``--item-handle``/``--value``. Plain single writes also
    take ``--user-id``.
    """

    command: str
    method: str
    summary: str
    timestamped: bool = False
    secured: bool = False
    bulk: bool = False


WRITE_FORMS = (
    WriteForm(
        "write", "write", "Write a value (the outcome also arrives as OnWriteComplete on the event stream)."
    ),
    WriteForm(
        "write2", "write2", "Write a value with a timestamp (ISO 8601 with offset or Z).", timestamped=True
    ),
    WriteForm(
        "write-secured",
        "write_secured",
        "Secured write by an authenticated user (and a verifier for verified attributes).",
        secured=True,
    ),
    WriteForm(
        "write-secured2", "write_secured2", "Secured write with a timestamp.", timestamped=True, secured=True
    ),
    WriteForm(
        "write-bulk",
        "write_bulk",
        "Write values to item handles, pairwise (per-entry results in input order).",
        bulk=True,
    ),
    WriteForm(
        "write2-bulk", "write2_bulk", "Write2 for many items with one timestamp.", timestamped=True, bulk=True
    ),
    WriteForm(
        "write-secured-bulk", "write_secured_bulk", "WriteSecured for many items.", secured=True, bulk=True
    ),
    WriteForm(
        "write-secured2-bulk",
        "write_secured2_bulk",
        "WriteSecured2 for many items with one timestamp.",
        timestamped=True,
        secured=True,
        bulk=True,
    ),
)

_REQUIRED = inspect.Parameter.empty


def _write_parameters(form: WriteForm) -> list[tuple[str, Any, Any]]:
    """(name, annotation, default) of a write command's flags, in help order."""
    parameters: list[tuple[str, Any, Any]] = [
        ("connection", Connection, NO_CONNECTION),
        ("target", OnServer if form.bulk else OnItem, _REQUIRED),
    ]
    parameters += (
        [("item_handles", str, _REQUIRED), ("values", str, _REQUIRED)]
        if form.bulk
        else [("value", str, _REQUIRED)]
    )
    if form.timestamped:
        parameters.append(("timestamp", str, _REQUIRED))
    if form.secured:
        parameters += [("current_user_id", Integer, _REQUIRED), ("verifier_user_id", Integer, 0)]
    parameters.append(("type", TypeFlag, None))
    if not form.secured and not form.bulk:
        parameters.append(("user_id", Integer, 0))
    parameters.append(("json_output", JsonFlag, False))
    return parameters


def _pairs(item_handles: str, values: str, type_name: str | None) -> list[tuple[int, object]]:
    handles = act.csv_ints(item_handles, "--item-handles")
    texts = act.csv(values, "--values")
    if len(handles) != len(texts):
        raise UsageError(f"--item-handles has {len(handles)} entries but --values has {len(texts)}")
    return [(h, act.parse_value(v, type_name)) for h, v in zip(handles, texts, strict=True)]


def _write_job(form: WriteForm, flags: dict[str, Any]) -> Job:
    type_name = flags["type"]
    stamp = act.parse_timestamp(flags["timestamp"]) if form.timestamped else None
    options: dict[str, Any] = {"type": type_name}
    if form.secured:
        options.update(current_user_id=flags["current_user_id"], verifier_user_id=flags["verifier_user_id"])
    elif not form.bulk:
        options["user_id"] = flags["user_id"]
    args: list[Any]
    if form.bulk:
        pairs = _pairs(flags["item_handles"], flags["values"], type_name)
        args = [[(h, v, stamp) for h, v in pairs] if form.timestamped else pairs]
    else:
        args = [act.parse_value(flags["value"], type_name)] + ([stamp] if form.timestamped else [])
    return _helper(
        form.command,
        flags["connection"],
        flags["target"],
        flags["json_output"],
        form.method,
        *args,
        **options,
    )


def _write_command(form: WriteForm) -> Callable[..., Job]:
    parameters = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default)
        for name, annotation, default in _write_parameters(form)
    ]
    signature = inspect.Signature(parameters, return_annotation=Job)

    def run(**flags: Any) -> Job:
        bound = signature.bind(**flags)
        bound.apply_defaults()
        return _write_job(form, bound.arguments)

    # cyclopts reads the flags from the signature and the annotations.
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": Job}
    run.__doc__ = form.summary
    return run


# ---------------------------------------------------------------------- bulk


def subscribe_bulk(
    *, connection: Connection = NO_CONNECTION, target: OnServer, items: str, json_output: JsonFlag = False
) -> Job:
    """Add and advise a comma-separated list of items."""
    return _helper(
        "subscribe-bulk", connection, target, json_output, "subscribe_bulk", act.csv(items, "--items")
    )


def unsubscribe_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    item_handles: str,
    json_output: JsonFlag = False,
) -> Job:
    """Unadvise and remove a comma-separated list of item handles."""
    handles = act.csv_ints(item_handles, "--item-handles")
    return _helper("unsubscribe-bulk", connection, target, json_output, "unsubscribe_bulk", handles)


def read_bulk(
    *,
    connection: Connection = NO_CONNECTION,
    target: OnServer,
    items: str,
    timeout_ms: Integer = 0,
    json_output: JsonFlag = False,
) -> Job:
    """Read a comma-separated list of items (cached when already advised)."""
    if timeout_ms < 0:
        raise UsageError("--timeout-ms must not be negative")
    return _helper(
        "read-bulk",
        connection,
        target,
        json_output,
        "read_bulk",
        act.csv(items, "--items"),
        timeout_ms=timeout_ms,
    )


# -------------------------------------------------------------------- events

NdjsonFlag = Annotated[bool, Parameter(negative="", help="Print one JSON document per line as it arrives.")]


def stream_events(
    *,
    connection: Connection = NO_CONNECTION,
    session_id: SessionId,
    max_events: Integer = 0,
    timeout: Seconds | None = None,
    after_sequence: Integer = 0,
    json_output: JsonFlag = False,
    ndjson: NdjsonFlag = False,
    follow: Annotated[
        bool,
        Parameter(
            negative="",
            help="Keep streaming across lost connections (NDJSON, with a record per reconnect and "
            "per replay gap); give up after --give-up-after.",
        ),
    ] = False,
    give_up_after: Seconds = 600.0,
) -> Job:
    """Stream the session's events until --max-events (0: no limit) or --timeout (success)."""
    action = act.stream_events(session_id, max_events, timeout, after_sequence, ndjson or follow, follow)
    reconnect = None
    if follow:
        from mxgateway import ReconnectPolicy

        reconnect = ReconnectPolicy(give_up_after=give_up_after)
    streaming = ndjson or follow  # --follow always prints NDJSON
    return Job(action, connection, json_output or streaming, ndjson=streaming, reconnect=reconnect)


def smoke(
    *,
    connection: Connection = NO_CONNECTION,
    item: str = "Object.Attribute",
    max_events: Integer = 1,
    timeout: Seconds = 30.0,
    write: Annotated[
        bool,
        Parameter(negative="", help="Also write the item and wait for its OnWriteComplete (off: read-only)."),
    ] = False,
    value: str | None = None,
    type: TypeFlag = None,
    simulate: Annotated[
        bool, Parameter(negative="", help="Run against the built-in simulated gateway.")
    ] = False,
    json_output: JsonFlag = False,
) -> Job:
    """Open, register, add, advise, stream a bounded number of events, close (--write: and write)."""
    action = act.smoke(item, max_events, timeout, write, value, type)
    return Job(action, connection, json_output, simulated=simulate)


# ------------------------------------------------------------- registration


WRITTEN_OUT: tuple[tuple[Callable[..., Job], str, Group], ...] = (
    (open_session, "open-session", SESSIONS),
    (close_session, "close-session", SESSIONS),
    (ping, "ping", SESSIONS),
    (get_session_state, "get-session-state", SESSIONS),
    (register, "register", SESSIONS),
    (unregister, "unregister", SESSIONS),
    (authenticate_user, "authenticate-user", SESSIONS),
    (add_item, "add-item", ITEMS),
    (add_item2, "add-item2", ITEMS),
    (subscribe_bulk, "subscribe-bulk", BULK),
    (unsubscribe_bulk, "unsubscribe-bulk", BULK),
    (read_bulk, "read-bulk", BULK),
    (stream_events, "stream-events", EVENTS),
    (smoke, "smoke", EVENTS),
)


def register_session_commands(app: App) -> None:
    for function, name, group in WRITTEN_OUT:
        app.command(function, name=name, group=group)
    for name, method, summary in ITEM_COMMANDS:
        app.command(_item_command(name, method, summary), name=name, group=ITEMS)
    for form in WRITE_FORMS:
        app.command(_write_command(form), name=form.command, group=BULK if form.bulk else WRITES)
