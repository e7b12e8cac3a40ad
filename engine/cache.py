"""A small per-process cache owned by the composition root (so each test's container starts
empty). Only for data that changes rarely and whose staleness is bounded by ``ttl_s``."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable


class TTLCache:
    def __init__(self, ttl_s: float = 60.0, max_items: int = 10_000) -> None:
        self.ttl_s, self.max_items = ttl_s, max_items
        self._items: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get_or_load(self, key: Hashable, load: Callable[[], object]) -> object:
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and now - hit[0] < self.ttl_s:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._items) >= self.max_items:
                self._items.clear()
            self._items[key] = (now, value)
        return value

    def forget(self, prefix: str) -> None:
        """Drop every key that is a tuple starting with ``prefix``."""
        with self._lock:
            for key in [k for k in self._items if isinstance(k, tuple) and k and k[0] == prefix]:
                del self._items[key]
