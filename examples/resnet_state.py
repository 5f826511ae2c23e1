"""A small ResNet with BatchNorm state (hk.transform_with_state) on the sklearn digits.

``hk.nets.ResNet`` with one basic block per group and narrow channels, on the 8x8 digits (the
initial conv has stride 1; its max-pool and group 2 each halve the resolution). BatchNorm
keeps moving averages of the batch statistics in the *state*, not the params: training calls
``apply(..., is_training=True)`` and threads the new state through the optimiser loop;
evaluation calls ``is_training=False``, which normalises with the moving averages and leaves
the state unchanged.

    python examples/resnet_state.py               # 200 steps, ~20 s on 2 CPUs
    python examples/resnet_state.py --smoke       # 30 steps, for tests
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


def forward(images: jax.Array, is_training: bool) -> jax.Array:
    net = hk.nets.ResNet(
        blocks_per_group=(1, 1, 1, 1),
        num_classes=10,
        bn_config={"decay_rate": 0.9},
        bottleneck=False,
        channels_per_group=(16, 32, 32, 64),
        initial_conv_config={"output_channels": 16, "kernel_shape": 3, "stride": 1},
        strides=(1, 2, 1, 1),
        name="resnet",
    )
    return net(images, is_training=is_training)


def load_data(seed: int):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[..., None]
    return train_test_split(
        x, digits.target.astype(np.int32), test_size=0.25, random_state=seed, stratify=digits.target
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Small ResNet with BatchNorm state.")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="30 steps (fast test)")
    args = parser.parse_args(argv)
    steps = 30 if args.smoke else args.steps

    x_train, x_test, y_train, y_test = load_data(args.seed)
    model = hk.without_apply_rng(hk.transform_with_state(forward))
    # Jitted init: one compilation instead of dispatching every initializer op eagerly.
    init = jax.jit(model.init, static_argnames="is_training")
    params, state = init(jax.random.PRNGKey(args.seed), x_train[:2], is_training=True)
    print(
        f"params: {hk.data_structures.tree_size(params):,} in {len(params)} modules; "
        f"state: {hk.data_structures.tree_size(state):,} in {len(state)} modules"
    )
    for module in list(state)[:2]:
        print(f"  state[{module!r}]: {sorted(state[module])}")

    optimizer = optax.adam(optax.cosine_decay_schedule(3e-3, steps))
    opt_state = optimizer.init(params)

    def loss_fn(params, state, x, y):
        logits, state = model.apply(params, state, x, is_training=True)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
        return loss, state

    @jax.jit
    def train_step(params, state, opt_state, x, y):
        (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, x, y)
        updates, opt_state = optimizer.update(grads, opt_state)
        return optax.apply_updates(params, updates), state, opt_state, loss

    @jax.jit(static_argnames="is_training")
    def accuracy(params, state, x, y, is_training):
        logits, new_state = model.apply(params, state, x, is_training=is_training)
        return jnp.mean(jnp.argmax(logits, -1) == y), new_state

    rng = np.random.RandomState(args.seed)
    start = time.perf_counter()
    for step in range(1, steps + 1):
        idx = rng.choice(len(x_train), args.batch_size, replace=False)
        params, state, opt_state, loss = train_step(
            params, state, opt_state, x_train[idx], y_train[idx]
        )
        if step == 1 or step % max(steps // 6, 1) == 0:
            print(f"step {step:4d}  loss {float(loss):.4f}")
    print(f"trained {steps} steps in {time.perf_counter() - start:.1f} s")

    test_acc, state_after = accuracy(params, state, x_test, y_test, is_training=False)
    unchanged = all(
        jax.tree.leaves(jax.tree.map(lambda a, b: bool(jnp.array_equal(a, b)), state, state_after))
    )
    batch_acc, _ = accuracy(params, state, x_test, y_test, is_training=True)
    n = len(x_test)  # a train subset of the test set's size reuses the compiled eval
    train_acc, _ = accuracy(params, state, x_train[:n], y_train[:n], is_training=False)
    print(
        f"eval (is_training=False, moving averages): train accuracy {float(train_acc):.4f} "
        f"(first {n})  test accuracy {float(test_acc):.4f}"
    )
    print(f"eval (is_training=True, test-batch statistics): test accuracy {float(batch_acc):.4f}")
    print(f"state unchanged by is_training=False: {unchanged}")
    return 0 if unchanged else 1


if __name__ == "__main__":
    sys.exit(main())
