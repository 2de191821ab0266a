"""numpy arrays over shmarray segments, the Java library's named shared memory in /dev/shm.

Attach an array Java created, by name, and read or write it in place::

    a = shmarray_numpy.attach("shmarray-abc")        # numpy.ndarray; dtype, shape from the header
    a *= 10                                           # Java sees it at once

Create one that Java attaches with its normal ``SharedArray.attach(name)``::

    with shmarray_numpy.create((2, 3), "float64", name="results") as seg:
        seg.array[:] = 1.5                            # Java: SharedDoubleArray.attach("results")
    # leaving the block removes the name (owner-scoped); the mapping goes with the last array

The segment header is the one ``native/include/shmarray.h`` and ``SegmentHeaderDescriptor.java``
describe: 512 bytes, native byte order, then row-major data at a page-aligned ``data_offset``.
Attaching checks the file as ``shmarray_attach`` does (a regular file of this user, mode 0600, no
symlink, at least a header long) and validates every header field in the order
``shmarray_header_validate`` does, so a bad segment fails with the same field name Java reports,
as a typed :class:`ShmarrayError`, before anything is mapped. Creating writes the data, then every
header field with ``state = INITIALISING``, then the magic, then ``state = READY`` last, as
``shmarray_create`` does.

Linux only (``/dev/shm``, ``/proc``); standard library and numpy (``ctypes`` initialises the
header's process-shared mutex with the C library's own ``pthread`` calls).

NOTE: a mapping cannot protect itself against another process shrinking the file later: touching
the lost pages raises SIGBUS, which Python cannot catch. shmarray never shrinks a segment.
"""

import ctypes
import errno
import mmap
import operator
import os
import secrets
import stat
import struct
import time
import weakref
from dataclasses import dataclass

import numpy as np

__all__ = [
    "attach", "create", "read_header", "unlink", "Segment", "Header",
    "ShmarrayError", "SegmentNotFoundError", "SegmentExistsError", "SegmentAccessError",
    "CorruptSegmentError", "SegmentTruncatedError", "SegmentNotReadyError", "PoisonedArrayError",
    "InsufficientSharedMemoryError",
]

SHM_DIR = "/dev/shm"
NAME_PREFIX = "shmarray-"
NAME_MAX = 255

# ---------------------------------------------------------------- the header (shmarray.h)

HEADER_SIZE = 512
MAGIC = 0x59415252414D4853  # "SHMARRAY" read as a little-endian u64
FORMAT_VERSION = 1
MAX_RANK = 8
LOCK_SIZE = 128
STATE_INITIALISING, STATE_READY = 0, 1
BYTE_ORDER_LITTLE, BYTE_ORDER_BIG = 1, 2
FLAG_PERSISTENT, FLAG_POISONED = 0x1, 0x2
FLAGS_KNOWN = FLAG_PERSISTENT | FLAG_POISONED
CREATION_MODE = 0o600
INT32_MAX, INT64_MAX = 2**31 - 1, 2**63 - 1

# name: (byte offset, struct code); the SHMARRAY_OFF_* / *_OFFSET constants. Native byte order.
FIELDS = {
    "magic": (0, "Q"),
    "format_version": (8, "I"),
    "state": (12, "I"),
    "header_size": (16, "I"),
    "dtype": (20, "I"),
    "rank": (24, "I"),
    "byte_order": (28, "B"),
    "reserved0": (29, "3s"),
    "creation_mode": (32, "I"),
    "flags": (36, "I"),
    "generation": (40, "Q"),
    "data_offset": (48, "Q"),
    "data_length": (56, "Q"),
    "creator_pid": (64, "q"),
    "creator_start_time": (72, "Q"),
    "shape": (80, "8q"),
    "segment_id": (144, "Q"),
    "creator_pidns": (152, "Q"),
    "creator_boot": (160, "Q"),
    "reserved1": (168, "88s"),
    "lock": (256, "128s"),
    "reserved2": (384, "128s"),
}

# header dtype code -> numpy dtype (DType.java, SHMARRAY_DTYPE_*)
DTYPES = {1: np.dtype(np.int8), 2: np.dtype(np.int16), 3: np.dtype(np.int32),
          4: np.dtype(np.int64), 5: np.dtype(np.float32), 6: np.dtype(np.float64)}
_CODES = {dt: code for code, dt in DTYPES.items()}

