"""Decoder-only (causal) pre-LayerNorm Transformer."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_nets import stacking
from haiku_nets.mlp import MLP


def _layer_norm(name: str) -> hk.LayerNorm:
    return hk.LayerNorm(axis=-1, create_scale=True, create_offset=True, name=name)


def _dropout(x: jax.Array, rate: float, is_training: bool) -> jax.Array:
    if is_training and rate:
        return hk.dropout(hk.next_rng_key(), rate, x)
    return x


def causal_mask(embeddings: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """Boolean attention mask that lets position t attend only to positions <= t.

    The mask has the rank of the attention logits ``[..., heads, T, T]``: leading
    axes are 1 (or the batch axes of ``mask``) and the heads axis is 1.

    Args:
        embeddings: the sequence ``[..., T, D]`` (only its shape is used).
        mask: optional padding mask of shape ``[..., T]`` (nonzero/True = real token);
            padded positions are then hidden as keys too.

    >>> import jax.numpy as jnp
    >>> causal_mask(jnp.zeros([3, 4])).astype(int)
    Array([[[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]]], dtype=int32)
    >>> causal_mask(jnp.zeros([2, 3, 4]), mask=jnp.array([[1, 1, 0], [1, 1, 1]])).shape
    (2, 1, 3, 3)
    """
    seq_len = embeddings.shape[-2]
    allowed = jnp.tril(jnp.ones((seq_len, seq_len), dtype=bool))
    # MultiHeadAttention wants a mask with the rank of its logits [..., H, T, T].
    allowed = jnp.reshape(allowed, (1,) * (embeddings.ndim - 1) + (seq_len, seq_len))
    if mask is None:
        return allowed
    if mask.shape != embeddings.shape[:-1]:
        raise ValueError(
            f"Transformer: mask must have the shape of the embeddings without the feature "
            f"axis, {tuple(embeddings.shape[:-1])}, got {tuple(mask.shape)}."
        )
    return jnp.logical_and(allowed, mask.astype(bool)[..., None, None, :])


class TransformerBlock(hk.Module):
    """One pre-LayerNorm block: ``x + attn(ln(x))`` then ``x + mlp(ln(x))``.

    Submodules (built in ``__call__``): ``attention_norm`` (:class:`hk.LayerNorm`),
    ``attention`` (:class:`hk.MultiHeadAttention` projecting back to the input width),
    ``mlp_norm`` and ``mlp`` (:class:`hk.nets.MLP` with sizes
    ``[widening_factor * D, D]`` and gelu). With ``is_training`` and a nonzero
    ``dropout_rate``, dropout is applied to both branch outputs before the residual
    sum, using ``hk.next_rng_key()``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda x: hk.nets.TransformerBlock(2, 4)(x, is_training=False))
    >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([1, 3, 8]))
    >>> [name.split("/", 1)[1] for name in params]
    ['attention_norm', 'attention/query', 'attention/key', 'attention/value', \
'attention/linear', 'mlp_norm', 'mlp/~/linear_0', 'mlp/~/linear_1']
    """

    def __init__(
        self,
        num_heads: int,
        key_size: int,
        widening_factor: int = 4,
        dropout_rate: float = 0.0,
        w_init: hk.initializers.Initializer | None = None,
        name: str | None = None,
    ):
        """Configures the block.

        Args:
            num_heads: attention heads.
            key_size: size of each head's keys/queries/values.
            widening_factor: hidden size of the MLP as a multiple of the input width.
            dropout_rate: residual dropout rate used when ``is_training``.
            w_init: initializer for every attention and MLP weight (default
                ``VarianceScaling(1.0)``).
            name: module name.
        """
        super().__init__(name=name)
        self.num_heads = num_heads
        self.key_size = key_size
        self.widening_factor = widening_factor
        self.dropout_rate = dropout_rate
        self.w_init = w_init if w_init is not None else hk.initializers.VarianceScaling(1.0)

    def __call__(
        self, x: jax.Array, *, mask: jax.Array | None = None, is_training: bool = True
    ) -> jax.Array:
        """Applies the block to ``x`` of shape ``[..., T, D]``.

        Args:
            x: the residual stream.
            mask: boolean attention mask broadcastable to ``[..., num_heads, T, T]``
                (True = may attend), e.g. from :func:`causal_mask`; ``None`` attends to
                every position.
            is_training: enables dropout.
        """
        width = x.shape[-1]
        h = _layer_norm("attention_norm")(x)
        h = hk.MultiHeadAttention(
            self.num_heads, self.key_size, w_init=self.w_init, model_size=width, name="attention"
        )(h, h, h, mask=mask)
        x = x + _dropout(h, self.dropout_rate, is_training)
        h = _layer_norm("mlp_norm")(x)
        h = MLP(
            [self.widening_factor * width, width],
            w_init=self.w_init,
            activation=jax.nn.gelu,
            name="mlp",
        )(h)
        return x + _dropout(h, self.dropout_rate, is_training)


class Transformer(hk.Module):
    """A causal (decoder-only) stack of pre-LayerNorm :class:`TransformerBlock` s.

    Conventions:

    * Input: ``embeddings`` of shape ``[..., T, D]`` (already embedded, with any
      positional information added); ``D`` is the model size and is kept throughout.
      Output: same shape, after a ``final_norm`` :class:`hk.LayerNorm`.
    * Attention is causal: position ``t`` only sees positions ``<= t``. An optional
      padding ``mask`` ``[..., T]`` (True = real token) also hides padded keys.
    * Parameters: unrolled (default), block ``i`` lives under ``<name>/block_<i>/...``.
      With ``use_layer_stack=True`` the blocks are one ``hk.layer_stack`` (faster
      compile for deep models) and live under ``<name>/layers/block/...`` with a
      leading axis of size ``num_layers``; :meth:`stack_params` and
      :meth:`unstack_params` convert checkpoints between the layouts.
    * Initialisation: ``w_init`` defaults to ``VarianceScaling(2 / num_layers)`` for all
      attention and MLP weights; biases start at zero, norms at scale 1, offset 0.
    * Dropout (``dropout_rate``, only when ``is_training``) is applied to each
      residual branch and needs an RNG key in ``apply``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def f(x):
    ...     net = hk.nets.Transformer(num_heads=2, num_layers=3, key_size=8)
    ...     return net(x, is_training=False)
    >>> f = hk.transform(f)
    >>> x = jnp.ones([2, 5, 16])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> f.apply(params, None, x).shape
    (2, 5, 16)
    >>> sorted({name.split("/")[1] for name in params})
    ['block_0', 'block_1', 'block_2', 'final_norm']
    """

    def __init__(
        self,
        num_heads: int,
        num_layers: int,
        key_size: int,
        model_size: int | None = None,
        widening_factor: int = 4,
        dropout_rate: float = 0.0,
        w_init: hk.initializers.Initializer | None = None,
        use_layer_stack: bool = False,
        name: str | None = None,
    ):
        """Configures the network.

        Args:
            num_heads: attention heads per block.
            num_layers: number of blocks.
            key_size: size of each head's keys/queries/values.
            model_size: expected last-axis size of the embeddings (checked when given;
                by default taken from the embeddings).
            widening_factor: MLP hidden size as a multiple of the model size.
            dropout_rate: residual dropout rate, in ``[0, 1)``.
            w_init: initializer for the attention and MLP weights.
            use_layer_stack: run the blocks with ``hk.layer_stack`` (stacked params).
            name: module name (default ``transformer``).
        """
        if num_layers < 1:
            raise ValueError(f"Transformer: num_layers must be >= 1, got {num_layers}.")
        if not 0.0 <= dropout_rate < 1.0:
            raise ValueError(f"Transformer: dropout_rate must be in [0, 1), got {dropout_rate}.")
        super().__init__(name=name)
        self.num_heads = num_heads
        self.num_layers = num_layers
        self.key_size = key_size
        self.model_size = model_size
        self.widening_factor = widening_factor
        self.dropout_rate = dropout_rate
        self.w_init = (
            w_init if w_init is not None else hk.initializers.VarianceScaling(2.0 / num_layers)
        )
        self.use_layer_stack = use_layer_stack

    @staticmethod
    def param_axes() -> Mapping[str, tuple[str | None, ...]]:
        """Megatron-style logical axes of the parameters, for ``hk.sharding.logical_axes``.

        A read-only mapping of path patterns to one logical axis name per dimension. It
        covers this network's parameters, :class:`hk.MultiHeadAttention` (the ``query``,
        ``key``, ``value`` projections and the output ``linear``), a two-layer
        ``hk.nets.MLP`` named ``mlp``, ``hk.Embed`` named ``embed`` and the ``*norm``
        LayerNorms. Logical names: ``embed`` (model width), ``heads`` (attention heads x
        key size), ``mlp`` (hidden width), ``vocab``. Map ``heads``, ``mlp`` and
        ``vocab`` to the model-parallel mesh axis for tensor parallelism: the first
        projection of each pair is then column-sharded and the second row-sharded.

        >>> import haiku as hk
        >>> hk.nets.Transformer.param_axes()["mlp/~/linear_0/w"]
        ('embed', 'mlp')
        """
        return _PARAM_AXES

    @staticmethod
    def stack_params(params: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Converts unrolled params to the ``use_layer_stack=True`` layout.

        ``<name>/block_<i>/<m>`` becomes ``<name>/layers/block/<m>`` with block ``i`` at
        index ``i`` of a new leading axis; other entries (``final_norm``, embeddings,
        heads) are kept. The Transformer may sit anywhere in the model.

        Raises:
            ValueError: if the params hold no Transformer, are already stacked, have a
                gap in the block numbers, or the blocks differ in modules, shapes or dtypes.

        >>> import haiku as hk, jax, jax.numpy as jnp
        >>> def net(x, use_layer_stack):
        ...     return hk.nets.Transformer(2, 3, key_size=4,
        ...                                use_layer_stack=use_layer_stack)(x)
        >>> unrolled = hk.transform(lambda x: net(x, False))
        >>> scanned = hk.transform(lambda x: net(x, True))
        >>> x = jnp.ones([1, 5, 8])
        >>> params = unrolled.init(jax.random.PRNGKey(0), x)
        >>> stacked = hk.nets.Transformer.stack_params(params)
        >>> stacked["transformer/layers/block/mlp/~/linear_0"]["w"].shape
        (3, 8, 32)
        >>> bool(jnp.allclose(scanned.apply(stacked, None, x),
        ...                   unrolled.apply(params, None, x), atol=1e-5))
        True
        """
        return stacking.stack(params, stacking.TRANSFORMER)

    @staticmethod
    def unstack_params(params: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
        """Converts ``use_layer_stack=True`` params back to the unrolled layout.

        The inverse of :meth:`stack_params` (exact: slices of the stacked arrays).

        Raises:
            ValueError: if the params hold no Transformer, are already unrolled, or the
                stacked arrays disagree on the number of layers.

        >>> import haiku as hk, jax.numpy as jnp
        >>> stacked = {"transformer/layers/block/mlp_norm": {"scale": jnp.ones([2, 8])}}
        >>> list(hk.nets.Transformer.unstack_params(stacked))
        ['transformer/block_0/mlp_norm', 'transformer/block_1/mlp_norm']
        """
        return stacking.unstack(params, stacking.TRANSFORMER)

    def __call__(
        self, embeddings: jax.Array, *, mask: jax.Array | None = None, is_training: bool = True
    ) -> jax.Array:
        """Runs the blocks over ``embeddings`` ``[..., T, D]``; returns ``[..., T, D]``.

        Args:
            embeddings: input sequence.
            mask: optional padding mask ``[..., T]`` (True = real token).
            is_training: enables dropout.
        """
        if embeddings.ndim < 2:
            raise ValueError(
                f"{self.module_name}: embeddings must have shape [..., T, D], got "
                f"{tuple(embeddings.shape)}."
            )
        if self.model_size is not None and embeddings.shape[-1] != self.model_size:
            raise ValueError(
                f"{self.module_name}: model_size={self.model_size} but the embeddings have "
                f"{embeddings.shape[-1]} features (shape {tuple(embeddings.shape)}). "
                "Embed to model_size first or leave model_size=None."
            )
        attn_mask = causal_mask(embeddings, mask)
        h = embeddings
        if self.use_layer_stack:

            def one_block(x: jax.Array) -> jax.Array:
                return _make_block(self, "block")(x, mask=attn_mask, is_training=is_training)

            h = hk.layer_stack(self.num_layers, name="layers")(one_block)(h)
        else:
            for i in range(self.num_layers):
                h = _make_block(self, f"block_{i}")(h, mask=attn_mask, is_training=is_training)
        return _layer_norm("final_norm")(h)


def _make_block(net: Transformer, name: str) -> TransformerBlock:
    # A plain function, not a method: modules built inside a module method other than
    # __call__ would get a "~<method>" name component.
    return TransformerBlock(
        net.num_heads,
        net.key_size,
        widening_factor=net.widening_factor,
        dropout_rate=net.dropout_rate,
        w_init=net.w_init,
        name=name,
    )


_PARAM_AXES = types.MappingProxyType(
    {
        "{query,key,value}/w": ("embed", "heads"),
        "{query,key,value}/b": ("heads",),
        "{attention,multi_head_attention}/linear/w": ("heads", "embed"),
        "{attention,multi_head_attention}/linear/b": ("embed",),
        "mlp/~/linear_0/w": ("embed", "mlp"),
        "mlp/~/linear_0/b": ("mlp",),
        "mlp/~/linear_1/w": ("mlp", "embed"),
        "mlp/~/linear_1/b": ("embed",),
        "embed/embeddings": ("vocab", "embed"),
        "*norm/{scale,offset}": ("embed",),
    }
)
