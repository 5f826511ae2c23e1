"""A character-level Transformer language model on a small text corpus, with sampling.

Trains a decoder-only Transformer on ``examples/data/corpus.txt`` (about 30 KB of prose
about neural networks, written for this repository), reports the loss in bits per
character on training batches and on the held-out last 10% of the text, then samples from
the model at two temperatures.

    python examples/char_lm.py                    # 600 steps, about a minute on 2 CPUs
    python examples/char_lm.py --smoke            # 30 steps, short samples, for tests
    python examples/char_lm.py --prompt "The loss" --temperature 0.5 --length 400
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time

import jax
import numpy as np
import optax

import haiku as hk

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "corpus.txt")


class CharLM(hk.Module):
    """Token + learned position embeddings, a decoder-only Transformer, a linear readout."""

    def __init__(
        self,
        vocab_size: int,
        context: int,
        model_size: int,
        num_heads: int,
        num_layers: int,
        dropout_rate: float,
        name: str | None = None,
    ):
        super().__init__(name=name)
        self.vocab_size, self.context, self.model_size = vocab_size, context, model_size
        self.num_heads, self.num_layers, self.dropout_rate = num_heads, num_layers, dropout_rate

    def __call__(self, tokens: jax.Array, is_training: bool) -> jax.Array:
        seq_len = tokens.shape[-1]
        if seq_len > self.context:
            raise ValueError(
                f"CharLM: sequence length {seq_len} exceeds the context "
                f"{self.context}; feed at most the last {self.context} tokens."
            )
        x = hk.Embed(self.vocab_size, self.model_size, name="embed")(tokens)
        positions = hk.get_parameter(
            "positions", [self.context, self.model_size], init=hk.initializers.TruncatedNormal(0.02)
        )
        x = x + positions[:seq_len]
        x = hk.nets.Transformer(
            num_heads=self.num_heads,
            num_layers=self.num_layers,
            key_size=self.model_size // self.num_heads,
            dropout_rate=self.dropout_rate,
            name="transformer",
        )(x, is_training=is_training)  # causal; ends in a LayerNorm
        return hk.Linear(self.vocab_size, name="readout")(x)


class Vocab:
    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def encode(self, text: str) -> np.ndarray:
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise SystemExit(
                f"characters {unknown!r} do not occur in the corpus; "
                "use only characters from it in --prompt"
            )
        return np.array([self.index[c] for c in text], dtype=np.int32)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Character-level Transformer LM.")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--context", type=int, default=64)
    parser.add_argument("--model-size", type=int, default=128)
    parser.add_argument("--num-heads", type=int, default=4)
    parser.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--prompt", default="The gradient ")
    parser.add_argument("--length", type=int, default=300, help="characters to sample")
    parser.add_argument("--temperature", type=float, nargs="+", default=[0.5, 1.0])
    parser.add_argument("--smoke", action="store_true", help="30 steps, short samples")
    args = parser.parse_args(argv)
    if args.smoke:
        args.steps, args.length = 30, 40
    if args.model_size % args.num_heads:
        parser.error(
            f"--model-size {args.model_size} must be divisible by --num-heads {args.num_heads}"
        )
    if any(t <= 0 for t in args.temperature):
        parser.error(f"--temperature must be positive, got {args.temperature}")

    with open(CORPUS, encoding="utf-8") as f:
        text = f.read()
    vocab = Vocab(text)
    data = vocab.encode(text)
    split = int(0.9 * len(data))
    train_data, valid_data = data[:split], data[split:]
    print(
        f"corpus: {len(text):,} characters, vocabulary {len(vocab.chars)}; "
        f"{len(train_data):,} train / {len(valid_data):,} held out"
    )

    def forward(tokens, is_training):
        return CharLM(
            len(vocab.chars),
            args.context,
            args.model_size,
            args.num_heads,
            args.num_layers,
            dropout_rate=0.1,
            name="char_lm",
        )(tokens, is_training)

    model = hk.transform(forward)
    rng = np.random.RandomState(args.seed)

    def batch(source: np.ndarray, size: int):
        starts = rng.randint(0, len(source) - args.context - 1, size)
        window = np.stack([source[s : s + args.context + 1] for s in starts])
        return window[:, :-1], window[:, 1:]

    key = jax.random.PRNGKey(args.seed)
    key, init_key = jax.random.split(key)
    params = model.init(init_key, batch(train_data, 1)[0], True)
    print(f"{hk.data_structures.tree_size(params):,} parameters in {len(params)} modules")

    optimizer = optax.chain(
        optax.clip_by_global_norm(1.0),
        optax.adamw(
            optax.warmup_cosine_decay_schedule(0.0, 3e-3, min(100, args.steps // 5), args.steps),
            weight_decay=1e-2,
        ),
    )
    opt_state = optimizer.init(params)

    def loss_fn(params, key, inputs, targets, is_training):
        logits = model.apply(params, key, inputs, is_training)
        return optax.softmax_cross_entropy_with_integer_labels(logits, targets).mean()

    @jax.jit
    def train_step(params, opt_state, key, inputs, targets):
        loss, grads = jax.value_and_grad(loss_fn)(params, key, inputs, targets, True)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state, loss

    eval_loss = jax.jit(lambda p, x, y: loss_fn(p, None, x, y, False))
    bits = 1 / math.log(2)
    print(f"uniform guess: {math.log(len(vocab.chars)) * bits:.3f} bits/char")
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        key, step_key = jax.random.split(key)
        params, opt_state, loss = train_step(
            params, opt_state, step_key, *batch(train_data, args.batch_size)
        )
        if step == 1 or step % max(args.steps // 6, 1) == 0 or step == args.steps:
            valid = eval_loss(params, *batch(valid_data, 128))
            print(
                f"step {step:5d}  train {float(loss) * bits:.3f} bits/char  "
                f"held out {float(valid) * bits:.3f} bits/char"
            )
    print(f"trained {args.steps} steps in {time.perf_counter() - start:.1f} s")

    @jax.jit
    def sample_next(params, key, window, last, temperature):
        logits = model.apply(params, None, window[None], False)[0, last]
        return jax.random.categorical(key, logits / temperature)

    for temperature in args.temperature:
        tokens = list(vocab.encode(args.prompt))
        for _ in range(args.length):
            context = tokens[-args.context :]
            # Right-pad to a fixed shape (one compilation); causal attention ignores the pad.
            window = np.zeros(args.context, np.int32)
            window[: len(context)] = context
            key, sample_key = jax.random.split(key)
            tokens.append(
                int(sample_next(params, sample_key, window, len(context) - 1, temperature))
            )
        print(f"--- sample (temperature {temperature}) ---")
        print(vocab.decode(tokens))
    return 0


if __name__ == "__main__":
    sys.exit(main())
