"""Smoke tests of the example scripts, and the main job's accuracy target.

Every example runs in a subprocess exactly as the README runs it (``python
examples/<name>.py --smoke``); the test checks the exit status and the line or file that
proves the example's claim. ``test_train_digits_reaches_97_percent`` is the main job itself
(about 10-20 s of CPU time): it is deliberately not marked slow, so CI runs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

for _module in ("haiku_layers", "haiku_nets", "haiku_jaxwrap", "optax", "sklearn"):
    pytest.importorskip(_module)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_example(
    name: str, *args: str, timeout: float = 240, check: bool = True
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MPLBACKEND="Agg")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=EXAMPLES.parent,
    )
    if check and proc.returncode != 0:
        pytest.fail(
            f"{name} {' '.join(args)} exited with {proc.returncode}\n"
            f"--- stdout ---\n{proc.stdout[-3000:]}\n--- stderr ---\n{proc.stderr[-3000:]}"
        )
    return proc


def line_with(output: str, prefix: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(prefix)]
    assert lines, f"no line starting with {prefix!r} in:\n{output}"
    return lines[-1]


@pytest.fixture(scope="module")
def plotting():
    pytest.importorskip("matplotlib")
    pytest.importorskip("tqdm")


def test_train_digits_reaches_97_percent(tmp_path, plotting):
    proc = run_example("train_digits.py", "--out", str(tmp_path))
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    mlp, convnet = metrics["models"]["mlp"], metrics["models"]["convnet"]
    assert mlp["test_acc"] >= 0.97
    assert convnet["test_acc"] >= 0.95
    assert len(mlp["history"]["test_acc"]) == metrics["epochs"] == 30
    assert f"test accuracy {mlp['test_acc']:.4f}" in line_with(proc.stdout, "mlp:")
    assert (tmp_path / "training_curves.png").read_bytes().startswith(PNG_MAGIC)
    summary = (tmp_path / "model_summary.txt").read_text()
    assert "mlp/~/linear_0  w     64x256" in summary
    assert "total params: 50,826" in summary  # 64*256+256 + 256*128+128 + 128*10+10
    assert "convnet/batch_norm_0/~/mean_ema" in summary  # BatchNorm state is listed
    assert "mlp: 100%" in proc.stderr and "30/30" in proc.stderr  # the tqdm progress bar


def test_train_digits_fails_below_target(tmp_path, plotting):
    proc = run_example(
        "train_digits.py", "--model", "mlp", "--epochs", "1", "--out", str(tmp_path), check=False
    )
    assert proc.returncode == 1
    assert "FAIL: MLP test accuracy" in proc.stderr


def test_train_digits_on_local_mnist_npz(tmp_path, plotting):
    # A synthetic stand-in for mnist.npz: one bright 4x4 square per class, plus noise.
    rng = np.random.RandomState(0)

    def make(n):
        y = rng.randint(0, 10, n)
        x = (rng.rand(n, 28, 28) * 60).astype("uint8")
        for i, label in enumerate(y):
            r, c = divmod(int(label), 5)
            x[i, 4 + 12 * r : 8 + 12 * r, 2 + 5 * c : 6 + 5 * c] = 255
        return x, y

    (x_train, y_train), (x_test, y_test) = make(512), make(128)
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    proc = run_example(
        "train_digits.py",
        "--mnist",
        str(path),
        "--model",
        "mlp",
        "--epochs",
        "3",
        "--out",
        str(tmp_path / "out"),
    )
    assert "MNIST (28x28): 512 train / 128 test" in proc.stdout
    assert "mlp/~/linear_0  w     784x256" in (tmp_path / "out" / "model_summary.txt").read_text()


def test_vae_digits(tmp_path, plotting):
    proc = run_example("vae_digits.py", "--smoke", "--out", str(tmp_path))
    final = float(line_with(proc.stdout, "final test -ELBO:").split()[3])
    assert 0 < final < 44.4  # below the -ELBO of predicting 0.5 for every pixel (64 ln 2)
    assert "'vae/~/encoder/mean'" in proc.stdout
    assert (tmp_path / "vae_digits.png").read_bytes().startswith(PNG_MAGIC)


def test_char_lm():
    proc = run_example("char_lm.py", "--smoke")
    assert "vocabulary" in line_with(proc.stdout, "corpus:")
    first = float(line_with(proc.stdout, "step     1").split()[3])
    last = float(line_with(proc.stdout, "step    30").split()[3])
    assert last < first
    samples = [line for line in proc.stdout.splitlines() if line.startswith("The gradient ")]
    assert len(samples) == 2  # temperatures 0.5 and 1.0
    assert "--- sample (temperature 0.5) ---" in proc.stdout


def test_lstm_sequence():
    proc = run_example("lstm_sequence.py", "--smoke")
    words = line_with(proc.stdout, "test mse").replace(",", "").rstrip(")").split()
    test_mse, repeat_last = float(words[2]), float(words[-1])
    assert test_mse < repeat_last
    assert "'lstm/linear'" in proc.stdout


def test_resnet_state():
    proc = run_example("resnet_state.py", "--smoke")
    assert line_with(proc.stdout, "state unchanged") == (
        "state unchanged by is_training=False: True"
    )
    assert "batchnorm_0/~/mean_ema']: ['average', 'counter', 'hidden']" in proc.stdout
    test_acc = float(line_with(proc.stdout, "eval (is_training=False").split()[-1])
    assert test_acc > 0.5


def test_checkpointing_resumes_bitwise():
    pytest.importorskip("orbax.checkpoint")
    proc = run_example("checkpointing.py", "--smoke")
    assert "same pytree structure as a fresh init (params + optax state): True" in proc.stdout
    assert line_with(proc.stdout, "losses bitwise equal").startswith(
        "losses bitwise equal to the uninterrupted run: True"
    )


def test_data_parallel_matches_single_device():
    proc = run_example("data_parallel.py", "--smoke")
    assert line_with(proc.stdout, "8 devices").startswith("8 devices: cpu")
    assert "jit + NamedSharding matches single device (allclose 1e-5): True" in proc.stdout
    assert "pmap + pmean matches single device (allclose 1e-5): True" in proc.stdout
