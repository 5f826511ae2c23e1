"""An LSTM that predicts the next value of a noisy sine wave, unrolled with hk.dynamic_unroll.

Each sequence is ``sin(freq * t + phase) + noise`` with a random frequency and phase. The
model reads the sequence one step at a time (``hk.LSTM`` unrolled by ``hk.dynamic_unroll``,
time-major) and predicts the next clean value. Prints the test MSE next to two baselines:
predicting zero and repeating the last observed value.

    python examples/lstm_sequence.py              # 1,500 steps, a few seconds
    python examples/lstm_sequence.py --smoke      # 100 steps, for tests
"""

from __future__ import annotations

import argparse
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

import haiku as hk

SEQ_LEN = 50
NOISE = 0.1


def make_batch(rng: np.random.RandomState, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """Noisy inputs and clean next-step targets, both time-major ``[SEQ_LEN, batch, 1]``."""
    t = np.arange(SEQ_LEN + 1, dtype=np.float32)[:, None]
    freq = rng.uniform(0.1, 0.4, size=(1, batch)).astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi, size=(1, batch)).astype(np.float32)
    clean = np.sin(freq * t + phase)
    noisy = clean + NOISE * rng.standard_normal(clean.shape).astype(np.float32)
    return noisy[:-1, :, None], clean[1:, :, None]


def sequence_model(inputs: jax.Array) -> jax.Array:
    """``[T, B, 1]`` observations -> ``[T, B, 1]`` one-step-ahead predictions."""
    core = hk.LSTM(64, name="lstm")
    batch = inputs.shape[1]
    outputs, _ = hk.dynamic_unroll(core, inputs, core.initial_state(batch), time_major=True)
    return hk.Linear(1, name="head")(outputs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="LSTM next-step prediction on noisy sines.")
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="100 steps (fast test)")
    args = parser.parse_args(argv)
    steps = 100 if args.smoke else args.steps

    model = hk.without_apply_rng(hk.transform(sequence_model))
    rng = np.random.RandomState(args.seed)
    x, _ = make_batch(rng, args.batch_size)
    params = model.init(jax.random.PRNGKey(args.seed), x)
    print("params:", {m: {n: v.shape for n, v in p.items()} for m, p in params.items()})

    schedule = optax.cosine_decay_schedule(3e-3, steps)
    optimizer = optax.chain(optax.clip_by_global_norm(1.0), optax.adam(schedule))
    opt_state = optimizer.init(params)

    def loss_fn(params, x, y):
        # Skip the first few steps: the model cannot know the frequency before seeing data.
        return jnp.mean((model.apply(params, x) - y)[5:] ** 2)

    @jax.jit
    def train_step(params, opt_state, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        updates, opt_state = optimizer.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    start = time.perf_counter()
    for step in range(1, steps + 1):
        x, y = make_batch(rng, args.batch_size)
        params, opt_state, loss = train_step(params, opt_state, x, y)
        if step == 1 or step % max(steps // 10, 1) == 0:
            print(f"step {step:5d}  train mse {float(loss):.5f}")
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")

    x_test, y_test = make_batch(np.random.RandomState(args.seed + 10_000), 256)
    test_mse = float(jax.jit(loss_fn)(params, x_test, y_test))
    zero_mse = float(np.mean(y_test[5:] ** 2))
    last_mse = float(np.mean((x_test - y_test)[5:] ** 2))
    print(
        f"test mse {test_mse:.5f}  (baselines: predict zero {zero_mse:.5f}, "
        f"repeat last value {last_mse:.5f})"
    )
    return 0 if test_mse < last_mse else 1


if __name__ == "__main__":
    sys.exit(main())
