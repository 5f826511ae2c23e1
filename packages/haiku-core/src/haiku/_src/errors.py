"""Exception types raised by haiku-core."""

from __future__ import annotations


class NotInTransformError(ValueError):
    """A haiku function that needs a transform was called outside of one."""


class MissingRNGError(ValueError):
    """`hk.next_rng_key()` was called but no RNG key was passed to init/apply."""


class NonEmptyStateError(ValueError):
    """`hk.transform` was used on a function that reads or writes state."""


class JaxUsageError(ValueError):
    """A raw JAX transform was used over haiku code inside a transform."""
