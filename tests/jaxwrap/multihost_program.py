"""A tiny sharded training run, started by tests/jaxwrap/test_sharding_multihost.py.

Run as N processes by ``haiku_jaxwrap.local_launch`` (or as one process with all the
devices): builds a (data, model) mesh over every process's devices, creates the params
sharded with ``jax.jit(f.init, out_shardings=...)``, feeds each process only its rows of
the global batch, takes a few SGD steps and prints (from every process) the losses and the
gathered params as JSON.

Usage: python multihost_program.py DATA MODEL STEPS [save|restore DIR K]

``save DIR K`` writes the params after K steps with orbax-checkpoint (every process writes
its shards); ``restore DIR K`` starts from that checkpoint, placed on this run's mesh, and
runs steps K..STEPS-1 (a different topology than the one that saved it).
"""

from __future__ import annotations

import json
import sys

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import haiku as hk

BATCH, FEATURES = 16, 8
AXES = {"mlp/~/linear_0/w": ("embed", "mlp"), "mlp/~/linear_1/w": ("mlp", "embed")}
RULES = {"batch": "data", "mlp": "model"}


def forward(x):
    return hk.nets.MLP([16, FEATURES])(x)


def main(data: int, model: int, steps: int, mode: str = "", ckpt: str = "", at: int = 0) -> None:
    from haiku_jaxwrap import local_launch

    local_launch.initialize()
    mesh = hk.sharding.make_mesh((data, model), ("data", "model"))
    f = hk.transform(forward)
    rng = jax.random.PRNGKey(0)
    # The same global batch on every process; each one hands over only its own rows.
    xs = np.asarray(jax.random.normal(jax.random.PRNGKey(1), [steps, BATCH, FEATURES]))
    ys = np.sin(xs)
    batch_sharding = NamedSharding(mesh, P("data"))

    def global_batch(array):
        rows = batch_sharding.addressable_devices_indices_map(array.shape)
        first = min(index[0].start or 0 for index in rows.values())
        last = max(index[0].stop or array.shape[0] for index in rows.values())
        return jax.make_array_from_process_local_data(batch_sharding, array[first:last])

    with hk.sharding.axis_rules(RULES, mesh), hk.sharding.logical_axes(AXES):
        x0 = global_batch(xs[0])
        shardings = hk.sharding.param_shardings(f.init, rng, x0)
        params = jax.jit(f.init, out_shardings=shardings)(rng, x0)
        checkpointer = None
        if mode:
            import orbax.checkpoint as ocp

            checkpointer = ocp.StandardCheckpointer()
        if mode == "restore":
            target = hk.sharding.abstract_params(f.init, rng, x0)
            params = checkpointer.restore(ckpt, target)

        @jax.jit
        def step(params, x, y):
            def loss_fn(p):
                out = hk.sharding.constrain(f.apply(p, None, x), ("batch", "embed"))
                return jnp.mean((out - y) ** 2)

            loss, grads = jax.value_and_grad(loss_fn)(params)
            return jax.tree.map(lambda p, g: p - 0.1 * g, params, grads), loss

        losses = []
        for i in range(at if mode == "restore" else 0, steps):
            params, loss = step(params, global_batch(xs[i]), global_batch(ys[i]))
            losses.append(float(loss))
            if mode == "save" and i + 1 == at:
                checkpointer.save(ckpt, params)
                checkpointer.wait_until_finished()
    local_shapes = {
        f"{m}/{n}": list(v.addressable_shards[0].data.shape)
        for m, b in params.items()
        for n, v in b.items()
    }
    gathered = multihost_utils.process_allgather(params, tiled=True)
    print(
        "RESULT "
        + json.dumps(
            {
                "process": jax.process_index(),
                "processes": jax.process_count(),
                "devices": jax.device_count(),
                "losses": losses,
                "local_shapes": local_shapes,
                "params": jax.tree.map(lambda a: np.asarray(a).tolist(), gathered),
            }
        )
    )


if __name__ == "__main__":
    mode_args = sys.argv[4:7]
    main(
        *(int(a) for a in sys.argv[1:4]),
        *(mode_args[:2] + [int(mode_args[2])] if mode_args else []),
    )
