"""Root-mean-square normalisation."""

from __future__ import annotations

import jax
import jax.numpy as jnp

import haiku as hk
from haiku.initializers import Initializer
from haiku_layers._axes import AxisSpec, check_init_args, to_abs_axes, to_axes_or_slice


class RMSNorm(hk.Module):
    """Scales inputs by the reciprocal of their root mean square over ``axis``.

    ``out = x * scale * rsqrt(mean(x^2, axis) + eps)``. Unlike
    :class:`LayerNorm` there is no centring and no offset. ``scale`` has shape
    ``(C,)`` when ``param_axis`` (default ``-1``) is the last axis, else the
    broadcast shape.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.RMSNorm(axis=-1)(x))
    >>> params = f.init(None, jnp.ones((2, 5)))
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in params.items()}
    {'rms_norm': {'scale': (5,)}}
    """

    def __init__(
        self,
        axis: AxisSpec,
        eps: float = 1e-5,
        scale_init: Initializer | None = None,
        name: str | None = None,
        create_scale: bool = True,
        *,
        param_axis: AxisSpec | None = None,
    ):
        """Creates the module.

        Args:
          axis: int, sequence of ints or slice: the axes to average over.
          eps: added to the mean square before the square root.
          scale_init: initializer for ``scale`` (default ones).
          name: module name.
          create_scale: learn a ``scale``; otherwise none is applied.
          param_axis: axes ``scale`` varies along (default ``-1``).
        """
        super().__init__(name=name)
        check_init_args("RMSNorm", create_scale, scale_init)
        self.axis = to_axes_or_slice(axis, "RMSNorm")
        self.param_axis = (
            (-1,) if param_axis is None else to_axes_or_slice(param_axis, "RMSNorm", "param_axis")
        )
        self.eps = eps
        self.create_scale = create_scale
        self.scale_init = scale_init or jnp.ones

    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Returns ``inputs`` normalised by their root mean square."""
        ndim = inputs.ndim
        axis = self.axis
        if isinstance(axis, slice):
            axis = tuple(range(ndim)[axis])
        mean_squared = jnp.mean(jnp.square(inputs), axis=axis, keepdims=True)
        if self.create_scale:
            param_axis = to_abs_axes(self.param_axis, ndim, "RMSNorm")
            if param_axis == (ndim - 1,):
                param_shape = inputs.shape[-1:]
            else:
                param_shape = tuple(d if i in param_axis else 1 for i, d in enumerate(inputs.shape))
            scale = hk.get_parameter("scale", param_shape, inputs.dtype, init=self.scale_init)
            inputs = inputs * jnp.broadcast_to(scale, inputs.shape)
        return inputs * jax.lax.rsqrt(mean_squared + self.eps)
