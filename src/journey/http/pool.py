"""Ledgers for concurrent requests: one at a time each.

A `Ledger` keeps caches of the streams it has read and is not made to be shared between
threads. The server keeps a few, each lent to one request at a time; ledgers in one
process then meet as ledgers in separate processes do, through the store's optimistic
concurrency (a stream appended to meanwhile is read again and decided again).
"""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager

from journey.ledger import Ledger
from journey.settings import Settings


class LedgerPool:
    def __init__(self, settings: Settings, size: int):
        self.size = size
        self._free: queue.LifoQueue[Ledger] = queue.LifoQueue()
        self._all = [Ledger(settings) for _ in range(size)]
        for ledger in self._all:
            self._free.put(ledger)

    @contextmanager
    def lend(self) -> Iterator[Ledger]:
        ledger = self._free.get()
        try:
            yield ledger
        finally:
            self._free.put(ledger)

    def close(self) -> None:
        for ledger in self._all:
            ledger.close()
