"""``hk.testing`` conformance check: what it accepts and each problem it reports.

Plugins are fake installed distributions (``fake_dist``), so nothing is pip-installed.
"""

from __future__ import annotations

import jax.numpy as jnp
import pytest

import haiku as hk
from haiku import extend
from haiku._src import conformance, frame, hooks

Case, Skip = hk.testing.Case, hk.testing.Skip
API = ".".join(map(str, extend.API_VERSION))
RANGE = conformance.suggested_api_range()

LAYERS = """
import itertools
import jax.numpy as jnp
import haiku as hk

LEAKED = []
_COUNTER = itertools.count()


class Scale(hk.Module):
    '''Multiplies by a learned vector.'''

    def __call__(self, x):
        return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)


class Leaky(hk.Module):
    '''Keeps its input in a global list (a tracer under jit).'''

    def __call__(self, x):
        LEAKED.append(x)
        return x


class Renamed(hk.Module):
    '''Names its parameter from a global counter.'''

    def __call__(self, x):
        return x * hk.get_parameter(f"s{next(_COUNTER)}", [], init=jnp.ones)


class Intercepting(hk.Module):
    '''Enters a method interceptor and never leaves it.'''

    def __call__(self, x):
        from haiku._src import hooks  # a misbehaving plugin: it should use intercept_methods
        hooks.HOOKS.interceptors.append(lambda f, a, k, c: f(*a, **k))
        return x


class Undocumented(hk.Module):
    def __call__(self, x):
        return x


class Double(hk.Module):
    '''Doubles its input.'''

    def __call__(self, x):
        return 2 * x


MODE = "a"
"""


def _plugin(fake_dist, names, *, api=RANGE, name="haiku-fake-kit", extra=""):
    text = "[haiku.plugins]\n" + "".join(f"{n} = fakekit.layers:{n}\n" for n in names)
    if api is not None:
        text += f"[haiku.api]\nrequires = {api}\n"
    fake_dist(
        name,
        entry_points_text=text + extra,
        modules={"fakekit/__init__.py": "", "fakekit/layers.py": LAYERS},
    )


def _problems(cases, **kwargs):
    with pytest.raises(hk.testing.ConformanceError) as err:
        hk.testing.check_plugin("haiku-fake-kit", cases, **kwargs)
    return str(err.value)


X = jnp.ones([2, 3])
GOOD = {"Scale": Case(lambda x: hk.Scale()(x), X), "MODE": Skip("a constant")}


