"""Compiled templates kept between runs: compiling the sixteen templates is ~0.1 s of every `render`
and `build`, for templates that rarely change.

This is the one cache entry that is code, not data (diskcache.py keeps JSON only): Jinja compiles a
template to Python bytecode, as Python keeps its own modules in __pycache__. So it is kept as
carefully as Python does, and more:
- an entry is named by the template, travelrisk's code (which sets up the sandboxed environment the
  code was compiled for) and Jinja's version; Jinja itself checks the Python version and the
  template's source hash, so an edited template is compiled again, never served stale;
- an entry begins with the hash of its bytes, so a damaged one is ignored;
- entries are read only from a folder that only this user can write, from files this user owns
  that nobody else can write; otherwise the template is compiled as if there were no cache.
`TRAVELRISK_CACHE=off` turns it off with the rest of the cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket

from . import diskcache


class TemplateCodeCache(jinja2.BytecodeCache):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.salt = f"{diskcache.code_key()}\0{jinja2.__version__}\0".encode()

    def _file(self, bucket: Bucket) -> Path:
        return self.folder / f"{hashlib.sha256(self.salt + bucket.key.encode()).hexdigest()}.code"

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self._file(bucket)
        try:
            if not (_private(self.folder) and _private(path)):
                return
            check, _, payload = path.read_bytes().partition(b"\n")
        except OSError:
            return
        if hashlib.sha256(payload).hexdigest().encode() == check:
            bucket.bytecode_from_string(payload)  # Jinja checks its magic and the source hash itself

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            payload = bucket.bytecode_to_string()
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = self._file(bucket)
            temp = path.with_name(f".{path.name}.{os.getpid()}")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)
            os.replace(temp, path)
        except (OSError, ValueError):
            pass


def _private(path: Path) -> bool:
    """Owned by this user, and nobody else may write it."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def for_templates() -> TemplateCodeCache | None:
    """The compiled-template cache, or None: the cache is off, or this system has no user ids."""
    base = diskcache.folder()
    if base is None or not hasattr(os, "getuid"):
        return None
    return TemplateCodeCache(base / "templates")


def from_string(env: jinja2.Environment, source: str) -> jinja2.Template:
    """`env.from_string(source)`, its compiled code kept as the templates' is (rule text: ~1 ms to
    compile each of the few dozen texts an advisory uses; the checked library keeps their source)."""
    cache = for_templates()
    if cache is None:
        return env.from_string(source)
    bucket = cache.get_bucket(env, "text:" + hashlib.sha256(source.encode()).hexdigest(), None, source)
    if bucket.code is None:
        bucket.code = env.compile(source)
        cache.set_bucket(bucket)
    return env.template_class.from_code(env, bucket.code, env.make_globals(None), None)
