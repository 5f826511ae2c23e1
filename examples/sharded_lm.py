"""A character-level Transformer LM trained with 2-way data x 4-way tensor parallelism.

Runs on 8 simulated CPU devices (``XLA_FLAGS=--xla_force_host_platform_device_count=8``,
set by this script before jax is imported unless the flag is already there). The model is
``hk.Embed`` + ``hk.nets.Transformer`` (with ``hk.layer_stack``) + an ``hk.Linear``
readout; nothing in the model code knows about devices. Sharding is declared on the side
with ``hk.sharding``:

* parameter dimensions get logical names from path rules
  (``hk.nets.Transformer.param_axes()``, Megatron style: q/k/v and the first MLP layer
  column-sharded, the attention output and the second MLP layer row-sharded);
* ``LogicalAxisRules`` map ``batch`` to the ``data`` mesh axis and ``heads``/``mlp``/``vocab``
  to ``model``;
* parameters are created already sharded by ``jax.jit(f.init, out_shardings=...)``; the
  optimiser state follows them; batches are assembled from process-local data with
  ``jax.make_array_from_process_local_data`` (the multi-host path, see docs/scale_out.md).

At the end the first steps are replayed on one device from the same initial parameters:
the losses must agree (printed as ``max |loss difference|``).

    python examples/sharded_lm.py                  # 200 steps
    python examples/sharded_lm.py --smoke          # 8 steps, for tests
    python examples/sharded_lm.py --processes 2    # the same, as 2 processes x 4 devices

With ``--processes N`` the script starts itself as N local processes joined by JAX's
distributed runtime (``haiku_jaxwrap.local_launch``: the path of a multi-host job, on one
machine); every process loads only its rows of each global batch.
"""

from __future__ import annotations

import os

_DEVICE_FLAG = "--xla_force_host_platform_device_count"
if _DEVICE_FLAG not in os.environ.get("XLA_FLAGS", ""):
    os.environ["XLA_FLAGS"] = f"{os.environ.get('XLA_FLAGS', '')} {_DEVICE_FLAG}=8".strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax.sharding import NamedSharding, PartitionSpec  # noqa: E402

import haiku as hk  # noqa: E402
from haiku_jaxwrap import local_launch  # noqa: E402

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "corpus.txt")
DATA, MODEL = 2, 4
CONTEXT, WIDTH, HEADS, LAYERS = 32, 64, 4, 2
GLOBAL_BATCH = 16

# Logical axis -> mesh axis. Names absent here (e.g. "embed", "layers") are replicated.
AXIS_RULES = hk.sharding.LogicalAxisRules(
    {"batch": "data", "heads": "model", "mlp": "model", "vocab": "model"}
)
# Parameter path -> logical axes: the first-party Megatron rules plus our own parameters.
PARAM_AXES = {
    **hk.nets.Transformer.param_axes(),
    "positions": (None, "embed"),
    "readout/w": ("embed", "vocab"),
    "readout/b": ("vocab",),
}


def load_text() -> str:
    if os.path.exists(CORPUS):
        with open(CORPUS, encoding="utf-8") as f:
            return f.read()
    return "the quick brown fox jumps over the lazy dog. " * 200


