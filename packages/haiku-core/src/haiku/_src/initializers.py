"""Parameter initializers: callables ``init(shape, dtype) -> jax.Array``.

Random initializers draw exactly one key with ``hk.next_rng_key()`` when they are called, so
they must run inside a transform (typically through ``hk.get_parameter``). Each one also has
a pure ``sample(key, shape, dtype)`` method that takes the key explicitly and works anywhere,
which is handy for debugging or for writing initializers on top of them.
"""

from __future__ import annotations

import abc
import math
from collections.abc import Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from haiku._src import init_kernels
from haiku._src.rng import next_rng_key
from haiku._src.typing import Initializer

__all__ = [
    "Initializer",
    "Constant",
    "RandomNormal",
    "TruncatedNormal",
    "RandomUniform",
    "VarianceScaling",
    "UniformScaling",
    "Orthogonal",
    "Identity",
    "compute_fans",
]


# Standard deviation of a unit normal truncated to [-2, 2]; VarianceScaling divides by it so
# that the truncated samples have the requested variance.
_TRUNCATED_STDDEV = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def _cast(value: Any, dtype: Any) -> jax.Array:
    """Converts a scalar hyper-parameter to ``dtype``.

    Python numbers are returned as they are: JAX converts weakly typed scalars to the
    other operand's dtype, which gives the same values without an eager device op per
    parameter (measured: most of init's overhead is eager dispatch).
    """
    if type(value) in (int, float) and jnp.issubdtype(dtype, jnp.inexact):
        return value
    return jax.lax.convert_element_type(value, dtype)


def _is_zero(value: Any) -> bool:
    """True for a Python/NumPy scalar zero (adding it cannot change a sample's value)."""
    return type(value) in (int, float, np.float64, np.float32) and value == 0


def _check_rank_2(shape: Sequence[int], what: str) -> tuple[int, ...]:
    shape = tuple(shape)
    if len(shape) < 2:
        raise ValueError(
            f"{what} initializer requires at least a 2D shape, got shape {shape}. Use it for "
            "weight matrices (e.g. [in, out]) or stacks of them."
        )
    return shape


