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

import pytest

from tests.integration.live import LiveGateway


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    live = [item for item in items if str(item.path).startswith(here)]
    if os.environ.get("MXGATEWAY_INTEGRATION") != "1":
        skip = pytest.mark.skip(
            reason="live gateway checks: set MXGATEWAY_INTEGRATION=1 (see tests/integration)"
        )
    elif os.environ.get("MXGATEWAY_INTEGRATION_WRITE") != "1":
        skip = pytest.mark.skip(reason="writes to the live item: set MXGATEWAY_INTEGRATION_WRITE=1")
        live = [item for item in live if item.get_closest_marker("writes")]
    else:
        return
    for item in live:
        item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "writes: a live check that writes to MXGATEWAY_TEST_ITEM")


@pytest.fixture(scope="session")
def live() -> LiveGateway:
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
