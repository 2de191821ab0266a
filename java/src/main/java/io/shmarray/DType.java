package io.shmarray;

/**
 * Element types of shared arrays. The {@link #code()} is what the segment header stores
 * ({@code SHMARRAY_DTYPE_*} in {@code shmarray.h}); {@link #numpyName()} is numpy's name for the
 * same layout, so a Python process can map the data with {@code numpy.ndarray(..., dtype=...)}.
 */
public enum DType {
    /** Java {@code byte}: 1 byte, signed; numpy {@code int8}, header code 1. */
    BYTE(1, 1, "int8"),
    /** Java {@code short}: 2 bytes, signed; numpy {@code int16}, header code 2. */
    SHORT(2, 2, "int16"),
    /** Java {@code int}: 4 bytes, signed; numpy {@code int32}, header code 3. */
    INT(3, 4, "int32"),
    /** Java {@code long}: 8 bytes, signed; numpy {@code int64}, header code 4. */
    LONG(4, 8, "int64"),
    /** Java {@code float}: 4-byte IEEE 754; numpy {@code float32}, header code 5. */
    FLOAT(5, 4, "float32"),
    /** Java {@code double}: 8-byte IEEE 754; numpy {@code float64}, header code 6. */
    DOUBLE(6, 8, "float64");

    private final int code;
    private final int byteSize;
    private final String numpyName;

    DType(int code, int byteSize, String numpyName) {
        this.code = code;
        this.byteSize = byteSize;
        this.numpyName = numpyName;
    }

    /** {@return the header's dtype code, 1 to 6} */
    public int code() {
        return code;
    }

    /** {@return the bytes per element: 1, 2, 4 or 8} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return numpy's name for this element type, e.g. {@code "float64"}} */
    public String numpyName() {
        return numpyName;
    }

    /**
     * The type for a header code.
     *
     * @param code a header dtype code, as {@link #code()} returns
     * @return the type with that code
     * @throws IllegalArgumentException for an unknown code
     */
    public static DType ofCode(int code) {
        for (DType t : values()) {
            if (t.code == code) return t;
        }
        throw new IllegalArgumentException("dtype code " + code + " is unknown; known: 1..6");
    }
}
