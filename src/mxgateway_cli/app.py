"""The cyclopts application behind ``mxgw-py``."""

from __future__ import annotations

import importlib.metadata
import json
import sys
from typing import Annotated, Any

from cyclopts import App, Parameter

from mxgateway._protocol import GATEWAY_PROTOCOL_VERSION
from mxgateway._version import __version__

app = App(name="mxgw-py", help="MXAccess Gateway command line client.", version=__version__)


def _dist_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _emit_json(document: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, allow_nan=False) + "\n")
    sys.stdout.flush()


@app.command
def version(*, json_output: Annotated[bool, Parameter(name="--json")] = False) -> int:
    """Print the client version, the gateway protocol version and library versions."""
    # Read from distribution metadata: importing grpclib or protobuf here would
    # slow every CLI start.
    document = {
        "package": "mxaccess-gateway-client",
        "version": __version__,
        "gatewayProtocolVersion": GATEWAY_PROTOCOL_VERSION,
        "protobuf": _dist_version("protobuf"),
        "grpclib": _dist_version("grpclib"),
    }
    if json_output:
        _emit_json(document)
    else:
        print(
            f"mxgw-py {document['version']} (gateway protocol {GATEWAY_PROTOCOL_VERSION}, "
            f"protobuf {document['protobuf']}, grpclib {document['grpclib']})"
        )
    return 0


def run(argv: list[str]) -> int:
    result = app(argv, result_action="return_value")
    return result if isinstance(result, int) else 0
