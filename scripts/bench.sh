#!/bin/bash
# bench.sh: the provisioner's cost against the local target, per selection of operations:
# SSH commands started, uploads, and the wall time of `packer build`. The goal: one upload
# and one command whatever the number of operations (the verification rides on the same
# command: the script sends the files to check back on its stdout).
source "$(dirname "$0")/e2e/lib.sh"
[ "$(id -u)" = 0 ] || { echo "bench.sh: needs root (chroot, namespaces)" >&2; exit 1; }
WORK=${BENCH_DIR:-$SANITIZE_CACHE/bench}
PORT=${PORT:-2223}
ROUNDS=${ROUNDS:-5}
mkdir -p "$WORK"
export PACKER_PLUGIN_PATH=$WORK/plugins PACKER_CONFIG_DIR=$WORK/packer-config \
  PACKER_CACHE_DIR=$WORK/packer-cache CHECKPOINT_DISABLE=1
(cd "$REPO" && go build -o "$WORK/packer-plugin-sanitize" .)
packer plugins install --path "$WORK/packer-plugin-sanitize" github.com/goldenimage/sanitize >/dev/null

one() { # label operations-hcl verify
  local label=$1 ops=$2 verify=$3 best="" cmds ups
  for _ in $(seq "$ROUNDS"); do
    "$REPO/scripts/e2e/sshd.sh" stop "$WORK/rootfs" 2>/dev/null || true
    bash "$REPO/scripts/e2e/rootfs.sh" "$WORK/rootfs" >/dev/null
    bash "$REPO/scripts/e2e/plant-residue.sh" "$WORK/rootfs" >/dev/null
    "$REPO/scripts/e2e/sshd.sh" start "$WORK/rootfs" "$PORT"
    local t0 t1
    t0=$(date +%s.%N)
    if ! PACKER_LOG=1 PACKER_LOG_PATH="$WORK/packer.log" packer build -color=false \
      -var ssh_port="$PORT" -var ssh_key="$WORK/rootfs.key" -var "operations=$ops" -var "verify=$verify" \
      "$REPO/example/bench.pkr.hcl" >"$WORK/packer.out" 2>&1; then
      tail -20 "$WORK/packer.out" >&2; "$REPO/scripts/e2e/sshd.sh" stop "$WORK/rootfs"; exit 1
    fi
    t1=$(date +%s.%N)
    "$REPO/scripts/e2e/sshd.sh" stop "$WORK/rootfs"
    local s; s=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
    if [ -z "$best" ] || awk -v a="$s" -v b="$best" 'BEGIN{exit !(a<b)}'; then best=$s; fi
    cmds=$(grep -c 'starting remote command' "$WORK/packer.log" || true)
    ups=$(grep -c 'Starting remote scp process\|sftp: uploading' "$WORK/packer.log" || true)
  done
  local nops; nops=$(grep -oE '[0-9]+ operations in one script' "$WORK/packer.out" | cut -d' ' -f1)
  printf '| %-34s | %10s | %12s | %7s | %14s |\n' "$label" "$nops" "$cmds" "$ups" "$best"
}

echo "Provisioner cost against the local target (best of $ROUNDS packer builds; null builder, sshd on 127.0.0.1)"
echo
printf '| %-34s | %10s | %12s | %7s | %14s |\n' "selection" "operations" "SSH commands" "uploads" "packer build s"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------------" "------------" "--------------" "---------" "----------------"
one 'machine-id, no verification' '["machine-id"]' false
one 'machine-id + verification' '["machine-id"]' true
one 'defaults + verification' '["defaults"]' true

# The deep scan against dd on the same multi-GiB ext4 image (built once, cached under
# $SANITIZE_CACHE): wall time, MB/s, bytes read and peak RSS, page cache cold and warm.
echo
(cd "$REPO" && go build -o "$WORK/deepscanbench" ./cmd/deepscanbench)
SANITIZE_CACHE=$SANITIZE_CACHE "$WORK/deepscanbench" -size "${DEEPSCAN_GIB:-2}" -rounds "$ROUNDS"

# sanitize-verify's reading of images side by side with dd and Trivy's VM secret scan, on
# the same generated images (ext4 and xfs, raw and qcow2, 2 GiB with ~50,000 files; NTFS;
# an 8 GiB ext4 with ~200,000 files; built once, cached under $SANITIZE_CACHE): path checks,
# content scan and deep scan, wall time, bytes read and peak RSS, page cache cold and warm.
# Targets: path checks < 1 s, content scan within 3x dd, deep scan within 1.3x dd, peak
# memory < 256 MiB. Trivy is built from the Go module proxy (cached); bench only.
echo
(cd "$REPO" && go build -o "$WORK/imagebench" ./cmd/imagebench)
TRIVY=$(bash "$REPO/scripts/bench/trivy.sh") || { echo "trivy could not be built from the Go module proxy" >&2; TRIVY=""; }
SANITIZE_CACHE=$SANITIZE_CACHE "$WORK/imagebench" -rounds "$ROUNDS" ${TRIVY:+-trivy "$TRIVY"}
