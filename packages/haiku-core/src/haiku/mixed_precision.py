"""Mixed precision: attach ``jmp`` policies to module classes, paths or instances.

``jmp`` is imported lazily; install it with ``pip install jmp`` to use policies.
"""

from __future__ import annotations

from haiku._src.mixed_precision import clear_policy as clear_policy
from haiku._src.mixed_precision import current_policy as current_policy
from haiku._src.mixed_precision import get_policy as get_policy
from haiku._src.mixed_precision import push_policy as push_policy
from haiku._src.mixed_precision import set_policy as set_policy

__all__ = [
    "clear_policy",
    "current_policy",
    "get_policy",
    "push_policy",
    "set_policy",
]
