"""`mxgw-py version` is deterministic and starts without the heavy imports."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys

import pytest

from mxgateway import GATEWAY_PROTOCOL_VERSION, __version__
from mxgateway_cli.__main__ import main


def test_version_json_is_one_deterministic_object(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for _ in range(2):
        assert main(["version", "--json"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert outputs[0].count("\n") == 1
    document = json.loads(outputs[0])
    assert document == {
        "command": "version",
        "ok": True,
        "package": "mxaccess-gateway-client",
        "version": __version__,
        "gatewayProtocolVersion": GATEWAY_PROTOCOL_VERSION,
        "protobuf": importlib.metadata.version("protobuf"),
        "grpclib": importlib.metadata.version("grpclib"),
    }
    assert list(document) == [
        "command",
        "ok",
        "package",
        "version",
        "gatewayProtocolVersion",
        "protobuf",
        "grpclib",
    ]


def test_version_does_not_import_grpclib_trio_or_bindings() -> None:
    probe = (
        "import sys\n"
        "from mxgateway_cli.__main__ import main\n"
        "assert main(['version', '--json']) == 0\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'grpclib', 'trio', 'trio_asyncio', 'h2', 'google'} or m.startswith('mxgateway.generated'))\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert "HEAVY []" in result.stdout, result.stdout


def test_the_cli_uses_only_public_names_of_the_library() -> None:
    import ast
    from pathlib import Path

    import mxgateway_cli

    private = []
    for path in Path(mxgateway_cli.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            private += [
                f"{path.name}: {n}"
                for n in names
                if n.split(".")[0] == "mxgateway" and any(p.startswith("_") for p in n.split(".")[1:])
            ]
    assert private == []


def test_version_reports_what_importlib_metadata_reports_without_importing_it() -> None:
    import importlib.metadata
    import json
    import subprocess
    import sys

    code = (
        "import sys; from mxgateway_cli.__main__ import main; main(['version', '--json']); "
        "print('importlib.metadata' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    document_line, imported = out.stdout.strip().splitlines()
    document = json.loads(document_line)
    assert document["protobuf"] == importlib.metadata.version("protobuf")
    assert document["grpclib"] == importlib.metadata.version("grpclib")
    assert imported == "False"
