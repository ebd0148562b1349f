"""Formats with a heavy `finish` step (PDFs): in this process for one, in worker processes for many.

Workers start with the pool and each imports WeasyPrint and makes its own FontConfiguration at
once, while the build goes on preparing the first advisories. A worker ends with
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
    """Tasks keyed by `T`; `completed(n)` yields each finished key with its bytes or its problems
    until at most `n` are left in flight, so what waits for a worker stays bounded (memory does not
    grow with the workspace) while each worker has a task queued behind the one it renders."""

    def __init__(self, expected: int, jobs: int) -> None:
        self.items: list[tuple[T, Any]] = []
        self.pool: Any = None
        self.backlog = 0
        if jobs > 1 and expected > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            workers = min(jobs, expected)
            context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
            self.pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_worker_init, initargs=(os.getpid(), True)
            )
            self.backlog = 2 * workers
            self.pool.submit(int)  # starts the workers now: they import WeasyPrint while we prepare

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

    def completed(self, drain: bool = False) -> Iterator[tuple[T, Result]]:
        """Results ready now; then, while more than the backlog (none, with `drain`) is in flight,
        waits for the next. Without workers each task runs here, in order."""
        if self.pool is None:
            while self.items:
                key, args = self.items.pop(0)
                yield key, _run(args)
            return
        from concurrent.futures import FIRST_COMPLETED, wait

        limit = 0 if drain else self.backlog
        while self.items:
            done = [item for item in self.items if item[1].done()]
            if not done:
                if len(self.items) <= limit:
                    return
                wait([f for _, f in self.items], return_when=FIRST_COMPLETED)
                continue
            for item in done:
                self.items.remove(item)
                yield item[0], item[1].result()


def _worker_init(parent: int, warm: bool = False) -> None:
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    from . import pdf

    pdf.reset()  # each worker makes its own FontConfiguration (it holds C state)
    if warm:
        pdf.warm()


def _run(args: tuple[Callable[[Any], bytes], Any]) -> Result:
    """Problems are returned, not raised: TravelriskError does not survive pickling whole."""
    finish, task = args
    try:
        return finish(task)
    except TravelriskError as exc:
        return exc.problems


class Early:
    """One forked process that imports WeasyPrint while this one loads the workspace and writes the
    HTML (`render` of one PDF): on two cores the two overlap. Without fork, or if the worker
    fails, the task runs here, so the bytes are the same either way."""

    def __init__(self) -> None:
        self.pid = 0
        if sys.platform != "linux":
            return
        to_child, self.to_worker = os.pipe()
        self.from_worker, to_parent = os.pipe()
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                os.close(self.to_worker)
                os.close(self.from_worker)
                _worker_init(parent)
                from . import pdf

                pdf.warm()
                pdf.warm_up()
                with os.fdopen(to_child, "rb") as inbox, os.fdopen(to_parent, "wb") as outbox:
                    import pickle

                    task = inbox.read()
                    if task:  # empty: the parent failed before asking, or rendered itself
                        finish, args = pickle.loads(task)
                        outbox.write(pickle.dumps(_run((finish, args))))
                code = 0
            finally:
                os._exit(code)
        os.close(to_child)
        os.close(to_parent)

    def run(self, finish: Callable[[Any], bytes], task: Any) -> bytes:
        if self.pid:
            import pickle

            fds, self.to_worker, self.from_worker = (self.to_worker, self.from_worker), -1, -1
            with os.fdopen(fds[0], "wb") as outbox:
                outbox.write(pickle.dumps((finish, task)))
            with os.fdopen(fds[1], "rb") as inbox:
                answer = inbox.read()
            self._reap()
            if answer:
                result: Result = pickle.loads(answer)
                if isinstance(result, list):
                    raise TravelriskError(result)
                return result
        return finish(task)  # no worker, or it died: render here

    def close(self) -> None:
        if self.pid:
            if self.to_worker >= 0:  # never asked (this process failed first): it need not finish importing
                os.kill(self.pid, signal.SIGTERM)
            for fd in (self.to_worker, self.from_worker):
                if fd >= 0:
                    os.close(fd)
            self._reap()

    def _reap(self) -> None:
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0


_prestarted: Early | None = None


def prestart(argv: list[str]) -> None:
    """Fork the `render` worker before the CLI's own imports (Typer, pydantic, the workspace's
    modules: ~0.3 s) when the arguments alone show a PDF is asked for, so WeasyPrint's import
    starts that much sooner. The command takes it with `early`; unused, it ends with this process."""
    global _prestarted
    if _prestarted is None and renders_pdf(argv):
        import atexit

        _prestarted = Early()
        atexit.register(_end_prestarted)


def early(pdf: bool) -> Early | None:
    """For `render`: the worker `prestart` forked, else a new one; None when no PDF is asked for."""
    global _prestarted
    started, _prestarted = _prestarted, None
    if not pdf:
        if started is not None:
            started.close()
        return None
    return started or Early()


def _end_prestarted() -> None:
    if _prestarted is not None:
        _prestarted.close()


def renders_pdf(argv: list[str]) -> bool:
    """Whether `argv` is surely a `render` to PDF: -f pdf, or no -f and -o FILE.pdf or no -o.
    Anything unusual (help, another command, an abbreviated option) says no: the command then
    starts its worker itself, as before, so a wrong guess costs time, never a wrong output."""
    rest = list(argv)
    while rest and rest[0] != "render":
        if rest[0] in ("-w", "--workspace") and len(rest) > 1:
            rest = rest[2:]
        elif rest[0].startswith("--workspace="):
            rest = rest[1:]
        else:
            return False
    values: dict[str, str] = {}
    names = {"-f": "format", "--format": "format", "-o": "output", "--output": "output"}
    for i, arg in enumerate(rest[1:], start=1):
        if arg in ("-h", "--help"):
            return False
        name, eq, value = arg.partition("=")
        if eq and name in ("--format", "--output"):
            values[names[name]] = value
        elif arg in names and i + 1 < len(rest):
            values[names[arg]] = rest[i + 1]
        elif arg.startswith(("-f", "-o", "--fo", "--ou")) and arg not in names:
            return False  # -fpdf, --form: Click's other spellings
    if not rest:
        return False
    if "format" in values:
        return values["format"] == "pdf"
    output = values.get("output")
    return output is None or output.lower().endswith(".pdf")