_NATIVE_ORDER = BYTE_ORDER_LITTLE if np.little_endian else BYTE_ORDER_BIG


def _unpack(raw):
    out = {}
    for field, (off, code) in FIELDS.items():
        v = struct.unpack_from("=" + code, raw, off)
        out[field] = v if field == "shape" else v[0]
    return out


def _pack(fields):
    raw = bytearray(HEADER_SIZE)
    for field, value in fields.items():
        off, code = FIELDS[field]
        struct.pack_into("=" + code, raw, off, *(value if field == "shape" else (value,)))
    return raw


# ---------------------------------------------------------------- errors (io.shmarray.ShmException)

class ShmarrayError(Exception):
    """A shmarray operation failed. ``name`` is the segment, ``errno`` the OS error (or None)."""

    def __init__(self, message, name=None, errno=None):
        super().__init__(message)
        self.name = name
        self.errno = errno


class SegmentNotFoundError(ShmarrayError):
    """No segment has this name (never created, or already unlinked)."""


class SegmentExistsError(ShmarrayError):
    """create() with a name that is taken; nothing was touched."""


class SegmentAccessError(ShmarrayError):
    """A symlink, not a regular file, another user's file, or one open to group/other: never adopted."""


class CorruptSegmentError(ShmarrayError):
    """The header is damaged or foreign; ``field`` names the first bad field, as Java does."""

    def __init__(self, message, name=None, field=None, errno=None):
        super().__init__(message, name, errno)
        self.field = field


class SegmentTruncatedError(CorruptSegmentError):
    """The file is shorter than its header, or than the data its header describes."""


class SegmentNotReadyError(ShmarrayError):
    """The creator has not published the header (still creating, or it died doing so)."""


class PoisonedArrayError(ShmarrayError):
    """A holder of the segment's lock died: its data must not be trusted until Java's recover()."""


class InsufficientSharedMemoryError(ShmarrayError):
    """/dev/shm cannot hold the new segment (``requested_bytes``, ``free_bytes``)."""

    def __init__(self, message, name, errno, requested_bytes, free_bytes):
        super().__init__(message, name, errno)
        self.requested_bytes = requested_bytes
        self.free_bytes = free_bytes


# ---------------------------------------------------------------- the decoded header

@dataclass(frozen=True)
class Header:
    """A validated segment header (``SegmentHeader`` in Java)."""
    dtype: np.dtype
    shape: tuple
    flags: int
    generation: int
    data_offset: int
    data_length: int
    creator_pid: int
    creator_start_time: int
    creator_pidns: int
    creator_boot: int
    segment_id: int
    creation_mode: int
    format_version: int

    @property
    def persistent(self):
        return bool(self.flags & FLAG_PERSISTENT)

    @property
    def poisoned(self):
        return bool(self.flags & FLAG_POISONED)


