# Sourced by bin/* and .ci/run: finds a JDK 21 or newer and exports JAVA_HOME and JAVA.
#
# Looks, in order, at $JAVA_HOME, the java on PATH, and the usual JDK folders (/usr/lib/jvm,
# /usr/java, /opt, ~/.sdkman, ~/.jdks, macOS's JavaVirtualMachines); among those folders it takes the
# newest. Prints what to do and returns 1 when there is none.

GW_MIN_JAVA=21

# Prints the feature version (17, 21, 25...) of the JDK in $1, or nothing.
gw_jdk_feature() {
  local home=$1 version=""
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 0
  if [ -r "$home/release" ]; then
    version=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$version" ]; then
    version=$("$home/bin/java" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  version=${version#1.}
  printf '%s\n' "${version%%[^0-9]*}"
}

gw_find_java() {
  local candidate feature best="" best_feature=0 dir
  if [ -n "${JAVA_HOME:-}" ]; then
    feature=$(gw_jdk_feature "$JAVA_HOME")
    if [ -n "$feature" ] && [ "$feature" -ge "$GW_MIN_JAVA" ]; then
      export JAVA_HOME JAVA="$JAVA_HOME/bin/java"
      return 0
    fi
    echo "note: JAVA_HOME=$JAVA_HOME is not a JDK $GW_MIN_JAVA or newer (found: ${feature:-none}); looking elsewhere" >&2
  fi
  if command -v javac >/dev/null 2>&1; then
    candidate=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    feature=$(gw_jdk_feature "$candidate")
    if [ -n "$feature" ] && [ "$feature" -ge "$GW_MIN_JAVA" ]; then
      export JAVA_HOME="$candidate" JAVA="$candidate/bin/java"
      return 0
    fi
  fi
  for dir in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
             "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* \
             /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$dir" ] || continue
    feature=$(gw_jdk_feature "$dir")
    if [ -n "$feature" ] && [ "$feature" -ge "$GW_MIN_JAVA" ] && [ "$feature" -gt "$best_feature" ]; then
      best=$dir
      best_feature=$feature
    fi
  done
  if [ -n "$best" ]; then
    export JAVA_HOME="$best" JAVA="$best/bin/java"
    return 0
  fi
  cat >&2 <<MSG
error: GatewayWorker needs a JDK $GW_MIN_JAVA or newer, and none was found.
       Looked at JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH and /usr/lib/jvm, /usr/java, /opt,
       ~/.sdkman and ~/.jdks. Install one (Debian: apt install openjdk-21-jdk-headless;
       or a Temurin build from adoptium.net) or set JAVA_HOME to it.
MSG
  return 1
}
