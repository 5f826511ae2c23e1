"""``hk.DO_NOT_STORE``: returned by a creator, initializer or setter to skip storing."""

from __future__ import annotations


class _DoNotStore:
    """Sentinel: the value must not be stored (a custom getter will supply it)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "hk.DO_NOT_STORE"

    @property
    def shape(self):
        raise ValueError("DO_NOT_STORE does not have a shape.")

    @property
    def dtype(self):
        raise ValueError("DO_NOT_STORE does not have a dtype.")


DO_NOT_STORE = _DoNotStore()
