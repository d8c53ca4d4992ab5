"""The exception hierarchy: one base, one branch per status layer.

The gateway reports failures on three layers (see docs/errors.md):

1. gRPC status (transport, auth, missing session, deadline): ``RpcError``
   and its subclasses;
2. the reply's ``protocol_status``: ``ProtocolStatusError``;
3. MXAccess itself (HRESULT and status entries): ``MxAccessError``.

Command errors keep the raw reply. No message, ``repr`` or attribute of an
exception ever holds an API key: the transport redacts before raising.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mxgateway._core.statuses import MxStatus


class MxGatewayError(Exception):
    """Base class of every error this library raises on purpose."""


class ClientConfigError(MxGatewayError, ValueError):
    """Invalid client options (endpoint, TLS files, timeouts, key format)."""


class ValueConversionError(MxGatewayError, ValueError):
    """A Python value cannot be sent as the requested MXAccess type (or back)."""


class ArgumentError(MxGatewayError, ValueError):
    """A helper argument is invalid (checked before anything is sent)."""


class ClientClosedError(MxGatewayError):
    """The client, session or event stream was used after it was closed."""


# ------------------------------------------------------------- layer 1: gRPC


class RpcError(MxGatewayError):
    """The call failed with a gRPC status (layer 1).

    ``status`` is the gRPC status name (``"UNAVAILABLE"``, ...), ``details`` the
    server's message with any credential removed, ``method`` the RPC name.
    """

    status: str = "UNKNOWN"

    def __init__(self, details: str, *, status: str | None = None, method: str | None = None) -> None:
        if status is not None:
            self.status = status
        self.details = details
        self.method = method
        where = f" in {method}" if method else ""
        super().__init__(f"{self.status}{where}: {details}" if details else f"{self.status}{where}")


class AuthenticationError(RpcError):
    """Missing or invalid API key (UNAUTHENTICATED). Not retryable as is."""

    status = "UNAUTHENTICATED"


class AuthorizationError(RpcError):
    """Valid key without the needed scope (PERMISSION_DENIED)."""

    status = "PERMISSION_DENIED"


class SessionNotFoundError(RpcError):
    """The gateway does not know the session id (NOT_FOUND)."""

    status = "NOT_FOUND"


class GalaxyObjectNotFoundError(RpcError):
    """A browse named a parent the Galaxy repository does not have (NOT_FOUND).

    ``parent`` says which, in words: ``"tag name 'Tank9'"``,
    ``"gobject id 42"`` or ``"contained path 'Plant/Tank9'"``.
    """

    status = "NOT_FOUND"

    def __init__(self, details: str, *, parent: str, method: str | None = None) -> None:
        super().__init__(details, method=method)
        self.parent = parent


class DeadlineExceededError(RpcError, TimeoutError):
    """A deadline passed: the local one or the server's DEADLINE_EXCEEDED.

    Only the client-side wait stopped: the MXAccess call in the worker runs
    on, and the session state is unknown until checked or closed.
    """

    status = "DEADLINE_EXCEEDED"


class GatewayUnavailableError(RpcError, ConnectionError):
    """The gateway cannot be reached or went away (UNAVAILABLE, connection lost)."""

    status = "UNAVAILABLE"


class CallCancelledError(RpcError):
    """The server cancelled the call (CANCELLED)."""

    status = "CANCELLED"


class AlreadyExistsError(RpcError):
    """e.g. a second event subscriber on a session (ALREADY_EXISTS)."""

    status = "ALREADY_EXISTS"


class ResourceExhaustedError(RpcError):
    """A gateway limit was hit: sessions, pending commands, event queue."""

    status = "RESOURCE_EXHAUSTED"


class InvalidRequestError(RpcError):
    """The gateway rejected the request as invalid (INVALID_ARGUMENT)."""

    status = "INVALID_ARGUMENT"


class FailedPreconditionError(RpcError):
    """The session is not in a state that accepts the call (FAILED_PRECONDITION)."""

    status = "FAILED_PRECONDITION"


# --------------------------------------------- layers 2 and 3: command replies


class CommandError(MxGatewayError):
    """A command reply reported failure; ``reply`` is the raw protobuf reply."""

    def __init__(self, message: str, *, reply: Any) -> None:
        super().__init__(message)
        self.reply = reply


class ProtocolStatusError(CommandError):
    """The reply's ``protocol_status`` is not OK (layer 2).

    ``code`` is the ProtocolStatusCode name without its prefix, e.g.
    ``"SESSION_NOT_READY"``.
    """

    def __init__(self, code: str, message: str, *, reply: Any) -> None:
        self.code = code
        self.protocol_message = message
        text = f"protocol status {code}" + (f": {message}" if message else "")
        super().__init__(text, reply=reply)


class MxAccessError(ProtocolStatusError):
    """MXAccess reported failure (layer 3): HRESULT plus every status entry."""

    def __init__(
        self,
        *,
        hresult: int,
        statuses: Sequence[MxStatus],
        message: str,
        reply: Any,
        code: str = "MXACCESS_FAILURE",
    ) -> None:
        self.hresult = hresult
        self.statuses = tuple(statuses)
        super().__init__(code, message, reply=reply)


class TagError(MxAccessError):
    """MXAccess refused one tag (an item named by its Galaxy reference) or reported a failure for it.

    ``tag`` is the name as the caller gave it; ``hresult`` and ``statuses``
    are what MXAccess reported (0 and empty when the gateway only gave a
    message, as a bulk entry does). A bad tag name in a subscription is a
    ``TagError`` on that tag's ``TagChange.error``; ``Subscription.add``,
    ``write`` by name and ``TagReading.error`` raise or carry the same.
    ``failed`` maps every tag of the call that failed to its error (this
    one included).
    """

    def __init__(
        self,
        tag: str,
        *,
        message: str,
        hresult: int = 0,
        statuses: Sequence[MxStatus] = (),
        reply: Any = None,
        code: str = "MXACCESS_FAILURE",
    ) -> None:
        self.tag = tag
        self.hresult = hresult
        self.statuses = tuple(statuses)
        self.code = code
        self.protocol_message = message
        self.failed: dict[str, TagError] = {tag: self}
        # The message itself, without ProtocolStatusError's "protocol status" prefix:
        # a bad tag name is usually reported on a data change, not by a reply.
        CommandError.__init__(self, message, reply=reply)


# ------------------------------------------------------------- event streams


class EventStreamError(MxGatewayError):
    """Base class for event stream failures that are not gRPC statuses."""


class EventOverflowError(EventStreamError):
    """The client-side event buffer overflowed under the ``"error"`` policy.

    Raised on the consumer's next take (what was buffered is dropped, so the
    error comes while the gateway may still replay it); ``last_worker_sequence``
    is the last event the consumer took: resume after it.
    """

    def __init__(self, message: str, *, last_worker_sequence: int, capacity: int) -> None:
        super().__init__(message)
        self.last_worker_sequence = last_worker_sequence
        self.capacity = capacity


class EventStreamBusyError(AlreadyExistsError, EventStreamError):
    """The session's one event stream is already taken by this client; nothing was sent.

    A session has one event subscriber (the gateway refuses a second with
    ALREADY_EXISTS, hence the base class). ``session.events()`` and
    ``session.subscribe()`` each take it for as long as they are open, and
    a write by tag name takes it while it waits (unless a subscription is
    open, which it then uses), so at most one of them at a time.
    """

    def __init__(self, message: str) -> None:
        self.status = "ALREADY_EXISTS"
        self.details = message
        self.method = "StreamEvents"
        Exception.__init__(self, message)  # said by the client: no gRPC status prefix


class ReconnectFailedError(GatewayUnavailableError):
    """An event stream gave up re-attaching (see ``ReconnectPolicy``).

    ``last_worker_sequence`` is the resume point (pass it as
    ``after_worker_sequence``), ``attempts`` how often it tried, and
    ``last_error`` the failure of the last attempt.
    """

    def __init__(
        self, message: str, *, last_worker_sequence: int, attempts: int, last_error: BaseException | None
    ) -> None:
        super().__init__(message, method="StreamEvents")
        self.last_worker_sequence = last_worker_sequence
        self.attempts = attempts
        self.last_error = last_error


class SessionLostError(MxGatewayError):
    """The gateway no longer has the session: it restarted (NOT_FOUND) or the worker faulted.

    Raised on the session's event stream and on its calls once the loss is
    known. ``last_worker_sequence`` is the last event delivered from it.
    With recovery on (``open_session(..., recover=True)``), ``recovered`` is
    true and ``new_session_id`` names the session that replaced it: the
    call that raised was not run, and later calls go to the new session.
    """

    def __init__(
        self,
        message: str,
        *,
        session_id: str,
        last_worker_sequence: int,
        recovered: bool = False,
        new_session_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.session_id = session_id
        self.last_worker_sequence = last_worker_sequence
        self.recovered = recovered
        self.new_session_id = new_session_id
