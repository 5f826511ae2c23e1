"""hk.mixed_precision: dm-haiku's class policies, plus path and instance policies."""

from __future__ import annotations

import re
import subprocess
import sys
import threading

import jax
import jax.numpy as jnp
import pytest

import haiku as hk

jmp = pytest.importorskip("jmp")

from haiku._src import mixed_precision as mp_src  # noqa: E402

mp = hk.mixed_precision
HALF = jmp.get_policy("p=f32,c=bf16,o=f16")
F16 = jmp.get_policy("p=f16,c=f16,o=bf16")
FULL_BF16_OUT = jmp.get_policy("p=f32,c=f32,o=bf16")

# Module-level classes so their policies are keyed by (module, qualname), as in dm-haiku.


class Inner(hk.Module):
    def __call__(self, x):
        w = hk.get_parameter("w", [x.shape[-1]], jnp.float32, jnp.ones)
        s = hk.get_state("s", [1], jnp.float32, jnp.zeros)
        self.seen = (x.dtype, w.dtype, s.dtype, mp.current_policy())
        return x * w


class Outer(hk.Module):
    def __init__(self, a=None, name=None):
        super().__init__(name=name)
        self.init_arg_dtype = getattr(a, "dtype", None)
        self.init_policy = mp.current_policy()

    def __call__(self, x, n=3):
        w = hk.get_parameter("w", [x.shape[-1]], x.dtype, jnp.ones)
        s = hk.get_state("s", [1], jnp.float32, jnp.zeros)
        self.seen = (x.dtype, w.dtype, s.dtype, mp.current_policy(), type(n))
        self.inner = Inner()
        return self.inner(x * w), {"ints": jnp.ones(1, jnp.int32), "floats": x}

    def other(self, x):
        return x


class SubOuter(Outer):
    pass


@pytest.fixture(autouse=True)
def _no_policies():
    registry = mp_src._REGISTRY
    registry.classes.clear()
    registry.paths.clear()
    registry.patterns.clear()
    yield
    registry.classes.clear()
    registry.paths.clear()
    registry.patterns.clear()


def _run(fn, *args):
    """init + apply of a stateful function; returns (params, state, out, captured)."""
    captured = {}

    def f(*a):
        out = fn(captured, *a)
        return out

    tf = hk.transform_with_state(f)
    params, state = tf.init(None, *args)
    out, _ = tf.apply(params, state, None, *args)
    return params, state, out, captured


def _outer(captured, x, cls=Outer):
    m = cls(a=jnp.ones(1))
    out = m(x)
    captured.update(outer=m, other=m.other(x))
    return out


def _dtypes(tree):
    return jax.tree.map(lambda a: jnp.dtype(a.dtype), tree)


def test_no_policy_changes_nothing():
    params, state, out, c = _run(_outer, jnp.ones([2, 3]))
    assert _dtypes(params) == {"outer": {"w": jnp.float32}, "outer/inner": {"w": jnp.float32}}
    assert c["outer"].seen[:4] == (jnp.float32, jnp.float32, jnp.float32, None)
    assert mp.current_policy() is None


def test_class_policy_casts_inputs_params_state_and_outputs():
    mp.set_policy(Outer, HALF)
    assert mp.get_policy(Outer) is HALF
    params, state, out, c = _run(_outer, jnp.ones([2, 3]))
    outer = c["outer"]
    # __init__ runs under the policy too: its array argument is cast.
    assert outer.init_arg_dtype == jnp.bfloat16 and outer.init_policy is HALF
    # Inputs and params/state reads in compute dtype; Python values untouched.
    assert outer.seen == (jnp.bfloat16, jnp.bfloat16, jnp.bfloat16, HALF, int)
    # Params are created in param_dtype, even though get_parameter asked for bf16; state is
    # created as requested.
    assert _dtypes(params) == {"outer": {"w": jnp.float32}, "outer/inner": {"w": jnp.float32}}
    assert _dtypes(state) == {"outer": {"s": jnp.float32}, "outer/inner": {"s": jnp.float32}}
    # Outputs: floating leaves in output dtype, integers untouched; other methods too.
    main, extras = out
    assert main.dtype == jnp.float16 and extras["floats"].dtype == jnp.float16
    assert extras["ints"].dtype == jnp.int32
    # A submodule without a policy inherits the casting of params/state and current_policy.
    assert outer.inner.seen == (jnp.bfloat16, jnp.bfloat16, jnp.bfloat16, HALF)
    assert mp.current_policy() is None


