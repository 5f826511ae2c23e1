"""The plugin registry: how names such as ``hk.Linear`` or ``hk.nets`` reach ``haiku``.

Hook used by ``haiku/__init__.py``: one line at the very end, after every core name is
defined::

    __getattr__, __dir__ = _plugins.install(globals())

(optionally with ``lazy_core={"to_dot": "haiku._src.dot:to_dot", ...}`` for core names
imported on first access). `install` freezes the names defined so far as *core names*
(plugins can never replace them), appends the import hook of ``plugin_import`` to ``sys.meta_path`` (so that
``from haiku import Linear`` and ``import haiku.nets`` work), and returns the PEP 562
module ``__getattr__`` and ``__dir__``.

How a name is resolved (``__getattr__`` only runs for names that are not real attributes):

1. Nothing is read at ``import haiku``. The first ``dir(haiku)`` or attribute miss scans
   the installed distributions once per process (under a lock) for entry points of group
   ``haiku.plugins``: one entry point per exported attribute, e.g.
   ``Linear = "haiku_layers.linear:Linear"`` or ``nets = "haiku_nets"``. Distributions
   named in ``HAIKU_DISABLE_PLUGINS`` (comma separated) are skipped; entry points that
   try to shadow a core name are dropped with a `HaikuPluginWarning` (core wins);
   malformed metadata is reported, never raised.
2. A name no plugin exports raises `MissingPluginError` when a first-party distribution
   provides it (`KNOWN_PROVIDERS`), else a plain ``AttributeError``.
3. A name exported by several distributions raises `PluginConflictError`.
4. The plugin's ``Requires-Dist`` on haiku-core is checked against ``haiku.__version__``
   (`IncompatiblePluginError`), then the entry point is loaded (`PluginLoadError` on any
   exception, chained with ``from``).
5. The object is stored in the module globals: later lookups are plain attribute reads.

Every error subclasses `PluginError`, itself an ``AttributeError``, so ``hasattr`` and
``getattr(hk, name, default)`` keep working with broken third-party plugins installed.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import keyword
import os
import re
import sys
import threading
import types
import warnings
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from haiku._src import plugin_import
from haiku._src.specifiers import canonical_name, requirement_specifiers, satisfies

GROUP = "haiku.plugins"
DISABLE_ENV = "HAIKU_DISABLE_PLUGINS"
CORE_DISTRIBUTION = "haiku-core"

_FIRST_PARTY: dict[tuple[str, str], tuple[str, ...]] = {
    ("haiku-layers", "layers"): (
        "Linear", "Bias", "Sequential", "BatchApply", "expand_apply", "dropout", "one_hot",
        "multinomial", "Reshape", "Flatten", "ConvND", "Conv1D", "Conv2D", "Conv3D",
        "ConvNDTranspose", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose",
        "DepthwiseConv1D", "DepthwiseConv2D", "DepthwiseConv3D", "SeparableDepthwiseConv2D",
        "max_pool", "avg_pool", "MaxPool", "AvgPool", "BatchNorm", "LayerNorm",
        "InstanceNorm", "GroupNorm", "RMSNorm", "ExponentialMovingAverage", "EMAParamsTree",
        "SpectralNorm", "SNParamsTree", "Embed", "EmbedLookupStyle", "MultiHeadAttention",
        "RNNCore", "LSTM", "LSTMState", "GRU", "VanillaRNN", "IdentityCore", "ResetCore",
        "DeepRNN", "deep_rnn_with_skip_connections", "static_unroll", "dynamic_unroll",
        "Conv1DLSTM", "Conv2DLSTM", "Conv3DLSTM", "get_channel_index", "pad",
    ),
    ("haiku-nets", "nets"): ("nets",),
    ("haiku-jaxwrap", "jaxwrap"): (
        "vmap", "cond", "switch", "while_loop", "fori_loop", "scan", "map", "grad",
        "value_and_grad", "remat", "eval_shape", "lift", "lift_with_state",
        "LiftWithStateUpdater", "transparent_lift", "transparent_lift_with_state",
        "layer_stack", "LayerStackTransparencyMapping",
    ),
}

KNOWN_PROVIDERS: Mapping[str, tuple[str, str]] = types.MappingProxyType(
    {name: key for key, names in _FIRST_PARTY.items() for name in names})
"""First-party plugin names -> ``(distribution, haiku-core extra)`` that provides them."""

# `module.sub:attr.attr` or `module.sub` (an entry point's value).
_VALUE = r"^\s*[\w.]+\s*(:\s*[\w.]+\s*)?$"


class HaikuPluginWarning(UserWarning):
    """A plugin was ignored: it is malformed or tries to replace a haiku-core name.

    >>> issubclass(HaikuPluginWarning, UserWarning)
    True
    """


class PluginError(AttributeError):
    """Base class of the plugin errors; an AttributeError so ``hasattr`` stays safe.

    >>> import haiku as hk
    >>> hasattr(hk, "SomeLayerNobodyExports")
    False
    """


class MissingPluginError(PluginError):
    """The name belongs to a distribution that is not installed (or disabled).

    >>> KNOWN_PROVIDERS["Linear"]  # raised for hk.Linear when haiku-layers is missing
    ('haiku-layers', 'layers')
    """


class PluginConflictError(PluginError):
    """Several installed distributions export the same name.

    >>> issubclass(PluginConflictError, AttributeError)
    True
    """


class PluginLoadError(PluginError):
    """Importing the plugin's object raised; the original error is ``__cause__``.

    >>> issubclass(PluginLoadError, PluginError)
    True
    """


class IncompatiblePluginError(PluginError):
    """The plugin's requirement on haiku-core excludes the installed haiku-core.

    >>> issubclass(IncompatiblePluginError, PluginError)
    True
    """


class PluginInfo(NamedTuple):
    """One row of `describe`: an installed distribution that registers haiku plugins.

    >>> PluginInfo("haiku-nets", "0.1.0", ("nets",), "ok", "").status
    'ok'
    """

    distribution: str
    version: str
    names: tuple[str, ...]
    status: str  # "ok", "incompatible", "broken", "conflicting" or "disabled"
    detail: str  # why the status is not "ok", one problem per line ("" when ok)


_STATUS_ORDER = ("disabled", "broken", "incompatible", "conflicting")


# Plain slotted classes: dataclass creation would cost ~1 ms at `import haiku`.
class _Dist:
    """An installed distribution registering entry points in GROUP."""

    __slots__ = ("name", "key", "version", "requires", "disabled", "names", "problems")

    def __init__(self, name: str, version: str, requires: tuple[str, ...], disabled: bool):
        self.name = name
        self.key = canonical_name(name)
        self.version = version
        self.requires = requires
        self.disabled = disabled
        self.names: list[str] = []
        self.problems: list[tuple[str, str]] = []  # (status, message) found by the scan


class _Entry:
    """One entry point: attribute `name` of haiku, exported by `dist`."""

    __slots__ = ("name", "dist", "entry_point")

    def __init__(self, name: str, dist: _Dist, entry_point: importlib.metadata.EntryPoint):
        self.name = name
        self.dist = dist
        self.entry_point = entry_point

    @property
    def value(self) -> str:
        return self.entry_point.value

    def describe(self) -> str:
        return f"{self.dist.name} {self.dist.version} ({self.value})"


class _Scan:
    """Result of one entry-point scan."""

    __slots__ = ("dists", "providers", "disabled")

    def __init__(self) -> None:
        self.dists: dict[str, _Dist] = {}  # canonical name -> dist, in sys.path order
        self.providers: dict[str, list[_Entry]] = {}  # attribute -> enabled entries
        self.disabled: dict[str, _Entry] = {}  # attribute -> entry of a disabled dist


def _disabled_distributions() -> set[str]:
    raw = os.environ.get(DISABLE_ENV, "")
    return {canonical_name(n.strip()) for n in raw.split(",") if n.strip()}


def _warn(message: str) -> None:
    warnings.warn(message, HaikuPluginWarning, stacklevel=2)


class Registry:
    """Plugin names of one module namespace (``haiku``); see the module docstring."""

    def __init__(self, module_globals: dict[str, Any],
                 lazy_core: Mapping[str, str] | None = None):
        self.globals = module_globals
        self.module_name: str = module_globals["__name__"]
        self.lazy_core = dict(lazy_core or {})  # core name -> "module" or "module:attr"
        self.core_names = frozenset(module_globals) | frozenset(self.lazy_core)
        self._lock = threading.RLock()
        self._scan: _Scan | None = None
        self._incompatible: dict[str, str | None] = {}  # dist key -> required specifier
        self._failures: dict[str, str] = {}  # name -> last load error message
        self._cached: set[str] = set()  # plugin names stored into the module globals
        self._aliases: set[str] = set()  # sys.modules keys created by the import hook
        self.finder = plugin_import.AliasFinder(
            self.module_name, self.resolve, self._note_alias, PluginError)

    # -- scanning -----------------------------------------------------------------

    def scan(self) -> _Scan:
        """Returns the (cached) entry-point scan; never imports plugin code."""
        scan = self._scan
        if scan is None:
            with self._lock:
                if self._scan is None:
                    self._scan = self._build_scan()
                scan = self._scan
        return scan

    def _is_core_name(self, name: str) -> bool:
        return name in self.core_names or (name in self.globals and name not in self._cached)

    def _build_scan(self) -> _Scan:
        scan = _Scan()
        disabled = _disabled_distributions()
        for dist in importlib.metadata.distributions():
            try:
                text = dist.read_text("entry_points.txt")
            except Exception:  # noqa: BLE001 - unreadable metadata is not our business
                continue
            if not text or GROUP not in text:
                continue
            self._add_distribution(scan, dist, disabled)
        return scan

    def _add_distribution(self, scan: _Scan, dist: importlib.metadata.Distribution,
                          disabled: set[str]) -> None:
        try:
            metadata = dist.metadata  # parsed once: each property access re-parses METADATA
            name = metadata["Name"]
            if not name:
                raise ValueError("METADATA has no Name field")
            info = _Dist(name, metadata["Version"] or "?",
                         tuple(metadata.get_all("Requires-Dist") or ()),
                         canonical_name(name) in disabled)
        except Exception as exc:  # noqa: BLE001 - malformed metadata must not break haiku
            where = dist.locate_file("")
            _warn(f"ignoring a distribution in {where} that registers {GROUP} entry points: "
                  f"its metadata cannot be read ({type(exc).__name__}: {exc})")
            return
        if info.key in scan.dists:
            return  # shadowed by the same distribution earlier on sys.path
        scan.dists[info.key] = info
        try:
            entry_points = dist.entry_points.select(group=GROUP)
        except Exception as exc:  # noqa: BLE001
            message = (f"its entry_points.txt cannot be parsed ({type(exc).__name__}: {exc}); "
                       f"reinstall {info.name}")
            info.problems.append(("broken", message))
            _warn(f"plugin {info.name} is ignored: {message}")
            return
        for ep in entry_points:
            self._add_entry(scan, info, ep)

    def _add_entry(self, scan: _Scan, info: _Dist,
                   ep: importlib.metadata.EntryPoint) -> None:
        name = ep.name
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            problem = f"entry point name {name!r} is not a public Python identifier"
        elif not re.match(_VALUE, ep.value):
            problem = f"entry point {name} = {ep.value!r} is not 'module' or 'module:attr'"
        else:
            problem = None
        if problem is not None:
            info.problems.append(("broken", problem))
            _warn(f"plugin {info.name} {info.version}: {problem}; it is ignored")
            return
        info.names.append(name)
        entry = _Entry(name, info, ep)
        if info.disabled:
            scan.disabled.setdefault(name, entry)
        elif self._is_core_name(name):
            message = f"exports {name!r}, which is a haiku-core name; the core object wins"
            info.problems.append(("conflicting", message))
            _warn(f"plugin {info.name} {info.version} {message} and {entry.value!r} is ignored")
        else:
            scan.providers.setdefault(name, []).append(entry)

    # -- resolving ----------------------------------------------------------------

    def resolve(self, name: str) -> Any:
        """Returns the object exported as `name`, loading and caching it on first use."""
        if name.startswith("_"):
            raise AttributeError(f"module {self.module_name!r} has no attribute {name!r}")
        try:
            return self.globals[name]
        except KeyError:
            pass
        if name in self.lazy_core:
            return self._load_lazy_core(name)
        scan = self.scan()
        entries = scan.providers.get(name)
        if not entries:
            raise self._missing(name, scan)
        if len(entries) > 1:
            raise PluginConflictError(self._conflict_message(name, entries))
        entry = entries[0]
        required = self._incompatibility(entry.dist)
        if required is not None:
            raise IncompatiblePluginError(self._incompatible_message(name, entry.dist, required))
        try:
            obj = entry.entry_point.load()
        except Exception as exc:
            message = (f"hk.{name}: plugin {entry.dist.name} {entry.dist.version} failed to "
                       f"load {entry.value!r}: {type(exc).__name__}: {exc}")
            self._failures[name] = message
            raise PluginLoadError(message) from exc
        self._failures.pop(name, None)
        with self._lock:
            self.globals[name] = obj
            self._cached.add(name)
        return obj

    def _load_lazy_core(self, name: str) -> Any:
        module_name, _, attr = self.lazy_core[name].partition(":")
        obj = importlib.import_module(module_name)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        self.globals[name] = obj  # a core name: kept by reset()
        return obj

    def _missing(self, name: str, scan: _Scan) -> AttributeError:
        hint = f"hk.{name}"
        if name in scan.disabled:
            dist = scan.disabled[name].dist.name
            return MissingPluginError(
                f"{hint} is provided by the {dist!r} distribution, which is disabled by "
                f"{DISABLE_ENV}={os.environ.get(DISABLE_ENV, '')!r}. Remove {dist} from "
                f"{DISABLE_ENV} to use it.")
        if name in KNOWN_PROVIDERS:
            dist, extra = KNOWN_PROVIDERS[name]
            install = f'pip install "haiku-core[{extra}]"  (or: pip install {dist})'
            installed = scan.dists.get(canonical_name(dist))
            if installed is not None:
                return MissingPluginError(
                    f"{hint} is provided by the {dist!r} distribution, but the installed "
                    f"{dist} {installed.version} does not register it (an older release, or "
                    f"stale metadata of an editable install). Reinstall it: {install}")
            return MissingPluginError(
                f"{hint} is provided by the {dist!r} distribution, which is not installed. "
                f"Install it with: {install}")
        module = sys.modules.get(self.module_name)
        return AttributeError(f"module {self.module_name!r} has no attribute {name!r}",
                              name=name, obj=module)

    @staticmethod
    def _conflict_message(name: str, entries: list[_Entry]) -> str:
        exporters = ", ".join(e.describe() for e in entries)
        return (f"hk.{name} is exported by several plugins: {exporters}. Uninstall one of "
                f"them, or disable one with {DISABLE_ENV}=<distribution>.")

    def core_version(self) -> str:
        """The running haiku-core version (``__version__`` of the module)."""
        return str(self.globals.get("__version__", "0"))

    def _incompatibility(self, dist: _Dist) -> str | None:
        """Returns the haiku-core specifier `dist` requires and we violate, else None."""
        try:
            return self._incompatible[dist.key]
        except KeyError:
            pass
        violated = None
        for spec in requirement_specifiers(dist.requires, CORE_DISTRIBUTION):
            try:
                ok = satisfies(self.core_version(), spec)
            except ValueError:
                continue  # an unparseable pin is left to pip
            if not ok:
                violated = spec
                break
        self._incompatible[dist.key] = violated
        return violated

    def _incompatible_message(self, name: str, dist: _Dist, required: str) -> str:
        core = self.core_version()
        return (f"hk.{name} comes from {dist.name} {dist.version}, which requires "
                f"{CORE_DISTRIBUTION}{required}, but {CORE_DISTRIBUTION} {core} is installed. "
                f'Fix: pip install "{CORE_DISTRIBUTION}{required}", or install a release of '
                f"{dist.name} that supports {CORE_DISTRIBUTION} {core}.")

    # -- module hooks, diagnostics --------------------------------------------------

    def dir(self) -> list[str]:
        """Module globals plus every registered plugin name, without importing plugins."""
        return sorted(set(self.globals) | set(self.lazy_core) | set(self.scan().providers))

    def _note_alias(self, name: str, fullname: str) -> None:
        with self._lock:
            self._cached.add(name)
            self._aliases.add(fullname)

    def describe(self, check: bool = False) -> list[PluginInfo]:
        """See `haiku.plugins.describe`."""
        scan = self.scan()
        found: dict[str, bool] = {}
        rows = []
        for dist in sorted(scan.dists.values(), key=lambda d: d.key):
            problems = list(dist.problems)
            if dist.disabled:
                problems.append(("disabled", f"disabled by {DISABLE_ENV}"))
            else:
                self._runtime_problems(scan, dist, check, found, problems)
            status = "ok"
            if problems:
                status = min((p[0] for p in problems), key=_STATUS_ORDER.index)
            detail = "\n".join(dict.fromkeys(p[1] for p in problems))
            rows.append(PluginInfo(dist.name, dist.version, tuple(dist.names), status, detail))
        return rows

    def _runtime_problems(self, scan: _Scan, dist: _Dist, check: bool,
                          found: dict[str, bool], problems: list[tuple[str, str]]) -> None:
        required = self._incompatibility(dist)
        if required is not None:
            problems.append(("incompatible", self._incompatible_message(
                ", hk.".join(dist.names), dist, required)))
            return
        for name in dist.names:
            entries = scan.providers.get(name, [])
            if len(entries) > 1:
                problems.append(("conflicting", self._conflict_message(name, entries)))
            if len(entries) != 1 or entries[0].dist is not dist:
                continue
            if check:
                try:
                    self.resolve(name)
                except PluginError as err:
                    problems.append(("broken", str(err)))
            elif name in self._failures:
                problems.append(("broken", self._failures[name]))
            else:
                top = entries[0].value.split(":")[0].strip().split(".")[0]
                if top not in found:
                    found[top] = _module_exists(top)
                if not found[top]:
                    problems.append(("broken", f"hk.{name}: module {top!r} of entry point "
                                               f"{entries[0].value!r} is not importable"))

    def reset(self) -> None:
        """Forgets the scan and every resolved plugin object (for tests)."""
        with self._lock:
            for name in self._cached:
                if name not in self.core_names:
                    self.globals.pop(name, None)
            for fullname in self._aliases:
                sys.modules.pop(fullname, None)
            self._cached.clear()
            self._aliases.clear()
            self._failures.clear()
            self._incompatible.clear()
            self._scan = None


def _module_exists(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_registry: Registry | None = None


def install(
    module_globals: dict[str, Any],
    lazy_core: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Turns `module_globals` (``haiku``'s) into a plugin-aware namespace.

    Call it once, at the very end of ``haiku/__init__.py``::

        __getattr__, __dir__ = _plugins.install(globals(), lazy_core={
            "to_dot": "haiku._src.dot:to_dot", "experimental": "haiku.experimental"})

    Args:
      module_globals: the package's ``globals()``; every name already in it is a core
        name that plugins cannot replace.
      lazy_core: more core names, imported on first access (``"module"`` or
        ``"module:attr"``) so that ``import haiku`` does not pay for them. They are
        listed by ``dir()`` and protected from plugins like the other core names.

    Returns:
      ``(__getattr__, __dir__)`` for the package (PEP 562).
    """
    global _registry
    if _registry is not None:  # importlib.reload(haiku): forget the previous plugin objects
        _registry.reset()
        _registry.finder.uninstall()
    registry = Registry(module_globals, lazy_core)
    _registry = registry
    registry.finder.install()

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 hook
        return registry.resolve(name)

    def __dir__() -> list[str]:  # noqa: N807 - PEP 562 hook
        return registry.dir()

    return __getattr__, __dir__


def registry() -> Registry:
    """The installed registry (``haiku``'s), importing haiku if needed."""
    if _registry is None:
        import haiku  # noqa: F401 - its __init__ calls install()
    if _registry is None:
        raise RuntimeError("haiku/__init__.py did not call haiku._src.plugins.install()")
    return _registry


def describe(check: bool = False) -> list[PluginInfo]:
    """See `haiku.plugins.describe`."""
    return registry().describe(check)


def reset() -> None:
    """See `haiku.plugins.reset`."""
    if _registry is not None:
        _registry.reset()
