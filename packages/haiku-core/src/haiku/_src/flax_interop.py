"""Running haiku modules inside Flax (:class:`Module`) and Flax modules inside haiku (:func:`lift`).

Both are defined only when Flax is installed (``FLAX_AVAILABLE``); importing this module
imports ``flax.linen``, so ``haiku.experimental.flax`` loads it only when one of these
names is used.
"""

from __future__ import annotations

from typing import Any, Callable, Union

from haiku._src.flax_params import flatten_flax_to_haiku, unflatten_haiku_to_flax
from haiku._src.transform import Transformed, TransformedWithState, transform_with_state

try:
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

        transformed: Union[Transformed, TransformedWithState]

        @classmethod
        def create(cls, hk_cls: Callable[..., Any], *init_args, **init_kwargs) -> "Module":
            """A :class:`Module` running ``hk_cls(*init_args, **init_kwargs)(*inputs)``."""
            return cls(transform_with_state(
                lambda *a, **k: hk_cls(*init_args, **init_kwargs)(*a, **k)))

        @nn.compact
        def __call__(self, *args, **kwargs):
            transformed = self.transformed
            stateful = isinstance(transformed, TransformedWithState)
            if self.is_initializing():
                out = transformed.init(self.make_rng("params"), *args, **kwargs)
                params, state = out if stateful else (out, {})
                for bundle, values in params.items():
                    self.param(bundle, lambda _rng, v=values: v)
                for bundle, values in state.items():
                    self.variable("state", bundle, lambda v=values: v)
            params = dict(self.variables.get("params", {}))
            state = dict(self.variables.get("state", {}))
            if stateful:
                out, new_state = transformed.apply(params, state, None, *args, **kwargs)
                if self.is_mutable_collection("state") and not self.is_initializing():
                    for bundle, values in new_state.items():
                        self.put_variable("state", bundle, values)
                return out
            return transformed.apply(params, None, *args, **kwargs)


    def lift(mod: nn.Module, *, name: str) -> Callable[..., Any]:
        """Runs the Flax module ``mod`` inside a haiku transform, as a lifted inner model.

        Flax ``params`` become haiku params under ``name/`` (``name/~`` for top-level
        leaves, ``name/Dense_0`` ...); other collections (e.g. ``batch_stats``) become haiku
        state under ``name/<collection>/...`` and are updated by ``apply``. Needs the
        haiku-jaxwrap plugin (``hk.lift_with_state``) and a key in ``init``.

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

        def init_fn(rng, *args, **kwargs):
            variables = dict(mod.init(rng, *args, **kwargs))
            params = variables.pop("params", {})
            return flatten_flax_to_haiku(params), flatten_flax_to_haiku(variables)

        def apply_fn(params, state, *args, **kwargs):
            variables = {"params": unflatten_haiku_to_flax(params),
                         **unflatten_haiku_to_flax(state)}
            mutable = [c for c in variables if c != "params"]
            if not mutable:
                return mod.apply(variables, *args, **kwargs), state
            out, updated = mod.apply(variables, *args, mutable=mutable, **kwargs)
            return out, flatten_flax_to_haiku(dict(updated))

        def wrapped(*args, **kwargs):
            import haiku as hk

            init_lifted, updater = hk.lift_with_state(init_fn, name=name)
            rng = hk.maybe_next_rng_key() if hk.running_init() else None
            params, state = init_lifted(rng, *args, **kwargs)
            out, state = apply_fn(params, state, *args, **kwargs)
            updater.update(state)
            return out

        return wrapped
