"""Wrapper edge cases (issue #17) against values and behaviour recorded from dm-haiku 0.0.17.

The scenarios live in ``tests/golden/jaxwrap_issue17_cases.py`` (regenerate the goldens
with ``/work/refvenv/bin/python tests/golden/make_jaxwrap_issue17.py``).
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("haiku_jaxwrap")

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

from golden import load_json, load_npz


@pytest.fixture(scope="module")
def results():
    from golden import jaxwrap_issue17_cases

    arrays, facts = jaxwrap_issue17_cases.run_all()
    golden = load_npz("jaxwrap_issue17.npz")
    golden_facts = load_json("jaxwrap_issue17.json")
    return arrays, json.loads(json.dumps(facts)), golden, golden_facts


def _golden_groups(suffix):
    keys = load_npz("jaxwrap_issue17.npz") if suffix == "npz" else load_json("jaxwrap_issue17.json")
    return sorted({k.split("/")[0] for k in keys})


def test_same_arrays_and_facts(results):
    arrays, facts, golden, golden_facts = results
    assert sorted(arrays) == sorted(golden)
    assert sorted(facts) == sorted(golden_facts)


@pytest.mark.parametrize("case", _golden_groups("npz"))
def test_values(results, case):
    arrays, _, golden, _ = results
    for key in golden:
        if key.split("/")[0] == case:
            assert arrays[key].shape == golden[key].shape, key
            assert arrays[key].dtype == golden[key].dtype, key
            if golden[key].dtype.kind in "iub":
                np.testing.assert_array_equal(arrays[key], golden[key], err_msg=key)
            else:
                np.testing.assert_allclose(
                    arrays[key], golden[key], rtol=1e-6, atol=1e-6, err_msg=key
                )


@pytest.mark.parametrize("case", [c for c in _golden_groups("json") if c != "exc_type"])
def test_facts(results, case):
    _, facts, _, golden_facts = results
    for key, expected in golden_facts.items():
        if key.split("/")[0] == case:
            assert facts[key] == expected, key


def test_exception_types_catchable_as_in_dm_haiku(results):
    # Ours may raise a subclass (with a clearer message), but an `except` clause written
    # for dm-haiku's exception type must catch it.
    _, facts, _, golden_facts = results
    for key, expected in golden_facts.items():
        if key.startswith("exc_type/"):
            assert expected, key
            assert expected[0] in facts[key], (key, expected, facts[key])


def test_vmap_split_rng_init_error_names_the_fix():
    f = hk.transform(
        lambda x: hk.vmap(
            lambda x: x * hk.get_parameter("w", [], init=hk.initializers.RandomNormal()),
            split_rng=True,
        )(x)
    )
    with pytest.raises(ValueError, match=r"split_rng=\(not hk.running_init\(\)\)"):
        f.init(jax.random.PRNGKey(0), jnp.ones(3))


def test_vmap_in_axes_none_fails_at_construction():
    def body(x):
        return x

    with pytest.raises(ValueError, match="body must have at least one non-None value"):
        hk.vmap(body, in_axes=None, split_rng=False)


def test_while_loop_cond_fun_may_read_but_not_write_state():
    def f(x):
        def cond(v):
            hk.set_state("last", v)
            return v < 10

        return hk.while_loop(cond, lambda v: v * 2, x)

    with pytest.raises(ValueError, match="cond_fun"):
        hk.transform_with_state(f).apply({}, {}, None, 1.0)


def test_lift_with_transform_with_state_init_points_to_lift_with_state():
    inner = hk.transform_with_state(lambda: hk.get_state("s", [], init=jnp.zeros))
    with pytest.raises(ValueError, match="hk.lift_with_state"):
        hk.transform(lambda: hk.lift(inner.init)(None)).init(None)


def test_lift_outside_transform_fails_at_construction():
    with pytest.raises(ValueError, match="must be used as part of an `hk.transform`"):
        hk.lift(lambda: {})


def test_layer_stack_error_explanation_still_works_without_keeping_tracers():
    def f(x):
        return hk.layer_stack(2)(lambda x: x[:, :1])(x)

    with jax.checking_leaks(), pytest.raises(TypeError, match="same shapes"):
        hk.transform(f).init(None, jnp.ones([2, 3]))


class _Bias(hk.Module):
    """``x + b`` with a scalar parameter."""

    def __call__(self, x):
        return x + hk.get_parameter("b", (), init=jnp.ones)


def _lifted(lift_fn, nested: bool):
    """dm-haiku's lift_test scenario: the lifted function calls a module built outside."""

    def body(x):
        outer_defined = _Bias(name="inner")

        def inner_fn(x):
            return _Bias(name="inner")(outer_defined(x))

        init, apply = hk.transform(inner_fn)
        return apply(lift_fn(init)(None, x), None, x)

    if nested:
        return hk.transform(lambda x: hk.to_module(body)(name="outer")(x))
    return hk.transform(body)


@pytest.mark.parametrize("nested", [False, True])
def test_transparent_lift_refuses_a_closed_over_module(nested):
    # dm-haiku 0.0.17: ValueError "You can't functionally close over a module ... in
    # hk.transparent_lift"; hk.lift (which prefixes the inner names) accepts it.
    with pytest.raises(ValueError, match="close over a module.*transparent_lift"):
        _lifted(hk.transparent_lift, nested).init(None, jnp.ones([2]))
    params = _lifted(hk.lift, nested).init(None, jnp.ones([2]))
    # As dm-haiku names them (checked in its scratch venv).
    expected = ["outer/lifted/inner", "outer/lifted/outer/inner"] if nested else ["lifted/inner"]
    assert sorted(params) == expected


def test_transparent_lift_with_state_refuses_a_closed_over_module():
    def f(x):
        outer_defined = _Bias(name="inner")
        init, apply = hk.transform_with_state(lambda x: _Bias(name="inner")(outer_defined(x)))
        lifted_init, updater = hk.transparent_lift_with_state(init)
        params, state = lifted_init(None, x)
        out, state = apply(params, state, None, x)
        updater.update(state)
        return out

    with pytest.raises(ValueError, match="close over a module.*transparent_lift_with_state"):
        hk.transform_with_state(f).init(None, jnp.ones([2]))


def test_transparent_lift_of_modules_created_inside_still_works():
    def f(x):
        init, apply = hk.transform(lambda x: _Bias(name="b1")(_Bias(name="b2")(x)))
        return apply(hk.transparent_lift(init)(None, x), None, x)

    t = hk.transform(f)
    params = t.init(None, jnp.ones([2]))
    assert sorted(params) == ["b1", "b2"]
    np.testing.assert_allclose(t.apply(params, None, jnp.ones([2])), 3 * np.ones([2]))


@pytest.mark.parametrize("outer_remat", [False, True])
def test_int_parameter_created_inside_remat_is_an_array(outer_remat):
    # dm-haiku's stateful_test.test_create_module_inside_remat: jax.checkpoint returned the
    # constant int parameter as a literal (no .shape), which broke the next apply.
    def forward(x):
        for _ in range(2):
            x = hk.remat(
                lambda x: x ** hk.get_parameter("p", [], jnp.int32, init=lambda *_: jnp.array(2))
            )(x)
        return x

    f = hk.transform(forward)
    x = jnp.float32(3)
    params = f.init(None, x)
    assert isinstance(params["~"]["p"], jax.Array) and params["~"]["p"].dtype == jnp.int32
    grad = jax.grad(lambda x: f.apply(params, None, x))
    if outer_remat:
        grad = jax.remat(grad)
    assert float(grad(x)) == 4 * 3.0**3  # d/dx (x^2)^2, as dm-haiku gives (108)
