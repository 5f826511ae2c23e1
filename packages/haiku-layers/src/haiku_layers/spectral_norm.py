"""Spectral normalisation by power iteration."""

from __future__ import annotations

import re
from collections.abc import Mapping

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers._params_tree import map_leaves


def _l2_normalize(x: jax.Array, eps: float) -> jax.Array:
    return x * jax.lax.rsqrt(jnp.sum(x * x, keepdims=True) + eps)


def _checked_n_steps(layer: str, n_steps: int) -> int:
    if not isinstance(n_steps, int) or n_steps < 1:
        raise ValueError(f"{layer}: `n_steps` must be an int >= 1, got {n_steps!r}.")
    return n_steps


class SpectralNorm(hk.Module):
    """Divides a matrix by an estimate of its largest singular value.

    The estimate comes from ``n_steps`` power iterations per call, starting
    from the vector ``u0`` kept in state (``u0 [1, last_dim]``, initialised
    from a standard normal, and ``sigma``, the last estimate). Inputs of rank
    > 2 are treated as the matrix ``reshape(-1, shape[-1])``. No gradient flows
    through the power-iteration vectors.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform_with_state(lambda w: hk.SpectralNorm()(w))
    >>> w = jnp.eye(3) * 2.0
    >>> params, state = f.init(jax.random.PRNGKey(0), w)
    >>> {m: {n: v.shape for n, v in b.items()} for m, b in state.items()}
    {'spectral_norm': {'u0': (1, 3), 'sigma': ()}}
    """

    def __init__(self, eps: float = 1e-4, n_steps: int = 1, name: str | None = None):
        """Creates the module.

        Args:
          eps: added inside the square root when normalising vectors.
          n_steps: power iterations per call (at least 1).
          name: module name.
        """
        super().__init__(name=name)
        self.eps = eps
        self.n_steps = _checked_n_steps("SpectralNorm", n_steps)

    def __call__(
        self, value: jax.Array, update_stats: bool = True, error_on_non_matrix: bool = False
    ) -> jax.Array:
        """Returns ``value`` divided by its estimated spectral norm.

        Args:
          value: an array of rank >= 2.
          update_stats: store the new ``u0`` and ``sigma`` in state.
          error_on_non_matrix: raise for inputs of rank > 2 instead of
            flattening the leading axes.

        Returns:
          The normalised array, with the shape of ``value``.
        """
        value = jnp.asarray(value)
        shape = value.shape
        if value.ndim <= 1:
            raise ValueError(
                "SpectralNorm: Spectral normalization is not well defined for scalar "
                f"or vector inputs (got shape {shape}). Pass a matrix, or exclude "
                "biases with `SNParamsTree(ignore_regex='.*b$')`."
            )
        if error_on_non_matrix and value.ndim > 2:
            raise ValueError(
                f"SpectralNorm: Input is {value.ndim}D but error_on_non_matrix is "
                "True. Pass a 2D matrix or set error_on_non_matrix=False to flatten "
                "the leading axes."
            )
        w = value.reshape(-1, shape[-1])
        u0 = hk.get_state("u0", (1, shape[-1]), value.dtype, init=hk.initializers.RandomNormal())
        w_t = w.T
        for _ in range(self.n_steps):
            v0 = _l2_normalize(jnp.matmul(u0, w_t), self.eps)
            u0 = _l2_normalize(jnp.matmul(v0, w), self.eps)
        u0 = jax.lax.stop_gradient(u0)
        v0 = jax.lax.stop_gradient(v0)
        sigma = jnp.matmul(jnp.matmul(v0, w), u0.T)[0, 0]
        if update_stats:
            hk.set_state("u0", u0)
            hk.set_state("sigma", sigma)
        return (w / sigma).reshape(shape)

    @property
    def u0(self) -> jax.Array:
        """The stored power-iteration vector (exists after the first call)."""
        return hk.get_state("u0")

    @property
    def sigma(self) -> jax.Array:
        """The stored spectral-norm estimate (1.0 before the first call)."""
        return hk.get_state("sigma", (), jnp.float32, init=jnp.ones)


class SNParamsTree(hk.Module):
    """Applies a :class:`SpectralNorm` to every leaf of a params tree.

    Each leaf gets its own ``SpectralNorm`` named after the leaf's path with
    ``/`` replaced by ``__`` and ``~`` by ``_tilde``. Leaves whose
    ``"module_name/param_name"`` matches ``ignore_regex`` are returned as is;
    vectors (such as biases) must be ignored, or they raise.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> params = {"mlp/~/linear_0": {"w": jnp.ones((2, 3)), "b": jnp.ones(3)}}
    >>> f = hk.transform_with_state(
    ...     lambda p: hk.SNParamsTree(ignore_regex=".*b$")(p))
    >>> _, state = f.init(jax.random.PRNGKey(0), params)
    >>> list(state)
    ['sn_params_tree/mlp___tilde__linear_0__w']
    """

    def __init__(
        self, eps: float = 1e-4, n_steps: int = 1, ignore_regex: str = "", name: str | None = None
    ):
        """Creates the module.

        Args:
          eps: as in :class:`SpectralNorm`.
          n_steps: as in :class:`SpectralNorm`.
          ignore_regex: leaves whose ``module/param`` path matches (``re.match``)
            are returned unchanged.
          name: module name.
        """
        super().__init__(name=name)
        self.eps = eps
        self.n_steps = _checked_n_steps("SNParamsTree", n_steps)
        self._ignore = re.compile(ignore_regex) if ignore_regex else None

    def __call__(
        self, tree: Mapping[str, Mapping[str, jax.Array]], update_stats: bool = True
    ) -> dict[str, dict[str, jax.Array]]:
        """Returns ``tree`` with every non-ignored leaf spectrally normalised."""

        def normalise(path: str, value: jax.Array) -> jax.Array:
            sn_name = path.replace("/", "__").replace("~", "_tilde")
            return SpectralNorm(self.eps, self.n_steps, name=sn_name)(
                value, update_stats=update_stats
            )

        return map_leaves(tree, "SNParamsTree", self._ignore, normalise)
