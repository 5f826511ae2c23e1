"""Adding a bias to a layer's output on the hot path (private)."""

from __future__ import annotations

import jax

from haiku_layers._jax_compat import Tracer as _Tracer


def add_bias(out: jax.Array, b: jax.Array) -> jax.Array:
    """``out + b`` with ``b`` broadcast against the trailing axes of ``out``.

    Traced (under ``jit``, ``grad``, ``make_jaxpr``, ...), ``b`` is broadcast to the full
    output shape first, which gives exactly dm-haiku's jaxpr and compiled HLO. Eagerly, under
    the default ``jax_numpy_rank_promotion="allow"``, it is one plain add: one dispatch
    instead of two. Both compute the same values as ``out + jnp.broadcast_to(b, out.shape)``,
    and neither warns or fails under rank_promotion ``"warn"``/``"raise"``.

    >>> import jax.numpy as jnp
    >>> add_bias(jnp.zeros([2, 3]), jnp.arange(3.)).tolist()
    [[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
    >>> with jax.numpy_rank_promotion("raise"):
    ...   add_bias(jnp.zeros([2, 3]), jnp.arange(3.)).shape
    (2, 3)
    """
    if b.shape != out.shape and (
        isinstance(out, _Tracer) or jax.config.jax_numpy_rank_promotion != "allow"  # type: ignore[attr-defined]  # a dynamic jax.config flag
    ):
        b = jax.lax.broadcast_in_dim(b, out.shape, tuple(range(out.ndim - b.ndim, out.ndim)))
        if b.dtype == out.dtype:  # skip jnp's promotion logic: same equation, cheaper trace
            return jax.lax.add(out, b)
    return out + b
