"""Max and average pooling."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers._errors import AssertionValueError

_INT_SIZE_WARNING = (
    "Pooling with an int window_shape or strides other than 1 is deprecated: "
    "the int is expanded over every non-batch, non-channel axis of the input, "
    "which gives the wrong window under jax.vmap (the mapped batch axis is "
    "invisible). Pass one size per unbatched input axis instead, e.g. "
    "window_shape=(3, 3, 1) for an HWC input."
)


def _window(
    value: jax.Array, size: int | Sequence[int], channel_axis: int | None, arg: str, fn: str
) -> tuple[int, ...]:
    """Expands an int or short sequence to one entry per axis of ``value``."""
    ndim = value.ndim
    if isinstance(size, int):
        if channel_axis is not None and not -ndim <= channel_axis < ndim:
            raise ValueError(
                f"{fn}: channel_axis={channel_axis} is out of range for an input "
                f"of shape {value.shape}."
            )
        channel = None if channel_axis is None else channel_axis % ndim
        return (1,) + tuple(1 if d == channel else size for d in range(1, ndim))
    size = tuple(size)
    if len(size) > ndim:
        raise AssertionValueError(
            f"{fn}: {arg}={size} has more entries than the input has axes (shape {value.shape})."
        )
    return (1,) * (ndim - len(size)) + size


def _check(padding: str, window_shape, strides, fn: str) -> None:
    if padding not in ("SAME", "VALID"):
        raise ValueError(
            f"{fn}: padding={padding!r} is not supported; use 'SAME' or 'VALID' (upper case)."
        )
    if (isinstance(window_shape, int) and window_shape != 1) or (
        isinstance(strides, int) and strides != 1
    ):
        warnings.warn(_INT_SIZE_WARNING, DeprecationWarning, stacklevel=3)


def max_pool(
    value: jax.Array,
    window_shape: int | Sequence[int],
    strides: int | Sequence[int],
    padding: str,
    channel_axis: int | None = -1,
) -> jax.Array:
    """Max pooling.

    Args:
      value: input array, batch axis first.
      window_shape: window size per axis. A shorter sequence is padded with
        leading 1s; an int (deprecated) is used for every axis except the batch
        axis and ``channel_axis``.
      strides: step per axis, same conventions as ``window_shape``.
      padding: ``'SAME'`` or ``'VALID'``.
      channel_axis: axis not pooled when sizes are ints; ``None`` pools all
        non-batch axes.

    Returns:
      The pooled array.

    >>> import haiku as hk, jax.numpy as jnp
    >>> x = jnp.arange(16.).reshape([1, 4, 4, 1])
    >>> hk.max_pool(x, (2, 2, 1), (2, 2, 1), "VALID")[0, ..., 0]
    Array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    _check(padding, window_shape, strides, "hk.max_pool")
    window = _window(value, window_shape, channel_axis, "window_shape", "hk.max_pool")
    stride = _window(value, strides, channel_axis, "strides", "hk.max_pool")
    return jax.lax.reduce_window(value, -jnp.inf, jax.lax.max, window, stride, padding)


def avg_pool(
    value: jax.Array,
    window_shape: int | Sequence[int],
    strides: int | Sequence[int],
    padding: str,
    channel_axis: int | None = -1,
) -> jax.Array:
    """Average pooling.

    With ``'SAME'`` padding, border windows average only the real (unpadded)
    entries. Arguments are as for :func:`max_pool`.

    >>> import haiku as hk, jax.numpy as jnp
    >>> x = jnp.arange(16.).reshape([1, 4, 4, 1])
    >>> hk.avg_pool(x, (2, 2, 1), (2, 2, 1), "VALID")[0, ..., 0]
    Array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """
    _check(padding, window_shape, strides, "hk.avg_pool")
    window = _window(value, window_shape, channel_axis, "window_shape", "hk.avg_pool")
    stride = _window(value, strides, channel_axis, "strides", "hk.avg_pool")
    total = jax.lax.reduce_window(value, 0.0, jax.lax.add, window, stride, padding)
    if padding == "VALID":
        return total / math.prod(window)
    # Count the real (unpadded) entries of each window. Axes the window does
    # not touch (size 1, stride 1) do not change the count, so they get size 1.
    count_shape = tuple(
        1 if w == 1 and s == 1 else d for d, w, s in zip(value.shape, window, stride)
    )
    counts = jax.lax.reduce_window(
        jnp.ones(count_shape, value.dtype), 0.0, jax.lax.add, window, stride, padding
    )
    return total / counts


class MaxPool(hk.Module):
    """Module form of :func:`max_pool`.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.MaxPool((2, 2, 1), (2, 2, 1), "SAME")(x))
    >>> f.apply({}, None, jnp.ones([1, 5, 5, 3])).shape
    (1, 3, 3, 3)
    """

    def __init__(
        self,
        window_shape: int | Sequence[int],
        strides: int | Sequence[int],
        padding: str,
        channel_axis: int | None = -1,
        name: str | None = None,
    ):
        """Constructs it; see :func:`max_pool` for the arguments."""
        super().__init__(name=name)
        self.window_shape = window_shape
        self.strides = strides
        self.padding = padding
        self.channel_axis = channel_axis

    def __call__(self, value: jax.Array) -> jax.Array:
        """Pools ``value``."""
        return max_pool(value, self.window_shape, self.strides, self.padding, self.channel_axis)


class AvgPool(hk.Module):
    """Module form of :func:`avg_pool`.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.AvgPool((3, 3, 1), 1, "SAME")(x))
    >>> f.apply({}, None, jnp.ones([1, 5, 5, 3])).shape
    (1, 5, 5, 3)
    """

    def __init__(
        self,
        window_shape: int | Sequence[int],
        strides: int | Sequence[int],
        padding: str,
        channel_axis: int | None = -1,
        name: str | None = None,
    ):
        """Constructs it; see :func:`avg_pool` for the arguments."""
        super().__init__(name=name)
        self.window_shape = window_shape
        self.strides = strides
        self.padding = padding
        self.channel_axis = channel_axis

    def __call__(self, value: jax.Array) -> jax.Array:
        """Pools ``value``."""
        return avg_pool(value, self.window_shape, self.strides, self.padding, self.channel_axis)
