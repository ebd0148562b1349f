"""Bounded Jinja: templates and rule text may read values and nothing more, and may not run away.

Jinja's immutable sandbox already keeps templates from reaching Python internals. On top of it:

- **Size.** `*` on text or lists, and `**`, are checked before they run: `{{ 'x' * 10**8 }}` is an
  error, not 100 MB. Rendered output is capped at MAX_OUTPUT characters.
- **Iterations.** `range()` counts every number it hands out, per render, up to MAX_ITERATIONS:
  nested loops over `range` stop there.
- **Time.** A render runs under a deadline: a watchdog raises `RenderTimeout` inside the rendering
  thread when it passes, whatever the template is doing in Python (a loop over a long string).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

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


class RenderTimeout(Exception):
    """Raised inside a render that ran past its deadline."""


_state = threading.local()


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
    used = getattr(_state, "iterations", 0) + len(numbers)
    _state.iterations = used
    if used > MAX_ITERATIONS:
        raise SecurityError(f"loops over range() ran past {MAX_ITERATIONS:,} iterations")
    return numbers


class _Watchdog:
    """One thread that keeps every render's deadline (a thread per render cost more than most rule
    texts take to render). It starts on first use, and again in a forked child, which has no threads."""

    def __init__(self) -> None:
        self.wake = threading.Condition()
        self.deadlines: dict[int, tuple[float, int]] = {}
        """token -> (deadline on the monotonic clock, the rendering thread's id)"""
        self.fired: set[int] = set()
        self.next_token = 0
        self.pid = 0

    def arm(self, seconds: float) -> int:
        with self.wake:
            if self.pid != os.getpid():
                self.pid = os.getpid()
                self.deadlines.clear()
                self.fired.clear()
                threading.Thread(target=self._watch, name="travelrisk-watchdog", daemon=True).start()
            self.next_token += 1
            self.deadlines[self.next_token] = (time.monotonic() + seconds, threading.get_ident())
            self.wake.notify()
            return self.next_token

    def disarm(self, token: int) -> None:
        with self.wake:
            self.deadlines.pop(token, None)
            if token in self.fired:  # an exception not yet delivered must not surface after the render
                self.fired.discard(token)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(threading.get_ident()), None)

    def _watch(self) -> None:
        with self.wake:
            while True:
                now = time.monotonic()
                for token, (deadline, thread) in list(self.deadlines.items()):
                    if deadline <= now:
                        del self.deadlines[token]
                        self.fired.add(token)
                        timeout = ctypes.py_object(RenderTimeout)
                        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), timeout)
                soonest = min((d for d, _ in self.deadlines.values()), default=None)
                self.wake.wait(None if soonest is None else max(0.0, soonest - now))


_watchdog = _Watchdog()


@contextmanager
def bounded(seconds: float, what: str) -> Iterator[None]:
    """Run a render with a fresh iteration budget and a deadline of `seconds`."""
    _state.iterations = 0
    token = _watchdog.arm(seconds)
    try:
        yield
    except RenderTimeout:
        raise RenderTimeout(f"{what} ran for more than {seconds:g} seconds") from None
    finally:
        _watchdog.disarm(token)


def check_output(text: str, what: str) -> str:
    if len(text) > MAX_OUTPUT:
        raise SecurityError(f"{what} produced {len(text):,} characters (at most {MAX_OUTPUT:,})")
    return text
