"""The main job: classify handwritten digits with an MLP and a small ConvNet.

Trains ``hk.nets.MLP`` and a Conv2D + BatchNorm network (``hk.transform_with_state``) with
optax on the 8x8 handwritten digits bundled with scikit-learn (no download), or on a local
MNIST ``.npz`` with ``--mnist PATH``. Writes a loss/accuracy plot, a per-module parameter
summary and the final metrics into ``--out`` (default ``outputs/``).

    python examples/train_digits.py                   # both models, ~30 s on 2 CPUs
    python examples/train_digits.py --model mlp --epochs 20 --seed 1
    python examples/train_digits.py --mnist ~/data/mnist.npz

Exits with status 1 when the MLP's test accuracy is below 97%.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import matplotlib

matplotlib.use("Agg")

import jax
import jax.numpy as jnp
import matplotlib.pyplot as plt
import numpy as np
import optax
from tqdm import tqdm

import haiku as hk

MLP_TARGET_ACCURACY = 0.97
BATCH_SIZE = 64


class Dataset(NamedTuple):
    """Images in [0, 1] with shape [N, H, W, 1] and integer labels [N]."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def load_digits(seed: int = 0) -> Dataset:
    """The 1,797 8x8 scikit-learn digits, split 75/25 (stratified, fixed by ``seed``)."""
    from sklearn.datasets import load_digits as sk_load_digits
    from sklearn.model_selection import train_test_split

    digits = sk_load_digits()
    images = (digits.images / 16.0).astype(np.float32)[..., None]
    x_train, x_test, y_train, y_test = train_test_split(
        images,
        digits.target.astype(np.int32),
        test_size=0.25,
        random_state=seed,
        stratify=digits.target,
    )
    return Dataset("sklearn digits (8x8)", x_train, y_train, x_test, y_test)


