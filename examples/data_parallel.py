"""Data-parallel training on 8 simulated CPU devices: jit + NamedSharding, and pmap.

The same ``hk.nets.MLP`` on the sklearn digits is trained three ways from the same initial
params on the same global batches:

* single device: one ``jax.jit`` step on the whole batch;
* ``jax.jit`` + ``NamedSharding``: a 1-D ``Mesh`` over the 8 devices, the batch sharded along
  its first axis, params and optimiser state replicated; XLA inserts the gradient all-reduce;
* ``jax.pmap``: the batch split into 8 per-device shards, gradients and loss averaged with
  ``jax.lax.pmean``.

The three loss curves must agree (``np.allclose``, rtol = atol = 1e-5). The 8 CPU devices are
simulated with ``XLA_FLAGS=--xla_force_host_platform_device_count=8``, which this script sets
before importing jax unless the flag is already present.

    python examples/data_parallel.py              # 100 steps
    python examples/data_parallel.py --smoke      # 20 steps, for tests
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
import numpy as np  # noqa: E402
import optax  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

import haiku as hk  # noqa: E402

NUM_DEVICES = 8
BATCH_SIZE = 128  # global batch: 16 examples per device


def load_data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target.astype(np.int32)


model = hk.without_apply_rng(hk.transform(lambda x: hk.nets.MLP([128, 64, 10], name="mlp")(x)))
optimizer = optax.adam(1e-3)


def loss_fn(params: hk.Params, x: jax.Array, y: jax.Array) -> jax.Array:
    logits = model.apply(params, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


def update(params, opt_state, grads):
    updates, opt_state = optimizer.update(grads, opt_state)
    return optax.apply_updates(params, updates), opt_state


def step(params, opt_state, x, y):
    """One step on the global batch; under NamedSharding XLA makes it data-parallel."""
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return *update(params, opt_state, grads), loss


def pmap_step(params, opt_state, x, y):
    """One step on this device's shard; gradients and loss are averaged over devices."""
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    grads = jax.lax.pmean(grads, axis_name="devices")
    return *update(params, opt_state, grads), jax.lax.pmean(loss, axis_name="devices")


def batches(x: np.ndarray, y: np.ndarray, steps: int, seed: int):
    rng = np.random.RandomState(seed)
    for _ in range(steps):
        idx = rng.choice(len(x), BATCH_SIZE, replace=False)
        yield x[idx], y[idx]


def run_single(params, data, steps, seed) -> list[float]:
    train_step = jax.jit(step)
    opt_state, losses = optimizer.init(params), []
    for xb, yb in batches(*data, steps, seed):
        params, opt_state, loss = train_step(params, opt_state, xb, yb)
        losses.append(float(loss))
    return losses


def run_sharded(params, data, steps, seed) -> list[float]:
    mesh = Mesh(np.array(jax.devices()[:NUM_DEVICES]), axis_names=("data",))
    replicated = NamedSharding(mesh, PartitionSpec())
    sharded = NamedSharding(mesh, PartitionSpec("data"))
    params = jax.device_put(params, replicated)
    opt_state = jax.device_put(optimizer.init(params), replicated)
    train_step = jax.jit(step, out_shardings=(replicated, replicated, replicated))
    losses = []
    for i, (xb, yb) in enumerate(batches(*data, steps, seed)):
        xb, yb = jax.device_put((xb, yb), sharded)
        if i == 0:
            print(
                f"  batch sharding: {xb.sharding.spec} over {len(xb.devices())} devices, "
                f"{xb.addressable_shards[0].data.shape[0]} examples per device"
            )
        params, opt_state, loss = train_step(params, opt_state, xb, yb)
        losses.append(float(loss))
    assert params["mlp/~/linear_0"]["w"].sharding.is_fully_replicated
    return losses


def run_pmap(params, data, steps, seed) -> list[float]:
    devices = jax.devices()[:NUM_DEVICES]
    train_step = jax.pmap(pmap_step, axis_name="devices", devices=devices)
    replicate = lambda tree: jax.tree.map(  # noqa: E731
        lambda a: np.broadcast_to(a, (NUM_DEVICES, *a.shape)), tree
    )
    params = replicate(params)
    opt_state = replicate(optimizer.init(jax.tree.map(lambda a: a[0], params)))
    losses = []
    for xb, yb in batches(*data, steps, seed):
        xb = xb.reshape(NUM_DEVICES, -1, *xb.shape[1:])
        yb = yb.reshape(NUM_DEVICES, -1)
        params, opt_state, loss = train_step(params, opt_state, xb, yb)
        losses.append(float(loss[0]))
    return losses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Data-parallel training on 8 CPU devices.")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="20 steps (fast test)")
    args = parser.parse_args(argv)
    steps = 20 if args.smoke else args.steps

    if jax.device_count() < NUM_DEVICES:
        print(
            f"need {NUM_DEVICES} devices, have {jax.device_count()}: start Python with "
            f"XLA_FLAGS={_DEVICE_FLAG}=8 (set before jax is imported)",
            file=sys.stderr,
        )
        return 2
    print(
        f"{jax.device_count()} devices: {jax.devices()[0].platform}; global batch "
        f"{BATCH_SIZE} = {NUM_DEVICES} x {BATCH_SIZE // NUM_DEVICES}"
    )
    data = load_data()
    params = model.init(jax.random.PRNGKey(args.seed), data[0][:1])

    curves = {}
    for name, run in [
        ("single device", run_single),
        ("jit + NamedSharding", run_sharded),
        ("pmap + pmean", run_pmap),
    ]:
        start = time.perf_counter()
        curves[name] = np.array(run(params, data, steps, args.seed))
        print(
            f"{name:>20}: loss {curves[name][0]:.5f} -> {curves[name][-1]:.5f} "
            f"({time.perf_counter() - start:.1f} s)"
        )

    names = list(curves)
    print("  step  " + "  ".join(f"{n:>20}" for n in names))
    for i in sorted({0, *range(steps // 5 - 1, steps, max(steps // 5, 1)), steps - 1}):
        print(f"  {i + 1:4d}  " + "  ".join(f"{curves[n][i]:20.6f}" for n in names))
    reference = curves["single device"]
    ok = True
    for name in ("jit + NamedSharding", "pmap + pmean"):
        close = np.allclose(curves[name], reference, rtol=1e-5, atol=1e-5)
        diff = float(np.max(np.abs(curves[name] - reference)))
        print(f"{name} matches single device (allclose 1e-5): {close} (max abs diff {diff:.2e})")
        ok &= close
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
