"""A small PEP 440 specifier check, so that haiku-core does not depend on `packaging`.

Only what the plugin compatibility check needs: release numbers are compared
(``1.2`` == ``1.2.0``), pre/dev/post/local suffixes are ignored, and the operators
``~= == != <= >= < > ===`` plus the ``.*`` wildcard of ``==``/``!=`` are supported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Patterns are compiled on first use (by `re`'s own cache), not at `import haiku`.
_RELEASE = r"\s*v?(\d+(?:\.\d+)*)"
_CLAUSE = r"\s*(~=|===|==|!=|<=|>=|<|>)\s*([^\s,]+)\s*$"
_REQUIREMENT = (
    r"^\s*(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*"
    r"(?:\[[^\]]*\])?\s*"  # extras of the requirement itself
    r"(?P<spec>\(?[^;@]*?\)?)\s*"  # version specifier, maybe in parentheses
    r"(?:;(?P<marker>.*))?$"
)


def canonical_name(name: str) -> str:
    """Normalizes a distribution name as PEP 503 does.

    >>> canonical_name("Haiku_Core")
    'haiku-core'
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def _leading_int(part: str, target: str) -> int:
    match = re.match(r"\d+", part)
    if match is None:
        raise ValueError(f"not a version number: {target!r}")
    return int(match.group())


def release(version: str) -> tuple[int, ...]:
    """Returns the release numbers of `version`, with trailing zeros removed.

    >>> release("0.1.0rc1+local")
    (0, 1)

    Raises:
      ValueError: if `version` does not start with a release number.
    """
    match = re.match(_RELEASE, version)
    if match is None:
        raise ValueError(f"not a version number: {version!r}")
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _pad(a: tuple[int, ...], n: int) -> tuple[int, ...]:
    return a + (0,) * (n - len(a))


def _matches(version: str, op: str, target: str) -> bool:
    if op == "===":
        return version.strip() == target
    if target.endswith(".*"):
        if op not in ("==", "!="):
            raise ValueError(f"'.*' is only allowed with == and !=, got {op}{target}")
        prefix = tuple(int(p) for p in target[:-2].split("."))
        v = _pad(release(version), len(prefix))
        return (v[: len(prefix)] == prefix) == (op == "==")
    v, t = release(version), release(target)
    n = max(len(v), len(t))
    v, t = _pad(v, n), _pad(t, n)
    if op == "~=":
        written = target.split("+")[0].split(".")
        if len(written) < 2:
            raise ValueError(f"'~=' needs at least two release numbers, got {target!r}")
        prefix = tuple(_leading_int(p, target) for p in written[:-1])
        return v >= t and _pad(release(version), len(prefix))[: len(prefix)] == prefix
    return {
        "==": v == t,
        "!=": v != t,
        "<=": v <= t,
        ">=": v >= t,
        "<": v < t,
        ">": v > t,
    }[op]


def satisfies(version: str, specifier: str) -> bool:
    """Checks `version` against a comma-separated specifier such as ``">=0.1,<0.2"``.

    >>> satisfies("0.1.0", ">=0.1,<0.2")
    True
    >>> satisfies("0.2.0", "~=0.1.0")
    False

    Raises:
      ValueError: if the specifier or the version cannot be parsed.
    """
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        match = re.match(_CLAUSE, clause)
        if match is None:
            raise ValueError(f"cannot parse version specifier {clause!r}")
        if not _matches(version, *match.groups()):
            return False
    return True


def requirement_specifiers(requires: Iterable[str], distribution: str) -> list[str]:
    """Returns the specifiers that `requires` (Requires-Dist lines) puts on `distribution`.

    Requirements guarded by an ``extra ==`` marker are skipped (they only apply when the
    extra is requested); other markers are not evaluated. Unparseable lines are skipped.

    >>> requirement_specifiers(
    ...     ["jax>=0.4", "haiku-core (<0.2,>=0.1)", 'haiku_core>=9; extra == "x"'],
    ...     "haiku-core")
    ['<0.2,>=0.1']
    """
    wanted = canonical_name(distribution)
    found = []
    for line in requires:
        match = re.match(_REQUIREMENT, line)
        if match is None or canonical_name(match["name"]) != wanted:
            continue
        if match["marker"] and "extra" in match["marker"]:
            continue
        spec = match["spec"].strip().strip("()").replace(" ", "")
        if spec:
            found.append(spec)
    return found
