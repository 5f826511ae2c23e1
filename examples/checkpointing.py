"""Save training mid-way with orbax-checkpoint, resume in a fresh process, get the same run.

1. An uninterrupted run trains an ``hk.nets.MLP`` on the sklearn digits for ``--steps`` steps.
2. A second run trains from the same seed, and at ``--save-at`` saves params, optimiser state
   and step with ``orbax.checkpoint.CheckpointManager``, then stops.
3. A *new Python process* (this script with ``--resume``) rebuilds the model and optimiser,
   restores the checkpoint into a freshly initialised state and trains to ``--steps``.

The losses of 2 + 3 must be bitwise equal to those of 1: the data order depends only on the
step, and nothing else survives the restart. Exits non-zero if they differ.

    python examples/checkpointing.py              # 200 steps, save at 120
    python examples/checkpointing.py --smoke      # 30 steps, save at 12
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
import orbax.checkpoint as ocp

import haiku as hk

BATCH_SIZE = 64


def load_data() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    digits = load_digits()
    return (digits.data / 16.0).astype(np.float32), digits.target.astype(np.int32)


class Trainer:
    """Model, optimiser, jitted step and batch schedule: everything rebuilt on restart."""

    def __init__(self, seed: int):
        self.seed = seed
        self.x, self.y = load_data()
        self.model = hk.without_apply_rng(
            hk.transform(lambda x: hk.nets.MLP([128, 64, 10], name="mlp")(x))
        )
        self.optimizer = optax.adamw(1e-3, weight_decay=1e-4)

        def loss_fn(params, x, y):
            logits = self.model.apply(params, x)
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()

        def step(params, opt_state, x, y):
            loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
            updates, opt_state = self.optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss

        self._step = jax.jit(step)

    def initial_state(self) -> dict[str, Any]:
        params = self.model.init(jax.random.PRNGKey(self.seed), self.x[:1])
        return {
            "params": params,
            "opt_state": self.optimizer.init(params),
            "step": jnp.asarray(0, jnp.int32),
        }

    def batch(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        idx = np.random.default_rng([self.seed, step]).choice(
            len(self.x), BATCH_SIZE, replace=False
        )
        return self.x[idx], self.y[idx]

    def train(self, state: dict[str, Any], until: int) -> tuple[dict[str, Any], list[float]]:
        params, opt_state, losses = state["params"], state["opt_state"], []
        for step in range(int(state["step"]), until):
            params, opt_state, loss = self._step(params, opt_state, *self.batch(step))
            losses.append(float(loss))
        return {
            "params": params,
            "opt_state": opt_state,
            "step": jnp.asarray(until, jnp.int32),
        }, losses


def save(directory: str, state: dict[str, Any]) -> None:
    with ocp.CheckpointManager(directory) as manager:
        manager.save(int(state["step"]), args=ocp.args.StandardSave(state))
        manager.wait_until_finished()


def restore(directory: str, like: dict[str, Any]) -> dict[str, Any]:
    """Restores the latest checkpoint into the structure, shapes and dtypes of ``like``."""
    with ocp.CheckpointManager(directory) as manager:
        step = manager.latest_step()
        if step is None:
            raise SystemExit(f"--resume: no checkpoint found in {directory!r}")
        abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, like)
        return manager.restore(step, args=ocp.args.StandardRestore(abstract))


def resume(args: argparse.Namespace) -> int:
    """The fresh-process half: restore, train to the end, write the losses as JSON."""
    trainer = Trainer(args.seed)
    fresh = trainer.initial_state()
    state = restore(args.resume, fresh)
    same_tree = jax.tree.structure(state) == jax.tree.structure(fresh)
    print(
        f"[resumed process {os.getpid()}] restored step {int(state['step'])}; "
        f"same pytree structure as a fresh init (params + optax state): {same_tree}"
    )
    if not same_tree:
        return 1
    _, losses = trainer.train(state, args.steps)
    with open(os.path.join(args.resume, "resumed_losses.json"), "w") as f:
        json.dump(losses, f)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="orbax checkpoint, restart, bitwise resume.")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--save-at", type=int, default=120)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--dir", help="checkpoint directory (default: a temporary one)")
    parser.add_argument("--resume", metavar="DIR", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="30 steps, save at 12")
    args = parser.parse_args(argv)
    if args.smoke:
        args.steps, args.save_at = 30, 12
    if not 0 < args.save_at < args.steps:
        parser.error(f"--save-at must be in (0, --steps={args.steps}), got {args.save_at}")
    if args.resume:
        return resume(args)

    trainer = Trainer(args.seed)
    _, reference = trainer.train(trainer.initial_state(), args.steps)
    print(f"uninterrupted: {args.steps} steps, loss {reference[0]:.4f} -> {reference[-1]:.4f}")

    with tempfile.TemporaryDirectory() as tmp:
        directory = os.path.abspath(args.dir or os.path.join(tmp, "ckpt"))
        if os.path.isdir(directory) and os.listdir(directory):
            parser.error(f"--dir {directory} is not empty; give a new or empty directory")
        state, first = trainer.train(trainer.initial_state(), args.save_at)
        save(directory, state)
        print(f"saved step {args.save_at} to {directory}")
        cmd = [
            sys.executable,
            os.path.abspath(__file__),
            "--resume",
            directory,
            "--steps",
            str(args.steps),
            "--save-at",
            str(args.save_at),
            "--seed",
            str(args.seed),
        ]
        subprocess.run(cmd, check=True)
        with open(os.path.join(directory, "resumed_losses.json")) as f:
            second = json.load(f)

    resumed = first + second
    same = resumed == reference
    diff = max(abs(a - b) for a, b in zip(resumed, reference))
    print(f"interrupted + resumed: {len(resumed)} steps, final loss {resumed[-1]:.6f}")
    print(f"losses bitwise equal to the uninterrupted run: {same} (max abs diff {diff:.3g})")
    return 0 if same and len(resumed) == len(reference) else 1


if __name__ == "__main__":
    sys.exit(main())
