# Shared settings for the project's e2e, demo and bench scripts. Sourced, not run.
# Everything expensive (Packer binary, debootstrap tarball) is cached OUTSIDE the clone,
# under $SANITIZE_CACHE, keyed by version, so a second run starts in seconds.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SANITIZE_CACHE=${SANITIZE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/packer-plugin-sanitize}
BIN=$SANITIZE_CACHE/bin
PACKER_VERSION=${PACKER_VERSION:-v1.15.0}
QEMU_PLUGIN_VERSION=${QEMU_PLUGIN_VERSION:-v1.0.9}
SUITE=${SUITE:-bookworm}
export PATH=$BIN:$PATH
mkdir -p "$BIN"
log() { echo "[$(date +%T)] $*" >&2; }
