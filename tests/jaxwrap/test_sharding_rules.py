"""hk.sharding without plugins or devices: patterns, rules, logical axes, errors, laziness."""

from __future__ import annotations

import re
import subprocess
import sys

import jax
import jax.numpy as jnp
import pytest
from jax.sharding import PartitionSpec as P

pytest.importorskip("haiku_jaxwrap")

import haiku as hk
from haiku._src.hooks import HOOKS

RNG = jax.random.PRNGKey(0)


def dense(x, size, name):
    with hk.name_scope(name):
        w = hk.get_parameter("w", [x.shape[-1], size], init=hk.initializers.RandomNormal())
        b = hk.get_parameter("b", [size], init=jnp.zeros)
    return x @ w + b


def two_layers(x):
    return dense(jax.nn.relu(dense(x, 8, "up")), 4, "down")


def one_device_mesh(*names):
    return hk.sharding.make_mesh((1,) * len(names), names, devices=jax.devices()[:1])


# -- patterns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "pattern,name,matches",
    [
        ("w", "mlp/~/linear_0/w", True),
        ("w", "mlp/~/linear_0/bw", False),
        ("linear_0/w", "mlp/~/linear_0/w", True),
        ("mlp/~/linear_0/w", "transformer/block_3/mlp/~/linear_0/w", True),
        ("linear_*/w", "mlp/~/linear_12/w", True),
        ("linear_*/w", "mlp/linear_1/x/w", False),
        ("mlp/**/w", "mlp/~/linear_1/w", True),
        ("/linear/w", "outer/linear/w", False),
        ("/linear/w", "linear/w", True),
        ("{query,key}/w", "attention/key/w", True),
        ("{query,key}/w", "attention/value/w", False),
        ("*norm/scale", "block_0/attention_norm/scale", True),
        ("linear_?/w", "linear_1/w", True),
        ("linear_?/w", "linear_10/w", False),
    ],
)
def test_glob_patterns_match_path_suffixes(pattern, name, matches):
    assert (hk.sharding.compile_pattern(pattern).search(name) is not None) is matches


def test_regex_patterns_are_used_as_is():
    regex = re.compile(r"linear_\d+/w$")
    assert hk.sharding.compile_pattern(regex) is regex


@pytest.mark.parametrize("bad", ["", "/", 3, None, ["w"]])
def test_bad_patterns_raise(bad):
    with pytest.raises(TypeError, match="pattern"):
        hk.sharding.compile_pattern(bad)


def test_unclosed_brace_raises():
    with pytest.raises(ValueError, match="closing"):
        hk.sharding.compile_pattern("{query,key/w")


# -- LogicalAxisRules ---------------------------------------------------------------


def test_rules_map_names_and_replicate_unknown_ones():
    rules = hk.sharding.LogicalAxisRules(
        [("batch", ("data", "fsdp")), ("mlp", "model"), ("embed", None)]
    )
    assert rules.mesh_axes(("batch", "mlp")) == P(("data", "fsdp"), "model")
    assert rules.mesh_axes(("embed", "unknown", None)) == P(None, None, None)
    assert rules.mesh_axes(P("mlp")) == P("model")
    assert rules.mesh_axis_names == {"data", "fsdp", "model"}


def test_rules_use_each_mesh_axis_once_and_fall_back_to_later_candidates():
    rules = hk.sharding.LogicalAxisRules([("heads", "model"), ("mlp", "model"), ("mlp", "data")])
    assert rules.mesh_axes(("heads", "mlp")) == P("model", "data")
    assert rules.mesh_axes(("mlp", "heads")) == P("model", None)


def test_strict_rules_reject_unknown_names():
    rules = hk.sharding.LogicalAxisRules({"mlp": "model"}, strict=True)
    with pytest.raises(ValueError, match="'emebd'.*Known: \\['mlp'\\]"):
        rules.mesh_axes(("emebd", "mlp"))


