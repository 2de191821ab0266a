package io.shmarray.runtime;

import io.shmarray.ProtocolException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The control connection between a parent and one worker: a Unix-domain socket in a 0700
 * directory, framed as {@code [int length][byte type][payload]}. Framing only — payloads are
 * opaque bytes; {@link Codec} turns them into objects.
 *
 * <p>Before anything is decoded both sides authenticate: the peer's uid must be ours
 * ({@code SO_PEERCRED}), and each side proves it knows the start-up secret (handed to the worker
 * on its stdin, never on its command line) with an HMAC-SHA256 over the other side's random
 * challenge. Frames are capped at {@value #PRE_AUTH_MAX} bytes until then and at the configured
 * maximum after; a longer length is refused before anything is allocated. A peer that stalls
 * inside a frame times out.
 */
final class Channel implements Closeable {

    static final byte CHALLENGE = 1;
    static final byte RESPONSE = 2;
    static final byte TASK = 3;
    static final byte RESULT = 4;
    static final byte BYE = 6;
    static final byte INIT = 7;
    static final byte DEFINE = 8;
    static final byte HEARTBEAT = 9;
    /** Parent to worker: a map is over, drop its function (payload: the function id, 8 bytes). */
    static final byte FORGET = 10;
    /** Parent to worker: a chunk of a map (payload: id, function id, then the items as a value). */
    static final byte APPLY = 11;
    /** Worker to parent: a task's value (payload: id, then the value); failures go as {@link #RESULT}. */
    static final byte RESULT_OK = 12;

    static final int PRE_AUTH_MAX = 128;
    static final int NONCE = 32;
    /**
     * Size of the receive and send buffers. Frames up to this size are parsed from, and queued in,
     * them; longer ones go to and from the socket directly.
     */
    static final int BUFFER = 64 * 1024;
    /** Bytes per socket call on heap buffers (see {@link #window}). */
    static final int IO_WINDOW = 1 << 20;
    /**
     * How long a peer may stall inside a frame without moving a byte
     * ({@code io.shmarray.frameStallMillis}, default 30 s); any progress restarts the clock.
     */
    static final long FRAME_STALL_MILLIS = Long.getLong("io.shmarray.frameStallMillis", 30_000L);


    /** A received frame. */
    static final class Frame {
        final byte type;
        final byte[] payload;

        Frame(byte type, byte[] payload) {
            this.type = type;
            this.payload = payload;
        }
    }

    /** No frame began within the wait: the peer is silent (not an error of the stream itself). */
    static final class Silent extends ProtocolException {
        private static final long serialVersionUID = 1L;

        Silent(long millis) {
            super("no frame within " + millis + " ms");
        }
    }

    private final SocketChannel socket;
    /**
     * Bytes received and not yet parsed (read mode: position to limit), one reader at a time. One
     * read takes whatever the peer has sent, so a burst of frames (pipelined chunks, a batch of
     * results) costs one system call, not two or three per frame.
     */
    private final ByteBuffer in = ByteBuffer.allocateDirect(BUFFER).limit(0);
    /**
     * Frames queued by {@link #sendLater} and not yet written (write mode), guarded by this
     * channel's monitor like every send: {@link #flush} writes them with one system call.
     */
    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER);
    /** SO_SNDBUF of the socket, read once ({@link #sendBufferBytes}). */
    private final int sendBuffer;
    private final Selector selector;
    private final long maxFrame;
    /** Bytes this channel sent and received (frames whole, heartbeats included); shared by a pool's channels. */
    private final Traffic traffic;

    /** Byte counters, for {@link Pool#stats()}. */
    static final class Traffic {
        final java.util.concurrent.atomic.LongAdder sent = new java.util.concurrent.atomic.LongAdder();
        final java.util.concurrent.atomic.LongAdder received = new java.util.concurrent.atomic.LongAdder();
    }
    private boolean authenticated;

    Channel(SocketChannel socket, long maxFrame) throws IOException {
        this(socket, maxFrame, new Traffic());
    }

    Channel(SocketChannel socket, long maxFrame, Traffic traffic) throws IOException {
        this.traffic = traffic;
        this.socket = socket;
        this.maxFrame = maxFrame;
        this.sendBuffer = socket.getOption(java.net.StandardSocketOptions.SO_SNDBUF);
        socket.configureBlocking(false);
        this.selector = Selector.open();
        socket.register(selector, SelectionKey.OP_READ);
    }

    static byte[] newSecret() {
        return Hmac.randomBytes(32);
    }

    private static byte[] mac(byte[] secret, String role, byte[] nonce) {
        return Hmac.hmacSha256(secret, role.getBytes(java.nio.charset.StandardCharsets.US_ASCII), nonce);
    }

    private void checkPeer(UserPrincipal expectedUser) throws IOException {
        UnixDomainPrincipal peer = socket.getOption(ExtendedSocketOptions.SO_PEERCRED);
        if (!peer.user().equals(expectedUser)) {
            throw new ProtocolException("peer runs as " + peer.user().getName() + ", not " + expectedUser.getName()
                    + ": refused before reading anything");
        }
    }

    /** Parent side: checks the peer's uid, challenges it, and proves itself. */
    void authenticateWorker(byte[] secret, UserPrincipal expectedUser, long timeoutMillis) throws IOException {
        checkPeer(expectedUser);
        byte[] nonce = Hmac.randomBytes(NONCE);
        send(CHALLENGE, nonce);
        Frame r = receive(timeoutMillis);
        if (r == null || r.type != RESPONSE || r.payload.length != 32 + NONCE) {
            throw new ProtocolException("the peer did not answer the challenge");
        }
        byte[] theirMac = java.util.Arrays.copyOfRange(r.payload, 0, 32);
        byte[] theirNonce = java.util.Arrays.copyOfRange(r.payload, 32, 32 + NONCE);
        if (!Hmac.equalsConstantTime(theirMac, mac(secret, "worker", nonce))) {
            throw new ProtocolException("the peer does not know the secret: forged or stale worker refused");
        }
        send(RESPONSE, mac(secret, "parent", theirNonce));
        authenticated = true;
    }

    /** Worker side: answers the parent's challenge and checks the parent's proof. */
    void authenticateParent(byte[] secret, UserPrincipal expectedUser, long timeoutMillis) throws IOException {
        checkPeer(expectedUser);
        Frame c = receive(timeoutMillis);
        if (c == null || c.type != CHALLENGE || c.payload.length != NONCE) {
            throw new ProtocolException("expected a challenge from the parent");
        }
        byte[] nonce = Hmac.randomBytes(NONCE);
        byte[] answer = new byte[32 + NONCE];
        System.arraycopy(mac(secret, "worker", c.payload), 0, answer, 0, 32);
        System.arraycopy(nonce, 0, answer, 32, NONCE);
        send(RESPONSE, answer);
        Frame p = receive(timeoutMillis);
        if (p == null || p.type != RESPONSE || !Hmac.equalsConstantTime(p.payload, mac(secret, "parent", nonce))) {
            throw new ProtocolException("the parent did not prove it knows the secret");
        }
        authenticated = true;
    }

    /**
     * Sends a heartbeat only if the socket takes it at once, else nothing (thread-safe). A parent
     * that is not reading (an idle slot, a standby) lets the socket fill up; a heartbeat that
     * waited there would hold the send lock, stall for {@link #FRAME_STALL_MILLIS} and end the
     * heartbeats for good. Skipped ones are harmless: whoever reads next finds the older ones, and
     * new ones follow as soon as the buffer drains.
     *
     * @return whether the heartbeat went out
     */
    synchronized boolean trySendHeartbeat() throws IOException {
        if (out.position() > 0) return false; // frames are queued: they go first, at the next flush
        ByteBuffer b = ByteBuffer.allocate(5).putInt(1).put(HEARTBEAT).flip();
        int n = socket.write(b);
        if (n == 0) return false;
        while (b.hasRemaining()) { // a partial frame must be completed to keep the stream in step
            if (socket.write(b) == 0) awaitWritable(FRAME_STALL_MILLIS);
        }
        traffic.sent.add(5);
        return true;
    }

    /** Sends one frame (thread-safe), after any queued by {@link #sendLater}. */
    synchronized void send(byte type, byte[] payload) throws IOException {
        sendLater(type, payload);
        flush();
    }

    /**
     * Queues one frame (thread-safe): it goes out with the next {@link #send} or {@link #flush}, in
     * order, with the frames queued beside it in one system call. A frame too long for the queue
     * flushes what is queued and goes out at once.
     */
    synchronized void sendLater(byte type, byte[] payload) throws IOException {
        long cap = authenticated ? maxFrame : PRE_AUTH_MAX;
        if (payload.length + 1L > cap) { // refused before a byte is written: the channel stays usable
            throw new FrameTooLargeException("a frame", payload.length, cap);
        }
        if (5 + payload.length > out.remaining()) flush();
        if (5 + payload.length <= out.remaining()) {
            out.putInt(payload.length + 1).put(type).put(payload);
            return;
        }
        ByteBuffer b = ByteBuffer.allocate(5 + payload.length);
        b.putInt(payload.length + 1).put(type).put(payload).flip();
        write(b, true);
    }

    /** Writes the frames queued by {@link #sendLater} (thread-safe). */
    synchronized void flush() throws IOException {
        if (out.position() == 0) return;
        out.flip();
        try {
            write(out, false);
        } finally {
            out.clear(); // after a failure the channel is closed (see write): nothing half-sent stays
        }
    }

    /**
     * The kernel's send buffer of this socket, in bytes: frames that a busy peer leaves unread
     * beyond about this much would block the sender.
     */
    int sendBufferBytes() {
        return sendBuffer;
    }

    /**
     * Writes all of {@code b} (a heap buffer in windows), waiting while the peer's buffer is full.
     * Any failure — the peer gone, stalled for {@link #FRAME_STALL_MILLIS}, an interrupt — may
     * leave part of a frame on the wire, so it closes the channel: nothing is written after a
     * partial frame, and the peer sees the end of the stream instead of garbage.
     */
    private void write(ByteBuffer b, boolean heap) throws IOException {
        try {
            writeFully(b, heap);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void writeFully(ByteBuffer b, boolean heap) throws IOException {
        int total = b.remaining();
        long deadline = System.nanoTime() + FRAME_STALL_MILLIS * 1_000_000L;
        while (b.hasRemaining()) {
            int n;
            if (heap) {
                n = socket.write(window(b));
                b.limit(b.capacity());
            } else {
                n = socket.write(b);
            }
            if (n > 0) {
                deadline = System.nanoTime() + FRAME_STALL_MILLIS * 1_000_000L; // progress: the peer reads
                continue;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) throw new ProtocolException("peer stalled: not reading for " + FRAME_STALL_MILLIS + " ms");
            awaitWritable(left); // the socket buffer is full: wake when the peer has read some
        }
        traffic.sent.add(total);
    }

    /** For the sender only (send is synchronized): wakes when the socket can take more bytes. */
    private volatile Selector writeSelector;

    private void awaitWritable(long millis) throws IOException {
        if (writeSelector == null) {
            Selector w = Selector.open();
            writeSelector = w;
            try {
                socket.register(w, SelectionKey.OP_WRITE);
            } catch (IOException | RuntimeException e) { // closed meanwhile
                w.close();
                throw e;
            }
            if (!socket.isOpen()) { // close() may have missed it
                w.close();
                throw new java.nio.channels.ClosedChannelException();
            }
        }
        writeSelector.select(Math.max(1, millis));
        writeSelector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) throw new java.io.InterruptedIOException("interrupted while sending");
    }

    /**
     * Limits a heap buffer to the next {@value #IO_WINDOW} bytes for one socket call. NIO copies a
     * heap buffer's whole remaining part into a temporary direct buffer on every call (JDK
     * sun.nio.ch.IOUtil), so writing a large frame unsliced costs O(size^2) copying and pins a
     * frame-sized direct buffer per thread. The caller restores the limit (always the capacity).
     */
    private static ByteBuffer window(ByteBuffer b) {
        return b.limit((int) Math.min(b.capacity(), (long) b.position() + IO_WINDOW));
    }

    /**
     * Receives one frame, waiting at most {@code timeoutMillis} for it to begin (&lt; 0: forever).
     * Returns null at end of stream before a frame begins. The length is checked against the cap
     * before anything is allocated for the frame.
     */
    Frame receive(long timeoutMillis) throws IOException {
        if (!buffer(4, timeoutMillis, true)) return null;
        int len = in.getInt();
        long cap = authenticated ? maxFrame : PRE_AUTH_MAX;
        if (len < 1 || len > cap) {
            throw new ProtocolException("frame length " + len + " outside [1, " + cap + "]"
                    + (authenticated ? "" : " before authentication") + ": connection dropped, nothing allocated");
        }
        traffic.received.add(4L + len);
        if (len <= BUFFER) {
            buffer(len, FRAME_STALL_MILLIS, false);
            byte type = in.get();
            byte[] payload = new byte[len - 1];
            in.get(payload);
            return new Frame(type, payload);
        }
        buffer(1, FRAME_STALL_MILLIS, false);
        byte type = in.get();
        byte[] payload = new byte[len - 1];
        int buffered = Math.min(in.remaining(), payload.length);
        in.get(payload, 0, buffered);
        ByteBuffer rest = ByteBuffer.wrap(payload, buffered, payload.length - buffered).slice();
        fill(rest);
        return new Frame(type, payload);
    }

    /**
     * Whether a whole frame is already received and waits to be parsed, so that {@link #receive}
     * returns it without a system call (for tests and diagnostics).
     */
    boolean hasBufferedFrame() {
        if (in.remaining() < 4) return false;
        int len = in.getInt(in.position());
        return len >= 1 && len <= in.remaining() - 4;
    }

    /**
     * Reads until at least {@code n} (at most {@link #BUFFER}) bytes are buffered; false at end of
     * stream before the first byte of a frame when {@code eofOk}.
     */
    private boolean buffer(int n, long timeoutMillis, boolean eofOk) throws IOException {
        if (in.remaining() >= n) return true;
        boolean started = !eofOk || in.hasRemaining(); // a frame's body: it began with its length
        in.compact(); // write mode: the unparsed bytes moved to the front
        try {
            long deadline = timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000L;
            while (in.position() < n) {
                int got = socket.read(in);
                if (got < 0) {
                    if (!started && eofOk) return false;
                    throw new ProtocolException("truncated frame: the peer closed mid-frame");
                }
                if (got > 0) {
                    started = true;
                    if (timeoutMillis >= 0 && !eofOk) deadline = System.nanoTime() + timeoutMillis * 1_000_000L; // progress
                    continue;
                }
                awaitReadable(deadline, timeoutMillis, started);
            }
            return true;
        } finally {
            in.flip(); // read mode again
        }
    }

    /** Fills b, the tail of a frame longer than the buffer, straight from the socket. */
    private void fill(ByteBuffer b) throws IOException {
        long deadline = System.nanoTime() + FRAME_STALL_MILLIS * 1_000_000L;
        while (b.hasRemaining()) {
            int n = socket.read(window(b));
            b.limit(b.capacity());
            if (n < 0) throw new ProtocolException("truncated frame: the peer closed mid-frame");
            if (n > 0) {
                deadline = System.nanoTime() + FRAME_STALL_MILLIS * 1_000_000L; // progress
                continue;
            }
            awaitReadable(deadline, FRAME_STALL_MILLIS, true);
        }
    }

    /** Waits for bytes until {@code deadline}; a frame that never began is {@link Silent}, one that stalled is broken. */
    private void awaitReadable(long deadline, long timeoutMillis, boolean started) throws IOException {
        long left = deadline == Long.MAX_VALUE ? 0 : (deadline - System.nanoTime()) / 1_000_000L;
        if (deadline != Long.MAX_VALUE && left <= 0) {
            if (!started) throw new Silent(timeoutMillis);
            throw new ProtocolException("peer stalled mid-frame for " + timeoutMillis + " ms");
        }
        selector.select(deadline == Long.MAX_VALUE ? 0 : Math.max(1, left));
        selector.selectedKeys().clear();
        if (Thread.currentThread().isInterrupted()) { // (select returns at once while the flag is set)
            throw new java.io.InterruptedIOException("interrupted while waiting for a frame");
        }
    }

    boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        // after the socket: a sender that opens its selector later finds the socket closed
        Selector w = writeSelector;
        if (w != null) {
            try {
                w.close(); // wakes a sender blocked in it
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
