package io.shmarray.internal;

import java.lang.ref.Reference;

/**
 * The live header page of one mapped segment: the one owner of every read and write of header
 * words after creation — flags (persistent, poisoned), the owner identity, the lock area and the
 * futex words — so that nothing else touches header bytes directly (the immutable fields are read
 * once, at attach, into {@link SegmentHeader}).
 *
 * <p><b>Memory ordering:</b> every live word is read and written with volatile semantics (flags by
 * atomic read-modify-write), matching the C side's {@code __atomic} sequentially consistent
 * accesses; a word that belongs to a group (the owner identity: start time, pid namespace, boot, pid) is
 * written with the pid last, and readers that see a pid re-read the group before acting on it.
 */
public final class HeaderPage {

    private final MappedRegion region;
    private final Memory m;

    HeaderPage(MappedRegion region) {
        this.region = region;
        this.m = region.memory();
    }

    /** The flag word ({@code FLAG_PERSISTENT}, {@code FLAG_POISONED}). */
    public int flags() {
        return m.getIntVolatile(SegmentHeaderDescriptor.FLAGS_OFFSET / 4);
    }

    /** Sets {@code bits} in the flag word; returns the previous flags. */
    public int setFlags(int bits) {
        return m.getAndBitwiseOrInt(SegmentHeaderDescriptor.FLAGS_OFFSET / 4, bits);
    }

    /** Clears {@code bits} in the flag word; returns the previous flags. */
    public int clearFlags(int bits) {
        return m.getAndBitwiseAndInt(SegmentHeaderDescriptor.FLAGS_OFFSET / 4, ~bits);
    }

    /** The owner pid, as stored now. */
    public long ownerPid() {
        return m.getLongVolatile(SegmentHeaderDescriptor.CREATOR_PID_OFFSET / 8);
    }

    /** The owner's pid namespace, as stored now. */
    public long ownerPidNamespace() {
        return m.getLongVolatile(SegmentHeaderDescriptor.CREATOR_PIDNS_OFFSET / 8);
    }

    /** The owner's boot digest, as stored now (0: unknown). */
    public long ownerBoot() {
        return m.getLongVolatile(SegmentHeaderDescriptor.CREATOR_BOOT_OFFSET / 8);
    }

    /**
     * Makes {@code pid} the owner: start time, namespace and boot first, the pid last, so that a
     * sweep that sees the new pid sees its start time (and one that reads the group torn re-reads it).
     */
    public void writeOwner(long pid, long startTime, long pidNamespace, long boot) {
        m.putLongVolatile(SegmentHeaderDescriptor.CREATOR_START_TIME_OFFSET / 8, startTime);
        m.putLongVolatile(SegmentHeaderDescriptor.CREATOR_PIDNS_OFFSET / 8, pidNamespace);
        m.putLongVolatile(SegmentHeaderDescriptor.CREATOR_BOOT_OFFSET / 8, boot);
        m.putLongVolatile(SegmentHeaderDescriptor.CREATOR_PID_OFFSET / 8, pid);
    }

    /** A copy of the whole header as it is now (for validation). */
    public byte[] copy() {
        byte[] out = new byte[SegmentHeaderDescriptor.HEADER_SIZE];
        m.copyTo(0, out, 0, out.length);
        return out;
    }

    /** Native address of the lock area; keep this page reachable while a native call uses it ({@link #fence}). */
    public long lockAddress() {
        return region.address(SegmentHeaderDescriptor.LOCK_OFFSET);
    }

    /** Keeps the page mapped until this point (call after a native call on one of its addresses). */
    public void fence() {
        Reference.reachabilityFence(m);
    }

    public boolean writable() {
        return region.writable();
    }

    void release() {
        region.release();
    }
}