def language_model(tokens: jax.Array, vocab_size: int) -> jax.Array:
    x = hk.Embed(vocab_size, WIDTH)(tokens)
    x = (
        x
        + hk.get_parameter(
            "positions", [CONTEXT, WIDTH], init=hk.initializers.TruncatedNormal(0.02)
        )[: tokens.shape[-1]]
    )
    x = hk.sharding.constrain(x, ("batch", None, "embed"))
    x = hk.nets.Transformer(
        num_heads=HEADS, num_layers=LAYERS, key_size=WIDTH // HEADS, use_layer_stack=True
    )(x, is_training=False)
    return hk.Linear(vocab_size, name="readout")(x)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--smoke", action="store_true", help="8 steps, for tests")
    parser.add_argument(
        "--processes", type=int, default=1, help="run as N local processes (multi-host path)"
    )
    args = parser.parse_args(argv)
    if args.processes > 1 and not local_launch.launched():
        command = [sys.executable, os.path.abspath(__file__), "--steps", str(args.steps)]
        command += ["--smoke"] if args.smoke else []
        devices = DATA * MODEL // args.processes
        try:
            local_launch.run(command, args.processes, devices_per_process=devices)
        except local_launch.LaunchError as e:
            print(f"sharded_lm: {e}", file=sys.stderr)
            return 1
        return 0
    local_launch.initialize()  # a no-op unless started by local_launch
    steps = 8 if args.smoke else args.steps
    if jax.device_count() < DATA * MODEL:
        print(f"needs {DATA * MODEL} devices, found {jax.device_count()}", file=sys.stderr)
        return 1

    text = load_text()
    chars = sorted(set(text))
    vocab_size = -(-len(chars) // MODEL) * MODEL  # divisible by the model axis
    data = np.array([chars.index(c) for c in text], dtype=np.int32)

    model = hk.without_apply_rng(hk.transform(lambda t: language_model(t, vocab_size)))
    optimizer = optax.adam(3e-3)

    def loss_fn(params, tokens):
        logits = model.apply(params, tokens[:, :-1])
        return optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:]).mean()

    def train_step(params, opt_state, tokens):
        loss, grads = jax.value_and_grad(loss_fn)(params, tokens)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    # Each process reads only its share of every global batch (here one process: all).
    rng = np.random.default_rng(0)
    local_batch = GLOBAL_BATCH // jax.process_count()
    starts = rng.integers(0, len(data) - CONTEXT - 1, size=(steps, GLOBAL_BATCH))
    batches = [np.stack([data[s : s + CONTEXT + 1] for s in row]) for row in starts]

    mesh = hk.sharding.make_mesh((DATA, MODEL), ("data", "model"))
    batch_sharding = NamedSharding(mesh, AXIS_RULES.mesh_axes(("batch", None)))
    sample = batches[0][:, :-1]
    key = jax.random.PRNGKey(0)
    with hk.sharding.axis_rules(AXIS_RULES, mesh), hk.sharding.logical_axes(PARAM_AXES):
        shardings = hk.sharding.param_shardings(model.init, key, sample)
        params = jax.jit(model.init, out_shardings=shardings)(key, sample)
        # Adam's moments are sharded like the params they follow; its step count is
        # replicated. Created in place, so no device ever holds a full moment.
        replicated = NamedSharding(mesh, PartitionSpec())
        opt_shardings = optax.tree_map_params(
            optimizer,
            lambda _, sharding: sharding,
            jax.eval_shape(optimizer.init, params),
            shardings,
            transform_non_params=lambda _: replicated,
        )
        opt_state = jax.jit(optimizer.init, out_shardings=opt_shardings)(params)
        step = jax.jit(train_step, out_shardings=(shardings, opt_shardings, replicated))
        for name in ("transformer/layers/block/mlp/~/linear_0", "readout"):
            w = params[name]["w"]
            print(
                f"{name}/w: global {w.shape}, per device {w.addressable_shards[0].data.shape}, "
                f"spec {w.sharding.spec}"
            )
        mu = opt_state[0].mu["readout"]["w"]  # optax.adam: (ScaleByAdamState, EmptyState)
        print(f"adam moment of readout/w: per device {mu.addressable_shards[0].data.shape}")
        init_params = jax.device_get(params)
        losses = []
        start = time.time()
        for i, batch in enumerate(batches):
            pid = jax.process_index()
            local = batch[pid * local_batch : (pid + 1) * local_batch]
            tokens = jax.make_array_from_process_local_data(batch_sharding, local)
            params, opt_state, loss = step(params, opt_state, tokens)
            losses.append(float(loss))
            if i % max(1, steps // 10) == 0 or i == steps - 1:
                print(f"step {i:4d}  loss {losses[-1]:.4f}")
    print(f"trained {steps} steps on a {DATA} x {MODEL} mesh in {time.time() - start:.1f} s")

    # Replay the first steps on one device from the same initial params.
    replay = min(steps, 5)
    single = jax.jit(train_step)
    params1, opt1 = init_params, optimizer.init(init_params)
    diffs = []
    for i in range(replay):
        params1, opt1, loss1 = single(params1, opt1, jnp.asarray(batches[i]))
        diffs.append(abs(float(loss1) - losses[i]))
    print(f"max |loss difference| over {replay} steps vs one device: {max(diffs):.2e}")
    if max(diffs) > 1e-4:
        print("sharded and single-device losses disagree", file=sys.stderr)
        return 1
    if steps >= 50 and not losses[-1] < losses[0]:
        print("the loss did not go down", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
