"""``hk.eval_shape``: ``jax.eval_shape`` of haiku code, discarding every side effect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

from haiku import extend
from haiku_jaxwrap import _threading as th


def eval_shape(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The output shapes and dtypes of ``fun(*args, **kwargs)``, without computing it.

    Inside a transform, state changes, key draws and parameters created by ``fun`` are
    discarded. Outside a transform this is ``jax.eval_shape``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return hk.eval_shape(lambda x: x @ hk.get_parameter("w", [3, 4], init=jnp.ones), x)
    >>> hk.transform(f).init(None, jnp.ones([2, 3]))
    {}
    >>> hk.transform(f).apply({"~": {"w": jnp.ones([3, 4])}}, None, jnp.ones([2, 3]))
    ShapeDtypeStruct(shape=(2, 4), dtype=float32)
    """
    if not extend.inside_transform():
        return jax.eval_shape(fun, *args, **kwargs)
    snap = th.snapshot()

    def pure(state, rng, args, kwargs):
        return th.run_pure(fun, snap, state, rng, args, kwargs, isolate_names=True)[0]

    return jax.eval_shape(pure, snap.state, snap.rng, args, kwargs)


__all__ = ["eval_shape"]
