"""Wait for a log record: the library logs every connection transition, so tests need no polling."""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Iterator


class LogWaiter(logging.Handler):
    """Sets ``seen`` once a record of the ``mxgateway`` logger matches ``pattern``."""

    def __init__(self, pattern: str) -> None:
        super().__init__(logging.DEBUG)
        self._pattern = re.compile(pattern)
        self.seen = threading.Event()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if self._pattern.search(record.getMessage()):
            self.count += 1
            self.seen.set()

    def rearm(self) -> None:
        self.seen.clear()


@contextlib.contextmanager
def waiting_for_log(pattern: str) -> Iterator[LogWaiter]:
    logger = logging.getLogger("mxgateway")
    waiter = LogWaiter(pattern)
    previous = logger.level
    logger.setLevel(min(previous or logging.DEBUG, logging.DEBUG))
    logger.addHandler(waiter)
    try:
        yield waiter
    finally:
        logger.removeHandler(waiter)
        logger.setLevel(previous)
