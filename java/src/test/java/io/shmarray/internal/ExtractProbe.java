package io.shmarray.internal;

import java.nio.file.Path;

/** Child-JVM entry point for the concurrent extraction test: extracts into args[0], prints the path. */
public final class ExtractProbe {
    private ExtractProbe() {}

    public static void main(String[] args) throws Exception {
        Path p = NativeLibraryLoader.extractBundled(ExtractProbe.class.getClassLoader(),
                Platform.resourcePath(Platform.key()), Path.of(args[0]));
        System.out.println("EXTRACTED " + p);
    }
}
