package io.shmarray.cluster.internal;

import io.shmarray.cluster.ClusterAuthenticationException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A signed request between members, and its signed reply.
 *
 * <pre>
 * request: tag[32] kind[1] poolId[8] driver[UTF] target[UTF] millis[8] nonce[16] payload[rest]
 *          tag = HMAC(secret, "shmarray-request", bytes after the tag)
 * reply:   tag[32] status[1] body[rest]
 *          tag = HMAC(secret, "shmarray-reply", request tag, bytes after the tag); all zero when REFUSED
 * </pre>
 *
 * The labels keep a request tag from ever being a reply tag; a reply is bound to its request; a
 * request names its target member, carries its time and a random nonce, and a member accepts a
 * nonce once within {@value #WINDOW_MILLIS} ms of its time (so members' clocks must agree within
 * that): a recorded frame cannot be replayed, nor sent to another member. A refused frame gets an
 * unsigned reply, so nothing an outsider sends is ever signed.
 */
final class Frame {

    /** What a request asks. */
    enum Kind { TASK, CHUNK, READ, INIT, RELEASE }

    /** Reply statuses. */
    static final byte OK = 0;
    static final byte FAILED = 1;
    static final byte REFUSED = 2;

    static final long WINDOW_MILLIS = 120_000;
    private static final byte[] REQUEST = "shmarray-request".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REPLY = "shmarray-reply".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom NONCES = new SecureRandom();

    final Kind kind;
    final long poolId;
    final String driver;
    final byte[] payload;
    final byte[] tag;

    private Frame(Kind kind, long poolId, String driver, byte[] payload, byte[] tag) {
        this.kind = kind;
        this.poolId = poolId;
        this.driver = driver;
        this.payload = payload;
        this.tag = tag;
    }

    static byte[] request(ClusterSecret secret, Kind kind, long poolId, String driver, String target, byte[] payload) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream(payload.length + 128);
            DataOutputStream out = new DataOutputStream(b);
            out.writeByte(kind.ordinal());
            out.writeLong(poolId);
            out.writeUTF(driver);
            out.writeUTF(target);
            out.writeLong(System.currentTimeMillis());
            byte[] nonce = new byte[16];
            NONCES.nextBytes(nonce);
            out.write(nonce);
            out.write(payload);
            out.flush();
            byte[] body = b.toByteArray();
            return concat(secret.tag(REQUEST, body), body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nonces accepted within the window: a replayed request is refused. */
    static final class ReplayGuard {
        private final Map<ByteBuffer, Long> seen = new ConcurrentHashMap<>();
        private volatile long lastPrune;

        boolean firstTime(byte[] nonce, long millis) {
            long now = System.currentTimeMillis();
            if (now - lastPrune > 1000) { // at most once a second: what left the window cannot come back
                lastPrune = now;
                for (Iterator<Long> it = seen.values().iterator(); it.hasNext();) {
                    if (it.next() < now - WINDOW_MILLIS - 1000) it.remove();
                }
            }
            return seen.putIfAbsent(ByteBuffer.wrap(nonce), millis) == null;
        }
    }

    /** The request, once its tag, target, time and nonce checked out. */
    static Frame read(ClusterSecret secret, byte[] frame, String self, ReplayGuard guard) {
        if (frame == null || frame.length < ClusterSecret.TAG_BYTES + 37) {
            throw new ClusterAuthenticationException("a frame of " + (frame == null ? 0 : frame.length) + " bytes: too short");
        }
        byte[] tag = Arrays.copyOf(frame, ClusterSecret.TAG_BYTES);
        byte[] body = Arrays.copyOfRange(frame, ClusterSecret.TAG_BYTES, frame.length);
        if (!secret.verify(tag, REQUEST, body)) {
            throw new ClusterAuthenticationException("a request failed its HMAC check: the sender has another cluster secret"
                    + " (this member's is " + secret.fingerprint() + "), or the frame was altered");
        }
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body));
            int k = in.readUnsignedByte();
            if (k >= Kind.values().length) throw new ClusterAuthenticationException("unknown request kind " + k);
            long poolId = in.readLong();
            String driver = in.readUTF();
            String target = in.readUTF();
            long millis = in.readLong();
            byte[] nonce = new byte[16];
            in.readFully(nonce);
            if (!target.equals(self)) {
                throw new ClusterAuthenticationException("a request for member " + target + " reached member " + self);
            }
            if (Math.abs(System.currentTimeMillis() - millis) > WINDOW_MILLIS) {
                throw new ClusterAuthenticationException("a request " + (System.currentTimeMillis() - millis) + " ms old (or"
                        + " ahead): members' clocks must agree within " + WINDOW_MILLIS / 1000 + " s");
            }
            if (!guard.firstTime(nonce, millis)) throw new ClusterAuthenticationException("a replayed request");
            byte[] payload = in.readAllBytes();
            return new Frame(Kind.values()[k], poolId, driver, payload, tag);
        } catch (IOException e) {
            throw new ClusterAuthenticationException("a signed request is malformed: " + e);
        }
    }

    static byte[] tagOf(byte[] request) {
        return Arrays.copyOf(request, ClusterSecret.TAG_BYTES);
    }

    static byte[] reply(ClusterSecret secret, byte[] requestTag, byte status, byte[] body) {
        byte[] rest = new byte[1 + body.length];
        rest[0] = status;
        System.arraycopy(body, 0, rest, 1, body.length);
        return concat(secret.tag(REPLY, requestTag, rest), rest);
    }

    /** The reply to a refused frame: not signed (an outsider's bytes are never signed). */
    static byte[] refused(String why) {
        byte[] body = why.getBytes(StandardCharsets.UTF_8);
        byte[] rest = new byte[1 + body.length];
        rest[0] = REFUSED;
        System.arraycopy(body, 0, rest, 1, body.length);
        return concat(new byte[ClusterSecret.TAG_BYTES], rest);
    }

    /** A checked reply: its status and body. */
    record Reply(byte status, byte[] body) {}

    static Reply readReply(ClusterSecret secret, byte[] requestTag, byte[] reply, String from) {
        if (reply == null || reply.length < ClusterSecret.TAG_BYTES + 1) {
            throw new ClusterAuthenticationException("a reply from " + from + " is too short");
        }
        byte[] tag = Arrays.copyOf(reply, ClusterSecret.TAG_BYTES);
        byte[] rest = Arrays.copyOfRange(reply, ClusterSecret.TAG_BYTES, reply.length);
        if (!secret.verify(tag, REPLY, requestTag, rest)) {
            String said = rest[0] == REFUSED ? ": it refused the request (unsigned: \""
                    + new String(rest, 1, Math.min(rest.length - 1, 300), StandardCharsets.UTF_8) + "\")" : "";
            throw new ClusterAuthenticationException("the reply from " + from + " failed its HMAC check" + said + "; that member"
                    + " has another cluster secret (this one's is " + secret.fingerprint() + "), or the reply was altered");
        }
        return new Reply(rest[0], Arrays.copyOfRange(rest, 1, rest.length));
    }

    static byte[] concat(byte[] a, byte[] b) {
        return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
    }
}
