/**
 * shmarray: native-backed shared-memory arrays that other processes attach by name and use in
 * place, and a process runtime (worker JVMs, pool, queues, locks) in which shared arrays travel
 * as handles. {@link io.shmarray} holds the arrays and synchronisation primitives,
 * {@link io.shmarray.runtime} the processes and the pool.
 *
 * <p>On JDK 17-21 the JNA backend needs JNA: on the module path add it and
 * {@code --add-modules com.sun.jna} (it is an optional dependency of this module); JDK 22+ uses
 * {@code java.lang.foreign} and needs no JNA. Either way grant native access:
 * {@code --enable-native-access=io.shmarray}.
 */
module io.shmarray {
    exports io.shmarray;
    exports io.shmarray.runtime;

    requires java.management;     // WorkerOptions.withParentJvmOptions (this JVM's input arguments)
    requires jdk.net;             // SO_PEERCRED: the worker channel's peer check
    requires jdk.unsupported;     // sun.misc.Unsafe: element access on JDK 17-21
    requires static jdk.jfr;      // the runtime's JFR events, recorded when the module is present
    requires static com.sun.jna;  // the JNA backend, JDK 17-21 only

    opens io.shmarray.internal to com.sun.jna; // Native.register binds the shim's functions here
}
