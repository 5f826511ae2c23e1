"""Linear, Bias, Sequential, BatchApply, dropout, Reshape and the package."""

import pathlib
import subprocess
import sys
import tomllib

import pytest

pytest.importorskip("haiku_layers")
import jax
import jax.numpy as jnp
import numpy as np

from golden import layers_feedforward_cases as cases

hk = cases.haiku_under_test()
ROOT = pathlib.Path(__file__).parents[2]


def _init(fn, *xs):
    return hk.transform(fn).init(jax.random.PRNGKey(0), *xs)


def test_exports_mirror_entry_points():
    import haiku_layers

    with open(ROOT / "packages/haiku-layers/pyproject.toml", "rb") as f:
        table = tomllib.load(f)["project"]["entry-points"]["haiku.plugins"]
    assert table == haiku_layers._EXPORTS
    assert tuple(haiku_layers.__all__) == tuple(table)


def test_package_import_is_lazy():
    code = (
        "import sys, haiku_layers; "
        "print(sorted(m for m in sys.modules if m.startswith('haiku_layers.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "['haiku_layers.__about__']"


def test_lazy_names_resolve():
    import haiku_layers
    from haiku_layers import linear, pad

    assert haiku_layers.Linear is linear.Linear
    assert haiku_layers.pad is pad
    assert callable(haiku_layers.dropout)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        haiku_layers.Nope  # noqa: B018


def test_pad_all_is_literal_and_complete():
    from haiku_layers import pad

    assert sorted(pad.__all__) == [
        "PadFn",
        "causal",
        "create",
        "create_from_padfn",
        "create_from_tuple",
        "full",
        "is_padfn",
        "reverse_causal",
        "same",
        "valid",
    ]
    assert pad.create is pad.create_from_padfn
    assert [f(4) for f in (pad.valid, pad.same, pad.full, pad.causal, pad.reverse_causal)] == [
        (0, 0),
        (1, 2),
        (3, 3),
        (3, 0),
        (0, 3),
    ]
    assert pad.create_from_padfn([pad.same, pad.causal], [3, 2], 2, 2) == ((2, 2), (2, 0))
    assert pad.create_from_tuple([(1, 2)], 3) == ((1, 2),) * 3
    with pytest.raises(TypeError, match="padding"):
        pad.create_from_tuple([(1, 2), (3, 4)], 3)
    assert not pad.is_padfn([]) and not pad.is_padfn("SAME")


def test_get_channel_index():
    from haiku_layers.data_format import get_channel_index

    assert [get_channel_index(s) for s in ("NHWC", "NCHW", "BTHWD", "NC", "channels_last")] == [
        -1,
        1,
        -1,
        1,
        -1,
    ]
    with pytest.raises(ValueError, match="data_format='HWC'"):
        get_channel_index("HWC")


def test_linear_records_input_size_and_rejects_scalars():
    def f(x):
        lin = hk.Linear(3)
        lin(x)
        assert lin.input_size == 4

    _init(f, jnp.ones([2, 4]))
    with pytest.raises(ValueError, match="linear.*scalar"):
        _init(lambda x: hk.Linear(3)(x), jnp.ones([]))


@pytest.mark.parametrize(
    "kwargs, shape, match",
    [
        (dict(bias_dims=[0]), (2, 3), "batch axis"),
        (dict(bias_dims=[3]), (2, 3), "out of range"),
        (dict(output_size=(4,)), (2, 3), "output_size"),
        ({}, (3,), "rank >= 2"),
    ],
)
def test_bias_errors(kwargs, shape, match):
    with pytest.raises(ValueError, match=match):
        _init(lambda x: hk.Bias(**kwargs)(x), jnp.ones(shape))


def test_sequential_passes_extra_args_to_first_layer():
    seen = []

    def first(x, y, *, z):
        seen.append((y, z))
        return x + y

    out = hk.transform(lambda x: hk.Sequential([first, lambda v: v * 2])(x, 1, z=3)).apply(
        {}, None, jnp.ones(2)
    )
    np.testing.assert_array_equal(out, [4.0, 4.0])
    assert seen == [(1, 3)]


def test_batch_apply_errors_and_passthrough():
    with pytest.raises(ValueError, match="ndim >= 2"):
        hk.BatchApply(lambda x: x)(jnp.ones(3))
    with pytest.raises(ValueError, match="num_dims"):
        hk.BatchApply(lambda x: x, num_dims=0)
    x, s = hk.BatchApply(lambda a, b: (a, b))(jnp.ones([2, 3, 4]), 5.0)
    assert x.shape == (2, 3, 4) and s == 5.0
    with pytest.raises(ValueError, match="expand_apply"):
        hk.expand_apply(lambda x: x, axis=1)


def test_dropout_checks_rate():
    key = jax.random.PRNGKey(0)
    for rate in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"dropout.*\[0, 1\)"):
            hk.dropout(key, rate, jnp.ones(3))
    x = jnp.arange(4.0)
    assert hk.dropout(key, 0.0, x) is x


