"""The plugin registry: how names such as ``hk.Linear`` or ``hk.nets`` reach ``haiku``.

Hook used by ``haiku/__init__.py``: one line at the very end, after every core name is
defined::

    __getattr__, __dir__ = _plugins.install(globals())

(optionally with ``lazy_core={"to_module": "haiku._src.to_module:to_module", ...}`` for
core names imported on first access). `install` freezes the names defined so far as *core
names* (plugins can never replace them), appends the import hook of ``plugin_import`` to
``sys.meta_path`` (so that ``from haiku import Name`` and ``import haiku.subpackage``
work), and returns the PEP 562 module ``__getattr__`` and ``__dir__``.
``haiku/experimental/__init__.py`` does the same with ``group=EXPERIMENTAL_GROUP``:
``hk.experimental`` names come from the entry-point group ``haiku.plugins.experimental``
through a registry of their own, with the same rules.

This module names no plugin: the first-party names used in missing-plugin hints live in
the generated ``plugin_hints`` module (``hatch run dev:sync``).

How a name is resolved (``__getattr__`` only runs for names that are not real attributes):

1. Nothing is read at ``import haiku``. The first ``dir(haiku)`` or attribute miss scans
   the installed distributions once per process (under a lock) for entry points of group
   ``haiku.plugins``: one entry point per exported attribute, e.g.
   ``ResBlock = "my_plugin.blocks:ResBlock"`` or ``contrib = "my_plugin"``. Distributions
   named in ``HAIKU_DISABLE_PLUGINS`` (comma separated) are skipped; entry points that
   try to shadow a core name are dropped with a `HaikuPluginWarning` (core wins);
   malformed metadata is reported, never raised.
2. A name no plugin exports raises `MissingPluginError` when a first-party distribution
   provides it (`known_provider`), else a plain ``AttributeError``.
3. A name exported by several distributions raises `PluginConflictError`.
4. From metadata alone: the plugin's extension-API range (``[haiku.api] requires =
   ">=1.0,<2"``) is checked against ``haiku.extend.API_VERSION``, and its
   ``Requires-Dist`` on haiku-core (if any) against ``haiku.__version__``
   (`IncompatiblePluginError`). Then the entry point is loaded (`PluginLoadError` on any
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
from haiku._src.specifiers import canonical_name, release, requirement_specifiers, satisfies

GROUP = "haiku.plugins"
API_GROUP = "haiku.api"
"""Entry-point group holding a plugin's supported extension-API range (``requires``)."""
API_KEY = "requires"
EXPERIMENTAL_GROUP = "haiku.plugins.experimental"
"""Entry-point group of the names plugins add to ``hk.experimental``."""
CLI_GROUP = "haiku.cli"
"""Entry-point group of ``python -m haiku`` subcommands (see ``haiku/__main__.py``)."""
DISABLE_ENV = "HAIKU_DISABLE_PLUGINS"
CORE_DISTRIBUTION = "haiku-core"


def known_providers(group: str) -> Mapping[str, tuple[str, str]]:
    """First-party names of entry-point `group` -> ``(distribution, haiku-core extra)``.

    Generated from the plugins' own entry points (``hatch run dev:sync`` writes
    ``haiku/_src/plugin_hints.py``, imported only here, when an error needs wording).

    >>> known_providers("no.such.group")
    mappingproxy({})
    """
    from haiku._src import plugin_hints as hints

    return types.MappingProxyType(
        {
            name: (dist, hints.EXTRAS.get(dist, ""))
            for name, dist in hints.PROVIDERS.get(group, {}).items()
        }
    )


def known_provider(group: str, name: str) -> tuple[str, str] | None:
    """The first-party ``(distribution, extra)`` registering `name` in entry-point `group`.

    Works for every entry-point group of the first-party plugins (``haiku.plugins`` and
    any other group they register), for missing-name hints. ``extra`` is ``""`` when
    haiku-core has no extra for that distribution.

    >>> known_provider("haiku.plugins", "NoSuchName") is None
    True
    """
    return known_providers(group).get(name)


