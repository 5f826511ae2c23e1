"""A gated residual MLP block, ``x + gate * W2 act(W1 x)`` (ReZero-style gate)."""

from __future__ import annotations

from collections.abc import Callable

import jax

import haiku as hk


class ResidualBlock(hk.Module):
    """Residual MLP block whose branch is scaled by a learned scalar ``gate``.

    The output is ``x + gate * project(activation(expand(x)))``: ``expand`` maps the last
    axis to ``hidden_size`` and ``project`` maps it back to the input width. With the
    default ``gate_init=0`` the block starts as the identity, which keeps deep stacks of
    blocks trainable without normalisation (the "ReZero" initialisation).

    Parameters: ``expand/{w,b}`` and ``project/{w,b}`` (two ``hk.Linear``) and ``gate``
    (a scalar in the block's own scope).

    >>> import jax, jax.numpy as jnp
    >>> import haiku as hk
    >>> f = hk.transform(lambda x: hk.ResidualBlock(hidden_size=8)(x))
    >>> x = jnp.ones([2, 3])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> for name, p in params.items():
    ...     print(name, {k: v.shape for k, v in p.items()})
    residual_block/expand {'w': (3, 8), 'b': (8,)}
    residual_block/project {'w': (8, 3), 'b': (3,)}
    residual_block {'gate': ()}
    >>> bool((f.apply(params, None, x) == x).all())  # identity at initialisation
    True
    """

    def __init__(
        self,
        hidden_size: int,
        activation: Callable[[jax.Array], jax.Array] = jax.nn.gelu,
        gate_init: float = 0.0,
        name: str | None = None,
    ):
        """Constructs the block.

        Args:
          hidden_size: width of the hidden layer (positive).
          activation: applied between the two linear layers.
          gate_init: initial value of the residual gate.
          name: module name (default ``residual_block``).
        """
        super().__init__(name=name)
        if hidden_size < 1:
            raise ValueError(
                f"ResidualBlock: hidden_size must be a positive int, got {hidden_size!r}."
            )
        self.hidden_size = hidden_size
        self.activation = activation
        self.gate_init = gate_init

    def __call__(self, x: jax.Array) -> jax.Array:
        """Applies the block to ``x`` of shape ``[..., width]``; returns the same shape."""
        if x.ndim < 1:
            raise ValueError(f"ResidualBlock: input must have a feature axis, got shape {x.shape}.")
        h = hk.Linear(self.hidden_size, name="expand")(x)
        h = hk.Linear(x.shape[-1], name="project")(self.activation(h))
        gate = hk.get_parameter("gate", [], x.dtype, init=hk.initializers.Constant(self.gate_init))
        return x + gate * h
