"""Jitted training steps: trace+lower time, XLA compile time and steady-state step time.

Workloads (all with `optax.adam`):
  mlp          `hk.nets.MLP([300, 100, 10])`, x [128, 784], softmax cross-entropy
  resnet18     `hk.nets.ResNet18(10)` with BatchNorm state, x [8, 32, 32, 3]
  transformer  6-layer LM from hk.Embed/MultiHeadAttention/LayerNorm/Linear, tokens [8, 64]
  lstm         `hk.LSTM(128)` + `hk.dynamic_unroll` over 32 steps, batch 8, + Linear head
`mlp` and `lstm` also run a hand-written raw-JAX step (`raw.*`) on the same parameters.

Every lowering uses a fresh Python step function, so no JAX cache is hit. Times in
milliseconds (medians); `.cpu` keys are process CPU time (all threads), less sensitive to
other processes on a shared machine. `--info-out` writes a metadata-free profile of each
optimized HLO (op-kind histogram, instruction count) so two implementations can be checked
for "same HLO".

    python benchmarks/train_step.py [--json] [--only mlp,lstm] [--compiles 2] [--steps 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import _models as models
import jax
import jax.numpy as jnp
import optax

jax.config.update("jax_threefry_partitionable", True)


def _xent(logits, labels):
    return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()


def _stateless_step_factory(apply, opt):
    """Returns a function making a FRESH step function each call."""

    def make():
        def loss_fn(params, x, y):
            return _xent(apply(params, x), y)

        def step(params, opt_state, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss

        return step

    return make


def _mse_step_factory(apply, opt):
    def make():
        def loss_fn(params, x, y):
            return jnp.mean((apply(params, x) - y) ** 2)

        def step(params, opt_state, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss

        return step

    return make


def _resnet_step_factory(f, opt):
    def make():
        def loss_fn(params, state, x, y):
            logits, state = f.apply(params, state, None, x, True)
            return _xent(logits, y), state

        def step(params, state, opt_state, x, y):
            (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x, y)
            updates, opt_state = opt.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), state, opt_state, loss

        return step

    return make


def build(name: str):
    """Returns (make_step, args, param digest) for a workload name."""
    key = jax.random.PRNGKey(0)
    opt = optax.adam(1e-3)
    if name in ("mlp", "raw.mlp"):
        f = models.mlp_fn([300, 100, 10])
        x, y = jnp.ones([128, 784]), jnp.zeros([128], jnp.int32)
        params = f.init(key, x)
        if name == "mlp":
            make = _stateless_step_factory(lambda p, x: f.apply(p, None, x), opt)
        else:
            make = _stateless_step_factory(models.raw_mlp_apply, opt)
        return make, (params, opt.init(params), x, y), params
    if name in ("lstm", "raw.lstm"):
        f = models.lstm_fn()
        xs = jax.random.normal(key, [32, 8, 32])
        ys = jnp.zeros([32, 8, models.LSTM_OUT])
        params = f.init(key, xs)
        apply = (lambda p, x: f.apply(p, None, x)) if name == "lstm" else models.raw_lstm_apply
        return _mse_step_factory(apply, opt), (params, opt.init(params), xs, ys), params
    if name == "transformer":
        f = models.transformer_fn()
        tokens = jnp.zeros([8, 64], jnp.int32)
        params = f.init(key, tokens)

        def apply(p, t):
            return f.apply(p, None, t).reshape(-1, models.TF_VOCAB)

        make = _stateless_step_factory(apply, opt)
        return make, (params, opt.init(params), tokens, tokens.reshape(-1)), params
    if name == "resnet18":
        f = models.resnet_fn(10)
        x, y = jnp.ones([8, 32, 32, 3]), jnp.zeros([8], jnp.int32)
        params, state = f.init(key, x, True)
        make = _resnet_step_factory(f, opt)
        return make, (params, state, opt.init(params), x, y), params
    raise ValueError(f"unknown workload {name!r}; choose from {', '.join(WORKLOADS)}")


WORKLOADS = ["mlp", "raw.mlp", "resnet18", "transformer", "lstm", "raw.lstm"]


def run(names, compiles: int, steps: int) -> tuple[dict[str, float], dict]:
    result: dict[str, float] = {}
    info: dict = {}
    executables = {}
    for name in names:
        make, args, params = build(name)
        lower_ms, compile_ms, lower_cpu, compile_cpu = [], [], [], []
        for _ in range(compiles):
            step = make()  # fresh function: no trace / lowering / executable cache hit
            t0, c0 = time.perf_counter(), time.process_time()
            lowered = jax.jit(step).lower(*args)
            t1, c1 = time.perf_counter(), time.process_time()
            compiled = lowered.compile()
            t2, c2 = time.perf_counter(), time.process_time()
            lower_ms.append((t1 - t0) * 1e3)
            compile_ms.append((t2 - t1) * 1e3)
            lower_cpu.append((c1 - c0) * 1e3)
            compile_cpu.append((c2 - c1) * 1e3)
        result[f"{name}.trace_lower"] = statistics.median(lower_ms)
        result[f"{name}.compile"] = statistics.median(compile_ms)
        result[f"{name}.trace_lower.cpu"] = statistics.median(lower_cpu)
        result[f"{name}.compile.cpu"] = statistics.median(compile_cpu)
        info[name] = {
            "hlo": models.hlo_profile(compiled.as_text()),
            "params": models.params_digest(params),
        }
        jax.block_until_ready(compiled(*args))  # warm-up run
        executables[name] = compiled, args
    # Steps of all workloads interleaved (ours and raw JAX side by side): run one after the
    # other, the second was systematically slower on a shared machine (1.1x for the same HLO).
    step_ms: dict[str, list[float]] = {name: [] for name in executables}
    for _ in range(steps):
        for name, (compiled, args) in executables.items():
            t0 = time.perf_counter()
            jax.block_until_ready(compiled(*args))
            step_ms[name].append((time.perf_counter() - t0) * 1e3)
    for name, times in step_ms.items():
        result[f"{name}.step"] = statistics.median(times)
    return result, info


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only",
        default=",".join(WORKLOADS),
        help="comma-separated subset of: " + ", ".join(WORKLOADS),
    )
    parser.add_argument("--compiles", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--info-out", help="write HLO profiles / param digests here (JSON)")
    args = parser.parse_args()
    result, info = run(args.only.split(","), args.compiles, args.steps)
    if args.info_out:
        with open(args.info_out, "w") as fh:
            json.dump(info, fh)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:28s} {v:10.2f} ms")
        for k, v in info.items():
            print(k, v["hlo"]["total"], v["hlo"]["shaped_signature"])