def test_rules_repr_round_trips():
    rules = hk.sharding.LogicalAxisRules([("batch", "data"), ("mlp", ("a", "b")), ("x", None)])
    assert repr(rules) == "LogicalAxisRules([('batch', 'data'), ('mlp', ('a', 'b')), ('x', None)])"
    assert hk.sharding.LogicalAxisRules(rules).rules == rules.rules


@pytest.mark.parametrize(
    "bad,match",
    [
        ({"mlp": 3}, "'mlp' must map to a mesh axis"),
        ({"": "model"}, "non-empty strings"),
        ([("mlp",)], "pairs"),
    ],
)
def test_bad_rules_raise(bad, match):
    with pytest.raises(TypeError, match=match):
        hk.sharding.LogicalAxisRules(bad)


def test_rules_naming_missing_mesh_axes_raise_with_the_mesh_axes():
    mesh = one_device_mesh("data")
    with pytest.raises(ValueError, match=r"\['mlp'\] to mesh axes \['model'\].*\['data'\]"):
        with hk.sharding.axis_rules({"mlp": "model"}, mesh):
            pass


# -- logical axes of parameters -----------------------------------------------------


def test_model_wide_rules_and_per_layer_overrides():
    f = hk.transform(_override)
    with hk.sharding.logical_axes({"w": ("embed", "mlp"), "b": ("mlp",)}):
        axes = hk.sharding.param_logical_axes(f.init, RNG, jnp.ones([2, 4]))
    assert axes == {
        "up": {"w": P("embed", "mlp"), "b": P("mlp")},
        "down": {"w": P("mlp", "embed"), "b": P("embed")},
    }
    assert list(axes) == ["up", "down"] and list(axes["up"]) == ["w", "b"]


def _override(x):
    x = dense(x, 8, "up")
    with hk.sharding.logical_axes(w=("mlp", "embed"), b=("embed",)):
        return dense(x, 4, "down")


def test_first_matching_rule_wins_and_unmatched_params_are_replicated():
    f = hk.transform(two_layers)
    with hk.sharding.logical_axes([("up/w", ("embed", "mlp")), ("w", ("x", "y"))]):
        axes = hk.sharding.param_logical_axes(f.init, RNG, jnp.ones([2, 4]))
    assert axes["up"]["w"] == P("embed", "mlp")
    assert axes["down"]["w"] == P("x", "y")
    assert axes["down"]["b"] == P(None)


def test_state_gets_its_own_axes():
    def f(x):
        hk.get_state("count", [3], init=jnp.zeros)
        with hk.sharding.logical_axes(total=("embed",)):
            hk.set_state("total", jnp.zeros([2]))  # set_state runs no creator
        return dense(x, 3, "layer")

    f = hk.transform_with_state(f)
    with hk.sharding.logical_axes(count=("mlp",), w=("embed", "mlp")):
        params, state = hk.sharding.param_logical_axes(f.init, RNG, jnp.ones([1, 2]))
    assert state == {"~": {"count": P("mlp"), "total": P(None)}}
    with hk.sharding.logical_axes(total=("embed",)):  # model-wide rules still apply
        assert hk.sharding.param_logical_axes(f.init, RNG, jnp.ones([1, 2]))[1]["~"] == {
            "count": P(None),
            "total": P("embed"),
        }
    assert params["layer"]["w"] == P("embed", "mlp")


def test_wrong_number_of_names_raises_naming_param_and_pattern():
    f = hk.transform(two_layers)
    with hk.sharding.logical_axes(w=("embed",)):
        with pytest.raises(ValueError, match="pattern 'w'.*'down/w'.*shape \\(8, 4\\)"):
            hk.sharding.param_logical_axes(f.init, RNG, jnp.ones([2, 4]))


@pytest.mark.parametrize("axes,match", [("embed", "Did you mean"), (("embed", 1), "non-empty")])
def test_bad_axes_raise(axes, match):
    with pytest.raises(TypeError, match=match):
        with hk.sharding.logical_axes(w=axes):
            pass


