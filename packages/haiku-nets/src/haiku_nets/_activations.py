"""Activations on the tracing hot path of the nets (private).

``jax.nn.relu`` is a ``custom_jvp`` function: every traced call re-traces its body and
inspects its signature, which made it the largest single cost of tracing an MLP (about
half of ``jax.make_jaxpr`` of ``hk.nets.MLP([64] * 100)``). Here each well-known pure
``jax.nn`` activation has a ``jax.jit(..., inline=True)`` twin: the first trace for a given
shape and dtype is cached, later staged calls (under ``jit``) paste the cached equations (the same
``custom_jvp_call``, so gradients use JAX's own rule). Eagerly the twin is used only where
JAX itself compiles the whole function as one jitted computation (``relu`` is
``custom_jvp(jit(...))``), so it runs the same executable through JAX's C++ dispatch path;
other functions (``gelu`` is op by op in JAX) run as they are, so eager numerics are
exactly JAX's.

>>> import jax, jax.numpy as jnp
>>> activate(jax.nn.relu, jnp.array([-1.0, 2.0])).tolist()
[0.0, 2.0]
>>> jaxpr = jax.make_jaxpr(lambda x: activate(jax.nn.relu, x))(jnp.ones(3))
>>> [eqn.primitive.name for eqn in jaxpr.eqns]  # inlined, not a nested call
['custom_jvp_call']
"""

from __future__ import annotations

from collections.abc import Callable

import jax
import jax.numpy as jnp

from haiku_nets._jax_compat import Tracer, is_staging

_PURE_ACTIVATIONS = (
    "relu",
    "relu6",
    "gelu",
    "silu",
    "swish",
    "sigmoid",
    "softplus",
    "elu",
    "leaky_relu",
    "celu",
    "selu",
    "log_sigmoid",
    "hard_tanh",
    "hard_sigmoid",
    "hard_silu",
    "soft_sign",
    "mish",
)

_ACTIVATIONS = [getattr(jax.nn, name, None) for name in _PURE_ACTIVATIONS] + [jnp.tanh]


def _compiled_whole(fn: Callable) -> bool:
    """Whether JAX runs ``fn`` as one jitted computation (``jit`` or ``custom_jvp(jit)``)."""
    return hasattr(fn, "lower") or hasattr(getattr(fn, "fun", None), "lower")


# Keyed by id(): user activations need not be hashable; these functions live as long as JAX.
_KNOWN: dict[int, Callable] = {id(fn): fn for fn in _ACTIVATIONS if fn}
_EAGER_SAFE: frozenset[int] = frozenset(key for key, fn in _KNOWN.items() if _compiled_whole(fn))
_STAGED: dict[int, Callable] = {}  # twins, built on first use (jax.jit costs ~0.1 ms each)


def _twin(key: int) -> Callable:
    staged = _STAGED.get(key)
    if staged is None:
        staged = _STAGED[key] = jax.jit(_KNOWN[key], inline=True)
    return staged


_SEEN_SHAPES: set[tuple] = set()


def _staged_before(key: int, x: jax.Array) -> bool:
    """Whether ``fn`` was staged with ``x``'s shape before: only repeats pay off.

    Tracing the twin once costs more than tracing ``fn`` once, so the first staged call of a
    shape runs ``fn`` itself (all a net with distinct layer widths would get).
    """
    signature = (key, x.shape, x.dtype)
    if signature in _SEEN_SHAPES:
        return True
    if len(_SEEN_SHAPES) > 100_000:  # a bound for processes that trace endlessly many shapes
        _SEEN_SHAPES.clear()
    _SEEN_SHAPES.add(signature)
    return False


def activate(fn: Callable[[jax.Array], jax.Array], x: jax.Array) -> jax.Array:
    """``fn(x)``; through the cached twin when ``fn`` is a known ``jax.nn`` activation."""
    key = id(fn)
    if key in _KNOWN and (
        is_staging(x) and _staged_before(key, x) if isinstance(x, Tracer) else key in _EAGER_SAFE
    ):
        return _twin(key)(x)
    return fn(x)


def relu(x: jax.Array) -> jax.Array:
    """``jax.nn.relu(x)``, staged as :func:`activate` does."""
    return activate(jax.nn.relu, x)
