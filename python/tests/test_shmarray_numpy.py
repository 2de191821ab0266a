"""Tests of shmarray_numpy, against itself and against the real Java library.

Run from the repository root:

    SHMARRAY_JAR=java/target/shmarray.jar python3 -m unittest discover -s python/tests -v

SHMARRAY_JAR (required) is the built shmarray jar; on JDK 17-21 its lib/jna-*.jar must sit next to
it, as the build leaves it. SHMARRAY_JAVA (optional) lists java executables separated by ':'
(default: java); the interop tests run once against each. Every name these tests make starts with
pyshm-test-<pid>-, is removed by the test that made it, and a test fails if any is left.
"""

import gc
import os
import queue
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import shmarray_numpy as sn  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PREFIX = f"pyshm-test-{os.getpid()}-"
DTYPES = ["int8", "int16", "int32", "int64", "float32", "float64"]
_UINT = {4: np.uint32, 8: np.uint64}
_counter = iter(range(1_000_000))


def leftovers():
    return sorted(n for n in os.listdir(sn.SHM_DIR) if n.startswith(PREFIX))


def sample(dtype, shape, seed):
    """Values of every kind the dtype holds: extremes, and for floats -0.0, inf, nan, subnormals."""
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    if dt.kind == "i":
        info = np.iinfo(dt)
        v = rng.integers(info.min, info.max, size=n, dtype=dt, endpoint=True)
        special = [info.min, info.max, 0, -1]
    else:
        v = (rng.standard_normal(n) * 1e3).astype(dt)
        special = [-0.0, np.inf, -np.inf, np.nan, np.finfo(dt).smallest_subnormal, np.finfo(dt).max]
    v[:min(n, len(special))] = special[:n]
    return v.reshape(shape)


def to_java(values):
    """Decimal integers, or the raw IEEE bits in hex for floats (what JavaSide's setall reads)."""
    flat = np.ascontiguousarray(values).reshape(-1)
    if flat.dtype.kind == "f":
        return " ".join(format(int(b), "x") for b in flat.view(_UINT[flat.dtype.itemsize]))
    return " ".join(str(int(x)) for x in flat)