def test_logical_axes_needs_a_rule():
    with pytest.raises(ValueError, match="at least one rule"):
        with hk.sharding.logical_axes():
            pass


def test_repeated_calls_trace_again():
    f = hk.transform(two_layers)
    x = jnp.ones([2, 4])
    with hk.sharding.logical_axes(w=("a", "b")):
        first = hk.sharding.param_logical_axes(f.init, RNG, x)
    with hk.sharding.logical_axes(w=("c", "d")):
        second = hk.sharding.param_logical_axes(f.init, RNG, x)
    assert first["up"]["w"] == P("a", "b") and second["up"]["w"] == P("c", "d")


def test_annotations_change_neither_params_nor_outputs():
    def annotated(x):
        with hk.sharding.logical_axes(w=("embed", "mlp")):
            return hk.sharding.constrain(two_layers(x), ("batch", None))

    plain, ann = hk.transform(two_layers), hk.transform(annotated)
    x = jnp.arange(8.0).reshape(2, 4)
    with hk.sharding.axis_rules({"batch": "data"}, one_device_mesh("data")):
        p_ann = ann.init(RNG, x)
        y_ann = jax.jit(ann.apply)(p_ann, None, x)
    p_plain = plain.init(RNG, x)
    assert jax.tree.structure(p_ann) == jax.tree.structure(p_plain)
    assert all(
        bool((a == b).all()) for a, b in zip(jax.tree.leaves(p_ann), jax.tree.leaves(p_plain))
    )
    assert jnp.allclose(y_ann, plain.apply(p_plain, None, x))


def test_no_hooks_are_installed_outside_the_spec_trace():
    seen = []

    def f(x):
        with hk.sharding.logical_axes(w=("embed", "mlp")):
            seen.append(
                (len(HOOKS.param_creators), len(HOOKS.param_getters), len(HOOKS.interceptors))
            )
            return two_layers(x)

    hk.transform(f).init(RNG, jnp.ones([1, 4]))
    assert seen == [(0, 0, 0)]
    with hk.sharding.logical_axes(w=("embed", "mlp")):
        hk.sharding.param_logical_axes(hk.transform(f).init, RNG, jnp.ones([1, 4]))
    assert seen[-1] == (1, 0, 0)
    assert not HOOKS.param_creators and not HOOKS.state_creators


# -- mesh specs and shardings -------------------------------------------------------


def test_param_partition_specs_and_logical_to_mesh():
    f = hk.transform(two_layers)
    with (
        hk.sharding.axis_rules({"mlp": "model", "embed": None}),
        hk.sharding.logical_axes(
            {"up/w": ("embed", "mlp"), "up/b": ("mlp",), "down/w": ("mlp", "embed")}
        ),
    ):
        specs = hk.sharding.param_partition_specs(f.init, RNG, jnp.ones([2, 4]))
        assert hk.sharding.logical_to_mesh(("mlp", None)) == P("model", None)
    assert specs == {
        "up": {"w": P(None, "model"), "b": P("model")},
        "down": {"w": P("model", None), "b": P(None)},
    }
    assert hk.sharding.logical_to_mesh([P("mlp")], {"mlp": "m"}) == [P("m")]


def test_param_shardings_and_abstract_params_on_one_device():
    f = hk.transform(two_layers)
    mesh = one_device_mesh("data", "model")
    x = jnp.ones([2, 4])
    with (
        hk.sharding.axis_rules({"mlp": "model"}, mesh),
        hk.sharding.logical_axes(w=("embed", "mlp")),
    ):
        shardings = hk.sharding.param_shardings(f.init, RNG, x)
        target = hk.sharding.abstract_params(f.init, RNG, x)
    assert shardings["up"]["w"] == jax.sharding.NamedSharding(mesh, P(None, "model"))
    assert target["down"]["w"].shape == (8, 4) and target["down"]["w"].dtype == jnp.float32
    params = jax.jit(f.init, out_shardings=shardings)(RNG, x)
    assert jnp.array_equal(params["up"]["w"], f.init(RNG, x)["up"]["w"])


