"""Griffe extension for the docs build: render docstring ``>>>`` examples as code.

Our docstrings put runnable ``>>>`` examples in their text (pytest runs them as doctests).
Markdown would read their brackets as links; this wraps each example (from a ``>>>`` line
to the next blank line) in a ```` ```pycon ```` fence before the docstring is rendered.
"""

from __future__ import annotations

from typing import Any

import griffe


def fence_doctests(text: str) -> str:
    """Wraps every doctest example of `text` in a pycon code fence.

    >>> print(fence_doctests("Example:\\n\\n>>> x = [1]\\n>>> x\\n[1]\\n\\nEnd."))
    Example:
    <BLANKLINE>
    ```pycon
    >>> x = [1]
    >>> x
    [1]
    ```
    <BLANKLINE>
    End.
    """
    out: list[str] = []
    indent: str | None = None
    in_fence = False
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            in_fence = not in_fence
        if indent is None and not in_fence and stripped.startswith(">>>"):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}```pycon")
        elif indent is not None and not stripped:
            out.append(f"{indent}```")
            indent = None
        out.append(line)
    if indent is not None:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fences the doctest examples of every docstring griffe loads."""

    def on_instance(self, *, obj: Any, **kwargs: Any) -> None:
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_doctests(obj.docstring.value)
