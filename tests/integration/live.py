"""What the live checks connect to, read from the environment (see conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

# Every wait of these checks is bounded by this many seconds.
LIVE_TIMEOUT = 30.0


@dataclass(frozen=True)
class LiveGateway:
    endpoint: str
    api_key: str | None
    plaintext: bool
    item: str
    write_value: str | None

    def client_options(self) -> dict[str, object]:
        return {"endpoint": self.endpoint, "api_key": self.api_key, "plaintext": self.plaintext}
