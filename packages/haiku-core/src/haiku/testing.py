"""Test helpers for code that uses haiku, and the conformance check for plugin authors.

``transform_and_run`` runs haiku code in tests as if it were ordinary code.

A plugin distribution runs the conformance check in its own CI, over every name it
registers (``hk.testing.conformance_test`` gives one pytest test per name)::

    # tests/test_conformance.py of distribution "my-plugin"
    import jax.numpy as jnp
    import haiku as hk

    CASES = {
        "MyLayer": hk.testing.Case(lambda x: hk.MyLayer(3)(x), jnp.ones([2, 4])),
        "MyEnum": hk.testing.Skip("an enum used through MyLayer"),
    }
    test_conformance = hk.testing.conformance_test("my-plugin", CASES)

See the plugin guide (docs/plugins.md) for what is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from haiku._src import conformance as _conformance
from haiku._src.conformance import Case as Case
from haiku._src.conformance import ConformanceError as ConformanceError
from haiku._src.conformance import Skip as Skip
from haiku._src.testing import transform_and_run as transform_and_run

__all__ = [
    "Case",
    "ConformanceError",
    "Skip",
    "check_case",
    "check_plugin",
    "conformance_test",
    "transform_and_run",
]


def check_case(case: Case) -> None:
    """Runs the transform checks of one `Case`, without any plugin registration.

    Builds, inits (twice: same names, shapes and values) and applies ``case.forward``
    inside ``hk.transform_with_state``, then again under ``jax.jit`` and ``jax.vmap``,
    under ``jax.checking_leaks()``, and checks that no haiku frame, creator, getter or
    interceptor is left behind. Raises `ConformanceError` listing every problem.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> class Scale(hk.Module):
    ...   def __call__(self, x):
    ...     return x * hk.get_parameter("s", [x.shape[-1]], init=jnp.ones)
    >>> hk.testing.check_case(hk.testing.Case(lambda x: Scale()(x), jnp.ones([2, 3])))
    >>> leaky = []
    >>> hk.testing.check_case(hk.testing.Case(lambda x: leaky.append(x) or x, jnp.ones([2])))
    Traceback (most recent call last):
    ...
    haiku._src.conformance.ConformanceError: case: init under jax.jit raised ...
    """
    problems = _conformance.run_case(case)
    if problems:
        raise ConformanceError("\n".join(problems))


def check_plugin(
    distribution: str,
    cases: Mapping[str, Case | Skip],
    *,
    require_api_range: bool = True,
) -> tuple[str, ...]:
    """Checks that an installed plugin distribution plays by haiku's rules.

    For the distribution: it is installed and `haiku.plugins.describe` reports it
    ``ok``; it declares the ``haiku.extend.API_VERSION`` range it supports (entry point
    ``requires`` of group ``haiku.api``) and the running version is inside it; every name
    it registers has a `Case` or an explicit `Skip` (a new layer cannot be forgotten), as
    has every ``hk.Module`` class of a registered submodule (key ``"nets.MLP"``); no case
    names something it does not register.

    For each name: ``hk.<name>`` loads, without conflicting with a core name or another
    installed plugin, to its entry point's object; a documented Module class; and its
    `Case` passes `check_case`.

    Args:
      distribution: the distribution name, e.g. ``"haiku-layers"``.
      cases: registered name (or ``"submodule.Class"``) -> `Case` or `Skip`.
      require_api_range: fail when the distribution declares no API range.

    Returns:
      The names checked.

    Raises:
      ConformanceError: listing every problem found.

    >>> import haiku as hk
    >>> hk.testing.check_plugin("haiku-nobody-installed", {})
    Traceback (most recent call last):
    ...
    haiku._src.conformance.ConformanceError: haiku-nobody-installed fails the haiku plugin
    conformance check (1 problem):
      - haiku-nobody-installed: is not installed in this environment ...
    """
    return _conformance.check_plugin(distribution, cases, require_api_range=require_api_range)


def conformance_test(
    distribution: str,
    cases: Mapping[str, Case | Skip],
    *,
    require_api_range: bool = True,
) -> Callable[[str], None]:
    """`check_plugin` as a pytest test function with one test per registered name.

    Assign the result to a ``test_*`` name in a test module; pytest then reports
    ``test_conformance[distribution]`` (the distribution-level checks) and one
    ``test_conformance[<name>]`` per name, skipped with its reason for a `Skip`.

    >>> import haiku as hk
    >>> test_conformance = hk.testing.conformance_test("haiku-nobody-installed", {})
    >>> test_conformance.pytestmark[0].args
    ('target', ['<distribution>'])
    """
    return _conformance.conformance_test(distribution, cases, require_api_range=require_api_range)
