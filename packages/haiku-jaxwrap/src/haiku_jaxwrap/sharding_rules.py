"""Rules of ``hk.sharding``: parameter paths -> logical axis names -> mesh axes.

Two small tables drive sharding, neither of which touches the parameter tree:

* *path rules* (``hk.sharding.logical_axes``) give each parameter one logical name per
  dimension, chosen by a pattern on its full name ``module_name/param_name``;
* :class:`LogicalAxisRules` maps each logical name to mesh axes (or ``None``: replicated).

Path patterns are globs matched against the end of the full name at ``/`` boundaries:
``*`` matches within one name component, ``**`` across components, ``?`` one character
and ``{a,b}`` alternatives; a leading ``/`` anchors the pattern at the root. A compiled
``re.Pattern`` is used as is, with ``re.search``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union

from jax.sharding import Mesh, PartitionSpec

LogicalAxes = tuple[str | None, ...]
MeshAxes = None | str | Sequence[str]
Pattern = Union[str, "re.Pattern[str]"]

#: The logical name given to the leading axes that ``hk.layer_stack`` adds to a parameter
#: annotated per layer. No rule maps it by default, so stacked axes stay unsharded.
STACKED_AXIS = "layers"


def compile_pattern(pattern: Pattern) -> re.Pattern[str]:
    """Compiles a path glob (see the module docstring) into a regex for ``re.search``.

    >>> compile_pattern("mlp/~/linear_0/w").search("transformer/mlp/~/linear_0/w") is not None
    True
    >>> compile_pattern("{query,key}/w").search("attention/value/w") is None
    True
    """
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str) or not pattern.strip("/"):
        raise TypeError(
            f"hk.sharding: a parameter path pattern must be a non-empty string glob such as "
            f"'mlp/~/linear_0/w' or a compiled re.Pattern, got {pattern!r}."
        )
    return _compile_glob(pattern)


@functools.lru_cache(maxsize=1024)  # per-layer `logical_axes` re-enters on every trace
def _compile_glob(pattern: str) -> re.Pattern[str]:
    anchor = "^" if pattern.startswith("/") else "(?:^|/)"
    text = pattern.lstrip("/")
    out = []
    i = 0
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "{":
            end = text.find("}", i)
            if end < 0:
                raise ValueError(
                    f"hk.sharding: pattern {pattern!r} opens '{{' without a closing '}}'. "
                    "Write alternatives as '{query,key,value}/w'."
                )
            alternatives = text[i + 1 : end].split(",")
            out.append("(?:" + "|".join(re.escape(a) for a in alternatives) + ")")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    return re.compile(anchor + "".join(out) + "$")


def normalize_axes(axes: Any, where: str) -> LogicalAxes:
    """Checks ``axes`` is a sequence of logical names (str or None) and returns a tuple.

    >>> normalize_axes(["embed", None], "example")
    ('embed', None)
    """
    if isinstance(axes, PartitionSpec):
        axes = tuple(axes)
    if isinstance(axes, str) or not isinstance(axes, Sequence):
        hint = f" Did you mean ({axes!r},)?" if isinstance(axes, str) else ""
        raise TypeError(
            f"hk.sharding: the logical axes for {where} must be a tuple with one name (str) "
            f"or None per dimension, e.g. ('embed', 'mlp'); got {axes!r}.{hint}"
        )
    for name in axes:
        if name is not None and not (isinstance(name, str) and name):
            raise TypeError(
                f"hk.sharding: the logical axes for {where} must contain non-empty strings or "
                f"None, got {name!r} in {tuple(axes)!r}."
            )
    return tuple(axes)


class PathRule(tuple):
    """One compiled path rule: ``(pattern text, regex, logical axes)``."""

    __slots__ = ()

    @property
    def pattern(self) -> str:
        return self[0]

    @property
    def regex(self) -> re.Pattern[str]:
        return self[1]

    @property
    def axes(self) -> LogicalAxes:
        return self[2]


def compile_path_rules(
    rules: Mapping[str, Any] | Mapping[Pattern, Any] | Iterable[tuple[Pattern, Any]],
) -> tuple[PathRule, ...]:
    """Compiles ``{pattern: logical axes}`` (or pairs), keeping their order.

    >>> [r.pattern for r in compile_path_rules({"w": ("embed", "mlp"), "b": ("mlp",)})]
    ['w', 'b']
    """
    items = rules.items() if isinstance(rules, Mapping) else rules
    out = []
    for item in items:
        try:
            pattern, axes = item
        except (TypeError, ValueError):
            raise TypeError(
                "hk.sharding.logical_axes takes a mapping {pattern: axes} or (pattern, axes) "
                f"pairs, got the entry {item!r}."
            ) from None
        text = pattern.pattern if isinstance(pattern, re.Pattern) else pattern
        regex = compile_pattern(pattern)
        out.append(PathRule((text, regex, normalize_axes(axes, f"pattern {text!r}"))))
    return tuple(out)


def _mesh_axes_tuple(logical: str, value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = (value,)
    if (
        not isinstance(value, Sequence)
        or not value
        or not all(isinstance(a, str) and a for a in value)
    ):
        raise TypeError(
            f"hk.sharding.LogicalAxisRules: logical axis {logical!r} must map to a mesh axis "
            f"name, a tuple of mesh axis names or None (replicated), got {value!r}."
        )
    return tuple(value)


class LogicalAxisRules:
    """Maps logical axis names (``'batch'``, ``'embed'``, ``'mlp'``...) to mesh axes.

    Rules are a mapping or ordered ``(logical name, mesh axes)`` pairs; mesh axes are one
    mesh axis name, a tuple of names (the dimension is split over all of them) or ``None``
    (replicated). A logical name may appear several times (pairs form): the first entry
    whose mesh axes are not already used by another dimension of the same array wins, as a
    mesh axis can shard only one dimension of an array. Names with no rule are replicated,
    unless ``strict=True``, which makes them an error (catches typos).

    Args:
        rules: ``{logical: mesh_axes}`` or an iterable of ``(logical, mesh_axes)`` pairs.
        strict: raise on logical names that no rule mentions.

    >>> import haiku as hk
    >>> rules = hk.sharding.LogicalAxisRules({"batch": "data", "mlp": "model", "embed": None})
    >>> rules.mesh_axes(("batch", "mlp"))
    P('data', 'model')
    >>> rules.mesh_axes(("mlp", "mlp"))  # 'model' can only shard one dimension
    P('model', None)
    """

    def __init__(
        self,
        rules: Mapping[str, MeshAxes] | Iterable[tuple[str, MeshAxes]],
        *,
        strict: bool = False,
    ):
        if isinstance(rules, LogicalAxisRules):
            rules = rules.rules
        items = rules.items() if isinstance(rules, Mapping) else rules
        table: dict[str, list[tuple[str, ...] | None]] = {}
        pairs = []
        for item in items:
            try:
                logical, value = item
            except (TypeError, ValueError):
                raise TypeError(
                    "hk.sharding.LogicalAxisRules takes a mapping {logical: mesh_axes} or "
                    f"(logical, mesh_axes) pairs, got the entry {item!r}."
                ) from None
            if not isinstance(logical, str) or not logical:
                raise TypeError(
                    "hk.sharding.LogicalAxisRules: logical axis names must be non-empty "
                    f"strings, got {logical!r}."
                )
            mesh_axes = _mesh_axes_tuple(logical, value)
            table.setdefault(logical, []).append(mesh_axes)
            pairs.append((logical, mesh_axes))
        self.rules: tuple[tuple[str, tuple[str, ...] | None], ...] = tuple(pairs)
        self.strict = strict
        self._table = table
        self._cache: dict[LogicalAxes, PartitionSpec] = {}

    @property
    def mesh_axis_names(self) -> frozenset[str]:
        """Every mesh axis some rule refers to."""
        return frozenset(a for _, axes in self.rules for a in axes or ())

    def mesh_axes(self, logical: Sequence[str | None] | PartitionSpec) -> PartitionSpec:
        """The mesh ``PartitionSpec`` for one array with logical axes ``logical``."""
        key = logical if type(logical) is tuple else normalize_axes(logical, "an array")
        spec = self._cache.get(key)
        if spec is None:
            spec = self._cache[key] = self._resolve(normalize_axes(key, "an array"))
        return spec

    def _resolve(self, logical: LogicalAxes) -> PartitionSpec:
        used: set[str] = set()
        out: list[Any] = []
        for name in logical:
            chosen = None
            if name is not None:
                candidates = self._table.get(name)
                if candidates is None:
                    if self.strict:
                        raise ValueError(
                            f"hk.sharding.LogicalAxisRules(strict=True): no rule for logical "
                            f"axis {name!r} (in {logical!r}). Known: {sorted(self._table)}. "
                            f"Add ({name!r}, None) to replicate it."
                        )
                else:
                    for mesh_axes in candidates:
                        if mesh_axes is None:
                            break
                        if not used.intersection(mesh_axes):
                            chosen = mesh_axes
                            break
            if chosen is None:
                out.append(None)
            else:
                used.update(chosen)
                out.append(chosen[0] if len(chosen) == 1 else chosen)
        return PartitionSpec(*out)

    def check_mesh(self, mesh: Mesh) -> None:
        """Raises if a rule names a mesh axis that ``mesh`` does not have."""
        missing = sorted(self.mesh_axis_names - set(mesh.axis_names))
        if missing:
            users = sorted(
                {logical for logical, axes in self.rules if axes and set(axes) & set(missing)}
            )
            raise ValueError(
                f"hk.sharding: the axis rules map logical axes {users} to mesh axes {missing}, "
                f"but the mesh only has axes {list(mesh.axis_names)}. Rename the rules' mesh "
                "axes or build the mesh with those axis names."
            )

    def __repr__(self) -> str:
        def show(axes: tuple[str, ...] | None) -> str:
            return "None" if axes is None else repr(axes[0] if len(axes) == 1 else axes)

        body = ", ".join(f"({name!r}, {show(axes)})" for name, axes in self.rules)
        return f"LogicalAxisRules([{body}]{', strict=True' if self.strict else ''})"
