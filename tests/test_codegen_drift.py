"""The checked-in bindings are exactly what the project's generator produces."""

from __future__ import annotations

import filecmp
import importlib.util
import sys
from pathlib import Path

from conftest import REPO_ROOT

GENERATED = REPO_ROOT / "src" / "mxgateway" / "generated"


def _load_generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("generate_proto", REPO_ROOT / "tools" / "generate_proto.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("generate_proto", module)
    spec.loader.exec_module(module)
    return module


def test_regenerated_bindings_match_checked_in_files(tmp_path: Path) -> None:
    generator = _load_generator()
    written = generator.generate(tmp_path)
    produced = sorted(p.name for p in written)
    checked_in = sorted(p.name for p in GENERATED.iterdir() if p.is_file() and p.suffix in {".py", ".pyi"})
    assert produced == checked_in, "generated file set differs: run tools/generate_proto.py"
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, GENERATED, produced, shallow=False)
    assert mismatch == [] and errors == [], (
        f"checked-in bindings drifted from proto/: {mismatch or errors}; run tools/generate_proto.py"
    )


def test_generated_imports_are_package_qualified() -> None:
    for path in GENERATED.glob("*.py*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("import ") and "_pb2" in line and "google.protobuf" not in line:
                raise AssertionError(f"{path.name}: bare generated import {line!r}")
