"""Ledgers for concurrent requests: one at a time each.

A `Ledger` keeps caches of the streams it has read and is not made to be shared between
threads. The server keeps a few, each lent to one request at a time; ledgers in one
process then meet as ledgers in separate processes do, through the store's optimistic
concurrency (a stream appended to meanwhile is read again and decided again).

A request that names its stream (`lend(key)`) is lent the ledger that served that stream
last, waiting a little for it when it is busy: that ledger's cache holds the stream as
stored, where another's would be stale and cost a failed insert, a reload and a second
decision (measured under 16 concurrent clients: over half of all appends, without it).
Only the speed depends on it; a request that waited too long takes another ledger.

On PostgreSQL the ledgers share one store, and so one pool of connections (a handful,
rather than a handful a ledger: `serve --workers` multiplies whatever one process holds).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from journey.child_keys import ChildKeys
from journey.ledger import Ledger
from journey.settings import Settings
from journey.store import open_store

AFFINITY_WAIT_SECONDS = 0.05  # then a busy stream's request takes any free ledger
AFFINITY_SIZE = 100_000  # streams remembered (as the ledgers' caches, least recent first)


class LedgerPool:
    def __init__(self, settings: Settings, size: int):
        self.size = size
        self._changed = threading.Condition()
        self._served: OrderedDict[str, int] = OrderedDict()  # stream key: ledger index
        # One set of the children's data keys for all: an erasure through one ledger is
        # then known at once to the others.
        self.child_keys = (
            ChildKeys(settings.database_url, settings.cipher_key) if settings.cipher_key else None
        )
        self.store = (
            None
            if settings.database_url.startswith("sqlite")
            else (open_store(settings.database_url))
        )
        self._all = [
            Ledger(settings, store=self.store, child_keys=self.child_keys) for _ in range(size)
        ]
        self._free = list(range(size))  # indices into _all, the last freed last

    @contextmanager
    def lend(self, key: str | None = None) -> Iterator[Ledger]:
        """A ledger for one request; `key` names the stream it is about, if one."""
        index = self._take(key)
        try:
            yield self._all[index]
        finally:
            with self._changed:
                self._free.append(index)
                self._changed.notify_all()

    def _take(self, key: str | None) -> int:
        with self._changed:
            wanted = self._served.get(key) if key is not None else None
            if wanted is not None:
                deadline = time.monotonic() + AFFINITY_WAIT_SECONDS
                while wanted not in self._free and (left := deadline - time.monotonic()) > 0:
                    self._changed.wait(left)
            while not self._free:
                self._changed.wait()
            index = wanted if wanted in self._free else self._free[-1]
            self._free.remove(index)
            if key is not None:
                self._served[key] = index
                self._served.move_to_end(key)
                if len(self._served) > AFFINITY_SIZE:
                    self._served.popitem(last=False)
            return index

    def close(self) -> None:
        for ledger in self._all:
            ledger.close()
        if self.store is not None:
            self.store.close()
        if self.child_keys is not None:
            self.child_keys.close()
