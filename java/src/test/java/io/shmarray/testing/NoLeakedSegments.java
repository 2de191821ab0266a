package io.shmarray.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a new {@code shmarray-*} entry in /dev/shm (and removes it, so one
 * leak does not fail every later test).
 */
public final class NoLeakedSegments implements BeforeEachCallback, AfterEachCallback {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeakedSegments.class);

    public static Set<String> current() {
        try (Stream<Path> s = Files.list(Path.of("/dev/shm"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("shmarray-"))
                    .collect(Collectors.toCollection(HashSet::new));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /dev/shm", e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("before", current());
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        @SuppressWarnings("unchecked")
        Set<String> before = (Set<String>) context.getStore(NS).get("before");
        Set<String> leaked = current();
        leaked.removeAll(before);
        if (!leaked.isEmpty()) {
            List<String> sorted = leaked.stream().sorted().collect(Collectors.toList());
            for (String n : sorted) Files.deleteIfExists(Path.of("/dev/shm", n));
            throw new AssertionError("test left segments in /dev/shm: " + sorted);
        }
    }
}
