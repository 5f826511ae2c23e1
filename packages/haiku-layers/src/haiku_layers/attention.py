"""Multi-head dot-product attention."""

from __future__ import annotations

import warnings
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk
from haiku_layers._staged import Kernel
from haiku_layers._utils import check_size
from haiku_layers.linear import Linear


class MultiHeadAttention(hk.Module):
    """Multi-head attention (Vaswani et al., 2017).

    ``query``, ``key`` and ``value`` are projected by the Linear layers
    ``query``, ``key`` and ``value`` into ``num_heads`` heads; attention
    weights are ``softmax(q . k / sqrt(key_size))`` over the key axis (masked
    positions get ``-1e30``), and the concatenated heads go through the final
    Linear ``linear`` to ``model_size``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...   mha = hk.MultiHeadAttention(num_heads=2, key_size=4,
    ...                               w_init=hk.initializers.VarianceScaling())
    ...   return mha(x, x, x)
    >>> f = hk.transform(f)
    >>> x = jnp.ones([3, 5])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> list(params)
    ['multi_head_attention/query', 'multi_head_attention/key', 'multi_head_attention/value',
    'multi_head_attention/linear']
    >>> f.apply(params, None, x).shape
    (3, 8)
    """

    def __init__(
        self,
        num_heads: int,
        key_size: int,
        w_init_scale: float | None = None,
        *,
        w_init: hk.initializers.Initializer | None = None,
        with_bias: bool = True,
        b_init: hk.initializers.Initializer | None = None,
        value_size: int | None = None,
        model_size: int | None = None,
        name: str | None = None,
    ):
        """Constructs a MultiHeadAttention module.

        Args:
          num_heads: number of heads.
          key_size: size of each query/key head.
          w_init_scale: deprecated; means ``w_init=VarianceScaling(w_init_scale)``.
          w_init: initializer for all projection weights (required).
          with_bias: whether the projections have biases.
          b_init: initializer for the biases; default zeros.
          value_size: size of each value head; default ``key_size``.
          model_size: output size; default ``key_size * num_heads``.
          name: module name.
        """
        super().__init__(name=name)
        check_size("hk.MultiHeadAttention", "num_heads", num_heads)
        check_size("hk.MultiHeadAttention", "key_size", key_size, "64")
        if value_size is not None:
            check_size("hk.MultiHeadAttention", "value_size", value_size, "64")
        if model_size is not None:
            check_size("hk.MultiHeadAttention", "model_size", model_size, "512")
        self.num_heads = num_heads
        self.key_size = key_size
        self.value_size = value_size or key_size
        self.model_size = model_size or key_size * num_heads
        if w_init_scale is not None:
            warnings.warn(
                "MultiHeadAttention: w_init_scale is deprecated; pass "
                "w_init=hk.initializers.VarianceScaling(scale) instead.",
                DeprecationWarning,
                stacklevel=2,
            )
            if w_init is not None:
                raise ValueError(
                    "MultiHeadAttention: pass w_init only, not both w_init and w_init_scale."
                )
            w_init = hk.initializers.VarianceScaling(w_init_scale)
        if w_init is None:
            raise ValueError(
                "MultiHeadAttention needs a weight initializer: pass e.g. "
                "w_init=hk.initializers.VarianceScaling(1.0)."
            )
        self.w_init = w_init
        self.with_bias = with_bias
        self.b_init = b_init

    def __call__(
        self,
        query: jax.Array,
        key: jax.Array,
        value: jax.Array,
        mask: jax.Array | None = None,
    ) -> jax.Array:
        """Attends from ``query`` to ``key``/``value``.

        Args:
          query: ``[..., T, D_q]``.
          key: ``[..., T', D_k]``.
          value: ``[..., T', D_v]``.
          mask: optional boolean ``[..., H or 1, T, T']``; False entries are
            excluded.

        Returns:
          ``[..., T, model_size]``.
        """
        *lead, seq_len, _ = query.shape
        if key.shape[-2] != value.shape[-2]:
            raise ValueError(
                f"{self.module_name}: key and value must have the same sequence "
                f"length, got key {key.shape} and value {value.shape}."
            )
        q = self._linear_projection(query, self.key_size, "query")
        k = self._linear_projection(key, self.key_size, "key")
        v = self._linear_projection(value, self.value_size, "value")
        try:
            logits = _scaled_logits(q, k, self.key_size, key.dtype)
        except (TypeError, ValueError) as e:
            raise self._batch_error(query, key, value) from e
        if mask is not None:
            if mask.ndim != logits.ndim:
                raise ValueError(
                    f"{self.module_name}: mask has rank {mask.ndim} but the attention "
                    f"logits [..., heads, T, T'] have rank {logits.ndim} (shape "
                    f"{logits.shape}); add size-1 axes to the mask."
                )
            try:
                weights = _masked_softmax(logits, mask)
            except (TypeError, ValueError) as e:
                raise ValueError(
                    f"{self.module_name}: mask of shape {mask.shape} does not broadcast to the "
                    f"attention logits of shape {logits.shape} ([..., heads, T, T'] for query "
                    f"{query.shape} and key {key.shape}). Give the mask shape [..., 1 or "
                    f"{self.num_heads}, {logits.shape[-2]}, {logits.shape[-1]}]."
                ) from e
        else:
            weights = _softmax(logits)
        try:
            attn = _weighted_values(weights, v, (*lead, seq_len))
        except (TypeError, ValueError) as e:
            raise self._batch_error(query, key, value) from e
        final = Linear(
            self.model_size, w_init=self.w_init, with_bias=self.with_bias, b_init=self.b_init
        )
        return final(attn)

    def _batch_error(self, query: jax.Array, key: jax.Array, value: jax.Array) -> ValueError:
        """The error for query/key/value whose leading (batch) axes disagree."""
        return ValueError(
            f"{self.module_name}: query {query.shape}, key {key.shape} and value "
            f"{value.shape} must share their leading (batch) axes [..., T, D]; only T and D "
            "may differ (and key and value must have the same T). Broadcast or reshape the "
            "inputs to one batch shape."
        )

    @hk.transparent
    def _linear_projection(self, x: jax.Array, head_size: int, name: str) -> jax.Array:
        y = Linear(
            self.num_heads * head_size,
            w_init=self.w_init,
            with_bias=self.with_bias,
            b_init=self.b_init,
            name=name,
        )(x)
        *lead, _ = x.shape
        return y.reshape((*lead, self.num_heads, head_size))


