"""Exception types raised by haiku-core."""

from __future__ import annotations


class NotInTransformError(ValueError):
    """A haiku function that needs a transform was called outside of one."""


class MissingRNGError(ValueError):
    """`hk.next_rng_key()` was called but no RNG key was passed to init/apply.

    Plugins raise it (as `haiku.extend.MissingRNGError`) when a layer needs a key:

    >>> import haiku as hk
    >>> f = hk.transform(lambda: hk.next_rng_key())
    >>> try:
    ...   f.apply({}, None)
    ... except hk.extend.MissingRNGError as e:
    ...   print(type(e).__name__, isinstance(e, ValueError))
    MissingRNGError True
    """


class NonEmptyStateError(ValueError):
    """`hk.transform` was used on a function that reads or writes state."""


class JaxUsageError(ValueError):
    """A raw JAX transform was used over haiku code inside a transform."""
