"""Write-once files for the local adapters (payout files, declaration records, exports)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_once(path: Path, data: bytes) -> bool:
    """Publish ``data`` at ``path`` unless a file is already there; True if this call wrote it.

    The data goes to a temporary file in the same directory first, then is hard-linked into
    place: a reader sees no file or the whole file, and of two concurrent writers exactly one
    wins (``os.replace`` would let the second silently overwrite the first).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            os.link(tmp_name, path)
        except FileExistsError:
            return False
        _fsync_dir(path.parent)
        return True
    finally:
        os.unlink(tmp_name)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
