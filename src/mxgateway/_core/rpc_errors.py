"""Map gRPC statuses to the library's exceptions, with secrets redacted (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable

from grpclib.const import Status

from mxgateway._core.redaction import redact
from mxgateway._errors import (
    AlreadyExistsError,
    AuthenticationError,
    AuthorizationError,
    CallCancelledError,
    DeadlineExceededError,
    FailedPreconditionError,
    GatewayUnavailableError,
    InvalidRequestError,
    ResourceExhaustedError,
    RpcError,
    SessionNotFoundError,
)

_BY_STATUS: dict[Status, type[RpcError]] = {
    Status.UNAUTHENTICATED: AuthenticationError,
    Status.PERMISSION_DENIED: AuthorizationError,
    Status.NOT_FOUND: SessionNotFoundError,
    Status.DEADLINE_EXCEEDED: DeadlineExceededError,
    Status.UNAVAILABLE: GatewayUnavailableError,
    Status.CANCELLED: CallCancelledError,
    Status.ALREADY_EXISTS: AlreadyExistsError,
    Status.RESOURCE_EXHAUSTED: ResourceExhaustedError,
    Status.INVALID_ARGUMENT: InvalidRequestError,
    Status.FAILED_PRECONDITION: FailedPreconditionError,
}

def error_from_status(
    status: Status, message: str | None, *, method: str | None = None, secrets: Iterable[str | None] = ()
) -> RpcError:
    details = redact(message or "", secrets)
    error_type = _BY_STATUS.get(status)
    if error_type is None:
        return RpcError(details, status=status.name, method=method)
    return error_type(details, method=method)
