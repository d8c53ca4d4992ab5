"""Keeping API keys out of text: one masking rule for messages, reprs and the CLI (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "***"
# Anything shaped like a gateway key is hidden even if it is not ours.
_KEY_PATTERN = re.compile(r"mxgw_[A-Za-z0-9_\-]+")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every secret, and anything shaped like a gateway key, replaced by ``***``.

    A secret is also found as an error message may quote it: escaped, as
    ``repr()`` or ``unicode_escape`` write a key with a tab, newline or NUL.
    """
    for secret in secrets:
        for form in _written_forms(secret):
            text = text.replace(form, REDACTED)
    return _KEY_PATTERN.sub(REDACTED, text)


def _written_forms(secret: str | None) -> list[str]:
    if not secret:
        return []
    forms = {secret, repr(secret)[1:-1], secret.encode("unicode_escape").decode("ascii")}
    return sorted(forms, key=len, reverse=True)  # the longest first: no form hides inside another
