package io.shmarray.internal;

import io.shmarray.AccessMode;

/**
 * One segment mapped in this process in one access mode: its descriptor, its header (mapped
 * shared, on its own page) and its data region. Shared by every array object (and view) over the
 * segment in this process, reference-counted by {@link Attachments}.
 */
public final class Attachment {

    final String name;
    final AccessMode mode;
    final SegmentHeader header; // null when raw
    final HeaderPage headerPage; // null when raw
    final MappedRegion data;
    final int fd;
    final Attachments.Key key;
    int refs = 1; // guarded by Attachments.LOCK
    /** How many of {@link #refs} belong to received arrays (see {@link ReceivedArrays}). */
    int receivedRefs; // guarded by Attachments.LOCK
    /** This process created the segment owner-scoped (or adopted it) and must remove the name. */
    boolean owned; // guarded by Attachments.LOCK
    /**
     * This process has seen the segment poisoned (a lock holder died). Plain field: element
     * accesses read it cheaply; lock(), attach and bulk operations refresh it from the header.
     */
    public boolean poisoned;

    Attachment(String name, AccessMode mode, SegmentHeader header, HeaderPage headerPage, MappedRegion data, int fd,
            Attachments.Key key) {
        this.name = name;
        this.mode = mode;
        this.header = header;
        this.headerPage = headerPage;
        this.data = data;
        this.fd = fd;
        this.key = key;
    }

    public String name() {
        return name;
    }

    public AccessMode mode() {
        return mode;
    }

    /** The header read at attach time, or {@code null} for a raw segment. */
    public SegmentHeader header() {
        return header;
    }

    public boolean raw() {
        return header == null;
    }

    /** The live header page, mapped shared (read-write for READ_WRITE attachments), or null when raw. */
    public HeaderPage headerPage() {
        return headerPage;
    }

    /** The open descriptor (for fstat before native calls on a segment that may have shrunk). */
    public int fd() {
        return fd;
    }

    /** The data region: element 0 of the whole array is at offset 0. */
    public MappedRegion data() {
        return data;
    }

    /** Bytes of data: the header's data length, or the segment size for a raw segment. */
    public long dataLength() {
        return data.length();
    }

    @Override
    public String toString() {
        return "Attachment[" + name + ", " + mode + (raw() ? ", raw" : "") + ", " + data.length() + " bytes]";
    }
}