def test_policy_applies_to_other_methods():
    mp.set_policy(Outer, HALF)
    *_, c = _run(_outer, jnp.ones([2, 3]))
    assert c["other"].dtype == jnp.float16


def test_apply_casts_full_precision_params_to_compute_dtype():
    mp.set_policy(Outer, HALF)
    tf = hk.transform_with_state(lambda x: Outer()(x)[0])
    params, state = tf.init(None, jnp.ones([1, 2]))
    out, _ = tf.apply(params, state, None, jnp.ones([1, 2]))
    assert out.dtype == jnp.float16


def test_subclasses_do_not_inherit_class_policies():
    mp.set_policy(Outer, HALF)
    params, _, out, c = _run(lambda cap, x: _outer(cap, x, SubOuter), jnp.ones([2, 3]))
    assert c["outer"].seen[:4] == (jnp.float32, jnp.float32, jnp.float32, None)
    assert out[0].dtype == jnp.float32


def test_nested_policy_overrides_outer_one():
    mp.set_policy(Outer, HALF)
    mp.set_policy(Inner, F16)
    params, state, out, c = _run(_outer, jnp.ones([2, 3]))
    assert c["outer"].inner.seen == (jnp.float16, jnp.float16, jnp.float16, F16)
    assert c["outer"].seen[:4] == (jnp.bfloat16, jnp.bfloat16, jnp.bfloat16, HALF)
    assert _dtypes(params) == {"outer": {"w": jnp.float32}, "outer/inner": {"w": jnp.float16}}
    assert _dtypes(state)["outer/inner"]["s"] == jnp.float32
    assert out[0].dtype == jnp.float16  # Inner gives bf16, Outer casts its output to f16.


def test_clear_and_push_policy():
    mp.clear_policy(Outer)  # no-op
    mp.set_policy(Outer, HALF)
    mp.clear_policy(Outer)
    assert mp.get_policy(Outer) is None
    with mp.push_policy(Outer, HALF):
        assert mp.get_policy(Outer) is HALF
        with mp.push_policy(Outer, F16):
            assert mp.get_policy(Outer) is F16
        assert mp.get_policy(Outer) is HALF
    assert mp.get_policy(Outer) is None


def test_push_policy_inside_a_method_of_the_same_class_raises():
    class P(hk.Module):
        def __call__(self):
            with mp.push_policy(P, HALF):
                pass

    with pytest.raises(
        ValueError, match="cannot change the policy of P inside one of its own methods"
    ):
        hk.transform(lambda: P()()).init(None)


def test_local_classes_are_keyed_by_object_module_level_by_name():

    def make():
        class Local(hk.Module):
            def __call__(self, x):
                return x

        return Local

    first, second = make(), make()
    mp.set_policy(first, HALF)
    assert mp.get_policy(second) is None
    redefined = type(
        "Outer", (hk.Module,), {"__module__": Outer.__module__, "__qualname__": Outer.__qualname__}
    )
    mp.set_policy(redefined, HALF)
    assert mp.get_policy(Outer) is HALF


def _linear_like(name):
    class Dense(hk.Module):
        def __call__(self, x):
            w = hk.get_parameter("w", [x.shape[-1], 2], x.dtype, jnp.ones)
            return x @ w

    return Dense(name=name)


def _encoder(captured, x):
    with hk.name_scope("encoder"):
        a = _linear_like("linear_0")
        b = _linear_like("linear_1")
    c = _linear_like("head")
    captured.update(a=a, b=b, c=c)
    return {"a": a(x), "b": b(x), "c": c(x)}


def test_path_policy_exact_name():
    mp.set_policy("encoder/linear_0", HALF)
    params, _, out, _ = _run(_encoder, jnp.ones([1, 3]))
    assert _dtypes(out) == {"a": jnp.float16, "b": jnp.float32, "c": jnp.float32}
    assert mp.get_policy("encoder/linear_0") is HALF
    mp.clear_policy("encoder/linear_0")
    assert mp.get_policy("encoder/linear_0") is None


def test_path_policy_regex_must_match_whole_name():
    mp.set_policy(re.compile(r"encoder/.*"), HALF)
    mp.set_policy(re.compile(r"hea"), F16)  # does not match 'head' fully
    _, _, out, _ = _run(_encoder, jnp.ones([1, 3]))
    assert _dtypes(out) == {"a": jnp.float16, "b": jnp.float16, "c": jnp.float32}


