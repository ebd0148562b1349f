"""Formats with a heavy `finish` step (PDFs): in this process for one, in worker processes for many.

Workers start on the first task submitted and each imports WeasyPrint and makes its own
FontConfiguration, while the build goes on preparing the next advisories. A worker ends with
its parent: on Linux the kernel sends it SIGTERM when the build dies, even by SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .errors import Problem, TravelriskError

T = TypeVar("T")
Result = bytes | list[Problem]


class Pool(Generic[T]):
    """Tasks keyed by `T`; `results()` yields each key with its bytes or its problems."""

    def __init__(self, expected: int, jobs: int) -> None:
        self.items: list[tuple[T, Any]] = []
        self.pool: Any = None
        if jobs > 1 and expected > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
            self.pool = ProcessPoolExecutor(
                min(jobs, expected), mp_context=context, initializer=_worker_init, initargs=(os.getpid(),)
            )

    def __enter__(self) -> Pool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, key: T, finish: Callable[[Any], bytes], task: Any) -> None:
        args = (finish, task)
        self.items.append((key, self.pool.submit(_run, args) if self.pool else args))

    def cancel(self, key: T) -> None:
        for item in [i for i in self.items if i[0] == key]:
            self.items.remove(item)
            if self.pool is not None:
                item[1].cancel()

    def results(self) -> Iterator[tuple[T, Result]]:
        if self.pool is None:
            for key, args in self.items:
                yield key, _run(args)
            return
        from concurrent.futures import as_completed

        futures = {future: key for key, future in self.items}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _worker_init(parent: int) -> None:
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    from . import pdf

    pdf.reset()  # each worker makes its own FontConfiguration (it holds C state)


def _run(args: tuple[Callable[[Any], bytes], Any]) -> Result:
    """Problems are returned, not raised: TravelriskError does not survive pickling whole."""
    finish, task = args
    try:
        return finish(task)
    except TravelriskError as exc:
        return exc.problems
