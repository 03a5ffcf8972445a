#!/usr/bin/env bash
# Installs the real servers that the end-to-end tier (test/e2e) runs against:
#   - Debian packages: postgresql, mariadb-server, openjdk-17-jre-headless, wrk, chromium with
#     fonts-dejavu-core (run headless to check Zipkin's UI; the font renders its text), and
#     maven only if `mvn` is missing; installed only when something is missing;
#   - Jaeger v2 all-in-one, built from source with Go (the module proxy is the only way to
#     get it here: no prebuilt downloads), cached outside the repo;
#   - Zipkin server, the executable jar from Maven Central, cached next to it.
# Idempotent: on a machine that already has everything it only checks and prints.
# Cache: ${TRACEPACK_CACHE:-$HOME/.cache/tracepack}/bin. Run as root (CI does).
# Usage: bash test/e2e/install-servers.sh
set -euo pipefail

# Jaeger publishes v1.x and v2.x tags of the same tree; the Go module proxy only serves the
# v1.x tag (the v2 tags are not valid for the module path), so we build v1.76.0, which is
# the v2.13.0 release (see its CHANGELOG), and stamp that version into the binary.
JAEGER_MODULE_VERSION="v1.76.0"
JAEGER_V2_VERSION="v2.13.0"
ZIPKIN_VERSION="3.6.1"

CACHE_DIR="${TRACEPACK_CACHE:-$HOME/.cache/tracepack}"
BIN_DIR="$CACHE_DIR/bin"
JAEGER_BIN="$BIN_DIR/jaeger-$JAEGER_MODULE_VERSION"
ZIPKIN_JAR="$BIN_DIR/zipkin-server-$ZIPKIN_VERSION-exec.jar"

log() { echo "install-servers: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$BIN_DIR"

# --- 1. Debian packages --------------------------------------------------------------
missing=()
dpkg -s postgresql >/dev/null 2>&1 || missing+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || dpkg -s mariadb-server >/dev/null 2>&1 || missing+=(mariadb-server)
command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
[[ -x "${TRACEPACK_CHROMIUM:-/usr/bin/chromium}" ]] || missing+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing+=(fonts-dejavu-core)
if [[ ! -f "$ZIPKIN_JAR" ]] && ! command -v mvn >/dev/null 2>&1; then missing+=(maven); fi

if ((${#missing[@]} > 0)); then
  [[ $(id -u) -eq 0 ]] || die "missing Debian packages (${missing[*]}) and not root: install them with apt-get"
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- 2. Jaeger v2, built from source -------------------------------------------------
if [[ ! -x "$JAEGER_BIN" ]]; then
  command -v go >/dev/null 2>&1 || die "Go is needed to build Jaeger (go $JAEGER_MODULE_VERSION needs go >= 1.24): not on PATH"
  log "building Jaeger $JAEGER_V2_VERSION (module $JAEGER_MODULE_VERSION) from source: takes about 5 minutes"
  started=$SECONDS
  # `go install ...@vX` does not work (the v2 tags do not match the module path, and the
  # v1 tag has replace directives), so download the module and build inside a copy of it.
  mod_dir=$(go mod download -json "github.com/jaegertracing/jaeger@$JAEGER_MODULE_VERSION" |
    sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n "$mod_dir" && -d "$mod_dir" ]] || die "go mod download gave no module directory for jaeger@$JAEGER_MODULE_VERSION"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  cp -R "$mod_dir" "$work/jaeger"
  chmod -R u+w "$work/jaeger"
  ldflags="-X github.com/jaegertracing/jaeger/internal/version.latestVersion=$JAEGER_V2_VERSION"
  (cd "$work/jaeger" && GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
    go build -trimpath -ldflags "$ldflags" -o "$work/jaeger.bin" ./cmd/jaeger)
  mv -f "$work/jaeger.bin" "$JAEGER_BIN" # atomic: a half-built binary is never in the cache
  rm -rf "$work"
  trap - EXIT
  log "built Jaeger in $((SECONDS - started)) s"
fi

# --- 3. Zipkin server jar ------------------------------------------------------------
if [[ ! -f "$ZIPKIN_JAR" ]]; then
  m2_jar="$HOME/.m2/repository/io/zipkin/zipkin-server/$ZIPKIN_VERSION/zipkin-server-$ZIPKIN_VERSION-exec.jar"
  if [[ ! -f "$m2_jar" ]]; then
    log "downloading zipkin-server $ZIPKIN_VERSION (exec jar) with Maven"
    # -Dtransitive=false: the exec jar is self-contained, and resolving the pom's
    # dependency tree fails.
    mvn -q -B dependency:get "-Dartifact=io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" -Dtransitive=false
  fi
  [[ -f "$m2_jar" ]] || die "zipkin-server jar not found at $m2_jar after mvn dependency:get"
  cp -f "$m2_jar" "$ZIPKIN_JAR.tmp"
  mv -f "$ZIPKIN_JAR.tmp" "$ZIPKIN_JAR"
fi

# --- 4. Report -----------------------------------------------------------------------
reported=$("$JAEGER_BIN" version 2>/dev/null | sed -n 's/.*"gitVersion":"\([^"]*\)".*/\1/p')
echo "jaeger  $JAEGER_V2_VERSION (module $JAEGER_MODULE_VERSION, binary reports '${reported:-no version stamped}')  $JAEGER_BIN"
echo "zipkin  $ZIPKIN_VERSION  $ZIPKIN_JAR  ($(java -version 2>&1 | head -n 1))"
echo "postgresql  $(dpkg-query -W -f='${Version}' postgresql 2>/dev/null || echo '?')"
echo "mariadb  $(dpkg-query -W -f='${Version}' mariadb-server 2>/dev/null || echo '?')"
echo "wrk  $(command -v wrk)"
echo "chromium  $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo '?')  ${TRACEPACK_CHROMIUM:-/usr/bin/chromium}"
