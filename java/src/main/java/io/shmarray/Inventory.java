package io.shmarray;

import io.shmarray.internal.Backend;
import io.shmarray.internal.Backends;
import io.shmarray.internal.NativeErrors;
import io.shmarray.internal.Platform;
import io.shmarray.internal.SegmentHeader;
import io.shmarray.internal.SegmentHeaderDescriptor;
import io.shmarray.internal.TrustedPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What shmarray segments exist in /dev/shm, who owns them and who has them mapped — the API behind
 * {@code java -jar shmarray.jar ls | inspect NAME | sweep}. Headers are read with plain file reads,
 * never mapped, so a damaged or shrinking segment cannot hurt the caller.
 *
 * <pre>{@code
 * for (Inventory.Segment s : Inventory.list()) System.out.println(s);
 * }</pre>
 */
public final class Inventory {

    private static final Path DEV_SHM = NativeErrors.DEV_SHM;

    private Inventory() {}

    /**
     * One shmarray segment as found in /dev/shm.
     *
     * @param name segment name
     * @param dtype element type, or null when the header is not ready or corrupt
     * @param shape extents (empty when unknown)
     * @param segmentBytes size of the segment file
     * @param dataBytes bytes of element data, or -1 when unknown
     * @param ownerPid the owner's pid (creator, or adopter), or 0 when unknown
     * @param ownerAlive whether that process (pid and start time) still runs; false also when it
     *        lives in another pid namespace ({@code ownerElsewhere})
     * @param persistent PERSISTENT flag
     * @param poisoned POISONED flag
     * @param problem null for a valid published header, else what is wrong ("not ready", a bad field)
     * @param attachers pids mapping it now, where /proc tells (processes of other users are not seen)
     * @param ownerElsewhere the owner lives in another pid namespace (another container sharing
     *        /dev/shm): its pid means nothing here, its liveness cannot be judged, and no sweep
     *        or reaper of this namespace removes the segment
     */
    public record Segment(String name, DType dtype, long[] shape, long segmentBytes, long dataBytes, long ownerPid,
            boolean ownerAlive, boolean persistent, boolean poisoned, String problem, List<Long> attachers,
            boolean ownerElsewhere) {

        @Override
        public String toString() {
            return String.format("%-28s %-7s %-16s %10s owner=%-7s %-5s %s%s%s attachers=%s", name,
                    dtype == null ? "?" : dtype.numpyName(), Arrays.toString(shape),
                    NativeErrors.formatBytes(segmentBytes), ownerPid == 0 ? "?" : Long.toString(ownerPid),
                    ownerElsewhere ? "in another pid namespace" : ownerAlive ? "alive" : "gone", persistent ? "persistent" : "owner-scoped",
                    poisoned ? " POISONED" : "", problem == null ? "" : " [" + problem + "]", attachers);
        }
    }

