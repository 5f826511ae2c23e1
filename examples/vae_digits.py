"""A variational autoencoder on the scikit-learn 8x8 digits.

The encoder maps an image to a diagonal Gaussian over a small latent space; the model draws
its latent sample itself with ``hk.next_rng_key()`` (the reparameterisation trick), so
``apply`` takes an RNG key. The decoder outputs Bernoulli logits per pixel. Prints the
negative ELBO per epoch and writes reconstructions and samples from the prior as a PNG.

    python examples/vae_digits.py                 # 60 epochs, a few seconds
    python examples/vae_digits.py --smoke         # 3 epochs, for tests
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax

import haiku as hk

IMAGE_SHAPE = (8, 8)
NUM_PIXELS = 64


class VAEOutput(NamedTuple):
    logits: jax.Array
    mean: jax.Array
    log_std: jax.Array


class Encoder(hk.Module):
    """Image -> mean and log standard deviation of q(z | x)."""

    def __init__(self, hidden: int, latent: int, name: str | None = None):
        super().__init__(name=name)
        self.hidden, self.latent = hidden, latent

    def __call__(self, x: jax.Array) -> tuple[jax.Array, jax.Array]:
        h = hk.nets.MLP([self.hidden, self.hidden], activate_final=True, name="mlp")(x)
        return hk.Linear(self.latent, name="mean")(h), hk.Linear(self.latent, name="log_std")(h)


class Decoder(hk.Module):
    """Latent -> Bernoulli logits for every pixel."""

    def __init__(self, hidden: int, name: str | None = None):
        super().__init__(name=name)
        self.hidden = hidden

    def __call__(self, z: jax.Array) -> jax.Array:
        return hk.nets.MLP([self.hidden, self.hidden, NUM_PIXELS], name="mlp")(z)


class VAE(hk.Module):
    def __init__(self, hidden: int = 256, latent: int = 8, name: str | None = None):
        super().__init__(name=name)
        self.encoder = Encoder(hidden, latent)
        self.decoder = Decoder(hidden)

    def __call__(self, x: jax.Array) -> VAEOutput:
        mean, log_std = self.encoder(x)
        eps = jax.random.normal(hk.next_rng_key(), mean.shape)
        return VAEOutput(self.decoder(mean + jnp.exp(log_std) * eps), mean, log_std)

    def generate(self, num: int) -> jax.Array:
        """Pixel probabilities for ``num`` latents drawn from the prior."""
        z = jax.random.normal(hk.next_rng_key(), (num, self.encoder.latent))
        return jax.nn.sigmoid(self.decoder(z))


def _vae_fns():
    vae = VAE(name="vae")

    def init(x):
        return vae(x), vae.generate(1)

    return init, (vae.__call__, vae.generate)


model = hk.multi_transform(_vae_fns)
forward, generate = model.apply


def neg_elbo(params: hk.Params, key: jax.Array, x: jax.Array) -> jax.Array:
    """Mean over the batch of -ELBO = reconstruction NLL + KL(q(z|x) || N(0, I)), in nats."""
    out = forward(params, key, x)
    nll = optax.sigmoid_binary_cross_entropy(out.logits, x).sum(-1)
    kl = 0.5 * jnp.sum(jnp.exp(2 * out.log_std) + out.mean**2 - 1 - 2 * out.log_std, -1)
    return jnp.mean(nll + kl)


def load_data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    x = (load_digits().data / 16.0).astype(np.float32)
    x_train, x_test = train_test_split(x, test_size=0.2, random_state=seed)
    return x_train, x_test


def save_figure(params: hk.Params, key: jax.Array, x: np.ndarray, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    k1, k2 = jax.random.split(key)
    recon = jax.nn.sigmoid(forward(params, k1, x[:10]).logits)
    samples = generate(params, k2, 10)
    fig, axes = plt.subplots(3, 10, figsize=(10, 3.3))
    for row, (title, images) in enumerate(
        [("input", x[:10]), ("reconstruction", recon), ("prior sample", samples)]
    ):
        for col in range(10):
            ax = axes[row, col]
            ax.imshow(np.asarray(images[col]).reshape(IMAGE_SHAPE), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
        axes[row, 0].set_ylabel(title, fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="VAE on the sklearn digits.")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="outputs", help="directory for vae_digits.png")
    parser.add_argument("--smoke", action="store_true", help="3 epochs (fast test)")
    args = parser.parse_args(argv)
    epochs = 3 if args.smoke else args.epochs

    x_train, x_test = load_data(args.seed)
    key = jax.random.PRNGKey(args.seed)
    key, init_key = jax.random.split(key)
    params = model.init(init_key, x_train[:1])
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(params)
    print("params:", {m: {n: v.shape for n, v in p.items()} for m, p in params.items()})
    print(
        f"{hk.data_structures.tree_size(params):,} parameters; "
        f"{len(x_train)} train / {len(x_test)} test images"
    )

    @jax.jit
    def train_step(params, opt_state, key, x):
        loss, grads = jax.value_and_grad(neg_elbo)(params, key, x)
        updates, opt_state = optimizer.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    eval_loss = jax.jit(neg_elbo)
    rng = np.random.RandomState(args.seed)
    steps = len(x_train) // args.batch_size
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        order = rng.permutation(len(x_train))
        losses = []
        for i in range(steps):
            key, step_key = jax.random.split(key)
            batch = x_train[order[i * args.batch_size : (i + 1) * args.batch_size]]
            params, opt_state, loss = train_step(params, opt_state, step_key, batch)
            losses.append(loss)
        if epoch == 1 or epoch % 10 == 0 or epoch == epochs:
            key, eval_key = jax.random.split(key)
            test = float(eval_loss(params, eval_key, x_test))
            print(
                f"epoch {epoch:3d}  train -ELBO {float(np.mean(losses)):7.3f}  "
                f"test -ELBO {test:7.3f} nats"
            )
    print(f"trained {epochs * steps} steps in {time.perf_counter() - start:.1f} s")
    final = float(eval_loss(params, jax.random.PRNGKey(1), x_test))
    print(f"final test -ELBO: {final:.3f} nats per image")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "vae_digits.png")
    save_figure(params, jax.random.PRNGKey(2), x_test, path)
    print(f"wrote {path}")
    return 0 if np.isfinite(final) else 1


if __name__ == "__main__":
    sys.exit(main())
