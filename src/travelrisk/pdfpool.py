"""Formats with a heavy `finish` step (PDFs): in this process for one, in worker processes for many.

Workers start with the pool and each imports WeasyPrint and makes its own FontConfiguration at
once, while the build goes on preparing the first advisories. A worker ends with
its parent: on Linux the kernel sends it SIGTERM when the build dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from .errors import Problem, TravelriskError

T = TypeVar("T")
Result = bytes | list[Problem]


def default_jobs() -> int:
    """PDF workers when `--jobs` is not given: one per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


class Pool(Generic[T]):
    """Tasks keyed by `T`; `completed(n)` yields each finished key with its bytes or its problems
    until at most `n` are left in flight, so what waits for a worker stays bounded (memory does not
    grow with the workspace) while each worker has a task queued behind the one it renders."""

    def __init__(self, expected: int, jobs: int) -> None:
        self.items: list[tuple[T, Any]] = []
        self.pool: Any = None
        self.backlog = 0
        started = _take_prestarted_pool(jobs if expected else 0)
        if started is not None:  # forked at start (prestart_build): warm by now, or nearly
            self.pool, self.backlog = started, 2 * started.size
        elif jobs > 1 and expected > 1 and sys.platform == "linux":
            try:
                self.pool = Seeded(min(jobs, expected))
                self.backlog = 2 * self.pool.size
            except OSError:  # no process or pipe to be had: the PDFs render here, as with one job
                self.pool = None
        elif jobs > 1 and expected > 1:  # pragma: no cover - no fork (macOS, Windows)
            from concurrent.futures import ProcessPoolExecutor

            workers = min(jobs, expected)
            self.pool = ProcessPoolExecutor(workers, initializer=_worker_init, initargs=(os.getpid(), True))
            self.backlog = 2 * workers
            self.pool.submit(int)  # starts the workers now: they import WeasyPrint while we prepare

    def __enter__(self) -> Pool[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if isinstance(self.pool, Seeded):
            self.pool.close()
        elif self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, key: T, finish: Callable[[Any], bytes], task: Any) -> None:
        args = (finish, task)
        if isinstance(self.pool, Seeded):
            self.pool.submit(key, args)
            return
        self.items.append((key, self.pool.submit(_run, args) if self.pool else args))

    def cancel(self, key: T) -> None:
        if isinstance(self.pool, Seeded):
            self.pool.cancel(key)
            return
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
        limit = 0 if drain else self.backlog
        if isinstance(self.pool, Seeded):
            yield from self.pool.completed(limit)
            return
        from concurrent.futures import FIRST_COMPLETED, wait  # pragma: no cover - no fork

        while self.items:  # pragma: no cover - no fork
            done = [item for item in self.items if item[1].done()]
            if not done:
                if len(self.items) <= limit:
                    return
                wait([f for _, f in self.items], return_when=FIRST_COMPLETED)
                continue
            for item in done:
                self.items.remove(item)
                yield item[0], item[1].result()


