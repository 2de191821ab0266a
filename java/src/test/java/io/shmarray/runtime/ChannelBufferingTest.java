package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ProtocolException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel's buffers: frames queued with {@code sendLater} go out in order with one write, a
 * receiver parses many frames from one read and frames longer than its buffer straight from the
 * socket, frames split at any byte arrive whole, and the length cap is still checked before
 * anything is allocated.
 */
class ChannelBufferingTest {

    /** An authenticated pair: [0] the parent's side, [1] the worker's, and the raw worker socket at [2]. */
    private static Object[] pair(Path dir, long maxFrame) throws Exception {
        Path sock = dir.resolve("s");
        UserPrincipal me = Files.getOwner(dir);
        byte[] secret = Channel.newSecret();
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(sock));
            Channel parent = new Channel(server.accept(), maxFrame);
            Channel worker = new Channel(client, maxFrame);
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    worker.authenticateParent(secret, me, 10_000);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            parent.authenticateWorker(secret, me, 10_000);
            w.get();
            return new Object[] {parent, worker, client};
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    @Timeout(60)
    void queuedFramesGoOutTogetherInOrderAndArriveWhole(@TempDir Path dir) throws Exception {
        Object[] p = pair(dir, 1 << 22);
        try (Channel parent = (Channel) p[0]; Channel worker = (Channel) p[1]) {
            int[] sizes = {0, 1, 100, 5000, Channel.BUFFER - 5, Channel.BUFFER, 3 * Channel.BUFFER + 7, 17, 1 << 21};
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < sizes.length; i++) parent.sendLater(Channel.APPLY, bytes(sizes[i], i));
                    parent.flush();
                    for (int i = 0; i < 1000; i++) parent.sendLater(Channel.TASK, bytes(8, 1000 + i));
                    parent.send(Channel.BYE, new byte[0]); // flushes what was queued before it
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            for (int i = 0; i < sizes.length; i++) {
                Channel.Frame f = worker.receive(10_000);
                assertEquals(Channel.APPLY, f.type, "frame " + i);
                assertArrayEquals(bytes(sizes[i], i), f.payload, "frame " + i + " of " + sizes[i] + " bytes");
            }
            Channel.Frame first = worker.receive(10_000);
            assertArrayEquals(bytes(8, 1000), first.payload);
            // the burst went out in one write and came in with one read: whole frames wait in the buffer
            assertTrue(worker.hasBufferedFrame(), "the rest of the burst was not read with the first frame");
            for (int i = 1; i < 1000; i++) {
                Channel.Frame f = worker.receive(10_000);
                assertEquals(Channel.TASK, f.type);
                assertArrayEquals(bytes(8, 1000 + i), f.payload, "small frame " + i);
            }
            assertEquals(Channel.BYE, worker.receive(10_000).type);
            assertFalse(worker.hasBufferedFrame());
            sender.get();
        }
    }

    @Test
    @Timeout(60)
    void framesSplitAtEveryByteArriveWholeAndTheCapHolds(@TempDir Path dir) throws Exception {
        Object[] p = pair(dir, 1 << 20);
        try (Channel parent = (Channel) p[0]; Channel worker = (Channel) p[1]) {
            SocketChannel raw = (SocketChannel) p[2]; // the worker's socket, written by hand below
            byte[] payload = bytes(300, 7);
            ByteBuffer frame = ByteBuffer.allocate(5 + payload.length).putInt(payload.length + 1).put(Channel.RESULT_OK)
                    .put(payload).flip();
            CompletableFuture<Channel.Frame> got = CompletableFuture.supplyAsync(() -> {
                try {
                    return parent.receive(10_000);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            while (frame.hasRemaining()) { // one byte per write: the reader waits for each
                raw.write(frame.slice(frame.position(), 1));
                frame.position(frame.position() + 1);
                Thread.sleep(frame.position() < 8 ? 5 : 0);
            }
            Channel.Frame f = got.get();
            assertEquals(Channel.RESULT_OK, f.type);
            assertArrayEquals(payload, f.payload);
            assertFalse(parent.hasBufferedFrame());
            // a length over the cap is refused from its 4 bytes, before anything else is read
            raw.write(ByteBuffer.allocate(4).putInt((1 << 20) + 2).flip());
            ProtocolException tooLong = assertThrows(ProtocolException.class, () -> parent.receive(10_000));
            assertTrue(tooLong.getMessage().contains("nothing allocated"), tooLong.getMessage());
        }
    }

    /** A write that fails may have sent part of a frame: the channel closes, so nothing follows it. */
    @Test
    @Timeout(60)
    void aFailedWriteClosesTheChannel(@TempDir Path dir) throws Exception {
        Object[] p = pair(dir, 1 << 22);
        try (Channel parent = (Channel) p[0]; Channel worker = (Channel) p[1]) {
            worker.close();
            assertThrows(java.io.IOException.class, () -> {
                for (int i = 0; i < 64; i++) parent.send(Channel.APPLY, bytes(1 << 20, i));
            });
            assertFalse(parent.isOpen(), "the channel stays closed after a failed write");
            assertThrows(java.io.IOException.class, () -> parent.send(Channel.APPLY, new byte[1]));
        }
    }

    @Test
    @Timeout(60)
    void endOfStreamBetweenFramesIsNullAndInsideOneIsTruncation(@TempDir Path dir) throws Exception {
        Object[] p = pair(dir, 1 << 20);
        Channel parent = (Channel) p[0];
        Channel worker = (Channel) p[1];
        try (parent) {
            worker.sendLater(Channel.RESULT_OK, bytes(10, 1));
            worker.flush();
            worker.close();
            assertArrayEquals(bytes(10, 1), parent.receive(10_000).payload);
            assertNull(parent.receive(10_000), "end of stream between frames");
        }
        Object[] q = pair(Files.createDirectory(dir.resolve("two")), 1 << 20);
        Channel parent2 = (Channel) q[0];
        try (parent2; Channel worker2 = (Channel) q[1]) {
            SocketChannel raw = (SocketChannel) q[2];
            raw.write(ByteBuffer.allocate(6).putInt(100).put(Channel.RESULT_OK).put((byte) 1).flip());
            raw.close();
            ProtocolException cut = assertThrows(ProtocolException.class, () -> parent2.receive(10_000));
            assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        }
    }
}
