"""``hk.vmap``: ``jax.vmap`` with haiku params and state broadcast over the mapped axis."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import jax

import haiku as hk
from haiku import extend
from haiku_jaxwrap import _threading as th

_MISSING = object()

_SPLIT_RNG_REQUIRED = (
    "hk.vmap requires the `split_rng` keyword argument: pass split_rng=True to give each "
    "mapped element its own keys (hk.next_rng_key() differs per element), or "
    "split_rng=False to share the key sequence across elements. During init parameters "
    "are shared along the mapped axis, so the usual choice is "
    "`split_rng=(not hk.running_init())`. Code that cannot be changed can opt out with "
    "`hk.vmap.require_split_rng = False` (split_rng then defaults to False)."
)


def _axis_sizes(tree: Any, axes: Any, sizes: list) -> None:
    """Collects the sizes of the mapped axes of ``tree`` (``axes`` is a prefix of it)."""

    def visit(ax, sub):
        if ax is None:
            return
        for leaf in jax.tree.leaves(sub):
            shape = getattr(leaf, "shape", ())
            if shape:
                sizes.append(shape[ax])

    jax.tree.map(visit, axes, tree, is_leaf=lambda a: a is None)


def _infer_axis_size(args: tuple, kwargs: dict, in_axes: Any) -> int:
    sizes: list = []
    if isinstance(in_axes, (int, type(None))):
        _axis_sizes(args, in_axes, sizes)
    else:
        _axis_sizes(args, tuple(in_axes), sizes)
    _axis_sizes(kwargs, 0, sizes)
    if not sizes:
        raise ValueError(
            "hk.vmap(split_rng=True) could not find a mapped argument to size the per-element "
            "keys: pass `axis_size=`."
        )
    return int(sizes[0])


def vmap(
    fun: Callable[..., Any],
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_name: str | None = None,
    axis_size: int | None = None,
    *,
    split_rng: Any = _MISSING,
    spmd_axis_name: Any = None,
) -> Callable[..., Any]:
    """``jax.vmap`` for haiku code: params and state are broadcast, never mapped.

    ``split_rng`` is required: with True each element draws its own keys
    (``hk.next_rng_keys(axis_size)``, lane ``i`` gets the key sequence of key ``i``); with
    False all elements share the key sequence. During init, ``split_rng=True`` is an error
    only if a parameter or state value would differ per element (e.g. an initializer
    drawing a key): use ``split_rng=(not hk.running_init())`` then. ``in_axes`` must map at
    least one argument.
    Outside a transform this is ``jax.vmap`` (``split_rng`` is ignored).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> def f(x):
    ...   w = hk.get_parameter("w", [3], init=jnp.ones)
    ...   return hk.vmap(lambda x: x * w, split_rng=False)(x)
    >>> f = hk.transform(f)
    >>> x = jnp.ones([2, 3])
    >>> f.apply(f.init(None, x), None, x).shape
    (2, 3)
    """
    if split_rng is _MISSING:
        if vmap.require_split_rng:  # type: ignore[attr-defined]  # set below
            raise TypeError(_SPLIT_RNG_REQUIRED)
        split_rng = False
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not jax.tree.leaves(in_axes):
        name = getattr(fun, "__name__", type(fun).__name__)
        raise ValueError(
            f"{name} must have at least one non-None value in in_axes to use with `hk.vmap`: "
            f"got in_axes={in_axes!r}. Map at least one argument (e.g. in_axes=0); to "
            "broadcast every input, call the function directly or use jax.vmap."
        )

    @functools.wraps(fun)
    def mapped(*args, **kwargs):
        if not extend.inside_transform():
            return jax.vmap(
                fun, in_axes, out_axes, axis_name, axis_size, spmd_axis_name=spmd_axis_name
            )(*args, **kwargs)
        snap = th.snapshot()
        if split_rng and snap.rng is not None:
            n = axis_size if axis_size is not None else _infer_axis_size(args, kwargs, in_axes)
            rng = (hk.next_rng_keys(n), ())
            rng_axes: Any = (0, None)
        else:
            rng = snap.rng
            rng_axes = None

        def pure(args, kwargs, state, rng):
            out, res = th.run_pure(fun, snap, state, rng, args, kwargs, isolate_names=True)
            if split_rng:
                return out, res.params, res.state, None
            return out, res.params, res.state, res.rng

        try:
            out, params, state, rng = jax.vmap(
                pure,
                in_axes=(in_axes, 0, None, rng_axes),
                out_axes=(out_axes, None, None, None),
                axis_name=axis_name,
                axis_size=axis_size,
                spmd_axis_name=spmd_axis_name,
            )(args, kwargs, snap.state, rng)
        except ValueError as e:
            if split_rng and snap.init and "out_axes" in str(e):
                raise ValueError(
                    "hk.vmap(split_rng=True) is not supported during init (mode: init) when a "
                    "parameter or state value is created from per-element keys: it would "
                    "differ along the mapped axis, but parameters and state are shared along "
                    "it. Pass `split_rng=(not hk.running_init())` to split keys only during "
                    "apply."
                ) from e
            raise
        th.write_back(th.Result(params, state, rng))
        return out

    return mapped


vmap.require_split_rng = True  # type: ignore[attr-defined]  # functions take attributes
_shown = [
    p.replace(default=inspect.Parameter.empty) if p.name == "split_rng" else p
    for p in inspect.signature(vmap).parameters.values()
]
vmap.__signature__ = inspect.signature(vmap).replace(parameters=_shown)  # type: ignore[attr-defined]  # read by inspect

__all__ = ["vmap"]