class Seeded:
    """`size` warm PDF workers for a build, on Linux. One process (the seed) is forked, imports
    WeasyPrint and lays out a warm-up page, then forks the others from itself: WeasyPrint is
    imported and warmed once, not once per worker, and the workers are ready as soon as the seed
    is. Tasks and results go through pipes the parent never blocks on (it writes and reads only
    what the kernel takes at once), so neither side can wait on the other. A worker that dies
    leaves its tasks to be rendered in this process: the bytes are the same either way."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.parent = os.getpid()
        pipes = [(os.pipe(), os.pipe()) for _ in range(size)]  # (task read, write), (result read, write)
        self.seed = os.fork()
        if self.seed == 0:  # pragma: no cover - runs in the child
            _seed(
                self.parent,
                [(tasks[0], results[1]) for tasks, results in pipes],
                [fd for tasks, results in pipes for fd in (tasks[1], results[0])],
            )
        self.workers = [_Worker(tasks[1], results[0]) for tasks, results in pipes]
        for tasks, results in pipes:
            os.close(tasks[0])
            os.close(results[1])
        self.pending: dict[Any, tuple[Callable[[Any], bytes], Any]] = {}
        """Tasks submitted and not yet answered (nor cancelled), by key."""
        self.waiting: list[Any] = []
        """Keys of pending tasks no worker holds."""
        self.ready: list[tuple[Any, Result]] = []
        self.used = False

    def submit(self, key: Any, args: tuple[Callable[[Any], bytes], Any]) -> None:
        self.used = True
        self.pending[key] = args
        self.waiting.append(key)
        self._pump(0)

    def cancel(self, key: Any) -> None:
        """Its result, should a worker still send one, is dropped."""
        self.pending.pop(key, None)
        self.waiting = [k for k in self.waiting if k != key]

    def in_flight(self) -> int:
        return len(self.pending)

    def completed(self, limit: int) -> Iterator[tuple[Any, Result]]:
        self._pump(0, last=not limit)
        while True:
            while self.ready:
                yield self.ready.pop(0)
            if self.in_flight() <= limit:
                return
            self._pump(None, last=not limit)

    def _pump(self, timeout: float | None, last: bool = False) -> None:
        """Hand waiting tasks to workers (two each at most: one rendering, one queued behind it),
        write what the pipes take, read what they hold; with `timeout` None, wait for a result.
        `last`: no task will be added, so a worker left idle also takes a task queued behind
        another's current one; whichever answers first is used (the bytes are the same)."""
        import selectors

        for worker in self.workers:
            while self.waiting and worker.alive and len(worker.sent) < 2:
                key = self.waiting.pop(0)
                worker.send(key, self.pending[key])
            if last and not self.waiting and worker.alive and not worker.sent:
                held = [key for w in self.workers for key, _ in w.sent]
                queued = [w.sent[1][0] for w in self.workers if len(w.sent) > 1]
                spare = [key for key in queued if key in self.pending and held.count(key) == 1]
                if spare:
                    worker.send(spare[0], self.pending[spare[0]])
        with selectors.DefaultSelector() as selector:
            for worker in self.workers:
                if worker.alive:
                    selector.register(worker.results, selectors.EVENT_READ, worker)
                    if worker.out:
                        selector.register(worker.tasks, selectors.EVENT_WRITE, worker)
            if not selector.get_map():
                self._orphans()
                return
            for selected, events in selector.select(timeout):
                worker = selected.data
                if events & selectors.EVENT_WRITE:
                    worker.flush()
                elif events & selectors.EVENT_READ:
                    for key, result in worker.receive():
                        if self.pending.pop(key, None) is not None:  # not cancelled, not answered
                            self.ready.append((key, result))
        self._orphans()

    def _orphans(self) -> None:
        """Tasks of workers that died go back to waiting; with no worker left, they render here."""
        held = {key for w in self.workers if w.alive for key, _ in w.sent}
        for worker in self.workers:
            if not worker.alive and worker.sent:
                lost = [key for key, _ in worker.sent if key in self.pending and key not in held]
                self.waiting[:0] = [key for key in lost if key not in self.waiting]
                worker.sent = []
        if self.waiting and not any(w.alive for w in self.workers):
            for key in self.waiting:
                if key in self.pending:
                    self.ready.append((key, _run(self.pending.pop(key))))
            self.waiting = []

    def close(self) -> None:
        unfinished = any(w.sent for w in self.workers)  # the build failed, or a duplicate lost its race
        for worker in self.workers:
            worker.close()
        if self.seed:
            if not self.used or unfinished:  # no need to wait for them to finish
                os.kill(self.seed, signal.SIGTERM)  # its workers follow it (parent-death signal)
            os.waitpid(self.seed, 0)
            self.seed = 0


class _Worker:
    """The parent's side of one worker: its two pipes, the bytes not yet written, the tasks sent."""

    def __init__(self, tasks: int, results: int) -> None:
        import fcntl

        self.tasks, self.results = tasks, results
        for fd in (tasks, results):
            os.set_blocking(fd, False)
            with contextlib.suppress(OSError):  # room for a task or a PDF: neither side waits on the other
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
        self.out = bytearray()
        self.inbox = bytearray()
        self.sent: list[tuple[Any, tuple[Callable[[Any], bytes], Any]]] = []
        self.alive = True

    def send(self, key: Any, args: tuple[Callable[[Any], bytes], Any]) -> None:
        self.out += _frame(args)
        self.sent.append((key, args))
        self.flush()

    def flush(self) -> None:
        try:
            while self.out:
                del self.out[: os.write(self.tasks, self.out)]
        except BlockingIOError:
            pass
        except OSError:  # the worker is gone: its tasks render here
            self.alive = False

    def receive(self) -> Iterator[tuple[Any, Result]]:
        import pickle

        try:
            while chunk := os.read(self.results, 1 << 20):
                self.inbox += chunk
            self.alive = False  # end of file: the worker ended
        except BlockingIOError:
            pass
        except OSError:
            self.alive = False
        while len(self.inbox) >= 8:
            size = int.from_bytes(self.inbox[:8], "big")
            if len(self.inbox) < 8 + size:
                break
            result: Result = pickle.loads(self.inbox[8 : 8 + size])
            del self.inbox[: 8 + size]
            yield self.sent.pop(0)[0], result

    def close(self) -> None:
        for fd in (self.tasks, self.results):
            if fd >= 0:
                os.close(fd)
        self.tasks = self.results = -1
        self.alive = False


def _seed(parent: int, ends: list[tuple[int, int]], others: list[int]) -> None:  # pragma: no cover - child
    """The seed: warm up, fork the other workers from itself, then serve as the first."""
    code = 1
    try:
        for fd in others:
            os.close(fd)
        _start_warm(parent)
        seed = os.getpid()
        children = []
        for number, (tasks, results) in enumerate(ends[1:], start=1):
            child = os.fork()
            if child == 0:
                for other, fds in enumerate(ends):
                    if other != number:
                        for fd in fds:
                            _close_quietly(fd)
                _worker_init(seed, fresh=False)
                _serve(tasks, results)
                os._exit(0)
            children.append(child)
            os.close(tasks)
            os.close(results)
        _serve(*ends[0])
        for child in children:
            os.waitpid(child, 0)
        code = 0
    finally:
        os._exit(code)


