"""hk.experimental.jaxpr_info against dm-haiku 0.0.17's format_module output."""

from __future__ import annotations

import importlib.util

import jax
import jax.numpy as jnp
import pytest
import tools_cases

import haiku as hk
from haiku.experimental import jaxpr_info

HAS_LAYERS = all(importlib.util.find_spec(m) for m in ("haiku_layers", "haiku_nets"))


def test_format_matches_dm_haiku(golden):
    expected = golden["jaxpr_info"]
    ours = tools_cases.jaxpr_info_values(include_layers=HAS_LAYERS)
    if not HAS_LAYERS:
        expected = {k: v for k, v in expected.items() if not k.startswith("layers_")}
    assert ours == expected


def test_model_info_structure():
    f = hk.transform_with_state(tools_cases.jaxpr_model)
    x = jnp.ones([1, 4])
    params, state = f.init(jax.random.PRNGKey(0), x)
    info = jaxpr_info.make_model_info(f.apply)(params, state, None, x)
    scope = info.expressions[0]
    assert scope.primitive == "name_scope" and scope.submodule.name == "stateful"
    module = scope.submodule
    assert module.param_info == {"./w": "f32[4,4]"} and module.total_param_size == 16
    assert module.state_info == {"./c": "f32[4]"} and module.total_state_size == 4
    mul = info.expressions[-1]
    assert mul.primitive == "mul" and mul.name_stack == [] and mul.first_outvar == mul.outvars


def test_html():
    info = jaxpr_info.make_model_info(jnp.tanh)(jnp.ones([2]))
    page = jaxpr_info.as_html_page(info)
    assert page.startswith("<!DOCTYPE html>") and "tanh" in page
    assert jaxpr_info.css() in page and jaxpr_info.js() in page
    assert "in f32[2], out f32[2]" in jaxpr_info.as_html(info)


def test_bad_input():
    with pytest.raises(TypeError, match="make_model_info needs a function"):
        jaxpr_info.make_model_info(None)


@pytest.mark.skipif(not HAS_LAYERS, reason="needs haiku-layers and haiku-nets")
@pytest.mark.parametrize("variant", ["plain", "flops", "empty_name", "named", "jit"])
def test_counts_and_root_name_match_dm_haiku(golden17, variant):
    # `4.624 kparams` (SI prefixes above 1000) and the traced function's own name (#17 item 20).
    import tools17_cases

    assert tools17_cases.jaxpr_info_values()[variant] == golden17["jaxpr_info"][variant]


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 params"),
        (999, "999 params"),
        (1000, "1000 params"),
        (1001, "1.001 kparams"),
        (4624, "4.624 kparams"),
        (10**6, "1000 kparams"),
        (123456789, "123.5 Mparams"),
        (10**19, "10 Eparams"),
    ],
)
def test_count_text(n, text):
    from haiku_tools.jaxpr_info import count_text

    assert count_text(n, "params") == text


def test_root_is_named_after_the_transformed_function():
    f = hk.transform(lambda x: tools_cases.Zero()(x))
    params = f.init(jax.random.PRNGKey(0), jnp.ones([4]))
    info = jaxpr_info.make_model_info(f.apply)(params, None, jnp.ones([4]))
    assert info.name == "apply_fn"


def test_grad_leaves_out_the_unused_forward_pass():
    # Under jax.grad the forward result is dead code; dm-haiku's report leaves it out.
    def loss(x):
        return jnp.sum(jnp.sin(x) * 2.0)

    info = jaxpr_info.make_model_info(jax.grad(loss))(jnp.ones([3]))
    text = jaxpr_info.format_module(info)
    assert "reduce_sum" not in text and "cos" in text


def test_remat_is_shown_as_remat():
    info = jaxpr_info.make_model_info(jax.checkpoint(jnp.sin))(jnp.ones([3]))
    assert [e.submodule.name for e in info.expressions if e.submodule] == ["remat"]
