package io.shmarray;

/**
 * Element types of shared arrays. The {@link #code()} is what the segment header stores
 * ({@code SHMARRAY_DTYPE_*} in {@code shmarray.h}); {@link #numpyName()} is numpy's name for the
 * same layout, so a Python process can map the data with {@code numpy.ndarray(..., dtype=...)}.
 */
public enum DType {
    BYTE(1, 1, "int8"),
    SHORT(2, 2, "int16"),
    INT(3, 4, "int32"),
    LONG(4, 8, "int64"),
    FLOAT(5, 4, "float32"),
    DOUBLE(6, 8, "float64");

    private final int code;
    private final int byteSize;
    private final String numpyName;

    DType(int code, int byteSize, String numpyName) {
        this.code = code;
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** The header's dtype code. */
    public int code() {
        return code;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** numpy's name for this element type, e.g. {@code "float64"}. */
    public String numpyName() {
        return numpyName;
    }

    /**
     * The type for a header code.
     *
     * @throws IllegalArgumentException for an unknown code
     */
    public static DType ofCode(int code) {
        for (DType t : values()) {
            if (t.code == code) return t;
        }
        throw new IllegalArgumentException("dtype code " + code + " is unknown; known: 1..6");
    }
}
