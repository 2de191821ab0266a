#!/usr/bin/env python3
"""Python's multiprocessing on the same workloads as RuntimeBench (standard library + numpy).

    python3 benchmarks/peers/mp_peer.py RESULTS.tsv [roundtrip map start queue queuethroughput dispatch]

Appends TSV rows (workload, implementation, metric, value, unit) like the Java side, and writes
the round-trip samples to latency-python.txt next to RESULTS.tsv.
"""
import multiprocessing as mp
import os
import statistics
import sys
import time

IMPL = "python%d.%d-multiprocessing" % sys.version_info[:2]


def row(out, workload, impl, metric, value, unit):
    line = "%s\t%s\t%s\t%.6g\t%s\n" % (workload, impl, metric, value, unit)
    sys.stdout.write(line)
    with open(out, "a") as f:
        f.write(line)


def one(_=None):
    return 1


def inc(x):
    return x + 1


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, round(p * (len(s) - 1)))]


def roundtrip(out):
    with mp.get_context("spawn").Pool(2) as pool:
        for _ in range(500):
            pool.apply(one)
        us = []
        for _ in range(3000):
            t = time.perf_counter_ns()
            pool.apply(one)
            us.append((time.perf_counter_ns() - t) / 1e3)
    row(out, "roundtrip", IMPL + "-Pool(2).apply", "median", statistics.median(us), "us")
    row(out, "roundtrip", IMPL + "-Pool(2).apply", "p90", pct(us, 0.9), "us")
    with open(os.path.join(os.path.dirname(out), "latency-python.txt"), "w") as f:
        f.writelines("%.3f\n" % v for v in us)


MAP_WARM_PASSES = 2
MAP_TIMED_PASSES = 3


def map_(out):
    """Pool(2).map of 200k trivial items per chunksize: the median of 3 passes after 2 untimed ones
    (the same passes RuntimeBench makes); the first pass is reported beside it."""
    items = list(range(200_000))
    chunks = (1, 100, 1000, None)
    rates = {c: [] for c in chunks}
    with mp.get_context("spawn").Pool(2) as pool:
        for _ in range(MAP_WARM_PASSES + MAP_TIMED_PASSES):
            for chunk in chunks:
                t = time.perf_counter()
                r = pool.map(inc, items, chunk)
                s = time.perf_counter() - t
                assert len(r) == 200_000 and r[-1] == 200_000
                rates[chunk].append(len(items) / s)
    for chunk in chunks:
        name = "chunksize_default" if chunk is None else "chunksize_%d" % chunk
        row(out, "map200k", IMPL + "-Pool(2).map", name, statistics.median(rates[chunk][MAP_WARM_PASSES:]), "tasks/s")
        row(out, "map200k", IMPL + "-Pool(2).map", name + "_first_pass", rates[chunk][0], "tasks/s")


def child(conn):
    conn.send(1)
    conn.close()


def start(out):
    for method in ("spawn", "forkserver", "fork"):
        ctx = mp.get_context(method)
        ms = []
        for r in range(8):
            a, b = ctx.Pipe()
            t = time.perf_counter()
            p = ctx.Process(target=child, args=(b,))
            p.start()
            a.recv()
            ms.append((time.perf_counter() - t) * 1e3)
            p.join()
        # the first forkserver start launches the server: report the steady state
        row(out, "start", IMPL + "-" + method, "cold", statistics.median(ms[1:]), "ms")


def echo(ping, pong):
    while True:
        v = ping.get()
        if v < 0:
            return
        pong.put(v)


def queue(out):
    ctx = mp.get_context("spawn")
    ping, pong = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=echo, args=(ping, pong))
    p.start()
    for i in range(500):
        ping.put(i)
        pong.get()
    us = []
    for i in range(5000):
        t = time.perf_counter_ns()
        ping.put(i)
        assert pong.get() == i
        us.append((time.perf_counter_ns() - t) / 2e3)
    ping.put(-1)
    p.join()
    row(out, "queue", IMPL + "-Queue", "one_way_median", statistics.median(us), "us")
    row(out, "queue", IMPL + "-Queue", "one_way_p90", pct(us, 0.9), "us")


QUEUE_WINDOWS = 4


def produce(q, n):
    for i in range(QUEUE_WINDOWS * n):
        q.put((i, "rec"))


def queue_throughput(out):
    """One producer process puts 4 x 100k small records in a row; items/s over each window of 100k,
    from its first item taken to its last: the median of the windows after the first (as
    RuntimeBench measures), and the first beside it."""
    ctx = mp.get_context("spawn")
    n = 100_000
    q = ctx.Queue()
    p = ctx.Process(target=produce, args=(q, n))
    p.start()
    rates = []
    for w in range(QUEUE_WINDOWS):
        assert q.get()[0] == w * n
        t = time.perf_counter()
        for i in range(1, n):
            assert q.get()[0] == w * n + i
        rates.append((n - 1) / (time.perf_counter() - t))
    p.join()
    row(out, "queuethroughput", IMPL + "-Queue", "one_producer_small_records", statistics.median(rates[1:]), "items/s")
    row(out, "queuethroughput", IMPL + "-Queue", "one_producer_small_records_first_window", rates[0], "items/s")


def length_of(a):
    return len(a)


def dispatch(out):
    """A numpy array argument is pickled into every task (the copy), vs a shared_memory name."""
    import numpy as np
    from multiprocessing import shared_memory
    with mp.get_context("spawn").Pool(1) as pool:
        for _ in range(200):
            pool.apply(one)
        for nbytes in (1 << 10, 1 << 20, 64 << 20, 800_000_000):
            a = np.full(nbytes // 8, 1.5)
            reps = 3 if nbytes >= 64 << 20 else 21
            us = []
            for _ in range(reps):
                t = time.perf_counter_ns()
                assert pool.apply(length_of, (a,)) == a.size
                us.append((time.perf_counter_ns() - t) / 1e3)
            row(out, "dispatch", IMPL + "-numpy-copy", "bytes_%d" % nbytes, statistics.median(us), "us")
            del a


def lifecycle(out):
    """SharedMemory(create=True) + close() + unlink() of 8,000 bytes (1,000 doubles), warm."""
    from multiprocessing import shared_memory
    for _ in range(5000):
        s = shared_memory.SharedMemory(create=True, size=8000)
        s.buf[0] = 1
        s.close()
        s.unlink()
    us = []
    for _ in range(20000):
        t = time.perf_counter()
        s = shared_memory.SharedMemory(create=True, size=8000)
        s.buf[0] = 1
        s.close()
        s.unlink()
        us.append((time.perf_counter() - t) * 1e6)
    impl = "python%d.%d-shared_memory" % sys.version_info[:2]
    row(out, "lifecycle", impl, "create_close_median", pct(us, 0.5), "us")
    row(out, "lifecycle", impl, "create_close_p90", pct(us, 0.9), "us")


SECTIONS = {"lifecycle": lifecycle, "roundtrip": roundtrip, "map": map_, "start": start, "queue": queue,
            "queuethroughput": queue_throughput, "dispatch": dispatch}

if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: mp_peer.py RESULTS.tsv [%s]" % " ".join(SECTIONS))
    for name in sys.argv[2:] or list(SECTIONS):
        t = time.time()
        print("# " + name, flush=True)
        SECTIONS[name](sys.argv[1])
        print("# %s took %.1f s" % (name, time.time() - t), flush=True)