def _validate(raw, state, size, name):
    """The checks of shmarray_header_validate, in its order; returns a Header or raises."""
    def corrupt(field, why, cls=CorruptSegmentError):
        return cls(f"segment '{name}': bad header field {field}: {why}", name, field)

    if size < HEADER_SIZE:
        raise corrupt("header_size", f"the segment is {size} bytes, shorter than a {HEADER_SIZE}-byte header",
                      SegmentTruncatedError)
    h = _unpack(raw)
    if h["magic"] != MAGIC:
        if state == STATE_INITIALISING and not any(raw):
            raise SegmentNotReadyError(f"segment '{name}' is sized but its creator has not written the header"
                                       " yet (still creating, or it died)", name)
        raise corrupt("magic", f"{h['magic']:#x}, not a shmarray segment")
    if state == STATE_INITIALISING:
        raise SegmentNotReadyError(f"segment '{name}': its creator has not published the header (state"
                                   " INITIALISING); retry shortly, or remove it if its creator died", name)
    if state != STATE_READY:
        raise corrupt("state", f"unknown state {state}")
    if h["format_version"] != FORMAT_VERSION:
        raise corrupt("format_version", f"{h['format_version']}, this module reads {FORMAT_VERSION}")
    if h["header_size"] != HEADER_SIZE:
        raise corrupt("header_size", f"{h['header_size']}, must be {HEADER_SIZE}")
    if h["dtype"] not in DTYPES:
        raise corrupt("dtype", f"unknown code {h['dtype']}; known: 1..6")
    rank = h["rank"]
    if rank > MAX_RANK:
        raise corrupt("rank", f"{rank}, must be 0..{MAX_RANK}")
    if h["byte_order"] != _NATIVE_ORDER:
        raise corrupt("byte_order", f"{h['byte_order']}, this machine's is {_NATIVE_ORDER}")
    if any(h["reserved0"]):
        raise corrupt("reserved", "reserved0 bytes are not zero")
    if h["flags"] & ~FLAGS_KNOWN:
        raise corrupt("flags", f"{h['flags']:#x} holds unknown bits")
    off = h["data_offset"]
    if off < HEADER_SIZE or off % mmap.PAGESIZE or off > INT64_MAX:
        raise corrupt("data_offset", f"{off}, must be page-aligned ({mmap.PAGESIZE}) and past the header")
    if not 0 < h["creator_pid"] <= INT32_MAX:
        raise corrupt("creator_pid", f"{h['creator_pid']}, must be a pid > 0")
    shape = h["shape"]
    if any(shape[rank:]):
        raise corrupt("shape", f"extents past rank {rank} are not zero: {shape}")
    count = 1
    for e in shape[:rank]:
        if e < 0:
            raise corrupt("shape", f"negative extent in {shape[:rank]}")
        count *= e
    dtype = DTYPES[h["dtype"]]
    if count * dtype.itemsize > INT64_MAX:
        raise corrupt("shape", f"{shape[:rank]} of {dtype} overflows 2^63 bytes")
    length = h["data_length"]
    if length != count * dtype.itemsize:
        raise corrupt("data_length", f"{length}, the shape {shape[:rank]} of {dtype} needs {count * dtype.itemsize}")
    if off + length > size:
        raise corrupt("data_length", f"the data ends at byte {off + length} but the segment is {size} bytes",
                      SegmentTruncatedError)
    if h["segment_id"] == 0:
        raise corrupt("segment_id", "0")
    if any(h["reserved1"]) or any(h["reserved2"]):
        raise corrupt("reserved", "reserved1/reserved2 bytes are not zero")
    return Header(dtype=dtype, shape=tuple(shape[:rank]), flags=h["flags"], generation=h["generation"],
                  data_offset=off, data_length=length, creator_pid=h["creator_pid"],
                  creator_start_time=h["creator_start_time"], creator_pidns=h["creator_pidns"],
                  creator_boot=h["creator_boot"], segment_id=h["segment_id"],
                  creation_mode=h["creation_mode"], format_version=h["format_version"])


# ---------------------------------------------------------------- names and files

def _check_name(name):
    """Names.check: an optional leading '/', then 1..255 UTF-8 bytes, no '/' or NUL, not . or .."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    n = name[1:] if name.startswith("/") else name
    if not n:
        raise ValueError(f"name={name!r} is empty")
    if "/" in n:
        raise ValueError(f"name={name!r} holds a '/' after its start")
    if "\0" in n:
        raise ValueError("name holds a NUL character")
    if n in (".", ".."):
        raise ValueError(f"name={name!r} is reserved")
    if len(n.encode()) > NAME_MAX:
        raise ValueError(f"name is {len(n.encode())} bytes long, must be <= {NAME_MAX}")
    return n


def generate_name():
    """A fresh unpredictable name as Java makes them: ``shmarray-`` and 16 base-32 characters."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return NAME_PREFIX + "".join(secrets.choice(alphabet) for _ in range(16))


def _open_checked(name, writable):
    """shm_open's open plus shmarray_attach's checks; returns (fd, stat)."""
    flags = (os.O_RDWR if writable else os.O_RDONLY) | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(os.path.join(SHM_DIR, name), flags)
    except FileNotFoundError as e:
        raise SegmentNotFoundError(f"no segment named '{name}' in {SHM_DIR} (never created, or already"
                                   " unlinked)", name, e.errno) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SegmentAccessError(f"'{name}' is a symbolic link, which shmarray never follows",
                                     name, e.errno) from None
        if e.errno in (errno.EACCES, errno.EPERM):
            raise SegmentAccessError(f"'{name}': {e.strerror}", name, e.errno) from None
        raise ShmarrayError(f"opening '{name}' failed: {e.strerror}", name, e.errno) from None
    try:
        st = os.fstat(fd)
        why = ("is not a regular file" if not stat.S_ISREG(st.st_mode)
               else f"is owned by uid {st.st_uid}, not {os.geteuid()}" if st.st_uid != os.geteuid()
               else f"has mode {stat.S_IMODE(st.st_mode):04o}, open to group/others (not 0600)"
               if st.st_mode & 0o077 else None)
        if why:
            raise SegmentAccessError(f"'{name}' {why}: shmarray only adopts regular files of this user"
                                     " with mode 0600", name)
        return fd, st
    except BaseException:
        os.close(fd)
        raise


