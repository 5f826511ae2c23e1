"""Learned additive bias."""

from __future__ import annotations

from collections.abc import Sequence

import jax
import jax.numpy as jnp

import haiku as hk


def _bias_shape(
    name: str, input_shape: tuple[int, ...], bias_dims: Sequence[int] | None
) -> tuple[int, ...]:
    """Shape of ``b`` that broadcasts against ``input_shape``."""
    rank = len(input_shape)
    if bias_dims is None:
        return tuple(input_shape[1:])
    if not bias_dims:
        return ()
    shape = [1] * rank
    for dim in bias_dims:
        if not -rank <= dim < rank:
            raise ValueError(
                f"{name}: bias_dims={tuple(bias_dims)} has axis {dim}, which is out "
                f"of range for an input of rank {rank}."
            )
        dim %= rank
        if dim == 0:
            raise ValueError(
                f"{name}: bias_dims must not include the batch axis 0; a bias is "
                "shared across the batch."
            )
        shape[dim] = input_shape[dim]
    # Drop leading 1s: broadcasting adds them back.
    first = next((i for i in range(1, rank) if shape[i] != 1), rank)
    return tuple(shape[first:])


class Bias(hk.Module):
    """Adds a learned bias ``b`` (optionally scaled by ``multiplier``).

    By default ``b`` covers every axis but the first (batch) one; ``bias_dims``
    selects a subset of axes, and the others are broadcast.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Bias(bias_dims=[-1])(x))
    >>> params = f.init(None, jnp.ones([2, 3, 4]))
    >>> jax.tree.map(jnp.shape, params)
    {'bias': {'b': (4,)}}
    """

    def __init__(
        self,
        output_size: Sequence[int] | None = None,
        bias_dims: Sequence[int] | None = None,
        b_init: hk.initializers.Initializer | None = None,
        name: str | None = None,
    ):
        """Constructs a Bias module.

        Args:
          output_size: expected input shape without the batch axis; checked at
            call time when given.
          bias_dims: axes that get their own bias entries (default: all axes but
            the first). Negative axes count from the end.
          b_init: initializer for ``b``; default zeros.
          name: module name.
        """
        super().__init__(name=name)
        if isinstance(output_size, int):
            output_size = (output_size,)
        self.output_size = None if output_size is None else tuple(output_size)
        self.bias_dims = bias_dims
        self.b_init = b_init or jnp.zeros
        self.bias_shape: tuple[int, ...] | None = None
        self.input_size: tuple[int, ...] | None = None

    def __call__(
        self,
        inputs: jax.Array,
        multiplier: jax.Array | float | None = None,
    ) -> jax.Array:
        """Returns ``inputs + b`` (or ``inputs + b * multiplier``)."""
        if inputs.ndim < 2:
            raise ValueError(
                f"{self.module_name}: Bias needs an input of rank >= 2 (batch axis "
                f"first), got shape {inputs.shape}. Add a batch axis, e.g. x[None]."
            )
        bias_shape = _bias_shape(self.module_name, inputs.shape, self.bias_dims)
        if self.output_size is not None and self.output_size != inputs.shape[1:]:
            raise ValueError(
                f"{self.module_name}: input shape must be (-1, *{self.output_size}) "
                f"as given by output_size, got {inputs.shape}."
            )
        self.bias_shape = bias_shape
        self.input_size = inputs.shape[1:]
        b = hk.get_parameter("b", bias_shape, inputs.dtype, init=self.b_init)
        b = jnp.broadcast_to(b, inputs.shape)
        if multiplier is not None:
            b = b * multiplier
        return inputs + b
