package io.shmarray.cluster.internal;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializableFactory;
import com.hazelcast.nio.serialization.IdentifiedDataSerializable;
import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * What Hazelcast carries to a member: one signed frame, as an {@link IdentifiedDataSerializable}
 * (created by a registered factory, never by Java serialization or by class name), run by the
 * member's {@link NodeAgent}, which checks the frame's tag before decoding anything in it.
 */
public final class Envelope implements Callable<byte[]>, IdentifiedDataSerializable, HazelcastInstanceAware {

    /** The factory id registered in every shmarray member's serialization config. */
    public static final int FACTORY_ID = 0x53484d41; // "SHMA"
    static final int CLASS_ID = 1;
    /** The key of the member's {@link NodeAgent} in Hazelcast's user context. */
    public static final String AGENT_KEY = "io.shmarray.cluster.agent";

    private byte[] frame;
    private transient NodeAgent agent;

    /** For the factory. */
    public Envelope() {}

    Envelope(byte[] frame) {
        this.frame = frame;
    }

    /** {@return the factory that creates envelopes on a reading member} */
    public static DataSerializableFactory factory() {
        return id -> id == CLASS_ID ? new Envelope() : null;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hz) {
        Object a = hz.getUserContext().get(AGENT_KEY);
        if (a instanceof NodeAgent) agent = (NodeAgent) a;
    }

    @Override
    public byte[] call() {
        if (agent == null) {
            throw new IllegalStateException("this Hazelcast member was not started by shmarray's ClusterNode: it has no agent");
        }
        return agent.handle(frame);
    }

    @Override
    public int getFactoryId() {
        return FACTORY_ID;
    }

    @Override
    public int getClassId() {
        return CLASS_ID;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
        out.writeByteArray(frame);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
        frame = in.readByteArray();
    }
}
