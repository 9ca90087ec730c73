#!/bin/bash
# vm-disk.sh DIR: a bootable Debian disk DIR/disk.raw (MBR, one ext4 partition at 1 MiB filled
# with mkfs.ext4 -d, extlinux), planted with residue, whose "packer" account logs in with
# DIR/rootfs.key. The qemu e2e boots it under TCG (no KVM here).
source "$(dirname "$0")/lib.sh"
DIR=${1:?usage: vm-disk.sh DIR}
R=$DIR/rootfs
mkdir -p "$DIR"
bash "$REPO/scripts/e2e/rootfs.sh" "$R" vm
bash "$REPO/scripts/e2e/plant-residue.sh" "$R" >/dev/null

# boot quickly under TCG: DHCP by networkd, nothing waits for "online"
mkdir -p "$R/etc/systemd/network"
printf '[Match]\nName=eth* en*\n\n[Network]\nDHCP=ipv4\n' >"$R/etc/systemd/network/10-dhcp.network"
chroot "$R" systemctl enable systemd-networkd.service >/dev/null 2>&1
chroot "$R" systemctl mask systemd-networkd-wait-online.service >/dev/null 2>&1

OUT=$DIR/disk.raw OFF=1048576
rm -f "$OUT"; truncate -s 2G "$OUT"
echo "start=2048, type=83, bootable" | sfdisk -q "$OUT"
SECT=$(sfdisk -d "$OUT" | sed -n 's/.*size= *\([0-9]*\).*/\1/p')
KVER=$(basename "$(ls "$R"/boot/vmlinuz-* | head -1)" | sed 's/^vmlinuz-//')
UUID=$(cat /proc/sys/kernel/random/uuid)
echo "UUID=$UUID / ext4 rw,errors=remount-ro 0 1" >"$R/etc/fstab"
mkdir -p "$R/boot/extlinux"
cat >"$R/boot/extlinux/extlinux.conf" <<C
DEFAULT linux
TIMEOUT 0
PROMPT 0
LABEL linux
  LINUX /boot/vmlinuz-$KVER
  INITRD /boot/initrd.img-$KVER
  APPEND root=UUID=$UUID rw console=ttyS0 net.ifnames=0
C
mkfs.ext4 -q -F -L sanitize-vm -U "$UUID" -E offset=$OFF -d "$R" "$OUT" $((SECT / 2))k
dd if=/usr/lib/syslinux/mbr/mbr.bin of="$OUT" bs=440 count=1 conv=notrunc status=none
M=$(mktemp -d)
mount -o loop,offset=$OFF "$OUT" "$M"   # extlinux installs through a mount; the loop device goes with umount
extlinux --install "$M/boot/extlinux" >/dev/null 2>&1 || { umount "$M"; rmdir "$M"; echo "extlinux failed" >&2; exit 1; }
umount "$M"; rmdir "$M"
rm -rf "$R"
