"""Documentation checks: every public name is documented, and the docs' code runs.

1. Every public name (``haiku.__all__``, ``haiku.extend.__all__``, the ``__all__`` of the
   public submodules, every ``haiku.plugins`` entry-point name of our distributions and
   ``hk.nets.__all__``) has a non-empty docstring, and every function or class has at
   least one ``>>>`` example in its docstring (or, for a class, in ``__init__``'s).
   Type aliases and constants cannot carry docstrings and are exempt.
2. Every ```` ```python ```` block of ``docs/*.md`` runs (the blocks of one page share a
   namespace, in order). A block marked ```` ```python title="..." ```` or preceded by
   ``<!-- skip -->`` is shown, not run.
3. ``mkdocs build --strict`` succeeds (when mkdocs is installed and every plugin is).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import inspect
import os
import pathlib
import re
import shutil
import subprocess
import sys
import types
import typing
import warnings

import pytest

import haiku as hk

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIRST_PARTY = {
    "haiku-layers": "haiku_layers",
    "haiku-nets": "haiku_nets",
    "haiku-jaxwrap": "haiku_jaxwrap",
    "haiku-contrib-example": "haiku_contrib_example",
}
ALL_PLUGINS = all(
    importlib.util.find_spec(p) for p in ("haiku_layers", "haiku_nets", "haiku_jaxwrap")
)
SUBMODULES = [
    "config",
    "data_structures",
    "initializers",
    "mixed_precision",
    "testing",
    "typing",
    "plugins",
]

# Public names that lack a docstring or a `>>>` example today (reported to the lead).
# Each is xfail(strict=True): documenting it makes the test XPASS, then remove it here.
UNDOCUMENTED: dict[str, str] = {}

# Pages other helpers own whose samples do not run as written (reported to the lead).
BROKEN_PAGES: dict[str, str] = {}


def _public_names() -> list[tuple[str, str]]:
    """(qualified name, how to import it) for every public name."""
    names = [(f"haiku.{n}", f"haiku:{n}") for n in hk.__all__]
    extend = importlib.import_module("haiku.extend")
    names += [(f"haiku.extend.{n}", f"haiku.extend:{n}") for n in extend.__all__]
    for sub in SUBMODULES:
        module = importlib.import_module(f"haiku.{sub}")
        names += [(f"haiku.{sub}.{n}", f"haiku.{sub}:{n}") for n in module.__all__]
    for dist, package in FIRST_PARTY.items():
        if importlib.util.find_spec(package) is None:
            continue
        for ep in importlib.metadata.distribution(dist).entry_points:
            if ep.group == "haiku.plugins":
                names.append((f"haiku.{ep.name}", ep.value))
    if importlib.util.find_spec("haiku_nets"):
        import haiku_nets

        names += [(f"haiku.nets.{n}", f"haiku_nets:{n}") for n in haiku_nets.__all__]
    return sorted(set(names))


def _load(target: str) -> object:
    module, _, attr = target.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


def _is_alias_or_constant(obj: object) -> bool:
    if isinstance(obj, (types.ModuleType, type)) or inspect.isroutine(obj):
        return False
    if typing.get_origin(obj) is not None or isinstance(
        obj, (typing.TypeVar, getattr(typing, "TypeAliasType", ()))
    ):
        return True
    return not callable(obj)  # a constant (str, tuple, dict, sentinel, ...)


def _doc_problems(obj: object) -> list[str]:
    # A class's own docstring only (inspect.getdoc would inherit the base class's).
    doc = obj.__dict__.get("__doc__") if isinstance(obj, type) else inspect.getdoc(obj)
    if not doc or not doc.strip():
        return ["no docstring"]
    if isinstance(obj, types.ModuleType):
        return []
    docs = [doc]
    if isinstance(obj, type) and "__init__" in vars(obj):
        docs.append(inspect.getdoc(vars(obj)["__init__"]) or "")
    if not any(">>>" in d for d in docs):
        return ["no >>> example"]
    return []


PUBLIC = _public_names()


def _name_param(name: str, target: str):
    marks = []
    if name in UNDOCUMENTED:
        marks.append(pytest.mark.xfail(strict=True, reason=UNDOCUMENTED[name]))
    return pytest.param(name, target, id=name, marks=marks)


def test_public_name_list_is_complete():
    qualnames = [n for n, _ in PUBLIC]
    assert "haiku.transform" in qualnames and "haiku.extend.inside_transform" in qualnames
    if ALL_PLUGINS:
        assert {"haiku.Linear", "haiku.vmap", "haiku.nets.MLP", "haiku.pad"} <= set(qualnames)
    assert set(UNDOCUMENTED) <= set(qualnames), set(UNDOCUMENTED) - set(qualnames)


@pytest.mark.parametrize("name,target", [_name_param(n, t) for n, t in PUBLIC])
def test_public_name_has_docstring_and_example(name, target):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        obj = _load(target)
    if _is_alias_or_constant(obj):
        pytest.skip("type alias or constant: cannot carry a docstring")
    assert not _doc_problems(obj), f"{name}: {_doc_problems(obj)}"


# --- code samples in docs/*.md --------------------------------------------------------

FENCE = re.compile(
    r"(?P<skip><!--\s*skip\s*-->\s*\n)?^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```", re.M | re.S
)
PLUGIN_USE = re.compile(
    r"hk\.(nets|Linear|Conv|vmap|scan|layer_stack|lift|MultiHead|LSTM|"
    r"BatchNorm|LayerNorm|Embed|dropout|remat|cond|dynamic_unroll)"
)


# System programs some samples call (not Python packages). When one is not on PATH, the
# block that calls it may fail at that call only; the page's other blocks still run and
# the test is then reported as skipped with the reason.
PROGRAMS = {"dot": re.compile(r"graphviz\.Source\(.*\)\.(render|pipe|view)\(")}


def missing_programs(block: str, which=shutil.which) -> list[str]:
    """The programs a code block runs that are not installed."""
    return [prog for prog, use in PROGRAMS.items() if use.search(block) and which(prog) is None]


def _is_missing_program_error(error: BaseException) -> bool:
    # graphviz raises ExecutableNotFound (a RuntimeError); subprocess, FileNotFoundError.
    return type(error).__name__ == "ExecutableNotFound" or isinstance(error, FileNotFoundError)


def test_blocks_needing_a_missing_program_are_detected():
    block = 'graphviz.Source(dot).render("mlp", format="png")\n'
    assert missing_programs(block, which=lambda prog: None) == ["dot"]
    assert missing_programs(block, which=lambda prog: f"/usr/bin/{prog}") == []
    assert missing_programs("print(hk.to_dot(f)(x))\n", which=lambda prog: None) == []


def code_blocks(text: str) -> list[str]:
    """The runnable ```python blocks of a Markdown page (see the module docstring)."""
    return [m["code"] for m in FENCE.finditer(text) if not m["skip"] and "title=" not in m["info"]]


def test_code_block_extraction_rules():
    page = (
        "```python\na = 1\n```\n<!-- skip -->\n```python\nboom()\n```\n"
        '```python title="x.py"\nboom()\n```\n```\nshell\n```\n```python\nb = a\n```\n'
    )
    assert code_blocks(page) == ["a = 1\n", "b = a\n"]


PAGES = sorted(DOCS.glob("*.md")) if DOCS.is_dir() else []


def _page_param(page: pathlib.Path):
    marks = []
    if page.name in BROKEN_PAGES:
        marks.append(pytest.mark.xfail(strict=True, reason=BROKEN_PAGES[page.name]))
    return pytest.param(page, id=page.name, marks=marks)


@pytest.mark.parametrize("page", [_page_param(p) for p in PAGES])
def test_docs_code_samples_run(page, tmp_path, monkeypatch):
    blocks = code_blocks(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip("no runnable code")
    if not ALL_PLUGINS and any(PLUGIN_USE.search(b) for b in blocks):
        pytest.skip("the page uses plugins, which are not installed")
    monkeypatch.chdir(tmp_path)  # samples that write files write them here
    namespace: dict[str, object] = {"__name__": f"docs_{page.stem}"}
    skipped = []
    for i, block in enumerate(blocks):
        missing = missing_programs(block)
        try:
            exec(compile(block, f"{page.name}[block {i}]", "exec"), namespace)
        except Exception as e:  # pragma: no cover - the message is the point
            if missing and _is_missing_program_error(e):
                # The statements before the failing call ran, so later blocks still can.
                skipped.append(f"block {i} needs {', '.join(f'`{p}`' for p in missing)}")
                continue
            raise AssertionError(f"{page.name}, code block {i} failed:\n{block}") from e
    if skipped:  # every other block ran and passed
        pytest.skip(f"{page.name}: {'; '.join(skipped)}, not installed (graphviz)")


# --- the site builds ------------------------------------------------------------------


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    if not ALL_PLUGINS:
        pytest.skip("the API reference documents the plugins: needs every plugin installed")
    mkdocs = shutil.which("mkdocs", path=os.path.dirname(sys.executable)) or "mkdocs"
    proc = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    # The API reference shows constructor arguments: signature and the Args of __init__.
    layers = (tmp_path / "site" / "api" / "layers" / "index.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", layers)
    assert "Linear(output_size, with_bias=True, w_init=None, b_init=None, name=None)" in text
    assert re.search(r"output_size\s+int\s+number of output features", text)
