"""Layer math staged through cached, inlined ``jax.jit`` kernels (private; the tracing hot path).

Tracing a layer op by op re-runs JAX's Python for every ``jnp`` call: shape promotion,
abstract evaluation, and for a ``jnp.dot`` a jit cache lookup of its own. A kernel here is a
``jax.jit(..., inline=True)`` function: the first trace for given shapes and dtypes is cached,
and every later call pastes the cached equations into the caller's trace. The equations are
exactly those the op-by-op code emits (same primitives, shapes and parameters), so jaxprs,
compiled HLO, gradients and numerics are unchanged; only the Python work per call shrinks.
Measured on ``hk.nets.MLP([64] * 100)``: tracing ``apply`` took 0.93x the time of the
hand-written ``jnp.dot(x, w) + b`` (1.08x before, op by op).

Kernels are used only while staging into a jaxpr (``jit``, ``make_jaxpr``, ``scan``...).
Evaluated op by op (eagerly, or under ``grad``/``vmap`` outside ``jit``), one fused executable
could round differently from separate ops (XLA may fuse the bias into the matmul), so that
code runs op by op, as dm-haiku does.

>>> import jax, jax.numpy as jnp
>>> add_bias(jnp.zeros([2, 3]), jnp.arange(3.)).tolist()
[[0.0, 1.0, 2.0], [0.0, 1.0, 2.0]]
>>> jaxpr = jax.make_jaxpr(dense)(jnp.ones([2, 4]), jnp.ones([4, 3]), jnp.ones([3]), None)
>>> [eqn.primitive.name for eqn in jaxpr.eqns]  # no nested call: the kernel is inlined
['dot_general', 'broadcast_in_dim', 'add']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from haiku_layers._jax_compat import Tracer, is_staging


def _broadcast_add(out: jax.Array, b: jax.Array) -> jax.Array:
    """``out + b``, with ``b`` explicitly broadcast against the trailing axes of ``out``.

    The explicit ``broadcast_in_dim`` gives exactly dm-haiku's equations (it broadcasts
    with ``jnp.broadcast_to``) and never trips ``jax_numpy_rank_promotion="raise"``.
    """
    if b.shape != out.shape:
        b = jax.lax.broadcast_in_dim(b, out.shape, tuple(range(out.ndim - b.ndim, out.ndim)))
    if b.dtype == out.dtype:  # skip jnp's promotion logic: same equation
        return jax.lax.add(out, b)
    return out + b


def _dense(
    x: jax.Array, w: jax.Array, b: jax.Array | None, precision: jax.lax.Precision | None
) -> jax.Array:
    out = jnp.dot(x, w, precision=precision)
    return out if b is None else _broadcast_add(out, b)


def add_bias(out: jax.Array, b: jax.Array) -> jax.Array:
    """``out + b`` with ``b`` broadcast against the trailing axes of ``out``.

    Staged: one cached kernel (see the module docstring). Eagerly, under the default
    ``jax_numpy_rank_promotion="allow"``, one plain add: one dispatch instead of two.
    """
    if is_staging(out) or is_staging(b):
        return _staged_add.staged(out, b)
    if isinstance(out, Tracer) or jax.config.jax_numpy_rank_promotion != "allow":  # type: ignore[attr-defined]  # a dynamic jax.config flag
        return _broadcast_add(out, b)  # op by op, with dm-haiku's explicit broadcast
    return out + b


def dense(
    x: jax.Array, w: jax.Array, b: jax.Array | None, precision: jax.lax.Precision | None
) -> jax.Array:
    """``jnp.dot(x, w, precision=precision)``, plus ``b`` (broadcast) unless it is None."""
    if is_staging(x) or is_staging(w):
        return _staged_dense.staged(x, w, b, precision)
    out = jnp.dot(x, w, precision=precision)
    return out if b is None else add_bias(out, b)


class Kernel:
    """A pure function of arrays run as a cached inline ``jit`` while staging, else as is.

    ``static_argnums`` name the Python arguments the result depends on (axes, flags, sizes,
    ``eps``); a call whose static arguments are not hashable (``eps`` given as an array) runs
    op by op. Which path runs is decided by the first argument (the layer's input).

    A kernel pays off from the second call with the same shapes: the first staged call of a
    shape runs op by op (tracing the kernel once costs more than the ops themselves, which is
    all a shallow net with distinct layer widths would get), later ones use the kernel.

    >>> import jax, jax.numpy as jnp
    >>> double = Kernel(lambda x, k: x * k, static_argnums=1)
    >>> double(jnp.ones(2), 2.0).tolist(), jax.jit(lambda x: double(x, 3.0))(jnp.ones(2)).tolist()
    ([2.0, 2.0], [3.0, 3.0])
    >>> jax.jit(lambda x: double(x, jnp.array(3.0)))(jnp.ones(2)).tolist()  # unhashable: as is
    [3.0, 3.0]
    """

    __slots__ = ("fn", "_jitted", "static_argnums")

    def __init__(self, fn: Callable, static_argnums: int | tuple[int, ...] = ()):
        self.fn = fn
        static = (static_argnums,) if isinstance(static_argnums, int) else static_argnums
        self.static_argnums = static
        self._jitted: Callable | None = None  # built on first use: jax.jit costs ~0.1 ms

    @property
    def jitted(self) -> Callable:
        """The ``jax.jit(fn, inline=True)`` kernel."""
        if self._jitted is None:
            self._jitted = jax.jit(self.fn, static_argnums=self.static_argnums, inline=True)
        return self._jitted

    def __call__(self, x: Any, *args: Any) -> Any:
        return self.staged(x, *args) if is_staging(x) else self.fn(x, *args)

    def staged(self, *args: Any) -> Any:
        """The call for a caller that knows it is staging: the kernel once it pays off."""
        if all(_hashable(args[i]) for i in self.static_argnums) and seen_before(
            (id(self), *map(_signature, args))
        ):
            return self.jitted(*args)
        return self.fn(*args)


_SEEN: set[tuple] = set()


def seen_before(key: tuple) -> bool:
    """Whether ``key`` was seen by an earlier call (it is remembered from now on)."""
    if key in _SEEN:
        return True
    if len(_SEEN) > 100_000:  # a bound for processes that trace endlessly many shapes
        _SEEN.clear()
    _SEEN.add(key)
    return False


def _signature(value: Any) -> Any:
    """``(shape, dtype)`` of an array, else the value itself (a static argument)."""
    dtype = getattr(value, "dtype", None)  # a numpy dtype has a shape but no dtype
    return value if dtype is None else (value.shape, dtype)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


_staged_add = Kernel(_broadcast_add)
_staged_dense = Kernel(_dense, static_argnums=3)
