"""Group normalisation."""

from __future__ import annotations

import jax
import jax.numpy as jnp

import haiku as hk
from haiku.initializers import Initializer
from haiku_layers._axes import (
    AxisSpec,
    ScaleOffsetAttributes,
    check_call_args,
    set_scale_offset,
    to_abs_axes,
    to_axes_or_slice,
)
from haiku_layers._errors import IndexValueError, TypeValueError, ZeroDivisionValueError
from haiku_layers.data_format import get_channel_index


class GroupNorm(hk.Module, ScaleOffsetAttributes):
    """Splits the channels into ``groups`` and normalises each group.

    The channel axis is reshaped to ``(groups, C // groups)``; mean and
    (two-pass) variance are taken over ``axis`` (default every axis but the
    batch axis) within each group. ``scale``/``offset`` are per channel, of
    shape ``(C,)`` (channels last) or ``(C, 1, ..., 1)`` (channels first). The
    input rank is fixed by the first call.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.GroupNorm(groups=2)(x))
    >>> params = f.init(None, jnp.ones((2, 4, 4, 6)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'group_norm': {'scale': (6,), 'offset': (6,)}}
    """

    def __init__(
        self,
        groups: int,
        axis: AxisSpec = slice(1, None),
        create_scale: bool = True,
        create_offset: bool = True,
        eps: float = 1e-5,
        scale_init: Initializer | None = None,
        offset_init: Initializer | None = None,
        data_format: str = "channels_last",
        name: str | None = None,
    ):
        """Creates the module.

        Args:
          groups: number of channel groups; must divide the channel count.
          axis: axes to normalise over (int, sequence of ints or slice); the
            channel axis stands for the within-group channels.
          create_scale: learn a per-channel ``scale``.
          create_offset: learn a per-channel ``offset``.
          eps: added to the variance before the square root.
          scale_init: initializer for ``scale`` (default ones).
          offset_init: initializer for ``offset`` (default zeros).
          data_format: ``"channels_last"`` (``NHWC``...) or ``"channels_first"``
            (``NCHW``...).
          name: module name.
        """
        super().__init__(name=name)
        set_scale_offset(
            self, "GroupNorm", eps, create_scale, scale_init, create_offset, offset_init
        )
        if not isinstance(groups, int) or groups < 1:
            # dm-haiku fails on groups=0 with a ZeroDivisionError, else with a TypeError.
            error = ZeroDivisionValueError if groups == 0 else TypeValueError
            raise error(
                f"GroupNorm: `groups` must be a positive int, got {groups!r}. Pass "
                "e.g. groups=8 (it must divide the number of channels)."
            )
        self.groups = groups
        self.axis = to_axes_or_slice(axis, "GroupNorm")
        self.data_format = data_format
        self.channel_index = get_channel_index(data_format)
        self.rank: int | None = None
        self._reduce_axes: tuple[int, ...] = ()
        self._param_shape: tuple[int, ...] = ()

    def _setup(self, shape: tuple[int, ...]) -> None:
        """Fixes rank, grouped reduction axes and parameter shape (first call)."""
        rank = len(shape)
        channel = self.channel_index % rank
        channels = shape[channel]
        if channels % self.groups:
            raise ValueError(
                "GroupNorm: The number of channels must be divisible by the number of "
                f"groups, was channels={channels}, groups={self.groups}. Choose "
                "`groups` that divides the channel count."
            )
        # After splitting the channel axis into (groups, C // groups), original
        # axes at or after the channel axis move one to the right, so the channel
        # axis maps onto the within-group axis.
        axes = to_abs_axes(self.axis, rank, "GroupNorm")
        self._reduce_axes = tuple(a + 1 if a >= channel else a for a in axes)
        self._param_shape = (channels,) + (1,) * (rank - 1 - channel)
        self.rank = rank

    def __call__(
        self, x: jax.Array, scale: jax.Array | None = None, offset: jax.Array | None = None
    ) -> jax.Array:
        """Normalises ``x``.

        Args:
          x: the array to normalise (channels on the ``data_format`` axis).
          scale: a scale to apply when ``create_scale=False``.
          offset: an offset to apply when ``create_offset=False``.

        Returns:
          The normalised array, with the shape of ``x``.
        """
        check_call_args("GroupNorm", self.create_scale, scale, self.create_offset, offset)
        if self.rank is None:
            if x.ndim == 0:
                raise IndexValueError(
                    "GroupNorm: inputs must have rank >= 1, got a scalar. Add a channel "
                    "axis, e.g. x[None]."
                )
            self._setup(x.shape)
        elif x.ndim != self.rank:
            raise ValueError(
                "GroupNorm: The rank of the inputs cannot change between calls, the "
                f"original call was rank={self.rank} but this call was rank={x.ndim}. "
                "Use a separate GroupNorm per input rank."
            )
        shape = x.shape
        channel = self.channel_index % x.ndim
        grouped = (
            shape[:channel] + (self.groups, shape[channel] // self.groups) + shape[channel + 1 :]
        )
        xg = x.reshape(grouped)
        axes = self._reduce_axes
        mean = jnp.mean(xg, axes, keepdims=True)
        var = jnp.var(xg, axes, keepdims=True)
        eps = jax.lax.convert_element_type(self.eps, var.dtype)
        out = ((xg - mean) * jax.lax.rsqrt(var + eps)).reshape(shape)

        dtype = x.dtype
        if self.create_scale:
            scale = hk.get_parameter("scale", self._param_shape, dtype, init=self.scale_init)
        if self.create_offset:
            offset = hk.get_parameter("offset", self._param_shape, dtype, init=self.offset_init)
        if scale is not None:
            out = out * _to_rank(scale, x.ndim)
        if offset is not None:
            out = out + _to_rank(offset, x.ndim)
        return out


def _to_rank(x: jax.Array, rank: int) -> jax.Array:
    x = jnp.asarray(x)
    if x.ndim < rank:
        x = x.reshape((1,) * (rank - x.ndim) + x.shape)
    return x
