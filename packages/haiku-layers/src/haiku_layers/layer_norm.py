"""Layer normalisation and instance normalisation."""

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
from haiku_layers._staged import Kernel
from haiku_layers.data_format import get_channel_index


class LayerNorm(hk.Module, ScaleOffsetAttributes):
    """Normalises each example over ``axis``, then scales and offsets.

    ``out = scale * rsqrt(var + eps) * (x - mean) + offset`` with ``mean`` and
    ``var`` taken over ``axis``. ``var`` is two-pass (``jnp.var``) unless
    ``use_fast_variance`` (``E[x^2] - E[x]^2``).

    ``scale`` and ``offset`` cover ``param_axis`` (default the last axis). They
    have shape ``(C,)`` when ``param_axis`` is the last axis, else the broadcast
    shape (e.g. ``[1, C, 1, 1]``).

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.LayerNorm(-1, True, True)(x))
    >>> params = f.init(None, jnp.ones((2, 5)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'layer_norm': {'scale': (5,), 'offset': (5,)}}
    """

    def __init__(
        self,
        axis: AxisSpec,
        create_scale: bool,
        create_offset: bool,
        eps: float = 1e-5,
        scale_init: Initializer | None = None,
        offset_init: Initializer | None = None,
        use_fast_variance: bool = False,
        name: str | None = None,
        *,
        param_axis: AxisSpec | None = None,
    ):
        """Creates the module.

        Args:
          axis: int, sequence of ints or slice: the axes to normalise over.
          create_scale: learn a ``scale`` (else pass one when calling).
          create_offset: learn an ``offset`` (else pass one when calling).
          eps: added to the variance before the square root.
          scale_init: initializer for ``scale`` (default ones).
          offset_init: initializer for ``offset`` (default zeros).
          use_fast_variance: compute the variance as ``E[x^2] - E[x]^2``.
          name: module name.
          param_axis: axes the parameters vary along (default ``-1``).
        """
        super().__init__(name=name)
        layer = type(self).__name__
        set_scale_offset(self, layer, eps, create_scale, scale_init, create_offset, offset_init)
        self.axis = to_axes_or_slice(axis, layer)
        self.param_axis = (
            (-1,) if param_axis is None else to_axes_or_slice(param_axis, layer, "param_axis")
        )
        self.use_fast_variance = use_fast_variance
        self._layer = layer

    def __call__(
        self, inputs: jax.Array, scale: jax.Array | None = None, offset: jax.Array | None = None
    ) -> jax.Array:
        """Normalises ``inputs``.

        Args:
          inputs: the array to normalise.
          scale: a scale to apply when ``create_scale=False``.
          offset: an offset to apply when ``create_offset=False``.

        Returns:
          The normalised array, with the shape of ``inputs``.
        """
        check_call_args(self._layer, self.create_scale, scale, self.create_offset, offset)
        ndim = inputs.ndim
        axis = self.axis
        if isinstance(axis, slice):
            axis = tuple(range(ndim)[axis])
        elif isinstance(axis, list):
            axis = tuple(axis)
        try:
            mean, variance = _moments(inputs, axis, self.use_fast_variance)
        except (IndexError, ValueError):
            to_abs_axes(axis, ndim, self._layer)  # Raises a clear error for a bad axis.
            raise

        param_axis = to_abs_axes(self.param_axis, ndim, self._layer)
        if param_axis == (ndim - 1,):
            param_shape = inputs.shape[-1:]
        else:
            param_shape = tuple(d if i in param_axis else 1 for i, d in enumerate(inputs.shape))
        dtype = inputs.dtype
        if self.create_scale:
            scale = hk.get_parameter("scale", param_shape, dtype, init=self.scale_init)
        if self.create_offset:
            offset = hk.get_parameter("offset", param_shape, dtype, init=self.offset_init)

        return _normalize(inputs, mean, variance, scale, offset, self.eps)


def _mean_and_variance(
    inputs: jax.Array, axis: int | tuple[int, ...], fast_variance: bool
) -> tuple[jax.Array, jax.Array]:
    mean = jnp.mean(inputs, axis=axis, keepdims=True)
    if fast_variance:
        variance = jnp.mean(jnp.square(inputs), axis=axis, keepdims=True) - jnp.square(mean)
    else:
        variance = jnp.var(inputs, axis=axis, keepdims=True)
    return mean, variance


def _scale_and_offset(
    inputs: jax.Array,
    mean: jax.Array,
    variance: jax.Array,
    scale: jax.Array | None,
    offset: jax.Array | None,
    eps: float,
) -> jax.Array:
    ndim = inputs.ndim
    inv = jax.lax.rsqrt(variance + jax.lax.convert_element_type(eps, variance.dtype))
    # Rank-matched operands keep this valid under jax_numpy_rank_promotion='raise'.
    if scale is not None:
        if jnp.ndim(scale) != ndim:
            scale = jnp.broadcast_to(scale, inputs.shape)
        inv = scale * inv
    out = inv * (inputs - mean)
    if offset is not None:
        if jnp.ndim(offset) != ndim:
            offset = jnp.broadcast_to(offset, inputs.shape)
        out = out + offset
    return out


_moments = Kernel(_mean_and_variance, static_argnums=(1, 2))
_normalize = Kernel(_scale_and_offset, static_argnums=5)


class InstanceNorm(LayerNorm):
    """Normalises each example and channel over the spatial axes.

    A :class:`LayerNorm` over the spatial axes with one ``scale``/``offset``
    per channel: shape ``(C,)`` for channels-last inputs, ``[1, C, 1, ...]``
    for channels-first ones.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.InstanceNorm(True, True)(x))
    >>> params = f.init(None, jnp.ones((2, 4, 4, 3)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'instance_norm': {'scale': (3,), 'offset': (3,)}}
    """

    def __init__(
        self,
        create_scale: bool,
        create_offset: bool,
        eps: float = 1e-5,
        scale_init: Initializer | None = None,
        offset_init: Initializer | None = None,
        data_format: str = "channels_last",
        name: str | None = None,
    ):
        """Creates the module.

        Args:
          create_scale: learn a per-channel ``scale``.
          create_offset: learn a per-channel ``offset``.
          eps: added to the variance before the square root.
          scale_init: initializer for ``scale`` (default ones).
          offset_init: initializer for ``offset`` (default zeros).
          data_format: ``"channels_last"`` (``NHWC``...) or ``"channels_first"``
            (``NCHW``...).
          name: module name.
        """
        if get_channel_index(data_format) == 1:
            axis, param_axis = slice(2, None), 1
        else:
            axis, param_axis = slice(1, -1), -1
        super().__init__(
            axis,
            create_scale,
            create_offset,
            eps,
            scale_init,
            offset_init,
            name=name,
            param_axis=param_axis,
        )
