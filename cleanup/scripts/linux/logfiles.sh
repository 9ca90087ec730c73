[ -d /var/log ] || exit 0
if command -v journalctl >/dev/null 2>&1 && [ -d /run/systemd/journal ]; then
  journalctl --rotate >/dev/null 2>&1 || true
fi
n=$(find /var/log -type f \( -name '*.[0-9]' -o -name '*.[0-9].gz' -o -name '*.gz' -o -name '*.xz' \
  -o -name '*.old' -o -name '*-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' -o -name '*.journal' -o -name '*.journal~' \) | wc -l)
if [ "$n" -gt 0 ]; then
  find /var/log -type f \( -name '*.[0-9]' -o -name '*.[0-9].gz' -o -name '*.gz' -o -name '*.xz' \
    -o -name '*.old' -o -name '*-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' -o -name '*.journal' -o -name '*.journal~' \) -delete
  did "deleted $n rotated logs and journal files"
fi
# truncate in place: services keep their open descriptors and the files keep their modes
n=$(find /var/log -type f -size +0 | wc -l)
if [ "$n" -gt 0 ]; then
  find /var/log -type f -size +0 -exec truncate -s 0 -- {} +
  did "truncated $n log files"
fi
