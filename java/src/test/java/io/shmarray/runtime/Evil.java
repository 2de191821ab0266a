package io.shmarray.runtime;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/** A class whose readObject has a side effect: a forbidden class must never get this far. */
public class Evil implements Serializable {
    private static final long serialVersionUID = 1L;
    final String marker;

    public Evil(String marker) {
        this.marker = marker;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        Files.writeString(Path.of(marker), "pwned");
    }
}