class _RandomInitializer(abc.ABC):
    """Shared ``__call__``: draws one key from the transform, then samples with it."""

    def __call__(self, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        return self.sample(next_rng_key(), shape, dtype)

    @abc.abstractmethod
    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""


class Constant:
    """Initializes with a constant (a scalar, or an array broadcastable to the shape).

    Uses no random key.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.initializers.Constant(3)([2], jnp.float32)
    Array([3., 3.], dtype=float32)
    """

    def __init__(self, constant: float | int | complex | np.ndarray | jax.Array):
        """Constructs a Constant initializer.

        Args:
            constant: The value to fill with; broadcast to the requested shape.
        """
        self.constant = constant

    def __call__(self, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        return jnp.broadcast_to(jnp.asarray(self.constant), shape).astype(dtype)

    def sample(
        self, key: jax.Array | None, shape: Sequence[int], dtype: Any = jnp.float32
    ) -> jax.Array:
        """Same as calling the initializer; ``key`` is ignored.

        >>> import haiku as hk
        >>> hk.initializers.Constant(1.).sample(None, [1])
        Array([1.], dtype=float32)
        """
        del key
        return self(shape, dtype)

    def __repr__(self) -> str:
        return f"Constant({self.constant!r})"


class RandomNormal(_RandomInitializer):
    """Samples from a normal distribution: ``mean + stddev * N(0, 1)``.

    >>> import jax
    >>> import haiku as hk
    >>> init = hk.initializers.RandomNormal(stddev=0.1)
    >>> init.sample(jax.random.PRNGKey(0), [2, 3]).shape
    (2, 3)
    """

    def __init__(self, stddev: float | jax.Array = 1.0, mean: float | jax.Array = 0.0):
        """Constructs a RandomNormal initializer.

        Args:
            stddev: Standard deviation of the distribution.
            mean: Mean of the distribution.
        """
        self.stddev = stddev
        self.mean = mean

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        mean = _cast(self.mean, dtype)
        stddev = _cast(self.stddev, dtype)
        return mean + stddev * jax.random.normal(key, shape, dtype)

    def __repr__(self) -> str:
        return f"RandomNormal(stddev={self.stddev!r}, mean={self.mean!r})"


class TruncatedNormal(_RandomInitializer):
    """Samples from a normal distribution truncated to ``[lower, upper]`` standard deviations.

    The result is ``stddev * truncated_normal(lower, upper) + mean``; ``stddev`` is not
    corrected for the truncation (so the samples' standard deviation is smaller than
    ``stddev``). Complex dtypes draw independent real and imaginary parts.

    >>> import jax
    >>> import haiku as hk
    >>> init = hk.initializers.TruncatedNormal(stddev=0.01)
    >>> w = init.sample(jax.random.PRNGKey(0), [100])
    >>> bool(abs(w).max() <= 0.02)
    True
    """

    def __init__(
        self,
        stddev: float | jax.Array = 1.0,
        mean: float | complex | jax.Array = 0.0,
        lower: float | jax.Array = -2.0,
        upper: float | jax.Array = 2.0,
    ):
        """Constructs a TruncatedNormal initializer.

        Args:
            stddev: Scale of the (untruncated) distribution.
            mean: Mean of the distribution (may be complex for complex dtypes).
            lower: Lower truncation bound, in standard deviations.
            upper: Upper truncation bound, in standard deviations.
        """
        self.stddev = stddev
        self.mean = mean
        self.lower = lower
        self.upper = upper

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        if _is_zero(self.mean):
            scaled = init_kernels.scaled_truncated_normal(
                key, self.lower, self.upper, tuple(shape), dtype, self.stddev
            )
            if scaled is not None:
                return scaled
        real_dtype = jnp.finfo(dtype).dtype
        mean = _cast(self.mean, dtype)
        stddev = _cast(self.stddev, real_dtype)
        is_complex = jnp.issubdtype(dtype, jnp.complexfloating)
        draw_shape = (2, *shape) if is_complex else shape
        unit = jax.random.truncated_normal(key, self.lower, self.upper, draw_shape, real_dtype)
        if is_complex:
            unit = unit[0] + 1j * unit[1]
        return stddev * unit + mean

    def __repr__(self) -> str:
        return (
            f"TruncatedNormal(stddev={self.stddev!r}, mean={self.mean!r}, "
            f"lower={self.lower!r}, upper={self.upper!r})"
        )


class RandomUniform(_RandomInitializer):
    """Samples uniformly from ``[minval, maxval)``.

    >>> import jax
    >>> import haiku as hk
    >>> w = hk.initializers.RandomUniform(-1., 1.).sample(jax.random.PRNGKey(0), [4])
    >>> bool(((w >= -1) & (w < 1)).all())
    True
    """

    def __init__(self, minval: float | jax.Array = 0.0, maxval: float | jax.Array = 1.0):
        """Constructs a RandomUniform initializer.

        Args:
            minval: Lower bound (inclusive).
            maxval: Upper bound (exclusive).
        """
        self.minval = minval
        self.maxval = maxval

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        return jax.random.uniform(key, shape, dtype, self.minval, self.maxval)

    def __repr__(self) -> str:
        return f"RandomUniform(minval={self.minval!r}, maxval={self.maxval!r})"


def compute_fans(
    shape: Sequence[int], fan_in_axes: Sequence[int] | None = None
) -> tuple[float, float]:
    """Returns ``(fan_in, fan_out)`` of a weight shape, as used by :class:`VarianceScaling`.

    Rank 0 gives ``(1, 1)``; rank 1 gives ``(n, n)``; rank 2 is ``[in, out]``. Higher ranks
    are conv kernels ``[*spatial, in, out]`` (both fans multiplied by the receptive field),
    unless ``fan_in_axes`` names the input axes explicitly.

    >>> compute_fans([3, 3, 16, 32])
    (144, 288)
    """
    shape = tuple(shape)
    if not shape:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    if fan_in_axes is not None:
        # As in dm-haiku (bit-exact): the fan-out excludes the axes exactly as listed, so a
        # negative axis counts towards the fan-in but is not removed from the fan-out.
        fan_in = math.prod(shape[a] for a in fan_in_axes)
        fan_out = math.prod(d for a, d in enumerate(shape) if a not in fan_in_axes)
        return fan_in, fan_out
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


class VarianceScaling(_RandomInitializer):
    """Scales the variance of the samples to the weight's fan-in, fan-out or their average.

    With ``s = scale / max(1, fan)``: ``truncated_normal`` samples a ±2σ truncated normal
    whose standard deviation is ``sqrt(s)`` (corrected for the truncation), ``normal``
    samples ``N(0, s)`` and ``uniform`` samples ``U(-sqrt(3 s), sqrt(3 s))``. This covers the
    usual schemes: ``VarianceScaling(2.0)`` is He init, ``VarianceScaling(1.0, "fan_avg",
    "uniform")`` is Glorot uniform and ``VarianceScaling(1.0)`` is LeCun normal.

    >>> import jax
    >>> import haiku as hk
    >>> glorot = hk.initializers.VarianceScaling(1.0, "fan_avg", "uniform")
    >>> glorot.sample(jax.random.PRNGKey(0), [3, 4]).shape
    (3, 4)
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        fan_in_axes: Sequence[int] | None = None,
    ):
        """Constructs a VarianceScaling initializer.

        Args:
            scale: Positive multiplier of the variance.
            mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
            distribution: ``"truncated_normal"``, ``"normal"`` or ``"uniform"``.
            fan_in_axes: Optional axes that make up the fan-in of shapes of rank > 2 (the
                other axes are the fan-out); by default ``[*spatial, in, out]`` is assumed.
                Give non-negative axes: for dm-haiku compatibility a negative axis is not
                removed from the fan-out.

        Raises:
            ValueError: If ``scale`` is negative or ``mode``/``distribution`` is unknown.
        """
        if scale < 0.0:
            raise ValueError(f"VarianceScaling: `scale` must be a positive float, got {scale!r}.")
        if mode not in _MODES:
            raise ValueError(
                f"VarianceScaling: invalid `mode` {mode!r}; use one of {', '.join(_MODES)}."
            )
        if distribution not in _DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: invalid `distribution` {distribution!r}; use one of "
                f"{', '.join(_DISTRIBUTIONS)}."
            )
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.fan_in_axes = fan_in_axes

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        fan_in, fan_out = compute_fans(shape, self.fan_in_axes)
        if self.mode == "fan_in":
            fan = fan_in
        elif self.mode == "fan_out":
            fan = fan_out
        else:
            fan = (fan_in + fan_out) / 2.0
        variance = self.scale / max(1.0, fan)
        if self.distribution == "truncated_normal":
            stddev = np.sqrt(variance) / np.asarray(_TRUNCATED_STDDEV, dtype=dtype)
            return TruncatedNormal(stddev=stddev).sample(key, shape, dtype)
        if self.distribution == "normal":
            return RandomNormal(stddev=np.sqrt(variance)).sample(key, shape, dtype)
        limit = np.sqrt(3.0 * variance)
        return RandomUniform(minval=-limit, maxval=limit).sample(key, shape, dtype)

    def __repr__(self) -> str:
        return (
            f"VarianceScaling(scale={self.scale!r}, mode={self.mode!r}, "
            f"distribution={self.distribution!r}, fan_in_axes={self.fan_in_axes!r})"
        )


class UniformScaling(_RandomInitializer):
    """Uniform on ``±scale * sqrt(3 / fan_in)`` with ``fan_in = prod(shape[:-1])``.

    >>> import jax
    >>> import haiku as hk
    >>> w = hk.initializers.UniformScaling().sample(jax.random.PRNGKey(0), [3, 2])
    >>> bool((abs(w) <= 1.0).all())
    True
    """

    def __init__(self, scale: float = 1.0):
        """Constructs a UniformScaling initializer.

        Args:
            scale: Multiplier of the bound.
        """
        self.scale = scale

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        fan_in = math.prod(tuple(shape)[:-1])
        limit = np.sqrt(3.0 / fan_in) * self.scale
        return RandomUniform(minval=-limit, maxval=limit).sample(key, shape, dtype)

    def __repr__(self) -> str:
        return f"UniformScaling(scale={self.scale!r})"


class Orthogonal(_RandomInitializer):
    """Samples a (semi-)orthogonal matrix, scaled by ``scale``.

    The weight is viewed as a matrix whose rows are indexed by ``axis`` and whose columns are
    all the other axes; the rows (or columns, whichever are fewer) are orthonormal. Built from
    the QR decomposition of a normal matrix, with signs fixed so the result is uniformly
    distributed. For 16-bit dtypes the factorisation runs in float32 (dm-haiku raises there).

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> w = hk.initializers.Orthogonal().sample(jax.random.PRNGKey(0), [4, 4])
    >>> bool(jnp.allclose(w @ w.T, jnp.eye(4), atol=1e-5))
    True
    """

    def __init__(self, scale: float = 1.0, axis: int = -1):
        """Constructs an Orthogonal initializer.

        Args:
            scale: Multiplier of the orthogonal matrix.
            axis: The axis whose slices are orthogonal to each other.
        """
        self.scale = scale
        self.axis = axis

    def sample(self, key: jax.Array, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        """Samples with an explicit ``key`` (usable outside a transform)."""
        shape = _check_rank_2(shape, "Orthogonal")
        rows = shape[self.axis]
        cols = math.prod(shape) // rows
        transposed = rows < cols
        matrix = jax.random.normal(key, (cols, rows) if transposed else (rows, cols), dtype)
        if jnp.dtype(dtype).itemsize < 4:
            # LAPACK has no 16-bit QR (dm-haiku fails here); factorise in float32 instead.
            q, r = jnp.linalg.qr(matrix.astype(jnp.float32))
            q = (q * jnp.sign(jnp.diag(r))).astype(dtype)
        else:
            q, r = jnp.linalg.qr(matrix)
            q = q * jnp.sign(jnp.diag(r))
        if transposed:
            q = q.T
        other_dims = tuple(d for a, d in enumerate(shape) if a != self.axis % len(shape))
        q = jnp.moveaxis(jnp.reshape(q, (rows, *other_dims)), 0, self.axis)
        return _cast(self.scale, dtype) * q

    def __repr__(self) -> str:
        return f"Orthogonal(scale={self.scale!r}, axis={self.axis!r})"


class Identity:
    """Initializes with ``gain`` times the identity matrix (broadcast over leading axes).

    Non-square shapes get ones on the main diagonal. Uses no random key.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> hk.initializers.Identity(2.0)([2, 3], jnp.float32)
    Array([[2., 0., 0.],
           [0., 2., 0.]], dtype=float32)
    """

    def __init__(self, gain: float | np.ndarray | jax.Array = 1.0):
        """Constructs an Identity initializer.

        Args:
            gain: Multiplier of the identity matrix.
        """
        self.gain = gain

    def __call__(self, shape: Sequence[int], dtype: Any = jnp.float32) -> jax.Array:
        shape = _check_rank_2(shape, "Identity")
        eye = jnp.eye(shape[-2], shape[-1], dtype=dtype)
        if eye.shape != shape:
            eye = jnp.broadcast_to(eye, shape)
        return _cast(self.gain, dtype) * eye

    def sample(
        self, key: jax.Array | None, shape: Sequence[int], dtype: Any = jnp.float32
    ) -> jax.Array:
        """Same as calling the initializer; ``key`` is ignored.

        >>> import haiku as hk
        >>> hk.initializers.Identity().sample(None, [2, 2]).shape
        (2, 2)
        """
        del key
        return self(shape, dtype)

    def __repr__(self) -> str:
        return f"Identity(gain={self.gain!r})"