    /**
     * Every shmarray segment of this user in /dev/shm, by name. Files of other users (even ones this
     * process could read, as root can) and files without a shmarray header are skipped.
     *
     * @return the segments, sorted by name; damaged ones say what is wrong in {@link Segment#problem()}
     * @throws ShmException when /dev/shm cannot be listed
     */
    public static List<Segment> list() {
        Map<String, List<Long>> attachers = attachers();
        List<Segment> out = new ArrayList<>();
        Set<Path> sorted = new TreeSet<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(DEV_SHM)) {
            for (Path p : dir) sorted.add(p);
        } catch (IOException e) {
            throw new ShmException("cannot list " + DEV_SHM + ": " + e, 0, null);
        }
        for (Path p : sorted) read(p, attachers).ifPresent(out::add);
        return out;
    }

    /**
     * One segment of this user by name, if it carries a shmarray header.
     *
     * @param name the segment name (a leading '/' is dropped)
     * @return the segment, or empty when this user has no shmarray segment of that name (or it is
     *     still being created)
     * @throws IllegalArgumentException when {@code name} is not a valid segment name
     */
    public static Optional<Segment> inspect(String name) {
        String n = io.shmarray.internal.Names.check(name);
        return read(DEV_SHM.resolve(n), attachers());
    }

    /**
     * Runs the sweep now: removes segments whose owner is gone and that are not persistent.
     *
     * @param dryRun true to report what would be removed without removing anything
     * @return the sweep's report, one line per decision
     */
    public static String sweep(boolean dryRun) {
        return io.shmarray.internal.Attachments.sweep(dryRun);
    }

    private static Optional<Segment> read(Path p, Map<String, List<Long>> attachers) {
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) return Optional.empty();
        try {
            // another user's segment is not ours to list, even when we can read it (root, mode 0644)
            if ((Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) != TrustedPaths.currentUid()) {
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone
        }
        byte[] h = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        long size;
        try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            size = ch.size();
            ByteBuffer bb = ByteBuffer.wrap(h);
            while (size >= h.length && bb.hasRemaining() && ch.read(bb) > 0) {
                // read the whole header
            }
            if (size < h.length || bb.hasRemaining()) {
                if (size == 0 && young(p)) return Optional.empty(); // being created: not allocated yet
                return damaged(p, size, "shorter than a header", attachers);
            }
        } catch (IOException | SecurityException e) {
            return Optional.empty(); // another user's, or gone
        }
        ByteBuffer le = ByteBuffer.wrap(h).order(ByteOrder.nativeOrder());
        long magic = le.getLong(SegmentHeaderDescriptor.MAGIC_OFFSET);
        if (magic != SegmentHeaderDescriptor.MAGIC) {
            if (magic == 0 && young(p)) return Optional.empty(); // being created: not written yet
            return damaged(p, size, "no shmarray header (overwritten, or not made by shmarray)", attachers);
        }
        Backend b = Backends.get();
        String name = p.getFileName().toString();
        long ownerPid = le.getLong(SegmentHeaderDescriptor.CREATOR_PID_OFFSET);
        long ownerStart = le.getLong(SegmentHeaderDescriptor.CREATOR_START_TIME_OFFSET);
        long ownerPidns = le.getLong(SegmentHeaderDescriptor.CREATOR_PIDNS_OFFSET);
        boolean elsewhere = !Platform.isOurPidNamespace(ownerPidns);
        boolean thisBoot = Platform.isThisBoot(le.getLong(SegmentHeaderDescriptor.CREATOR_BOOT_OFFSET));
        boolean alive = !elsewhere && thisBoot && ownerPid > 0 && ownerPid <= Integer.MAX_VALUE
                && b.processAlive((int) ownerPid, ownerStart) == 1;
        int flags = le.getInt(SegmentHeaderDescriptor.FLAGS_OFFSET);
        List<Long> pids = attachers.getOrDefault(name, List.of());
        int rc = b.validateHeader(h, h.length, size);
        if (rc != 0) {
            String problem = rc == -NativeErrors.E_NOT_READY ? "not ready"
                    : "bad " + SegmentHeaderDescriptor.fieldOf(-rc);
            return Optional.of(new Segment(name, null, new long[0], size, -1, ownerPid, alive,
                    (flags & SegmentHeaderDescriptor.FLAG_PERSISTENT) != 0, false, problem, pids, elsewhere));
        }
        SegmentHeader header = SegmentHeaderDescriptor.read(h);
        return Optional.of(new Segment(name, header.dtype(), header.shape(), size, header.dataLength(), ownerPid, alive,
                header.persistent(), header.poisoned(), null, pids, elsewhere));
    }

    /** A segment younger than this that is still empty or zero is being created, not damaged. */
    static final long CREATE_GRACE_MILLIS = 5_000; // SHMARRAY_CREATE_GRACE_SECONDS

    private static boolean young(Path p) {
        try {
            return System.currentTimeMillis() - Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis()
                    < CREATE_GRACE_MILLIS;
        } catch (IOException e) {
            return true; // gone: nothing to report
        }
    }

    /**
     * A file of this user named like a shmarray segment whose header cannot be read: listed as
     * damaged (its owner unknown) rather than hidden; other files without a header are not ours to
     * list.
     */
    private static Optional<Segment> damaged(Path p, long size, String why, Map<String, List<Long>> attachers) {
        String name = p.getFileName().toString();
        if (!name.startsWith(io.shmarray.internal.Names.PREFIX)) return Optional.empty();
        return Optional.of(new Segment(name, null, new long[0], size, -1, 0, false, false, false, "damaged: " + why,
                attachers.getOrDefault(name, List.of()), false));
    }

    /** name -> pids that map /dev/shm/name, from /proc/PID/maps (what this user may read). */
    private static Map<String, List<Long>> attachers() {
        Map<String, List<Long>> out = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), e -> e.getFileName().toString()
                .chars().allMatch(Character::isDigit))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                Set<String> names = new TreeSet<>();
                try (BufferedReader r = Files.newBufferedReader(proc.resolve("maps"), StandardCharsets.UTF_8)) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        int at = line.indexOf(" /dev/shm/");
                        if (at < 0) continue;
                        String rest = line.substring(at + 10);
                        if (rest.endsWith(" (deleted)")) continue;
                        names.add(rest);
                    }
                } catch (IOException | RuntimeException e) {
                    continue; // gone, or not ours to read
                }
                for (String n : names) out.computeIfAbsent(n, k -> new ArrayList<>()).add(pid);
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
