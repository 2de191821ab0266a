package io.shmarray.cluster.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cluster secret: every envelope and every reply carries an HMAC-SHA256 over its bytes under
 * it, checked before anything in it is decoded. Hazelcast's Community Edition has no TLS or
 * member authentication, so this is what keeps a stranger on the network from running code in
 * (or reading arrays of) a shmarray cluster; it does not hide the bytes (private network only).
 */
public final class ClusterSecret {

    /** HMAC-SHA256 tag length in bytes. */
    public static final int TAG_BYTES = 32;
    private static final int MIN_BYTES = 16;

    private final byte[] key;
    /** One initialised Mac per thread: looking one up and keying it costs more than the tag. */
    private final ThreadLocal<Mac> macs;

    private ClusterSecret(byte[] key) {
        this.key = key;
        this.macs = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 unavailable", e);
            }
        });
    }

    /**
     * A secret from raw bytes.
     *
     * @param key at least 16 bytes
     * @return the secret (a copy of {@code key})
     * @throws IllegalArgumentException when the key is shorter than 16 bytes
     */
    public static ClusterSecret of(byte[] key) {
        if (key == null || key.length < MIN_BYTES) {
            throw new IllegalArgumentException("the cluster secret must be at least " + MIN_BYTES + " bytes, got "
                    + (key == null ? "none" : key.length));
        }
        return new ClusterSecret(key.clone());
    }

    /**
     * Reads a secret file (its bytes, surrounding whitespace of a text file removed), refusing one
     * that other users can read.
     *
     * @param file the file
     * @return the secret
     * @throws IllegalArgumentException when it cannot be read, is readable by group or others, or is too short
     */
    public static ClusterSecret fromFile(Path file) {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                throw new IllegalArgumentException("cluster secret file " + file + " is readable by other users ("
                        + java.nio.file.attribute.PosixFilePermissions.toString(p) + "): chmod 600 it");
            }
            byte[] b = Files.readAllBytes(file);
            String text = new String(b, StandardCharsets.ISO_8859_1).strip();
            return of(text.getBytes(StandardCharsets.ISO_8859_1));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot read cluster secret file " + file + ": " + e, e);
        }
    }

    /**
     * The tag of the concatenated parts.
     *
     * @param parts the bytes to authenticate, in order
     * @return the 32-byte HMAC-SHA256
     */
    public byte[] tag(byte[]... parts) {
        Mac mac = macs.get();
        mac.reset();
        for (byte[] p : parts) mac.update(p);
        return mac.doFinal();
    }

    /**
     * Whether {@code tag} is the tag of the parts (constant time).
     *
     * @param tag the tag received
     * @param parts the bytes it should authenticate
     * @return true when it does
     */
    public boolean verify(byte[] tag, byte[]... parts) {
        return tag != null && MessageDigest.isEqual(tag, tag(parts));
    }

    /** {@return the secret's first bytes' digest, to tell secrets apart in logs without showing them} */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key);
            return java.util.HexFormat.of().formatHex(Arrays.copyOf(d, 4));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
