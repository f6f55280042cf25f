"""A FUSE filesystem that mirrors a folder and turns read-only while a flag file exists.

The kernel cannot make a filesystem read-only under a process that holds files open for
writing (``mount -o remount,ro`` answers "busy", a bind mount too), and an ext4 error
(``errors=remount-ro``) cannot be undone without unmounting. Through this mirror every write,
create, rename, truncate or open-for-writing fails with EROFS while ``FLAG`` exists, on files
already open as on new ones, and works again once it is gone: what a process sees of a disk
that goes read-only and comes back.

Run as ``python -m tests.integration.readonly_fs BACKING MOUNTPOINT FLAG`` (needs root or
/dev/fuse access); it stays in the foreground until unmounted (``fusermount3 -u``).
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import mfusepy  # type: ignore[import-untyped]

_WRITING = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
_STAT_KEYS = ("st_atime", "st_ctime", "st_gid", "st_mode", "st_mtime", "st_nlink", "st_size",
              "st_uid", "st_blocks", "st_blksize")


class ReadOnlyWhenFlagged(mfusepy.Operations):  # type: ignore[misc]
    """Pass-through to ``root``; mutating calls raise EROFS while ``flag`` exists."""

    use_ns = True

    def __init__(self, root: str, flag: str) -> None:
        self.root = root
        self.flag = flag

    def _path(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    def _writable(self) -> None:
        if os.path.exists(self.flag):
            raise mfusepy.FuseOSError(errno.EROFS)

    def getattr(self, path: str, fh: int | None = None) -> dict[str, Any]:
        st = os.lstat(self._path(path))
        return {key: getattr(st, key) for key in _STAT_KEYS}

    def readdir(self, path: str, fh: int) -> list[str]:
        return [".", "..", *os.listdir(self._path(path))]

    def statfs(self, path: str) -> dict[str, int]:
        st = os.statvfs(self._path(path))
        return {key: getattr(st, key) for key in (
            "f_bavail", "f_bfree", "f_blocks", "f_bsize", "f_favail", "f_ffree", "f_files",
            "f_flag", "f_frsize", "f_namemax")}

    def access(self, path: str, amode: int) -> int:
        if amode & os.W_OK:
            self._writable()
        if not os.access(self._path(path), amode):
            raise mfusepy.FuseOSError(errno.EACCES)
        return 0

    def open(self, path: str, flags: int) -> int:
        if flags & _WRITING:
            self._writable()
        return os.open(self._path(path), flags)

    def create(self, path: str, mode: int, fi: object = None) -> int:
        self._writable()
        return os.open(self._path(path), os.O_RDWR | os.O_CREAT, mode)  # mmap reads through it

    def read(self, path: str, size: int, offset: int, fh: int) -> bytes:
        return os.pread(fh, size, offset)

    def write(self, path: str, data: bytes, offset: int, fh: int) -> int:
        self._writable()
        return os.pwrite(fh, data, offset)

    def truncate(self, path: str, length: int, fh: int | None = None) -> int:
        self._writable()
        os.truncate(self._path(path) if fh is None else fh, length)
        return 0

    def unlink(self, path: str) -> int:
        self._writable()
        os.unlink(self._path(path))
        return 0

    def mkdir(self, path: str, mode: int) -> int:
        self._writable()
        os.mkdir(self._path(path), mode)
        return 0

    def rmdir(self, path: str) -> int:
        self._writable()
        os.rmdir(self._path(path))
        return 0

    def rename(self, old: str, new: str) -> int:
        self._writable()
        os.rename(self._path(old), self._path(new))
        return 0

    def chmod(self, path: str, mode: int) -> int:
        self._writable()
        os.chmod(self._path(path), mode)
        return 0

    def utimens(self, path: str, times: tuple[int, int] | None = None) -> int:
        self._writable()
        if times is None:
            os.utime(self._path(path))
        else:
            os.utime(self._path(path), ns=times)
        return 0

    def fsync(self, path: str, datasync: int, fh: int) -> int:
        (os.fdatasync if datasync else os.fsync)(fh)
        return 0

    def release(self, path: str, fh: int) -> int:
        os.close(fh)
        return 0


def main(argv: list[str]) -> None:
    backing, mountpoint, flag = argv
    mfusepy.FUSE(ReadOnlyWhenFlagged(backing, flag), mountpoint, foreground=True,
                 attr_timeout=0, entry_timeout=0)


if __name__ == "__main__":
    main(sys.argv[1:])
