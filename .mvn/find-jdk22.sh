#!/bin/sh
# Build support, run by Maven at validate: if no JDK 22+ is visible in the usual places, say
# what to install before maven-toolchains-plugin fails with its generic "Cannot find matching
# toolchain definitions". Informative only: it never fails the build itself (the plugin also
# reads ~/.m2/toolchains.xml and other places this script does not).
# $1 = the JDK Maven runs on.
for home in "$1" "$JAVA_HOME" $(env | sed -n 's/^JAVA[0-9]*_HOME=//p') /usr/lib/jvm/* /opt/java/* \
            /usr/java/* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.gradle/jdks/*; do
  [ -x "$home/bin/javac" ] || continue
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null)
  if [ -n "$v" ] && [ "$v" -ge 22 ] 2>/dev/null; then
    exit 0
  fi
done
cat <<'MSG'
[shmarray] No JDK 22 or newer found (looked at Maven's JDK, JAVA_HOME, JAVA<N>_HOME, /usr/lib/jvm,
[shmarray] /opt/java, /usr/java, ~/.sdkman, ~/.jdks). shmarray compiles its java.lang.foreign backend
[shmarray] with one. Install a JDK 22+ (e.g. Eclipse Temurin 25 under /usr/lib/jvm, or
[shmarray] 'sdk install java 25-tem'), or point JAVA25_HOME at one, then build again.
MSG
exit 0
