"""Jitted kernels for the chains of small ops that parameter creation runs eagerly.

``init`` usually runs eagerly, where every ``jnp``/``jax.random`` call is a separate,
Python-heavy dispatch (20-50 us each on CPU). Each kernel here is one cached jitted call
instead (~5 us) and gives bit-identical results: only integer ops, fills and a single
multiply are fused, never a multiply-add. The kernels are ``inline=True``, so under an outer
trace (``jax.jit(f.init)``) they add the same equations as the unfused code, not a call.

>>> import jax
>>> from haiku._src import init_kernels
>>> key, sub = init_kernels.split_rows(jax.random.PRNGKey(0), 2)
>>> bool((sub == jax.random.split(jax.random.PRNGKey(0))[1]).all())
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_FLOAT32 = np.dtype(np.float32)


@functools.partial(jax.jit, static_argnums=1, inline=True)
def split_rows(key: jax.Array, num: int) -> tuple[jax.Array, ...]:
    """``tuple(jax.random.split(key, num))`` in one dispatch."""
    return tuple(jax.random.split(key, num))


@functools.partial(jax.jit, static_argnums=(0, 1), inline=True)
def _zeros(shape: tuple[int, ...], dtype: Any) -> jax.Array:
    return jnp.zeros(shape, dtype)


@functools.partial(jax.jit, static_argnums=(0, 1), inline=True)
def _ones(shape: tuple[int, ...], dtype: Any) -> jax.Array:
    return jnp.ones(shape, dtype)


_FILLS: dict[Callable, Callable] = {jnp.zeros: _zeros, jnp.ones: _ones}


def create(init: Callable, shape: Sequence[int], dtype: Any) -> Any:
    """``init(shape, dtype)``, through a kernel when ``init`` is ``jnp.zeros``/``jnp.ones``."""
    if (init is jnp.zeros or init is jnp.ones) and all(
        isinstance(d, (int, np.integer)) for d in shape
    ):
        return _FILLS[init](tuple(shape), dtype)
    return init(shape, dtype)


@functools.partial(jax.jit, static_argnums=(1, 2, 3), inline=True)
def _scaled_truncated_normal(
    key: jax.Array, lower: float, upper: float, shape: tuple[int, ...], stddev: jax.Array
) -> jax.Array:
    return stddev * jax.random.truncated_normal(key, lower, upper, shape, jnp.float32)


def _is_real_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def scaled_truncated_normal(
    key: jax.Array, lower: Any, upper: Any, shape: tuple[int, ...], dtype: Any, stddev: Any
) -> jax.Array | None:
    """``stddev * truncated_normal(key, lower, upper, shape)`` in one dispatch, or None.

    Only for float32 and scalar hyper-parameters: there the scalar converts to float32
    exactly as JAX would convert it eagerly, so the result is bit-identical. The caller
    skips adding a zero mean, which is exact only if no product is -0.0: hence ``stddev``
    must be positive and large enough that ``stddev * unit`` cannot underflow (the unit
    samples are at least ~1e-7 in magnitude when nonzero). Returns None when the caller
    must use the general (eager) path.
    """
    if not (_is_real_scalar(stddev) and _is_real_scalar(lower) and _is_real_scalar(upper)):
        return None
    if not stddev > 1e-30:
        return None
    if dtype is not jnp.float32 and np.dtype(dtype) != _FLOAT32:
        return None
    return _scaled_truncated_normal(
        key, float(lower), float(upper), shape, np.asarray(stddev, np.float32)
    )
