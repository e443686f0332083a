"""A bounded memo keyed by object identity, for values derived from large records that are costly to hash.

A page's cache record or a word list's candidate pool is asked for again and again of the same object (a
report keys the gold and the no-gold flags of the same pages; every document of a language shares one word
list). Hashing such an object costs what the memo saves, so it is keyed by `id()`; each entry keeps its
object, so that the id cannot be reused by another object while the entry stands, and an entry is only
taken when its object is the one asked about. When full the memo starts afresh (the next work reuses
other objects anyway).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")


class IdentityMemo(Generic[Value]):
    """At most `limit` values, each keyed by an object's identity (and an optional hashable `extra`)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: dict[tuple[int, Hashable], tuple[object, Value]] = {}

    def get_or_make(self, owner: object, make: Callable[[], Value], *, extra: Hashable = None) -> Value:
        """The value memoised for `owner` (and `extra`), made by `make()` and kept when there is none."""
        slot = (id(owner), extra)
        found = self._entries.get(slot)
        if found is not None and found[0] is owner:
            return found[1]
        value = make()
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[slot] = (owner, value)
        return value

    def __len__(self) -> int:
        return len(self._entries)
