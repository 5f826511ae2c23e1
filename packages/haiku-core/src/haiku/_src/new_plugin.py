"""``python -m haiku new-plugin NAME``: writes a complete, working plugin project.

The project has a hatchling ``pyproject.toml`` registering one layer in ``haiku.plugins``
and declaring its ``haiku.extend.API_VERSION`` range in ``haiku.api``, the layer (with a
runnable docstring example), tests that run the conformance check of ``hk.testing``, a
README and a CHANGELOG. ``pip install -e . && pytest`` passes as generated.
"""

from __future__ import annotations

import keyword
import pathlib
import re
import textwrap

from haiku._src import conformance, plugin_hints

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*([._-][A-Za-z0-9]+)*$")


def package_name(distribution: str) -> str:
    """The import package of a distribution: ``haiku-acme`` -> ``haiku_acme``.

    >>> package_name("Haiku-Acme.Layers")
    'haiku_acme_layers'
    """
    return re.sub(r"[-_.]+", "_", distribution).lower()


def default_layer_name(distribution: str) -> str:
    """``haiku-acme`` -> ``AcmeDense`` (the example layer's class name).

    >>> default_layer_name("haiku-acme-tools")
    'AcmeToolsDense'
    """
    words = [w for w in re.split(r"[-_.]+", distribution) if w]
    if len(words) > 1 and words[0].lower() == "haiku":
        words = words[1:]
    return "".join(w[:1].upper() + w[1:] for w in words) + "Dense"


def _validate(distribution: str, layer: str) -> None:
    import haiku as hk

    if not _NAME.match(distribution):
        raise ValueError(
            f"new-plugin: {distribution!r} is not a valid distribution name; use letters, "
            "digits and single '-', '_' or '.' separators, e.g. haiku-acme."
        )
    package = package_name(distribution)
    if package == "haiku" or package in {package_name(d) for d in plugin_hints.EXTRAS}:
        raise ValueError(
            f"new-plugin: {distribution!r} is a haiku distribution; pick "
            "another name, e.g. haiku-acme."
        )
    if not layer.isidentifier() or keyword.iskeyword(layer) or layer.startswith("_"):
        raise ValueError(
            f"new-plugin: layer name {layer!r} is not a public Python "
            "identifier; use a CamelCase class name, e.g. --layer AcmeDense."
        )
    if layer in dir(hk):
        raise ValueError(
            f"new-plugin: hk.{layer} already exists (haiku-core or an installed "
            "plugin); pick another --layer name."
        )


def render(distribution: str, layer: str | None = None) -> dict[str, str]:
    """The project's files: relative path -> text.

    >>> files = render("haiku-acme")
    >>> sorted(files)  # doctest: +NORMALIZE_WHITESPACE
    ['.gitignore', 'CHANGELOG.md', 'README.md', 'pyproject.toml',
     'src/haiku_acme/__init__.py', 'src/haiku_acme/layers.py', 'src/haiku_acme/py.typed',
     'tests/test_conformance.py', 'tests/test_layers.py']
    """
    import haiku

    layer = layer or default_layer_name(distribution)
    _validate(distribution, layer)
    pkg = package_name(distribution)
    major, minor = (haiku.__version__.split(".") + ["0"])[:2]
    values = {
        "dist": distribution,
        "pkg": pkg,
        "layer": layer,
        "snake": re.sub(r"(?<!^)(?=[A-Z])", "_", layer).lower(),
        "core_range": f">={major}.{minor}",
        "api_range": conformance.suggested_api_range(),
        "api_version": conformance.api_version(),
    }
    return {
        path.format(**values): textwrap.dedent(text).lstrip("\n").format(**values)
        for path, text in _TEMPLATES.items()
    }


def write_project(
    distribution: str, directory: str | pathlib.Path | None = None, layer: str | None = None
) -> pathlib.Path:
    """Writes the project into `directory` (default ``./<distribution>``); returns it.

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...   root = write_project("haiku-acme", pathlib.Path(tmp) / "acme")
    ...   print((root / "pyproject.toml").read_text().splitlines()[5])
    name = "haiku-acme"
    """
    files = render(distribution, layer)
    root = pathlib.Path(directory if directory is not None else distribution)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise FileExistsError(
            f"new-plugin: {root} already exists and is not an empty "
            "directory; choose another --dir."
        )
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


_TEMPLATES: dict[str, str] = {}

_TEMPLATES["pyproject.toml"] = """
    [build-system]
    requires = ["hatchling>=1.27"]
    build-backend = "hatchling.build"

    [project]
    name = "{dist}"
    version = "0.1.0"
    description = "A haiku plugin adding hk.{layer}."
    readme = "README.md"
    requires-python = ">=3.11"
    dependencies = ["haiku-core{core_range}", "jax>=0.4.34"]

    [project.optional-dependencies]
    test = ["pytest>=8"]

    # One entry point per attribute added to `haiku`: hk.{layer}.
    [project.entry-points."haiku.plugins"]
    {layer} = "{pkg}.layers:{layer}"

    # The haiku.extend.API_VERSION range this plugin is written against (generated with
    # API {api_version}). Outside it haiku reports the plugin "incompatible".
    [project.entry-points."haiku.api"]
    requires = "{api_range}"

    [tool.hatch.build.targets.wheel]
    packages = ["src/{pkg}"]

    [tool.pytest.ini_options]
    testpaths = ["tests", "src"]
    addopts = "--doctest-modules --import-mode=importlib"
"""

