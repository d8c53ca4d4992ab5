"""mxgateway: a Python client for the MXAccess Gateway.

The public names are re-exported here from private modules and imported on
first use, so that ``import mxgateway`` stays cheap (the CLI's ``version``
must not load grpclib, trio or the generated code) and so that the asyncio
API never imports trio or trio-asyncio.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from mxgateway._protocol import GATEWAY_PROTOCOL_VERSION
from mxgateway._version import __version__

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {}

if TYPE_CHECKING:
    pass

__all__ = ["GATEWAY_PROTOCOL_VERSION", "__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'mxgateway' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