def _scaled_logits_fn(q: jax.Array, k: jax.Array, key_size: int, key_dtype: Any) -> jax.Array:
    logits = jnp.einsum("...thd,...Thd->...htT", q, k)
    return logits / np.sqrt(key_size).astype(key_dtype)  # the input key's dtype, as dm-haiku


def _masked_softmax_fn(logits: jax.Array, mask: jax.Array) -> jax.Array:
    return jax.nn.softmax(jnp.where(mask, logits, -1e30))


def _weighted_values_fn(
    weights: jax.Array, v: jax.Array, leading_shape: tuple[int, ...]
) -> jax.Array:
    """``[..., H, T, T'] x [..., T', H, D] -> [*leading_shape, H * D]``."""
    attn = jnp.einsum("...htT,...Thd->...thd", weights, v)
    return jnp.reshape(attn, (*leading_shape, -1))


# Staged while tracing (haiku_layers._staged): einsum's contraction planning and softmax's
# custom_jvp are traced once per shape instead of on every call.
_scaled_logits = Kernel(_scaled_logits_fn, static_argnums=(2, 3))
_masked_softmax = Kernel(_masked_softmax_fn)
_softmax = Kernel(jax.nn.softmax)
_weighted_values = Kernel(_weighted_values_fn, static_argnums=2)
