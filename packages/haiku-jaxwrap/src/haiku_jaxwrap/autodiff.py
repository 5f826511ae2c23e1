"""``hk.grad`` and ``hk.value_and_grad``: differentiate haiku code, keeping state updates."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import jax

from haiku import extend
from haiku_jaxwrap import _threading as th


def value_and_grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """``jax.value_and_grad`` inside a transform; state set by ``fun`` is kept.

    Gradients are taken with respect to the arguments ``argnums`` (parameters read inside
    ``fun`` are constants here; differentiate ``apply`` to get parameter gradients).
    Outside a transform this is ``jax.value_and_grad``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   return hk.value_and_grad(lambda x: (x ** 2).sum())(x)
    >>> hk.transform(f).apply({}, None, jnp.array([1., 2.]))
    (Array(5., dtype=float32), Array([2., 4.], dtype=float32))
    """
    plain = jax.value_and_grad(fun, argnums, has_aux=has_aux, holomorphic=holomorphic)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        if not extend.inside_transform():
            return plain(*args, **kwargs)
        snap = th.snapshot()

        def pure(*args, **kwargs):
            out, res = th.run_pure(
                fun, snap, snap.state, snap.rng, args, kwargs, isolate_names=True
            )
            if has_aux:
                value, aux = out
                return value, (aux, res)
            return out, (None, res)

        (value, (aux, res)), grads = jax.value_and_grad(
            pure, argnums, has_aux=True, holomorphic=holomorphic
        )(*args, **kwargs)
        th.write_back(res)
        return ((value, aux) if has_aux else value), grads

    return wrapped


def grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """``jax.grad`` inside a transform; state set by ``fun`` is kept.

    Outside a transform this is ``jax.grad``.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = hk.get_parameter("w", [], init=jnp.ones)
    ...   return hk.grad(lambda x: w * x ** 2)(x)
    >>> f = hk.transform(f)
    >>> f.apply(f.init(None, 3.), None, 3.)
    Array(6., dtype=float32, weak_type=True)
    """
    vg = value_and_grad(fun, argnums, has_aux=has_aux, holomorphic=holomorphic)

    @functools.wraps(fun)
    def wrapped(*args, **kwargs):
        value, grads = vg(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return wrapped


__all__ = ["grad", "value_and_grad"]
