"""Chaining callables."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import haiku as hk
from haiku_layers._utils import check_callables


class Sequential(hk.Module):
    """Calls a list of layers in order, feeding each output to the next.

    Extra positional and keyword arguments go to the first layer only. The
    layers keep the names they were constructed with, so ``Sequential`` adds
    no level to the parameter tree.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   return hk.Sequential([hk.Linear(3), jax.nn.relu, hk.Linear(2)])(x)
    >>> params = hk.transform(f).init(jax.random.PRNGKey(0), jnp.ones([1, 4]))
    >>> list(params)
    ['linear', 'linear_1']
    """

    def __init__(self, layers: Iterable[Callable[..., Any]], name: str | None = None):
        """Constructs a Sequential module.

        Args:
          layers: callables applied in order.
          name: module name.
        """
        super().__init__(name=name)
        self.layers = check_callables("hk.Sequential", layers)

    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Applies the layers; ``args``/``kwargs`` are passed to the first."""
        out = inputs
        for i, layer in enumerate(self.layers):
            out = layer(out, *args, **kwargs) if i == 0 else layer(out)
        return out
