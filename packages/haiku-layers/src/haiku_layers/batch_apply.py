"""Applying a function over merged leading axes."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from haiku_layers._errors import TypeValueError


def _has_rank(x: Any, num_dims: int) -> bool:
    return hasattr(x, "ndim") and x.ndim >= num_dims


class BatchApply:
    """Merges the first ``num_dims`` axes of every array input, calls ``f``,
    then splits that axis again in every output.

    Useful for applying a layer written for ``[batch, ...]`` to
    ``[time, batch, ...]`` inputs. Leaves without ``num_dims`` axes (scalars,
    Python values) are passed through unchanged, and so are output leaves
    without a leading axis.

    >>> import haiku as hk, jax.numpy as jnp
    >>> hk.BatchApply(lambda x: x.sum(-1))(jnp.ones([2, 3, 4])).shape
    (2, 3)
    """

    def __init__(self, f: Callable[..., Any], num_dims: int = 2):
        """Constructs a BatchApply.

        Args:
          f: the function to apply.
          num_dims: number of leading axes to merge; must be positive.
        """
        if num_dims < 1:
            raise TypeValueError(f"BatchApply: num_dims must be >= 1, got {num_dims}.")
        self._f = f
        self.num_dims = num_dims

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Calls ``f`` on the merged inputs and returns split outputs."""
        n = self.num_dims
        leaves = jax.tree.leaves((args, kwargs))
        example = next((x for x in leaves if _has_rank(x, n)), None)
        if example is None:
            raise ValueError(
                f"BatchApply requires at least one input with ndim >= {n} "
                f"(num_dims={n}); got leaves of shapes "
                f"{[getattr(x, 'shape', type(x).__name__) for x in leaves]}."
            )
        lead = tuple(example.shape[:n])
        merged = math.prod(lead)

        def merge(x):
            if not _has_rank(x, n):
                return x
            if tuple(x.shape[:n]) != lead:
                raise ValueError(
                    f"BatchApply: all inputs must share the leading {n} axes "
                    f"{lead}, got an input of shape {x.shape}."
                )
            return jnp.reshape(x, (merged, *x.shape[n:]))

        def split(x):
            if not _has_rank(x, 1):
                return x
            return jnp.reshape(x, lead + tuple(x.shape[1:]))

        args, kwargs = jax.tree.map(merge, (args, kwargs))
        return jax.tree.map(split, self._f(*args, **kwargs))


def expand_apply(f: Callable[..., Any], axis: int = 0) -> Callable[..., Any]:
    """Wraps ``f`` to add a size-1 axis to its inputs and remove it after.

    Args:
      f: function that expects the extra axis.
      axis: ``0`` (leading) or ``-1`` (trailing).

    Returns:
      The wrapped function.

    >>> import haiku as hk, jax.numpy as jnp
    >>> hk.expand_apply(lambda x: x * 2)(jnp.ones([3])).shape
    (3,)
    """
    if axis not in (0, -1):
        raise ValueError(f"expand_apply: axis must be 0 or -1, got {axis}.")

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        def expand(x):
            return jnp.expand_dims(x, axis)

        args, kwargs = jax.tree.map(expand, (args, kwargs))
        return jax.tree.map(lambda x: jnp.squeeze(x, axis), f(*args, **kwargs))

    return wrapper
