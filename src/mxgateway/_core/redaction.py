"""Keeping API keys out of text: one masking rule for messages, reprs and the CLI (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
# Anything shaped like a gateway key is hidden even if it is not ours.
_KEY_PATTERN = re.compile(r"mxgw_[A-Za-z0-9_\-]+")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret, and anything shaped like a gateway key, replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return _KEY_PATTERN.sub(REDACTED, text)