def test_a_conforming_plugin_passes(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"])
    assert hk.testing.check_plugin("haiku-fake-kit", GOOD) == ("Scale", "MODE")


def test_every_registered_name_needs_a_case_or_skip(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"])
    message = _problems({"Scale": GOOD["Scale"], "Extra": Skip("gone")})
    assert "hk.MODE has no Case" in message
    assert "has a case for 'Extra', which it does not register" in message


def test_api_range_is_declared_and_checked(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"], api=None)
    assert f'requires = "{RANGE}"' in _problems(GOOD)
    assert hk.testing.check_plugin("haiku-fake-kit", GOOD, require_api_range=False)


def test_api_range_outside_the_running_version(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"], api=">=99.0")
    assert (
        f"declares haiku.extend.API_VERSION >=99.0 but this haiku-core provides {API}"
        in _problems(GOOD)
    )


def test_tracer_leak_is_reported(fake_dist):
    _plugin(fake_dist, ["Leaky"])
    message = _problems({"Leaky": Case(lambda x: hk.Leaky()(x), X)})
    assert "hk.Leaky: init under jax.jit raised" in message


def test_nondeterministic_names_are_reported(fake_dist):
    _plugin(fake_dist, ["Renamed"])
    assert "names must be deterministic" in _problems(
        {"Renamed": Case(lambda x: hk.Renamed()(x), X)}
    )


def test_global_state_left_behind_is_reported_and_cleaned(fake_dist):
    _plugin(fake_dist, ["Intercepting"])
    message = _problems({"Intercepting": Case(lambda x: hk.Intercepting()(x), X)})
    assert "left global state behind (hooks.interceptors: 0 -> 1)" in message
    assert not hooks.HOOKS.interceptors and not frame.frame_stack()


def test_undocumented_module_is_reported(fake_dist):
    _plugin(fake_dist, ["Undocumented"])
    assert "hk.Undocumented: the Module class has no docstring" in _problems(
        {"Undocumented": Case(lambda x: hk.Undocumented()(x), X)}
    )


def test_conflicts_are_reported(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"])
    fake_dist("haiku-other-kit", {"Scale": "fakekit.layers:Scale"})
    message = _problems(GOOD)
    assert "'Scale' conflicts with another installed plugin" in message
    assert "status 'conflicting'" in message


def test_load_failure_is_reported(fake_dist):
    _plugin(fake_dist, ["Scale", "Missing"])
    message = _problems({"Scale": GOOD["Scale"], "Missing": Skip("x")})
    assert "hk.Missing: loading raised PluginLoadError" in message


def test_not_installed():
    assert "is not installed" in _problems({})


def test_conformance_test_parametrizes_one_test_per_name(fake_dist):
    _plugin(fake_dist, ["Scale", "MODE"])
    test = hk.testing.conformance_test("haiku-fake-kit", GOOD)
    (mark,) = test.pytestmark
    assert mark.args == ("target", ["<distribution>", "Scale", "MODE"])
    test("<distribution>")
    test("Scale")
    with pytest.raises(pytest.skip.Exception, match="a constant"):
        test("MODE")


def test_check_case_without_a_plugin():
    hk.testing.check_case(Case(lambda x: hk.transform(lambda: 0) and x, X))
    with pytest.raises(hk.testing.ConformanceError, match="jax.vmap gave a different"):
        hk.testing.check_case(Case(lambda x: x * (2 if "Batch" in type(x).__name__ else 1), X))


def test_case_and_skip_validate_their_arguments():
    with pytest.raises(TypeError, match="forward must be a callable"):
        Case("Linear", X)
    with pytest.raises(ValueError, match="skip keys must be among"):
        Case(lambda x: x, X, skip={"grad": "no"})
    with pytest.raises(ValueError, match="needs a non-empty reason"):
        Case(lambda x: x, X, skip={"vmap": ""})
    with pytest.raises(ValueError, match="give the reason"):
        Skip("")
    Case(lambda x: x, X, skip={"vmap": "uses a host callback"})


def test_experimental_names_are_checked_and_aliases_need_no_case(fake_dist):
    extra = (
        "[haiku.plugins.experimental]\n"
        "Scale = fakekit.layers:Scale\n"  # an alias of hk.Scale: covered
        "probe = fakekit.layers:Double\n"
    )  # a name of its own: needs a case
    _plugin(fake_dist, ["Scale", "MODE"], extra=extra)
    assert "hk.experimental.probe has no Case" in _problems(GOOD)
    cases = {**GOOD, "experimental.probe": Case(lambda x: hk.experimental.probe()(x), X)}
    assert hk.testing.check_plugin("haiku-fake-kit", cases) == (
        "Scale",
        "MODE",
        "experimental.Scale",
        "experimental.probe",
    )


def test_cli_commands_must_load(fake_dist):
    _plugin(
        fake_dist,
        ["Scale", "MODE"],
        extra="[haiku.cli]\nbroken = fakekit.nowhere:register\nconst = fakekit.layers:MODE\n",
    )
    message = _problems(GOOD)
    assert (
        "haiku.cli entry point broken = 'fakekit.nowhere:register' fails to load: "
        "ModuleNotFoundError" in message
    )
    assert "haiku.cli entry point const = 'fakekit.layers:MODE' is not a callable" in message