def install_hint(dist: str, extra: str) -> str:
    """The pip command installing first-party `dist` (through haiku-core's extra if any).

    >>> install_hint("haiku-foo", "foo").replace("[", "<").replace("]", ">")
    'pip install "haiku-core<foo>"  (or: pip install haiku-foo)'
    >>> install_hint("haiku-foo", "")
    'pip install haiku-foo'
    """
    if extra:
        return f'pip install "haiku-core[{extra}]"  (or: pip install {dist})'
    return f"pip install {dist}"


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
    """The name belongs to a first-party distribution that is not installed (or disabled).

    >>> issubclass(MissingPluginError, PluginError)
    True
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
    """The plugin does not support the installed haiku-core.

    Either its declared extension-API range (entry-point group ``haiku.api``) excludes
    ``haiku.extend.API_VERSION``, or its ``Requires-Dist`` on haiku-core excludes
    ``haiku.__version__``. Checked from metadata, before the plugin is imported.

    >>> issubclass(IncompatiblePluginError, PluginError)
    True
    """


class PluginInfo(NamedTuple):
    """One row of `describe`: an installed distribution that registers haiku plugins.

    >>> PluginInfo("haiku-contrib", "0.1.0", ("ResBlock",), "ok", "", ">=1.0,<2").api
    '>=1.0,<2'
    """

    distribution: str
    version: str
    names: tuple[str, ...]
    status: str  # "ok", "incompatible", "broken", "conflicting" or "disabled"
    detail: str  # why the status is not "ok", one problem per line ("" when ok)
    api: str = ""  # the declared extension-API range ("" when the plugin declares none)


_STATUS_ORDER = ("disabled", "broken", "incompatible", "conflicting")


# Plain slotted classes: dataclass creation would cost ~1 ms at `import haiku`.
class _Dist:
    """An installed distribution registering entry points in GROUP."""

    __slots__ = (
        "name",
        "key",
        "version",
        "requires",
        "disabled",
        "names",
        "problems",
        "api",
        "api_error",
    )

    def __init__(self, name: str, version: str, requires: tuple[str, ...], disabled: bool):
        self.name = name
        self.key = canonical_name(name)
        self.version = version
        self.requires = requires
        self.disabled = disabled
        self.names: list[str] = []
        self.problems: list[tuple[str, str]] = []  # (status, message) found by the scan
        self.api = ""  # declared extension-API range (API_GROUP entry), "" if undeclared
        self.api_error = ""  # why the declaration is unusable ("" when fine)


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

    def __init__(
        self,
        module_globals: dict[str, Any],
        lazy_core: Mapping[str, str] | None = None,
        group: str = GROUP,
    ):
        self.globals = module_globals
        self.module_name: str = module_globals["__name__"]
        self.group = group  # the entry-point group whose names appear on this module
        # How errors spell the namespace: "hk" for haiku, "hk.experimental", ...
        self.prefix = (
            "hk" + self.module_name[len("haiku") :]
            if (self.module_name.split(".")[0] == "haiku")
            else self.module_name
        )
        self.lazy_core = dict(lazy_core or {})  # core name -> "module" or "module:attr"
        self.core_names = frozenset(module_globals) | frozenset(self.lazy_core)
        self._lock = threading.RLock()
        self._scan: _Scan | None = None
        self._incompatible: dict[str, str | None] = {}  # dist key -> why unusable, or None
        self._failures: dict[str, str] = {}  # name -> last load error message
        self._cached: set[str] = set()  # plugin names stored into the module globals
        self._aliases: set[str] = set()  # sys.modules keys created by the import hook
        self.finder = plugin_import.AliasFinder(
            self.module_name, self.resolve, self._note_alias, PluginError
        )

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
            except Exception:  # unreadable metadata is not our business
                continue
            if not text or self.group not in text:
                continue
            self._add_distribution(scan, dist, disabled)
        return scan

    def _add_distribution(
        self, scan: _Scan, dist: importlib.metadata.Distribution, disabled: set[str]
    ) -> None:
        try:
            metadata = dist.metadata  # parsed once: each property access re-parses METADATA
            name = metadata["Name"]
            if not name:
                raise ValueError("METADATA has no Name field")
            info = _Dist(
                name,
                metadata["Version"] or "?",
                tuple(metadata.get_all("Requires-Dist") or ()),
                canonical_name(name) in disabled,
            )
        except Exception as exc:  # malformed metadata must not break haiku
            where = dist.locate_file("")
            _warn(
                f"ignoring a distribution in {where} that registers {self.group} entry points: "
                f"its metadata cannot be read ({type(exc).__name__}: {exc})"
            )
            return
        if info.key in scan.dists:
            return  # shadowed by the same distribution earlier on sys.path
        scan.dists[info.key] = info
        try:
            all_entry_points = dist.entry_points  # parses entry_points.txt on every access
            entry_points = all_entry_points.select(group=self.group)
        except Exception as exc:  # malformed metadata must not break haiku
            message = (
                f"its entry_points.txt cannot be parsed ({type(exc).__name__}: {exc}); "
                f"reinstall {info.name}"
            )
            info.problems.append(("broken", message))
            _warn(f"plugin {info.name} is ignored: {message}")
            return
        for ep in entry_points:
            self._add_entry(scan, info, ep)
        _read_api_range(info, all_entry_points)

    def _add_entry(self, scan: _Scan, info: _Dist, ep: importlib.metadata.EntryPoint) -> None:
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
        incompatible = self._incompatibility(entry.dist)
        if incompatible is not None:
            raise IncompatiblePluginError(f"{self.prefix}.{name} {incompatible}")
        try:
            obj = entry.entry_point.load()
        except Exception as exc:  # malformed metadata must not break haiku
            message = (
                f"{self.prefix}.{name}: plugin {entry.dist.name} {entry.dist.version} failed to "
                f"load {entry.value!r}: {type(exc).__name__}: {exc}"
            )
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
        hint = f"{self.prefix}.{name}"
        if name in scan.disabled:
            dist = scan.disabled[name].dist.name
            return MissingPluginError(
                f"{hint} is provided by the {dist!r} distribution, which is disabled by "
                f"{DISABLE_ENV}={os.environ.get(DISABLE_ENV, '')!r}. Remove {dist} from "
                f"{DISABLE_ENV} to use it."
            )
        known = known_provider(self.group, name)
        if known is not None:
            dist, extra = known
            install = install_hint(dist, extra)
            installed = scan.dists.get(canonical_name(dist))
            if installed is not None:
                return MissingPluginError(
                    f"{hint} is provided by the {dist!r} distribution, but the installed "
                    f"{dist} {installed.version} does not register it (an older release, or "
                    f"stale metadata of an editable install). Reinstall it: {install}"
                )
            return MissingPluginError(
                f"{hint} is provided by the {dist!r} distribution, which is not installed. "
                f"Install it with: {install}"
            )
        module = sys.modules.get(self.module_name)
        return AttributeError(
            f"module {self.module_name!r} has no attribute {name!r}", name=name, obj=module
        )

    def _conflict_message(self, name: str, entries: list[_Entry]) -> str:
        exporters = ", ".join(e.describe() for e in entries)
        return (
            f"{self.prefix}.{name} is exported by several plugins: {exporters}. Uninstall one of "
            f"them, or disable one with {DISABLE_ENV}=<distribution>."
        )

    def core_version(self) -> str:
        """The running haiku-core version (``__version__`` of the module, or of ``haiku``)."""
        version = self.globals.get("__version__")
        if version is None:
            version = getattr(sys.modules.get("haiku"), "__version__", "0")
        return str(version)

    def api_version(self) -> str:
        """The extension-API version core provides: ``haiku.extend.API_VERSION`` as text."""
        from haiku import extend  # already imported by haiku; read each time (tests patch it)

        return ".".join(map(str, extend.API_VERSION))

    def _incompatibility(self, dist: _Dist) -> str | None:
        """Why `dist` cannot be used with the running core (None if it can); cached.

        The message continues "hk.<name> ...". Only metadata is read: nothing is imported.
        """
        try:
            return self._incompatible[dist.key]
        except KeyError:
            pass
        message = self._api_incompatibility(dist)
        if message is None:
            for spec in requirement_specifiers(dist.requires, CORE_DISTRIBUTION):
                try:
                    ok = satisfies(self.core_version(), spec)
                except ValueError:
                    continue  # an unparseable pin is left to pip
                if not ok:
                    message = self._requirement_message(dist, spec)
                    break
        self._incompatible[dist.key] = message
        return message

    def _api_incompatibility(self, dist: _Dist) -> str | None:
        core, api = self.core_version(), self.api_version()
        if dist.api_error:
            return (
                f"comes from {dist.name} {dist.version}, whose extension-API declaration is "
                f"unusable: {dist.api_error}. Install a fixed release of {dist.name}."
            )
        if not dist.api or satisfies(api, dist.api):
            return None
        head = (
            f"comes from {dist.name} {dist.version}, which supports the haiku extension API "
            f"{dist.api}, but the installed {CORE_DISTRIBUTION} {core} provides API {api}."
        )
        if _core_too_old(api, dist.api):
            return (
                f"{head} Fix: upgrade {CORE_DISTRIBUTION} to a release providing API "
                f'{dist.api} (pip install -U "{CORE_DISTRIBUTION}"), or install an older '
                f"release of {dist.name} that supports API {api}."
            )
        return (
            f"{head} Fix: upgrade {dist.name} to a release that supports API {api} "
            f'(pip install -U "{dist.name}"), or install a {CORE_DISTRIBUTION} release '
            f"providing API {dist.api}."
        )

    def _requirement_message(self, dist: _Dist, required: str) -> str:
        core = self.core_version()
        return (
            f"comes from {dist.name} {dist.version}, which requires "
            f"{CORE_DISTRIBUTION}{required}, but {CORE_DISTRIBUTION} {core} is installed. "
            f'Fix: pip install "{CORE_DISTRIBUTION}{required}", or install a release of '
            f"{dist.name} that supports {CORE_DISTRIBUTION} {core}."
        )

    # -- module hooks, diagnostics --------------------------------------------------

    def dir(self) -> list[str]:
        """Module globals plus every registered plugin name, without importing plugins."""
        return sorted(set(self.globals) | set(self.lazy_core) | set(self.scan().providers))

    def plugin_names(self) -> list[str]:
        """The names installed plugins register here (not core names), without importing."""
        return sorted(n for n in self.scan().providers if not self._is_core_name(n))

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
            rows.append(
                PluginInfo(dist.name, dist.version, tuple(dist.names), status, detail, dist.api)
            )
        return rows

    def _runtime_problems(
        self,
        scan: _Scan,
        dist: _Dist,
        check: bool,
        found: dict[str, bool],
        problems: list[tuple[str, str]],
    ) -> None:
        incompatible = self._incompatibility(dist)
        if incompatible is not None:
            names = ", ".join(f"{self.prefix}.{n}" for n in dist.names)
            problems.append(("incompatible", f"{names} {incompatible}"))
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
                    problems.append(
                        (
                            "broken",
                            f"{self.prefix}.{name}: module {top!r} of entry point "
                            f"{entries[0].value!r} is not importable",
                        )
                    )

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


def _read_api_range(info: _Dist, entry_points: importlib.metadata.EntryPoints) -> None:
    """Reads the plugin's ``[haiku.api] requires = "<specifier>"`` entry point into `info`."""
    declared = list(entry_points.select(group=API_GROUP))
    if not declared:
        return
    values = [ep.value.strip() for ep in declared if ep.name == API_KEY]
    if len(declared) != 1 or len(values) != 1:
        info.api_error = (
            f"[{API_GROUP}] must hold exactly one entry, {API_KEY} = "
            f'"<version specifier>", found {[ep.name for ep in declared]}'
        )
    else:
        try:
            satisfies("1.0", values[0])
            info.api = values[0]
        except ValueError as exc:
            info.api_error = f"[{API_GROUP}] {API_KEY} = {values[0]!r}: {exc}"
    if info.api_error:
        info.problems.append(("incompatible", info.api_error))
        _warn(f"plugin {info.name} {info.version}: {info.api_error}; its names cannot be loaded")


