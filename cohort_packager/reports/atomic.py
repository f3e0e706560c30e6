"""Replace a folder of files so that readers see the old set or the new set, never a mix."""

import ctypes
import ctypes.util
import errno
import functools
import os
import re
import shutil
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

# Hidden siblings of the target: ".<name>.new-<hex>" being built, ".<name>.old-<hex>" retired.
_BUILDING = ".new-"
_RETIRED = ".old-"

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def write_folder_atomically(
    folder: Path, files: Mapping[str, Callable[[BinaryIO], int]], keep_existing: bool
) -> dict[str, int]:
    """Write `files` (name -> writer returning its row count) as the new content of `folder`.

    The new set is built and fsynced in a hidden sibling, then swapped in by rename. With
    keep_existing, files of the current folder that are not rewritten are carried over.
    Leftovers of an interrupted earlier run are cleared first. Returns rows per file name.
    If a writer raises, the current folder is left as it was. Not safe for two concurrent
    writers of the same folder.
    """
    for name in files:
        if not name or name in (".", "..") or "/" in name or os.sep in name:
            raise ValueError(f"report file name must be a plain file name, got {name!r}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    _recover_leftovers(folder)

    building = _sibling(folder, _BUILDING)
    building.mkdir()
    try:
        rows = {name: _write_file(building / name, writer) for name, writer in files.items()}
        if keep_existing and folder.is_dir():
            _carry_over(folder, building, skip=set(files))
        _fsync_path(building)
        _swap_in(building, folder)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return rows


def _sibling(folder: Path, kind: str) -> Path:
    return folder.parent / f".{folder.name}{kind}{uuid.uuid4().hex}"


def _leftovers(folder: Path, kind: str) -> list[Path]:
    pattern = re.compile(re.escape(f".{folder.name}{kind}") + "[0-9a-f]{32}")
    return [path for path in folder.parent.iterdir() if pattern.fullmatch(path.name)]


def _recover_leftovers(folder: Path) -> None:
    """Drop half-built folders; restore a retired folder if a crash lost the current one.
    Only real folders count: a link or file under a leftover's name is removed, unfollowed."""
    for building in _leftovers(folder, _BUILDING):
        remove_leftover(building)
    retired = _leftovers(folder, _RETIRED)
    restorable = [path for path in retired if _is_real_folder(path)]
    if restorable and not folder.exists() and not folder.is_symlink():
        newest = max(restorable, key=lambda path: path.stat().st_mtime)
        os.rename(newest, folder)
        retired.remove(newest)
    for old in retired:
        remove_leftover(old)


def remove_leftover(path: Path) -> None:
    """Delete a folder left by an interrupted run; a link is removed, never followed."""
    if _is_real_folder(path):
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def _is_real_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _write_file(path: Path, writer: Callable[[BinaryIO], int]) -> int:
    with open(path, "xb") as out:
        rows = writer(out)
        out.flush()
        os.fsync(out.fileno())
    return rows


def _carry_over(current: Path, building: Path, skip: set[str]) -> None:
    for entry in current.iterdir():
        if entry.name in skip:
            continue
        target = building / entry.name
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True)
        else:
            shutil.copy2(entry, target, follow_symlinks=False)
        if target.is_file() and not target.is_symlink():
            _fsync_path(target)


def _swap_in(building: Path, folder: Path) -> None:
    if not folder.exists():
        os.rename(building, folder)
    elif _exchange(building, folder):
        shutil.rmtree(building)
    else:
        # Without an atomic exchange, the old folder is moved aside first; a crash between
        # the two renames is repaired by _recover_leftovers on the next run.
        retired = _sibling(folder, _RETIRED)
        os.rename(folder, retired)
        try:
            os.rename(building, folder)
        except OSError:
            os.rename(retired, folder)
            raise
        shutil.rmtree(retired)
    _fsync_path(folder.parent)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name, use_errno=True) if name else None


def _fsync_path(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
