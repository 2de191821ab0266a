#!/bin/sh
# The linux-aarch64 build of the native shim, for Maven (java/pom.xml) or by hand:
#
#   native/cross/aarch64.sh configure BUILD_DIR [RESOURCE_DIR]   cmake with cmake/toolchain-linux-aarch64.cmake;
#                                                               RESOURCE_DIR gets linux-aarch64/libshmarray.so
#                                                               and linux-aarch64/shmarray-reaper at each build
#   native/cross/aarch64.sh build BUILD_DIR                      cmake --build (2 jobs)
#   native/cross/aarch64.sh test BUILD_DIR                       ctest under qemu-user; tests it cannot run
#                                                               are SKIPPED with their reasons, listed at the end
#
# Without a working aarch64 cross toolchain (gcc-aarch64-linux-gnu and libc6-dev-arm64-cross) each
# step prints "SKIPPED: ..." and exits 0: the jar is then built without linux-aarch64/ (the x86-64
# build is unaffected). Any failure with the toolchain present fails the step.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
toolchain="$root/cmake/toolchain-linux-aarch64.cmake"
cc=aarch64-linux-gnu-gcc
install_hint="apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"

usage() {
  echo "usage: $0 configure BUILD_DIR [RESOURCE_DIR] | build BUILD_DIR | test BUILD_DIR" >&2
  exit 2
}
[ $# -ge 2 ] || usage
step=$1
dir=$2

skip() {
  echo "SKIPPED linux-aarch64 native $step: $*; the jar will not contain io/shmarray/native/linux-aarch64/ (to include it: $install_hint)"
  exit 0
}

# The cross toolchain must compile and link a program (the compiler alone, without the target's
# libc, cannot).
if ! command -v "$cc" >/dev/null 2>&1; then
  skip "$cc not found on PATH"
fi
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$probe_dir/probe.c"
if ! "$cc" "$probe_dir/probe.c" -o "$probe_dir/probe" > "$probe_dir/log" 2>&1; then
  skip "$cc cannot build a program ($(head -n 1 "$probe_dir/log"))"
fi

case "$step" in
  configure)
    [ $# -le 3 ] || usage
    resources=${3:-}
    set -- -S "$root/native" -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_BUILD_TYPE=Release
    [ -z "$resources" ] || set -- "$@" -DSHMARRAY_JAVA_RESOURCE_DIR="$resources"
    exec cmake "$@"
    ;;
  build)
    [ $# -eq 2 ] || usage
    exec cmake --build "$dir" --parallel 2
    ;;
  test)
    [ $# -eq 2 ] || usage
    rc=0
    ctest --test-dir "$dir" --output-on-failure --timeout 60 || rc=$?
    # ctest shows a skipped test's output only with -V: list the reasons here.
    log="$dir/Testing/Temporary/LastTest.log"
    if [ -f "$log" ] && grep -q -e '^SKIP: ' -e 'SKIPPED: ' "$log"; then
      echo "linux-aarch64 tests reported SKIPPED, and why:"
      awk '/^[0-9]+\/[0-9]+ Testing: / { test = $3 }
           /^SKIP: / { sub(/^SKIP: /, ""); print "  " test ": " $0 }
           /^-- shmarray consumer SKIPPED: / { sub(/^-- /, ""); print "  " test ": " $0 }' "$log"
    fi
    exit "$rc"
    ;;
  *)
    usage
    ;;
esac
