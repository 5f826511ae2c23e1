"""Vector quantisation layers of VQ-VAE (van den Oord et al. 2017)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_nets._checks import TypeValueError


def _embeddings_init() -> hk.initializers.Initializer:
    return hk.initializers.VarianceScaling(distribution="uniform")


def _nearest(flat_inputs: jax.Array, embeddings: jax.Array, num_embeddings: int):
    """Squared distances ``[N, K]``, nearest indices ``[N]`` and one-hot encodings."""
    distances = (
        jnp.sum(jnp.square(flat_inputs), axis=1, keepdims=True)
        - 2 * jnp.matmul(flat_inputs, embeddings)
        + jnp.sum(jnp.square(embeddings), axis=0, keepdims=True)
    )
    indices = jnp.argmax(-distances, axis=1)
    encodings = jax.nn.one_hot(indices, num_embeddings, dtype=distances.dtype)
    return distances, indices, encodings


def _perplexity(encodings: jax.Array, cross_replica_axis: str | None) -> jax.Array:
    avg_probs = jnp.mean(encodings, axis=0)
    if cross_replica_axis is not None:
        avg_probs = jax.lax.pmean(avg_probs, axis_name=cross_replica_axis)
    return jnp.exp(-jnp.sum(avg_probs * jnp.log(avg_probs + 1e-10)))


def _lookup(embeddings: jax.Array, encoding_indices: jax.Array) -> jax.Array:
    return jnp.swapaxes(embeddings, 0, 1)[encoding_indices]


class VectorQuantizer(hk.Module):
    """Maps each input vector to its nearest codebook vector (VQ-VAE).

    The codebook is the parameter ``embeddings`` of shape
    ``[embedding_dim, num_embeddings]`` (uniform variance-scaling init, ``dtype``).
    The last input axis must be ``embedding_dim``. Gradients pass straight through
    the quantisation to the inputs; the loss is
    ``mean((q - sg(x))²) + commitment_cost * mean((sg(q) - x)²)``.

    Calling it returns a dict: ``quantize`` (inputs' shape), ``loss`` and
    ``perplexity`` (scalars), ``encodings`` (one-hot ``[N, num_embeddings]``),
    ``encoding_indices`` (inputs' shape without the last axis) and ``distances``
    (``[N, num_embeddings]``), where ``N`` is the number of input vectors.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> vq = lambda x: hk.nets.VectorQuantizer(4, 16, commitment_cost=0.25)(x, is_training=True)
    >>> f = hk.transform(vq)
    >>> x = jnp.ones([2, 5, 4])
    >>> params = f.init(jax.random.PRNGKey(0), x)
    >>> out = f.apply(params, None, x)
    >>> {k: v.shape for k, v in sorted(out.items())}
    {'distances': (10, 16), 'encoding_indices': (2, 5), 'encodings': (10, 16), \
'loss': (), 'perplexity': (), 'quantize': (2, 5, 4)}
    """

    def __init__(
        self,
        embedding_dim: int,
        num_embeddings: int,
        commitment_cost: float,
        dtype: Any = jnp.float32,
        name: str | None = None,
        cross_replica_axis: str | None = None,
    ):
        """Configures the quantizer.

        Args:
            embedding_dim: size of each codebook vector (last axis of the inputs).
            num_embeddings: number of codebook vectors.
            commitment_cost: weight of the commitment (encoder) term of the loss.
            dtype: dtype of the codebook.
            name: module name (default ``vector_quantizer``).
            cross_replica_axis: if set, the perplexity averages code usage over this
                named axis (e.g. of ``jax.pmap``).
        """
        super().__init__(name=name)
        self.embedding_dim = embedding_dim
        self.num_embeddings = num_embeddings
        self.commitment_cost = commitment_cost
        self.cross_replica_axis = cross_replica_axis
        self._embedding_shape = [embedding_dim, num_embeddings]
        self._embedding_dtype = dtype

    @property
    def embeddings(self) -> jax.Array:
        """The codebook ``[embedding_dim, num_embeddings]`` (created on first use)."""
        return hk.get_parameter(
            "embeddings", self._embedding_shape, self._embedding_dtype, init=_embeddings_init()
        )

    def quantize(self, encoding_indices: jax.Array) -> jax.Array:
        """Returns the codebook vectors for integer ``encoding_indices`` (shape ``[..., D]``)."""
        return _lookup(self.embeddings, encoding_indices)

    def __call__(self, inputs: jax.Array, is_training: bool) -> dict[str, jax.Array]:
        """Quantizes ``inputs`` of shape ``[..., embedding_dim]``.

        Args:
            inputs: the vectors to quantize.
            is_training: accepted for symmetry with :class:`VectorQuantizerEMA`; the
                result does not depend on it.
        """
        _, distances, encodings, encoding_indices, quantized = _assign(self, inputs)
        e_latent_loss = jnp.mean(jnp.square(jax.lax.stop_gradient(quantized) - inputs))
        q_latent_loss = jnp.mean(jnp.square(quantized - jax.lax.stop_gradient(inputs)))
        loss = q_latent_loss + self.commitment_cost * e_latent_loss
        return _outputs(self, inputs, quantized, loss, encodings, encoding_indices, distances)


class VectorQuantizerEMA(hk.Module):
    """VQ-VAE quantizer whose codebook follows exponential moving averages.

    The codebook is *state*, not a parameter: ``embeddings`` ``[embedding_dim,
    num_embeddings]``, plus two :class:`hk.ExponentialMovingAverage` submodules,
    ``~/ema_cluster_size`` (code usage counts ``[num_embeddings]``) and ``~/ema_dw``
    (sums of assigned inputs ``[embedding_dim, num_embeddings]``). In training each
    call updates both averages and sets the codebook to their Laplace-smoothed
    ratio. The loss is the commitment term only; outputs as for
    :class:`VectorQuantizer`.

    >>> import haiku as hk, jax, jax.numpy as jnp
    >>> def vq(x, is_training):
    ...     return hk.nets.VectorQuantizerEMA(4, 16, commitment_cost=0.25,
    ...                                       decay=0.99)(x, is_training)
    >>> f = hk.transform_with_state(vq)
    >>> x = jnp.ones([2, 5, 4])
    >>> params, state = f.init(jax.random.PRNGKey(0), x, is_training=True)
    >>> params
    {}
    >>> jax.tree.map(jnp.shape, state)["vector_quantizer_ema/~/ema_dw"]
    {'average': (4, 16), 'counter': (), 'hidden': (4, 16)}
    >>> out, state = f.apply(params, state, None, x, is_training=True)
    >>> out["quantize"].shape
    (2, 5, 4)
    """

    def __init__(
        self,
        embedding_dim: int,
        num_embeddings: int,
        commitment_cost: float,
        decay: float,
        epsilon: float = 1e-5,
        dtype: Any = jnp.float32,
        cross_replica_axis: str | None = None,
        name: str | None = None,
    ):
        """Configures the quantizer.

        Args:
            embedding_dim: size of each codebook vector (last axis of the inputs).
            num_embeddings: number of codebook vectors.
            commitment_cost: weight of the commitment loss.
            decay: decay of the moving averages, in ``[0, 1]``.
            epsilon: Laplace smoothing of the cluster sizes.
            dtype: dtype of the codebook and the averages.
            cross_replica_axis: if set, cluster sizes and ``dw`` are summed and the
                perplexity's code usage is averaged over this named axis (e.g. of
                ``jax.pmap``), so every replica gets the same codebook.
            name: module name (default ``vector_quantizer_ema``).
        """
        if not 0 <= decay <= 1:
            raise ValueError(f"VectorQuantizerEMA: decay must be in the range [0, 1], got {decay}.")
        super().__init__(name=name)
        self.embedding_dim = embedding_dim
        self.num_embeddings = num_embeddings
        self.commitment_cost = commitment_cost
        self.decay = decay
        self.epsilon = epsilon
        self.cross_replica_axis = cross_replica_axis
        self._embedding_shape = [embedding_dim, num_embeddings]
        self._dtype = dtype
        self._ema_cluster_size = hk.ExponentialMovingAverage(decay=decay, name="ema_cluster_size")
        self._ema_dw = hk.ExponentialMovingAverage(decay=decay, name="ema_dw")

    @property
    def embeddings(self) -> jax.Array:
        """The codebook state ``[embedding_dim, num_embeddings]`` (created on first use)."""
        return hk.get_state(
            "embeddings", self._embedding_shape, self._dtype, init=_embeddings_init()
        )

    @property
    def ema_cluster_size(self) -> hk.ExponentialMovingAverage:
        """Moving average of code usage counts (its state is created on first use)."""
        self._ema_cluster_size.initialize([self.num_embeddings], self._dtype)
        return self._ema_cluster_size

    @property
    def ema_dw(self) -> hk.ExponentialMovingAverage:
        """Moving average of the per-code sums of inputs (state created on first use)."""
        self._ema_dw.initialize(self._embedding_shape, self._dtype)
        return self._ema_dw

    def quantize(self, encoding_indices: jax.Array) -> jax.Array:
        """Returns the codebook vectors for integer ``encoding_indices`` (shape ``[..., D]``)."""
        return _lookup(self.embeddings, encoding_indices)

    def __call__(self, inputs: jax.Array, is_training: bool) -> dict[str, jax.Array]:
        """Quantizes ``inputs`` of shape ``[..., embedding_dim]``.

        Args:
            inputs: the vectors to quantize.
            is_training: update the moving averages and the codebook.
        """
        flat_inputs, distances, encodings, encoding_indices, quantized = _assign(self, inputs)
        e_latent_loss = jnp.mean(jnp.square(jax.lax.stop_gradient(quantized) - inputs))

        if is_training:
            cluster_size = jnp.sum(encodings, axis=0)
            dw = jnp.matmul(flat_inputs.T, encodings)
            if self.cross_replica_axis is not None:
                cluster_size = jax.lax.psum(cluster_size, axis_name=self.cross_replica_axis)
                dw = jax.lax.psum(dw, axis_name=self.cross_replica_axis)
            ema_cluster_size = self.ema_cluster_size(cluster_size)
            ema_dw = self.ema_dw(dw)
            n = jnp.sum(ema_cluster_size)
            smoothed = (
                (ema_cluster_size + self.epsilon) / (n + self.num_embeddings * self.epsilon) * n
            )
            hk.set_state("embeddings", ema_dw / jnp.reshape(smoothed, [1, -1]))

        loss = self.commitment_cost * e_latent_loss
        return _outputs(self, inputs, quantized, loss, encodings, encoding_indices, distances)


def _assign(
    module: VectorQuantizer | VectorQuantizerEMA, inputs: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array, jax.Array]:
    """The nearest codes of ``inputs``: flat inputs, distances, one-hot encodings, their
    indices (shaped like ``inputs[..., 0]``) and the quantized inputs."""
    _check_dim(module, inputs)
    embeddings = module.embeddings
    flat_inputs = jnp.reshape(inputs, [-1, module.embedding_dim])
    distances, indices, encodings = _nearest(flat_inputs, embeddings, module.num_embeddings)
    encoding_indices = jnp.reshape(indices, inputs.shape[:-1])
    quantized = _lookup(embeddings, encoding_indices)
    return flat_inputs, distances, encodings, encoding_indices, quantized


def _outputs(
    module: VectorQuantizer | VectorQuantizerEMA,
    inputs: jax.Array,
    quantized: jax.Array,
    loss: jax.Array,
    encodings: jax.Array,
    encoding_indices: jax.Array,
    distances: jax.Array,
) -> dict[str, jax.Array]:
    """The quantizers' result; ``quantize`` passes gradients straight through to ``inputs``."""
    return {
        "quantize": inputs + jax.lax.stop_gradient(quantized - inputs),
        "loss": loss,
        "perplexity": _perplexity(encodings, module.cross_replica_axis),
        "encodings": encodings,
        "encoding_indices": encoding_indices,
        "distances": distances,
    }


def _check_dim(module: VectorQuantizer | VectorQuantizerEMA, inputs: jax.Array) -> None:
    if not inputs.shape or inputs.shape[-1] != module.embedding_dim:
        raise TypeValueError(
            f"{module.module_name}: the last axis of the inputs must be embedding_dim="
            f"{module.embedding_dim}, got inputs of shape {tuple(inputs.shape)}."
        )
