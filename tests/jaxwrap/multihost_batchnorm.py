"""hk.BatchNorm with cross-replica statistics over a data axis that spans processes.

Started by tests/jaxwrap/test_sharding_multihost.py as 2 processes x 4 devices or 1 process x 8
devices: ``jax.shard_map`` splits a global batch of 16 rows over the 8-device ``data``
axis (2 rows per device); ``hk.BatchNorm(cross_replica_axis="data")`` averages its batch
statistics over all of them. Prints the normalised output and the updated moving mean,
gathered on every process, as JSON.
"""

from __future__ import annotations

import json

import jax
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding
from jax.sharding import PartitionSpec as P

import haiku as hk


def forward(x, is_training):
    bn = hk.BatchNorm(True, True, decay_rate=0.9, cross_replica_axis="data")
    return bn(x, is_training=is_training)


def main() -> None:
    from haiku_jaxwrap import local_launch

    local_launch.initialize()
    mesh = jax.make_mesh((8,), ("data",))
    f = hk.transform_with_state(forward)
    x_all = np.asarray(jax.random.normal(jax.random.PRNGKey(3), [16, 5])) * 3 + 1
    batch = NamedSharding(mesh, P("data"))
    rows = batch.addressable_devices_indices_map(x_all.shape)
    first = min(i[0].start or 0 for i in rows.values())
    last = max(i[0].stop or 16 for i in rows.values())
    x = jax.make_array_from_process_local_data(batch, x_all[first:last])
    # init reduces over the axis too, so it runs inside shard_map as well.
    init = jax.shard_map(
        lambda x: f.init(None, x, True), mesh=mesh, in_specs=P("data"), out_specs=P()
    )
    params, state = jax.jit(init)(x)

    def step(params, state, x):
        return f.apply(params, state, None, x, True)

    sharded = jax.jit(
        jax.shard_map(step, mesh=mesh, in_specs=(P(), P(), P("data")), out_specs=(P("data"), P()))
    )
    out, state = sharded(params, state, x)
    out = multihost_utils.process_allgather(out, tiled=True)
    mean = multihost_utils.process_allgather(state, tiled=True)
    print(
        "RESULT "
        + json.dumps(
            {
                "process": jax.process_index(),
                "processes": jax.process_count(),
                "out": np.asarray(out).tolist(),
                "state": jax.tree.map(lambda a: np.asarray(a).tolist(), mean),
                "batch_mean": x_all.mean(0).tolist(),
            }
        )
    )


if __name__ == "__main__":
    main()
