# The Node.js lines tracepack supports, each pinned to an exact release (sourced by
# install-node.sh, with-node.sh and .ci/run). The first is the one CI runs the end-to-end
# tier and the bench on. Keep in step with `engines` (>=22.15); scripts/run-tests.mjs reads this file.
NODE_LINES=(24 22 26)
NODE_CACHE="${TRACEPACK_CACHE:-$HOME/.cache/tracepack}/node"

node_version_of() {
  case "$1" in
    22) echo 22.23.5 ;;
    24) echo 24.22.3 ;;
    26) echo 26.12.1 ;;
    *) return 1 ;;
  esac
}