def test_missing_context_raises_with_a_hint():
    f = hk.transform(two_layers)
    with pytest.raises(ValueError, match="needs axis rules and a mesh.*axis_rules"):
        hk.sharding.param_shardings(f.init, RNG, jnp.ones([1, 4]))
    with hk.sharding.axis_rules({"mlp": "model"}):
        with pytest.raises(ValueError, match="needs axis rules and a mesh"):
            hk.sharding.abstract_params(f.init, RNG, jnp.ones([1, 4]))
    with pytest.raises(ValueError, match="needs axis rules"):
        hk.sharding.param_partition_specs(f.init, RNG, jnp.ones([1, 4]))
    with pytest.raises(TypeError, match="init function"):
        hk.sharding.param_logical_axes(f, RNG)


def test_mesh_must_be_a_mesh():
    with pytest.raises(TypeError, match="jax.sharding.Mesh"):
        with hk.sharding.axis_rules({}, mesh="devices"):
            pass


def test_indivisible_dimension_raises_naming_param_and_axis():
    if jax.device_count() < 2:
        pytest.skip("needs 2 devices")
    mesh = hk.sharding.make_mesh((2,), ("model",), devices=jax.devices()[:2])
    f = hk.transform(lambda x: dense(x, 3, "odd"))
    with (
        hk.sharding.axis_rules({"mlp": "model"}, mesh),
        hk.sharding.logical_axes(w=("embed", "mlp")),
    ):
        with pytest.raises(ValueError, match="'odd/w'.*dimension 1 \\(size 3.*'mlp'"):
            hk.sharding.param_shardings(f.init, RNG, jnp.ones([1, 4]))


# -- constrain ----------------------------------------------------------------------


def test_constrain_is_identity_without_rules():
    x = jnp.ones([2, 3])
    assert hk.sharding.constrain(x, ("batch", None)) is x


def test_constrain_checks_rank():
    with hk.sharding.axis_rules({"batch": "data"}, one_device_mesh("data")):
        with pytest.raises(ValueError, match="2 logical names.*shape \\(3,\\)"):
            hk.sharding.constrain(jnp.ones([3]), ("batch", None))


def test_constrain_without_mesh_uses_jax_set_mesh():
    mesh = one_device_mesh("data")
    f = lambda x: hk.sharding.constrain(x, ("batch",))  # noqa: E731
    with hk.sharding.axis_rules({"batch": "data"}):
        assert "sharding_constraint" not in str(jax.make_jaxpr(f)(jnp.ones([2])))
        with jax.sharding.use_abstract_mesh(mesh.abstract_mesh):
            assert "sharding_constraint" in str(jax.make_jaxpr(f)(jnp.ones([2])))


def test_current_axis_rules_nests():
    assert hk.sharding.current_axis_rules() == (None, None)
    with hk.sharding.axis_rules({"a": "x"}) as outer:
        with hk.sharding.axis_rules({"b": "y"}) as inner:
            assert hk.sharding.current_axis_rules() == (inner, None)
        assert hk.sharding.current_axis_rules() == (outer, None)


# -- packaging ----------------------------------------------------------------------


def test_sharding_loads_lazily():
    code = (
        "import sys, haiku as hk; assert 'haiku_jaxwrap' not in sys.modules; "
        "assert hk.sharding.constrain is not None; import haiku.sharding; "
        "assert sys.modules['haiku.sharding'] is hk.sharding; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stdout.strip() == "ok", out.stderr
    assert "sharding" not in hk.__all__ and "sharding" in dir(hk)  # a plugin name


def test_transformer_param_axes_are_read_only():
    pytest.importorskip("haiku_nets")
    axes = hk.nets.Transformer.param_axes()
    with pytest.raises(TypeError):
        axes["w"] = ("a", "b")  # type: ignore[index]
    assert axes["{query,key,value}/w"] == ("embed", "heads")
