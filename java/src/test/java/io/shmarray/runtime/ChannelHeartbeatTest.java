package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's heartbeats never block on a parent that is not reading (an idle slot, a standby):
 * once the socket is full they are skipped, the stream stays whole, and they resume when it drains.
 * (A blocking heartbeat stalled 30 s, threw, and ended the heartbeats: the worker was later killed
 * as hung.)
 */
class ChannelHeartbeatTest {

    @Test
    @Timeout(60)
    void heartbeatsToAParentThatDoesNotReadAreSkippedNotBlocked(@TempDir Path dir) throws Exception {
        Path sock = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            client.connect(UnixDomainSocketAddress.of(sock));
            try (SocketChannel parent = server.accept(); Channel worker = new Channel(client, 1 << 20)) {
                int sent = 0;
                long t0 = System.nanoTime();
                while (worker.trySendHeartbeat()) {
                    sent++;
                    assertTrue(sent < 10_000_000, "the socket never filled up");
                }
                assertTrue(sent > 10, "only " + sent + " heartbeats fit");
                for (int i = 0; i < 100; i++) assertTrue(!worker.trySendHeartbeat(), "a full socket took a heartbeat");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertTrue(ms < 10_000, "filling and skipping took " + ms + " ms: it blocked");
                // the parent reads: every frame is a whole heartbeat, and the next one goes out again
                ByteBuffer b = ByteBuffer.allocate(5 * sent);
                while (b.hasRemaining()) parent.read(b);
                b.flip();
                for (int i = 0; i < sent; i++) {
                    assertEquals(1, b.getInt(), "frame " + i + " length");
                    assertEquals(Channel.HEARTBEAT, b.get(), "frame " + i + " type");
                }
                assertTrue(worker.trySendHeartbeat(), "heartbeats resume once the parent reads");
            }
        }
    }
}
