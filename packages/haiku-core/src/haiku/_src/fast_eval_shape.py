"""``hk.experimental.fast_eval_shape``: ``jax.eval_shape`` that skips work with known shapes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any
from unittest import mock

import jax
import jax.numpy as jnp

from haiku._src.frame import inside_transform
from haiku._src.internal_state import (
    InternalState,
    internal_state,
    isolated_naming,
    params_frozen,
    temporary_internal_state,
)
from haiku._src.params import creator_scope


def _zeros_creator(next_creator, shape, dtype, init, context):
    del init, context
    return next_creator(shape, dtype, lambda s, d: jnp.zeros(s, d))


def fast_eval_shape(fun: Callable[..., Any], *args, **kwargs) -> Any:
    """Like ``jax.eval_shape(fun, *args, **kwargs)``, but cheaper to trace for haiku code.

    Every parameter and state initializer is replaced by zeros (their shape and dtype are
    known without running them) and ``jax.random.fold_in`` by the identity. Only shapes and
    dtypes of the result are meaningful. Inside a transform, as ``hk.eval_shape``,
    parameters and state created by ``fun``, state updates and key draws are discarded.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.transform(lambda x: x @ hk.get_parameter("w", [3, 5], init=jnp.ones))
    >>> params = hk.experimental.fast_eval_shape(f.init, jax.random.PRNGKey(0), jnp.ones([2, 3]))
    >>> params["~"]["w"].shape
    (3, 5)
    """
    with contextlib.ExitStack() as stack:
        stack.enter_context(creator_scope(_zeros_creator, params=True, state=True))
        stack.enter_context(mock.patch.object(jax.random, "fold_in", lambda key, data: key))
        if not inside_transform():
            return jax.eval_shape(fun, *args, **kwargs)
        return _stateless_eval_shape(fun, args, kwargs)


def _stateless_eval_shape(fun: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``jax.eval_shape`` inside a transform, discarding every side effect of ``fun``.

    Parameters, state and keys are traced in a temporary frame (parameters created there
    go to a copy), so no tracer of the finished trace stays reachable from the frame.
    """
    snap = internal_state(params=True)
    init = not params_frozen()

    def pure(state, rng, args, kwargs):
        # The copy is made here, not closed over: jax keeps ``pure`` alive after tracing.
        params = {k: dict(b) for k, b in snap.params.items()} if init else None
        with temporary_internal_state(InternalState(params, state, rng)), isolated_naming():
            return fun(*args, **kwargs)

    return jax.eval_shape(pure, snap.state, snap.rng, args, kwargs)
