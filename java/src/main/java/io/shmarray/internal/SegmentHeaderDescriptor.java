package io.shmarray.internal;

import io.shmarray.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Layout of the 512-byte segment header, mirroring {@code struct shmarray_header} in
 * {@code native/include/shmarray.h} field for field (the C side asserts these offsets with
 * {@code _Static_assert}; {@code SegmentHeaderDescriptorTest} checks this side against headers
 * the C code wrote). All fields are in native byte order.
 *
 * <pre>
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +---------------------------------------------------------------+
 *   |                     magic "SHMARRAY" (u64)                    |   0
 *   +-------------------------------+-------------------------------+
 *   |       format_version (u32)    |  state (u32, release-stored)  |   8
 *   +-------------------------------+-------------------------------+
 *   |        header_size (u32)      |          dtype (u32)          |  16
 *   +-------------------------------+---------------+---------------+
 *   |           rank (u32)          | byte_order u8 |  reserved0 x3 |  24
 *   +-------------------------------+---------------+---------------+
 *   |  creation_mode (u32, 0600)    |          flags (u32)          |  32
 *   +-------------------------------+-------------------------------+
 *   |                       generation (u64)                        |  40
 *   |                 data_offset (u64, page-aligned)               |  48
 *   |              data_length (u64, exact logical bytes)           |  56
 *   |                      creator_pid (i64)                        |  64
 *   |     creator_start_time (u64, clock ticks after boot, /proc)   |  72
 *   |                shape[MAX_RANK] (i64 each)                     |  80..143
 *   |        segment_id (u64, random, never 0: this segment only)   | 144
 *   |   creator_pidns (u64, inode of the owner's pid namespace)     | 152
 *   |   creator_boot (u64, digest of the owner's boot id)           | 160
 *   |                    reserved1 (88 bytes, zero)                 | 168..255
 *   |         lock (128 bytes, reserved for a process-shared lock)  | 256..383
 *   |                    reserved2 (128 bytes, zero)                | 384..511
 *   +---------------------------------------------------------------+
 * </pre>
 *
 * The creator stores {@code state = READY} last with release semantics; nothing else may be
 * trusted before an acquire load has seen it. The native validator ({@code
 * shmarray_header_validate}) checks every field; {@link #fieldOf(int)} names the field behind each
 * of its error codes.
 */
public final class SegmentHeaderDescriptor {

    public static final int HEADER_SIZE = 512;
    public static final long MAGIC = 0x59415252414D4853L; // "SHMARRAY" little-endian
    public static final int FORMAT_VERSION = 1;
    public static final int MAX_RANK = 8;

    public static final int MAGIC_OFFSET = 0;
    public static final int FORMAT_VERSION_OFFSET = 8;
    public static final int STATE_OFFSET = 12;
    public static final int HEADER_SIZE_OFFSET = 16;
    public static final int DTYPE_OFFSET = 20;
    public static final int RANK_OFFSET = 24;
    public static final int BYTE_ORDER_OFFSET = 28;
    public static final int CREATION_MODE_OFFSET = 32;
    public static final int FLAGS_OFFSET = 36;
    public static final int GENERATION_OFFSET = 40;
    public static final int DATA_OFFSET_OFFSET = 48;
    public static final int DATA_LENGTH_OFFSET = 56;
    public static final int CREATOR_PID_OFFSET = 64;
    public static final int CREATOR_START_TIME_OFFSET = 72;
    public static final int SHAPE_OFFSET = 80;
    public static final int SEGMENT_ID_OFFSET = 144;
    public static final int CREATOR_PIDNS_OFFSET = 152;
    public static final int CREATOR_BOOT_OFFSET = 160;
    public static final int RESERVED1_OFFSET = 168;
    public static final int LOCK_OFFSET = 256;
    public static final int LOCK_SIZE = 128;
    public static final int RESERVED2_OFFSET = 384;

    public static final int STATE_INITIALISING = 0;
    public static final int STATE_READY = 1;
    public static final int BYTE_ORDER_LITTLE = 1;
    public static final int BYTE_ORDER_BIG = 2;
    public static final int FLAG_PERSISTENT = 0x1;
    public static final int FLAG_POISONED = 0x2;

    private SegmentHeaderDescriptor() {}

    /** Decodes a header the native code has validated (a copy, so no ordering concerns). */
    public static SegmentHeader read(byte[] header) {
        if (header.length < HEADER_SIZE) {
            throw new IllegalArgumentException("header.length=" + header.length + ", must be >= " + HEADER_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(header).order(ByteOrder.nativeOrder());
        int rank = b.getInt(RANK_OFFSET);
        if (rank < 0 || rank > MAX_RANK) {
            throw new IllegalArgumentException("rank=" + rank + " in an unvalidated header");
        }
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) shape[i] = b.getLong(SHAPE_OFFSET + 8 * i);
        return new SegmentHeader(
                b.getInt(FORMAT_VERSION_OFFSET),
                DType.ofCode(b.getInt(DTYPE_OFFSET)),
                shape,
                b.getInt(FLAGS_OFFSET),
                b.getLong(GENERATION_OFFSET),
                b.getLong(DATA_OFFSET_OFFSET),
                b.getLong(DATA_LENGTH_OFFSET),
                b.getLong(CREATOR_PID_OFFSET),
                b.getLong(CREATOR_START_TIME_OFFSET),
                b.getInt(CREATION_MODE_OFFSET),
                b.getLong(SEGMENT_ID_OFFSET));
    }

    /**
     * The header field a validation code (positive {@code SHMARRAY_E_*}) refers to, or
     * {@code null} when the code is not about a header field.
     */
    public static String fieldOf(int code) {
        switch (code) {
            case NativeErrors.E_BAD_MAGIC: return "magic";
            case NativeErrors.E_BAD_VERSION: return "format_version";
            case NativeErrors.E_BAD_HEADER_SIZE: return "header_size";
            case NativeErrors.E_NOT_READY:
            case NativeErrors.E_BAD_STATE: return "state";
            case NativeErrors.E_BAD_DTYPE: return "dtype";
            case NativeErrors.E_BAD_RANK: return "rank";
            case NativeErrors.E_BAD_SHAPE: return "shape";
            case NativeErrors.E_BAD_BYTE_ORDER: return "byte_order";
            case NativeErrors.E_BAD_DATA_OFFSET: return "data_offset";
            case NativeErrors.E_BAD_DATA_LENGTH: return "data_length";
            case NativeErrors.E_BAD_CREATOR: return "creator_pid";
            case NativeErrors.E_BAD_FLAGS: return "flags";
            case NativeErrors.E_TRUNCATED: return "header_size (segment shorter than a header)";
            case NativeErrors.E_BAD_RESERVED: return "reserved";
            case NativeErrors.E_BAD_SEGMENT_ID: return "segment_id";
            default: return null;
        }
    }
}
