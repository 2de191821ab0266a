/*
 * Fault injection, compiled in only when SHMARRAY_FAULT_INJECTION is defined (the CMake option
 * of the same name builds a separate libshmarray-fi.so for tests; the shipped library has none).
 *
 * SHMARRAY_FAULTS="point:ERRNO,point:crash,..." makes the named points fail, e.g.
 *   fallocate:ENOSPC   posix_fallocate in create fails with ENOSPC
 *   mmap:ENOMEM        every mapping fails with ENOMEM
 *   shm_open:EMFILE    opening segments fails with EMFILE
 *   fallocate:EINTR*3  the first 3 posix_fallocate calls fail with EINTR, later ones run (any
 *                      point:ERRNO*N fails N times, then passes)
 *   ready:crash        create kills its process after allocating and writing the magic and the
 *                      creator, before publishing the header (state stays INITIALISING)
 */
#ifndef SHMARRAY_FAULT_H
#define SHMARRAY_FAULT_H

#ifdef SHMARRAY_FAULT_INJECTION
/* errno to inject at `point` (or -1 for "crash"), 0 when the point is not armed */
int shmarray_fault_(const char *point);
#define SHMARRAY_FAULT(point) shmarray_fault_(point)
#else
#define SHMARRAY_FAULT(point) 0
#endif

#endif
