#!/bin/bash
# demo.sh: the plugin's main job on a local target, end to end. Builds the plugin, makes a
# Debian rootfs (debootstrap, cached), plants credential residue in it, serves it with its
# own sshd on 127.0.0.1, and runs a real `packer build` of example/local-target.pkr.hcl.
source "$(dirname "$0")/e2e/lib.sh"
[ "$(id -u)" = 0 ] || { echo "demo.sh: needs root (chroot, namespaces)" >&2; exit 1; }
WORK=${DEMO_DIR:-$SANITIZE_CACHE/demo}
PORT=${PORT:-2222}
mkdir -p "$WORK"
export PACKER_PLUGIN_PATH=$WORK/plugins PACKER_CONFIG_DIR=$WORK/packer-config \
  PACKER_CACHE_DIR=$WORK/packer-cache CHECKPOINT_DISABLE=1

log "building the plugin and installing it into $PACKER_PLUGIN_PATH"
(cd "$REPO" && go build -o "$WORK/packer-plugin-sanitize" .)
packer plugins install --path "$WORK/packer-plugin-sanitize" github.com/goldenimage/sanitize >/dev/null

"$REPO/scripts/e2e/sshd.sh" stop "$WORK/rootfs" 2>/dev/null || true
log "preparing the target rootfs in $WORK/rootfs"
bash "$REPO/scripts/e2e/rootfs.sh" "$WORK/rootfs"
bash "$REPO/scripts/e2e/plant-residue.sh" "$WORK/rootfs"
"$REPO/scripts/e2e/sshd.sh" start "$WORK/rootfs" "$PORT"
trap '"$REPO/scripts/e2e/sshd.sh" stop "$WORK/rootfs"' EXIT
log "target: sshd on 127.0.0.1:$PORT; running packer build"
cd "$WORK"
packer build -color=false -var ssh_port="$PORT" -var ssh_key="$WORK/rootfs.key" \
  -var report_path="$WORK/live-report.json" "$REPO/example/local-target.pkr.hcl"
log "done: the live verification report is $WORK/live-report.json"
