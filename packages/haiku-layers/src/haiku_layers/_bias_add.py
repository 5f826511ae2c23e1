"""Adding a bias to a layer's output on the hot path (private)."""

from __future__ import annotations

import jax


def add_bias(out: jax.Array, b: jax.Array) -> jax.Array:
  """``out + b`` with ``b`` broadcast against the trailing axes of ``out``.

  Under the default ``jax_numpy_rank_promotion="allow"`` this is one plain add (one
  eager dispatch, one traced equation). Under ``"warn"``/``"raise"`` the bias is first
  broadcast explicitly, so layers never warn or fail on their own broadcasting. Both give
  the same values as ``out + jnp.broadcast_to(b, out.shape)``.

  >>> import jax.numpy as jnp
  >>> add_bias(jnp.zeros([2, 3]), jnp.arange(3.)).tolist()
  [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
  >>> with jax.numpy_rank_promotion("raise"):
  ...   add_bias(jnp.zeros([2, 3]), jnp.arange(3.)).shape
  (2, 3)
  """
  if b.ndim != out.ndim and jax.config.jax_numpy_rank_promotion != "allow":
    b = jax.lax.broadcast_in_dim(b, out.shape, tuple(range(out.ndim - b.ndim, out.ndim)))
  return out + b
