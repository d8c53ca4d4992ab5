"""Generate the protobuf and grpclib bindings in ``src/mxgateway/generated``.

This is the project's only code generator: ``generate-proto.ps1``, the tox
``proto`` env and the drift test all run it. It needs the ``[dev]`` extra
(grpcio-tools for protoc, grpclib for its protoc plugin).

protoc names a generated import after the .proto file (``import
mxaccess_gateway_pb2``); the bindings live in a package, so those imports
are rewritten to ``from mxgateway.generated import ...``. That rewrite is
the only step after protoc, and it is part of generation, not a hand edit.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
DEFAULT_OUT = ROOT / "src" / "mxgateway" / "generated"
PACKAGE = "mxgateway.generated"
PROTO_FILES = ("mxaccess_gateway.proto", "mxaccess_worker.proto", "galaxy_repository.proto")

# The working pair: code from this protoc needs protobuf >= 7.35.1 at run time.
PINNED_TOOLS = {"grpcio-tools": "1.85.1", "grpclib": "0.4.9"}

INIT_TEXT = '"""Generated protobuf and grpclib bindings. Do not edit: run tools/generate_proto.py."""\n'

_IMPORT_RE = re.compile(r"^import (\w+_pb2)( as \w+)?$", re.MULTILINE)


def check_toolchain() -> None:
    wrong = []
    for dist, wanted in PINNED_TOOLS.items():
        try:
            found = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            found = "not installed"
        if found != wanted:
            wrong.append(f"{dist} {found} (need {wanted})")
    if wrong:
        raise SystemExit(
            "generate_proto: wrong code generation toolchain: "
            + ", ".join(wrong)
            + '. Install it with: python -m pip install -e ".[dev]"'
        )


def _grpclib_plugin() -> str:
    name = "protoc-gen-grpclib_python"
    scripts = Path(sys.executable).parent
    for candidate in (scripts / name, scripts / f"{name}.exe"):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"generate_proto: {name} not found; install grpclib")
    return found


def _rewrite_imports(text: str) -> str:
    return _IMPORT_RE.sub(lambda m: f"from {PACKAGE} import {m.group(1)}{m.group(2) or ''}", text)


def generate(out_dir: Path) -> list[Path]:
    """Run protoc into ``out_dir`` (replacing generated files there)."""
    import grpc_tools

    check_toolchain()
    well_known = Path(grpc_tools.__file__).parent / "_proto"
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            sys.executable,
            "-m",
            "grpc_tools.protoc",
            f"--proto_path={PROTO_DIR}",
            f"--proto_path={well_known}",
            f"--plugin=protoc-gen-grpclib_python={_grpclib_plugin()}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpclib_python_out={tmp}",
            *PROTO_FILES,
        ]
        subprocess.run(command, check=True, cwd=PROTO_DIR)
        out_dir.mkdir(parents=True, exist_ok=True)
        for stale in [*out_dir.glob("*_pb2.py*"), *out_dir.glob("*_grpc.py")]:
            stale.unlink()
        written = []
        for produced in sorted(Path(tmp).iterdir()):
            target = out_dir / produced.name
            text = produced.read_text(encoding="utf-8")
            target.write_text(_rewrite_imports(text), encoding="utf-8", newline="\n")
            written.append(target)
    init = out_dir / "__init__.py"
    init.write_text(INIT_TEXT, encoding="utf-8", newline="\n")
    written.append(init)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(os.path.relpath(path, ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
