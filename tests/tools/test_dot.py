"""hk.to_dot / hk.experimental.abstract_to_dot: DOT text, clusters, and Graphviz rendering."""

from __future__ import annotations

import importlib.util
import shutil

import jax
import jax.numpy as jnp
import pytest

import haiku as hk

from golden import tools_cases


def _model():
    f = hk.transform_with_state(tools_cases.jaxpr_model)
    x = jnp.ones([1, 4])
    params, state = f.init(jax.random.PRNGKey(0), x)
    return f, params, state, x


def test_dot_of_a_model():
    f, params, state, x = _model()
    dot = hk.to_dot(f.apply)(params, state, None, x)
    assert dot.startswith("digraph G {") and dot.rstrip().endswith("}")
    assert "subgraph cluster_" in dot and "<b>stateful</b>" in dot
    for label in (
        "args[0]: stateful/w",
        "args[1]: stateful/c",
        "args[3]",
        "tanh",
        "dot_general",
        "<b>output[0]</b>",
    ):
        assert label in dot, label
    assert dot == hk.to_dot(f.apply)(params, state, None, x)  # deterministic


def test_abstract_to_dot_takes_structs():
    f, params, state, x = _model()
    abstract = jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype), (params, state, x))
    dot = hk.experimental.abstract_to_dot(f.apply)(abstract[0], abstract[1], None, abstract[2])
    assert dot == hk.to_dot(f.apply)(params, state, None, x)


def test_plain_function_outputs_and_static_args():
    dot = hk.to_dot(lambda a, b, flag: (a + b, jnp.sin(a)) if flag else a)(1.0, jnp.ones([2]), True)
    assert "&lt;lambda&gt;" in dot
    assert "<b>output[0]</b><br/><b>add</b>" in dot and "<b>output[1]</b><br/><b>sin</b>" in dot
    assert "args[2]" not in dot  # the bool is a static Python value


def test_method_clusters_and_inlined_calls():
    class Net(hk.Module):
        def __call__(self, x):
            return self.encode(jax.nn.relu(x))

        def encode(self, x):
            return jax.jit(jnp.tanh)(x)

    f = hk.transform(lambda x: Net()(x))
    dot = hk.to_dot(f.apply)({}, None, jnp.ones([2]))
    assert "<b>net</b>" in dot and "<b>net (encode)</b>" in dot
    assert "<b>max</b>" in dot and "<b>tanh</b>" in dot  # relu and jit are inlined


def test_not_callable():
    with pytest.raises(TypeError, match="hk.to_dot needs a function"):
        hk.to_dot(3)


@pytest.mark.skipif(
    importlib.util.find_spec("graphviz") is None or shutil.which("dot") is None,
    reason="needs the graphviz package and the `dot` binary",
)
@pytest.mark.parametrize("fmt, magic", [("svg", b"<svg"), ("png", b"\x89PNG")])
def test_renders_with_graphviz(fmt, magic):
    import graphviz

    f, params, state, x = _model()
    data = graphviz.Source(hk.to_dot(f.apply)(params, state, None, x)).pipe(format=fmt)
    assert magic in data[:400]
