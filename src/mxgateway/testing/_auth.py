"""Gateway-style API keys and scopes for the simulator."""

from __future__ import annotations

import base64
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from grpclib.const import Status
from grpclib.exceptions import GRPCError

SCOPES = ("session:open", "events:read", "invoke:read", "invoke:write", "invoke:secure", "admin")
_KEY_FORMAT = re.compile(r"^mxgw_(?P<key_id>[A-Za-z0-9]+)_(?P<secret>[A-Za-z0-9_-]{43})$")
_BEARER = re.compile(r"^\s*bearer\s+(?P<key>\S+)\s*$", re.IGNORECASE)


def generate_api_key(key_id: str = "sim") -> str:
    """A new key in the gateway's form ``mxgw_<keyId>_<secret>`` (32 random bytes)."""
    if not key_id.isalnum():
        raise ValueError("key_id must be letters and digits")
    secret = base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode("ascii")
    return f"mxgw_{key_id}_{secret}"


@dataclass(frozen=True)
class ApiKey:
    key: str
    scopes: frozenset[str]

    def __repr__(self) -> str:
        match = _KEY_FORMAT.match(self.key)
        key_id = match["key_id"] if match else "?"
        return f"ApiKey(key_id={key_id!r}, scopes={sorted(self.scopes)})"


def key_set(keys: Mapping[str, Iterable[str]] | Iterable[str] | None) -> list[ApiKey]:
    """``{key: scopes}`` or a list of keys (all scopes)."""
    if keys is None:
        return []
    if isinstance(keys, Mapping):
        pairs = [(key, frozenset(scopes)) for key, scopes in keys.items()]
    else:
        pairs = [(key, frozenset(SCOPES)) for key in keys]
    result = []
    for key, scopes in pairs:
        if not _KEY_FORMAT.match(key):
            raise ValueError("API keys must look like mxgw_<keyId>_<43-character secret>")
        unknown = scopes - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scope(s): {', '.join(sorted(unknown))}")
        result.append(ApiKey(key, scopes))
    return result


class Authenticator:
    """Checks the authorization header; a simulator without keys accepts any call."""

    def __init__(self, keys: list[ApiKey]) -> None:
        self._keys = keys

    @property
    def enabled(self) -> bool:
        return bool(self._keys)

    def check(self, authorization: str | None, scope: str) -> None:
        if not self._keys:
            return
        if not authorization:
            raise GRPCError(Status.UNAUTHENTICATED, "missing API key: send 'authorization: Bearer <key>'")
        match = _BEARER.match(authorization)
        presented = match["key"] if match else ""
        for candidate in self._keys:
            if hmac.compare_digest(candidate.key.encode(), presented.encode()):
                if scope in candidate.scopes or "admin" in candidate.scopes:
                    return
                raise GRPCError(Status.PERMISSION_DENIED, f"the API key lacks the scope {scope!r}")
        raise GRPCError(Status.UNAUTHENTICATED, "invalid API key")