def _read_header(fd, size, name):
    """Reads and validates the header through the file (nothing mapped, so no SIGBUS)."""
    raw = b""
    state = STATE_INITIALISING
    if size >= HEADER_SIZE:
        # state first: it is stored last by the creator, so once it reads READY the rest is written
        state = struct.unpack("=I", os.pread(fd, 4, FIELDS["state"][0]))[0]
        raw = os.pread(fd, HEADER_SIZE, 0)
        if len(raw) < HEADER_SIZE:  # shrunk meanwhile
            size = len(raw)
    return _validate(raw, state, size, name)


def read_header(name):
    """The validated header of segment ``name`` (no waiting, nothing mapped)."""
    n = _check_name(name)
    fd, st = _open_checked(n, writable=False)
    try:
        return _read_header(fd, st.st_size, n)
    finally:
        os.close(fd)


def unlink(name):
    """Removes the name ``name`` (e.g. a persistent segment); attached processes keep their mapping."""
    n = _check_name(name)
    try:
        os.unlink(os.path.join(SHM_DIR, n))
    except FileNotFoundError as e:
        raise SegmentNotFoundError(f"no segment named '{n}' in {SHM_DIR}", n, e.errno) from None


# ---------------------------------------------------------------- attach

_ACCESS = {"r+": mmap.ACCESS_WRITE, "r": mmap.ACCESS_READ, "c": mmap.ACCESS_COPY}


def attach(name, mode="r+", *, timeout=2.0, allow_poisoned=False):
    """A numpy array over the data of segment ``name``, shaped and typed by its header.

    ``mode`` is numpy.memmap's: ``"r+"`` shared read-write (Java's READ_WRITE), ``"r"`` read-only
    (the array is not writeable), ``"c"`` copy-on-write (writes stay in this process). A segment
    whose creator has not published its header yet is waited for up to ``timeout`` seconds, as
    Java waits (2 s). The mapping lives as long as the array or any view of it; attaching never
    removes the name (only its creator or ``unlink`` does).

    Raises SegmentNotFoundError, SegmentAccessError, CorruptSegmentError (``field``; a
    SegmentTruncatedError when the file is too short), SegmentNotReadyError, PoisonedArrayError;
    ValueError for a bad name or mode.
    """
    n = _check_name(name)
    if mode not in _ACCESS:
        raise ValueError(f"mode={mode!r}, must be 'r+', 'r' or 'c'")
    deadline = time.monotonic() + timeout
    pause = 0.001
    while True:
        fd, st = _open_checked(n, writable=mode == "r+")
        try:
            header = _read_header(fd, st.st_size, n)
            if header.poisoned and not allow_poisoned:
                raise PoisonedArrayError(f"segment '{n}' is poisoned: a holder of its lock died, so its data"
                                         " may be half-written; recover() it from Java once checked, or pass"
                                         " allow_poisoned=True", n)
            try:
                mm = mmap.mmap(fd, header.data_offset + header.data_length, mmap.MAP_SHARED,
                               access=_ACCESS[mode])
            except ValueError:  # "mmap length is greater than file size": shrunk since the check
                raise SegmentTruncatedError(f"segment '{n}' shrank below its data while attaching", n,
                                            "data_length") from None
            break
        except SegmentNotReadyError:
            if time.monotonic() >= deadline:
                raise
        finally:
            os.close(fd)  # mmap keeps its own descriptor
        time.sleep(pause)
        pause = min(pause * 2, 0.05)
    return np.ndarray(header.shape, header.dtype, buffer=mm, offset=header.data_offset, order="C")


# ---------------------------------------------------------------- create

def _owner_identity():
    """(pid, start time, pid namespace, boot digest) as shmarray_create records its creator."""
    pid = os.getpid()
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    start = int(fields[19])  # field 22; fields[0] is field 3
    try:
        pidns = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        pidns = 0
    try:
        with open("/proc/sys/kernel/random/boot_id") as f:
            digits = [c for c in f.read() if c in "0123456789abcdefABCDEF"][:32]
        boot = (int("".join(digits[:16]), 16) ^ int("".join(digits[16:]), 16)) & INT64_MAX or 1
    except (OSError, ValueError):
        boot = 0
    return pid, start, pidns, boot


