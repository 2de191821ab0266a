/**
 * Internal: the native {@link io.shmarray.internal.Backend} and its JNA and FFM implementations,
 * the native library loader, the segment header layout and error mapping. Not an API: anything
 * here may change in any release.
 */
package io.shmarray.internal;
