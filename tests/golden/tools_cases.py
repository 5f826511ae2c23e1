"""Models and summaries shared by make_tools.py (dm-haiku) and tests/tools (ours).

Only the public ``hk`` API is used, so the same code runs against dm-haiku 0.0.17 and
against this project. Cases whose name starts with ``layers_`` need hk.Linear/hk.nets.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

import haiku as hk


class Counter(hk.Module):
    def __call__(self, x, *, scale=1.0):
        c = hk.get_state("count", [], jnp.int32, init=jnp.zeros)
        hk.set_state("count", c + 1)
        hk.get_parameter("w", [x.shape[-1], 1000], jnp.bfloat16, init=jnp.ones)
        return {"a": x * scale, "b": (x, 3)}

    def nothing(self, x):
        hk.get_parameter("z", [3], init=jnp.zeros)
        return None

    def encode(self, x):
        return self.helper(x)

    def helper(self, x):
        return x + 1


def counter_model(x):
    m = Counter()
    m.nothing(x)
    out = m(x, scale=2.0)
    m.encode(x)
    m2 = Counter(name="other")
    return m2.encode(out["a"]).astype(jnp.int8)


class Many(hk.Module):
    def __call__(self, x, y, *, k=None, j=2):
        for n, s in [("m", [7]), ("c", [7]), ("x", [7]), ("a", [3, 2]), ("b", [6]), ("q", [2, 3])]:
            hk.get_parameter(n, s, init=jnp.zeros)
        return x, None


class Deep(hk.Module):
    def __call__(self, x):
        return self.a(x)

    def a(self, x):
        return self.b(x)

    def b(self, x):
        return Many()(x, (x, 2), k=x, j="s")


def deep_model(x):
    return Deep()(x)


class Big(hk.Module):
    def __call__(self, x):
        hk.get_parameter("w", [1000, 1000], init=jnp.zeros)
        hk.get_parameter("v", [1000, 1000, 300], init=jnp.zeros)
        hk.get_parameter("u", [999], init=jnp.zeros)
        return x


def big_model(x):
    return Big()(x)


class Noisy(hk.Module):
    def __call__(self, x):
        w = hk.get_parameter("w", [x.shape[-1]], init=jnp.ones)
        return self.k(x=x * w) + jax.random.uniform(hk.next_rng_key(), x.shape)

    def k(self, *, x):
        return x

    def empty(self, x):
        return ()


def noisy_model(x):
    n = Noisy()
    n.empty(x)
    return n(x)


def layers_mlp(x):
    return hk.nets.MLP([3, 2])(x)


def layers_mixed(x):
    x = hk.Linear(5, name="first")(x)
    x = jax.nn.relu(x)
    x = hk.nets.MLP([4, 3], activate_final=True)(x)
    return Counter()(x)["a"]


MODELS = {
    "counter": (counter_model, [(2, 3)]),
    "deep": (deep_model, [(2,)]),
    "big": (big_model, [(2,)]),
    "noisy": (noisy_model, [(2, 4)]),
    "layers_mlp": (layers_mlp, [(1, 4)]),
    "layers_mixed": (layers_mixed, [(2, 6)]),
}

TABLES = {
    "default": {},
    "all_rows": {"filters": ()},
    "has_params": {"filters": ("has_params",)},
    "some_columns": {"columns": ("params_bytes", "module", "output", "params_size")},
    "simple": {"tabulate_kwargs": {"tablefmt": "simple"}},
}

WRAPPERS = {
    "plain": lambda f: f,
    "transform_with_state": hk.transform_with_state,
    "without_apply_rng": lambda f: hk.without_apply_rng(hk.transform_with_state(f)),
}


def inputs(name):
    return [jnp.ones(shape) for shape in MODELS[name][1]]


def summary_rows(invocations):
    return [
        {
            "module": inv.module_details.module.module_name,
            "method": inv.module_details.method_name,
            "repr": repr(inv.module_details.module),
            "args": repr(inv.args_spec),
            "kwargs": repr(inv.kwargs_spec),
            "output": repr(inv.output_spec),
            "params": repr(inv.module_details.params),
            "state": repr(inv.module_details.state),
            "stack": [(d.module.module_name, d.method_name) for d in inv.call_stack],
            "context_method": inv.context.method_name,
        }
        for inv in invocations
    ]


def run_all(include_layers: bool = True):
    out = {}
    for name, (model, _) in MODELS.items():
        if name.startswith("layers_") and not include_layers:
            continue
        case = {}
        for table, kwargs in TABLES.items():
            case[f"table/{table}"] = hk.experimental.tabulate(model, **kwargs)(*inputs(name))
        for wrapper, wrap in WRAPPERS.items():
            if name == "noisy" and wrapper == "without_apply_rng":
                continue
            case[f"summary/{wrapper}"] = summary_rows(
                hk.experimental.eval_summary(wrap(model))(*inputs(name))
            )
        out[name] = case
    return out


class Drawer(hk.Module):
    def __call__(self, x):
        w = hk.get_parameter("w", [x.shape[-1], 3], init=hk.initializers.TruncatedNormal())
        b = hk.get_parameter("b", [3], init=hk.initializers.RandomUniform())
        noise = jax.random.normal(hk.next_rng_key(), [3])
        return x @ w + b + noise


def rng_model(x):
    x = Drawer()(x)
    keys = hk.next_rng_keys(2)
    return Drawer(name="second")(x) + keys.sum()


def layers_rng_model(x):
    return hk.nets.MLP([4, 3])(x)


def optimize_rng_values(include_layers: bool = True):
    """Init params and apply output of optimize_rng_use models, as nested lists."""
    jax.config.update("jax_threefry_partitionable", True)
    out = {}
    for name, model in (("rng_model", rng_model), ("layers_rng_model", layers_rng_model)):
        if name.startswith("layers_") and not include_layers:
            continue
        f = hk.transform(hk.experimental.optimize_rng_use(model))
        x = jnp.ones([2, 3])
        params = f.init(jax.random.PRNGKey(7), x)
        y = f.apply(params, jax.random.PRNGKey(8), x)
        out[name] = {"params": jax.tree.map(lambda a: a.tolist(), params), "out": y.tolist()}
    return out


class Stateful(hk.Module):
    def __call__(self, x):
        c = hk.get_state("c", [x.shape[-1]], init=jnp.zeros)
        hk.set_state("c", c + 1)
        w = hk.get_parameter("w", [x.shape[-1], x.shape[-1]], init=jnp.ones)
        return jnp.tanh(x @ w) + c


def jaxpr_model(x):
    return Stateful()(x) * 2


class Zero(hk.Module):
    def __call__(self, x):
        return jnp.sin(x) * hk.get_parameter("w", [4], init=jnp.ones)


def jit_model(x):
    y = Zero()(x)
    y = jax.jit(lambda a: a + 1)(y)
    y = jax.jit(lambda a: a * 1)(y)
    return jax.nn.relu(y) + 1


def _add_flops(eqn, expr):
    return 7 if eqn.primitive.name == "add" else 0


def jaxpr_info_values(include_layers: bool = True):
    """format_module text of a few models (root named explicitly)."""
    from haiku.experimental import jaxpr_info

    out = {}
    for name, model in (("stateful", jaxpr_model), ("layers_mlp", layers_mlp)):
        if name.startswith("layers_") and not include_layers:
            continue
        f = hk.transform_with_state(model)
        x = jnp.ones([1, 4])
        params, state = f.init(jax.random.PRNGKey(0), x)
        for variant, kwargs in (
            ("plain", {}),
            ("flops", {"compute_flops": _add_flops}),
            ("no_info", {"include_module_info": False}),
        ):
            info = jaxpr_info.make_model_info(f.apply, name="apply_fn", **kwargs)(
                params, state, None, x
            )
            out[f"{name}/{variant}"] = jaxpr_info.format_module(info)
    f = hk.transform(jit_model)
    x = jnp.ones([4])
    params = f.init(None, x)
    for variant, kwargs in (("plain", {}), ("flops", {"compute_flops": _add_flops})):
        info = jaxpr_info.make_model_info(f.apply, name="a", **kwargs)(params, None, x)
        out[f"jit/{variant}"] = jaxpr_info.format_module(info)
    scan = jaxpr_info.make_model_info(
        lambda x: jax.lax.scan(lambda c, y: (c + y, c * y), x, jnp.ones([3, 4])), name="scanny"
    )(jnp.ones([4]))
    out["scan"] = jaxpr_info.format_module(scan)
    return out
