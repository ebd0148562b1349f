"""Writing output files so that a failed or killed run never leaves a half-written file."""

from __future__ import annotations

import fcntl
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, TravelriskError

_UMASK = os.umask(0)
os.umask(_UMASK)
_TEMP_NAME = re.compile(r"^\..+\.pid(\d+)\.[^.]+\.tmp$")
"""`.index.html.pid123.k2j4.tmp`: the writer's pid lets a later build remove what a killed one left."""


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it into place.

    A reader (or a build killed at any moment) sees the old file or the new one, never a part.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _is_special(path):  # `-o /dev/null`, `-o /dev/stdout`, a pipe: write into it, never replace it
        with path.open("wb") as handle:
            handle.write(payload)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)  # mkstemp makes 0600 files; outputs are meant to be served
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # replaces a symlink at `path` itself, never the file it points to
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_new(path: Path, data: bytes | str) -> None:
    """Write a new file atomically, and only if no file is there (even one made meanwhile)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.pid{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_UMASK)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)  # unlike rename, a hard link fails if the name exists
        except FileExistsError:
            raise TravelriskError(
                Problem(
                    str(path),
                    message="already exists; travelrisk never overwrites it",
                    hint="choose another file with -o, or move the old one",
                )
            ) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    _fsync_dir(path.parent)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write `data` atomically unless the file already holds it; whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def _is_special(path: Path) -> bool:
    """An existing device, pipe or socket: renaming over it would destroy it (as root, /dev/null)."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (a power cut after it keeps the new file)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:  # pragma: no cover - a platform without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def sweep_temp_files(out_dir: Path) -> list[Path]:
    """Remove temporary files left by writers that died (SIGKILL, power cut) before renaming.

    Only files named by `write_atomic` whose process is gone are removed, so a `render` running
    at the same time (it takes no lock) keeps its own.
    """
    removed = []
    for path in out_dir.rglob(".*.tmp"):
        found = _TEMP_NAME.match(path.name)
        if found and path.is_file() and not path.is_symlink() and not _alive(int(found[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold `out_dir/.travelrisk.lock` while writing, so two builds never interleave their files.

    An flock is released by the kernel when its holder dies, so a killed build leaves no stale lock.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock_path = out_dir / ".travelrisk.lock"
    try:
        # O_NOFOLLOW: a symlink planted at the lock's name must not make us truncate its target
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666 & ~_UMASK)
    except OSError as exc:
        raise TravelriskError(
            Problem(
                str(lock_path),
                message=f"cannot open the lock file ({exc.strerror})",
                hint="remove it if it is a link or a folder, then run again",
            )
        ) from None
    with os.fdopen(fd, "r+", encoding="utf-8", errors="replace") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(100).strip() or "another process"
            raise TravelriskError(
                Problem(
                    str(out_dir),
                    message=f"another travelrisk run ({holder}) is writing to this folder",
                    hint="wait for it to finish, then run again",
                )
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            sweep_temp_files(out_dir)
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
