"""The flags many commands share, and the session/server/item targets they name."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from cyclopts import Parameter

from mxgateway_cli._connection import Connection
from mxgateway_cli._inputs import Integer

JsonFlag = Annotated[bool, Parameter(name="--json", negative="", help="Print one JSON document.")]
SessionId = Annotated[str, Parameter(name="--session-id", help="Gateway session id (from open-session).")]
ServerHandle = Annotated[Integer, Parameter(name="--server-handle", help="Server handle (from register).")]
ItemHandle = Annotated[Integer, Parameter(name="--item-handle", help="Item handle (from add-item).")]
TypeFlag = Annotated[
    str | None,
    Parameter(
        name="--type", help="Value type: bool, int32, int64, float, double, string, time, elapsed_time."
    ),
]
NO_CONNECTION = Connection()


@Parameter(name="*")
@dataclass
class OnSession:
    session_id: SessionId

    def handles(self) -> tuple[int, ...]:
        return ()


@Parameter(name="*")
@dataclass
class OnServer:
    session_id: SessionId
    server_handle: ServerHandle

    def handles(self) -> tuple[int, ...]:
        return (self.server_handle,)


@Parameter(name="*")
@dataclass
class OnItem:
    session_id: SessionId
    server_handle: ServerHandle
    item_handle: ItemHandle

    def handles(self) -> tuple[int, ...]:
        return (self.server_handle, self.item_handle)