_lock_image = None


def _lock_bytes():
    """The lock area shmarray_lock_init writes: a process-shared, robust, error-checking
    pthread mutex, initialised by this C library (it is position-independent, so a copy works)."""
    global _lock_image
    if _lock_image is None:
        libc = ctypes.CDLL(None, use_errno=True)
        attr = ctypes.create_string_buffer(64)   # pthread_mutexattr_t is 4 bytes on x86-64 glibc
        mutex = ctypes.create_string_buffer(LOCK_SIZE)
        process_shared, robust, errorcheck = 1, 1, 2  # PTHREAD_PROCESS_SHARED, _MUTEX_ROBUST, _ERRORCHECK
        rc = libc.pthread_mutexattr_init(attr)
        rc = rc or libc.pthread_mutexattr_setpshared(attr, process_shared)
        rc = rc or libc.pthread_mutexattr_setrobust(attr, robust)
        rc = rc or libc.pthread_mutexattr_settype(attr, errorcheck)
        rc = rc or libc.pthread_mutex_init(mutex, attr)
        libc.pthread_mutexattr_destroy(attr)
        if rc:
            raise ShmarrayError(f"initialising the header's mutex failed: {os.strerror(rc)}", errno=rc)
        _lock_image = mutex.raw
    return _lock_image


def _pwrite_all(fd, data, offset):
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


def _native_dtype(dtype):
    dt = np.dtype(dtype)
    if dt not in _CODES:
        raise ValueError(f"dtype {dt.str} is not a shmarray element type; use one of "
                         + ", ".join(d.name for d in DTYPES.values()) + " in native byte order")
    return dt


