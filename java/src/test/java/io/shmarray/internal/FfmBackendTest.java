package io.shmarray.internal;

import io.shmarray.testing.TestSupport;

/** The backend contract on java.lang.foreign (JDK 22+, from the packaged jar). */
class FfmBackendTest extends BackendContract {
    @Override
    Backend backend() throws Exception {
        if (Runtime.version().feature() < 22) {
            TestSupport.skip("FFM backend needs JDK 22+; this lane runs JDK " + Runtime.version().feature()
                    + " (the ffm lane covers it)");
        }
        return Backends.forTesting("ffm");
    }
}
