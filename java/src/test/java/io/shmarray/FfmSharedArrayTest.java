package io.shmarray;

/** The shared-array conformance suite on the FFM backend (lane ffm). */
class FfmSharedArrayTest extends SharedArrayContract {
    @Override
    String backend() {
        return "ffm";
    }
}