def _start_warm(parent: int) -> None:  # pragma: no cover - child
    """A forked worker's start: die with `parent`, import WeasyPrint, lay out the warm-up page."""
    _worker_init(parent)
    from . import pdf

    pdf.warm()
    pdf.warm_up()


def _frame(value: Any) -> bytes:
    """`value` pickled, after its length: how tasks and results cross a pipe."""
    import pickle

    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(8, "big") + data


def _close_quietly(fd: int) -> None:  # pragma: no cover - child
    with contextlib.suppress(OSError):
        os.close(fd)


def _serve(tasks: int, results: int) -> None:  # pragma: no cover - child
    """Render each task the parent sends until it closes the pipe; a parent gone ends the worker."""
    import pickle

    try:
        with os.fdopen(tasks, "rb") as inbox, os.fdopen(results, "wb") as outbox:
            while len(head := inbox.read(8)) == 8:
                outbox.write(_frame(_run(pickle.loads(inbox.read(int.from_bytes(head, "big"))))))
                outbox.flush()
    except (BrokenPipeError, EOFError):
        pass


def _worker_init(parent: int, warm: bool = False, fresh: bool = True) -> None:
    """Die with `parent`; `fresh`: make this process's own WeasyPrint state (a worker forked from a
    warm seed keeps the seed's)."""
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    if not fresh:
        return
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
                _start_warm(parent)
                _serve(to_child, to_parent)  # one task, or none: the parent failed first, or rendered itself
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
                outbox.write(_frame((finish, task)))
            with os.fdopen(fds[1], "rb") as inbox:
                answer = inbox.read()
            self._reap()
            if len(answer) > 8 and len(answer) == 8 + int.from_bytes(answer[:8], "big"):
                result: Result = pickle.loads(answer[8:])
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
    if _prestarted_pool is not None:
        _prestarted_pool.close()


_prestarted_pool: Seeded | None = None


def prestart_build(argv: list[str]) -> None:
    """Fork a `build`'s PDF workers before the CLI's imports when the arguments surely ask for
    PDFs from more than one worker: the seed imports WeasyPrint while this process imports the
    CLI, loads the workspace and plans. `Pool` takes them; unused, they end with this process."""
    global _prestarted_pool
    jobs = build_workers(argv)
    if _prestarted_pool is None and sys.platform == "linux" and jobs > 1:
        import atexit

        with contextlib.suppress(OSError):  # the build then starts its workers itself
            _prestarted_pool = Seeded(jobs)
            atexit.register(_end_prestarted)


def _take_prestarted_pool(jobs: int) -> Seeded | None:
    """The prestarted workers if there are `jobs` of them (the build's own count); else they go."""
    global _prestarted_pool
    started, _prestarted_pool = _prestarted_pool, None
    if started is not None and started.size != jobs:
        started.close()
        return None
    return started


def build_workers(argv: list[str]) -> int:
    """How many PDF workers `argv` surely asks of `build` (`-j N`, else one per core), or 0: not a
    build, no PDF among its formats, or anything unusual (help, an abbreviated or unknown option,
    a bad number). A wrong 0 costs time only; the build then starts its workers itself."""
    rest = _after_command(argv, "build")
    if rest is None:
        return 0
    formats: list[str] = []
    jobs = ""
    takes_value = {"-o": None, "--output": None, "-f": formats, "--format": formats, "-j": None, "--jobs": None}
    i = 0
    while i < len(rest):
        name, eq, value = rest[i].partition("=")
        if name in ("--force", "--include-drafts", "--strict") and not eq:
            i += 1
            continue
        if name not in takes_value or (eq and not name.startswith("--")) or (not eq and i + 1 >= len(rest)):
            return 0
        if not eq:
            value, i = rest[i + 1], i + 1
        if name in ("-f", "--format"):
            formats.append(value)
        elif name in ("-j", "--jobs"):
            jobs = value
        i += 1
    if formats and "pdf" not in formats:
        return 0
    if not jobs:
        return default_jobs()
    return int(jobs) if jobs.isdigit() else 0


def _after_command(argv: list[str], command: str) -> list[str] | None:
    """The arguments after `command`, past the global `-w DIR`; None when argv does not run it."""
    rest = list(argv)
    while rest and rest[0] != command:
        if rest[0] in ("-w", "--workspace") and len(rest) > 1:
            rest = rest[2:]
        elif rest[0].startswith("--workspace="):
            rest = rest[1:]
        else:
            return None
    return rest[1:] if rest else None


def renders_pdf(argv: list[str]) -> bool:
    """Whether `argv` is surely a `render` to PDF: -f pdf, or no -f and -o FILE.pdf or no -o.
    Anything unusual (help, another command, an abbreviated option) says no: the command then
    starts its worker itself, as before, so a wrong guess costs time, never a wrong output."""
    after = _after_command(argv, "render")
    if after is None:
        return False
    rest = ["render", *after]
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
    if "format" in values:
        return values["format"] == "pdf"
    output = values.get("output")
    return output is None or output.lower().endswith(".pdf")
