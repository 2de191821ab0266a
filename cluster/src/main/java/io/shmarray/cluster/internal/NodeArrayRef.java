package io.shmarray.cluster.internal;

import io.shmarray.ArrayHandle;
import java.io.Serializable;

/**
 * How a shared array travels between cluster members: where its data is (node, member, key of
 * the served array) and its handle, used as is only on its own node.
 *
 * @param node the origin node
 * @param member the origin member, which serves the bytes
 * @param key the array's key in the origin's pool state
 * @param handle the array's handle, valid on the origin node only
 * @param byteSize its size in bytes
 */
record NodeArrayRef(String node, String member, String key, ArrayHandle handle, long byteSize) implements Serializable {}
