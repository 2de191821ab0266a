package io.shmarray.internal;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JNA region: one mapping per chunk, each wrapped in a direct buffer created by JNA. A chunk is
 * unmapped by a {@link Cleaner} when its buffer (and every view derived from it, which keeps it
 * reachable) is unreachable — never earlier, so no reader can touch unmapped memory.
 */
final class JnaRegion extends MappedRegion {

    private static final Cleaner CLEANER = Cleaner.create();

    /** Bytes released but not yet unmapped, across all regions. */
    static final AtomicLong PENDING_UNMAP = new AtomicLong();

    private final Backend backend;
    private final int fd;
    private final long fileOffset;
    private final int prot;
    private final int kind;
    private final AtomicBoolean released;
    private final long[] addresses;

    private JnaRegion(Backend backend, int fd, long fileOffset, long length, boolean writable, int prot, int kind,
            ByteBuffer[] chunks, AtomicBoolean released, long[] addresses) {
        super(length, writable, chunks);
        this.addresses = addresses;
        this.backend = backend;
        this.fd = fd;
        this.fileOffset = fileOffset;
        this.prot = prot;
        this.kind = kind;
        this.released = released;
    }

    static JnaRegion map(Backend b, int fd, long offset, long length, boolean writable, boolean privateCopy, String name) {
        int prot = writable ? 3 : 1;
        int kind = privateCopy ? 1 : 0;
        AtomicBoolean released = new AtomicBoolean();
        ByteBuffer[] chunks = new ByteBuffer[chunkCount(length)];
        long[] addresses = new long[chunks.length];
        for (int i = 0; i < chunks.length; i++) {
            long start = (long) i << CHUNK_SHIFT;
            long len = Math.min(CHUNK_SIZE, length - start);
            long a = b.map(fd, offset + start, len, prot, kind);
            // On failure the chunks mapped so far are garbage at once; their cleaners unmap them
            // (unmapping here as well would unmap twice, possibly someone else's later mapping).
            if (a < 0) throw NativeErrors.toException(b, a, "map", name, len);
            chunks[i] = track(b, a, len, writable, released);
            addresses[i] = a;
        }
        return new JnaRegion(b, fd, offset, length, writable, prot, kind, chunks, released, addresses);
    }

    /** Wraps a fresh mapping in a buffer whose unreachability unmaps it. */
    private static ByteBuffer track(Backend b, long address, long len, boolean writable, AtomicBoolean released) {
        ByteBuffer root = b.buffer(address, (int) len).order(ByteOrder.nativeOrder());
        CLEANER.register(root, new Unmap(b, address, len, released));
        return writable ? root : root.asReadOnlyBuffer().order(ByteOrder.nativeOrder());
    }

    /** The cleaning action: must not reference the buffer. */
    private static final class Unmap implements Runnable {
        private final Backend backend;
        private final long address;
        private final long length;
        private final AtomicBoolean released;

        Unmap(Backend backend, long address, long length, AtomicBoolean released) {
            this.backend = backend;
            this.address = address;
            this.length = length;
            this.released = released;
        }

        @Override
        public void run() {
            backend.unmap(address, length);
            if (released.get()) PENDING_UNMAP.addAndGet(-length);
        }
    }

    @Override
    public ByteBuffer window(long offset, int len) {
        checkWindow(offset, len);
        int first = (int) (offset >>> CHUNK_SHIFT);
        if (len == 0 || first == (int) ((offset + len - 1) >>> CHUNK_SHIFT)) {
            ByteBuffer c = chunks()[first];
            return c.slice((int) (offset & CHUNK_MASK), len).order(ByteOrder.nativeOrder());
        }
        if (kind == 1) {
            throw new UnsupportedOperationException("a copy-on-write window across a 1 GiB chunk boundary would not"
                    + " show this process's private writes; use byteBuffers() (one buffer per chunk)");
        }
        // spans chunks: a mapping of its own over the same pages, unmapped when unreachable
        long page = backend.pageSize();
        long start = (offset / page) * page;
        long mapLen = offset + len - start;
        long a = backend.map(fd, fileOffset + start, mapLen, prot, kind);
        if (a < 0) throw NativeErrors.toException(backend, a, "map", null, mapLen);
        ByteBuffer root = track(backend, a, mapLen, writable(), new AtomicBoolean());
        return root.slice((int) (offset - start), len).order(ByteOrder.nativeOrder());
    }

    @Override
    public long address(long offset) {
        if (offset < 0 || offset >= length()) throw new IndexOutOfBoundsException("offset " + offset);
        return addresses[(int) (offset >>> CHUNK_SHIFT)] + (offset & CHUNK_MASK);
    }

    @Override
    public void release() {
        if (released.compareAndSet(false, true)) PENDING_UNMAP.addAndGet(length());
    }
}
