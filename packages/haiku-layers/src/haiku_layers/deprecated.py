"""Deprecated helpers kept for compatibility; prefer the ``jax`` functions."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def one_hot(x: jax.Array, num_classes: int, dtype=jnp.float32) -> jax.Array:
    """One-hot encodes ``x``. Deprecated: use ``jax.nn.one_hot``.

    Ids outside ``[0, num_classes)`` give all-zero rows.

    >>> import haiku as hk, jax.numpy as jnp
    >>> hk.one_hot(jnp.array([0, 2]), 3)
    Array([[1., 0., 0.],
           [0., 0., 1.]], dtype=float32)
    """
    return jax.nn.one_hot(x, num_classes).astype(dtype)


def multinomial(rng: jax.Array, logits: jax.Array, num_samples: int) -> jax.Array:
    """Draws ``num_samples`` class ids per row of ``logits``.

    Deprecated: use ``jax.random.categorical``. The samples go on a new last
    axis: ``logits[..., K] -> ids[..., num_samples]``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> hk.multinomial(jax.random.PRNGKey(0), jnp.zeros([2, 5]), 3).shape
    (2, 3)
    """
    samples = jax.random.categorical(rng, logits, axis=-1, shape=(num_samples, *logits.shape[:-1]))
    return jnp.moveaxis(samples, 0, -1)
