"""Function-style switches for config options (``hk.experimental.module_auto_repr`` etc.).

Each sets one option of :mod:`haiku.config` for the calling thread and returns the
previous value, so it can be restored.
"""

from __future__ import annotations

from haiku._src import config as _config


def module_auto_repr(enabled: bool) -> bool:
    """Turns the automatic ``repr`` of modules (their constructor arguments) on or off.

    Off saves a little time per module construction; modules then print as plain objects.
    Returns the previous setting.

    >>> import haiku as hk
    >>> previous = hk.experimental.module_auto_repr(False)
    >>> hk.experimental.module_auto_repr(previous)
    False
    """
    config = _config.get_config()
    previous = config.module_auto_repr
    _config.set(module_auto_repr=bool(enabled))
    return previous


def rng_reserve_size(size: int) -> int:
    """Sets how many keys ``hk.next_rng_key`` splits at once when its queue is empty.

    A size above 1 means fewer ``split`` calls but different keys than the default of 1
    (which reproduces dm-haiku's key stream). Returns the previous size.

    >>> import haiku as hk
    >>> previous = hk.experimental.rng_reserve_size(8)
    >>> hk.experimental.rng_reserve_size(previous)
    8
    """
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise ValueError(
            f"hk.experimental.rng_reserve_size needs a positive integer, got {size!r}."
        )
    config = _config.get_config()
    previous = config.rng_reserve_size
    _config.set(rng_reserve_size=size)
    return previous
