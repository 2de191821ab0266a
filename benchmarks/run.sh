#!/usr/bin/env bash
# The benchmark report in one command (short profile, ~8 minutes on 2 cores):
#
#   benchmarks/run.sh            -> benchmarks/results/<date>/report.md + PNG plots
#
# Builds what it needs (mvn package, the C bandwidth peer via CMake), then runs, one after the
# other (never two JMH runs at once): C memory bandwidth; JMH ArrayBenchmark on JNA (a JDK 17-21,
# else the JDK 22+ with -Dio.shmarray.backend=jna) and on FFM (a JDK 22+); RuntimeBench on the
# JDK 22+ (FFM) and its worker-start and dispatch sections also on the JNA JDK; ClusterBench (the cluster
# pool against the local one, members in child JVMs) on both JDKs; Python's multiprocessing peer; and the report. Options: --out DIR (default benchmarks/results/<date>), --jmh "JMH OPTIONS".
set -euo pipefail
cd "$(dirname "$0")/.."

out="benchmarks/results/$(date +%F)"
jmh_opts="-f 1 -wi 2 -w 1s -i 3 -r 1s"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --jmh) jmh_opts="$2"; shift 2 ;;
    *) echo "usage: benchmarks/run.sh [--out DIR] [--jmh \"JMH OPTIONS\"]" >&2; exit 2 ;;
  esac
done

# --- JDKs: one 22+ (FFM) and, if present, one 17-21 (JNA) -----------------------------------
feature() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -1; }
jdk_new=""; jdk_old=""
for j in "$(command -v java || true)" ${JAVA_HOME:+$JAVA_HOME/bin/java} /usr/lib/jvm/*/bin/java /opt/java/*/bin/java \
         "$HOME"/.sdkman/candidates/java/*/bin/java; do
  [ -x "$j" ] || continue
  v=$(feature "$j"); v=${v%%.*}
  [ -n "$v" ] || continue
  if [ "$v" -ge 22 ] && [ -z "$jdk_new" ]; then jdk_new=$j; fi
  if [ "$v" -ge 17 ] && [ "$v" -lt 22 ] && [ -z "$jdk_old" ]; then jdk_old=$j; fi
done
if [ -z "$jdk_new" ]; then echo "no JDK 22+ found (see README, Requirements)" >&2; exit 1; fi
jna_java=${jdk_old:-$jdk_new}
echo "FFM runs on $jdk_new; JNA runs on $jna_java"

# --- build -----------------------------------------------------------------------------------
mvn -B -q -DskipTests package
jar=benchmarks/target/benchmarks.jar
cmake -S benchmarks/peers -B benchmarks/target/peers -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build benchmarks/target/peers >/dev/null

mkdir -p "$out"
rm -f "$out"/results.tsv "$out"/jmh-*.csv "$out"/latency-*.txt "$out"/*.png
{
  echo "date      $(date -u '+%F %T UTC')"
  echo "commit    $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu       $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1) x $(nproc)"
  echo "memory    $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); /dev/shm $(df -h /dev/shm | awk 'NR==2 {print $2}')"
  echo "kernel    $(uname -sr)"
  echo "JNA JDK   $("$jna_java" -version 2>&1 | head -1)"
  echo "FFM JDK   $("$jdk_new" -version 2>&1 | head -1)"
  echo "python    $(python3 -c 'import sys, numpy; print(sys.version.split()[0], "numpy", numpy.__version__)')"
} > "$out/machine.txt"
cat "$out/machine.txt"

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }

step "C memory bandwidth"
benchmarks/target/peers/bandwidth >> "$out/results.tsv"

step "JMH ArrayBenchmark, JNA"
# (-jvmArgsAppend replaces the annotation's: repeat its options)
fork_opts="--enable-native-access=ALL-UNNAMED -Xms3g -Xmx3g"
"$jna_java" -jar "$jar" ArrayBenchmark $jmh_opts -jvm "$jna_java" -jvmArgsAppend "$fork_opts -Dio.shmarray.backend=jna" \
  -rf csv -rff "$out/jmh-jna-jdk$(feature "$jna_java" | cut -d. -f1).csv"
step "JMH ArrayBenchmark, FFM"
"$jdk_new" -jar "$jar" ArrayBenchmark $jmh_opts -jvm "$jdk_new" -jvmArgsAppend "$fork_opts -Dio.shmarray.backend=ffm" \
  -rf csv -rff "$out/jmh-ffm-jdk$(feature "$jdk_new" | cut -d. -f1).csv"

step "process-level workloads, FFM"
"$jdk_new" -Xmx6g -Dio.shmarray.maxFrameBytes=1000000000 --enable-native-access=ALL-UNNAMED -cp "$jar" \
  io.shmarray.bench.RuntimeBench "$out/results.tsv"
if [ "$jna_java" != "$jdk_new" ]; then
  step "worker start and dispatch, JNA"
  "$jna_java" -Xmx6g -cp "$jar" io.shmarray.bench.RuntimeBench "$out/results.tsv" start lifecycle roundtrip map queue \
    queuethroughput kmeans
fi

step "cluster pool vs local pool, FFM"
"$jdk_new" $("$jdk_new" -cp "$jar" io.shmarray.cluster.ClusterNode --print-jvm-options) --enable-native-access=ALL-UNNAMED \
  -cp "$jar" io.shmarray.bench.ClusterBench "$out/results.tsv"
if [ "$jna_java" != "$jdk_new" ]; then
  step "cluster pool vs local pool, JNA"
  "$jna_java" $("$jna_java" -cp "$jar" io.shmarray.cluster.ClusterNode --print-jvm-options) \
    -cp "$jar" io.shmarray.bench.ClusterBench "$out/results.tsv"
fi

step "Python multiprocessing peer"
python3 benchmarks/peers/mp_peer.py "$out/results.tsv"

step "report"
"$jdk_new" -cp "$jar" io.shmarray.bench.Report "$out"
leftover=$(ls /dev/shm | grep '^shmarray-' || true)
if [ -n "$leftover" ]; then echo "WARNING: segments left in /dev/shm: $leftover" >&2; fi
