"""Live checks against the gateway the environment names; skipped unless MXGATEWAY_INTEGRATION=1.

    MXGATEWAY_INTEGRATION=1        run these checks at all
    MXGATEWAY_ENDPOINT             host:port of the gateway (required)
    MXGATEWAY_API_KEY              the API key, if the gateway asks for one
    MXGATEWAY_PLAINTEXT=1          h2c instead of TLS (system roots)
    MXGATEWAY_TEST_ITEM            an item to read (default Object.Attribute)
    MXGATEWAY_INTEGRATION_WRITE=1  also the checks that write to MXGATEWAY_TEST_ITEM
    MXGATEWAY_TEST_WRITE_VALUE     what smoke --write writes (default: an integer
                                   item's last value + 1)

Read-only checks open a session, register, add and advise the test item,
take its events, read it and close; write checks write the item (smoke
--write, and the library writing back the value it just read).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

# Every wait of these checks is bounded by this many seconds.
LIVE_TIMEOUT = 30.0

# Module marks: every live check, and those that also write.
live_checks = pytest.mark.skipif(
    os.environ.get("MXGATEWAY_INTEGRATION") != "1",
    reason="live gateway checks: set MXGATEWAY_INTEGRATION=1 (see tests/integration/live.py)",
)
writes = pytest.mark.skipif(
    os.environ.get("MXGATEWAY_INTEGRATION_WRITE") != "1",
    reason="writes to the live item: set MXGATEWAY_INTEGRATION_WRITE=1",
)


@dataclass(frozen=True)
class LiveGateway:
    endpoint: str
    api_key: str | None
    plaintext: bool
    item: str
    write_value: str | None

    def client_options(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "api_key": self.api_key, "plaintext": self.plaintext}


def live_gateway() -> LiveGateway:
    """The gateway the environment names (a test failure when it names none)."""
    endpoint = os.environ.get("MXGATEWAY_ENDPOINT", "")
    if not endpoint:
        pytest.fail("MXGATEWAY_INTEGRATION=1 needs MXGATEWAY_ENDPOINT (host:port of the gateway)")
    return LiveGateway(
        endpoint=endpoint,
        api_key=os.environ.get("MXGATEWAY_API_KEY") or None,
        plaintext=os.environ.get("MXGATEWAY_PLAINTEXT") == "1",
        item=os.environ.get("MXGATEWAY_TEST_ITEM") or "Object.Attribute",
        write_value=os.environ.get("MXGATEWAY_TEST_WRITE_VALUE") or None,
    )
