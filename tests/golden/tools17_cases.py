"""Scenarios of issue #17 items 12, 20 and 21, runnable under dm-haiku 0.0.17 and ours.

``make_tools17.py`` runs them with dm-haiku (in the reference venv) and writes
``tools17.json``; tests/tools compare our output with it. Each ``*_values`` function
returns plain JSON data. Item 12 needs Flax, items 20 need haiku-layers/-nets (hk.nets.MLP)
and haiku-tools; item 21 needs only haiku-core.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

import haiku as hk


def _shapes(tree):
    return jax.tree.map(lambda a: [list(a.shape), str(a.dtype)], tree)


def _values(tree):
    return jax.tree.map(lambda a: jnp.asarray(a).tolist(), tree)


# -- item 12: hk.experimental.flax.lift --------------------------------------------------


def flax_lift_values():
    import flax.linen as nn

    class Counter(nn.Module):  # a collection literally named "state", top-level variables
        @nn.compact
        def __call__(self, x):
            count = self.variable("state", "count", lambda: jnp.zeros([], jnp.int32))
            count.value += 1
            return x * self.param("scale", nn.initializers.ones, [x.shape[-1]])

    class Block(nn.Module):  # nested params, batch_stats, dropout
        @nn.compact
        def __call__(self, x, train=True):
            x = nn.Dense(3)(x)
            x = nn.BatchNorm(use_running_average=not train)(x)
            return nn.Dropout(0.5, deterministic=not train)(x)

    x = jax.random.normal(jax.random.PRNGKey(9), [2, 4])
    out = {}

    f = hk.transform_with_state(lambda x: hk.experimental.flax.lift(Counter(), name="foo")(x))
    params, state = f.init(jax.random.PRNGKey(0), x)
    _, after = f.apply(params, state, None, x)
    out["counter"] = {"params": _shapes(params), "state": _values(state), "after": _values(after)}

    counter = Counter()

    def twice(x):  # one lifted module called twice shares its variables
        lifted = hk.experimental.flax.lift(counter, name="mod")
        return lifted(x) + lifted(x)

    f = hk.transform_with_state(twice)
    params, state = f.init(jax.random.PRNGKey(0), x)
    y, after = f.apply(params, state, None, x)
    out["twice"] = {
        "params": _shapes(params),
        "state": _values(state),
        "after": _values(after),
        "out": _values(y),
    }

    def two_lifts(x):  # two lifts with one name are numbered like modules
        return hk.experimental.flax.lift(counter, name="mod")(x) + hk.experimental.flax.lift(
            counter, name="mod"
        )(x)

    params, state = hk.transform_with_state(two_lifts).init(jax.random.PRNGKey(0), x)
    out["two_lifts"] = {"params": _shapes(params), "state": _values(state)}

    f = hk.transform(lambda x: hk.experimental.flax.lift(nn.Dense(2), name="dense")(x))
    params = f.init(jax.random.PRNGKey(0), x)
    out["dense"] = {"params": _values(params), "out": _values(f.apply(params, None, x))}

    def dropout(x):
        rngs = {"dropout": hk.next_rng_key()}
        return hk.experimental.flax.lift(Block(), name="blk")(x, train=True, rngs=rngs)

    f = hk.transform_with_state(dropout)
    params, state = f.init(jax.random.PRNGKey(1), x)
    y, after = f.apply(params, state, jax.random.PRNGKey(2), x)
    out["rngs"] = {
        "params": _values(params),
        "state": _values(state),
        "after": _values(after),
        "out": _values(y),
    }

    def bad_rngs(x):
        return hk.experimental.flax.lift(Block(), name="blk")(x, rngs=jax.random.PRNGKey(0))

    try:
        hk.transform_with_state(bad_rngs).init(jax.random.PRNGKey(1), x)
        out["bad_rngs"] = None
    except Exception as e:  # the type is the observation
        out["bad_rngs"] = type(e).__name__
    return out


# -- item 20: tabulate / eval_summary of wrapped steps, jaxpr_info formatting -------------


def _mlp(x):
    return hk.nets.MLP([300, 100, 10])(x)


def _rows(invocations):
    return [
        [
            inv.module_details.module.module_name,
            inv.module_details.method_name,
            repr(inv.args_spec),
            repr(inv.output_spec),
            repr(inv.module_details.params),
            repr(inv.module_details.state),
        ]
        for inv in invocations
    ]


def tabulate_values():
    f = hk.transform(_mlp)
    x = jnp.ones([8, 16])
    params = f.init(jax.random.PRNGKey(0), x)

    @jax.jit
    def jitted_step(params, x):
        return f.apply(params, None, x)

    def loss(params, x):
        return f.apply(params, None, x).sum()

    pmapped_step = jax.pmap(jitted_step, axis_name="i")
    one_device = jax.tree.map(lambda a: a[None], params)

    def non_array(x):
        hk.Linear(2)(x)
        return "not an array", 3, None

    steps = {
        "jit": (jitted_step, (params, x)),
        "grad": (jax.grad(loss), (params, x)),
        "value_and_grad_jit": (jax.jit(jax.value_and_grad(loss)), (params, x)),
        "pmap": (pmapped_step, (one_device, x[None])),
        "non_array": (non_array, (x,)),
    }
    out = {}
    for name, (step, args) in steps.items():
        out[name] = {
            "table": hk.experimental.tabulate(step)(*args),
            "rows": _rows(hk.experimental.eval_summary(step)(*args)),
        }
    return out


def _flops(eqn, expr):
    return 4624 if eqn.primitive.name == "dot_general" else 0


def my_forward(params, x):
    return _FORWARD.apply(params, None, x)


_FORWARD = hk.transform(lambda x: hk.nets.MLP([272, 17])(x))  # linear_0: 4624 params


def jaxpr_info_values():
    from haiku.experimental import jaxpr_info

    x = jnp.ones([1, 16])
    params = _FORWARD.init(jax.random.PRNGKey(0), x)
    out = {}
    for variant, kwargs in (
        ("plain", {}),
        ("flops", {"compute_flops": _flops}),
        ("empty_name", {"name": ""}),
        ("named", {"name": "net"}),
    ):
        info = jaxpr_info.make_model_info(my_forward, **kwargs)(params, x)
        out[variant] = jaxpr_info.format_module(info)
    jitted = jax.jit(my_forward)
    out["jit"] = jaxpr_info.format_module(jaxpr_info.make_model_info(jitted)(params, x))
    return out


# -- item 21: check_jax_usage takes effect at once ------------------------------------------


def _vmap_param(x):
    return jax.vmap(lambda y: y * hk.get_parameter("w", [], init=jnp.ones))(x)


def _jit_state(x):
    return jax.jit(lambda y: y + hk.get_state("s", [], init=jnp.zeros))(x)


def _vmap_rng(x):
    return jax.vmap(lambda y: y + jax.random.uniform(hk.next_rng_key()))(x)


def _vmap_set_state(x):
    return jax.vmap(lambda y: hk.set_state("s", y))(x)


def _plain(x):
    return x * hk.get_parameter("w", [], init=jnp.ones)


def _enable_then(body, enable=lambda: hk.experimental.check_jax_usage(True)):
    def f(x):
        enable()
        return body(x)

    return f


class _EnablesInCall(hk.Module):
    def __call__(self, x):
        hk.experimental.check_jax_usage(True)
        return _vmap_param(x)


def _disable_then_vmap(x):
    hk.experimental.check_jax_usage(False)
    return _vmap_param(x)


JAX_USAGE = {
    # name: (function, check_jax_usage setting before init)
    "vmap_param": (_enable_then(_vmap_param), False),
    "jit_state": (_enable_then(_jit_state), False),
    "vmap_rng": (_enable_then(_vmap_rng), False),
    "vmap_set_state": (_enable_then(_vmap_set_state), False),
    "plain": (_enable_then(_plain), False),
    "in_module": (lambda x: _EnablesInCall()(x), False),
    "disable_inside": (_disable_then_vmap, True),
}


def jax_usage_values():
    out = {}
    for name, (f, before) in JAX_USAGE.items():
        previous = hk.experimental.check_jax_usage(before)
        try:
            hk.transform_with_state(f).init(jax.random.PRNGKey(0), jnp.ones([2]))
            error = None
        except Exception as e:  # the type is the observation
            error = type(e).__name__
        finally:
            after = hk.experimental.check_jax_usage(previous)
        out[name] = {"error": error, "enabled_after": after}
    return out
