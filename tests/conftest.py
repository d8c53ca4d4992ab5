"""Shared test configuration."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO_ROOT = Path(__file__).resolve().parent.parent

# Hypothesis caches data (Unicode tables, constants it found in the source)
# under ./.hypothesis by default; keep all of it out of the repository.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mxgateway-hypothesis")

# "repo" (the default) is what the suite and CI run: the same examples on every
# run (derandomize, so no example database either), no per-example deadline
# (this 2-core machine is shared and noisy), and no slow-generation health
# check for the same reason. HYPOTHESIS_PROFILE=thorough searches wider and
# at random, for a local bug hunt; it keeps no database either.
settings.register_profile(
    "repo",
    derandomize=True,
    database=None,
    max_examples=200,
    deadline=None,
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    settings.get_profile("repo"),
    derandomize=False,
    database=None,
    max_examples=3000,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repo"))


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT
