"""``hk.experimental.jaxpr_info``: inspect a model's jaxpr module by module.

>>> import jax.numpy as jnp
>>> from haiku.experimental import jaxpr_info
>>> info = jaxpr_info.make_model_info(jnp.sin)(jnp.ones([2]))
>>> print(jaxpr_info.format_module(info), end="")
sin
  sin in f32[2], out f32[2]
"""

from __future__ import annotations

from haiku._src.jaxpr_info import Expression as Expression
from haiku._src.jaxpr_info import Module as Module
from haiku._src.jaxpr_info import as_html as as_html
from haiku._src.jaxpr_info import as_html_page as as_html_page
from haiku._src.jaxpr_info import css as css
from haiku._src.jaxpr_info import format_module as format_module
from haiku._src.jaxpr_info import js as js
from haiku._src.jaxpr_info import make_model_info as make_model_info

__all__ = [
    "Expression",
    "Module",
    "as_html",
    "as_html_page",
    "css",
    "format_module",
    "js",
    "make_model_info",
]
