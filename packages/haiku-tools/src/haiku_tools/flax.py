"""``hk.experimental.flax``: haiku inside Flax and Flax inside haiku (needs ``pip install flax``).

``Module`` and ``lift`` import ``flax.linen`` on first use; without Flax they raise an
``ImportError`` saying how to install it. ``flatten_flax_to_haiku`` needs no Flax.

>>> from haiku.experimental import flax as hk_flax
>>> hk_flax.flatten_flax_to_haiku({"Dense_0": {"bias": 0}})
{'Dense_0': {'bias': 0}}
"""

from __future__ import annotations

from typing import Any

from haiku_tools.flax_params import flatten_flax_to_haiku as flatten_flax_to_haiku

_NEEDS_FLAX = ("Module", "lift")

__all__ = ["Module", "flatten_flax_to_haiku", "lift"]  # noqa: F822 - Module, lift: __getattr__


def __getattr__(name: str) -> Any:  # PEP 562 hook
    if name in _NEEDS_FLAX:
        from haiku_tools import flax_interop

        if not flax_interop.FLAX_AVAILABLE:
            raise ImportError(
                f"hk.experimental.flax.{name} needs Flax, which is not installed: pip install flax"
            )
        value = getattr(flax_interop, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'haiku.experimental.flax' has no attribute {name!r}")


def __dir__() -> list[str]:  # PEP 562 hook
    return sorted(set(globals()) | set(__all__))
