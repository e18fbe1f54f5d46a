# Sourced by deploy/image/build.sh and deploy/local/cluster.sh, which both run gateway/target/gateway.jar: a jar older
# than the sources it is built from would hold old code and be used without a word, so both refuse it the same way.
#
#   gateway_jar_stale ROOT JAR    prints the first source or pom newer than JAR, else the first source directory
#                                 changed since (a file deleted or renamed there: nothing newer to find; it may also
#                                 be an editor's temporary file); nothing: JAR is current
#   gateway_jar_ensure ROOT JAR   builds JAR when missing; a stale one is refused (returns 1, saying why), or rebuilt
#                                 first with REBUILD=1

gateway_jar_stale() {
  local root=$1 jar=$2 newer
  newer="$(find "$root/pom.xml" "$root/gateway/pom.xml" "$root/redis-adapter/pom.xml" "$root/gateway/src/main" \
    "$root/redis-adapter/src/main" "$root/gateway/web/package.json" "$root/gateway/web/package-lock.json" \
    -type f -newer "$jar" -print -quit 2>/dev/null || true)"
  # A deleted source leaves no newer file behind, but its directory's modification time changes.
  [ -n "$newer" ] || newer="$(find "$root/gateway/src/main" "$root/redis-adapter/src/main" \
    -type d -newer "$jar" -print -quit 2>/dev/null || true)"
  [ -z "$newer" ] || echo "$newer"
}

gateway_jar_ensure() {
  local root=$1 jar=$2 newer
  # Explicit returns: the callers may run this where set -e does not apply (in a function called with ||).
  if [ ! -f "$jar" ]; then
    (cd "$root" && mvn -B -q -DskipTests package) || return 1
    [ -f "$jar" ] || { echo "mvn package built no $jar" >&2; return 1; }
  fi
  newer="$(gateway_jar_stale "$root" "$jar")"
  if [ -n "$newer" ] && [ "${REBUILD:-0}" = 1 ]; then
    echo "$jar is older than ${newer#"$root"/}: rebuilding it" >&2
    (cd "$root" && mvn -B -q -DskipTests package) || return 1
    newer="$(gateway_jar_stale "$root" "$jar")"
  fi
  if [ -n "$newer" ]; then
    [ ! -d "$newer" ] || newer="$newer/ (a file added, renamed or removed there)"
    echo "$jar is older than ${newer#"$root"/} (and maybe more): it would not hold the current code." >&2
    echo "Rebuild it first (mvn -B -q -DskipTests package), or run with REBUILD=1 to let this script do it." >&2
    return 1
  fi
}
