"""The plugin conformance check behind ``hk.testing.check_plugin`` and friends.

A plugin's own CI runs it over every name its distribution registers: ``hk.<name>``
(group ``haiku.plugins``), ``hk.experimental.<name>`` (group ``haiku.plugins.experimental``,
checked as ``"experimental.<name>"``; an alias of one of its own ``hk.*`` entry points needs
no case of its own) and ``python -m haiku`` subcommands (group ``haiku.cli``: they must load
to a callable):

* distribution level: it is installed, `haiku.plugins.describe` reports it ``ok``, its
  declared ``haiku.extend.API_VERSION`` range (entry point ``requires`` of group
  ``haiku.api``) contains the running API version, every registered name (and every
  Module class of a registered submodule, e.g. ``nets.MLP``) has a `Case` or an explicit
  `Skip`, and no case names something the distribution does not register;
* per name: the entry point loads through ``haiku`` (no conflict with core or another
  plugin) to the same object as the entry point itself; a `Case` is then run inside
  ``hk.transform_with_state``: init traced twice (same names, shapes and dtypes), then
  init, apply and apply under ``jax.vmap`` (each row equals the unbatched result) in one
  ``jax.jit`` program under ``jax.checking_leaks()``; after every step no haiku frame,
  creator, getter, setter or interceptor may be left behind.

Everything runs on the caller's tiny example inputs, so the check stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

API_GROUP = "haiku.api"
API_ENTRY = "requires"
_CHECKS = ("jit", "vmap")
_DIST_ID = "<distribution>"


class ConformanceError(AssertionError):
    """A plugin failed the conformance check; the message lists every problem.

    >>> issubclass(ConformanceError, AssertionError)
    True
    """


class Case:
    """How the conformance check exercises one registered name.

    ``forward(*inputs)`` runs inside ``hk.transform_with_state`` and should build the
    module (or call the function) with small, valid settings. ``inputs`` are example
    arrays (tiny shapes keep the check fast); under ``jax.vmap`` every array input gets
    a new leading axis of size 2. ``skip`` opts out of the ``"jit"`` or ``"vmap"`` step,
    mapping it to the reason.

    >>> import jax.numpy as jnp
    >>> import haiku as hk
    >>> case = hk.testing.Case(lambda x: 2 * x, jnp.ones([3]))
    >>> case.inputs[0].shape
    (3,)
    """

    __slots__ = ("forward", "inputs", "skip")

    def __init__(
        self, forward: Callable[..., Any], *inputs: Any, skip: Mapping[str, str] | None = None
    ):
        if not callable(forward):
            raise TypeError(
                f"Case: forward must be a callable run inside hk.transform, got {forward!r}."
            )
        unknown = set(skip or ()) - set(_CHECKS)
        if unknown:
            raise ValueError(f"Case: skip keys must be among {_CHECKS}, got {sorted(unknown)}.")
        if any(not isinstance(r, str) or not r.strip() for r in (skip or {}).values()):
            raise ValueError("Case: every skipped check needs a non-empty reason string.")
        self.forward = forward
        self.inputs = inputs
        self.skip = dict(skip or {})

    def __repr__(self) -> str:
        name = getattr(self.forward, "__qualname__", repr(self.forward))
        shapes = ", ".join(str(getattr(x, "shape", type(x).__name__)) for x in self.inputs)
        return f"Case({name}, {shapes})"


class Skip:
    """Opts a registered name out of the transform checks; it is still loaded.

    For names that are not runnable modules: enums, NamedTuples, abstract base classes,
    helper submodules. The reason is required and shows up in the test report.

    >>> import haiku as hk
    >>> hk.testing.Skip("an enum used through Embed").reason
    'an enum used through Embed'
    """

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(
                "Skip: give the reason this name is not run, e.g. "
                "Skip('an enum used through MyLayer')."
            )
        self.reason = reason

    def __repr__(self) -> str:
        return f"Skip({self.reason!r})"


Cases = Mapping[str, "Case | Skip"]


# -- global state -----------------------------------------------------------------


def _global_state() -> dict[str, Any]:
    """What a well-behaved plugin must leave as it found it (the calling thread's view)."""
    from haiku._src import config, frame, hooks, mixed_precision

    registry = mixed_precision._REGISTRY
    return {
        "haiku frames": len(frame.frame_stack()),
        **{f"hooks.{k}": len(v) for k, v in vars(hooks.HOOKS).items()},
        "global interceptors": hooks.GLOBAL_INTERCEPTORS,
        "mixed precision policies": (
            len(registry.classes),
            len(registry.paths),
            len(registry.patterns),
            len(registry.current),
        ),
        "haiku config": dict(vars(config._LOCAL)),
        "jax_enable_x64": jax.config.jax_enable_x64,  # type: ignore[attr-defined]  # a dynamic jax.config flag
    }


def _state_diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    changed = [
        f"{k}: {before.get(k)!r} -> {after.get(k)!r}"
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    ]
    return "; ".join(changed)


# -- helpers ------------------------------------------------------------------------


def _tree_names(tree: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    return [
        (m, n, tuple(np.shape(v)), np.dtype(getattr(v, "dtype", None) or np.asarray(v).dtype))
        for m, sub in tree.items()
        for n, v in sub.items()
    ]


def _allclose(a: Any, b: Any, exact: bool = False) -> str | None:
    """None if the two pytrees match (structure, shapes, values), else what differs."""
    sa, sb = jax.tree.structure(a), jax.tree.structure(b)
    if sa != sb:  # type: ignore[operator]  # PyTreeDef: compiled, no stub
        return f"tree structure {sa} != {sb}"
    for i, (x, y) in enumerate(zip(jax.tree.leaves(a), jax.tree.leaves(b))):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape or x.dtype != y.dtype:
            return f"leaf {i}: {x.dtype}{list(x.shape)} != {y.dtype}{list(y.shape)}"
        if exact or not np.issubdtype(x.dtype, np.inexact):
            same = np.array_equal(x, y, equal_nan=True)
        else:
            same = np.allclose(
                x.astype(np.float64), y.astype(np.float64), rtol=1e-4, atol=1e-5, equal_nan=True
            )
        if not same:
            return f"leaf {i} ({x.dtype}{list(x.shape)}) has different values"
    return None


def _is_array(x: Any) -> bool:
    return isinstance(x, (jax.Array, np.ndarray))


class _Run:
    """Collects the problems of one name; `step` guards each stage."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(f"{self.label}: {message}")

    @contextlib.contextmanager
    def step(self, what: str) -> Iterator[None]:
        before = _global_state()
        try:
            yield
        except Exception as exc:  # every failure is reported, then re-checked
            self.fail(f"{what} raised {type(exc).__name__}: {exc}")
            raise _StepFailedError from exc
        finally:
            diff = _state_diff(before, _global_state())
            if diff:
                self.fail(f"{what} left global state behind ({diff})")
                _restore_clean_state()


class _StepFailedError(Exception):
    pass


def _restore_clean_state() -> None:
    """Undoes leftovers of a failed step so later names are checked independently."""
    from haiku._src import frame, hooks

    del frame.frame_stack()[:]
    for stack in vars(hooks.HOOKS).values():
        del stack[:]


# -- per case ---------------------------------------------------------------------------


def run_case(case: Case, label: str = "case") -> list[str]:
    """Runs the transform checks of one `Case`; returns the problems found (empty if none).

    Cheap by construction: ``init`` is traced twice with ``jax.eval_shape`` (no
    compilation) to check that names, shapes and dtypes are deterministic; then one
    program, compiled under ``jax.checking_leaks()``, runs ``init``, ``apply`` with the
    new parameters and ``apply`` under ``jax.vmap``. Only when that program fails are
    the steps run one by one to say which is at fault. ``skip={"jit": ...}`` runs the
    program eagerly instead.
    """
    import haiku as hk

    run = _Run(label)
    key = jax.random.PRNGKey(0)
    f = hk.transform_with_state(case.forward)
    try:
        # A new function per trace: jax caches traces of the same function object.
        with run.step("init (traced with jax.eval_shape)"):
            shapes = jax.eval_shape(lambda *a: f.init(*a), key, *case.inputs)
        with run.step("second init (traced with jax.eval_shape)"):
            shapes2 = jax.eval_shape(lambda *a: f.init(*a), key, *case.inputs)
        for what, a, b in (("parameters", shapes[0], shapes2[0]), ("state", shapes[1], shapes2[1])):
            if _tree_names(a) != _tree_names(b):
                run.fail(
                    f"two inits created different {what}: {_tree_names(a)} vs "
                    f"{_tree_names(b)} (names must be deterministic)"
                )
        _check_program(run, f, case, key, shapes)
    except _StepFailedError:
        pass
    return run.problems


def _batch(case: Case) -> tuple[Any, Any] | None:
    """(in_axes, batched inputs) for the vmap step, None if it does not apply."""
    axes = jax.tree.map(lambda x: 0 if _is_array(x) else None, case.inputs)
    if "vmap" in case.skip or not any(a == 0 for a in jax.tree.leaves(axes)):
        return None
    return axes, jax.tree.map(lambda x: jnp.stack([x, x]) if _is_array(x) else x, case.inputs)


def _check_program(run: _Run, f: Any, case: Case, key: jax.Array, shapes: Any) -> None:
    batch = _batch(case)
    use_jit = "jit" not in case.skip
    wrap = jax.jit if use_jit else (lambda fn: fn)
    where = "under jax.jit" if use_jit else "eagerly"

    def init(key, inputs):
        return f.init(key, *inputs)

    def apply(params, state, key, inputs):
        return f.apply(params, state, key, *inputs)

    in_axes = batch[0] if batch is not None else None

    def vmapped(params, state, key, batched):  # only called when batch is not None
        return jax.vmap(lambda b: apply(params, state, key, b), in_axes=(in_axes,))(batched)

    def program(key, inputs, batched):
        params, state = init(key, inputs)
        out = apply(params, state, key, inputs)
        vout = vmapped(params, state, key, batched) if batch is not None else None
        return (params, state), out, vout

    batched = batch[1] if batch is not None else None
    known = len(run.problems)
    try:
        with run.step(f"init, apply and jax.vmap(apply) {where}"), jax.checking_leaks():
            (params, state), (out, new_state), vout = wrap(program)(key, case.inputs, batched)
    except _StepFailedError:
        del run.problems[known:]  # diagnose: which step fails on its own?
        with contextlib.suppress(_StepFailedError):
            with run.step(f"init {where}"), jax.checking_leaks():
                params, state = wrap(init)(key, case.inputs)
            with run.step(f"apply {where}"), jax.checking_leaks():
                wrap(apply)(params, state, key, case.inputs)
            if batch is not None:
                with run.step(f"apply under jax.vmap ({where})"), jax.checking_leaks():
                    wrap(vmapped)(params, state, key, batched)
        if len(run.problems) == known:
            run.fail(f"init, apply and jax.vmap(apply) fail together {where} but pass one by one")
        return
    for what, traced, made in (("parameters", shapes[0], params), ("state", shapes[1], state)):
        if sorted(_tree_names(traced)) != sorted(_tree_names(made)):
            run.fail(
                f"init {where} created different {what} than when traced: "
                f"{sorted(_tree_names(made))} vs {sorted(_tree_names(traced))}"
            )
    if sorted(_tree_names(new_state)) != sorted(_tree_names(state)):
        run.fail(
            "apply changed the names, shapes or dtypes of the state: "
            f"{sorted(_tree_names(state))} -> {sorted(_tree_names(new_state))}"
        )
    if batch is not None:
        bad = [np.shape(leaf) for leaf in jax.tree.leaves(vout[0]) if np.shape(leaf)[:1] != (2,)]
        if bad:
            run.fail(f"apply under jax.vmap returned leaves without the batch axis: {bad}")
        elif why := _allclose(jax.tree.map(lambda x: x[0], vout[0]), out):
            run.fail(f"apply under jax.vmap gave a different result per example ({why})")


# -- per distribution ----------------------------------------------------------------------


def _find_distribution(distribution: str) -> importlib.metadata.Distribution | None:
    from haiku._src.specifiers import canonical_name

    key = canonical_name(distribution)
    for dist in importlib.metadata.distributions():
        if canonical_name(dist.metadata["Name"] or "") == key:
            return dist
    return None


def declared_api_range(dist: importlib.metadata.Distribution) -> str | None:
    """The ``haiku.extend.API_VERSION`` range `dist` declares (``haiku.api`` ``requires``)."""
    for ep in dist.entry_points.select(group=API_GROUP):
        if ep.name == API_ENTRY:
            return ep.value.strip()
    return None


def api_version() -> str:
    from haiku import extend

    return ".".join(str(v) for v in extend.API_VERSION)


def suggested_api_range() -> str:
    """The range a new plugin should declare: this API version up to the next major."""
    from haiku import extend

    major, minor = extend.API_VERSION[:2]
    return f">={major}.{minor},<{major + 1}"


# Entry-point groups whose names the check covers, and the prefix of their target names.
_NAME_GROUPS = (("haiku.plugins", ""), ("haiku.plugins.experimental", "experimental."))
_CLI_GROUP = "haiku.cli"


def _registered(dist: importlib.metadata.Distribution) -> dict[str, importlib.metadata.EntryPoint]:
    """Target name (``Linear``, ``experimental.tabulate``) -> its entry point."""
    entry_points = dist.entry_points
    return {
        prefix + ep.name: ep
        for group, prefix in _NAME_GROUPS
        for ep in entry_points.select(group=group)
    }


def registered_names(distribution: str) -> tuple[str, ...]:
    """The names `distribution` registers on ``hk`` and ``hk.experimental`` (metadata only).

    >>> registered_names("no-such-distribution")
    ()
    """
    dist = _find_distribution(distribution)
    return () if dist is None else tuple(_registered(dist))


def _registered_key(name: str, registered: Mapping[str, Any]) -> str | None:
    """The registered name `name` (maybe ``module.Class``) falls under, if any."""
    parts = name.split(".")
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in registered:
            return key
    return None


def _aliases(registered: Mapping[str, importlib.metadata.EntryPoint]) -> set[str]:
    """``experimental.*`` names whose entry point is one of the top-level names' too."""
    top_level = {ep.value.replace(" ", "") for key, ep in registered.items() if "." not in key}
    return {
        key
        for key, ep in registered.items()
        if "." in key and ep.value.replace(" ", "") in top_level
    }


def _module_classes(module: types.ModuleType) -> list[str]:
    import haiku as hk

    public = getattr(module, "__all__", None) or [n for n in dir(module) if n[:1] != "_"]
    return [
        n
        for n in public
        if isinstance(getattr(module, n, None), type) and issubclass(getattr(module, n), hk.Module)
    ]


def targets(distribution: str, cases: Cases) -> list[str]:
    """Every name the check covers: registered names, then dotted names of cases."""
    names = list(registered_names(distribution))
    return names + sorted(k for k in cases if k not in names)


def _check_commands(run: _Run, dist: importlib.metadata.Distribution) -> None:
    """Each ``haiku.cli`` entry point loads to a callable ``register(subparsers)``."""
    for ep in dist.entry_points.select(group=_CLI_GROUP):
        try:
            command = ep.load()
        except Exception as exc:  # a broken command is reported as a problem
            run.fail(
                f"its {_CLI_GROUP} entry point {ep.name} = {ep.value!r} fails to load: "
                f"{type(exc).__name__}: {exc}"
            )
            continue
        if not callable(command):
            run.fail(
                f"its {_CLI_GROUP} entry point {ep.name} = {ep.value!r} is not a callable "
                "register(subparsers)"
            )


def _check_api_range(
    run: _Run, dist: importlib.metadata.Distribution, require_api_range: bool
) -> None:
    """The declared extension-API range exists (if required) and holds this core's API."""
    from haiku._src.specifiers import satisfies

    spec = declared_api_range(dist)
    if spec is None:
        if require_api_range:
            run.fail(
                f"declares no haiku.extend.API_VERSION range: add "
                f'[project.entry-points."{API_GROUP}"] {API_ENTRY} = '
                f'"{suggested_api_range()}" to pyproject.toml'
            )
        return
    try:
        ok = satisfies(api_version(), spec)
    except ValueError as exc:
        run.fail(f"its {API_GROUP} {API_ENTRY} = {spec!r} is not a version range ({exc})")
        return
    if not ok:
        run.fail(
            f"declares haiku.extend.API_VERSION {spec} but this haiku-core provides {api_version()}"
        )


def check_distribution(
    distribution: str, cases: Cases, *, require_api_range: bool = True
) -> list[str]:
    """Distribution-level problems (see the module docstring)."""
    from haiku import plugins
    from haiku._src.specifiers import canonical_name

    run = _Run(distribution)
    dist = _find_distribution(distribution)
    if dist is None:
        run.fail(
            "is not installed in this environment (pip install -e . first; entry "
            "points are only visible once the distribution is installed)"
        )
        return run.problems
    registered = _registered(dist)
    names = tuple(registered)
    if not names:
        run.fail(
            'registers no names: add [project.entry-points."haiku.plugins"] to '
            "pyproject.toml and reinstall"
        )
    _check_commands(run, dist)
    rows = [
        r
        for r in plugins.describe()
        if canonical_name(r.distribution) == canonical_name(distribution)
    ]
    for row in rows:
        if row.status != "ok":
            run.fail(f"haiku.plugins.describe() reports status {row.status!r}: {row.detail}")
    _check_api_range(run, dist, require_api_range)
    for key in sorted(cases):
        if _registered_key(key, registered) is None:
            run.fail(
                f"has a case for {key!r}, which it does not register (registered: "
                f"{', '.join(names)}); remove or rename the case"
            )
    aliases = _aliases(registered)
    for name in names:
        if name not in cases and name not in aliases:
            run.fail(
                f"hk.{name} has no Case: give one (a function using it and sample "
                f"inputs), or Skip('reason') if it is not a runnable module"
            )
    return run.problems


def _resolve(name: str) -> Any:
    import haiku as hk

    obj: Any = hk
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def check_name(distribution: str, name: str, cases: Cases) -> list[str]:
    """Problems of one registered (or dotted ``module.Class``) name."""
    import haiku as hk
    from haiku._src import plugins as registry

    run = _Run(f"hk.{name}")
    dist = _find_distribution(distribution)
    registered = _registered(dist) if dist is not None else {}
    key = _registered_key(name, registered)
    if key is None:
        run.fail(f"is not registered by {distribution}")
        return run.problems
    entry = registered[key]
    group = entry.group
    head = entry.name
    names = registry.registry(group)
    providers = names.scan().providers.get(head, [])
    if head in names.core_names:
        run.fail(f"{head!r} is a haiku-core name; a plugin cannot replace it, rename it")
        return run.problems
    if len(providers) > 1:
        others = ", ".join(e.describe() for e in providers)
        run.fail(f"{head!r} conflicts with another installed plugin ({others})")
        return run.problems
    try:
        with run.step("loading"):
            obj = _resolve(name)
            direct = entry.load()
            for part in name[len(key) :].split(".")[1:]:
                direct = getattr(direct, part)
    except _StepFailedError:
        return run.problems
    if obj is not direct:
        run.fail(f"haiku resolves it to {obj!r}, not to its entry point's {direct!r}")
    if isinstance(obj, types.ModuleType) and name == key:
        for cls in _module_classes(obj):
            if f"{name}.{cls}" not in cases:
                run.fail(
                    f"{name}.{cls} is a hk.Module without a Case: give one "
                    f'(cases["{name}.{cls}"] = Case(...)) or Skip("reason")'
                )
    case = cases.get(name)
    if case is None:
        return run.problems  # reported by check_distribution (or an alias, checked above)
    if isinstance(case, Skip):
        return run.problems
    if not isinstance(case, Case):
        run.fail(f"its case must be hk.testing.Case or hk.testing.Skip, got {case!r}")
        return run.problems
    if isinstance(obj, type) and issubclass(obj, hk.Module) and not obj.__doc__:
        run.fail("the Module class has no docstring")
    run.problems += run_case(case, run.label)
    return run.problems


def check_target(
    distribution: str, target: str, cases: Cases, *, require_api_range: bool = True
) -> list[str]:
    """Problems of one item of `targets` (or the distribution itself for ``_DIST_ID``)."""
    if target == _DIST_ID:
        return check_distribution(distribution, cases, require_api_range=require_api_range)
    return check_name(distribution, target, cases)


def check_plugin(
    distribution: str, cases: Cases, *, require_api_range: bool = True
) -> tuple[str, ...]:
    """Runs every check; raises `ConformanceError` listing all problems."""
    problems = check_distribution(distribution, cases, require_api_range=require_api_range)
    checked = targets(distribution, cases)
    for name in checked:
        problems += check_name(distribution, name, cases)
    if problems:
        raise ConformanceError(
            f"{distribution} fails the haiku plugin conformance check "
            f"({len(problems)} problem{'s' * (len(problems) > 1)}):\n  - " + "\n  - ".join(problems)
        )
    return tuple(checked)


def conformance_test(
    distribution: str, cases: Cases, *, require_api_range: bool = True
) -> Callable[[str], None]:
    """A pytest test function parametrized with one test per name (plus the distribution)."""
    import pytest

    params = [_DIST_ID] + targets(distribution, cases)
    reasons = {k: v.reason for k, v in cases.items() if isinstance(v, Skip)}

    @pytest.mark.parametrize("target", params, ids=[p.strip("<>") for p in params])
    def test_conformance(target: str) -> None:
        problems = check_target(distribution, target, cases, require_api_range=require_api_range)
        if problems:
            raise ConformanceError("\n".join(problems))
        if target in reasons:
            pytest.skip(f"loads; transform checks skipped: {reasons[target]}")

    test_conformance.__doc__ = f"haiku plugin conformance of {distribution}, one test per name."
    return test_conformance
