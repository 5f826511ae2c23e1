"""Scenarios for the core semantics of issue #17, written against the public `hk` API only.

They run under dm-haiku 0.0.17 (``make_core17.py``, in the reference environment) and under
our haiku (``tests/core/test_golden_edge_cases.py``); the JSON results must be equal. Errors are
recorded as the first builtin exception class in the raised type's MRO, since users catch
those (our own error classes subclass them).
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any, Protocol

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk


def _kind(fn: Callable[[], Any]) -> str:
    try:
        fn()
    except Exception as e:  # we record the type.
        for cls in type(e).__mro__:
            if cls.__module__ == "builtins":
                return cls.__name__
        return type(e).__name__
    return "ok"


def _arr(x) -> list:
    return np.asarray(x, dtype=np.float64).round(6).tolist()


def _shapes(tree) -> dict:
    return {m: {n: [list(v.shape), str(v.dtype)] for n, v in b.items()} for m, b in tree.items()}


class Dense(hk.Module):
    def __init__(self, size: int, name: str | None = None):
        super().__init__(name=name)
        self.size = size

    def __call__(self, x):
        w = hk.get_parameter(
            "w", [x.shape[-1], self.size], x.dtype, init=hk.initializers.RandomNormal()
        )
        b = hk.get_parameter("b", [self.size], x.dtype, init=jnp.ones)
        return x @ w + b


# 1. Custom getters run before the shape check.


def scenario_getter_slices_stacked() -> dict:
    layers = 3

    def stack_creator(next_creator, shape, dtype, init, context):
        del context

        def stacked_init(s, d):
            return jnp.stack([init(s[1:], d) * (i + 1) for i in range(layers)])

        return next_creator((layers, *shape), dtype, stacked_init)

    def f(x):
        with hk.custom_creator(stack_creator):
            for i in range(layers):

                def slicer(next_getter, value, context, i=i):
                    del context
                    return next_getter(value[i])

                with hk.custom_getter(slicer):
                    x = jnp.tanh(Dense(2, name="shared")(x))
        return x

    # A new module per layer (shared, shared_1, ...), each with its own stacked parameter;
    # the layer's getter picks one slice of it.
    t = hk.transform(f)
    x = jnp.linspace(-1.0, 1.0, 6).reshape(3, 2)
    params = t.init(jax.random.PRNGKey(0), x)
    out = t.apply(params, None, x)
    return {"params": _shapes(params), "out": _arr(out)}


def scenario_getter_shape_errors() -> dict:
    def wrong_getter(next_getter, value, context):
        del context
        return next_getter(value[:1])

    def with_wrong_getter():
        with hk.custom_getter(wrong_getter):
            return hk.get_parameter("w", [3], init=jnp.ones)

    def wrong_creator(next_creator, shape, dtype, init, context):
        del shape, context
        return next_creator([5], dtype, init)

    def with_wrong_creator():
        with hk.custom_creator(wrong_creator):
            return hk.get_parameter("w", [3], init=jnp.ones)

    def wrong_init():
        return hk.get_parameter("w", [3], init=lambda s, d: jnp.ones([4], d))

    ok = {"~": {"w": jnp.ones([3])}}
    return {
        "getter_init": _kind(lambda: hk.transform(with_wrong_getter).init(None)),
        "getter_apply": _kind(lambda: hk.transform(with_wrong_getter).apply(ok, None)),
        "creator_init": _kind(lambda: hk.transform(with_wrong_creator).init(None)),
        "init_fn": _kind(lambda: hk.transform(wrong_init).init(None)),
        "apply_stored": _kind(
            lambda: hk.transform(wrong_init).apply({"~": {"w": jnp.ones([2])}}, None)
        ),
    }


# 2. Nested mixed precision policies (core modules only; BatchNorm is in the real-model test).


class StatefulNorm(hk.Module):
    """Keeps a moving mean in state and scales by a parameter."""

    def __call__(self, x):
        mean = hk.get_state("mean", [x.shape[-1]], jnp.float32, init=jnp.zeros)
        scale = hk.get_parameter("scale", [x.shape[-1]], jnp.float32, init=jnp.ones)
        new_mean = 0.9 * mean + 0.1 * jnp.mean(x, axis=0)
        hk.set_state("mean", new_mean)
        return ((x - mean) * scale, mean.dtype, scale.dtype)


class Net(hk.Module):
    def __call__(self, x):
        h = Dense(3)(x)
        h, mean_dtype, scale_dtype = StatefulNorm()(h)
        return Dense(2)(h), mean_dtype, scale_dtype


def scenario_nested_policies() -> dict:
    import jmp

    hk.mixed_precision.set_policy(Net, jmp.get_policy("p=f32,c=bf16,o=f32"))
    hk.mixed_precision.set_policy(StatefulNorm, jmp.get_policy("p=f32,c=f32,o=bf16"))
    try:

        def f(x):
            out, mean_dtype, scale_dtype = Net()(x)
            return out, str(mean_dtype), str(scale_dtype)

        t = hk.transform_with_state(f)
        x = jnp.linspace(-2.0, 2.0, 8).reshape(4, 2)
        params, state = t.init(jax.random.PRNGKey(1), x)
        results = []
        for _ in range(3):
            (out, mean_dtype, scale_dtype), state = t.apply(params, state, None, x + 0.1)
            results.append([_arr(out), str(out.dtype), mean_dtype, scale_dtype])
        return {
            "params": _shapes(params),
            "state": _shapes(state),
            "final_state": {m: {n: _arr(v) for n, v in b.items()} for m, b in state.items()},
            "steps": results,
        }
    finally:
        hk.mixed_precision.clear_policy(Net)
        hk.mixed_precision.clear_policy(StatefulNorm)


# 3. Modules that also implement a typing.Protocol.


class HasEncode(Protocol):
    def encode(self, x): ...


class Encoder(hk.Module, HasEncode):
    def encode(self, x):
        return x + hk.get_parameter("b", [], init=jnp.ones)

    def __call__(self, x):
        return self.encode(x)


def scenario_protocol_module() -> dict:
    def f(x):
        m = Encoder()
        return m(x), m.module_name, isinstance(m, hk.Module)

    out, name, is_module = hk.transform(f).apply({"encoder": {"b": jnp.ones([])}}, None, 1.0)

    def bad_subclass():
        class NotProtocol(hk.ModuleProtocol):  # the class statement is the test.
            pass

    def bad_supports_call():
        class NotProtocol(hk.SupportsCall):
            pass

    def ok_protocol():
        class Sub(hk.SupportsCall, Protocol):
            pass

    return {
        "out": float(out),
        "name": name,
        "is_module": is_module,
        "subclass_module_protocol": _kind(bad_subclass),
        "subclass_supports_call": _kind(bad_supports_call),
        "subclass_with_protocol": _kind(ok_protocol),
    }


# 4. Naming.


class Child(hk.Module):
    pass


class Parent(hk.Module):
    @hk.name_like("__call__")
    def __init__(self, name=None):
        super().__init__(name=name)
        self.child = Child()

    def __call__(self):
        return self.child.module_name


class ParentPlain(hk.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.child = Child()


def scenario_naming() -> dict:
    def f():
        names = []
        names.append(Child(name=hk.force_name("foo")).module_name)
        names.append(Child(name="foo").module_name)
        names.append(Child(name=hk.force_name("bar_2")).module_name)
        names.append(Child(name="bar").module_name)
        names.append(Child(name="bar").module_name)
        with hk.name_scope("scope"):
            names.append(Child(name=hk.force_name("scope/x")).module_name)
            names.append(Child(name="x").module_name)
        names.append(Parent()())
        names.append(ParentPlain().child.module_name)
        with hk.name_scope(hk.force_name("forced/scope")):
            names.append(Child().module_name)
        return names

    return {"names": hk.transform(f).apply({}, None)}


# 13. hk.Deferred forwards attributes.


class Holder(hk.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.size = 3

    def __call__(self, x):
        return x * self.size


def scenario_deferred() -> dict:
    def f():
        d = hk.Deferred(Holder)
        before = _kind(lambda: d.size)
        out = d(2.0)
        got = d.size
        d.size = 5
        target_size = d.target.size
        d.extra = 1
        has_extra = hasattr(d.target, "extra")
        del d.extra
        deleted = not hasattr(d.target, "extra")
        text = [repr(d), str(d)]
        return [before, float(out), got, target_size, has_extra, deleted, text]

    return {"out": hk.transform(f).apply({}, None)}


# 16. DO_NOT_STORE.


def scenario_do_not_store() -> dict:
    def creator(next_creator, shape, dtype, init, context):
        if context.name == "w":
            return hk.DO_NOT_STORE
        return next_creator(shape, dtype, init)

    def getter(next_getter, value, context):
        if context.name == "w":
            value = jnp.full(context.original_shape, 2.0, context.original_dtype)
        return next_getter(value)

    def f(x):
        with hk.custom_creator(creator), hk.custom_getter(getter):
            return Dense(2)(x)

    def no_getter():
        with hk.custom_creator(creator):
            return hk.get_parameter("w", [2], init=jnp.ones)

    t = hk.transform(f)
    x = jnp.ones([1, 3])
    params = t.init(jax.random.PRNGKey(0), x)
    out = t.apply(params, None, x)
    return {
        "params": _shapes(params),
        "out": _arr(out),
        "no_getter_init": _kind(lambda: hk.transform(no_getter).init(None)),
        "no_getter_apply": _kind(lambda: hk.transform(no_getter).apply({}, None)),
    }


# 17. RNG keys of every PRNG implementation.


def _rng_run(key) -> list:
    def f(x):
        return Dense(2)(x), hk.next_rng_key()

    t = hk.transform(f)
    x = jnp.ones([1, 2])
    params = t.init(key, x)
    _, k = t.apply(params, key, x)
    seq = hk.PRNGSequence(key)
    k1 = next(seq)
    raw = k if not jnp.issubdtype(k.dtype, jax.dtypes.prng_key) else jax.random.key_data(k)
    raw1 = k1 if not jnp.issubdtype(k1.dtype, jax.dtypes.prng_key) else jax.random.key_data(k1)
    return [_arr(params["dense"]["w"]), np.asarray(raw).tolist(), np.asarray(raw1).tolist()]


def scenario_rng_impls() -> dict:
    out = {}
    for impl in ("threefry2x32", "rbg", "unsafe_rbg"):
        out[f"typed_{impl}"] = _rng_run(jax.random.key(3, impl=impl))
    previous = jax.config.jax_default_prng_impl
    try:
        # One raw impl per process: jax caches the split of a raw uint32[4] key across a
        # switch between rbg and unsafe_rbg (same key shape), which real programs never do.
        for impl in ("rbg",):
            jax.config.update("jax_default_prng_impl", impl)
            out[f"raw_{impl}"] = _rng_run(jax.random.PRNGKey(3))
            out[f"raw_{impl}_seed"] = _rng_run(3)
            out[f"raw_{impl}_threefry_key"] = _kind(
                lambda: hk.PRNGSequence(np.zeros([2], np.uint32))
            )
    finally:
        jax.config.update("jax_default_prng_impl", previous)
    out["raw_threefry"] = _rng_run(jax.random.PRNGKey(3))
    out["raw_threefry_rbg_shape"] = _kind(lambda: hk.PRNGSequence(np.zeros([4], np.uint32)))
    return out


# 18. Signatures, to_module docs, copying immutable dicts.


def scenario_introspection() -> dict:
    def fn(x: jax.Array, *, training: bool = False) -> jax.Array:
        """Adds one."""
        return x + 1

    t = hk.transform(fn)
    ts = hk.transform_with_state(fn)
    mod = hk.to_module(fn)
    frozen = hk.data_structures.to_immutable_dict({"a": {"b": jnp.ones([2])}})
    copies = []
    for c in (copy.copy(frozen), copy.deepcopy(frozen)):
        copies.append(
            [
                type(c).__name__,
                str(jax.tree_util.tree_structure(c)) == str(jax.tree_util.tree_structure(frozen)),
            ]
        )
    return {
        "init": str(inspect.signature(t.init)),
        "apply": str(inspect.signature(t.apply)),
        "init_state": str(inspect.signature(ts.init)),
        "apply_state": str(inspect.signature(ts.apply)),
        "no_rng_apply": str(inspect.signature(hk.without_apply_rng(t).apply)),
        "to_module_doc": mod.__doc__,
        "copies": copies,
    }


# 19. Exception types.


def _creator(next_creator, shape, dtype, init, context):
    return next_creator(shape, dtype, init)


def _getter(next_getter, value, context):
    return next_getter(value)


def _setter(next_setter, value, context):
    return next_setter(value)


def _enter(cm):
    with cm:
        pass


def scenario_error_types() -> dict:
    t = hk.transform(lambda: hk.next_rng_key())
    rngs = {
        "str": "abc",
        "float": 1.5,
        "float_array": jnp.zeros([2], jnp.float32),
        "wrong_shape": jnp.zeros([3], jnp.uint32),
        "matrix": jnp.zeros([2, 2], jnp.uint32),
        "batch_typed": jax.random.split(jax.random.key(0), 2),
        "list": [0, 1],
    }
    out = {}
    for label, rng in rngs.items():
        out[f"init_{label}"] = _kind(lambda rng=rng: t.init(rng))
        out[f"apply_{label}"] = _kind(lambda rng=rng: t.apply({}, rng))
        out[f"seq_{label}"] = _kind(lambda rng=rng: hk.PRNGSequence(rng))
    out["with_rng_bad"] = _kind(
        lambda: hk.transform(lambda: _enter(hk.with_rng("abc"))).apply({}, None)
    )
    out["creator_outside"] = _kind(lambda: _enter(hk.custom_creator(_creator)))
    out["getter_outside"] = _kind(lambda: _enter(hk.custom_getter(_getter)))
    out["setter_outside"] = _kind(lambda: _enter(hk.custom_setter(_setter)))
    out["intercept_outside"] = _kind(
        lambda: _enter(hk.intercept_methods(lambda f, a, k, c: f(*a, **k)))
    )

    leaked = []

    def leak(x):
        leaked.append(x)
        return x

    def use_leak(x):
        return hk.get_parameter("w", [], init=jnp.zeros) + leaked[0]

    jax.jit(leak)(1.0)
    hint = None
    try:
        hk.transform(use_leak).init(None, 1.0)
    except Exception as e:  # we record the type.
        hint = [type(e).__name__, "hk." in str(e)]
    out["tracer_hint"] = hint
    return out


# 22. Misuse across transforms.


def scenario_cross_transform() -> dict:
    kept = []

    def make(x):
        m = Dense(2)
        kept.append(m)
        return m(x)

    x = jnp.ones([1, 2])
    params = hk.transform(make).init(jax.random.PRNGKey(0), x)

    def reuse(x):
        return kept[0](x)

    inner = hk.transform(lambda x: Dense(2)(x))

    def nested_init(x):
        return inner.init(jax.random.PRNGKey(0), x)

    def nested_apply(x):
        return inner.apply(params, None, x)

    no_rng = hk.without_apply_rng(hk.transform(lambda x: Dense(2)(x)))
    return {
        "module_other_transform": _kind(lambda: hk.transform(reuse).apply(params, None, x)),
        "module_other_transform_init": _kind(lambda: hk.transform(reuse).init(None, x)),
        "nested_init": _kind(lambda: hk.transform(nested_init).init(None, x)),
        "nested_apply": _kind(lambda: hk.transform(nested_apply).init(None, x)),
        "no_rng_apply_given_rng": _kind(lambda: no_rng.apply(params, jax.random.PRNGKey(0), x)),
        "no_rng_apply_kw": _kind(lambda: no_rng.apply(params, x=x)),
    }


def scenario_data_structures() -> dict:
    ds = hk.data_structures
    p = {"a": {"w": jnp.ones([2])}, "b": {"w": jnp.ones([3]), "v": jnp.zeros([1])}}
    cases = {
        "partition_not_callable": lambda: ds.partition("a", p),
        "partition_flat": lambda: ds.partition(lambda m, n, v: True, {"w": jnp.ones([2])}),
        "filter_not_callable": lambda: ds.filter(1, p),
        "merge_flat": lambda: ds.merge({"w": jnp.ones([2])}, p),
        "merge_none": lambda: ds.merge(None, p),
        "to_haiku_dict_bad": lambda: ds.to_haiku_dict({"a": 1}),
        "traverse_flat": lambda: list(ds.traverse({"w": jnp.ones([2])})),
        "tree_size_ok": lambda: ds.tree_size(p),
        "is_subset_flat": lambda: ds.is_subset(subset={"w": 1}, superset=p),
        "partition_n_bad": lambda: ds.partition_n(lambda m, n, v: 5, p, 2),
        "partition_n_zero": lambda: ds.partition_n(lambda m, n, v: 0, p, 0),
        "map_not_callable": lambda: ds.map(3, p),
        "to_immutable_none": lambda: ds.to_immutable_dict(None),
    }
    return {k: _kind(fn) for k, fn in cases.items()}


class _Plain(hk.Module):
    def __call__(self):
        return 1


def _in(fn: Callable[[], Any], state: bool = False) -> Callable[[], Any]:
    """Runs ``fn`` inside init of a transform."""
    if state:
        return lambda: hk.transform_with_state(fn).init(jax.random.PRNGKey(0))
    return lambda: hk.transform(fn).init(jax.random.PRNGKey(0))


def scenario_misuse_types() -> dict:
    t = hk.transform(lambda: hk.get_parameter("w", [], init=jnp.zeros))
    ts = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))
    key = jax.random.PRNGKey(0)
    cases = {
        "get_state_outside": lambda: hk.get_state("s", [], init=jnp.zeros),
        "set_state_outside": lambda: hk.set_state("s", 1),
        "running_init_outside": hk.running_init,
        "current_name_outside": hk.current_name,
        "name_scope_outside": lambda: _enter(hk.name_scope("x")),
        "deferred_outside": lambda: hk.Deferred(_Plain),
        "name_scope_empty": _in(lambda: hk.name_scope("")),
        "name_scope_double_slash": _in(lambda: _enter(hk.name_scope("a//b"))),
        "name_scope_bad_part": _in(lambda: _enter(hk.name_scope("a/1b"))),
        "module_name_int": _in(lambda: _Plain(name=3)),
        "param_name_slash": _in(lambda: hk.get_parameter("a/b", [], init=jnp.zeros)),
        "next_rng_keys_negative": lambda: hk.transform(lambda: hk.next_rng_keys(-1)).apply({}, key),
        "state_not_mapping": lambda: ts.apply({}, [1], None),
        "state_flat": lambda: ts.apply({}, {"s": jnp.zeros([])}, None),
        "apply_missing_args": lambda: t.apply(),
        "init_missing_rng": lambda: t.init(),
        "without_state_bad": lambda: hk.without_state(t),
        "with_empty_state_bad": lambda: hk.with_empty_state(ts),
        "without_apply_rng_bad": lambda: hk.without_apply_rng(lambda: 1),
        "to_module_bad": lambda: hk.to_module(3),
        "custom_getter_bad": _in(lambda: _enter(hk.custom_getter(3))),
        "custom_creator_bad": _in(lambda: _enter(hk.custom_creator(3))),
        "custom_setter_bad": _in(lambda: _enter(hk.custom_setter(3))),
        "intercept_bad": _in(lambda: _enter(hk.intercept_methods(3))),
        "with_rng_none": _in(lambda: _enter(hk.with_rng(None))),
        "param_none_init_result": _in(lambda: hk.get_parameter("w", [], init=lambda s, d: None)),
        "state_wrong_shape_apply": lambda: hk.transform_with_state(
            lambda: hk.get_state("s", [2], init=jnp.zeros)
        ).apply({}, {"~": {"s": jnp.zeros([3])}}, None),
        "multi_transform_not_tuple": lambda: hk.multi_transform(lambda: 1),
        "seq_take_negative": lambda: hk.PRNGSequence(0).take(-1),
        "seq_reserve_negative": lambda: hk.PRNGSequence(0).reserve(-1),
        "force_name_bad": _in(lambda: _Plain(name=hk.force_name("a/1b"))),
        "transparent_outside_module": _in(lambda: hk.transparent(lambda: 1)()),
    }
    return {k: _kind(fn) for k, fn in cases.items()}


SCENARIOS: dict[str, Callable[[], Any]] = {
    "getter_slices_stacked": scenario_getter_slices_stacked,
    "getter_shape_errors": scenario_getter_shape_errors,
    "nested_policies": scenario_nested_policies,
    "protocol_module": scenario_protocol_module,
    "naming": scenario_naming,
    "deferred": scenario_deferred,
    "do_not_store": scenario_do_not_store,
    "rng_impls": scenario_rng_impls,
    "introspection": scenario_introspection,
    "error_types": scenario_error_types,
    "cross_transform": scenario_cross_transform,
    "data_structures": scenario_data_structures,
    "misuse_types": scenario_misuse_types,
}


def run_all() -> dict:
    out = {}
    for name, fn in SCENARIOS.items():
        try:
            out[name] = fn()
        except Exception as e:  # we record the type.
            out[name] = f"SCENARIO FAILED: {type(e).__name__}: {e}"
    return out
