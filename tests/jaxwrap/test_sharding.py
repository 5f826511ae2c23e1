"""hk.sharding on 8 simulated CPU devices: data, tensor (Megatron) and 2-D parallelism.

Needs ``XLA_FLAGS=--xla_force_host_platform_device_count=8`` (set by ``hatch test``).
Every sharded result is compared with the same computation on one device.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

pytest.importorskip("haiku_layers")
pytest.importorskip("haiku_nets")
pytest.importorskip("haiku_jaxwrap")

import haiku as hk

if jax.device_count() < 8:
    pytest.skip(
        "needs 8 devices: XLA_FLAGS=--xla_force_host_platform_device_count=8",
        allow_module_level=True,
    )

WIDTH, HEADS, KEY, VOCAB = 16, 4, 4, 32
TP_RULES = {
    "batch": "data",
    "mlp": "model",
    "heads": "model",
    "vocab": "model",
    "embed": None,
    "layers": None,
}
PARAM_AXES = hk.nets.Transformer.param_axes()


def mesh_of(data: int, model: int) -> jax.sharding.Mesh:
    return hk.sharding.make_mesh(
        (data, model), ("data", "model"), devices=jax.devices()[: data * model]
    )


def lm(tokens, use_layer_stack=False):
    x = hk.Embed(VOCAB, WIDTH)(tokens)
    x = hk.sharding.constrain(x, ("batch", None, "embed"))
    x = hk.nets.Transformer(
        num_heads=HEADS,
        num_layers=2 if use_layer_stack else 1,
        key_size=KEY,
        use_layer_stack=use_layer_stack,
    )(x, is_training=False)
    return hk.Linear(VOCAB, name="unembed")(x)


def loss_fn(f):
    def loss(params, tokens):
        logits = f.apply(params, None, tokens)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), tokens[..., None], -1))

    return loss


def step_fn(f):
    """One compile for the forward pass, the loss and the gradients."""

    def loss_and_logits(params, tokens):
        logits = f.apply(params, None, tokens)
        nll = -jnp.take_along_axis(jax.nn.log_softmax(logits), tokens[..., None], -1)
        return jnp.mean(nll), logits

    return jax.jit(jax.value_and_grad(loss_and_logits, has_aux=True))


def tokens_of(batch=8, seq=6):
    return jax.random.randint(jax.random.PRNGKey(1), (batch, seq), 0, VOCAB)


def shard_init(f, mesh, rules, *args):
    with hk.sharding.axis_rules(rules, mesh), hk.sharding.logical_axes(PARAM_AXES):
        shardings = hk.sharding.param_shardings(f.init, *args)
        params = jax.jit(f.init, out_shardings=shardings)(*args)
    return params, shardings


def shard_shapes(params):
    return {
        name: {k: v.addressable_shards[0].data.shape for k, v in bundle.items()}
        for name, bundle in params.items()
    }


def assert_trees_close(a, b, atol=1e-5):
    assert jax.tree.structure(a) == jax.tree.structure(b)
    for x, y in zip(jax.tree.leaves(a), jax.tree.leaves(b)):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), atol=atol, rtol=1e-4)


@pytest.fixture(scope="module")
def reference():
    f = hk.transform(lm)
    rng, tokens = jax.random.PRNGKey(0), tokens_of()
    params = jax.jit(f.init)(rng, tokens)
    (loss, logits), grads = step_fn(f)(params, tokens)
    return f, rng, tokens, params, logits, loss, grads


@pytest.fixture(scope="module")
def sharded(reference):
    """Params created by ``jax.jit(f.init, out_shardings=...)``, once per mesh shape."""
    f, rng, tokens, *_ = reference
    cache = {}

    def get(data: int, model: int):
        if (data, model) not in cache:
            cache[data, model] = shard_init(f, mesh_of(data, model), TP_RULES, rng, tokens)
        return cache[data, model]

    return get


@pytest.mark.parametrize(
    "data,model", [(8, 1), (1, 4), (2, 4)], ids=["data8", "model4", "data2xmodel4"]
)
def test_sharded_forward_and_grads_equal_one_device(reference, sharded, data, model):
    f, rng, tokens, ref_params, ref_out, ref_loss, ref_grads = reference
    mesh = mesh_of(data, model)
    params, shardings = sharded(data, model)
    # Init under jit with out_shardings creates the same values, already sharded.
    assert_trees_close(params, ref_params, atol=0)
    assert jax.tree.map(lambda p: p.sharding, params) == shardings
    tokens = jax.device_put(tokens, NamedSharding(mesh, P("data")))
    with hk.sharding.axis_rules(TP_RULES, mesh):
        (loss, out), grads = step_fn(f)(params, tokens)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref_out), atol=1e-5, rtol=1e-4)
    np.testing.assert_allclose(loss, ref_loss, rtol=1e-5)
    assert_trees_close(grads, ref_grads)
    # The batch stays sharded over "data" through the model (hk.sharding.constrain).
    assert out.addressable_shards[0].data.shape == (8 // data, 6, VOCAB)
    if model == 1:  # Pure data parallelism: every parameter is replicated.
        assert all(p.addressable_shards[0].data.shape == p.shape for p in jax.tree.leaves(params))


def test_megatron_per_device_shapes_follow_the_rules(sharded):
    params, _ = sharded(2, 4)
    shapes = shard_shapes(params)
    block = "transformer/block_0"
    hidden = 4 * WIDTH
    # MLP: first Linear column-sharded over "model", second row-sharded.
    assert shapes[f"{block}/mlp/~/linear_0"] == {"w": (WIDTH, hidden // 4), "b": (hidden // 4,)}
    assert shapes[f"{block}/mlp/~/linear_1"] == {"w": (hidden // 4, WIDTH), "b": (WIDTH,)}
    # Attention: q/k/v column-sharded by heads, output projection row-sharded.
    qkv = HEADS * KEY
    for name in ("query", "key", "value"):
        assert shapes[f"{block}/attention/{name}"] == {"w": (WIDTH, qkv // 4), "b": (qkv // 4,)}
    assert shapes[f"{block}/attention/linear"] == {"w": (qkv // 4, WIDTH), "b": (WIDTH,)}
    assert shapes["embed"] == {"embeddings": (VOCAB // 4, WIDTH)}
    assert shapes[f"{block}/attention_norm"] == {"scale": (WIDTH,), "offset": (WIDTH,)}
    # Unannotated parameters are replicated.
    assert shapes["unembed"] == {"w": (WIDTH, VOCAB), "b": (VOCAB,)}


def test_layer_stack_params_get_a_leading_layers_axis():
    f = hk.transform(lambda t: lm(t, use_layer_stack=True))
    rng, tokens = jax.random.PRNGKey(0), tokens_of()
    mesh = mesh_of(2, 4)
    stacked = "transformer/layers/block/mlp/~/linear_0"
    with hk.sharding.logical_axes(PARAM_AXES):
        logical = hk.sharding.param_logical_axes(f.init, rng, tokens)
        # By default the stacked axis is not sharded ...
        with hk.sharding.axis_rules(TP_RULES, mesh):
            default = hk.sharding.param_shardings(f.init, rng, tokens)
        # ... and a rule for "layers" shards it.
        rules = dict(TP_RULES, layers="data")
        with hk.sharding.axis_rules(rules, mesh):
            shardings = hk.sharding.param_shardings(f.init, rng, tokens)
    assert logical[stacked] == {"w": P("layers", "embed", "mlp"), "b": P("layers", "mlp")}
    assert default[stacked]["w"].spec == P(None, None, "model")
    assert shardings[stacked]["w"].spec == P("data", None, "model")
    ref_params = jax.jit(f.init)(rng, tokens)
    ref_out = jax.jit(f.apply)(ref_params, None, tokens)
    params = jax.device_put(ref_params, shardings)
    assert params[stacked]["w"].addressable_shards[0].data.shape == (1, WIDTH, 4 * WIDTH // 4)
    with hk.sharding.axis_rules(rules, mesh):
        out = jax.jit(f.apply)(params, None, tokens)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref_out), atol=1e-5, rtol=1e-4)


def test_full_rank_rule_names_the_stacked_axis_itself():
    f = hk.transform(lambda t: lm(t, use_layer_stack=True))
    rng, tokens = jax.random.PRNGKey(0), tokens_of()
    extra = {"layers/block/mlp/~/linear_0/w": ("stage", "embed", "mlp")}
    with hk.sharding.axis_rules(dict(TP_RULES, stage="data"), mesh_of(2, 4)):
        with hk.sharding.logical_axes({**extra, **PARAM_AXES}):  # the first match wins
            shardings = hk.sharding.param_shardings(f.init, rng, tokens)
    w = shardings["transformer/layers/block/mlp/~/linear_0"]["w"]
    assert w.spec == P("data", None, "model")


def test_per_layer_annotation_inside_the_model_overrides_model_wide_rules():
    def f(x):
        with hk.sharding.logical_axes(w=("mlp", None)):  # row-shard this one layer
            x = hk.Linear(WIDTH, name="first")(x)
        return hk.Linear(WIDTH, name="second")(x)

    f = hk.transform(f)
    x = jnp.ones([8, WIDTH])
    with hk.sharding.axis_rules(TP_RULES, mesh_of(2, 4)):
        with hk.sharding.logical_axes(w=("embed", "mlp")):
            shardings = hk.sharding.param_shardings(f.init, jax.random.PRNGKey(0), x)
    assert shardings["first"]["w"].spec == P("model", None)
    assert shardings["second"]["w"].spec == P(None, "model")


def test_state_is_sharded_too():
    def f(x):
        x = hk.Linear(WIDTH)(x)
        return hk.BatchNorm(True, True, 0.9)(x, is_training=True)

    f = hk.transform_with_state(f)
    x = jax.random.normal(jax.random.PRNGKey(2), [8, WIDTH])
    rng = jax.random.PRNGKey(0)
    mesh = mesh_of(2, 4)
    axes = {
        "w": ("embed", "mlp"),
        "linear/b": ("mlp",),
        "batch_norm/~/*_ema/{hidden,average}": (None, "mlp"),
    }
    with hk.sharding.axis_rules(TP_RULES, mesh), hk.sharding.logical_axes(axes):
        shardings = hk.sharding.param_shardings(f.init, rng, x)
        params, state = jax.jit(f.init, out_shardings=shardings)(rng, x)
        out, new_state = jax.jit(f.apply)(params, state, None, x)
    assert shardings[1]["batch_norm/~/mean_ema"]["average"].spec == P(None, "model")
    assert state["batch_norm/~/mean_ema"]["average"].addressable_shards[0].data.shape == (1, 4)
    ref_out, ref_state = f.apply(*f.init(rng, x), None, x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref_out), atol=1e-5)
    assert_trees_close(new_state, ref_state)


def test_shard_map_data_parallel_grads_equal_one_device(reference):
    f, _, tokens, ref_params, _, _, ref_grads = reference
    mesh = hk.sharding.make_mesh((8,), ("data",))
    loss = loss_fn(f)

    def local_grads(params, tokens):
        # Differentiating the global mean loss all-reduces the gradients of the
        # replicated params (shard_map's transpose inserts the psum).
        return jax.grad(lambda p: jax.lax.pmean(loss(p, tokens), "data"))(params)

    dp = jax.jit(jax.shard_map(local_grads, mesh=mesh, in_specs=(P(), P("data")), out_specs=P()))
    # constrain() inside shard_map drops the manual "data" axis instead of failing.
    with hk.sharding.axis_rules({"batch": "data"}, mesh):
        grads = dp(ref_params, tokens)
    assert_trees_close(grads, ref_grads)


def test_orbax_restore_into_a_target_sharding(reference, sharded, tmp_path):
    ocp = pytest.importorskip("orbax.checkpoint")
    f, rng, tokens, ref_params, *_ = reference
    saved, _ = sharded(8, 1)  # replicated: restored below into the 2 x 4 Megatron layout
    checkpointer = ocp.StandardCheckpointer()
    checkpointer.save(tmp_path / "params", saved)
    checkpointer.wait_until_finished()
    mesh = mesh_of(2, 4)
    with hk.sharding.axis_rules(TP_RULES, mesh), hk.sharding.logical_axes(PARAM_AXES):
        target = hk.sharding.abstract_params(f.init, rng, tokens)
    restored = checkpointer.restore(tmp_path / "params", target)
    checkpointer.close()
    assert jax.tree.map(lambda p: p.sharding, restored) == jax.tree.map(
        lambda t: t.sharding, target
    )
    w = restored["transformer/block_0/mlp/~/linear_0"]["w"]
    assert w.addressable_shards[0].data.shape == (WIDTH, WIDTH)
    assert_trees_close(restored, ref_params, atol=0)
