"""Batch normalisation with moving statistics kept in Haiku state."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk
from haiku.initializers import Initializer
from haiku_layers._axes import (
    ScaleOffsetAttributes,
    check_call_args,
    in_range_axes,
    set_scale_offset,
)
from haiku_layers._staged import Kernel
from haiku_layers._utils import check_decay
from haiku_layers.data_format import get_channel_index
from haiku_layers.moving_averages import ExponentialMovingAverage


class BatchNorm(hk.Module, ScaleOffsetAttributes):
    """Normalises inputs by their batch mean and variance.

    In training (``is_training=True``) or with ``test_local_stats=True`` the
    statistics are the mean and the (fast) variance ``E[x^2] - E[x]^2`` of the
    current batch over ``axis`` (default: every axis but the channel axis). With
    ``cross_replica_axis`` they are averaged with ``jax.lax.pmean`` over that
    named axis, which works both under ``jax.pmap`` and under
    ``jax.vmap(..., axis_name=...)``. Otherwise the moving averages are used.
    In training both moving averages (``~/mean_ema`` and ``~/var_ema``) are
    updated.

    ``scale`` (init ones) and ``offset`` (init zeros) have the broadcast shape
    of the statistics (``[1, 1, 1, C]`` for NHWC) and the input dtype.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform_with_state(
    ...     lambda x, t: hk.BatchNorm(True, True, decay_rate=0.9)(x, t))
    >>> x = jnp.ones((8, 4, 4, 3))
    >>> params, state = f.init(None, x, True)
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'batch_norm': {'scale': (1, 1, 1, 3), 'offset': (1, 1, 1, 3)}}
    >>> sorted(state)
    ['batch_norm/~/mean_ema', 'batch_norm/~/var_ema']
    >>> y, state = f.apply(params, state, None, x, False)
    >>> y.shape
    (8, 4, 4, 3)
    """

    def __init__(
        self,
        create_scale: bool,
        create_offset: bool,
        decay_rate: float,
        eps: float = 1e-5,
        scale_init: Initializer | None = None,
        offset_init: Initializer | None = None,
        axis: Sequence[int] | None = None,
        cross_replica_axis: str | Sequence[str] | None = None,
        cross_replica_axis_index_groups: Sequence[Sequence[int]] | None = None,
        data_format: str = "channels_last",
        name: str | None = None,
    ):
        """Creates the module.

        Args:
          create_scale: learn a ``scale`` parameter (else pass ``scale`` when
            calling, or none is applied).
          create_offset: learn an ``offset`` parameter.
          decay_rate: decay of the moving averages of the statistics.
          eps: added to the variance before the square root.
          scale_init: initializer for ``scale`` (default ones).
          offset_init: initializer for ``offset`` (default zeros).
          axis: axes to reduce over (default: all but the channel axis).
          cross_replica_axis: name(s) of mapped axes (``pmap`` or ``vmap``
            ``axis_name``) to average the batch statistics over.
          cross_replica_axis_index_groups: ``axis_index_groups`` for ``pmean``.
          data_format: where the channels are, e.g. ``"channels_last"``,
            ``"NHWC"``, ``"channels_first"``, ``"NCHW"``.
          name: module name.
        """
        super().__init__(name=name)
        set_scale_offset(
            self, "BatchNorm", eps, create_scale, scale_init, create_offset, offset_init
        )
        check_decay("hk.BatchNorm", "decay_rate", decay_rate)
        if cross_replica_axis is None and cross_replica_axis_index_groups is not None:
            raise ValueError(
                "BatchNorm: `cross_replica_axis` name must be specified if "
                "`cross_replica_axis_index_groups` are used."
            )
        self.axis = None if axis is None else tuple(axis)
        self.cross_replica_axis = cross_replica_axis
        self.cross_replica_axis_index_groups = cross_replica_axis_index_groups
        self.channel_index = get_channel_index(data_format)
        self.mean_ema = ExponentialMovingAverage(decay_rate, name="mean_ema")
        self.var_ema = ExponentialMovingAverage(decay_rate, name="var_ema")

    def _reduction_axes(self, ndim: int) -> tuple[int, ...]:
        if self.axis is None:
            # A scalar has no channel axis and nothing to reduce over (as dm-haiku).
            channel = self.channel_index % ndim if ndim else None
            return tuple(i for i in range(ndim) if i != channel)
        return in_range_axes(self.axis, ndim, "BatchNorm")

    def __call__(
        self,
        inputs: jax.Array,
        is_training: bool,
        test_local_stats: bool = False,
        scale: jax.Array | None = None,
        offset: jax.Array | None = None,
    ) -> jax.Array:
        """Normalises ``inputs``.

        Args:
          inputs: an array (channels on the ``data_format`` axis); a scalar is
            normalised on its own (the result is ``offset``).
          is_training: use batch statistics and update the moving averages.
          test_local_stats: use batch statistics even when not training.
          scale: a scale to apply when ``create_scale=False``.
          offset: an offset to apply when ``create_offset=False``.

        Returns:
          The normalised array, with the shape and dtype of ``inputs``.
        """
        check_call_args("BatchNorm", self.create_scale, scale, self.create_offset, offset)
        ndim = inputs.ndim
        axes = self._reduction_axes(ndim)
        dtype = inputs.dtype

        if is_training or test_local_stats:
            mean, mean_of_squares = _batch_moments(inputs, axes)
            if self.cross_replica_axis is not None:
                groups = self.cross_replica_axis_index_groups
                mean = jax.lax.pmean(mean, self.cross_replica_axis, axis_index_groups=groups)
                mean_of_squares = jax.lax.pmean(
                    mean_of_squares, self.cross_replica_axis, axis_index_groups=groups
                )
            var = mean_of_squares - jnp.square(mean)
        else:
            mean = self.mean_ema.average.astype(dtype)
            var = self.var_ema.average.astype(dtype)

        if is_training:
            self.mean_ema(mean)
            self.var_ema(var)

        w_shape = tuple(1 if i in axes else d for i, d in enumerate(inputs.shape))
        if self.create_scale:
            scale = hk.get_parameter("scale", w_shape, dtype, init=self.scale_init)
        if self.create_offset:
            offset = hk.get_parameter("offset", w_shape, dtype, init=self.offset_init)
        return _normalize(inputs, mean, var, scale, offset, self.eps)


def _batch_moments_fn(inputs: jax.Array, axes: tuple[int, ...]) -> tuple[jax.Array, jax.Array]:
    mean = jnp.mean(inputs, axes, keepdims=True)
    return mean, jnp.mean(jnp.square(inputs), axes, keepdims=True)


def _normalize_fn(
    inputs: jax.Array,
    mean: jax.Array,
    var: jax.Array,
    scale: jax.Array | None,
    offset: jax.Array | None,
    eps: float,
) -> jax.Array:
    dtype = inputs.dtype
    w = np.ones([], dtype=dtype) if scale is None else scale
    b = np.zeros([], dtype=dtype) if offset is None else offset
    inv = w * jax.lax.rsqrt(var + jax.lax.convert_element_type(eps, var.dtype))
    return (inputs - mean) * inv + b


# Staged while tracing (haiku_layers._staged): the same equations, traced once per shape.
_batch_moments = Kernel(_batch_moments_fn, static_argnums=1)
_normalize = Kernel(_normalize_fn, static_argnums=5)
