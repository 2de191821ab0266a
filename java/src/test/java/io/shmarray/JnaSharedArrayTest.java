package io.shmarray;

/** The shared-array conformance suite on the JNA backend (lanes jna-jdk17 and jna-forced). */
class JnaSharedArrayTest extends SharedArrayContract {
    @Override
    String backend() {
        return "jna";
    }
}
