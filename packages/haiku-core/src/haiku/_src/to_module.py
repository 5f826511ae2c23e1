"""``hk.to_module``: turn a function into a Module class."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from haiku._src.module import Module


def to_module(f: Callable[..., Any]) -> type[Module]:
    """Returns a Module class whose ``__call__`` runs ``f`` in the module's scope.

    Instances are named after ``f`` by default.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> def bias(x):
    ...   return x + hk.get_parameter("b", [], init=jnp.ones)
    >>> Bias = hk.to_module(bias)
    >>> params = hk.transform(lambda x: Bias()(x)).init(None, 1.)
    >>> list(params)
    ['bias']
    """
    if not callable(f):
        raise TypeError(f"hk.to_module needs a callable, got {f!r}.")
    default_name = getattr(f, "__name__", None)
    if not default_name or not default_name.isidentifier():
        default_name = None

    class ToModuleWrapper(Module):
        """Module wrapping a function (see ``hk.to_module``)."""

        def __init__(self, name: str | None = None):
            super().__init__(name=name or default_name)

        def __call__(self, *args, **kwargs):
            return f(*args, **kwargs)

    doc = getattr(f, "__doc__", None)
    ToModuleWrapper.__doc__ = doc if doc is not None else "Module produced by `hk.to_module`."
    ToModuleWrapper.__call__.__doc__ = doc
    return ToModuleWrapper
