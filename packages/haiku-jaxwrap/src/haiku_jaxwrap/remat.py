"""``hk.remat``: ``jax.checkpoint`` (rematerialisation) with haiku state threaded through."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from haiku import extend
from haiku_jaxwrap import _threading as th


def _as_array(value: Any) -> Any:
    return value if isinstance(value, jax.Array) else jnp.asarray(value)


def remat(
    fun: Callable[..., Any],
    *,
    prevent_cse: bool = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
) -> Callable[..., Any]:
    """``jax.checkpoint`` for haiku code: activations of ``fun`` are recomputed on the
    backward pass; its state updates and key draws are kept.

    Outside a transform this is ``jax.checkpoint``.

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = hk.get_parameter("w", [2], init=jnp.ones)
    ...   return hk.remat(lambda x: jnp.sin(x * w))(x).sum()
    >>> f = hk.transform(f)
    >>> params = f.init(None, jnp.ones([2]))
    >>> jax.grad(f.apply)(params, None, jnp.ones([2]))["~"]["w"].shape
    (2,)
    """
    if not callable(fun):
        raise TypeError(
            f"hk.remat needs a callable to rematerialise, got {fun!r} "
            f"({type(fun).__name__}). Pass a function or module, e.g. "
            "hk.remat(hk.Linear(8))(x) or hk.remat(my_fn)(x)."
        )
    static = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    plain = jax.checkpoint(fun, prevent_cse=prevent_cse, policy=policy, static_argnums=static)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if not extend.inside_transform():
            return plain(*args, **kwargs)
        snap = th.snapshot()

        def pure(state, rng, *args, **kwargs):
            return th.run_pure(fun, snap, state, rng, args, kwargs)

        checkpointed = jax.checkpoint(
            pure,
            prevent_cse=prevent_cse,
            policy=policy,
            static_argnums=tuple(i + 2 for i in static),
        )
        out, res = checkpointed(snap.state, snap.rng, *args, **kwargs)
        if res.params:
            # jax.checkpoint returns a constant scalar (e.g. an int parameter made by
            # `lambda *_: jnp.array(2)`) as a literal, not an array: store arrays.
            res = res._replace(params=jax.tree.map(_as_array, res.params))
        th.write_back(res)
        return out

    return wrapped


__all__ = ["remat"]
