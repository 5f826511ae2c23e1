"""Multi-process vs single-process training: step time and per-device memory.

The sharded Transformer LM of examples/sharded_lm.py (hk.sharding rules, params created
sharded by ``jax.jit(init, out_shardings=...)``, batches from process-local rows) is run on
the same (data, model) mesh of 8 CPU devices in two ways, alternating round by round:

* ``1x8``: one process with 8 devices;
* ``2x4``: two local processes with 4 devices each, joined by ``jax.distributed``
  (``haiku_jaxwrap.local_launch``, gloo collectives between the processes).

Reported per configuration and mesh: compile time of the jitted train step, steady-state
step time (median over steps, after warm-up), and per-device memory: the bytes of params
and optimizer state held by one device, and XLA's ``memory_analysis`` of the compiled step
(arguments, outputs, temporaries; per device). Asserts nothing; not part of the tests.

    python benchmarks/multihost_step.py [--rounds 3] [--steps 30] [--json]

On a real cluster the same worker (``--worker``) runs under ``jax.distributed.initialize()``
with one process per host.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(HERE), "examples")
MESHES = {"2x4": (2, 4), "8x1": (8, 1)}
MARKER = "MULTIHOST_BENCH "


def worker(mesh_name: str, steps: int, warmup: int) -> None:
    """Measures one configuration in this process (one of N when launched)."""
    sys.path.insert(0, EXAMPLES)
    import jax
    import numpy as np
    import optax
    import sharded_lm as lm
    from jax.sharding import NamedSharding, PartitionSpec

    import haiku as hk
    from haiku_jaxwrap import local_launch

    local_launch.initialize()
    data_axis, model_axis = MESHES[mesh_name]
    text = lm.load_text()
    chars = sorted(set(text))
    vocab_size = -(-len(chars) // lm.MODEL) * lm.MODEL
    corpus = np.array([chars.index(c) for c in text], dtype=np.int32)
    model = hk.without_apply_rng(hk.transform(lambda t: lm.language_model(t, vocab_size)))
    optimizer = optax.adam(3e-3)

    def train_step(params, opt_state, tokens):
        def loss_fn(p):
            logits = model.apply(p, tokens[:, :-1])
            return optax.softmax_cross_entropy_with_integer_labels(logits, tokens[:, 1:]).mean()

        loss, grads = jax.value_and_grad(loss_fn)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    rng = np.random.default_rng(0)
    total = warmup + steps
    starts = rng.integers(0, len(corpus) - lm.CONTEXT - 1, size=(total, lm.GLOBAL_BATCH))
    batches = [np.stack([corpus[s : s + lm.CONTEXT + 1] for s in row]) for row in starts]
    local_rows = lm.GLOBAL_BATCH // jax.process_count()
    pid = jax.process_index()

    mesh = hk.sharding.make_mesh((data_axis, model_axis), ("data", "model"))
    batch_sharding = NamedSharding(mesh, lm.AXIS_RULES.mesh_axes(("batch", None)))
    replicated = NamedSharding(mesh, PartitionSpec())
    key = jax.random.PRNGKey(0)
    sample = batches[0][:, :-1]
    with hk.sharding.axis_rules(lm.AXIS_RULES, mesh), hk.sharding.logical_axes(lm.PARAM_AXES):
        shardings = hk.sharding.param_shardings(model.init, key, sample)
        params = jax.jit(model.init, out_shardings=shardings)(key, sample)
        # Adam's moments are sharded like their params (as in examples/sharded_lm.py).
        opt_shardings = optax.tree_map_params(
            optimizer,
            lambda _, sharding: sharding,
            jax.eval_shape(optimizer.init, params),
            shardings,
            transform_non_params=lambda _: replicated,
        )
        opt_state = jax.jit(optimizer.init, out_shardings=opt_shardings)(params)

        def global_batch(i):
            local = batches[i][pid * local_rows : (pid + 1) * local_rows]
            return jax.make_array_from_process_local_data(batch_sharding, local)

        step = jax.jit(train_step, out_shardings=(shardings, opt_shardings, replicated))
        t0 = time.perf_counter()
        compiled = step.lower(params, opt_state, global_batch(0)).compile()
        compile_s = time.perf_counter() - t0
        times = []
        for i in range(total):
            tokens = global_batch(i)
            t0 = time.perf_counter()
            params, opt_state, loss = compiled(params, opt_state, tokens)
            loss.block_until_ready()
            if i >= warmup:
                times.append(time.perf_counter() - t0)

    def device_bytes(tree) -> int:
        return sum(x.addressable_shards[0].data.nbytes for x in jax.tree.leaves(tree))

    def global_bytes(tree) -> int:
        return sum(x.nbytes for x in jax.tree.leaves(tree))

    analysis = compiled.memory_analysis()
    result = {
        "processes": jax.process_count(),
        "devices": jax.device_count(),
        "compile_ms": compile_s * 1e3,
        "step_ms": statistics.median(times) * 1e3,
        "params_global_kib": global_bytes(params) / 1024,
        "params_per_device_kib": device_bytes(params) / 1024,
        "opt_state_per_device_kib": device_bytes(opt_state) / 1024,
        "xla_argument_kib": analysis.argument_size_in_bytes / 1024,
        "xla_output_kib": analysis.output_size_in_bytes / 1024,
        "xla_temp_kib": analysis.temp_size_in_bytes / 1024,
        "final_loss": float(loss),
    }
    print(MARKER + json.dumps(result), flush=True)


def _parse(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise RuntimeError(f"the worker printed no result:\n{output[-2000:]}")


def measure(layout: str, mesh_name: str, steps: int, warmup: int) -> dict:
    """Runs one worker configuration in fresh processes and returns process 0's figures."""
    from haiku_jaxwrap import local_launch

    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        mesh_name,
        "--steps",
        str(steps),
        "--warmup",
        str(warmup),
    ]
    if layout == "1x8":
        flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "device_count" not in f]
        flags.append("--xla_force_host_platform_device_count=8")
        env = {**os.environ, "XLA_FLAGS": " ".join(flags), "JAX_PLATFORMS": "cpu"}
        out = subprocess.run(
            command, env=env, capture_output=True, text=True, check=True, timeout=900
        )
        return _parse(out.stdout)
    result = local_launch.run(command, 2, devices_per_process=4, echo=False, timeout=900)
    return _parse(result.outputs[0])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", choices=sorted(MESHES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, args.steps, args.warmup)
        return 0

    samples: dict[str, list[dict]] = {}
    load_before = os.getloadavg()
    for _ in range(args.rounds):
        for mesh_name in MESHES:
            for layout in ("1x8", "2x4"):
                key = f"{layout} processes x devices, mesh {mesh_name}"
                samples.setdefault(key, []).append(
                    measure(layout, mesh_name, args.steps, args.warmup)
                )
    load_after = os.getloadavg()

    summary = {}
    for key, runs in samples.items():
        summary[key] = {
            name: statistics.median(run[name] for run in runs)
            for name in runs[0]
            if isinstance(runs[0][name], float)
        }
        steps_ms = [run["step_ms"] for run in runs]
        summary[key]["step_ms_range"] = [min(steps_ms), max(steps_ms)]
    if args.json:
        print(json.dumps(summary, indent=1))
        return 0
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"{args.rounds} rounds x {args.steps} steps; "
        f"load {load_before[0]:.1f} -> {load_after[0]:.1f}"
    )
    columns = (
        "compile_ms",
        "step_ms",
        "params_per_device_kib",
        "opt_state_per_device_kib",
        "xla_argument_kib",
        "xla_temp_kib",
    )
    print(f"{'configuration':40s} " + " ".join(f"{c:>24s}" for c in columns))
    for key, row in summary.items():
        print(f"{key:40s} " + " ".join(f"{row[c]:24.1f}" for c in columns))
    for mesh_name in MESHES:
        one = summary[f"1x8 processes x devices, mesh {mesh_name}"]
        two = summary[f"2x4 processes x devices, mesh {mesh_name}"]
        print(
            f"mesh {mesh_name}: step time 2x4/1x8 = {two['step_ms'] / one['step_ms']:.2f}, "
            f"per-device params 2x4/1x8 = "
            f"{two['params_per_device_kib'] / one['params_per_device_kib']:.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
