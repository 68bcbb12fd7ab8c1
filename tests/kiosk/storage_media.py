"""Real storage faults for tests: a small tmpfs that fills, an ext4 medium that turns
read-only, a tmpfs remounted read-only, pages of a ledger overwritten.

Mounting needs root and a kernel that lets us mount (CI runs as root: .ci/run). Where
that is missing (a developer laptop) the test is skipped with the reason, except when
the environment variable CI is set: there a missing capability fails the test, so the
faults are never silently left untested in CI.

Why ext4 for "read-only mid-run": a tmpfs (or any file system) cannot be remounted
read-only while a process holds a file open for writing (`mount -o remount,ro` says
"mount point is busy"), and SQLite keeps its files open. What does turn a medium
read-only under a running kiosk in the field is the kernel after an I/O error
(ext4's `errors=remount-ro`, Debian's default for the root file system); ext4's
`trigger_fs_error` in sysfs raises exactly that error on demand. Clearing it is what
a technician does: unmount, `e2fsck`, mount again.
"""

from __future__ import annotations

import contextlib
import errno
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = [
    "Ext4Medium",
    "damage_pages",
    "ext4_medium",
    "fill",
    "filling",
    "mounted_tmpfs",
    "need",
    "remount",
    "session_count",
]

ROOT = Path(__file__).resolve().parents[2]
PAGE = 4096


def need(reason: str) -> None:
    """Skip for `reason`, or fail when CI is set (there every fault must be tested)."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run this test as root with mount permitted: {reason}")
    pytest.skip(reason)


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=60)


def _can_mount() -> None:
    if sys.platform != "linux":
        need("needs Linux mounts")
    if os.geteuid() != 0:
        need("needs root to mount a small file system for the fault")
    if shutil.which("mount") is None or shutil.which("umount") is None:
        need("needs mount and umount")


def _umount(folder: Path) -> None:
    done = _run("umount", str(folder))
    if done.returncode != 0 and "not mounted" not in done.stderr:
        _run("umount", "-l", str(folder))  # a process of the test still has it open


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "2m") at `folder`, unmounted afterwards whatever happens."""
    _can_mount()
    folder.mkdir(parents=True, exist_ok=True)
    done = _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder))
    if done.returncode != 0:
        need(f"mount -t tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield folder
    finally:
        _umount(folder)


def remount(folder: Path, options: str) -> None:
    """`mount -o remount,OPTIONS folder` (ro, rw, size=64m); fails the test if refused."""
    done = _run("mount", "-o", f"remount,{options}", str(folder))
    assert done.returncode == 0, f"mount -o remount,{options}: {done.stderr}"


@dataclass
class Ext4Medium:
    image: Path
    folder: Path
    device: str  # loopN, as under /sys/fs/ext4/

    def turn_read_only(self) -> None:
        """The kernel's answer to an I/O error on an errors=remount-ro file system."""
        (Path("/sys/fs/ext4") / self.device / "trigger_fs_error").write_text(
            "kiosk test: an I/O error turns the medium read-only\n"
        )

    def repair(self) -> None:
        """What a technician does: unmount, e2fsck, mount read-write again."""
        _umount(self.folder)
        fsck = _run("e2fsck", "-fy", str(self.image))
        assert fsck.returncode in (0, 1), f"e2fsck: {fsck.returncode} {fsck.stdout[-500:]}"
        self._mount()

    def _mount(self) -> None:
        done = _run("mount", "-o", "loop,errors=remount-ro", str(self.image), str(self.folder))
        if done.returncode != 0:
            need(f"mount -o loop is not permitted here: {done.stderr.strip()}")
        source = _run("findmnt", "-n", "-o", "SOURCE", str(self.folder)).stdout.strip()
        self.device = Path(source).name


@contextlib.contextmanager
def ext4_medium(folder: Path, image: Path, size_mb: int = 64) -> Iterator[Ext4Medium]:
    """An ext4 file system in a file, loop-mounted with errors=remount-ro at `folder`."""
    _can_mount()
    for tool in ("mkfs.ext4", "e2fsck", "losetup", "findmnt"):
        if shutil.which(tool) is None:
            need(f"needs {tool} (e2fsprogs, util-linux)")
    if not Path("/dev/loop-control").exists():
        need("needs loop devices (/dev/loop-control)")
    with image.open("wb") as f:
        f.truncate(size_mb * 1024 * 1024)
    made = _run("mkfs.ext4", "-q", "-F", str(image))
    assert made.returncode == 0, made.stderr
    folder.mkdir(parents=True, exist_ok=True)
    medium = Ext4Medium(image, folder, "")
    medium._mount()
    if not (Path("/sys/fs/ext4") / medium.device / "trigger_fs_error").exists():
        _umount(folder)
        need("this kernel's ext4 has no trigger_fs_error")
    try:
        yield medium
    finally:
        _umount(folder)


def fill(folder: Path) -> Path:
    """Write a file into `folder` until the disk is full (ENOSPC); returns the file."""
    filler = folder / "filler"
    chunk = bytes(256 * 1024)
    with filler.open("wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                break
    while True:  # and the last few free bytes, as a disk that filled up really is
        try:
            with filler.open("ab", buffering=0) as f:
                f.write(bytes(512))
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            return filler


@contextlib.contextmanager
def filling(folder: Path) -> Iterator[Path]:
    """A disk that stays full: another writer takes every byte that comes free (a log
    growing beside the ledger), until the block ends and its file is removed."""
    stop = threading.Event()
    full = threading.Event()
    filler = folder / "filler"

    def grow() -> None:
        with filler.open("ab", buffering=0) as f:
            while not stop.is_set():
                try:
                    f.write(bytes(4096))
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    full.set()
                    stop.wait(0.005)

    thread = threading.Thread(target=grow, name="disk-filler", daemon=True)
    thread.start()
    try:
        assert full.wait(60), "the disk never filled up"
        yield filler
    finally:
        stop.set()
        thread.join(10)
        filler.unlink(missing_ok=True)


def session_count(db: Path) -> int:
    """Sessions in a ledger that a kiosk may be writing (a read-only connection)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute("SELECT count(*) FROM sessions").fetchone()[0])
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def damage_pages(db: Path, *, seed: int = 7) -> int:
    """Overwrite every page of the database file but the first with random bytes.

    Page 1 (the header and the schema's root) is left, so the file is still an SQLite
    file whose tables are damaged. Returns the number of pages overwritten.
    """
    rng = random.Random(seed)
    pages = db.stat().st_size // PAGE
    fd = os.open(db, os.O_WRONLY)
    try:
        for n in range(1, pages):
            os.pwrite(fd, rng.randbytes(PAGE), n * PAGE)
        os.fsync(fd)
    finally:
        os.close(fd)
    return pages - 1
