#!/usr/bin/env bash
# Runs the numpy helper's tests against a built shmarray jar, with real numpy, on each given
# java and on the first JDK 22+ found under /usr/lib/jvm (the FFM backend) besides.
# Usage: python/run-tests.sh path/to/shmarray.jar [path/to/java ...]
# Without python3 or numpy it prints SKIPPED with the reason and succeeds (CI installs both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:?usage: python/run-tests.sh path/to/shmarray.jar [path/to/java ...]}
shift
if ! command -v python3 >/dev/null; then
  echo "SKIPPED python helper tests: python3 is not installed (apt-get install python3 python3-numpy)"
  exit 0
fi
if ! python3 -c 'import numpy' 2>/dev/null; then
  echo "SKIPPED python helper tests: numpy is not installed for $(command -v python3) (apt-get install python3-numpy, or pip install numpy)"
  exit 0
fi
javas=("$@")
[ ${#javas[@]} -gt 0 ] || javas=(java)
for j in /usr/lib/jvm/*/bin/java; do
  [ -x "$j" ] || continue
  v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "${v%%.*}" -ge 22 ] 2>/dev/null; then javas+=("$j"); break; fi
done
echo "python helper tests: $(python3 -c 'import sys, numpy; print("python", sys.version.split()[0], "numpy", numpy.__version__)'); java: ${javas[*]}"
SHMARRAY_JAR=$jar SHMARRAY_JAVA=$(IFS=:; echo "${javas[*]}") PYTHONDONTWRITEBYTECODE=1 \
  exec python3 -m unittest discover -s "$here/tests" -t "$here/tests"
