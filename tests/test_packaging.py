"""The wheel builds and carries the console script, the bindings and py.typed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO_ROOT


def test_wheel_contents(tmp_path: Path) -> None:
    # --no-build-isolation: the [dev] extra installs the build backend, so the
    # test needs no network.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO_ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            "-q",
        ],
        check=True,
        timeout=300,
    )
    wheels = list(tmp_path.glob("mxaccess_gateway_client-*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = set(wheel.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "mxgw-py = mxgateway_cli.__main__:main" in wheel.read(entry_points).decode()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "Name: mxaccess-gateway-client" in metadata
    assert "Requires-Python: >=3.11" in metadata
    for required in (
        "mxgateway/py.typed",
        "mxgateway/generated/__init__.py",
        "mxgateway/generated/mxaccess_gateway_pb2.py",
        "mxgateway/generated/mxaccess_gateway_pb2.pyi",
        "mxgateway/generated/mxaccess_gateway_grpc.py",
        "mxgateway/generated/mxaccess_worker_pb2.py",
        "mxgateway/generated/galaxy_repository_pb2.py",
        "mxgateway_cli/__main__.py",
    ):
        assert required in names, required