def test_precedence_instance_over_path_over_class():

    def model(captured, x):
        with hk.name_scope("encoder"):
            a = _linear_like("linear_0")
            b = _linear_like("linear_1")
        mp.set_policy(type(a), FULL_BF16_OUT)  # class (each call makes a new class)
        mp.set_policy(type(b), FULL_BF16_OUT)
        mp.set_policy(b, F16)  # instance
        return {"a": a(x), "b": b(x)}

    mp.set_policy("encoder/linear_0", HALF)  # path beats a's class policy
    mp.set_policy("encoder/linear_1", HALF)  # instance beats path for b
    _, _, out, _ = _run(model, jnp.ones([1, 3]))
    assert _dtypes(out) == {"a": jnp.float16, "b": jnp.bfloat16}


def test_exact_path_beats_regex_and_last_regex_wins():
    mp.set_policy(re.compile(r"encoder/.*"), F16)  # output bf16
    mp.set_policy(re.compile(r".*linear_1"), HALF)  # output f16
    mp.set_policy("encoder/linear_0", FULL_BF16_OUT)  # output bf16
    _, _, out, _ = _run(_encoder, jnp.ones([1, 3]))
    assert _dtypes(out) == {"a": jnp.bfloat16, "b": jnp.float16, "c": jnp.float32}
    mp.set_policy(re.compile(r"encoder/.*"), F16)  # re-setting makes it the latest
    _, _, out, _ = _run(_encoder, jnp.ones([1, 3]))
    assert out["b"].dtype == jnp.bfloat16


def test_instance_policy_get_and_clear():

    def model(captured, x):
        m = _linear_like("dense")
        mp.set_policy(m, "p=f32,c=bf16,o=bf16")
        assert mp.get_policy(m).compute_dtype == jnp.bfloat16
        y = m(x)
        mp.clear_policy(m)
        assert mp.get_policy(m) is None
        return y, m(x)

    _, _, (with_policy, without), _ = _run(model, jnp.ones([1, 3]))
    assert with_policy.dtype == jnp.bfloat16 and without.dtype == jnp.float32


def test_policies_are_thread_local():
    mp.set_policy(Outer, HALF)
    seen = []

    def worker():
        seen.append(mp.get_policy(Outer))
        mp.set_policy(Inner, HALF)
        seen.append(mp.get_policy(Inner))
        mp.clear_policy(Inner)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == [None, HALF]
    assert mp.get_policy(Inner) is None


@pytest.mark.parametrize(
    "target, error, match",
    [
        (int, TypeError, "int is not an hk.Module subclass"),
        (3, TypeError, "cannot attach a policy to 3"),
    ],
)
def test_bad_targets(target, error, match):
    with pytest.raises(error, match=match):
        mp.set_policy(target, HALF)
    with pytest.raises(error, match=match):
        mp.get_policy(target)


def test_bad_policies():
    with pytest.raises(ValueError, match="use hk.mixed_precision.clear_policy"):
        mp.set_policy(Outer, None)
    with pytest.raises(TypeError, match="expected a jmp.Policy"):
        mp.set_policy(Outer, 3)


def test_missing_jmp_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "jmp", None)
    with pytest.raises(ImportError, match="pip install jmp"):
        mp.set_policy(Outer, "p=f32,c=bf16,o=f32")


def test_import_haiku_does_not_import_jmp():
    code = "import sys, haiku; haiku.mixed_precision.current_policy(); print('jmp' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_public_names_match_dm_haiku():
    assert sorted(mp.__all__) == [
        "clear_policy",
        "current_policy",
        "get_policy",
        "push_policy",
        "set_policy",
    ]


class _Inner(hk.Module):
    def __call__(self, x):
        w = hk.get_parameter("w", [], jnp.float32, init=lambda s, d: jnp.full(s, 1 / 3, d))
        return x * w, w.dtype


class _Outer(hk.Module):
    def __call__(self, x):
        return _Inner()(x)


def test_nested_policies_cast_once_with_the_innermost_policy():
    mp.set_policy(_Outer, jmp.get_policy("p=f32,c=bf16,o=f32"))
    mp.set_policy(_Inner, jmp.get_policy("p=f32,c=f32,o=f32"))
    try:
        f = hk.transform(lambda x: _Outer()(x))
        params = f.init(None, jnp.ones([]))
        (out, w_dtype) = f.apply(params, None, jnp.ones([]))
    finally:
        mp.clear_policy(_Outer)
        mp.clear_policy(_Inner)
    # Not rounded through bf16 by the outer policy: exactly f32(1/3).
    assert w_dtype == jnp.float32
    assert out == jnp.float32(1 / 3)