def load_mnist(path: str) -> Dataset:
    """A local MNIST ``.npz`` with arrays ``x_train, y_train, x_test, y_test`` (Keras layout)."""
    with np.load(os.path.expanduser(path)) as data:
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(data.files)
        if missing:
            raise SystemExit(
                f"--mnist {path}: the .npz lacks {sorted(missing)} "
                f"(it has {sorted(data.files)}); expected the Keras mnist.npz layout."
            )
        arrays = {k: data[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    scale = 255.0 if arrays["x_train"].max() > 1 else 1.0

    def images(x: np.ndarray) -> np.ndarray:
        x = x.astype(np.float32) / scale
        return x[..., None] if x.ndim == 3 else x

    return Dataset(
        "MNIST (28x28)",
        images(arrays["x_train"]),
        arrays["y_train"].astype(np.int32),
        images(arrays["x_test"]),
        arrays["y_test"].astype(np.int32),
    )


# ---------------------------------------------------------------------------------------------
# Models. Both are written as `fn(images, is_training) -> logits`.


def mlp_fn(images: jax.Array, is_training: bool) -> jax.Array:
    del is_training  # the MLP has no dropout or batch statistics
    x = hk.Flatten()(images)
    return hk.nets.MLP([256, 128, 10], name="mlp")(x)


class ConvNet(hk.Module):
    """Two conv + BatchNorm + ReLU stages, global average pooling and a linear head."""

    def __init__(self, num_classes: int = 10, name: str | None = None):
        super().__init__(name=name)
        self.num_classes = num_classes

    def __call__(self, images: jax.Array, is_training: bool) -> jax.Array:
        x = images
        for i, (channels, stride) in enumerate([(32, 1), (64, 2)]):
            x = hk.Conv2D(channels, kernel_shape=3, stride=stride, name=f"conv_{i}")(x)
            x = hk.BatchNorm(
                create_scale=True, create_offset=True, decay_rate=0.9, name=f"batch_norm_{i}"
            )(x, is_training)
            x = jax.nn.relu(x)
        x = jnp.mean(x, axis=(1, 2))
        return hk.Linear(self.num_classes, name="logits")(x)


def convnet_fn(images: jax.Array, is_training: bool) -> jax.Array:
    return ConvNet(name="convnet")(images, is_training)


MODELS: dict[str, Callable[[jax.Array, bool], jax.Array]] = {"mlp": mlp_fn, "convnet": convnet_fn}


# ---------------------------------------------------------------------------------------------
# Training.


class TrainState(NamedTuple):
    params: hk.Params
    state: hk.State
    opt_state: optax.OptState


def make_trainer(
    model_fn: Callable[[jax.Array, bool], jax.Array], learning_rate: float, total_steps: int
):
    """Returns ``(net, optimizer, train_step, evaluate)`` for ``model_fn``."""
    net = hk.without_apply_rng(hk.transform_with_state(model_fn))
    schedule = optax.cosine_decay_schedule(learning_rate, total_steps)
    optimizer = optax.adamw(schedule, weight_decay=1e-4)

    def loss_fn(params, state, images, labels):
        logits, state = net.apply(params, state, images, True)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        return loss, (state, jnp.mean(jnp.argmax(logits, -1) == labels))

    @jax.jit
    def train_step(ts: TrainState, images, labels):
        (loss, (state, acc)), grads = jax.value_and_grad(loss_fn, has_aux=True)(
            ts.params, ts.state, images, labels
        )
        updates, opt_state = optimizer.update(grads, ts.opt_state, ts.params)
        return TrainState(optax.apply_updates(ts.params, updates), state, opt_state), loss, acc

    @jax.jit
    def evaluate(params, state, images, labels):
        logits, _ = net.apply(params, state, images, False)
        loss = optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()
        return loss, jnp.mean(jnp.argmax(logits, -1) == labels)

    return net, optimizer, train_step, evaluate


def batched_eval(evaluate, params, state, x, y, batch: int = 2000) -> tuple[float, float]:
    """Mean loss and accuracy over ``x`` in chunks (MNIST's test set does not fit one batch)."""
    losses, accs, sizes = [], [], []
    for i in range(0, len(x), batch):
        loss, acc = evaluate(params, state, x[i : i + batch], y[i : i + batch])
        losses.append(float(loss)), accs.append(float(acc)), sizes.append(len(x[i : i + batch]))
    return float(np.average(losses, weights=sizes)), float(np.average(accs, weights=sizes))


def train(
    name: str, data: Dataset, epochs: int, seed: int, learning_rate: float = 3e-3
) -> dict[str, Any]:
    """Trains one model; returns its history, final metrics, params and state."""
    steps_per_epoch = len(data.x_train) // BATCH_SIZE
    net, optimizer, train_step, evaluate = make_trainer(
        MODELS[name], learning_rate, epochs * steps_per_epoch
    )
    params, state = net.init(jax.random.PRNGKey(seed), data.x_train[:BATCH_SIZE], True)
    ts = TrainState(params, state, optimizer.init(params))
    rng = np.random.RandomState(seed)
    history: dict[str, list[float]] = {
        k: [] for k in ("train_loss", "train_acc", "test_loss", "test_acc")
    }

    start = time.perf_counter()
    with tqdm(
        range(epochs), desc=f"{name:>7}", unit="epoch", file=sys.stderr, dynamic_ncols=True
    ) as bar:
        for _ in bar:
            order = rng.permutation(len(data.x_train))
            losses = []
            for i in range(steps_per_epoch):
                idx = order[i * BATCH_SIZE : (i + 1) * BATCH_SIZE]
                ts, loss, _ = train_step(ts, data.x_train[idx], data.y_train[idx])
                losses.append(loss)
            train_loss, train_acc = batched_eval(
                evaluate, ts.params, ts.state, data.x_train, data.y_train
            )
            test_loss, test_acc = batched_eval(
                evaluate, ts.params, ts.state, data.x_test, data.y_test
            )
            history["train_loss"].append(float(np.mean(jax.device_get(losses))))
            history["train_acc"].append(train_acc)
            history["test_loss"].append(test_loss)
            history["test_acc"].append(test_acc)
            bar.set_postfix(loss=f"{history['train_loss'][-1]:.4f}", test_acc=f"{test_acc:.4f}")
    seconds = time.perf_counter() - start
    return {
        "history": history,
        "train_acc": history["train_acc"][-1],
        "test_acc": history["test_acc"][-1],
        "seconds": seconds,
        "steps": epochs * steps_per_epoch,
        "params": ts.params,
        "state": ts.state,
    }


# ---------------------------------------------------------------------------------------------
# Reports.


def summary_table(title: str, params: hk.Params, state: hk.State) -> str:
    """A per-module table of parameter (and state) shapes, counts and bytes."""
    rows = [("module", "name", "shape", "dtype", "count")]
    for kind, tree in (("param", params), ("state", state)):
        for module, entries in tree.items():
            for pname, value in entries.items():
                label = pname if kind == "param" else f"{pname} (state)"
                rows.append(
                    (
                        module,
                        label,
                        "x".join(map(str, value.shape)) or "scalar",
                        str(value.dtype),
                        f"{value.size:,}",
                    )
                )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    line = "  ".join("-" * w for w in widths)

    def fmt(r):
        return "  ".join(
            c.rjust(w) if i == 4 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))
        )

    out = [title, fmt(rows[0]), line, *map(fmt, rows[1:]), line]
    per_module = {m: hk.data_structures.tree_size(p) for m, p in params.items()}
    out.append("per module: " + ", ".join(f"{m}={n:,}" for m, n in per_module.items()))
    out.append(
        f"total params: {hk.data_structures.tree_size(params):,} "
        f"({hk.data_structures.tree_bytes(params):,} bytes); "
        f"state: {hk.data_structures.tree_size(state):,}"
    )
    return "\n".join(out)


