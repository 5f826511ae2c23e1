"""Models and hand-written JAX baselines shared by the benchmark workloads.

Everything here uses only the public `hk.*` API, so the same code runs under our haiku and
under dm-haiku 0.0.17. The raw-JAX functions take the parameter dict that the Haiku model
creates (same names and shapes), so both compute exactly the same thing.
"""

from __future__ import annotations

import collections
import math
import re

import jax
import jax.numpy as jnp
import numpy as np

import haiku as hk

# --------------------------------------------------------------------------------------------
# MLP


def mlp_fn(sizes):
    """A transformed `hk.nets.MLP(sizes)` (relu, no final activation)."""
    return hk.transform(lambda x: hk.nets.MLP(sizes)(x))


def mlp_layer_names(n: int) -> list[str]:
    return [f"mlp/~/linear_{i}" for i in range(n)]


def raw_mlp_apply(params, x):
    """Plain JAX forward of an `hk.nets.MLP` parameter dict (relu between layers)."""
    names = mlp_layer_names(len(params))
    for i, name in enumerate(names):
        p = params[name]
        x = jnp.dot(x, p["w"]) + p["b"]
        if i < len(names) - 1:
            x = jax.nn.relu(x)
    return x


def raw_mlp_init(key, in_size: int, sizes) -> dict:
    """Plain JAX init with the same key stream and initializers as Haiku's MLP.

    Each random initializer takes `split(key)[1]` and carries on with `split(key)[0]`;
    Linear's default `w_init` is `TruncatedNormal(1/sqrt(fan_in))`, `b` is zeros.
    """
    params = {}
    for name, out in zip(mlp_layer_names(len(sizes)), sizes):
        key, sub = jax.random.split(key)
        w = jax.random.truncated_normal(sub, -2.0, 2.0, (in_size, out)) * (1.0 / math.sqrt(in_size))
        params[name] = {"w": w, "b": jnp.zeros((out,))}
        in_size = out
    return params


# --------------------------------------------------------------------------------------------
# ResNet18 (stateful: BatchNorm moving averages)


def resnet_fn(num_classes: int = 10):
    def forward(x, is_training):
        return hk.nets.ResNet18(num_classes)(x, is_training=is_training)

    return hk.transform_with_state(forward)


# --------------------------------------------------------------------------------------------
# Transformer language model built from core layers (so it runs under dm-haiku too)

TF_VOCAB, TF_LAYERS, TF_HEADS, TF_DIM = 256, 6, 4, 128


def _block(h, mask, i):
    ln1 = hk.LayerNorm(axis=-1, create_scale=True, create_offset=True, name=f"ln1_{i}")
    attn = hk.MultiHeadAttention(
        num_heads=TF_HEADS,
        key_size=TF_DIM // TF_HEADS,
        w_init=hk.initializers.VarianceScaling(2.0 / TF_LAYERS),
        name=f"attn_{i}",
    )
    y = ln1(h)
    h = h + attn(y, y, y, mask=mask)
    ln2 = hk.LayerNorm(axis=-1, create_scale=True, create_offset=True, name=f"ln2_{i}")
    y = hk.Linear(4 * TF_DIM, name=f"ff_in_{i}")(ln2(h))
    y = hk.Linear(TF_DIM, name=f"ff_out_{i}")(jax.nn.gelu(y))
    return h + y


def transformer_lm(tokens):
    """Decoder-only LM: logits `[B, T, vocab]` for int tokens `[B, T]`."""
    seq = tokens.shape[1]
    h = hk.Embed(TF_VOCAB, TF_DIM)(tokens)
    pos = hk.get_parameter("pos", [seq, TF_DIM], init=hk.initializers.TruncatedNormal(0.02))
    h = h + pos
    mask = jnp.tril(jnp.ones((1, 1, seq, seq), dtype=bool))
    for i in range(TF_LAYERS):
        h = _block(h, mask, i)
    h = hk.LayerNorm(axis=-1, create_scale=True, create_offset=True, name="ln_f")(h)
    return hk.Linear(TF_VOCAB, name="unembed")(h)


def transformer_fn():
    return hk.transform(transformer_lm)


# --------------------------------------------------------------------------------------------
# LSTM unroll

LSTM_HIDDEN, LSTM_OUT = 128, 16


def lstm_forward(xs):
    """`hk.LSTM` unrolled over time-major `xs [T, B, F]` then a Linear head."""
    core = hk.LSTM(LSTM_HIDDEN)
    state = core.initial_state(xs.shape[1])
    ys, _ = hk.dynamic_unroll(core, xs, state)
    return hk.Linear(LSTM_OUT)(ys)


def lstm_fn():
    return hk.transform(lstm_forward)


def raw_lstm_apply(params, xs):
    """Plain JAX (`lax.scan`) version of `lstm_forward` on the same parameter dict."""
    w, b = params["lstm/linear"]["w"], params["lstm/linear"]["b"]
    batch = xs.shape[1]
    zeros = jnp.zeros((batch, LSTM_HIDDEN), xs.dtype)

    def step(carry, x):
        h, c = carry
        gates = jnp.dot(jnp.concatenate([x, h], axis=-1), w) + b
        i, g, f, o = jnp.split(gates, 4, axis=-1)
        c = jax.nn.sigmoid(f + 1) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    _, ys = jax.lax.scan(step, (zeros, zeros), xs)
    head = params["linear"]
    return jnp.dot(ys, head["w"]) + head["b"]


# --------------------------------------------------------------------------------------------
# Helpers


def params_digest(tree) -> dict:
    """Paths, shapes, dtypes and a content checksum of a params tree (for cross-env equality)."""
    leaves = jax.tree_util.tree_leaves_with_path(tree)
    out = []
    for path, leaf in leaves:
        arr = np.asarray(leaf)
        out.append([jax.tree_util.keystr(path), list(arr.shape), str(arr.dtype), _checksum(arr)])
    return {"leaves": out}


def _checksum(arr: np.ndarray) -> str:
    import hashlib

    return hashlib.sha256(np.ascontiguousarray(arr).tobytes()).hexdigest()[:16]


_OPCODE = re.compile(r"[\]\})] ([a-z][a-z0-9\-]*)\(")


def hlo_profile(hlo_text: str) -> dict:
    """Op-kind histogram and instruction count of HLO text, ignoring names and metadata."""
    ops: collections.Counter = collections.Counter()
    shaped: collections.Counter = collections.Counter()
    for line in hlo_text.splitlines():
        line = line.strip()
        if not line or line.startswith(("HloModule", "}", "//")) or " = " not in line:
            continue
        if line.endswith("{") and "->" in line:  # computation header
            continue
        rhs = line.split(" = ", 1)[1]
        m = _OPCODE.search(rhs)
        if m is None:
            continue
        ops[m.group(1)] += 1
        shaped[rhs[: m.start() + 1] + " " + m.group(1)] += 1
    return {
        "total": sum(ops.values()),
        "ops": dict(sorted(ops.items())),
        "shaped_signature": _checksum(
            np.frombuffer(repr(sorted(shaped.items())).encode(), dtype=np.uint8)
        ),
    }
