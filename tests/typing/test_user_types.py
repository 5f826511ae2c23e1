"""A type checker sees haiku as its users do: typed transforms, plugin names, the stub.

mypy (the version `hatch run lint:all` pins) checks the small user files next to this one;
their ``# revealed:`` / ``# error:`` comments state what it must report on each line.
core_code.py uses haiku-core alone; user_code.py needs haiku-layers and haiku-nets.
"""

from __future__ import annotations

import hashlib
import importlib.util
import pathlib
import re
import sys
import tempfile

import pytest

HERE = pathlib.Path(__file__).parent
# mypy prints JAX's array class by its defining module.
_ALIASES = {"jax._src.basearray.Array": "jax.Array"}
_MARK = re.compile(r"\S\s+#\s*(revealed|error):\s*(.+)$")  # a comment after code
_REPORT = re.compile(r"^[^:]+:(\d+): (note|error): (.*)$")
# mypy shows a named tuple's instance as `tuple[<fields>, fallback=<its class>]`.
_NAMED_TUPLE = re.compile(r"^tuple\[.*, fallback=(.+)\]$")


def _expected(path: pathlib.Path) -> dict[int, tuple[str, str]]:
    """Line -> ("revealed", type) or ("error", "code, code") from the file's comments."""
    out = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = _MARK.search(line)
        if match:
            kind, text = match[1], match[2].strip()
            if kind == "error":
                text = ", ".join(sorted({c.strip() for c in text.split(",")}))
            out[number] = (kind, text)
    return out


def _mypy(path: pathlib.Path) -> dict[int, tuple[str, str]]:
    """Runs mypy on ``path`` (default options) and groups its report by line."""
    api = pytest.importorskip("mypy.api", reason="mypy is not installed")
    # The cache lives in the system tmp (one per environment): reruns take ~2 s.
    env = hashlib.sha1(sys.prefix.encode()).hexdigest()[:10]
    cache = pathlib.Path(tempfile.gettempdir()) / f"haiku-typing-mypy-{env}"
    cache.mkdir(exist_ok=True)
    config = cache / "mypy.ini"
    config.write_text("[mypy]\n")  # the user's defaults, not the repository's mypy.ini
    stdout, stderr, _ = api.run(
        ["--config-file", str(config), "--cache-dir", str(cache), "--no-error-summary", str(path)]
    )
    assert not stderr, stderr
    for long, short in _ALIASES.items():
        stdout = stdout.replace(long, short)
    revealed: dict[int, str] = {}
    errors: dict[int, list[str]] = {}
    for line in stdout.splitlines():
        match = _REPORT.match(line)
        assert match, f"unexpected mypy output: {line}"
        number, kind, text = int(match[1]), match[2], match[3]
        if kind == "note" and text.startswith("Revealed type is "):
            shown = text.removeprefix("Revealed type is ").strip('"')
            named_tuple = _NAMED_TUPLE.match(shown)
            revealed[number] = named_tuple[1] if named_tuple else shown
        elif kind == "error":
            code = re.search(r"\[([a-z-]+)\]$", text)
            errors.setdefault(number, []).append(code[1] if code else text)
    report = {n: ("revealed", t) for n, t in revealed.items()}
    for number, codes in errors.items():
        assert number not in report, f"line {number}: both a revealed type and {codes}"
        report[number] = ("error", ", ".join(sorted(set(codes))))
    return report


def _check(name: str) -> None:
    path = HERE / name
    expected, got = _expected(path), _mypy(path)
    lines = path.read_text().splitlines()
    mismatches = [
        f"line {n}: expected {expected.get(n)}, mypy reported {got.get(n)}\n  {lines[n - 1]}"
        for n in sorted(set(expected) | set(got))
        if expected.get(n) != got.get(n)
    ]
    assert not mismatches, "\n".join(mismatches)


def test_typed_transforms():
    """init/apply of every transform take the user function's arguments and return its
    result type; a wrong argument is an error."""
    _check("core_code.py")


_PLUGINS = [m for m in ("haiku_layers", "haiku_nets") if importlib.util.find_spec(m) is None]


@pytest.mark.skipif(
    bool(_PLUGINS), reason=f"needs the plugins {_PLUGINS} (this env has haiku-core alone)"
)
def test_plugin_names_through_the_stub():
    """hk.Linear and hk.nets.MLP have their classes' types, a third-party name is Any."""
    _check("user_code.py")
