"""The one place haiku-layers touches ``jax.core`` (JAX 0.4.34 to the newest release).

``jax.core.Tracer`` is public and stable across the supported versions (docs/index.md,
"Supported JAX versions"); keeping the reference here means a future move in JAX is a
one-line change, tested by tests/layers/test_jax_compat.py.
"""

from __future__ import annotations

import jax
import jax.core

#: The base class of JAX tracers.
Tracer = jax.core.Tracer


def is_tracer(x: object) -> bool:
    """Whether ``x`` is a JAX tracer (a value being traced by ``jit``, ``grad``, ...).

    >>> import jax.numpy as jnp
    >>> is_tracer(jnp.ones(1)), bool(jax.jit(lambda x: is_tracer(x))(1))
    (False, True)
    """
    return isinstance(x, Tracer)


def is_staging(x: object) -> bool:
    """Whether ``x`` is being staged into a jaxpr (``jit``, ``make_jaxpr``, ``scan``, ...).

    False for concrete values and for transformations evaluated op by op (``grad``,
    ``vmap`` or ``jvp`` outside any ``jit``): there each op still runs on its own, and
    fusing ops into one jitted call could change eager numerics. It walks the tracer's
    trace and its parents; JAX keeps that chain private, so anything unexpected (older
    JAX without ``parent_trace``) answers False, which only costs speed.

    >>> import jax.numpy as jnp
    >>> is_staging(jnp.ones(1)), bool(jax.jit(lambda x: is_staging(x))(1))
    (False, True)
    >>> jax.grad(lambda x: (x, print(is_staging(x)))[0])(1.0)
    False
    Array(1., dtype=float32, weak_type=True)
    """
    trace = getattr(x, "_trace", None) if isinstance(x, Tracer) else None
    while trace is not None:
        if type(trace).__name__ == "DynamicJaxprTrace":
            return True
        trace = getattr(trace, "parent_trace", None)
    return False
