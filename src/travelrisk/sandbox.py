"""Bounded Jinja: templates and rule text may read values and nothing more, and may not run away.

Jinja's immutable sandbox already keeps templates from reaching Python internals. On top of it:

- **Size.** `*` on text or lists, and `**`, are checked before they run: `{{ 'x' * 10**8 }}` is an
  error, not 100 MB. Rendered output is capped at MAX_OUTPUT characters.
- **Iterations.** `range()` counts every number it hands out, per render, up to MAX_ITERATIONS:
  nested loops over `range` stop there.
- **Time.** A render runs under a deadline (`deadline.bounded`): a watchdog raises `RenderTimeout`
  inside the rendering thread when it passes, whatever the template is doing in Python.
"""

from __future__ import annotations

from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from .deadline import budget

MAX_OUTPUT = 2_000_000
"""Characters one render may produce (a long advisory page is about 60,000)."""
MAX_SEQUENCE = 1_000_000
"""Items or characters one `*` may make."""
MAX_ITERATIONS = 200_000
"""Numbers `range()` may hand out in one render."""
TEMPLATE_SECONDS = 10.0
"""Wall-clock time for one template render (a real one takes milliseconds)."""
RULE_SECONDS = 2.0
"""Wall-clock time for one rule text."""


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _counted_range

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        numbers = isinstance(left, int | float) and isinstance(right, int | float)
        if operator == "**" and numbers and abs(right) > 64 and abs(left) > 1:
            raise SecurityError(f"{left} ** {right} is too large a number")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_SEQUENCE:
                    raise SecurityError(f"'*' would make {len(seq) * times:,} items (at most {MAX_SEQUENCE:,})")
        return super().call_binop(context, operator, left, right)


def _counted_range(*args: int) -> range:
    numbers = range(*args)
    used = getattr(budget, "iterations", 0) + len(numbers)
    budget.iterations = used
    if used > MAX_ITERATIONS:
        raise SecurityError(f"loops over range() ran past {MAX_ITERATIONS:,} iterations")
    return numbers


def check_output(text: str, what: str) -> str:
    if len(text) > MAX_OUTPUT:
        raise SecurityError(f"{what} produced {len(text):,} characters (at most {MAX_OUTPUT:,})")
    return text
