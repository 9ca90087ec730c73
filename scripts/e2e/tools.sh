#!/bin/bash
# tools.sh: install what the tests and the demo need on a fresh Debian machine, idempotently.
#   - Debian packages (as root): debootstrap, e2fsprogs, zstd, openssh-client, and the
#     image tools the sanitize-verify tests build disks with (fdisk, gdisk, qemu-utils, xfsprogs,
#     dosfstools, mtools, lvm2, ntfs-3g)
#   - a Packer binary built from the Go module proxy, cached as $BIN/packer-$PACKER_VERSION
#   - packer-plugin-qemu (for the TCG e2e), cached as $BIN/packer-plugin-qemu-$QEMU_PLUGIN_VERSION
# Prints nothing when everything is already there.
source "$(dirname "$0")/lib.sh"

need=()
for c in debootstrap:debootstrap zstd:zstd mkfs.ext4:e2fsprogs debugfs:e2fsprogs \
         ssh-keygen:openssh-client unshare:util-linux mkswap:util-linux sfdisk:fdisk \
         sgdisk:gdisk qemu-img:qemu-utils mkfs.xfs:xfsprogs tar:tar \
         qemu-system-x86_64:qemu-system-x86 extlinux:extlinux \
         mkfs.vfat:dosfstools mcopy:mtools pvcreate:lvm2 losetup:mount \
         mkntfs:ntfs-3g ntfs-3g:ntfs-3g; do
  command -v "${c%%:*}" >/dev/null || need+=("${c##*:}")
done
# the qemu e2e boots a disk through extlinux, whose MBR code comes from syslinux-common
[ -f /usr/lib/syslinux/mbr/mbr.bin ] || need+=(syslinux-common)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "tools.sh: missing ${need[*]}; run as root to install them with apt-get" >&2; exit 1
  fi
  log "apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# `go install module@version` fails behind this proxy (it answers 403 to version listings) and
# Packer's go.mod has replace directives, so: download the module, copy it out of the
# read-only module cache, and build it as the main module.
build_module() { # module version output
  local mod=$1 ver=$2 out=$3 dir src
  dir=$(go mod download -json "$mod@$ver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "tools.sh: go mod download $mod@$ver failed" >&2; return 1; }
  src=$(mktemp -d "$SANITIZE_CACHE/src.XXXXXX")
  cp -r "$dir/." "$src"; chmod -R u+w "$src"
  (cd "$src" && GOFLAGS=-mod=mod go build -trimpath -o "$out.tmp" . && mv "$out.tmp" "$out")
  rm -rf "$src"
}
if [ ! -x "$BIN/packer-$PACKER_VERSION" ]; then
  log "building packer $PACKER_VERSION from the Go module proxy (a few minutes, cached after)"
  build_module github.com/hashicorp/packer "$PACKER_VERSION" "$BIN/packer-$PACKER_VERSION"
fi
ln -sf "packer-$PACKER_VERSION" "$BIN/packer"
if [ ! -x "$BIN/packer-plugin-qemu-$QEMU_PLUGIN_VERSION" ]; then
  log "building packer-plugin-qemu $QEMU_PLUGIN_VERSION from the Go module proxy (cached after)"
  build_module github.com/hashicorp/packer-plugin-qemu "$QEMU_PLUGIN_VERSION" "$BIN/packer-plugin-qemu-$QEMU_PLUGIN_VERSION"
fi
