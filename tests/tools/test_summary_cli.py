"""python -m haiku summary module:function --input-shape ..."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from haiku.__main__ import main

MODEL = textwrap.dedent("""
    import jax.numpy as jnp
    import haiku as hk

    class Dense(hk.Module):
        def __init__(self, size, name=None):
            super().__init__(name=name)
            self.size = size

        def __call__(self, x):
            w = hk.get_parameter("w", [x.shape[-1], self.size], init=jnp.zeros)
            return x @ w

    def forward(x, y):
        return Dense(4)(x) + Dense(4, name="other")(y)

    transformed = hk.transform(forward)
""")


@pytest.fixture
def model_file(tmp_path, monkeypatch):
    path = tmp_path / "tiny_model.py"
    path.write_text(MODEL)
    monkeypatch.chdir(tmp_path)
    return path


def test_summary_of_a_file(model_file, capsys):
    assert (
        main(["summary", f"{model_file}:forward", "--input-shape", "8,3", "--input-shape", "8,5"])
        == 0
    )
    out = capsys.readouterr().out
    assert "dense (Dense)" in out and "w: f32[3,4]" in out and "f32[8,5]" in out
    assert out.rstrip().endswith(
        "Total: 32 parameters (128.00 B) in 2 arrays; 0 state values (0.00 B)"
    )


def test_summary_of_a_module_and_transformed(model_file, capsys):
    assert (
        main(
            [
                "summary",
                "tiny_model:transformed",
                "--input-shape",
                "2,3",
                "--input-shape",
                "2,5",
                "--dtype",
                "float16",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "f16[2,3]" in out and "Total: 32 parameters" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["tiny_model:nope", "--input-shape", "2,3"], "has no attribute 'nope'"),
        (["tiny_model", "--input-shape", "2,3"], "write module:function"),
        (["tiny_model:forward", "--input-shape", "2,a"], "is not a shape"),
    ],
)
def test_bad_arguments(model_file, capsys, args, message):
    assert main(["summary", *args]) == 2
    assert message in capsys.readouterr().err


def test_runs_as_a_module(model_file):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "haiku",
            "summary",
            "tiny_model:forward",
            "--input-shape",
            "1,3",
            "--input-shape",
            "1,5",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=model_file.parent,
    )
    assert "other (Dense)" in result.stdout
