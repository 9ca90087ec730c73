#!/bin/bash
# sshd.sh start ROOTFS PORT | stop ROOTFS
# Runs the rootfs' own sshd chrooted on 127.0.0.1:PORT inside private mount/pid/uts/ipc
# namespaces, so its /proc, /sys, /dev/pts and /run mounts vanish with it. The pid file and
# log sit beside the rootfs (ROOTFS.sshd.pid, ROOTFS.sshd.log).
set -euo pipefail
case ${1:-} in
start)
  R=$(readlink -f "$2"); PORT=$3; PIDF=$R.sshd.pid
  "$0" stop "$R"
  setsid unshare --mount --pid --uts --ipc --fork --kill-child --propagation private -- \
    /bin/sh -ec '
      R=$1; PORT=$2
      hostname "$(cat "$R/etc/hostname" 2>/dev/null || echo localhost)"
      mount -t proc proc "$R/proc"
      mount -t sysfs sysfs "$R/sys"   # as on a real guest (zero-free-space tunes ext4 there)
      mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$R/dev/pts"
      mount --bind "$R/dev/pts/ptmx" "$R/dev/ptmx"
      mount -t tmpfs -o mode=755 tmpfs "$R/run"; mkdir -p "$R/run/sshd"; chmod 755 "$R/run/sshd"
      exec chroot "$R" /usr/sbin/sshd -D -e -p "$PORT" -o ListenAddress=127.0.0.1 \
           -o UsePAM=no -o PidFile=none
    ' sh "$R" "$PORT" </dev/null >"$R.sshd.log" 2>&1 &
  echo $! >"$PIDF"
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null; then exit 0; fi
    kill -0 "$(cat "$PIDF")" 2>/dev/null || break
    sleep 0.1
  done
  echo "sshd.sh: sshd did not come up on 127.0.0.1:$PORT; log:" >&2; cat "$R.sshd.log" >&2; exit 1 ;;
stop)
  R=$(readlink -f "$2"); PIDF=$R.sshd.pid
  [ -f "$PIDF" ] || exit 0
  # unshare ignores SIGTERM while it waits; --kill-child takes sshd down with it
  kill -KILL "$(cat "$PIDF")" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$(cat "$PIDF")" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PIDF" ;;
*) echo "usage: sshd.sh start ROOTFS PORT | stop ROOTFS" >&2; exit 2 ;;
esac
