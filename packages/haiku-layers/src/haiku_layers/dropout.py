"""Dropout."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

import jax
import jax.numpy as jnp

from haiku_layers._errors import TypeValueError


def dropout(
    rng: jax.Array,
    rate: float,
    x: jax.Array,
    broadcast_dims: Sequence[int] = (),
) -> jax.Array:
    """Zeroes each entry of ``x`` with probability ``rate``, rescaling the rest.

    Kept entries are divided by ``1 - rate``, so the expected value is
    unchanged. The keep mask is shared along ``broadcast_dims``.

    Args:
      rng: a JAX random key (e.g. ``hk.next_rng_key()``).
      rate: drop probability in ``[0, 1)``. A traced ``rate`` is not checked.
      x: the input.
      broadcast_dims: axes along which one mask value is reused.

    Returns:
      An array like ``x``.

    Raises:
      ValueError: if a concrete ``rate`` is outside ``[0, 1)``.
      TypeError: (also a ``ValueError``) if ``rng`` is ``None`` while ``rate`` is
        not 0.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> y = hk.dropout(jax.random.PRNGKey(0), 0.5, jnp.ones([2, 3]))
    >>> y.shape, bool(((y == 0) | (y == 2)).all())
    ((2, 3), True)
    """
    try:
        if rate < 0 or rate >= 1:
            raise ValueError(
                f"hk.dropout: rate must be in [0, 1), got {rate}. Use rate=0 to keep "
                "every entry; rate=1 would drop everything."
            )
        if rate == 0:
            return x
    except jax.errors.ConcretizationTypeError:
        pass  # Traced rate: checks happen in the caller's hands.
    if rng is None:
        raise TypeValueError(
            f"hk.dropout: rng is None but rate={rate} needs a PRNG key. Pass "
            "hk.next_rng_key() (and a PRNGKey to init/apply), or rate=0 when there is no "
            "key: key = hk.maybe_next_rng_key(); "
            "hk.dropout(key, rate if key is not None else 0.0, x)."
        )
    keep_rate = 1.0 - rate
    shape = list(x.shape)
    for dim in broadcast_dims:
        shape[dim] = 1
    keep = jax.random.bernoulli(rng, keep_rate, shape=shape)
    keep = jnp.broadcast_to(keep, x.shape)
    return keep * x / keep_rate


class _CallableModule(types.ModuleType):
    """Lets ``haiku_layers.dropout`` stay callable once this file is imported.

    Importing the submodule ``haiku_layers.dropout`` rebinds that package
    attribute from the function to the module; calling the module forwards to
    the function so both spellings keep working.
    """

    def __call__(self, *args, **kwargs):
        return dropout(*args, **kwargs)


# Python binds the package attribute to this module only after this body has run, so
# nothing here can bind the function back; swapping a module's class is the documented
# way to customise a module object (see "Customizing module attribute access" in the
# Python data model reference).
sys.modules[__name__].__class__ = _CallableModule
