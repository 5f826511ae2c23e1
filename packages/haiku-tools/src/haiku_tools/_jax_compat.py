"""The one place haiku-tools touches JAX's extension API (JAX 0.4.34 to the newest).

``jax.extend.source_info_util`` is the same in every supported version (docs/index.md,
"Supported JAX versions"); a future move in JAX is a change here only.
"""

from __future__ import annotations


def current_name_stack() -> str:
    """The current ``jax.named_scope`` path, e.g. ``"outer/inner"`` (lazy ``jax.extend``).

    >>> import jax
    >>> with jax.named_scope("outer"), jax.named_scope("inner"):
    ...   current_name_stack()
    'outer/inner'
    """
    from jax.extend import source_info_util

    return str(source_info_util.current_name_stack())
