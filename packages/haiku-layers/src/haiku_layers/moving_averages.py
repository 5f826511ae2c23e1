"""Exponential moving averages kept in Haiku state."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp

import haiku as hk
from haiku_layers._params_tree import map_leaves
from haiku_layers._utils import check_decay


class ExponentialMovingAverage(hk.Module):
    """Maintains an exponential moving average of the values it is called with.

    State (under the module's name): ``counter`` (int32 scalar, the number of
    updates, starting at ``-warmup_length``), ``hidden`` (the biased average)
    and ``average`` (the returned, optionally zero-debiased, average).

    Each call computes ``hidden = hidden * decay + value * (1 - decay)`` and,
    with ``zero_debias``, ``average = hidden / (1 - decay ** counter)``. With
    ``warmup_length > 0`` the decay is 0 (the average tracks the value exactly)
    for the first ``warmup_length`` updates.

    >>> import haiku as hk, jax.numpy as jnp
    >>> f = hk.transform_with_state(lambda x: hk.ExponentialMovingAverage(0.5)(x))
    >>> params, state = f.init(None, jnp.array(1.0))
    >>> out, state = f.apply(params, state, None, jnp.array(3.0))
    >>> print(float(out), sorted(state["exponential_moving_average"]))
    3.0 ['average', 'counter', 'hidden']
    """

    def __init__(
        self,
        decay: float | jax.Array,
        zero_debias: bool = True,
        warmup_length: int = 0,
        name: str | None = None,
    ):
        """Creates the moving average.

        Args:
          decay: the decay rate, in ``[0, 1]``; larger means slower.
          zero_debias: divide by ``1 - decay ** counter`` to remove the bias
            towards the zero initial value.
          warmup_length: number of initial updates during which the decay is 0.
            Requires ``zero_debias=False``.
          name: module name.
        """
        super().__init__(name=name)
        check_decay("hk.ExponentialMovingAverage", "decay", decay)
        if warmup_length < 0:
            raise ValueError(
                f"ExponentialMovingAverage: `warmup_length` is {warmup_length}, but "
                "should be non-negative."
            )
        if warmup_length and zero_debias:
            raise ValueError(
                "ExponentialMovingAverage: Zero debiasing does not make sense when "
                "warming up the value of the average to an initial value. Set "
                "zero_debias=False if setting warmup_length to a non-zero value."
            )
        self._decay = decay
        self._zero_debias = zero_debias
        self._warmup_length = warmup_length

    def initialize(self, shape: Sequence[int], dtype: Any = jnp.float32) -> None:
        """Creates ``hidden`` and ``average`` as zeros, before the first update.

        The legacy form ``initialize(value)`` (an array instead of a shape) still
        works, with a ``DeprecationWarning``: it takes the value's shape and dtype.
        """
        if hasattr(shape, "shape"):
            warnings.warn(
                "ExponentialMovingAverage.initialize(value) is deprecated: pass the shape "
                "and dtype instead, e.g. `ema.initialize(v.shape, v.dtype)`.",
                DeprecationWarning,
                stacklevel=2,
            )
            value: Any = shape  # an array-like, in the legacy form
            shape, dtype = value.shape, value.dtype
        hk.get_state("hidden", shape, dtype, init=jnp.zeros)
        hk.get_state("average", shape, dtype, init=jnp.zeros)

    def __call__(self, value: float | jax.Array, update_stats: bool = True) -> jax.Array:
        """Updates the average with ``value`` and returns the new average.

        Args:
          value: the new value (any shape; the shape is fixed by the first call).
          update_stats: if False, compute the updated average without storing it.

        Returns:
          The updated moving average.
        """
        value = jnp.asarray(value)
        dtype = value.dtype
        counter = (
            hk.get_state(
                "counter", (), jnp.int32, init=hk.initializers.Constant(-self._warmup_length)
            )
            + 1
        )
        decay = jax.lax.convert_element_type(self._decay, dtype)
        if self._warmup_length > 0:
            decay = jnp.where(counter <= 0, jnp.zeros((), dtype), decay)
        one = jnp.ones((), dtype)
        hidden = hk.get_state("hidden", value.shape, dtype, init=jnp.zeros)
        hidden = hidden * decay + value * (one - decay)
        average = hidden
        if self._zero_debias:
            average = average / (one - jnp.power(decay, counter))
        if update_stats:
            hk.set_state("counter", counter)
            hk.set_state("hidden", hidden)
            hk.set_state("average", average)
        return average

    @property
    def average(self) -> jax.Array:
        """The stored average (exists after the first call or ``initialize``)."""
        return hk.get_state("average")


class EMAParamsTree(hk.Module):
    """Keeps an :class:`ExponentialMovingAverage` of every leaf of a params tree.

    One moving average per leaf, named after the leaf's path with ``/``
    replaced by ``__`` and ``~`` by ``_tilde_``. Leaves whose
    ``"module_name/param_name"`` matches ``ignore_regex`` are returned as is.

    >>> import haiku as hk, jax.numpy as jnp
    >>> params = {"mlp/~/linear_0": {"w": jnp.ones((2, 2))}}
    >>> f = hk.transform_with_state(lambda p: hk.EMAParamsTree(0.9)(p))
    >>> _, state = f.init(None, params)
    >>> list(state)
    ['ema_params_tree/mlp___tilde___linear_0__w']
    """

    def __init__(
        self,
        decay: float,
        zero_debias: bool = True,
        warmup_length: int = 0,
        ignore_regex: str = "",
        name: str | None = None,
    ):
        """Creates the tree of moving averages.

        Args:
          decay: decay of every moving average.
          zero_debias: as in :class:`ExponentialMovingAverage`.
          warmup_length: as in :class:`ExponentialMovingAverage`.
          ignore_regex: leaves whose ``module/param`` path matches (``re.match``)
            are not averaged.
          name: module name.
        """
        super().__init__(name=name)
        check_decay("hk.EMAParamsTree", "decay", decay)
        if warmup_length and zero_debias:
            raise ValueError(
                "EMAParamsTree: Zero debiasing does not make sense when warming up "
                "the value of the average to an initial value. Set zero_debias=False "
                "if setting warmup_length to a non-zero value."
            )
        self._decay = decay
        self._zero_debias = zero_debias
        self._warmup_length = warmup_length
        self._ignore = re.compile(ignore_regex) if ignore_regex else None

    def __call__(
        self, tree: Mapping[str, Mapping[str, jax.Array]], update_stats: bool = True
    ) -> dict[str, dict[str, jax.Array]]:
        """Updates the averages with ``tree`` and returns the averaged tree."""

        def average(path: str, value: jax.Array) -> jax.Array:
            return ExponentialMovingAverage(
                self._decay,
                zero_debias=self._zero_debias,
                warmup_length=self._warmup_length,
                name=path.replace("/", "__").replace("~", "_tilde_"),
            )(value, update_stats)

        return map_leaves(tree, "EMAParamsTree", self._ignore, average)