def plot_curves(results: dict[str, dict[str, Any]], path: str) -> None:
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4))
    for name, result in results.items():
        h = result["history"]
        epochs = np.arange(1, len(h["train_loss"]) + 1)
        ax_loss.plot(epochs, h["train_loss"], label=f"{name} train")
        ax_loss.plot(epochs, h["test_loss"], "--", label=f"{name} test")
        ax_acc.plot(epochs, h["train_acc"], label=f"{name} train")
        ax_acc.plot(epochs, h["test_acc"], "--", label=f"{name} test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy", yscale="log", title="loss")
    ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0.8, 1.0))
    ax_acc.axhline(MLP_TARGET_ACCURACY, color="grey", lw=0.8, ls=":")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--epochs", type=int, help="passes over the training set (default: 30 digits, 3 MNIST)"
    )
    parser.add_argument("--seed", type=int, default=0, help="init, shuffling and split seed")
    parser.add_argument("--model", choices=["mlp", "convnet", "both"], default="both")
    parser.add_argument("--out", default="outputs", help="directory for the plot and reports")
    parser.add_argument(
        "--mnist", metavar="PATH", help="train on a local MNIST .npz instead of the sklearn digits"
    )
    args = parser.parse_args(argv)
    if args.epochs is None:
        args.epochs = 3 if args.mnist else 30
    if args.mnist and not os.path.isfile(os.path.expanduser(args.mnist)):
        parser.error(f"--mnist {args.mnist}: no such file")
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data = load_mnist(args.mnist) if args.mnist else load_digits(args.seed)
    names = ["mlp", "convnet"] if args.model == "both" else [args.model]
    os.makedirs(args.out, exist_ok=True)
    print(
        f"data: {data.name}: {len(data.x_train)} train / {len(data.x_test)} test images; "
        f"jax {jax.__version__} on {jax.devices()[0].platform} ({jax.device_count()} devices)"
    )

    results = {name: train(name, data, args.epochs, args.seed) for name in names}

    summaries = []
    for name, r in results.items():
        summaries.append(summary_table(f"== {name} ==", r["params"], r["state"]))
        print(
            f"{name}: train accuracy {r['train_acc']:.4f}  test accuracy {r['test_acc']:.4f}  "
            f"({r['steps']} steps, {r['seconds']:.1f} s)"
        )
    summary_path = os.path.join(args.out, "model_summary.txt")
    with open(summary_path, "w") as f:
        f.write("\n\n".join(summaries) + "\n")
    plot_path = os.path.join(args.out, "training_curves.png")
    plot_curves(results, plot_path)
    metrics_path = os.path.join(args.out, "metrics.json")
    with open(metrics_path, "w") as f:
        json.dump(
            {
                "dataset": data.name,
                "epochs": args.epochs,
                "seed": args.seed,
                "models": {
                    n: {k: r[k] for k in ("train_acc", "test_acc", "seconds", "steps", "history")}
                    for n, r in results.items()
                },
            },
            f,
            indent=1,
        )
    print(f"wrote {plot_path}, {summary_path}, {metrics_path}")
    print(summaries[0])

    if "mlp" in results and results["mlp"]["test_acc"] < MLP_TARGET_ACCURACY:
        print(
            f"FAIL: MLP test accuracy {results['mlp']['test_acc']:.4f} is below "
            f"{MLP_TARGET_ACCURACY:.2f}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