def test_dropout_traced_rate_and_statistics():
    x = jnp.ones([4000])
    out = jax.jit(lambda r: hk.dropout(jax.random.PRNGKey(1), r, x))(0.25)
    kept = np.asarray(out) != 0
    assert abs(kept.mean() - 0.75) < 0.03
    np.testing.assert_allclose(np.asarray(out)[kept], 1 / 0.75, rtol=1e-6)
    b = hk.dropout(jax.random.PRNGKey(2), 0.5, jnp.ones([3, 50]), broadcast_dims=(0,))
    assert (b == b[0]).all()


@pytest.mark.parametrize(
    "ctor, shape, match",
    [
        (dict(output_shape=(-1, -1)), (2, 3), "more than one -1"),
        (dict(output_shape=(2,), preserve_dims=0), (2, 3), "non-zero"),
        (dict(output_shape=(5, -1)), (2, 3, 4), "divide"),
    ],
)
def test_reshape_errors(ctor, shape, match):
    with pytest.raises(ValueError, match=match):
        _init(lambda x: hk.Reshape(**ctor)(x), jnp.ones(shape))


def test_deprecated_helpers():
    np.testing.assert_array_equal(
        hk.one_hot(jnp.array([1, 5]), 3, dtype=jnp.int32), [[0, 1, 0], [0, 0, 0]]
    )
    assert hk.multinomial(jax.random.PRNGKey(0), jnp.zeros([4, 6]), 5).shape == (4, 5)


def test_linear_jit_grad_vmap():
    f = hk.without_apply_rng(hk.transform(lambda x: hk.Linear(3)(x)))
    x = jnp.ones([5, 4])
    params = f.init(jax.random.PRNGKey(0), x)
    want = f.apply(params, x)
    np.testing.assert_allclose(jax.jit(f.apply)(params, x), want, atol=1e-6)
    np.testing.assert_allclose(jax.vmap(f.apply, (None, 0))(params, x), want, atol=1e-6)
    grads = jax.grad(lambda p: f.apply(p, x).sum())(params)
    np.testing.assert_allclose(grads["linear"]["w"], np.full((4, 3), 5.0))
    np.testing.assert_allclose(grads["linear"]["b"], np.full((3,), 5.0))


@pytest.mark.parametrize("size", [0, -2, 2.5, True])
def test_linear_output_size_must_be_a_positive_int(size):
    with pytest.raises(TypeError, match=r"hk\.Linear: `output_size` must be a positive int"):
        _init(lambda x: hk.Linear(size)(x), jnp.ones([1, 3]))


@pytest.mark.parametrize("fmt, index", [("TBD", -1), ("TBHWD", -1), ("BTD", -1), ("NCT", 1)])
def test_channel_index_of_sequence_formats(fmt, index):
    assert hk.get_channel_index(fmt) == index


@pytest.mark.parametrize("fmt", ["TD", "BTHWC", "nhwc"])
def test_channel_index_unknown_format(fmt):
    with pytest.raises(ValueError, match="Cannot find the channel axis"):
        hk.get_channel_index(fmt)


def test_reshape_errors_use_dm_haiku_types():
    with pytest.raises(TypeError, match=r"\(7,\)"):
        _init(lambda x: hk.Reshape((7,))(x), jnp.ones([2, 2, 3]))
    with pytest.raises(AttributeError, match="output_shape must be a sequence of ints"):
        _init(lambda x: hk.Reshape(6)(x), jnp.ones([2, 2, 3]))
