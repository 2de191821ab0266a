package io.shmarray.internal;

/** The backend contract on JNA (every JDK). */
class JnaBackendTest extends BackendContract {
    @Override
    Backend backend() throws Exception {
        return Backends.forTesting("jna");
    }
}
