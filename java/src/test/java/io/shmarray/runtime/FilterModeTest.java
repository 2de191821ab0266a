package io.shmarray.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shmarray.ProtocolException;
import io.shmarray.testing.NoLeaks;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The deny-by-default filter mode ({@code io.shmarray.serialFilter.mode=allowlist}), here and in workers. */
@ExtendWith(NoLeaks.class)
class FilterModeTest {

    private interface Body {
        void run() throws Exception;
    }

    private static void with(String mode, String pattern, Body body) throws Exception {
        String oldMode = System.getProperty(Codec.FILTER_MODE_PROPERTY);
        String oldPattern = System.getProperty(Codec.FILTER_PROPERTY);
        try {
            System.setProperty(Codec.FILTER_MODE_PROPERTY, mode);
            if (pattern == null) System.clearProperty(Codec.FILTER_PROPERTY);
            else System.setProperty(Codec.FILTER_PROPERTY, pattern);
            body.run();
        } finally {
            if (oldMode == null) System.clearProperty(Codec.FILTER_MODE_PROPERTY);
            else System.setProperty(Codec.FILTER_MODE_PROPERTY, oldMode);
            if (oldPattern == null) System.clearProperty(Codec.FILTER_PROPERTY);
            else System.setProperty(Codec.FILTER_PROPERTY, oldPattern);
        }
    }

    private static Object roundTrip(Object o) throws Exception {
        return Codec.decode(Codec.encode(o), 1 << 20);
    }

    @Test
    void allowlistModeDecodesOnlyTheCoreAndWhatTheUserAllows() throws Exception {
        HashMap<String, Integer> map = new HashMap<>(java.util.Map.of("a", 1));
        assertEquals(map, roundTrip(map), "the default mode allows java.util");
        with("allowlist", null, () -> {
            ProtocolException e = assertThrows(ProtocolException.class, () -> roundTrip(map));
            assertTrue(e.getMessage().contains("filter"), e.getMessage());
            assertThrows(ProtocolException.class, () -> roundTrip(new AtomicInteger(3)));
            assertEquals(new ArrayList<>(List.of(1, "two", 3.0)), roundTrip(new ArrayList<>(List.of(1, "two", 3.0))),
                    "the protocol's core decodes");
            assertEquals(42L, roundTrip(42L));
        });
        with("allowlist", "java.util.HashMap;java.util.Map$Entry", () -> assertEquals(map, roundTrip(map),
                "what the user allows decodes (a HashMap reads a Map.Entry[] too)"));
        with("permissive", null, () -> {
            ProtocolException e = assertThrows(ProtocolException.class, () -> roundTrip(1));
            assertTrue(e.getMessage().contains(Codec.FILTER_MODE_PROPERTY), e.getMessage());
        });
    }

    @Test
    @Timeout(120)
    void workersDecodeUnderTheParentsFilter() throws Exception {
        with("allowlist", "!java.util.concurrent.atomic.AtomicInteger", () -> {
            int captured = 6;
            try (WorkerProcess<String> p = WorkerProcess.start(() -> System.getProperty(Codec.FILTER_MODE_PROPERTY) + ","
                    + System.getProperty(Codec.FILTER_PROPERTY) + "," + (captured * 7))) {
                assertEquals("allowlist,!java.util.concurrent.atomic.AtomicInteger,42", p.result());
            }
        });
    }
}