def _core_too_old(api: str, declared: str) -> bool:
    """Whether API version `api` fails `declared` from below (core must be upgraded)."""
    for clause in filter(None, (c.strip() for c in declared.split(","))):
        if satisfies(api, clause):
            continue
        if clause.startswith("<") or clause.startswith("!="):
            return False
        op_end = len(clause) - len(clause.lstrip("=~<>!"))
        target = clause[op_end:].strip().removesuffix(".*")
        return release(api) < release(target)
    return False


def _module_exists(name: str) -> bool:
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_registries: dict[str, Registry] = {}  # entry-point group -> registry of that namespace


def install(
    module_globals: dict[str, Any],
    lazy_core: Mapping[str, str] | None = None,
    group: str = GROUP,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Turns `module_globals` (``haiku``'s) into a plugin-aware namespace.

    Call it once, at the very end of ``haiku/__init__.py``::

        __getattr__, __dir__ = _plugins.install(globals(), lazy_core={
            "to_module": "haiku._src.to_module:to_module"})

    and at the end of ``haiku/experimental/__init__.py`` with
    ``group=EXPERIMENTAL_GROUP``.

    Args:
      module_globals: the package's ``globals()``; every name already in it is a core
        name that plugins cannot replace.
      lazy_core: more core names, imported on first access (``"module"`` or
        ``"module:attr"``) so that ``import haiku`` does not pay for them. They are
        listed by ``dir()`` and protected from plugins like the other core names.
      group: the entry-point group whose names appear on the module.

    Returns:
      ``(__getattr__, __dir__)`` for the package (PEP 562).
    """
    previous = _registries.get(group)
    if previous is not None:  # importlib.reload(): forget the previous plugin objects
        previous.reset()  # (its import hook is replaced in place below)
    registry = Registry(module_globals, lazy_core, group)
    _registries[group] = registry
    registry.finder.install()

    def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 hook
        return registry.resolve(name)

    def __dir__() -> list[str]:  # noqa: N807 - PEP 562 hook
        return registry.dir()

    return __getattr__, __dir__


def registry(group: str = GROUP) -> Registry:
    """The installed registry of `group` (``haiku``'s by default), importing it if needed."""
    if group not in _registries:
        import haiku  # its __init__ calls install(
    if group == EXPERIMENTAL_GROUP and group not in _registries:
        import haiku.experimental  # noqa: F401 - its __init__ calls install()
    if group not in _registries:
        raise RuntimeError(f"no haiku namespace called haiku._src.plugins.install() for {group}")
    return _registries[group]


def describe(check: bool = False) -> list[PluginInfo]:
    """See `haiku.plugins.describe` (which imports ``haiku.experimental`` first, so that
    the names of both registries are listed)."""
    rows = {row.distribution: row for row in registry().describe(check)}
    experimental = _registries.get(EXPERIMENTAL_GROUP)
    for row in experimental.describe(check) if experimental is not None else ():
        names = tuple(f"experimental.{name}" for name in row.names)
        other = rows.get(row.distribution)
        if other is None:
            rows[row.distribution] = row._replace(names=names)
            continue
        statuses = [s for s in (other.status, row.status) if s != "ok"]
        status = min(statuses, key=_STATUS_ORDER.index) if statuses else "ok"
        detail = "\n".join(
            dict.fromkeys(filter(None, (other.detail + "\n" + row.detail).splitlines()))
        )
        rows[row.distribution] = other._replace(
            names=other.names + names, status=status, detail=detail
        )
    return [rows[name] for name in sorted(rows, key=canonical_name)]


def reset() -> None:
    """See `haiku.plugins.reset`."""
    for reg in _registries.values():
        reg.reset()
