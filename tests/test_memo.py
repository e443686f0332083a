"""IdentityMemo: values keyed by an object's identity, never handed to another object."""

from __future__ import annotations

from workbench.memo import IdentityMemo


def test_a_value_is_made_once_per_object_and_extra():
    made = []
    memo: IdentityMemo[int] = IdentityMemo(8)
    page = ["a", "page"]  # unhashable, as the records memoised are costly to hash

    def make():
        made.append(1)
        return len(made)

    assert memo.get_or_make(page, make) == 1
    assert memo.get_or_make(page, make) == 1
    assert memo.get_or_make(page, make, extra="fr") == 2
    assert memo.get_or_make(["a", "page"], make) == 3  # equal, but another object
    assert len(made) == 3


def test_an_entry_is_never_taken_for_another_object_with_a_reused_id():
    memo: IdentityMemo[str] = IdentityMemo(8)
    first = ["first"]
    memo.get_or_make(first, lambda: "of the first")
    # as if the first object had died and its id had gone to another: the entry holds the first object
    slot = next(iter(memo._entries))
    memo._entries[slot] = (object(), "of the first")
    assert memo.get_or_make(first, lambda: "made again") == "made again"


def test_the_memo_starts_afresh_when_full():
    memo: IdentityMemo[int] = IdentityMemo(2)
    owners = [[n] for n in range(3)]
    for n, owner in enumerate(owners):
        memo.get_or_make(owner, lambda n=n: n)
    assert len(memo) == 1
    assert memo.get_or_make(owners[2], lambda: -1) == 2
