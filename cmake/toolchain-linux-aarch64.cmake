# Cross-compiles the shim for linux-aarch64 with Debian's cross toolchain, and runs the C tests
# under qemu-user when it is installed:
#
#   apt-get install -y --no-install-recommends gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
#   cmake -S native -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-linux-aarch64.cmake
#   cmake --build build-aarch64 && ctest --test-dir build-aarch64
#
# The platform key (cmake/ShmarrayPlatform.cmake) comes out as "linux-aarch64", the folder the
# Java loader (io.shmarray.internal.Platform) looks in on an aarch64 JVM.
#
# Overridable on the command line:
#   SHMARRAY_CROSS_TRIPLE    default aarch64-linux-gnu (compiler <triple>-gcc, binutils <triple>-*)
#   SHMARRAY_CROSS_ROOT      default /usr/<triple>: the target's libc, headers and dynamic loader
#   CMAKE_CROSSCOMPILING_EMULATOR   default: qemu-aarch64 (or qemu-aarch64-static) -L <root>;
#                            without qemu the C tests are still registered and report SKIPPED.
#
# Debian's cross gcc is not a --sysroot compiler: it already searches /usr/<triple>/{include,lib}.
# CMAKE_SYSROOT stays unset on purpose (--sysroot=/usr/<triple> would hide those very headers);
# the root is used for find_* (CMAKE_FIND_ROOT_PATH) and for qemu's -L.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(SHMARRAY_CROSS_TRIPLE "aarch64-linux-gnu" CACHE STRING "GNU triple of the aarch64 cross toolchain")
set(SHMARRAY_CROSS_ROOT "/usr/${SHMARRAY_CROSS_TRIPLE}" CACHE PATH
    "Root of the aarch64 target libraries (find root, and qemu -L)")
# try_compile projects re-read this file: hand them the same choices.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SHMARRAY_CROSS_TRIPLE SHMARRAY_CROSS_ROOT)

if(NOT CMAKE_C_COMPILER)
  find_program(SHMARRAY_CROSS_CC NAMES ${SHMARRAY_CROSS_TRIPLE}-gcc)
  if(NOT SHMARRAY_CROSS_CC)
    message(FATAL_ERROR "linux-aarch64 cross build: ${SHMARRAY_CROSS_TRIPLE}-gcc not found on PATH. "
                        "On Debian/Ubuntu: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross "
                        "(and qemu-user to run the tests).")
  endif()
  set(CMAKE_C_COMPILER "${SHMARRAY_CROSS_CC}")
endif()

# Appended, so that -DCMAKE_FIND_ROOT_PATH=<staging prefix> adds roots (tests/check_consumer.cmake).
list(APPEND CMAKE_FIND_ROOT_PATH "${SHMARRAY_CROSS_ROOT}")
list(REMOVE_DUPLICATES CMAKE_FIND_ROOT_PATH)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)   # build tools (nm, qemu) are the host's
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)    # libraries and headers are the target's
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Runs target executables (ctest, try_run) under qemu-user; an emulator given on the command line
# wins. Without one, cmake/ShmarrayCross.cmake substitutes a runner that reports each test SKIPPED.
if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
  find_program(SHMARRAY_QEMU_AARCH64 NAMES qemu-aarch64 qemu-aarch64-static)
  if(SHMARRAY_QEMU_AARCH64)
    set(CMAKE_CROSSCOMPILING_EMULATOR "${SHMARRAY_QEMU_AARCH64};-L;${SHMARRAY_CROSS_ROOT}")
  endif()
endif()
