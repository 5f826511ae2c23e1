"""Fully connected layer."""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers._staged import dense
from haiku_layers._utils import check_size, non_float_input_error


class Linear(hk.Module):
    """Affine transform ``y = x @ w + b`` over the last axis of the input.

    Parameters ``w`` (``[input_size, output_size]``) and ``b``
    (``[output_size]``) take the dtype of the input. By default ``w`` is drawn
    from a truncated normal with ``stddev = 1 / sqrt(input_size)`` and ``b``
    starts at zero.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Linear(3)(x))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 4]))
    >>> jax.tree.map(jnp.shape, params)
    {'linear': {'b': (3,), 'w': (4, 3)}}
    >>> f.apply(params, None, jnp.ones([2, 4])).shape
    (2, 3)
    """

    def __init__(
        self,
        output_size: int,
        with_bias: bool = True,
        w_init: hk.initializers.Initializer | None = None,
        b_init: hk.initializers.Initializer | None = None,
        name: str | None = None,
    ):
        """Constructs a Linear layer.

        Args:
          output_size: number of output features.
          with_bias: whether to add the bias ``b``.
          w_init: initializer for ``w``; default truncated normal with
            ``stddev = 1 / sqrt(input_size)``.
          b_init: initializer for ``b``; default zeros.
          name: module name.
        """
        super().__init__(name=name)
        check_size("hk.Linear", "output_size", output_size)
        self.input_size: int | None = None
        self.output_size = output_size
        self.with_bias = with_bias
        self.w_init = w_init
        self.b_init = b_init or jnp.zeros

    def __call__(
        self,
        inputs: jax.Array,
        *,
        precision: jax.lax.Precision | None = None,
    ) -> jax.Array:
        """Applies the layer to ``inputs`` of shape ``[..., input_size]``."""
        if not inputs.shape:
            raise ValueError(
                f"{self.module_name}: Linear needs an input with at least one axis "
                "(the features), got a scalar. Reshape it, e.g. x[None]."
            )
        input_size = self.input_size = inputs.shape[-1]
        dtype = inputs.dtype
        w_init = self.w_init
        if w_init is None:
            w_init = hk.initializers.TruncatedNormal(stddev=1.0 / math.sqrt(input_size))
        try:
            w = hk.get_parameter("w", [input_size, self.output_size], dtype, init=w_init)
        except (TypeError, ValueError) as e:
            if jnp.issubdtype(dtype, jnp.inexact):
                raise
            raise non_float_input_error(self.module_name, "Linear", dtype) from e
        b = None
        if self.with_bias:
            b = hk.get_parameter("b", [self.output_size], dtype, init=self.b_init)
        return dense(inputs, w, b, precision)