_TEMPLATES["README.md"] = """
    # {dist}

    A [haiku](https://github.com/) plugin: installing it adds `hk.{layer}`.

    ```python
    import haiku as hk

    f = hk.transform(lambda x: hk.{layer}(16)(x))
    ```

    ## Develop

    ```
    pip install -e ".[test]"
    pytest                         # unit tests, doctests and the haiku conformance check
    python -m haiku plugins        # {dist}  0.1.0  ok  {layer}
    ```

    * Add a layer: write it in `src/{pkg}/`, add one line per name under
      `[project.entry-points."haiku.plugins"]` in `pyproject.toml`, add a `Case` for it in
      `tests/test_conformance.py`, and reinstall (`pip install -e .`: entry points are
      recorded at install time). The conformance check fails for a registered Module
      without a case.
    * `[project.entry-points."haiku.api"] requires` is the `haiku.extend.API_VERSION` range
      the plugin supports; widen it once the tests pass against a newer haiku.
    * Use only `import haiku as hk` and `haiku.extend`; never `haiku._src`.

    ## Publish

    ```
    pip install build twine && python -m build && twine upload dist/*
    ```
"""

_TEMPLATES["CHANGELOG.md"] = """
    # Changelog

    ## 0.1.0

    - First release: `hk.{layer}`.
"""

_TEMPLATES[".gitignore"] = """
    __pycache__/
    *.egg-info/
    build/
    dist/
"""

_TEMPLATES["src/{pkg}/py.typed"] = ""

_TEMPLATES["src/{pkg}/__init__.py"] = '''
    """{dist}: a haiku plugin adding ``hk.{layer}``.

    Import from here for type-checked code, or use ``hk.{layer}`` once installed.

    >>> import haiku as hk
    >>> from {pkg} import {layer}
    >>> hk.{layer} is {layer}
    True
    """

    from {pkg}.layers import {layer} as {layer}

    __version__ = "0.1.0"
    __all__ = ["{layer}"]
'''

_TEMPLATES["src/{pkg}/layers.py"] = '''
    """The layers of {dist}."""

    from __future__ import annotations

    import jax
    import jax.numpy as jnp

    import haiku as hk


    class {layer}(hk.Module):
        """A fully connected layer: ``x @ w + b`` over the last axis of ``x``.

        Parameters: ``w`` ``[input_size, output_size]`` (truncated normal, stddev
        ``1 / sqrt(input_size)``) and ``b`` ``[output_size]`` (zeros).

        >>> import jax, jax.numpy as jnp
        >>> import haiku as hk
        >>> f = hk.transform(lambda x: hk.{layer}(3)(x))
        >>> params = f.init(jax.random.PRNGKey(0), jnp.ones([2, 4]))
        >>> {{name: p.shape for name, p in params["{snake}"].items()}}
        {{'w': (4, 3), 'b': (3,)}}
        >>> f.apply(params, None, jnp.ones([2, 4])).shape
        (2, 3)
        """

        def __init__(self, output_size: int, name: str | None = None):
            """Configures the layer.

            Args:
              output_size: size of the output's last axis (positive).
              name: module name (default ``{snake}``).
            """
            super().__init__(name=name)
            if not isinstance(output_size, int) or output_size < 1:
                raise ValueError(
                    f"{layer}: output_size must be a positive int, got {{output_size!r}}.")
            self.output_size = output_size

        def __call__(self, x: jax.Array) -> jax.Array:
            """Maps ``x`` of shape ``[..., input_size]`` to ``[..., output_size]``."""
            if x.ndim < 1:
                raise ValueError(f"{layer}: input must have a feature axis, got shape "
                                 f"{{x.shape}}.")
            input_size = x.shape[-1]
            stddev = 1.0 / input_size**0.5
            w = hk.get_parameter("w", [input_size, self.output_size], x.dtype,
                                 init=hk.initializers.TruncatedNormal(stddev))
            b = hk.get_parameter("b", [self.output_size], x.dtype, init=jnp.zeros)
            return x @ w + b
'''

_TEMPLATES["tests/test_conformance.py"] = '''
    """The haiku plugin conformance check over every name {dist} registers.

    One test per name: it loads, does not clash with other installed names, and each
    layer inits and applies inside hk.transform, under jax.jit and jax.vmap, with
    deterministic names, no tracer leaks and no global state left behind. Add a Case
    for every new layer (or hk.testing.Skip("reason") for a non-layer name).
    """

    import jax

    import haiku as hk

    X = jax.random.normal(jax.random.PRNGKey(0), [2, 4])

    CASES = {{
        "{layer}": hk.testing.Case(lambda x: hk.{layer}(3)(x), X),
    }}

    test_conformance = hk.testing.conformance_test("{dist}", CASES)
'''

_TEMPLATES["tests/test_layers.py"] = '''
    """Behaviour of {layer}."""

    import jax
    import jax.numpy as jnp
    import numpy as np
    import pytest

    import haiku as hk
    from {pkg} import {layer}


    def test_registered_on_haiku():
        assert hk.{layer} is {layer}


    def test_output_is_affine():
        f = hk.without_apply_rng(hk.transform(lambda x: {layer}(3)(x)))
        x = jnp.arange(8.0).reshape(2, 4)
        params = f.init(jax.random.PRNGKey(0), x)
        w, b = params["{snake}"]["w"], params["{snake}"]["b"]
        np.testing.assert_allclose(f.apply(params, x), x @ w + b, rtol=1e-6)


    def test_bad_output_size_is_named():
        with pytest.raises(ValueError, match="output_size must be a positive int"):
            hk.transform(lambda x: {layer}(0)(x)).init(None, jnp.ones([1, 2]))
'''
