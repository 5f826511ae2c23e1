"""Scenarios of issue #17's wrapper items, runnable under dm-haiku 0.0.17 and our haiku.

``run_all()`` returns ``(arrays, facts)``: ``arrays`` maps ``case/leaf`` to numpy arrays
(params, state, outputs, keys), ``facts`` maps a case to JSON-able observations (exception
type names, trace counts, ``lifted_prefix_name`` values, tree shapes). The goldens are
written by ``make_jaxwrap_issue17.py`` under dm-haiku; ``tests/jaxwrap/test_golden_edge_cases.py``
compares ours with them. Only the public ``hk`` API is used.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

KEY = jax.random.PRNGKey(7)


def _flat(prefix, tree, arrays):
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        arrays[prefix + jax.tree_util.keystr(path)] = np.asarray(leaf)


def _error(fn):
    """The exception type name raised by ``fn()``, or ``'ok'``."""
    try:
        fn()
    except Exception as e:  # the type is the observation
        return type(e).__name__ if isinstance(e, (ValueError, TypeError)) else "other"
    return "ok"


def _error_base(fn):
    """``'ValueError'``/``'TypeError'``/``'ok'``: the builtin class users catch."""
    try:
        fn()
    except ValueError:
        return "ValueError"
    except TypeError:
        return "TypeError"
    return "ok"


def _shapes(tree):
    return jax.tree.map(lambda a: list(np.shape(a)), tree)


# Item 5: hk.vmap(split_rng=True) at init fails only when a parameter would differ per
# element.
def _vmap_split_rng(arrays, facts):
    x = jnp.arange(6.0).reshape(3, 2)

    def noise_only(x):
        return hk.vmap(lambda x: x + jax.random.normal(hk.next_rng_key(), x.shape), split_rng=True)(
            x
        )

    def const_param(x):
        return hk.vmap(
            lambda x: (
                x * hk.get_parameter("w", [2], init=jnp.ones)
                + jax.random.uniform(hk.next_rng_key())
            ),
            split_rng=True,
        )(x)

    def const_state(x):
        def f(x):
            s = hk.get_state("s", [2], init=jnp.zeros)
            return x + s

        return hk.vmap(f, split_rng=True)(x)

    def random_param(x):
        return hk.vmap(
            lambda x: x * hk.get_parameter("w", [2], init=hk.initializers.RandomNormal()),
            split_rng=True,
        )(x)

    for name, fn in [
        ("noise_only", noise_only),
        ("const_param", const_param),
        ("const_state", const_state),
    ]:
        t = hk.transform_with_state(fn)
        params, state = t.init(KEY, x)
        out, _ = t.apply(params, state, KEY, x)
        _flat(f"vmap_split_{name}/params", params, arrays)
        _flat(f"vmap_split_{name}/state", state, arrays)
        _flat(f"vmap_split_{name}/out", out, arrays)
    facts["vmap_split_random_param_init"] = _error(lambda: hk.transform(random_param).init(KEY, x))


# Item 19: hk.vmap(in_axes=None); state / RNG in a while_loop cond_fun.
def _validations(arrays, facts):
    def no_axes(x):
        return hk.vmap(lambda x: x, in_axes=None, split_rng=False)(x)

    def no_axes_sized(x):
        return hk.vmap(lambda x: x, in_axes=None, axis_size=2, split_rng=False)(x)

    def no_axes_tuple(x):
        return hk.vmap(lambda x, y: x, in_axes=(None, None), split_rng=False)(x, x)

    for name, fn in [("none", no_axes), ("none_sized", no_axes_sized), ("tuple", no_axes_tuple)]:
        facts[f"vmap_in_axes_{name}"] = _error(
            lambda fn=fn: hk.transform(fn).apply({}, None, jnp.ones(3))
        )

    def reads_state(x):
        limit = hk.get_state("limit", [], init=lambda *_: jnp.float32(10))
        return hk.while_loop(lambda v: v + hk.get_state("limit") * 0 < limit, lambda v: v * 2, x)

    def sets_state(x):
        def cond(v):
            hk.set_state("seen", v)
            return v < 10

        return hk.while_loop(cond, lambda v: v * 2, x)

    def draws_key(x):
        return hk.while_loop(
            lambda v: v + jax.random.uniform(hk.next_rng_key()) < 10, lambda v: v * 2, x
        )

    t = hk.transform_with_state(reads_state)
    out, _ = t.apply({}, {"~": {"limit": jnp.float32(10)}}, None, jnp.float32(1))
    arrays["while_cond_reads_state/out"] = np.asarray(out)
    facts["while_cond_sets_state"] = _error(
        lambda: hk.transform_with_state(sets_state).apply({}, {}, KEY, jnp.float32(1))
    )
    facts["while_cond_draws_key"] = _error(
        lambda: hk.transform(draws_key).apply({}, KEY, jnp.float32(1))
    )


# Item 7: reserved keys used in loop bodies; a zero-length scan creating state at init.
def _reserved_keys(arrays, facts):  # noqa: C901 - one golden scenario per loop kind
    def draw10(c, x):
        for _ in range(10):
            hk.next_rng_key()
        return c, x

    def scan_fn(n):
        def f():
            hk.reserve_rng_keys(5)
            hk.scan(draw10, (), (), length=n)
            return hk.next_rng_key()

        return f

    def fori_fn(n):
        def f():
            hk.reserve_rng_keys(5)
            hk.fori_loop(0, n, lambda i, v: draw10(None, v)[1], 1)
            return hk.next_rng_key()

        return f

    def while_fn():
        hk.reserve_rng_keys(5)

        def body(i):
            hk.next_rng_key()
            hk.next_rng_key()
            return i + 1

        if hk.running_init():
            body(0)
        else:
            hk.while_loop(lambda i: i < 7, body, 0)
        return hk.next_rng_key()

    def reserve_inside():
        def body(c, x):
            hk.reserve_rng_keys(3)
            return c + jax.random.uniform(hk.next_rng_key()), x

        c, _ = hk.scan(body, jnp.float32(0), jnp.arange(4.0))
        return c, hk.next_rng_key()

    with hk.config.context(rng_reserve_size=7):
        cases = {f"scan{n}": scan_fn(n) for n in (0, 1, 2, 8)}
        cases.update({f"fori{n}": fori_fn(n) for n in (0, 1, 2, 8)})
        cases["while"] = while_fn
        cases["reserve_inside_scan"] = reserve_inside
        for name, fn in cases.items():
            t = hk.transform_with_state(lambda fn=fn: hk.set_state("out", fn()))
            _, state = t.init(KEY)
            arrays[f"reserved_{name}/init"] = np.asarray(jax.tree.leaves(state)[-1] if state else 0)
            _, state = t.apply({}, state if state else {}, KEY)
            _flat(f"reserved_{name}/apply", state, arrays)

    def zero_scan(xs):
        def body(c, x):
            s = hk.get_state("s", [], init=jnp.ones)
            hk.set_state("s", s + jnp.sum(x))
            w = hk.get_parameter("w", [], init=jnp.ones)
            return c + s * w, x * 2

        return hk.scan(body, jnp.float32(0), xs)

    for name, xs in [("zero", jnp.zeros([0])), ("zero_2d", jnp.zeros([0, 3]))]:
        t = hk.transform_with_state(zero_scan)
        params, state = t.init(KEY, xs)
        out, new_state = t.apply(params, state, None, xs)
        _flat(f"scan_{name}/params", params, arrays)
        _flat(f"scan_{name}/state", state, arrays)
        _flat(f"scan_{name}/out", out, arrays)
        _flat(f"scan_{name}/new_state", new_state, arrays)


# Item 8: one function serving several branches is traced once.
def _branch_traces(arrays, facts):
    calls = []

    def f(x):
        calls.append("f")
        return x**2 + hk.get_parameter("w", [], init=jnp.ones)

    def g(x):
        calls.append("g")
        return x**2 + hk.get_parameter("w", [], init=jnp.ones)

    t = hk.transform(lambda x: hk.cond(x > 0, f, f, x))
    params = t.init(KEY, 2.0)
    facts["cond_same_fn_init_traces"] = len(calls)
    out = t.apply(params, None, -2.0)
    facts["cond_same_fn_total_traces"] = len(calls)
    _flat("cond_same_fn/params", params, arrays)
    arrays["cond_same_fn/out"] = np.asarray(out)
    del calls[:]
    t = hk.transform(lambda i, x: hk.switch(i, [f, g] * 3, x))
    params = t.init(KEY, 1, 2.0)
    facts["switch_same_fn_init_traces"] = [calls.count("f"), calls.count("g")]
    out = t.apply(params, None, 3, 2.0)
    facts["switch_same_fn_total_traces"] = [calls.count("f"), calls.count("g")]
    _flat("switch_same_fn/params", params, arrays)
    arrays["switch_same_fn/out"] = np.asarray(out)


# Item 9: hk.remat with an integer-dtype parameter under jax.grad.
def _remat_int(arrays, facts):
    def f(x):
        def inner(x):
            n = hk.get_parameter("n", [], jnp.int32, init=lambda s, d: jnp.full(s, 3, d))
            w = hk.get_parameter("w", [2], init=jnp.ones)
            return jnp.sum(jnp.sin(x * w) * n)

        return hk.remat(inner)(x)

    t = hk.without_apply_rng(hk.transform(f))
    x = jnp.array([0.5, 1.5])
    params = t.init(None, x)
    gx = jax.grad(lambda x: t.apply(params, x))(x)
    gp = jax.grad(t.apply, allow_int=True)(params, x)
    arrays["remat_int/grad_x"] = np.asarray(gx)
    arrays["remat_int/grad_w"] = np.asarray(gp["~"]["w"])
    facts["remat_int/grad_n_dtype"] = str(gp["~"]["n"].dtype)


# Item 6: layer_stack with state, and under jax.checking_leaks.
def _layer_stack(arrays, facts):
    def stateful(x):
        @hk.layer_stack(3)
        def layer(x):
            n = hk.get_state("count", [], init=jnp.zeros)
            hk.set_state("count", n + 1)
            m = hk.get_state("mean", x.shape[-1:], init=jnp.ones)
            hk.set_state("mean", 0.9 * m + 0.1 * x.mean(0))
            w = hk.get_parameter("w", [x.shape[-1]] * 2, init=hk.initializers.TruncatedNormal(0.5))
            return jnp.tanh(x @ w) + n

        return layer(x)

    def per_layer(x, ys):
        @hk.layer_stack(4, with_per_layer_inputs=True)
        def layer(x, y):
            total = hk.get_state("total", [], init=jnp.zeros)
            hk.set_state("total", total + y)
            return x * hk.get_parameter("s", [], init=jnp.ones) + total, total * 2

        return layer(x, ys)

    x = jnp.linspace(-1.0, 1.0, 8).reshape(2, 4)
    with jax.checking_leaks():
        t = hk.transform_with_state(stateful)
        params, state = t.init(KEY, x)
        out, state2 = t.apply(params, state, KEY, x)
        out3, state3 = t.apply(params, state2, KEY, x)
    facts["layer_stack_state/names"] = [list(params), list(state)]
    _flat("layer_stack_state/params", params, arrays)
    _flat("layer_stack_state/state", state, arrays)
    _flat("layer_stack_state/out", [out, out3], arrays)
    _flat("layer_stack_state/new_state", [state2, state3], arrays)

    t = hk.transform_with_state(per_layer)
    ys = jnp.arange(4.0)
    params, state = t.init(KEY, jnp.ones([2]), ys)
    out, state2 = t.apply(params, state, KEY, jnp.ones([2]), ys)
    facts["layer_stack_per_layer/names"] = [list(params), list(state)]
    _flat("layer_stack_per_layer/state", state, arrays)
    _flat("layer_stack_per_layer/out", out, arrays)
    _flat("layer_stack_per_layer/new_state", state2, arrays)

    def plain(x):
        @hk.layer_stack(2)
        def layer(x):
            return jnp.tanh(x @ hk.get_parameter("w", [4, 4], init=hk.initializers.Orthogonal()))

        return layer(x)

    with jax.checking_leaks():
        t = hk.transform(plain)
        params = t.init(KEY, x)
        out = t.apply(params, None, x)
    arrays["layer_stack_leaks/out"] = np.asarray(out)


# Item 10: hk.experimental.fast_eval_shape inside init.
def _fast_eval_shape(arrays, facts):
    def f(x):
        shape = hk.experimental.fast_eval_shape(
            lambda x: x @ hk.get_parameter("probe", [4, 3], init=jnp.ones), x
        )
        w = hk.get_parameter("w", [4, shape.shape[-1]], init=hk.initializers.RandomNormal())
        return x @ w

    x = jnp.ones([2, 4])
    with jax.checking_leaks():
        t = hk.transform(f)
        params = t.init(KEY, x)
    facts["fast_eval_shape/params"] = _shapes(params)
    _flat("fast_eval_shape/params", params, arrays)


# Item 11: lifted_prefix_name and lift misuse.
def _lift(arrays, facts):
    def with_lift(f):
        def g(x):
            inner = hk.transform(f)
            return inner.apply(hk.lift(inner.init, name="inner")(None, x), None, x)

        return g

    def with_transparent(f):
        def g(x):
            inner = hk.transform(f)
            return inner.apply(hk.transparent_lift(inner.init)(None, x), None, x)

        return g

    kinds = {
        "lift": with_lift,
        "transparent": with_transparent,
        "nested_lift": lambda f: with_lift(with_lift(f)),
        "nested_transparent": lambda f: with_transparent(with_transparent(f)),
    }
    for kind, wrap in kinds.items():
        seen = []

        def creator(next_creator, shape, dtype, init, context):
            seen.append(["creator", context.lifted_prefix_name, context.full_name])  # noqa: B023
            return next_creator(shape, dtype, init)

        def getter(next_getter, value, context):
            seen.append(["getter", context.lifted_prefix_name, context.full_name])  # noqa: B023
            return next_getter(value)

        class Outer(hk.Module):
            def __call__(self, x):
                with hk.custom_getter(getter), hk.custom_creator(creator):
                    return wrap(lambda x: x + hk.get_parameter("b", [], init=jnp.zeros))(x)  # noqa: B023

        t = hk.transform(lambda x: Outer(name="outer")(x))
        params = t.init(None, 1.0)
        facts[f"lift_prefix_{kind}/init"] = list(seen)
        del seen[:]
        t.apply(params, None, 1.0)
        facts[f"lift_prefix_{kind}/apply"] = list(seen)
        facts[f"lift_prefix_{kind}/params"] = list(params)

    stateful_inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))
    stateless_inner = hk.transform_with_state(lambda: None)
    facts["lift_misuse/state_in_lift"] = _error_base(
        lambda: hk.transform(lambda: hk.lift(stateful_inner.init)(None)).init(None)
    )
    facts["lift_misuse/with_state_init_in_lift"] = _error_base(
        lambda: hk.transform(lambda: hk.lift(stateless_inner.init)(None)).init(None)
    )
    facts["lift_misuse/lift_outside"] = _error(lambda: hk.lift(lambda: {}))
    facts["lift_misuse/lift_with_state_outside"] = _error(
        lambda: hk.lift_with_state(lambda: ({}, {}))
    )
    facts["lift_misuse/transparent_outside"] = _error(lambda: hk.transparent_lift(lambda: {}))

    def unused():
        hk.lift_with_state(stateless_inner.init)

    def used_twice():
        _, updater = hk.lift_with_state(stateless_inner.init)
        updater.update({})
        updater.ignore_update()

    def reused():
        inner = hk.transform(lambda: hk.get_parameter("w", [], init=jnp.zeros))
        lifted = hk.lift(inner.init, name="x")
        lifted(None)
        lifted(None)

    facts["lift_misuse/unused_updater"] = _error(lambda: hk.transform_with_state(unused).init(None))
    facts["lift_misuse/updater_used_twice"] = _error(
        lambda: hk.transform_with_state(used_twice).init(None)
    )
    facts["lift_misuse/reused"] = _error(lambda: hk.transform(reused).init(None))

    def other_transform():
        _, updater = hk.lift_with_state(stateless_inner.init)
        hk.transform_with_state(lambda: updater.ignore_update()).init(None)

    facts["lift_misuse/updater_in_other_transform"] = _error(
        lambda: hk.transform_with_state(other_transform).init(None)
    )


def _mro(fn):
    """The builtin exception classes ``fn()`` raises an instance of (most derived first)."""
    try:
        fn()
    except Exception as e:  # the type is the observation
        return [
            c.__name__
            for c in type(e).__mro__
            if c.__module__ == "builtins" and c not in (BaseException, Exception, object)
        ]
    return []


# Item 19: exception types of jaxwrap misuse (users catch them).
def _exception_types(arrays, facts):
    def init(f, *args):
        return lambda: hk.transform(f).init(KEY, *args)

    x1 = jnp.ones(1)
    cases = {
        "scan_without_length": init(lambda: hk.scan(lambda c, x: (c, x), 0.0, ())),
        "layer_stack_varargs": lambda: hk.layer_stack(2)(lambda *xs: xs[0]),
        "layer_stack_per_layer_axis": init(
            lambda x: hk.layer_stack(2, with_per_layer_inputs=True)(lambda x, y: (x, y))(
                x, jnp.ones(3)
            ),
            x1,
        ),
        "layer_stack_shape_change": init(
            lambda x: hk.layer_stack(2)(lambda x: jnp.concatenate([x, x]))(x), x1
        ),
        "cond_operand_twice": init(
            lambda x: hk.cond(True, lambda x: x, lambda x: x, x, operand=x), 1.0
        ),
        "updater_given_non_mapping": lambda: hk.transform_with_state(
            lambda: hk.lift_with_state(lambda: ({}, {}))[1].update(3)
        ).init(None),
        "vmap_in_axes_none": lambda: hk.vmap(lambda x: x, in_axes=None, split_rng=False),
        "while_loop_at_init": init(lambda: hk.while_loop(lambda v: v < 1, lambda v: v + 1, 0)),
    }
    for name, fn in cases.items():
        facts[f"exc_type/{name}"] = _mro(fn)


SCENARIOS = [
    _exception_types,
    _vmap_split_rng,
    _validations,
    _reserved_keys,
    _branch_traces,
    _remat_int,
    _layer_stack,
    _fast_eval_shape,
    _lift,
]


def run_all():
    arrays, facts = {}, {}
    for scenario in SCENARIOS:
        scenario(arrays, facts)
    return arrays, facts