def from_java(tokens, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        return np.array([int(t, 16) for t in tokens], dtype=_UINT[dt.itemsize]).view(dt)
    return np.array([int(t) for t in tokens], dtype=dt)


def c_strides(shape, dtype):
    """Row-major (C order) byte strides, the only layout a shmarray header describes."""
    return tuple(int(np.prod(shape[i + 1:])) * np.dtype(dtype).itemsize for i in range(len(shape)))


def same_bits(a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


class ShmTestCase(unittest.TestCase):
    """Every test: fresh names under PREFIX, each removed afterwards; nothing under PREFIX remains."""

    def setUp(self):
        self.addCleanup(self._nothing_left)  # registered first, so it runs after every other cleanup

    def _nothing_left(self):
        left = leftovers()
        for n in left:
            os.unlink(os.path.join(sn.SHM_DIR, n))
        self.assertEqual(left, [], "the test left these in /dev/shm")

    def fresh_name(self):
        name = f"{PREFIX}{next(_counter)}"
        self.addCleanup(self._remove, name)
        return name

    @staticmethod
    def _remove(name):
        try:
            os.unlink(os.path.join(sn.SHM_DIR, name))
        except FileNotFoundError:
            pass

    def exists(self, name):
        return os.path.lexists(os.path.join(sn.SHM_DIR, name))

    def write_file(self, name, content, mode=0o600):
        """A file in /dev/shm this test makes and removes itself."""
        fd = os.open(os.path.join(sn.SHM_DIR, name), os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
        try:
            os.fchmod(fd, mode)
            os.write(fd, content)
        finally:
            os.close(fd)

    def valid_image(self, dtype="float64", shape=(3, 4)):
        """The bytes of a valid segment, made by create() under a name it then removes."""
        with sn.create(shape, dtype, name=self.fresh_name(), data=sample(dtype, shape, 1)) as seg:
            with open(os.path.join(sn.SHM_DIR, seg.name), "rb") as f:
                return bytearray(f.read())


def corrupt(image, field, value):
    off, code = sn.FIELDS[field]
    out = bytearray(image)
    struct.pack_into("=" + code, out, off, *(value if isinstance(value, tuple) else (value,)))
    return bytes(out)


# field -> (mutation of a valid float64 (3, 4) image, the field named by Python and Java)
CORRUPTIONS = {
    "magic": (lambda im: corrupt(im, "magic", 0x1234), "magic"),
    "state": (lambda im: corrupt(im, "state", 7), "state"),
    "format_version": (lambda im: corrupt(im, "format_version", 2), "format_version"),
    "header_size": (lambda im: corrupt(im, "header_size", 256), "header_size"),
    "dtype": (lambda im: corrupt(im, "dtype", 9), "dtype"),
    "rank": (lambda im: corrupt(im, "rank", 9), "rank"),
    "byte_order": (lambda im: corrupt(im, "byte_order", 2 if sys.byteorder == "little" else 1), "byte_order"),
    "reserved0": (lambda im: corrupt(im, "reserved0", b"\x01\x00\x00"), "reserved"),
    "flags": (lambda im: corrupt(im, "flags", 0x80), "flags"),
    "data_offset": (lambda im: corrupt(im, "data_offset", 100), "data_offset"),
    "creator_pid": (lambda im: corrupt(im, "creator_pid", 0), "creator_pid"),
    "shape_past_rank": (lambda im: corrupt(im, "shape", (3, 4, 1, 0, 0, 0, 0, 0)), "shape"),
    "shape_negative": (lambda im: corrupt(im, "shape", (-3, -4, 0, 0, 0, 0, 0, 0)), "shape"),
    "data_length": (lambda im: corrupt(im, "data_length", 95), "data_length"),
    "segment_id": (lambda im: corrupt(im, "segment_id", 0), "segment_id"),
    "reserved2": (lambda im: corrupt(im, "reserved2", b"\xff" * 128), "reserved"),
    "data_cut_off": (lambda im: bytes(im[:4096 + 50]), "data_length"),      # header says 96 data bytes
    "header_cut_off": (lambda im: bytes(im[:300]), "header_size"),         # shorter than a header
}


# ---------------------------------------------------------------- Python only

class AttachBadInputTest(ShmTestCase):

    def test_missing_name_is_segment_not_found(self):
        name = self.fresh_name()
        with self.assertRaises(sn.SegmentNotFoundError) as cm:
            sn.attach(name)
        self.assertIsInstance(cm.exception, sn.ShmarrayError)
        self.assertEqual(cm.exception.name, name)
        self.assertIn(name, str(cm.exception))
        with self.assertRaises(sn.SegmentNotFoundError):
            sn.read_header(name)
        with self.assertRaises(sn.SegmentNotFoundError):
            sn.unlink(name)

    def test_bad_names_are_value_errors(self):
        for bad in ["", "/", "a/b", "..", ".", "x\0y", "n" * 256]:
            with self.subTest(name=bad):
                with self.assertRaises(ValueError):
                    sn.attach(bad)
                with self.assertRaises(ValueError):
                    sn.create((1,), "int8", name=bad)
        self.assertEqual(sn._check_name("/" + "n" * 255), "n" * 255)

    def test_every_corrupt_field_is_named(self):
        image = self.valid_image()
        for case, (mutate, field) in CORRUPTIONS.items():
            with self.subTest(case=case):
                name = self.fresh_name()
                self.write_file(name, mutate(image))
                with self.assertRaises(sn.CorruptSegmentError) as cm:
                    sn.attach(name, timeout=0)
                self.assertEqual(cm.exception.field, field, str(cm.exception))
                self.assertIn(name, str(cm.exception))
                truncated = case.endswith("cut_off")
                self.assertEqual(isinstance(cm.exception, sn.SegmentTruncatedError), truncated, case)
                with self.assertRaises(type(cm.exception)) as by_header:   # the same without mapping
                    sn.read_header(name)
                self.assertEqual(by_header.exception.field, field)
                os.unlink(os.path.join(sn.SHM_DIR, name))

    def test_the_unmodified_image_attaches(self):
        # the control for the corruptions above: the same bytes, unchanged, are accepted
        image = self.valid_image()
        name = self.fresh_name()
        self.write_file(name, bytes(image))
        a = sn.attach(name)
        self.assertTrue(same_bits(a, sample("float64", (3, 4), 1)))

    def test_junk_empty_and_zero_files(self):
        cases = [(os.urandom(8192), sn.CorruptSegmentError, "magic"),
                 (b"", sn.SegmentTruncatedError, "header_size"),        # creator died before sizing it
                 (b"SHMARRAY", sn.SegmentTruncatedError, "header_size"),
                 (bytes(8192), sn.SegmentNotReadyError, None)]          # sized, header not yet written
        for content, error, field in cases:
            with self.subTest(content=content[:8], size=len(content)):
                name = self.fresh_name()
                self.write_file(name, content)
                with self.assertRaises(error) as cm:
                    sn.attach(name, timeout=0)
                self.assertEqual(getattr(cm.exception, "field", None), field)
                os.unlink(os.path.join(sn.SHM_DIR, name))

    def test_not_ready_is_waited_for_then_refused(self):
        image = self.valid_image()
        name = self.fresh_name()
        self.write_file(name, corrupt(image, "state", sn.STATE_INITIALISING))
        t0 = time.monotonic()
        with self.assertRaises(sn.SegmentNotReadyError):
            sn.attach(name, timeout=0.2)
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)

        def publish():
            time.sleep(0.2)
            fd = os.open(os.path.join(sn.SHM_DIR, name), os.O_RDWR)
            os.pwrite(fd, struct.pack("=I", sn.STATE_READY), sn.FIELDS["state"][0])
            os.close(fd)
        th = threading.Thread(target=publish)
        t0 = time.monotonic()
        th.start()
        a = sn.attach(name, timeout=5)
        th.join()
        self.assertGreaterEqual(time.monotonic() - t0, 0.2)
        self.assertTrue(same_bits(a, sample("float64", (3, 4), 1)))

    def test_unsafe_files_are_never_adopted(self):
        image = self.valid_image()
        open_to_others = self.fresh_name()
        self.write_file(open_to_others, bytes(image), mode=0o644)
        with self.assertRaises(sn.SegmentAccessError) as cm:
            sn.attach(open_to_others)
        self.assertIn("0644", str(cm.exception))
        target, link = self.fresh_name(), self.fresh_name()
        self.write_file(target, bytes(image))
        os.symlink(os.path.join(sn.SHM_DIR, target), os.path.join(sn.SHM_DIR, link))
        with self.assertRaises(sn.SegmentAccessError) as cm:
            sn.attach(link)
        self.assertIn("symbolic link", str(cm.exception))
        directory = self.fresh_name()
        os.mkdir(os.path.join(sn.SHM_DIR, directory), 0o700)
        self.addCleanup(os.rmdir, os.path.join(sn.SHM_DIR, directory))
        with self.assertRaises(sn.ShmarrayError):
            sn.attach(directory, "r")

    def test_poisoned_segment_is_refused_unless_asked(self):
        with sn.create((4,), "int32", name=self.fresh_name(), data=[1, 2, 3, 4]) as seg:
            set_flags(seg.name, sn.FLAG_POISONED)
            with self.assertRaises(sn.PoisonedArrayError):
                sn.attach(seg.name)
            self.assertTrue(sn.read_header(seg.name).poisoned)
            self.assertEqual(sn.attach(seg.name, allow_poisoned=True).tolist(), [1, 2, 3, 4])

    def test_bad_mode(self):
        with sn.create((1,), "int8", name=self.fresh_name()) as seg:
            with self.assertRaises(ValueError):
                sn.attach(seg.name, "w")


def mapped(name):
    with open("/proc/self/maps") as f:
        return any(os.path.join(sn.SHM_DIR, name) + " " in line or line.endswith(name + "\n")
                   or (name + " (deleted)") in line for line in f)


def set_flags(name, flags):
    fd = os.open(os.path.join(sn.SHM_DIR, name), os.O_RDWR)
    try:
        os.pwrite(fd, struct.pack("=I", flags), sn.FIELDS["flags"][0])
    finally:
        os.close(fd)


class PythonRoundTripTest(ShmTestCase):

    def test_create_then_attach_every_dtype_and_rank(self):
        for dtype in DTYPES:
            for shape in [(), (0,), (7,), (3, 4), (2, 3, 2), (1,) * 8]:
                with self.subTest(dtype=dtype, shape=shape):
                    data = sample(dtype, shape, 2)
                    with sn.create(data=data, name=self.fresh_name()) as seg:
                        self.assertTrue(same_bits(seg.array, data))
                        h = sn.read_header(seg.name)
                        self.assertEqual((h.dtype, h.shape), (np.dtype(dtype), shape))
                        self.assertEqual(h.data_length, data.nbytes)
                        self.assertEqual(h.creator_pid, os.getpid())
                        self.assertEqual(h.data_offset % os.sysconf("SC_PAGESIZE"), 0)
                        a = sn.attach(seg.name)
                        self.assertTrue(same_bits(a, data))
                        self.assertEqual(a.strides, c_strides(shape, dtype))  # C order
                        self.assertTrue(a.flags.c_contiguous and a.flags.writeable)
                    self.assertFalse(self.exists(seg.name))

    def test_modes(self):
        with sn.create((2, 3), "float64", name=self.fresh_name()) as seg:
            rw, ro, cow = (sn.attach(seg.name, m) for m in ("r+", "r", "c"))
            self.assertFalse(ro.flags.writeable)
            with self.assertRaises(ValueError):
                ro[0, 0] = 1
            rw[1, 2] = 4.5
            self.assertEqual((seg.array[1, 2], ro[1, 2], cow[1, 2]), (4.5, 4.5, 4.5))
            cow[0, 0] = -1
            self.assertEqual((seg.array[0, 0], ro[0, 0], cow[0, 0]), (0, 0, -1))

    def test_exclusive_create_leaves_the_existing_segment_alone(self):
        with sn.create(data=np.arange(3.0), name=self.fresh_name()) as seg:
            with self.assertRaises(sn.SegmentExistsError):
                sn.create((5,), "int8", name=seg.name)
            self.assertEqual(sn.attach(seg.name).tolist(), [0.0, 1.0, 2.0])

    def test_bad_arguments_leave_nothing(self):
        for kwargs in [dict(shape=(2,), dtype=bool), dict(shape=(2,), dtype=">f8"), dict(shape=(2,), dtype="c16"),
                       dict(shape=(-1,), dtype="f8"), dict(shape=(1,) * 9, dtype="f8"),
                       dict(shape=(2, 2), dtype="f8", data=np.zeros(3)), dict(shape=(2,))]:
            with self.subTest(**{k: str(v) for k, v in kwargs.items()}):
                with self.assertRaises(ValueError):
                    sn.create(name=self.fresh_name(), **kwargs)
                self.assertEqual(leftovers(), [])

    def test_no_space_is_a_typed_error_and_leaves_nothing(self):
        name = self.fresh_name()
        with self.assertRaises(sn.InsufficientSharedMemoryError) as cm:
            sn.create((2 ** 50,), "float64", name=name)   # 8 PiB: more than any /dev/shm holds
        self.assertGreater(cm.exception.requested_bytes, cm.exception.free_bytes)
        self.assertFalse(self.exists(name))

    def test_generated_names_and_retry(self):
        self.assertRegex(sn.generate_name(), r"^shmarray-[a-z2-7]{16}$")
        taken = self.fresh_name()
        fresh = self.fresh_name()
        names = iter([taken, fresh])
        saved = sn.generate_name
        sn.generate_name = lambda: next(names)   # the first generated name is squatted
        try:
            with sn.create((1,), "int8", name=taken):
                with sn.create((2,), "int16") as seg:
                    self.assertEqual(seg.name, fresh)
        finally:
            sn.generate_name = saved

    def test_close_unlink_and_lifetimes(self):
        seg = sn.create(data=np.arange(4, dtype=np.int64), name=self.fresh_name())
        view = seg.array[1:]
        seg.close()
        self.assertFalse(self.exists(seg.name))       # owner-scoped: close removes the name
        self.assertEqual(view.tolist(), [1, 2, 3])    # the mapping stays while a view lives
        self.assertTrue(mapped(seg.name))
        del view
        self.assertFalse(mapped(seg.name))            # ... and goes with the last one
        seg.close()                                   # idempotent
        self.assertTrue(seg.closed)
        with self.assertRaises(ValueError):
            seg.array

        with sn.create((2,), "float32", name=self.fresh_name(), persistent=True) as keep:
            self.assertTrue(sn.read_header(keep.name).persistent)
        self.assertTrue(self.exists(keep.name))       # persistent: stays until unlink
        keep.unlink()
        self.assertFalse(self.exists(keep.name))
        with self.assertRaises(sn.SegmentNotFoundError):
            keep.unlink()

        dropped = sn.create((2,), "int8", name=self.fresh_name())
        name = dropped.name
        del dropped
        gc.collect()
        self.assertFalse(self.exists(name))           # garbage-collected owner: name removed

    def test_close_never_removes_a_reused_name(self):
        first = sn.create((2,), "int8", name=self.fresh_name())
        sn.unlink(first.name)                         # someone removes it ...
        with sn.create(data=np.array([7, 8], np.int8), name=first.name) as second:   # ... and reuses the name
            first.close()
            self.assertTrue(self.exists(second.name))
            self.assertEqual(sn.attach(second.name).tolist(), [7, 8])

    def test_owner_scoped_name_goes_when_the_process_exits(self):
        name = self.fresh_name()
        code = (f"import sys; sys.path.insert(0, {os.path.dirname(HERE)!r}); import shmarray_numpy as sn;"
                f"s = sn.create((3,), 'int32', name={name!r}); print(sn.read_header({name!r}).shape)")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
        self.assertEqual(out.stdout.strip(), "(3,)", out.stderr)
        self.assertFalse(self.exists(name))


# ---------------------------------------------------------------- against Java

def _javas():
    return [j for j in os.environ.get("SHMARRAY_JAVA", "java").split(os.pathsep) if j]


class JavaSide:
    """One `java ... JavaSide.java serve` process, driven line by line."""

    def __init__(self, java):
        jar = os.environ.get("SHMARRAY_JAR")
        if not jar:
            raise AssertionError("SHMARRAY_JAR is not set: the interop tests need the built shmarray jar,"
                                 " e.g. SHMARRAY_JAR=java/target/shmarray.jar python3 -m unittest discover"
                                 " -s python/tests")
        if not os.path.isfile(jar):
            raise AssertionError(f"SHMARRAY_JAR={jar} is not a file")
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [java, "-Dio.shmarray.sweepOnStart=false", "-Dio.shmarray.notReadyWaitMillis=300",
             "--enable-native-access=ALL-UNNAMED", "-cp", jar, os.path.join(HERE, "JavaSide.java"), "serve"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def stderr_tail(self):
        self.stderr.seek(0)
        return self.stderr.read()[-3000:].decode(errors="replace")

    def call(self, command, timeout=60):
        """The reply's fields: ["ok", ...] or ["err", ExceptionClass, field, message]."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            line = None
        if line is None:
            raise AssertionError(f"JavaSide gave no answer to {command!r}; its stderr:\n{self.stderr_tail()}")
        return line.split("\t")

    def ok(self, command):
        reply = self.call(command)
        if reply[0] != "ok":
            raise AssertionError(f"{command!r} failed in Java: {reply}")
        return reply[1:]

    def stop(self):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


class JavaInterop:
    """Mixed into one TestCase per java executable (JAVA), each with its own JavaSide."""
    JAVA = "java"

    @classmethod
    def setUpClass(cls):
        cls.java = JavaSide(cls.JAVA)
        try:
            backend, version = cls.java.ok("info")
        except BaseException:
            cls.java.stop()
            raise
        cls.backend, cls.version = backend, version

    @classmethod
    def tearDownClass(cls):
        cls.java.stop()

    def java_create(self, dtype, shape, values=None, lifetime="owner"):
        name = self.fresh_name()
        offset = int(self.java.ok(f"create {name} {dtype} {lifetime} {' '.join(map(str, shape))}")[0])
        self.addCleanup(self.java.call, f"close {name}")
        if values is not None:
            self.java.ok(f"setall {name} {to_java(values)}")
        return name, offset

    def java_values(self, name, dtype):
        return from_java(self.java.ok(f"dump {name}")[0].split(), dtype)

    def test_backend_matches_the_jdk(self):
        feature = int(re.match(r"\d+", self.version).group())
        self.assertEqual(self.backend, "ffm" if feature >= 22 else "jna", self.version)

    def test_java_arrays_read_in_python(self):
        for dtype in DTYPES:
            for shape in [(), (9,), (3, 4), (2, 3, 2)]:
                with self.subTest(dtype=dtype, shape=shape):
                    values = sample(dtype, shape, 3)
                    name, offset = self.java_create(dtype, shape, values)
                    h = sn.read_header(name)
                    self.assertEqual((h.dtype, h.shape, h.data_offset), (np.dtype(dtype), shape, offset))
                    self.assertFalse(h.persistent)
                    self.assertNotEqual(h.creator_pid, os.getpid())     # Java is the owner
                    a = sn.attach(name)
                    self.assertEqual(a.dtype, np.dtype(dtype))
                    self.assertEqual(a.shape, shape)
                    self.assertEqual(a.strides, c_strides(shape, dtype))
                    self.assertTrue(a.flags.writeable)
                    self.assertTrue(same_bits(a, values))
                    self.java.ok(f"close {name}")                     # the Java owner removes the name ...
                    self.assertFalse(self.exists(name))
                    self.assertTrue(same_bits(a, values))               # ... Python's mapping stays

    def test_multi_index_agrees_with_java_get_at(self):
        for dtype, shape in [("float64", (3, 5)), ("int16", (2, 3, 4))]:
            values = sample(dtype, shape, 4)
            name, _ = self.java_create(dtype, shape, values)
            a = sn.attach(name, "r")
            for index in [(0,) * len(shape), tuple(e - 1 for e in shape), (1, 2) + (3,) * (len(shape) - 2)]:
                with self.subTest(dtype=dtype, index=index):
                    got = from_java(self.java.ok(f"getat {name} {' '.join(map(str, index))}"), dtype)[0]
                    self.assertTrue(same_bits(np.array(got), np.array(a[index])))

    def test_writes_cross_both_ways(self):
        for dtype in DTYPES:
            with self.subTest(dtype=dtype):
                name, _ = self.java_create(dtype, (4, 3), sample(dtype, (4, 3), 5))
                a = sn.attach(name)
                mine = sample(dtype, (4, 3), 6)
                a[...] = mine                                           # Python writes ...
                self.assertTrue(same_bits(self.java_values(name, dtype).reshape(4, 3), mine))  # ... Java reads
                theirs = sample(dtype, (4, 3), 7)
                self.java.ok(f"setall {name} {to_java(theirs)}")        # Java writes ...
                self.assertTrue(same_bits(a, theirs))                   # ... the same mapping shows it

    def test_read_only_and_copy_on_write_over_a_java_array(self):
        values = sample("float64", (2, 3), 8)
        name, _ = self.java_create("float64", (2, 3), values)
        ro, cow = sn.attach(name, "r"), sn.attach(name, "c")
        self.assertFalse(ro.flags.writeable)
        with self.assertRaises(ValueError):
            ro[0, 0] = 1.0
        cow[0, 0] = 42.0
        self.assertTrue(same_bits(self.java_values(name, "float64").reshape(2, 3), values))  # Java never sees it
        later = sample("float64", (2, 3), 9)
        self.java.ok(f"setall {name} {to_java(later)}")
        self.assertTrue(same_bits(ro, later))

    def test_python_arrays_attached_by_java(self):
        for dtype in DTYPES:
            for shape in [(), (0,), (9,), (3, 4), (2, 3, 2)]:
                with self.subTest(dtype=dtype, shape=shape):
                    values = sample(dtype, shape, 10)
                    with sn.create(data=values, name=self.fresh_name()) as seg:
                        got_dtype, got_shape, offset, mode, lifetime, owner = self.java.ok(f"attach {seg.name} rw")
                        self.assertEqual(got_dtype, dtype)
                        self.assertEqual(got_shape, ",".join(map(str, shape)))
                        self.assertEqual(int(offset), seg.header.data_offset)
                        self.assertEqual((mode, lifetime, owner), ("READ_WRITE", "OWNER_SCOPED", "false"))
                        self.assertTrue(same_bits(self.java_values(seg.name, dtype).reshape(shape), values))
                        if values.size:
                            later = sample(dtype, shape, 11)
                            self.java.ok(f"setall {seg.name} {to_java(later)}")
                            self.assertTrue(same_bits(seg.array, later))
                        self.java.ok(f"close {seg.name}")
                        self.assertTrue(self.exists(seg.name))          # Java only attached: name stays
                        self.java.ok(f"attachtyped {seg.name} {dtype}")  # SharedDoubleArray.attach etc.
                        self.java.ok(f"close {seg.name}")
                    self.assertFalse(self.exists(seg.name))

    def test_java_read_only_attach_of_a_python_array(self):
        with sn.create(data=np.arange(6, dtype=np.int32).reshape(2, 3), name=self.fresh_name()) as seg:
            self.assertEqual(self.java.ok(f"attach {seg.name} r")[3], "READ_ONLY")
            reply = self.java.call(f"setall {seg.name} 9 9 9 9 9 9")
            self.assertEqual(reply[0], "err", reply)
            self.assertEqual(seg.array.tolist(), [[0, 1, 2], [3, 4, 5]])
            self.java.ok(f"close {seg.name}")

    def test_persistent_python_array_in_java(self):
        with sn.create((5,), "int64", name=self.fresh_name(), persistent=True) as seg:
            self.assertEqual(self.java.ok(f"attach {seg.name} rw")[4], "PERSISTENT")
            self.java.ok(f"close {seg.name}")
        self.assertTrue(self.exists(seg.name))
        seg.unlink()

    def test_persistent_java_array_in_python(self):
        name, _ = self.java_create("int8", (3,), np.array([1, -2, 3], np.int8), lifetime="persistent")
        self.assertTrue(sn.read_header(name).persistent)
        self.java.ok(f"close {name}")
        self.assertEqual(sn.attach(name).tolist(), [1, -2, 3])       # outlives Java's close
        sn.unlink(name)
        self.assertFalse(self.exists(name))

    def test_python_header_is_javas_byte_for_byte_and_its_lock_works(self):
        name, _ = self.java_create("float64", (2, 5))
        with sn.create((2, 5), "float64", name=self.fresh_name()) as seg:
            with open(os.path.join(sn.SHM_DIR, name), "rb") as j, open(os.path.join(sn.SHM_DIR, seg.name), "rb") as p:
                java_image, python_image = bytearray(j.read()), bytearray(p.read())
            self.assertEqual(len(python_image), len(java_image))
            for field in ("creator_pid", "creator_start_time", "segment_id"):   # this process, this segment
                off, code = sn.FIELDS[field]
                self.assertNotEqual(python_image[off:off + 8], bytes(8), field)
                java_image[off:off + 8] = python_image[off:off + 8] = bytes(8)
            self.assertEqual(python_image[:512].hex(), java_image[:512].hex())   # lock area included
            self.java.ok(f"attach {seg.name} rw")
            self.assertEqual(self.java.ok(f"lock {seg.name}"), ["locked"])     # a working robust mutex
            self.java.ok(f"close {seg.name}")

    def test_poison_flag_is_the_one_java_reads(self):
        with sn.create((2,), "int32", name=self.fresh_name()) as seg:
            self.java.ok(f"attach {seg.name} rw")
            self.assertEqual(self.java.ok(f"poisoned {seg.name}"), ["false"])
            set_flags(seg.name, sn.FLAG_POISONED)
            self.assertEqual(self.java.ok(f"poisoned {seg.name}"), ["true"])
            self.java.ok(f"close {seg.name}")
            with self.assertRaises(sn.PoisonedArrayError):
                sn.attach(seg.name)

    def test_java_and_python_refuse_the_same_bad_segments(self):
        image = self.valid_image()
        cases = {case: (mutate(image), sn.CorruptSegmentError, "CorruptSegmentException", field)
                 for case, (mutate, field) in CORRUPTIONS.items()}
        cases["not_ready"] = (corrupt(image, "state", 0), sn.SegmentNotReadyError, "SegmentNotReadyException", "-")
        cases["zeros"] = (bytes(8192), sn.SegmentNotReadyError, "SegmentNotReadyException", "-")
        cases["junk"] = (os.urandom(8192), sn.CorruptSegmentError, "CorruptSegmentException", "magic")
        cases["missing"] = (None, sn.SegmentNotFoundError, "SegmentNotFoundException", "-")
        cases["mode_0644"] = (bytes(image), sn.SegmentAccessError, "SegmentAccessException", "-")
        for case, (content, py_error, java_error, field) in cases.items():
            with self.subTest(case=case):
                name = self.fresh_name()
                if content is not None:
                    self.write_file(name, content, 0o644 if case == "mode_0644" else 0o600)
                with self.assertRaises(py_error) as cm:
                    sn.attach(name, timeout=0)
                reply = self.java.call(f"attach {name} rw")
                self.assertEqual(reply[:2], ["err", java_error], reply)
                self.assertEqual(reply[2].split(" ")[0], field, reply)   # Java: "header_size (segment shorter...)"
                self.assertEqual(getattr(cm.exception, "field", "-"), field)
                self._remove(name)


for _java in _javas():
    _tag = re.sub(r"\W", "_", os.path.basename(os.path.dirname(os.path.dirname(_java))) or "default")
    _name = f"JavaInteropTest_{_tag}"
    globals()[_name] = type(_name, (JavaInterop, ShmTestCase), {"JAVA": _java})
del _java, _tag, _name


if __name__ == "__main__":
    unittest.main()
