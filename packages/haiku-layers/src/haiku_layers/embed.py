"""Embedding lookup."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import cast

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk
from haiku_layers._errors import AttributeValueError, IndexValueError
from haiku_layers._utils import check_size


class EmbedLookupStyle(enum.Enum):
    """How :class:`Embed` looks ids up.

    ``ARRAY_INDEX`` gathers rows (fast on CPU/GPU); ``ONE_HOT`` multiplies a
    one-hot encoding with the table (often faster on TPU).

    >>> import haiku as hk
    >>> hk.EmbedLookupStyle["ONE_HOT"].value
    2
    """

    ARRAY_INDEX = 1
    ONE_HOT = 2


class Embed(hk.Module):
    """Maps integer ids to learned vectors.

    The parameter ``embeddings`` has shape ``[vocab_size, embed_dim]`` and is
    float32 (whatever the id dtype); by default it is drawn from a truncated
    normal with ``stddev = 1``.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> f = hk.transform(lambda ids: hk.Embed(vocab_size=10, embed_dim=4)(ids))
    >>> ids = jnp.array([[1, 2, 3]])
    >>> params = f.init(jax.random.PRNGKey(0), ids)
    >>> params["embed"]["embeddings"].shape, f.apply(params, None, ids).shape
    ((10, 4), (1, 3, 4))
    """

    def __init__(
        self,
        vocab_size: int | None = None,
        embed_dim: int | None = None,
        embedding_matrix: np.ndarray | jax.Array | None = None,
        w_init: hk.initializers.Initializer | None = None,
        lookup_style: str | EmbedLookupStyle = "ARRAY_INDEX",
        name: str | None = None,
        precision: jax.lax.Precision = jax.lax.Precision.HIGHEST,
    ):
        """Constructs an Embed module.

        Args:
          vocab_size: number of ids; needed unless ``embedding_matrix`` is given.
          embed_dim: size of each vector; needed unless ``embedding_matrix`` is
            given.
          embedding_matrix: optional ``[vocab_size, embed_dim]`` initial table.
          w_init: initializer for ``embeddings`` (ignored with
            ``embedding_matrix``); default ``TruncatedNormal(stddev=1.)``.
          lookup_style: an :class:`EmbedLookupStyle` or its name.
          name: module name.
          precision: matmul precision of the ``ONE_HOT`` lookup.
        """
        super().__init__(name=name)
        if embedding_matrix is None and not (vocab_size and embed_dim):
            raise ValueError(
                "hk.Embed needs either embedding_matrix, or both vocab_size and "
                f"embed_dim (got vocab_size={vocab_size}, embed_dim={embed_dim})."
            )
        if embedding_matrix is not None:
            embedding_matrix = jnp.asarray(embedding_matrix)
            if embedding_matrix.ndim != 2:
                raise IndexValueError(
                    "hk.Embed: embedding_matrix must have shape [vocab_size, "
                    f"embed_dim], got {embedding_matrix.shape}."
                )
            rows, cols = embedding_matrix.shape
            if vocab_size and vocab_size != rows:
                raise ValueError(
                    f"hk.Embed: vocab_size={vocab_size} does not match "
                    f"embedding_matrix of shape {embedding_matrix.shape}."
                )
            if embed_dim and embed_dim != cols:
                raise ValueError(
                    f"hk.Embed: embed_dim={embed_dim} does not match "
                    f"embedding_matrix of shape {embedding_matrix.shape}."
                )
            vocab_size, embed_dim = rows, cols

            def w_init(shape, dtype):
                return embedding_matrix
        else:
            check_size("hk.Embed", "vocab_size", vocab_size, "1000")
            check_size("hk.Embed", "embed_dim", embed_dim, "64")
        # Both are positive ints here: taken from the matrix or checked above.
        self.vocab_size = cast(int, vocab_size)
        self.embed_dim = cast(int, embed_dim)
        self.lookup_style = lookup_style
        self.w_init = w_init or hk.initializers.TruncatedNormal()
        self.precision = precision

    @property
    def embeddings(self) -> jax.Array:
        """The ``[vocab_size, embed_dim]`` table (created on first use)."""
        return hk.get_parameter("embeddings", [self.vocab_size, self.embed_dim], init=self.w_init)

    def __call__(
        self,
        ids: jax.Array | Sequence[int],
        lookup_style: str | EmbedLookupStyle | None = None,
        precision: jax.lax.Precision | None = None,
    ) -> jax.Array:
        """Returns the vectors for ``ids``, shape ``ids.shape + (embed_dim,)``.

        Args:
          ids: integer ids in ``[0, vocab_size)``.
          lookup_style: overrides the constructor's lookup style.
          precision: overrides the constructor's precision.
        """
        ids = jnp.asarray(ids)
        if not jnp.issubdtype(ids.dtype, jnp.integer):
            raise ValueError(
                f"{self.module_name}: ids must have an integer dtype, got "
                f"{ids.dtype}. Cast them, e.g. ids.astype(jnp.int32)."
            )
        style = lookup_style or self.lookup_style
        if isinstance(style, str):
            try:
                style = EmbedLookupStyle[style.upper()]
            except KeyError:
                raise AttributeValueError(
                    f"{self.module_name}: unknown lookup_style {style!r}; use one of "
                    f"{[s.name for s in EmbedLookupStyle]}."
                ) from None
        if style is EmbedLookupStyle.ARRAY_INDEX:
            # jnp.asarray: params may be numpy arrays closed over in a jit (ids traced).
            return jnp.asarray(self.embeddings)[(ids,)]
        if style is EmbedLookupStyle.ONE_HOT:
            one_hot = jax.nn.one_hot(ids, self.vocab_size)
            return jnp.dot(one_hot, self.embeddings, precision=precision or self.precision)
        raise ValueError(
            f"{self.module_name}: lookup_style must be an EmbedLookupStyle or "
            f"its name, got {style!r}."
        )
