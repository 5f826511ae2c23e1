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
