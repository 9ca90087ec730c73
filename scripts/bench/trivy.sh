#!/bin/bash
# trivy.sh: build Trivy from the Go module proxy for the side-by-side benchmark (make bench
# only; make test never builds it). Cached as $BIN/trivy-$TRIVY_VERSION, so a second run is
# instant. Prints the binary's path on stdout.
source "$(dirname "$0")/../e2e/lib.sh"
TRIVY_VERSION=${TRIVY_VERSION:-v0.74.0}
out=$BIN/trivy-$TRIVY_VERSION
if [ ! -x "$out" ]; then
  log "building trivy $TRIVY_VERSION from the Go module proxy (several minutes, cached after)"
  # As tools.sh does for Packer: the proxy answers 403 to version listings, so download the
  # exact version, copy it out of the read-only module cache and build it as the main module.
  dir=$(go mod download -json "github.com/aquasecurity/trivy@$TRIVY_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "trivy.sh: go mod download github.com/aquasecurity/trivy@$TRIVY_VERSION failed" >&2; exit 1; }
  src=$(mktemp -d "$SANITIZE_CACHE/src.XXXXXX")
  trap 'rm -rf "$src"' EXIT
  cp -r "$dir/." "$src"; chmod -R u+w "$src"
  # Trivy's sources use encoding/json/v2, behind GOEXPERIMENT=jsonv2 on Go 1.26 (as its own
  # release build sets it).
  (cd "$src" && GOEXPERIMENT=jsonv2 GOFLAGS=-mod=mod go build -trimpath -o "$out.tmp" ./cmd/trivy && mv "$out.tmp" "$out")
fi
echo "$out"
