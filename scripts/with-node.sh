#!/usr/bin/env bash
# Runs a command with one supported Node.js line first on PATH (installing it when missing):
#   bash scripts/with-node.sh 26 npm test
#   bash scripts/with-node.sh 22 node --test packages/config/dist/test/
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=node-versions.sh
source "$here/node-versions.sh"
line="${1:?usage: with-node.sh LINE COMMAND [ARGS...] (lines: ${NODE_LINES[*]})}"
shift
version="$(node_version_of "$line")" || { echo "with-node: unsupported line '$line' (supported: ${NODE_LINES[*]})" >&2; exit 2; }
bash "$here/install-node.sh" "$line"
export PATH="$NODE_CACHE/$version/bin:$PATH"
exec "$@"
