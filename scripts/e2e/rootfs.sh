#!/bin/bash
# rootfs.sh DIR [FLAVOR]: a fresh Debian rootfs (minbase + openssh-server, sudo) in DIR, with
# a "packer" account that logs in with the key DIR.key (made here) and has passwordless sudo.
# FLAVOR "vm" adds a kernel, systemd and udev, to boot it under qemu.
# debootstrap runs once; its result is cached as a tar.zst keyed by suite and package list.
source "$(dirname "$0")/lib.sh"
DIR=${1:?usage: rootfs.sh DIR [chroot|vm]}
INCLUDE=openssh-server,sudo,passwd
if [ "${2:-chroot}" = vm ]; then INCLUDE=$INCLUDE,systemd-sysv,udev,linux-image-amd64; fi
TARBALL=$SANITIZE_CACHE/rootfs-$SUITE-$(echo "$INCLUDE" | sha1sum | cut -c1-8).tar.zst

# test packages run in parallel: one debootstrap at a time, the others wait for its tarball
exec 9>"$TARBALL.lock"
flock 9
if [ ! -f "$TARBALL" ]; then
  log "debootstrap $SUITE (once; cached as $TARBALL)"
  tmp=$(mktemp -d "$SANITIZE_CACHE/debootstrap.XXXXXX")
  if ! debootstrap --variant=minbase --include=$INCLUDE "$SUITE" "$tmp" >"$tmp.log" 2>&1; then
    tail -30 "$tmp.log" >&2; rm -rf "$tmp"; exit 1
  fi
  rm -rf "$tmp/var/cache/apt/archives/"*.deb "$tmp/var/lib/apt/lists/"*
  tar -C "$tmp" --numeric-owner -cf - . | zstd -T0 -3 -q -f -o "$TARBALL.tmp"
  mv "$TARBALL.tmp" "$TARBALL"; rm -rf "$tmp" "$tmp.log"
fi
flock -u 9

rm -rf "$DIR"; mkdir -p "$DIR"
zstd -dc "$TARBALL" | tar -C "$DIR" --numeric-owner -xpf -
chmod 755 "$DIR"   # the tarball keeps the 0700 of the temp dir debootstrap ran in
rm -f "$DIR.key" "$DIR.key.pub"
ssh-keygen -q -t ed25519 -N '' -f "$DIR.key" -C e2e-builder
chroot "$DIR" /bin/sh -ec '
  id packer >/dev/null 2>&1 || useradd -m -s /bin/bash packer
  usermod -p "*" packer   # "*" not "!": sshd without PAM refuses locked accounts
  echo "packer ALL=(ALL) NOPASSWD:ALL" > /etc/sudoers.d/packer
  chmod 0440 /etc/sudoers.d/packer
  install -d -m 700 -o packer -g packer /home/packer/.ssh
  ssh-keygen -A >/dev/null
'
install -m 600 "$DIR.key.pub" "$DIR/home/packer/.ssh/authorized_keys"
chroot "$DIR" chown packer:packer /home/packer/.ssh/authorized_keys
echo sanitize-target > "$DIR/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 sanitize-target\n' > "$DIR/etc/hosts"
