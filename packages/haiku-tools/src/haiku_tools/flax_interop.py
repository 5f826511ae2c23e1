"""Running haiku modules inside Flax (:class:`Module`) and Flax modules inside haiku (:func:`lift`).

Both are defined only when Flax is installed (``FLAX_AVAILABLE``); importing this module
imports ``flax.linen``, so ``haiku.experimental.flax`` loads it only when one of these
names is used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import haiku as hk
from haiku import Transformed, TransformedWithState, transform_with_state
from haiku_tools.flax_params import flatten_flax_to_haiku, unflatten_haiku_to_flax

try:
    import flax.errors
    import flax.linen as nn
except ImportError:
    nn = None

FLAX_AVAILABLE = nn is not None


if FLAX_AVAILABLE:

    class Module(nn.Module):
        """A Flax module running a haiku ``Transformed``/``TransformedWithState``.

        Flax variables are ``{'params': haiku_params}`` plus ``{'state': haiku_state}`` when
        the function has state (apply with ``mutable=['state']`` to update it). The haiku
        ``rng`` comes from the Flax ``'params'`` RNG during ``init`` and is ``None`` in apply;
        ``init`` stores the initial state (the updates of that first call are dropped).

        >>> import jax, jax.numpy as jnp
        >>> import haiku as hk
        >>> class Scale(hk.Module):
        ...   def __call__(self, x):
        ...     return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
        >>> mod = hk.experimental.flax.Module.create(Scale)
        >>> variables = mod.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
        >>> jax.tree.map(jnp.shape, variables)
        {'params': {'scale': {'s': (2,)}}}
        """

        transformed: Transformed | TransformedWithState

        @classmethod
        def create(cls, hk_cls: Callable[..., Any], *init_args, **init_kwargs) -> Module:
            """A :class:`Module` running ``hk_cls(*init_args, **init_kwargs)(*inputs)``."""
            return cls(
                transform_with_state(lambda *a, **k: hk_cls(*init_args, **init_kwargs)(*a, **k))
            )

        @nn.compact
        def __call__(self, *args, **kwargs):
            transformed = self.transformed
            if self.is_initializing():
                rng = self.make_rng("params")
                if isinstance(transformed, TransformedWithState):
                    params, state = transformed.init(rng, *args, **kwargs)
                else:
                    params, state = transformed.init(rng, *args, **kwargs), {}
                for bundle, values in params.items():
                    self.param(bundle, lambda _rng, v=values: v)
                for bundle, values in state.items():
                    self.variable("state", bundle, lambda v=values: v)
            params = dict(self.variables.get("params", {}))
            state = dict(self.variables.get("state", {}))
            if isinstance(transformed, TransformedWithState):
                out, new_state = transformed.apply(params, state, None, *args, **kwargs)
                if self.is_mutable_collection("state") and not self.is_initializing():
                    for bundle, values in new_state.items():
                        self.put_variable("state", bundle, values)
                return out
            return transformed.apply(params, None, *args, **kwargs)

    def state_to_haiku(variables: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """Flax collections other than ``params`` -> haiku state ``{'<collection>/<path>': ...}``.

        >>> state_to_haiku({"batch_stats": {"BatchNorm_0": {"mean": 0}}, "state": {"n": 1}})
        {'batch_stats/BatchNorm_0': {'mean': 0}, 'state/~': {'n': 1}}
        """
        return {
            f"{collection}/{bundle}": values
            for collection, tree in variables.items()
            for bundle, values in flatten_flax_to_haiku(tree).items()
        }

    def state_from_haiku(state: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """The inverse of :func:`state_to_haiku`.

        >>> state_from_haiku({"batch_stats/BatchNorm_0": {"mean": 0}, "state/~": {"n": 1}})
        {'batch_stats': {'BatchNorm_0': {'mean': 0}}, 'state': {'n': 1}}
        """
        grouped: dict[str, dict[str, Mapping[str, Any]]] = {}
        for key, values in state.items():
            collection, _, bundle = key.partition("/")
            grouped.setdefault(collection, {})[bundle or "~"] = values
        return {c: unflatten_haiku_to_flax(bundles) for c, bundles in grouped.items()}

    class _LiftedFlax(hk.Module):
        """Owns the name a lifted Flax module's variables live under (``name/...``).

        Each call lifts the Flax ``init`` again into this module's name (re-using what the
        first call stored), runs the Flax ``apply`` and writes the updated collections
        back, so one lifted module can be called several times and shares its variables.
        """

        def __init__(self, mod: nn.Module, name: str):
            super().__init__(name=name)
            self._mod = mod

        def _init(self, rngs: Any, *args: Any, **kwargs: Any):
            variables = dict(self._mod.init(rngs, *args, **kwargs))
            params = variables.pop("params", {})
            return flatten_flax_to_haiku(params), state_to_haiku(variables)

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            init_kwargs = dict(kwargs)
            rngs = None
            if hk.running_init():
                rngs = init_kwargs.pop("rngs", None)
                key = hk.maybe_next_rng_key()
                if rngs is None:
                    rngs = key
                elif isinstance(rngs, Mapping):
                    rngs = dict(rngs)
                    if "params" not in rngs and key is not None:
                        rngs["params"] = key
                else:
                    raise flax.errors.InvalidRngError(
                        "hk.experimental.flax.lift: `rngs=` must map Flax RNG stream names "
                        f"to keys, e.g. rngs={{'dropout': hk.next_rng_key()}}, got {rngs!r}."
                    )
            init, updater = hk.transparent_lift_with_state(self._init, allow_reuse=True)
            params, state = init(rngs, *args, **init_kwargs)
            variables = {**state_from_haiku(state), "params": unflatten_haiku_to_flax(params)}
            mutable = [c for c in variables if c != "params"]
            out, updated = self._mod.apply(variables, *args, mutable=mutable, **kwargs)
            updater.update(state_to_haiku(dict(updated)))
            return out

    def lift(mod: nn.Module, *, name: str) -> Callable[..., Any]:
        """Runs the Flax module ``mod`` inside a haiku transform, as a lifted inner model.

        Flax ``params`` become haiku params under ``name/`` (``name/~`` for top-level
        leaves, ``name/Dense_0`` ...); every other collection becomes haiku state under
        ``name/<collection>/...`` (``name/<collection>/~`` for top-level variables) and is
        updated by each call. The returned callable is a haiku module named ``name``
        (``name_1`` for a second lift with the same name): calling it several times
        shares its variables. The Flax ``params`` RNG comes from ``hk.next_rng_key()`` in
        ``init``; pass other streams as ``rngs={'dropout': key}`` (in init and apply).
        Must be called inside a transform; needs the haiku-jaxwrap plugin.

        >>> import jax, jax.numpy as jnp
        >>> import flax.linen as nn
        >>> import haiku as hk
        >>> f = hk.transform_with_state(
        ...     lambda x: hk.experimental.flax.lift(nn.Dense(4), name="dense")(x))
        >>> params, state = f.init(jax.random.PRNGKey(0), jnp.ones([1, 2]))
        >>> jax.tree.map(jnp.shape, params)
        {'dense/~': {'bias': (4,), 'kernel': (2, 4)}}
        """
        if not isinstance(name, str) or not name:
            raise ValueError(f"hk.experimental.flax.lift needs a non-empty name, got {name!r}.")
        return _LiftedFlax(mod, name=name)
