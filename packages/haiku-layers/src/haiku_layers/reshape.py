"""Reshaping the trailing axes of an input."""

from __future__ import annotations

import math
from collections.abc import Sequence

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers._errors import AttributeTypeError, TypeValueError


class Reshape(hk.Module):
    """Reshapes all but the first ``preserve_dims`` axes to ``output_shape``.

    A negative ``preserve_dims`` counts from the end: ``-k`` reshapes only the
    last ``k`` axes. ``output_shape`` may hold one ``-1``, inferred from the
    input size. Inputs with at most ``preserve_dims`` axes are returned as is.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Reshape((4, -1))(x))
    >>> f.apply({}, None, jnp.ones([2, 3, 4, 2])).shape
    (2, 4, 6)
    >>> g = hk.transform(lambda x: hk.Reshape((6,), preserve_dims=-2)(x))
    >>> g.apply({}, None, jnp.ones([5, 2, 3])).shape
    (5, 6)
    """

    def __init__(
        self, output_shape: Sequence[int], preserve_dims: int = 1, name: str | None = None
    ):
        """Constructs a Reshape module.

        Args:
          output_shape: new shape of the reshaped axes; at most one ``-1``.
          preserve_dims: number of leading axes kept (negative: number of trailing
            axes reshaped). Must be non-zero.
          name: module name.
        """
        super().__init__(name=name)
        if not preserve_dims:
            raise ValueError(
                "Reshape: preserve_dims must be non-zero (positive: leading axes to "
                "keep; negative: trailing axes to reshape)."
            )
        try:
            output_shape = tuple(output_shape)
        except TypeError:
            # dm-haiku fails here with an AttributeError; the type keeps both.
            raise AttributeTypeError(
                f"Reshape: output_shape must be a sequence of ints, got {output_shape!r}. "
                "Pass e.g. output_shape=(-1,) or (4, 6)."
            ) from None
        if output_shape.count(-1) > 1:
            raise ValueError(
                f"Reshape: output_shape={output_shape} has more than one -1; at "
                "most one size can be inferred."
            )
        self.output_shape = output_shape
        self.preserve_dims = preserve_dims

    def __call__(self, inputs: jax.Array) -> jax.Array:
        """Reshapes ``inputs``."""
        ndim = inputs.ndim
        keep = self.preserve_dims
        if keep > 0 and ndim <= keep:
            return inputs
        if keep < 0:
            keep = max(ndim + keep, 0)
        shape = inputs.shape
        out = self.output_shape
        if -1 in out:
            known = math.prod(d for d in out if d != -1)
            rest = math.prod(shape[keep:])
            if known == 0 or rest % known:
                raise TypeValueError(
                    f"{self.module_name}: cannot reshape axes {shape[keep:]} of input "
                    f"{shape} into {out}: {rest} elements do not divide by {known}."
                )
            out = tuple(rest // known if d == -1 else d for d in out)
        try:
            return jnp.reshape(inputs, shape[:keep] + out)
        except (TypeError, ValueError) as e:
            raise TypeValueError(
                f"{self.module_name}: hk.Reshape cannot reshape axes {shape[keep:]} "
                f"({math.prod(shape[keep:])} elements) of input {shape} into "
                f"output_shape={self.output_shape} ({math.prod(out)} elements). Pick an "
                "output_shape with the same number of elements (a -1 entry is inferred), or "
                f"change preserve_dims={self.preserve_dims} to keep a different number of "
                "leading axes."
            ) from e


class Flatten(Reshape):
    """Flattens all axes after the first ``preserve_dims`` into one.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.Flatten()(x))
    >>> f.apply({}, None, jnp.ones([2, 3, 4])).shape
    (2, 12)
    """

    def __init__(self, preserve_dims: int = 1, name: str | None = None):
        """Constructs a Flatten module.

        Args:
          preserve_dims: number of leading axes kept (negative: number of trailing
            axes flattened).
          name: module name.
        """
        super().__init__(output_shape=(-1,), preserve_dims=preserve_dims, name=name)
