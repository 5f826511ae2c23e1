"""Plugins: how other distributions add names to ``haiku``.

``hk.Linear``, ``hk.nets`` or ``hk.vmap`` are not defined by haiku-core: they come from
first-party plugin distributions (``pip install "haiku-core[all]"``; see
`FIRST_PARTY_EXTRAS`), found at run time through entry points of group
``haiku.plugins``. Third-party distributions use the same mechanism.

Writing a plugin: add one entry point per attribute to your ``pyproject.toml`` and
declare the range of the extension API (``haiku.extend.API_VERSION``) you support; it is
checked from metadata before your plugin is imported::

    [project]
    dependencies = ["haiku-core>=0.2"]   # a floor only; the API range is the contract

    [project.entry-points."haiku.plugins"]
    ResidualBlock = "my_package.residual:ResidualBlock"   # an object: hk.ResidualBlock
    my_nets = "my_package.nets"                           # a module: hk.my_nets

    [project.entry-points."haiku.api"]
    requires = ">=1.0,<2"

    [project.entry-points."haiku.plugins.experimental"]
    probe = "my_package.probe:probe"                      # hk.experimental.probe

    [project.entry-points."haiku.cli"]
    my-report = "my_package.cli:register"                 # python -m haiku my-report

Names are loaded lazily, on first access, and only the plugin that provides the name is
imported. ``dir(hk)`` lists every registered name without importing anything. A plugin
cannot replace a haiku-core name (a `HaikuPluginWarning` is emitted and core wins). Set
``HAIKU_DISABLE_PLUGINS=dist-a,dist-b`` to ignore distributions. Every error below is an
``AttributeError``, so ``hasattr(hk, name)`` is safe whatever is installed.

Diagnose an installation with ``python -m haiku plugins`` or `describe`.
"""

from haiku._src.plugin_hints import EXTRAS as FIRST_PARTY_EXTRAS
from haiku._src.plugins import (
    API_GROUP,
    CLI_GROUP,
    DISABLE_ENV,
    EXPERIMENTAL_GROUP,
    GROUP,
    HaikuPluginWarning,
    IncompatiblePluginError,
    MissingPluginError,
    PluginConflictError,
    PluginError,
    PluginInfo,
    PluginLoadError,
)
from haiku._src.plugins import describe as _describe
from haiku._src.plugins import known_providers as _known_providers
from haiku._src.plugins import reset as _reset

KNOWN_PROVIDERS = _known_providers(GROUP)
"""First-party ``hk.*`` plugin names -> ``(distribution, haiku-core extra)`` providing them
(generated from the plugins' entry points; used to word the missing-plugin errors)."""
KNOWN_EXPERIMENTAL_PROVIDERS = _known_providers(EXPERIMENTAL_GROUP)
"""First-party ``hk.experimental`` names -> ``(distribution, extra)``, as `KNOWN_PROVIDERS`."""
KNOWN_COMMANDS = _known_providers(CLI_GROUP)
"""First-party ``python -m haiku`` subcommands -> ``(distribution, extra)``."""

__all__ = [
    "API_GROUP",
    "CLI_GROUP",
    "DISABLE_ENV",
    "EXPERIMENTAL_GROUP",
    "FIRST_PARTY_EXTRAS",
    "GROUP",
    "HaikuPluginWarning",
    "IncompatiblePluginError",
    "KNOWN_COMMANDS",
    "KNOWN_EXPERIMENTAL_PROVIDERS",
    "KNOWN_PROVIDERS",
    "MissingPluginError",
    "PluginConflictError",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "describe",
    "reset",
]


def describe(check: bool = False) -> list[PluginInfo]:
    """Lists the installed distributions that register haiku plugins.

    Works from metadata only: no plugin is imported unless `check` is true. Without
    `check`, a plugin is reported ``broken`` when its metadata is malformed, its module
    cannot be found, or loading one of its names already failed in this process.

    Args:
      check: also load every name (imports all plugins) and report failures.

    Returns:
      One `PluginInfo` per distribution, sorted by name: ``distribution``, ``version``,
      ``names`` (the attributes it adds to ``haiku``; ``experimental.X`` for those of
      ``hk.experimental``), ``status`` (one of ``"ok"``,
      ``"incompatible"``, ``"broken"``, ``"conflicting"``, ``"disabled"``) and
      ``detail`` (why the status is not ``"ok"``, one problem per line) and ``api`` (the
      declared extension-API range, ``""`` if the plugin declares none).

    >>> from haiku import plugins
    >>> rows = plugins.describe()
    >>> all(r.status in {"ok", "incompatible", "broken", "conflicting", "disabled"}
    ...     for r in rows)
    True
    >>> all(r.distribution in FIRST_PARTY_EXTRAS for r in rows if "nets" in r.names)
    True
    """
    import haiku.experimental  # noqa: F401 - installs the hk.experimental registry

    return _describe(check)


def reset() -> None:
    """Forgets the entry-point scan and every plugin object cached on ``haiku``.

    The next attribute access scans the installed distributions again, which picks up
    distributions added to ``sys.path`` or a changed ``HAIKU_DISABLE_PLUGINS``. Meant for
    tests; plugin modules already imported stay in ``sys.modules``.

    >>> import haiku as hk
    >>> from haiku import plugins
    >>> plugins.reset()
    >>> "transform" in dir(hk)
    True
    """
    _reset()
