"""The one place haiku-nets looks inside JAX's tracing machinery (JAX 0.4.34 to the newest).

haiku-layers has the same helper in its own ``_jax_compat``: plugins use each other only
through ``haiku``'s public API, so each keeps its own JAX shims (tests/nets/test_jax_compat.py).
"""

from __future__ import annotations

import jax
import jax.core

#: The base class of JAX tracers.
Tracer = jax.core.Tracer


def is_staging(x: object) -> bool:
    """Whether ``x`` is being staged into a jaxpr (``jit``, ``make_jaxpr``, ``scan``, ...).

    False for concrete values and for transformations evaluated op by op (``grad``,
    ``vmap`` outside any ``jit``); JAX keeps the trace chain private, so anything
    unexpected answers False, which only costs speed.

    >>> import jax.numpy as jnp
    >>> is_staging(jnp.ones(1)), bool(jax.jit(lambda x: is_staging(x))(1))
    (False, True)
    """
    trace = getattr(x, "_trace", None) if isinstance(x, Tracer) else None
    while trace is not None:
        if type(trace).__name__ == "DynamicJaxprTrace":
            return True
        trace = getattr(trace, "parent_trace", None)
    return False