def create(shape=None, dtype=None, *, data=None, name=None, persistent=False):
    """Creates a new segment Java attaches with ``SharedArray.attach(name)``; returns a Segment.

    ``shape`` and ``dtype`` (int8, int16, int32, int64, float32, float64) default to those of
    ``data``, whose values are copied in before the header is published; otherwise the array is
    zero-filled. ``name`` defaults to a fresh ``shmarray-`` name (retried if taken). The segment is
    made like Java's: exclusively (O_EXCL), mode 0600, its bytes reserved up front
    (posix_fallocate: a full /dev/shm fails here, not later with SIGBUS), this process recorded as
    its owner. Owner-scoped by default: ``close()`` (or leaving a ``with`` block, or this process
    exiting) removes the name; ``persistent=True`` keeps it until ``unlink()``. If this process is
    killed instead, the next shmarray Java process's start-up sweep reclaims it.

    Raises SegmentExistsError, InsufficientSharedMemoryError, ValueError for bad arguments.
    """
    if data is not None:
        data = np.asarray(data)
        shape = data.shape if shape is None else shape
        dtype = data.dtype if dtype is None else dtype
    if shape is None or dtype is None:
        raise ValueError("give shape and dtype, or data")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(operator.index(e) for e in shape)
    dt = _native_dtype(dtype)
    if len(shape) > MAX_RANK or any(e < 0 for e in shape):
        raise ValueError(f"shape={shape}: at most {MAX_RANK} extents, each >= 0")
    data_offset = -(-HEADER_SIZE // mmap.PAGESIZE) * mmap.PAGESIZE
    data_length = int(np.prod(shape, dtype=object)) * dt.itemsize
    if data_length > INT64_MAX - data_offset:
        raise ValueError(f"shape={shape} of {dt} overflows 2^63 bytes")

    generated = name is None
    n = generate_name() if generated else _check_name(name)
    for attempt in range(8):
        try:
            fd = os.open(os.path.join(SHM_DIR, n),
                         os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, CREATION_MODE)
            break
        except FileExistsError as e:
            if not generated or attempt == 7:
                raise SegmentExistsError(f"a segment named '{n}' exists already; choose another name, or"
                                         " attach to it", n, e.errno) from None
            n = generate_name()
    path = os.path.join(SHM_DIR, n)
    try:
        os.fchmod(fd, CREATION_MODE)  # whatever the umask took away
        total = data_offset + data_length
        try:
            os.posix_fallocate(fd, 0, total)
        except OSError as e:
            if e.errno in (errno.ENOSPC, errno.EFBIG):
                vfs = os.statvfs(SHM_DIR)
                free = vfs.f_bavail * vfs.f_frsize
                raise InsufficientSharedMemoryError(
                    f"create '{n}': {SHM_DIR} has {free} bytes free, {total} requested. Free space there"
                    " (remove stale segments) or enlarge it, e.g. docker run --shm-size=2g", n, e.errno,
                    total, free) from None
            raise
        mm = mmap.mmap(fd, total, mmap.MAP_SHARED, access=mmap.ACCESS_WRITE)
        array = np.ndarray(shape, dt, buffer=mm, offset=data_offset, order="C")
        if data is not None:
            array[...] = data
        pid, start, pidns, boot = _owner_identity()
        segment_id = 0
        while segment_id == 0:
            segment_id = secrets.randbits(64)
        fields = dict(format_version=FORMAT_VERSION, state=STATE_INITIALISING, header_size=HEADER_SIZE,
                      dtype=_CODES[dt], rank=len(shape), byte_order=_NATIVE_ORDER, creation_mode=CREATION_MODE,
                      flags=FLAG_PERSISTENT if persistent else 0, generation=1, data_offset=data_offset,
                      data_length=data_length, creator_pid=pid, creator_start_time=start,
                      shape=shape + (0,) * (MAX_RANK - len(shape)), segment_id=segment_id,
                      creator_pidns=pidns, creator_boot=boot, lock=_lock_bytes())
        raw = _pack(fields)
        # publication order of shmarray_create: all but the magic (state INITIALISING), the magic, READY
        _pwrite_all(fd, raw[8:], 8)
        _pwrite_all(fd, struct.pack("=Q", MAGIC), 0)
        _pwrite_all(fd, struct.pack("=I", STATE_READY), FIELDS["state"][0])
        raw[0:8] = struct.pack("=Q", MAGIC)
        header = _validate(bytes(raw), STATE_READY, total, n)
        st = os.fstat(fd)
        return Segment(n, array, header, (st.st_dev, st.st_ino), owner=not persistent)
    except BaseException:
        os.unlink(path)  # the mapping goes with the last reference to it
        raise
    finally:
        os.close(fd)


class _Resources:
    """What a Segment releases, kept apart from it so the finalizer holds no reference to it."""

    def __init__(self, name, identity, owner):
        self.name, self.identity, self.owner = name, identity, owner

    def release(self):
        if self.owner:
            _unlink_if_same(self.name, self.identity)


def _unlink_if_same(name, identity):
    """Removes the name if it still denotes this very segment; whether it did."""
    path = os.path.join(SHM_DIR, name)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    if (st.st_dev, st.st_ino) != identity:
        return False  # removed and created again by someone else: not ours to remove
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


class Segment:
    """A segment this process created: ``name``, ``array`` (the numpy data), ``header``.

    ``close()`` drops this object's reference to the mapping and, if the segment is owner-scoped,
    removes its name; idempotent, also run by ``with``, by garbage collection and at interpreter
    exit. The mapping itself goes with the last array or view over it (never earlier: numpy
    does not pin an mmap, so unmapping it explicitly under a live array would crash). ``unlink()`` removes the name
    now, whatever the lifetime; processes already attached keep their mapping.
    """

    def __init__(self, name, array, header, identity, owner):
        self.name = name
        self.header = header
        self._array = array
        self._resources = _Resources(name, identity, owner)
        self._finalizer = weakref.finalize(self, self._resources.release)

    @property
    def array(self):
        if not self._finalizer.alive:
            raise ValueError(f"segment '{self.name}' is closed")
        return self._array

    @property
    def closed(self):
        return not self._finalizer.alive

    def close(self):
        self._array = None
        self._finalizer()

    def unlink(self):
        """Removes the name; raises SegmentNotFoundError when it is gone or names another segment."""
        r = self._resources
        if not _unlink_if_same(self.name, r.identity):
            raise SegmentNotFoundError(f"segment '{self.name}' is no longer in {SHM_DIR} under this name"
                                       " (already unlinked, or the name was reused)", self.name, errno.ENOENT)
        r.owner = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        state = "closed" if self.closed else f"{self.header.dtype}{list(self.header.shape)}"
        return f"Segment('{self.name}', {state})"
