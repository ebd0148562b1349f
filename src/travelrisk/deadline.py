"""Deadlines for work that must not run away: a template, a rule text, a PDF's layout. Apart from
sandbox.py so that a PDF worker keeps its deadlines without importing Jinja."""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class RenderTimeout(Exception):
    """Raised inside a render that ran past its deadline."""


budget = threading.local()
"""Per render, in each thread: the `range()` iterations sandbox.py counts; `bounded` resets it."""


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
    budget.iterations = 0
    token = _watchdog.arm(seconds)
    try:
        yield
    except RenderTimeout:
        raise RenderTimeout(f"{what} ran for more than {seconds:g} seconds") from None
    finally:
        _watchdog.disarm(token)
